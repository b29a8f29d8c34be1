// R5 in Chromium: the counter API creates the account, the person activates it through the real
// pages (link and OTP from the sandbox outbox), then signs in at an RP by ID + password + OTP: acr "3".
import assert from 'node:assert/strict';
import { startServer, registerClient, type TestServer } from '../support/server.ts';
import { startRp, REDIRECT_URI } from '../support/rp.ts';
import { launch } from '../support/chromium.ts';
import { partnerToken, api } from '../support/counter.ts';

const RP = { client_id: 'rp-e2e-counter', client_secret: 'rp-e2e-counter-secret-0123456789', redirect_uris: [REDIRECT_URI], dvc_skip_consent: true };

describe('Chromium: counter registration, activation and first login', function () {
  this.timeout(90_000);
  let s: TestServer;
  let browser: Awaited<ReturnType<typeof launch>>;
  before(async () => { s = await startServer(); await registerClient(s.db, RP); browser = await launch(); });
  after(async () => { await browser?.close(); await s?.close(); });

  it('activates and signs in with acr "3"', async () => {
    const { token } = await partnerToken(s);
    const created = await api(s, token, '/accounts', { idNumber: '001188000041', fullName: 'Tạ Thị Bưu', birthdate: '01/01/1988', phone: '0913000041', document: { type: 'cccd', number: '001188000041' } }, { 'idempotency-key': 'e2e-counter-1' });
    assert.equal(created.status, 201);
    const page = await browser.context.newPage();
    const sms = async () => ((await (await page.request.get(`${s.issuer}/sandbox/sms?to=%2B84913000041&format=json`)).json()) as { text: string }[]);
    const link = /(http\S+\/activate\/\S+)/.exec((await sms()).find((m) => m.text.includes('/activate/'))!.text)![1]!;
    await page.goto(link);
    await page.getByRole('button', { name: 'Gửi mã xác thực' }).click();
    await page.getByLabel('Nhập mã OTP').fill(/(\d{6})/.exec((await sms())[0]!.text)![1]!);
    await page.getByRole('button', { name: 'Xác nhận' }).click();
    await page.getByLabel('Nhập mật khẩu').fill('Kichhoat@2026');
    await page.getByLabel('Xác nhận mật khẩu').fill('Kichhoat@2026');
    await page.getByRole('button', { name: 'Kích hoạt' }).click();
    await page.getByRole('heading', { name: 'Tài khoản đã được kích hoạt' }).waitFor();

    const rp = await startRp(s.issuer, RP.client_id, RP.client_secret);
    await page.goto(rp.authUrl);
    await page.getByRole('link', { name: /Số CCCD\/CMND và mật khẩu/ }).click();
    await page.getByLabel(/Tên đăng nhập/).fill('001188000041');
    await page.getByLabel('Mật khẩu').fill('Kichhoat@2026');
    await page.getByRole('button', { name: 'Đăng nhập' }).click();
    await page.waitForURL(/\/otp$/);
    await page.getByLabel('Nhập mã OTP').fill(/(\d{6})/.exec((await sms())[0]!.text)![1]!);
    await page.getByRole('button', { name: 'Xác nhận' }).click();
    await page.waitForURL(`${REDIRECT_URI}**`);
    assert.equal((await rp.finish(page.url())).idToken.acr, '3');
  });
});
