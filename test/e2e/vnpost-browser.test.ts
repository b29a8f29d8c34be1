// L4 in Chromium: the person picks "account issued by Vietnam Post", signs in on Vietnam Post's
// (sandbox) page, and the RP receives an ID token whose amr includes "fed".
import assert from 'node:assert/strict';
import { startServer, registerClient, type TestServer } from '../support/server.ts';
import { startRp, REDIRECT_URI } from '../support/rp.ts';
import { launch } from '../support/chromium.ts';

const CLIENT = { client_id: 'rp-e2e-vnp', client_secret: 'rp-e2e-vnp-secret-0123456789abcd', redirect_uris: [REDIRECT_URI], client_name: 'Dịch vụ thử nghiệm' };

describe('Chromium: Vietnam Post federation through the real pages', function () {
  this.timeout(90_000);
  let s: TestServer;
  let browser: Awaited<ReturnType<typeof launch>>;
  before(async () => { s = await startServer(); await registerClient(s.db, CLIENT); browser = await launch(); });
  after(async () => { await browser?.close(); await s?.close(); });

  it('chooser → Vietnam Post login → consent → RP with amr "fed"', async () => {
    const rp = await startRp(s.issuer, CLIENT.client_id, CLIENT.client_secret, { scope: 'openid profile' });
    const page = await browser.context.newPage();
    await page.goto(rp.authUrl);
    await page.getByRole('link', { name: /Tài khoản cấp bởi Bưu điện Việt Nam/ }).click();
    await page.getByLabel('Tên đăng nhập').fill('vnp.hoa');
    await page.getByLabel('Mật khẩu').fill('Buudien@2026');
    await page.getByRole('button', { name: 'Đăng nhập' }).click();
    await page.getByRole('button', { name: 'Đồng ý chia sẻ' }).click();
    await page.waitForURL(`${REDIRECT_URI}**`);
    const { idToken } = await rp.finish(page.url());
    assert.ok((idToken.amr as string[]).includes('fed'));
    assert.equal(idToken.acr, '3');
  });
});
