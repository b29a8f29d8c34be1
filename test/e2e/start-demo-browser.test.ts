// What an evaluator does first, in Chromium on the embedded database (whatever TEST_DB says): the
// start page → the demo service → "Đăng nhập bằng DVC" with L1 (acr 2) → "level 3 (essential)"
// with the simulated SIM (acr 3) → sign out, and the back-channel logout shown arriving.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { startServer, EMBEDDED, SANDBOX, type TestServer } from '../support/server.ts';
import { launch, signInL1 } from '../support/chromium.ts';

const SHOTS = process.env.SCREENSHOT_DIR;

describe('Chromium on the embedded database: start page and demo service', function () {
  this.timeout(180_000);
  let s: TestServer;
  let dataDir: string;
  let browser: Awaited<ReturnType<typeof launch>>;
  before(async () => {
    // Under TEST_DB=embedded the support's own (template-copied) embedded database; otherwise one of ours.
    dataDir = mkdtempSync(path.join(tmpdir(), 'dvc-demo-db-'));
    s = await startServer(EMBEDDED ? {} : { DATABASE_URL: '', DATA_DIR: dataDir });
    assert.equal(s.cfg.databaseUrl, undefined, 'the embedded database');
    browser = await launch();
  });
  afterEach(async function () {
    if (SHOTS && this.currentTest?.state === 'failed') for (const [i, p] of browser.context.pages().entries()) await p.screenshot({ path: path.join(SHOTS, `failed-${i}.png`), fullPage: true });
  });
  after(async () => {
    await browser?.close();
    await s?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  /** No horizontal scrolling on a 360 px phone; a screenshot when SCREENSHOT_DIR is set. */
  async function fits(page: Page, name: string) {
    assert.equal(await page.evaluate('document.documentElement.scrollWidth > window.innerWidth'), false, `${name}: no horizontal scrolling at 360 px`);
    if (SHOTS) { mkdirSync(SHOTS, { recursive: true }); await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true }); }
  }

  const claim = (page: Page, key: string) => page.locator(`dd[data-claim="${key}"]`).innerText();

  it('start page → demo → L1 (acr 2) → essential level 3 by SIM (acr 3) → sign out with back-channel logout', async () => {
    const page = await browser.context.newPage();
    await page.goto(`${s.issuer}/`);
    await page.getByRole('heading', { name: 'DVC ID — Tài khoản Dịch vụ công' }).waitFor();
    // The identities come from config/sandbox/, the discovery URL from the issuer.
    const main = await page.locator('main').innerText();
    for (const text of [SANDBOX.citizen2.username, 'Sandbox@2026', '0912345228', 'vnp.hoa', `${s.issuer}/.well-known/openid-configuration`, 'npm run usb-agent']) assert.ok(main.includes(text), `start page shows ${text}`);
    await fits(page, 'start');

    await page.getByRole('link', { name: /Dịch vụ công mẫu/ }).click();
    await page.getByRole('heading', { name: 'Dịch vụ công mẫu' }).waitFor();
    await fits(page, 'demo-signed-out');
    await page.getByRole('button', { name: 'Đăng nhập bằng DVC' }).click();
    await signInL1(page, s.issuer, SANDBOX.citizen2);
    // A third-party site: the person is asked before their data is shared.
    await page.getByRole('button', { name: 'Đồng ý chia sẻ' }).click();
    await page.waitForURL(`${s.issuer}/demo`);
    assert.match(await claim(page, 'demo.claim.acr'), /^2 \(/);
    assert.equal(await claim(page, 'amr'), 'Mật khẩu và mã SMS');
    assert.equal(await claim(page, 'demo.claim.name'), 'Nguyễn Văn An');
    assert.equal(await claim(page, 'demo.claim.national_id'), `${SANDBOX.citizen2.username} (căn cước công dân)`);
    assert.match(await page.locator('pre#id-token').textContent() ?? '', /"acr": "2"/);
    await fits(page, 'demo-acr2');

    await page.getByRole('button', { name: 'Yêu cầu mức độ 3 (bắt buộc)' }).click();
    await page.getByRole('heading', { name: 'Cần xác thực mức độ cao hơn' }).waitFor();
    await page.getByRole('link', { name: /SIM ký số/ }).click();
    await page.getByLabel('Số điện thoại SIM ký số').fill('0912345228');
    await page.getByRole('button', { name: 'Gửi yêu cầu ký' }).click();
    const code = (await page.locator('#verification-code').textContent())!.trim();
    // The person's phone: the same four digits, the PIN, confirm.
    const phone = await browser.context.newPage();
    await phone.goto(`${s.issuer}/sandbox/phone?phone=0912345228`);
    await phone.getByText(new RegExp(`${code}$`)).waitFor();
    await phone.getByLabel('PIN').fill('1234');
    await phone.getByRole('button', { name: 'Xác nhận và ký' }).click();
    await phone.getByText('Đã ký.').waitFor();
    await phone.close();
    // The sign-in page moves on by itself and lands back on the demo.
    await page.waitForURL(`${s.issuer}/demo`, { timeout: 30_000 });
    assert.match(await claim(page, 'demo.claim.acr'), /^3 \(/);
    assert.equal(await claim(page, 'amr'), 'SIM ký số');
    assert.match(await page.locator('main').innerText(), /mức độ 3, bắt buộc/);
    await fits(page, 'demo-acr3');

    await page.getByRole('button', { name: 'Đăng xuất' }).click();
    await page.getByRole('heading', { name: 'Đăng xuất' }).waitFor();
    await page.locator('main').getByRole('button', { name: 'Đăng xuất' }).click();
    await page.waitForURL(`${s.issuer}/demo**`);
    await page.getByText('Bạn đã đăng xuất khỏi Dịch vụ công mẫu.').waitFor();
    assert.match(await page.locator('main').innerText(), /Hệ thống định danh đã báo cho trang này rằng bạn đã đăng xuất lúc \d{2}\/\d{2}\/\d{4} \d{2}:\d{2}/);
    const notices = await s.db('flows').where({ kind: 'demo_logout' });
    assert.equal(notices.length, 1, 'the back-channel logout was recorded in the database');
    await fits(page, 'demo-signed-out-backchannel');
    // Signed out at the provider too: the demo's next sign-in asks for credentials again.
    await page.getByRole('button', { name: 'Đăng nhập bằng DVC' }).click();
    await page.getByRole('link', { name: /Số CCCD\/CMND và mật khẩu/ }).waitFor();
  });
});
