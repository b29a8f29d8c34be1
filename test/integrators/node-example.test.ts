// The Node example (examples/node/site.ts, registered from examples/node/client.json) against a
// sandbox provider, in Chromium: the button, L1, consent, the claims, an RP-initiated logout that
// ends the provider session, a cancelled sign-in shown with its error code, and a replayed callback;
// the button kit's preview (/assets/button/) at 360 px: every variant, focus and hover, vi and en.
import assert from 'node:assert/strict';
import http from 'node:http';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Locator } from 'playwright-core';
import { startServer, registerClient, SANDBOX, type TestServer } from '../support/server.ts';
import { confirmSignOutAtProvider, launch, signInThroughButton } from '../support/chromium.ts';
import { createSite } from '../../examples/node/site.ts';
import { freePort } from '../support/ports.ts';

/** The page's window, as far as these checks use it (the test's types have no DOM). */
type Css = { getComputedStyle(e: unknown): { getPropertyValue(p: string): string } };

const ROOT = path.resolve(import.meta.dirname, '../..');

describe('Node example site (openid-client) and the button kit, in Chromium', function () {
  this.timeout(180_000);
  let s: TestServer;
  let site: string;
  let server: http.Server;
  let browser: Awaited<ReturnType<typeof launch>>;

  before(async () => {
    s = await startServer();
    const port = await freePort();
    site = `http://127.0.0.1:${port}`;
    // The file the guide tells integrators to register, on this test's port.
    const client = JSON.parse(readFileSync(path.join(ROOT, 'examples/node/client.json'), 'utf8').replaceAll('http://localhost:8080', site)) as Record<string, unknown>;
    await registerClient(s.db, client);
    const app = createSite({ issuer: s.issuer, clientId: String(client.client_id), clientSecret: String(client.client_secret), siteUrl: site, cookieKeys: ['a-test-cookie-key-of-enough-length-0123'] });
    server = http.createServer(app.callback());
    await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
    server?.closeAllConnections();
    await new Promise((r) => server ? server.close(r) : r(undefined));
    await s?.close();
  });

  it('the button → L1 → consent → name and acr 2 → sign out at the provider → signed out there too', async () => {
    const page = await browser.context.newPage();
    await page.goto(`${site}/`);
    await signInThroughButton(page, s.issuer, SANDBOX.citizen2);
    await page.waitForURL(`${site}/`);
    assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'Xin chào Nguyễn Văn An');
    assert.equal(await page.locator('#acr').innerText(), '2');
    assert.equal(await page.locator('#amr').innerText(), 'pwd sms mfa');

    await page.getByRole('button', { name: 'Đăng xuất' }).click();
    await confirmSignOutAtProvider(page, `${site}/`);
    await page.close();
  });

  it('a cancelled sign-in shows the site\'s message and the code; the same callback replayed is refused', async () => {
    const page = await browser.context.newPage();
    await page.goto(`${site}/login`);
    await page.getByRole('button', { name: 'Hủy và quay lại trang dịch vụ' }).click();
    await page.waitForURL(`${site}/callback?**`);
    assert.equal(await page.locator('#error').innerText(), 'access_denied');
    assert.equal(await page.locator('#reason').innerText(), 'Bạn đã hủy đăng nhập hoặc không đồng ý chia sẻ thông tin.');
    // The pending login was used once: loading the same answer again is a plain "expired".
    const again = await page.reload();
    assert.equal(again?.status(), 400);
    await page.close();
  });

  it('the button kit: every variant at 360 px (axe), a visible focus ring, hover, vi and en, the files served', async () => {
    const page = await browser.context.newPage();
    await page.goto(`${s.issuer}/assets/button/`);
    await page.getByRole('heading', { level: 1, name: 'Nút "Đăng nhập bằng DVC"' }).waitFor();
    const buttons = page.locator('main a.dvc-button');
    assert.equal(await buttons.count(), 8);
    for (const b of await buttons.all()) {
      const box = (await b.boundingBox())!;
      assert.ok(box.height >= 40 && box.x >= 0 && box.x + box.width <= 360, `inside the phone's width and at least 40 px high: ${JSON.stringify(box)}`);
    }
    const light = buttons.first();
    const style = (prop: string, of: Locator = light) => of.evaluate((e, p) => (globalThis as unknown as Css).getComputedStyle(e).getPropertyValue(p), prop);
    const idle = await style('background-color');
    await light.hover();
    assert.notEqual(await style('background-color'), idle, 'hover changes the colour');
    await light.focus();
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Tab');
    assert.equal(await style('outline-style'), 'solid', 'a keyboard focus ring');
    assert.ok(parseFloat(await style('outline-width')) >= 3);
    // The dark variant really is another look, and the mark is drawn (the SVG loaded).
    assert.notEqual(await style('background-color', page.locator('a.dvc-button--dark').first()), idle);
    assert.ok(await page.locator('img[src$="dvc-button-vi-light.svg"]').evaluate((e) => (e as unknown as { naturalWidth: number }).naturalWidth > 0));
    for (const f of ['dvc-button.css', 'dvc-mark.svg', 'dvc-button-en-dark.svg']) {
      const res = await page.request.get(`${s.issuer}/assets/button/${f}`);
      assert.equal(res.status(), 200, f);
      assert.match(res.headers()['content-type']!, f.endsWith('.css') ? /^text\/css/ : /^image\/svg\+xml/);
    }
    await page.goto(`${s.issuer}/assets/button/?lang=en`);
    await page.getByRole('heading', { level: 1, name: 'The "Log in with DVC" button' }).waitFor();
    await page.locator('main a.dvc-button[lang="en"]', { hasText: 'Log in with DVC' }).first().waitFor();
    await page.close();
  });
});
