// A person on a phone signs in through the real pages in Chromium; the RP gets an ID token.
import assert from 'node:assert/strict';
import { startServer, registerClient, SANDBOX, type TestServer } from '../support/server.ts';
import { startRp, REDIRECT_URI } from '../support/rp.ts';
import { launch } from '../support/chromium.ts';

describe('Chromium: L1 sign-in through the real pages', function () {
  this.timeout(90_000);
  let s: TestServer;
  let browser: Awaited<ReturnType<typeof launch>>;
  before(async () => {
    s = await startServer();
    await registerClient(s.db, { client_id: 'rp-e2e', client_secret: 'rp-e2e-secret-0123456789abcdefgh', redirect_uris: [REDIRECT_URI], client_name: 'Dịch vụ thử nghiệm' });
    browser = await launch();
  });
  after(async () => { await browser?.close(); await s?.close(); });

  it('chooser → ID + password → OTP from the outbox → consent → back at the RP with acr "2"', async () => {
    const rp = await startRp(s.issuer, 'rp-e2e', 'rp-e2e-secret-0123456789abcdefgh', { scope: 'openid profile' });
    const page = await browser.context.newPage();

    await page.goto(rp.authUrl);
    await page.getByRole('link', { name: /Số CCCD\/CMND và mật khẩu/ }).click();
    await page.getByLabel(/Tên đăng nhập/).fill(SANDBOX.citizen2.username);
    await page.getByLabel('Mật khẩu').fill(SANDBOX.citizen2.password);
    await page.getByRole('button', { name: 'Đăng nhập' }).click();
    await page.waitForURL(/\/otp$/);
    assert.match(await page.textContent('main') ?? '', /091\*\*\*\*228/);

    const outbox = await page.request.get(`${s.issuer}/sandbox/sms?to=${encodeURIComponent(SANDBOX.citizen2.phone)}&format=json`);
    const code = /(\d{6})/.exec(((await outbox.json()) as { text: string }[])[0]!.text)![1]!;
    await page.getByLabel('Nhập mã OTP').fill(code);
    await page.getByRole('button', { name: 'Xác nhận' }).click();

    await page.getByRole('button', { name: 'Đồng ý chia sẻ' }).click();
    await page.waitForURL(`${REDIRECT_URI}**`);
    const { idToken } = await rp.finish(page.url());
    assert.equal(idToken.acr, '2');
    assert.deepEqual(idToken.amr, ['pwd', 'sms', 'mfa']);
  });

  it('the English switch works and the layout fits a 360 px phone', async () => {
    const rp = await startRp(s.issuer, 'rp-e2e', 'rp-e2e-secret-0123456789abcdefgh', { prompt: 'login' });
    const page = await browser.context.newPage();
    await page.goto(rp.authUrl);
    await page.getByRole('link', { name: 'English' }).click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    const overflow = await page.evaluate('document.documentElement.scrollWidth > window.innerWidth');
    assert.equal(overflow, false, 'no horizontal scrolling on a phone');
  });
});
