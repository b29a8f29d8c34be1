// Debian's chromium driven by playwright-core (never a browser download).
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

import http from 'node:http';

let callbackServer: Promise<void> | undefined;
/** A real page at the RP's redirect URI (port 47999) so the browser's last hop lands somewhere. */
function ensureCallbackServer(): Promise<void> {
  callbackServer ??= new Promise<void>((resolve) => {
    const srv = http.createServer((_req, res) => { res.setHeader('content-type', 'text/plain'); res.end('back at the RP'); });
    srv.on('error', () => resolve()); // already running (another test file): fine
    srv.listen(47999, '127.0.0.1', () => { srv.unref(); resolve(); });
  });
  return callbackServer;
}

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export async function launch(): Promise<{ context: BrowserContext; close(): Promise<void> }> {
  if (!existsSync(CHROMIUM)) throw new Error(`chromium not found at ${CHROMIUM} (apt-get install -y chromium)`);
  await ensureCallbackServer();
  const dir = mkdtempSync(path.join(tmpdir(), 'dvc-chromium-'));
  const context = await chromium.launchPersistentContext(dir, {
    executablePath: CHROMIUM,
    viewport: { width: 360, height: 740 }, // a phone
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  return { context, async close() { await context.close(); rmSync(dir, { recursive: true, force: true }); } };
}

/** The newest six-digit code the sandbox SMS outbox holds for `phone`, read through the page's own request context. */
export async function smsCode(page: Page, issuer: string, phone: string): Promise<string> {
  const list = (await (await page.request.get(`${issuer}/sandbox/sms?to=${encodeURIComponent(phone)}&format=json`)).json()) as { text: string }[];
  const m = /(\d{6})/.exec(list[0]?.text ?? '');
  if (!m) throw new Error(`no code was sent to ${phone}`);
  return m[1]!;
}

/** On the chooser: ID number + password, then the SMS code, as a person types them. */
export async function signInL1(page: Page, issuer: string, who: { username: string; password: string; phone: string }): Promise<void> {
  await page.getByRole('link', { name: /Số CCCD\/CMND và mật khẩu/ }).click();
  await page.getByLabel(/Tên đăng nhập/).fill(who.username);
  await page.getByLabel('Mật khẩu').fill(who.password);
  await page.getByRole('button', { name: 'Đăng nhập' }).click();
  await page.waitForURL(/\/otp$/);
  await page.getByLabel('Nhập mã OTP').fill(await smsCode(page, issuer, who.phone));
  await page.getByRole('button', { name: 'Xác nhận' }).click();
}
