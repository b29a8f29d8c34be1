// R5 in Chromium: the counter API creates the account, the person activates it through the real
// pages (link and OTP from the sandbox outbox), then signs in at an RP by ID + password + OTP: acr "3";
// and an officer registers someone on the counter page.
import assert from 'node:assert/strict';
import { startServer, registerClient, SANDBOX, type TestServer } from '../support/server.ts';
import { startRp, REDIRECT_URI } from '../support/rp.ts';
import { launch, signInL1 } from '../support/chromium.ts';
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

  it('an officer signs in at the counter page and registers a person', async () => {
    await browser.context.clearCookies();
    const page = await browser.context.newPage();
    await page.goto(`${s.issuer}/counter`);
    await signInL1(page, s.issuer, SANDBOX.citizen3);
    await page.getByRole('heading', { name: 'Đăng ký tài khoản tại quầy Bưu điện' }).waitFor();
    await page.getByLabel('Giấy tờ đã kiểm tra').selectOption('cccd');
    await page.getByLabel('Số CCCD/CMND').fill('001188000051');
    await page.getByLabel('Họ tên').fill('Đinh Thị Quầy');
    await page.getByLabel('Ngày sinh').fill('05/05/1988');
    await page.getByLabel('Số điện thoại').fill('0913000051');
    await page.getByRole('button', { name: 'Đăng ký tài khoản' }).click();
    await page.getByText(/Đã tạo tài khoản mức độ 3/).waitFor();
    const sms = (await (await page.request.get(`${s.issuer}/sandbox/sms?to=%2B84913000051&format=json`)).json()) as { text: string }[];
    assert.match(sms[0]!.text, /\/activate\//);
  });
});
