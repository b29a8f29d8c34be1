// The developer portal in Chromium at 360 px (every page audited by axe): sign in, create a client
// (a field error first), see its page, try it, and land on the claims page.
import assert from 'node:assert/strict';
import { startServer, SANDBOX, type TestServer } from '../support/server.ts';
import { REDIRECT_URI } from '../support/rp.ts';
import { launch, signInL1 } from '../support/chromium.ts';

describe('Chromium: developer portal', function () {
  this.timeout(90_000);
  let s: TestServer;
  let browser: Awaited<ReturnType<typeof launch>>;
  before(async () => { s = await startServer(); browser = await launch(); });
  after(async () => { await browser?.close(); await s?.close(); });

  it('creates a client, shows the values to paste once, and tries a login', async () => {
    const page = await browser.context.newPage();
    await page.goto(`${s.issuer}/developers`);
    await signInL1(page, s.issuer, SANDBOX.citizen2);
    await page.getByRole('heading', { name: 'Cổng nhà phát triển' }).waitFor();
    await page.getByRole('link', { name: 'Tạo ứng dụng mới' }).click();
    await page.getByLabel(/Tên ứng dụng/).fill('Dịch vụ thử');
    await page.getByLabel(/Redirect URI/).fill('javascript:alert(1)');
    await page.getByRole('button', { name: 'Tạo ứng dụng' }).click();
    await page.locator('#redirect_uris-error').waitFor();
    await page.getByLabel(/Redirect URI/).fill(REDIRECT_URI);
    await page.getByRole('button', { name: 'Tạo ứng dụng' }).click();
    const clientId = await page.locator('#client-id').textContent();
    assert.match(clientId ?? '', /^sbx-/);
    assert.ok(await page.locator('#client-secret').textContent());
    await page.getByRole('link', { name: 'Thử đăng nhập với ứng dụng này' }).click();
    await page.getByRole('button', { name: /Đồng ý/ }).click();
    await page.getByRole('heading', { name: 'Kết quả đăng nhập thử' }).waitFor();
    assert.match(await page.content(), new RegExp(`<code>${clientId}</code>`));
    await page.getByRole('link', { name: 'Về danh sách ứng dụng' }).click();
    await page.getByRole('button', { name: 'Xoá ứng dụng' }).click();
    await page.getByText('Đã xoá ứng dụng.').waitFor();
  });
});
