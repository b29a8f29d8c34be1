// SIM signing in Chromium: the person's browser on one page, their phone (the sandbox simulated
// phone) on another; an openid-client RP receives acr "3".
import assert from 'node:assert/strict';
import type { BrowserContext, Page } from 'playwright-core';
import { startServer, registerClient, SANDBOX, type TestServer } from '../support/server.ts';
import { startRp, REDIRECT_URI, type Rp } from '../support/rp.ts';
import { launch } from '../support/chromium.ts';

const CLIENT = { client_id: 'rp-e2e-sim', client_secret: 'rp-e2e-sim-secret-0123456789abcd', redirect_uris: [REDIRECT_URI], dvc_skip_consent: true };

describe('Chromium: SIM signing through the real pages', function () {
  this.timeout(120_000);
  let s: TestServer;
  let browser: Awaited<ReturnType<typeof launch>>;
  before(async () => {
    s = await startServer();
    await registerClient(s.db, CLIENT);
    browser = await launch();
  });
  after(async () => { await browser?.close(); await s?.close(); });

  async function openRp(context: BrowserContext, params: Record<string, string> = {}) {
    const rp = await startRp(s.issuer, CLIENT.client_id, CLIENT.client_secret, { scope: 'openid profile enterprise', ...params });
    const page = await context.newPage();
    await page.goto(rp.authUrl);
    return { rp, page };
  }

  /** On the phone: see the request with the same code, type the PIN, confirm. */
  async function confirmOnPhone(context: BrowserContext, phone: string, code: string) {
    const p = await context.newPage();
    await p.goto(`${s.issuer}/sandbox/phone?phone=${encodeURIComponent(phone)}`);
    await p.getByText(new RegExp(`${code}$`)).waitFor();
    await p.getByLabel('PIN').fill('1234');
    await p.getByRole('button', { name: 'Xác nhận và ký' }).click();
    await p.getByText('Đã ký.').waitFor();
    await p.close();
  }

  async function signWithSim(context: BrowserContext, page: Page, phone: string) {
    await page.getByLabel('Số điện thoại SIM ký số').fill(phone);
    await page.getByRole('button', { name: 'Gửi yêu cầu ký' }).click();
    const code = (await page.locator('#verification-code').textContent())!.trim();
    assert.match(code, /^\d{4}$/);
    await confirmOnPhone(context, phone, code);
  }

  async function finish(rp: Rp, page: Page) {
    await page.waitForURL(`${REDIRECT_URI}**`, { timeout: 20_000 });
    return rp.finish(page.url());
  }

  it('L2: sign in with the SIM; the page moves on by itself', async () => {
    const { rp, page } = await openRp(browser.context);
    await page.getByRole('link', { name: /SIM ký số/ }).click();
    await signWithSim(browser.context, page, '0987654321');
    const { idToken } = await finish(rp, page);
    assert.equal(idToken.acr, '3');
  });

  it('R3 citizen and R3 enterprise', async () => {
    for (const [phone, email, expectType] of [['0911000001', '', 'citizen'], ['0911000002', 'ketoan@kyso.example.vn', 'enterprise']] as const) {
      const { rp, page } = await openRp(browser.context, { prompt: 'login' });
      await page.getByRole('link', { name: 'Chưa có tài khoản? Đăng ký' }).click();
      await page.getByRole('region', { name: expectType === 'citizen' ? 'Công dân' : 'Doanh nghiệp' }).getByRole('link', { name: /SIM ký số/ }).click();
      await signWithSim(browser.context, page, phone);
      await page.getByRole('heading', { name: 'Đăng ký bằng SIM ký số' }).waitFor({ timeout: 20_000 });
      if (email) await page.getByLabel('Email').fill(email);
      await page.getByRole('button', { name: 'Đăng ký' }).click();
      const { idToken } = await finish(rp, page);
      assert.equal(idToken.acr, '3');
      assert.equal(idToken.subject_type, expectType);
    }
  });

  it('step-up: a level-2 citizen signed in by password + OTP signs with the SIM and the RP gets acr "3"', async () => {
    const fresh = await launch(); // a fresh browser profile for this person
    const { context } = fresh;
    try {
      const first = await openRp(context);
      await first.page.getByRole('link', { name: /Số CCCD\/CMND và mật khẩu/ }).click();
      await first.page.getByLabel(/Tên đăng nhập/).fill(SANDBOX.citizen2.username);
      await first.page.getByLabel('Mật khẩu').fill(SANDBOX.citizen2.password);
      await first.page.getByRole('button', { name: 'Đăng nhập' }).click();
      await first.page.waitForURL(/\/otp$/);
      const outbox = await first.page.request.get(`${s.issuer}/sandbox/sms?to=${encodeURIComponent(SANDBOX.citizen2.phone)}&format=json`);
      await first.page.getByLabel('Nhập mã OTP').fill(/(\d{6})/.exec(((await outbox.json()) as { text: string }[])[0]!.text)![1]!);
      await first.page.getByRole('button', { name: 'Xác nhận' }).click();
      assert.equal((await finish(first.rp, first.page)).idToken.acr, '2');

      const second = await openRp(context, { acr_values: '3' });
      await second.page.getByRole('heading', { name: 'Cần xác thực mức độ cao hơn' }).waitFor();
      await second.page.getByRole('link', { name: /SIM ký số/ }).click();
      await signWithSim(context, second.page, SANDBOX.citizen2.phone);
      const { idToken } = await finish(second.rp, second.page);
      assert.equal(idToken.acr, '3');
    } finally {
      await fresh.close();
    }
  });
});
