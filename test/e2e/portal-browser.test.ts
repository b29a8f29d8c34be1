// The account portal in Chromium: sign in, change the phone (OTP to the new number from the outbox),
// sign out another session, and revoke a connected service; a level-2 citizen adds a USB certificate.
import assert from 'node:assert/strict';
import * as oidc from 'openid-client';
import { startServer, registerClient, SANDBOX, type TestServer } from '../support/server.ts';
import { startRp, REDIRECT_URI } from '../support/rp.ts';
import { launch, signInL1, smsCode } from '../support/chromium.ts';
import { newAgent, loginL1 } from '../support/browser.ts';
import { agentFor } from '../support/usb.ts';

const AGENT_PORT = 47988;
const RP = { client_id: 'rp-e2e-portal', client_secret: 'rp-e2e-portal-secret-0123456789ab', redirect_uris: [REDIRECT_URI], client_name: 'Cổng tỉnh thử nghiệm', grant_types: ['authorization_code', 'refresh_token'], dvc_skip_consent: true };

describe('Chromium: account portal', function () {
  this.timeout(90_000);
  let s: TestServer;
  let browser: Awaited<ReturnType<typeof launch>>;
  before(async () => { s = await startServer({ USB_AGENT_URL: `http://127.0.0.1:${AGENT_PORT}` }); await registerClient(s.db, RP); browser = await launch(); });
  after(async () => { await browser?.close(); await s?.close(); });

  it('changes the phone, signs out another session and revokes a service', async () => {
    // Another device of the same person, with a refresh token.
    const other = newAgent(s.issuer);
    const rpOther = await startRp(s.issuer, RP.client_id, RP.client_secret, { scope: 'openid offline_access', prompt: 'consent' });
    const otherTokens = (await rpOther.finish((await loginL1(other, s.issuer, rpOther.authUrl, SANDBOX.citizen3)).external!)).tokens;

    const page = await browser.context.newPage();
    await page.goto(`${s.issuer}/account`);
    await signInL1(page, s.issuer, SANDBOX.citizen3);
    await page.getByRole('heading', { name: 'Quản lý tài khoản' }).waitFor();
    assert.match(await page.textContent('main') ?? '', /Trần Thị Bích Ngọc/);

    await page.getByRole('link', { name: 'Đổi số điện thoại' }).click();
    await page.getByLabel('Số điện thoại mới').fill('0988 333 444');
    await page.getByRole('button', { name: 'Tiếp tục' }).click();
    await page.getByLabel('Nhập mã OTP').fill(await smsCode(page, s.issuer, '+84988333444'));
    await page.getByRole('button', { name: 'Xác nhận' }).click();
    await page.getByText('Đã đổi số điện thoại.').waitFor();

    await page.getByRole('link', { name: 'Quản lý đăng nhập' }).click();
    await page.getByRole('button', { name: 'Đăng xuất phiên này' }).first().click();
    await page.getByText('Đã kết thúc phiên đăng nhập.').waitFor();
    await assert.rejects(oidc.refreshTokenGrant(rpOther.config, otherTokens.refresh_token!));

    await page.getByRole('link', { name: 'Thông tin tài khoản' }).click();
    assert.match(await page.textContent('main') ?? '', /Cổng tỉnh thử nghiệm/, 'the RP is listed as a connected service');
    await page.getByRole('button', { name: 'Thu hồi quyền' }).first().click();
    await page.getByText('Đã thu hồi quyền truy cập của dịch vụ.').waitFor();
    assert.doesNotMatch(await page.textContent('main') ?? '', /Cổng tỉnh thử nghiệm/);
  });

  it('a level-2 citizen raises the account to level 3 by adding their USB certificate', async () => {
    const token = await agentFor(s.issuer, ['level2-citizen'], { port: AGENT_PORT });
    try {
      await browser.context.clearCookies(); // another person on this browser
      const page = await browser.context.newPage();
      await page.goto(`${s.issuer}/account`);
      await signInL1(page, s.issuer, SANDBOX.citizen2);
      await page.getByText('Nâng tài khoản lên mức độ 3').waitFor();
      await page.getByRole('button', { name: 'Thêm chứng thư số USB' }).click();
      await page.getByRole('button', { name: /Nguyễn Văn An/ }).click();
      await page.getByText('Đã liên kết phương thức xác thực với tài khoản.').waitFor({ timeout: 20_000 });
      assert.match(await page.textContent('main') ?? '', /Chứng thư số USB/);
      await page.getByRole('link', { name: 'Thông tin tài khoản' }).click();
      assert.doesNotMatch(await page.textContent('main') ?? '', /Nâng tài khoản lên mức độ 3/);
      assert.match(await page.textContent('main') ?? '', /Mức độ xác minh\s*3/);
    } finally {
      await token.close();
    }
  });
});
