// A citizen on a phone registers through the real pages while signing in to a relying party.
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { startServer, registerClient, type TestServer } from '../support/server.ts';
import { startRp, REDIRECT_URI } from '../support/rp.ts';
import { launch } from '../support/chromium.ts';

const CLIENT = { client_id: 'rp-e2e-reg', client_secret: 'rp-e2e-reg-secret-0123456789abcd', redirect_uris: [REDIRECT_URI], client_name: 'Dịch vụ thử nghiệm' };

describe('Chromium: registration through the real pages', function () {
  this.timeout(90_000);
  let s: TestServer;
  let browser: Awaited<ReturnType<typeof launch>>;
  before(async () => {
    s = await startServer();
    await registerClient(s.db, CLIENT);
    browser = await launch();
  });
  after(async () => { await browser?.close(); await s?.close(); });

  async function registerVia(page: Page, methodLabel: RegExp, fill: (p: Page) => Promise<void>, phone: string) {
    const rp = await startRp(s.issuer, CLIENT.client_id, CLIENT.client_secret, { scope: 'openid profile phone national_id', prompt: 'login' });
    await page.goto(rp.authUrl);
    await page.getByRole('link', { name: 'Chưa có tài khoản? Đăng ký' }).click();
    await page.getByRole('link', { name: methodLabel }).click();
    await fill(page);
    await page.getByRole('button', { name: 'Đăng ký' }).click();
    await page.waitForURL(/\/otp$/);
    const outbox = await page.request.get(`${s.issuer}/sandbox/sms?to=${encodeURIComponent(phone)}&format=json`);
    const code = /(\d{6})/.exec(((await outbox.json()) as { text: string }[])[0]!.text)![1]!;
    await page.getByLabel('Nhập mã OTP').fill(code);
    await page.getByRole('button', { name: 'Xác nhận' }).click();
    // Every unmet rule shows at once and is ticked while typing; the password can be shown.
    const password = page.getByLabel('Nhập mật khẩu');
    await password.fill('dangky');
    const met = async () => page.locator('#password-rules li.met').evaluateAll((els) => els.map((e) => e.getAttribute('data-rule')));
    assert.deepEqual(await met(), ['needs_lower']);
    await password.fill('Dangky@2026');
    assert.deepEqual(await met(), ['too_short', 'needs_lower', 'needs_upper', 'needs_digit', 'needs_special']);
    await page.getByRole('button', { name: 'Hiện mật khẩu' }).first().click();
    assert.equal(await password.getAttribute('type'), 'text');
    await page.getByLabel('Xác nhận mật khẩu').fill('Dangky@2026');
    await page.getByRole('button', { name: 'Đăng ký' }).click();
    await page.getByRole('button', { name: 'Đồng ý chia sẻ' }).click();
    await page.waitForURL(`${REDIRECT_URI}**`);
    return rp.finish(page.url());
  }

  it('R1 mobile subscriber: the RP receives acr "2" and the person\'s claims', async () => {
    const page = await browser.context.newPage();
    const { idToken } = await registerVia(page, /Thuê bao di động/, async (p) => {
      await p.getByLabel('Số CCCD/CMND').fill('001095004321');
      await p.getByLabel('Họ tên').fill('Hoàng Văn Bình');
      await p.getByLabel('Ngày sinh').fill('20/03/1995');
      await p.getByLabel('Số điện thoại').fill('0912000111');
    }, '+84912000111');
    assert.equal(idToken.acr, '2');
    assert.equal(idToken.subject_type, 'citizen');
  });

  it('R2 social insurance: the RP receives acr "2"', async () => {
    const page = await browser.context.newPage();
    const { idToken, tokens } = await registerVia(page, /Bảo hiểm xã hội/, async (p) => {
      await p.getByLabel('Số CCCD/CMND').fill('001093007777');
      await p.getByLabel('Mã số BHXH').fill('0123456789');
      await p.getByLabel('Họ tên').fill('Phạm Minh Tuấn');
      await p.getByLabel('Ngày sinh').fill('30/01/1993');
      await p.getByLabel('Số điện thoại').fill('0988000999');
    }, '+84988000999');
    assert.equal(idToken.acr, '2');
    const info = await fetch(`${s.issuer}/me`, { headers: { authorization: `Bearer ${tokens.access_token}` } }).then((r) => r.json()) as Record<string, unknown>;
    assert.equal(info.name, 'Phạm Minh Tuấn');
    assert.equal(info.national_id, '001093007777');
  });
});
