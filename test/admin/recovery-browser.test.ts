// Chromium: a counter recovery as it happens. The staff member signs in to /admin with a SIM
// signature, finds the account with a reason, changes the phone and sends the reset link after
// checking the papers; the citizen opens the link from the SMS, sets a new password and signs in.
// Every page visited is audited by axe at 360 px (test/support/chromium.ts).
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { startServer, SANDBOX, type TestServer } from '../support/server.ts';
import { launch, signInL1 } from '../support/chromium.ts';
import { drained } from '../support/outbox.ts';
import { setRoles, STAFF } from './staff-session.ts';

const NEW_PHONE = '0912000777';

describe('Chromium: counter recovery at the support desk', function () {
  this.timeout(120_000);
  let s: TestServer;
  let browser: Awaited<ReturnType<typeof launch>>;
  before(async () => {
    s = await startServer();
    await setRoles(s, ['support']);
    browser = await launch();
  });
  after(async () => { await browser?.close(); await s?.close(); });

  /** The staff member's SIM: the request confirmed on the sandbox phone page. */
  async function signWithSim(page: Page) {
    await page.getByRole('link', { name: /SIM ký số/ }).click();
    await page.getByLabel('Số điện thoại SIM ký số').fill(STAFF.phone);
    await page.getByRole('button', { name: 'Gửi yêu cầu ký' }).click();
    const code = (await page.locator('#verification-code').textContent())!.trim();
    const phone = await browser.context.newPage();
    await phone.goto(`${s.issuer}/sandbox/phone?phone=${encodeURIComponent(STAFF.phone)}`);
    await phone.getByText(new RegExp(`${code}$`)).waitFor();
    await phone.getByLabel('PIN').fill('1234');
    await phone.getByRole('button', { name: 'Xác nhận và ký' }).click();
    await phone.getByText('Đã ký.').waitFor();
    await phone.close();
  }

  it('staff find the account, change the phone, send the link; the citizen sets a new password and signs in', async () => {
    const page = await browser.context.newPage();
    await page.goto(`${s.issuer}/admin/support`);
    await signWithSim(page);
    await page.waitForURL(`${s.issuer}/admin/support`, { timeout: 20_000 });

    await page.getByLabel('Số CCCD/CMND, mã số thuế hoặc số điện thoại').fill(SANDBOX.citizen2.username);
    await page.getByLabel('Lý do (ví dụ số phiếu tại quầy)').fill('Phiếu quầy 0107');
    await page.getByRole('button', { name: 'Tìm', exact: true }).click();
    await page.waitForURL(/\/admin\/support\/cases\//);
    assert.equal(await page.locator('#account-status').textContent(), 'Hoạt động');

    await page.getByLabel('Số điện thoại mới').fill(NEW_PHONE);
    await page.locator('#checked-phone').check();
    await page.getByRole('button', { name: 'Đổi số điện thoại' }).click();
    await page.getByText('Đã đổi số điện thoại; số cũ đã được báo.').waitFor();
    assert.equal(await page.locator('#account-phone').textContent(), '091****777');
    await page.locator('#checked-reset-link').check();
    await page.getByRole('button', { name: 'Gửi đường dẫn đặt lại mật khẩu' }).click();
    await page.getByText(/Đã gửi đường dẫn đặt lại mật khẩu/).waitFor();
    assert.doesNotMatch(await page.content(), /\/forgot\//, 'the link is not on the staff page');
    await page.close();

    // The citizen, on their own device, with the SMS the new phone received.
    await browser.context.clearCookies();
    await drained(s.db);
    const citizen = await browser.context.newPage();
    const sms = (await (await citizen.request.get(`${s.issuer}/sandbox/sms?to=${encodeURIComponent('+84912000777')}&format=json`)).json()) as { text: string }[];
    const link = /(http\S+\/forgot\/\S+\/password)/.exec(sms[0]!.text)![1]!;
    await citizen.goto(link);
    await citizen.getByLabel('Nhập mật khẩu').fill('Quay#2026moi');
    await citizen.getByLabel('Xác nhận mật khẩu').fill('Quay#2026moi');
    await citizen.getByRole('button', { name: 'Đổi mật khẩu' }).click();
    await citizen.getByRole('heading', { name: 'Đã đổi mật khẩu' }).waitFor();

    await citizen.goto(`${s.issuer}/account`);
    await signInL1(citizen, s.issuer, { username: SANDBOX.citizen2.username, password: 'Quay#2026moi', phone: '+84912000777' });
    await citizen.waitForURL(`${s.issuer}/account`, { timeout: 20_000 });
    await citizen.goto(`${s.issuer}/account/history`);
    await citizen.getByText('Nhân viên hỗ trợ đã xem tài khoản của bạn').first().waitFor();
  });
});
