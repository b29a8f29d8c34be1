// The ALTCHA check in a real browser, captcha on, at the configured cost: the proof-of-work runs in a
// worker from our own origin under our strict CSP (no violation), the form goes on by itself, and a
// person who cannot see the picture signs in without reading or typing anything extra.
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { startServer, registerClient, SANDBOX, type TestServer } from '../support/server.ts';
import { startRp, REDIRECT_URI } from '../support/rp.ts';
import { launch, smsCode } from '../support/chromium.ts';

const CLIENT = { client_id: 'rp-e2e-altcha', client_secret: 'rp-e2e-altcha-secret-0123456789ab', redirect_uris: [REDIRECT_URI], dvc_skip_consent: true };

describe('Chromium: the ALTCHA proof-of-work (captcha on)', function () {
  this.timeout(120_000);
  let s: TestServer;
  let browser: Awaited<ReturnType<typeof launch>>;
  before(async () => {
    s = await startServer({ CAPTCHA: 'on' });
    await registerClient(s.db, CLIENT);
    browser = await launch();
  });
  after(async () => { await browser?.close(); await s?.close(); });

  /** A page of the RP's sign-in that records CSP violations and script errors. */
  async function open() {
    const rp = await startRp(s.issuer, CLIENT.client_id, CLIENT.client_secret, { prompt: 'login' });
    const page = await browser.context.newPage();
    const problems: string[] = [];
    page.on('console', (m) => { if (m.type() === 'error' && !/Failed to load resource/.test(m.text())) problems.push(m.text()); });
    page.on('pageerror', (e) => problems.push(e.message));
    page.on('response', (r) => { if (r.status() >= 400 && !r.url().endsWith('/favicon.ico')) problems.push(`${r.status()} ${r.url()}`); });
    await page.goto(rp.authUrl);
    return { rp, page, problems };
  }

  const finish = async (page: Page) => { await page.waitForURL(`${REDIRECT_URI}**`, { timeout: 30_000 }); return page.url(); };

  it('SIM: the proof is computed when the form is sent, then the request is pushed', async () => {
    const { rp, page, problems } = await open();
    await page.getByRole('link', { name: /SIM ký số/ }).click();
    await page.getByText(/kẻ gian không thể gửi hàng loạt yêu cầu/).waitFor();
    await page.getByLabel('Số điện thoại SIM ký số').fill(SANDBOX.citizen3.phone);
    const t0 = Date.now();
    await page.getByRole('button', { name: 'Gửi yêu cầu ký' }).click();
    await page.locator('#verification-code').waitFor({ timeout: 60_000 });
    const ms = Date.now() - t0;
    console.log(`      (browser proof-of-work + push: ${ms} ms)`);
    const code = (await page.locator('#verification-code').textContent())!.trim();
    const phone = await browser.context.newPage();
    await phone.goto(`${s.issuer}/sandbox/phone?phone=${encodeURIComponent(SANDBOX.citizen3.phone)}`);
    await phone.getByText(new RegExp(`${code}$`)).waitFor();
    await phone.getByLabel('PIN').fill('1234');
    await phone.getByRole('button', { name: 'Xác nhận và ký' }).click();
    await phone.getByText('Đã ký.').waitFor();
    await phone.close();
    const { idToken } = await rp.finish(await finish(page));
    assert.equal(idToken.acr, '3');
    assert.deepEqual(problems, [], 'no CSP violation or script error');
  });

  it('L1: "Không xem được hình?" replaces the picture with the automatic check; the person signs in', async () => {
    const { rp, page, problems } = await open();
    await page.getByRole('link', { name: /Số CCCD\/CMND và mật khẩu/ }).click();
    await page.getByRole('link', { name: /Không xem được hình\?/ }).click();
    await page.getByRole('group', { name: 'Xác minh chống người máy' }).waitFor();
    assert.equal(await page.locator('img[src^="data:image/svg"]').count(), 0);
    await page.getByLabel(/Tên đăng nhập/).fill(SANDBOX.citizen3.username);
    await page.getByLabel('Mật khẩu').fill(SANDBOX.citizen3.password);
    await page.getByRole('button', { name: 'Đăng nhập' }).click();
    await page.waitForURL(/\/otp$/, { timeout: 60_000 });
    await page.getByLabel('Nhập mã OTP').fill(await smsCode(page, s.issuer, SANDBOX.citizen3.phone));
    await page.getByRole('button', { name: 'Xác nhận' }).click();
    const { idToken } = await rp.finish(await finish(page));
    assert.equal(idToken.acr, '3');
    assert.deepEqual(problems, [], 'no CSP violation or script error');
  });
});
