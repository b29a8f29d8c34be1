// Debian's chromium driven by playwright-core (never a browser download).
import { mkdtempSync, rmSync, existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
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

export interface PageAudit { page: string; violations: { id: string; impact: string | null; help: string; nodes: string[] }[]; overflow: boolean; wide: string[] }

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/**
 * Runs in every document the browser opens (an init script, so our CSP does not stop it): axe-core
 * over the whole page, and whether it is wider than the 360 px screen. Reports to the test process.
 */
// Plain text, not a function's source: the TypeScript loader adds helpers a page does not have.
const AUDIT_IN_PAGE = `(() => {
  if (window.top !== window || location.protocol === 'about:') return;
  const run = async () => {
    if (document.contentType !== 'text/html') return;
    const r = await window.axe.run(document, { resultTypes: ['violations'] });
    const overflow = document.documentElement.scrollWidth > window.innerWidth + 1;
    await window.__dvcAudit({
      page: location.pathname, overflow,
      wide: overflow ? [...document.querySelectorAll('body *')].filter((e) => e.getBoundingClientRect().right > window.innerWidth + 1).slice(0, 3).map((e) => e.tagName.toLowerCase() + (e.className ? '.' + String(e.className).split(' ').join('.') : '')) : [],
      violations: r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map((n) => n.target.join(' ')) })),
    });
  };
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', () => { run(); });
  else run();
})();`;

/** One path per kind of page: interaction ids, tokens and codes in the path are not part of it. */
const pageKind = (p: string) => p.replace(/\/interaction\/[^/]+/, '/interaction/:uid').replace(/\/[A-Za-z0-9_-]{16,}(?=\/|$)/g, '/:token');

export async function launch(): Promise<{ context: BrowserContext; audits: Map<string, PageAudit>; close(): Promise<void> }> {
  if (!existsSync(CHROMIUM)) throw new Error(`chromium not found at ${CHROMIUM} (apt-get install -y chromium)`);
  await ensureCallbackServer();
  const dir = mkdtempSync(path.join(tmpdir(), 'dvc-chromium-'));
  const context = await chromium.launchPersistentContext(dir, {
    executablePath: CHROMIUM,
    viewport: { width: 360, height: 740 }, // a phone
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  // Every page any test visits is audited (axe, 360 px); a page with a finding fails the suite at close.
  const audits = new Map<string, PageAudit>();
  // SCREENSHOTS_DIR=… keeps one full-page picture per kind of page, for a person to look at.
  const shots = process.env.SCREENSHOTS_DIR;
  await context.exposeBinding('__dvcAudit', (source, r: PageAudit) => {
    const kind = pageKind(r.page);
    if (shots && !audits.has(kind)) {
      const file = path.join(shots, `${kind.replace(/^\//, '').replace(/[/:]+/g, '_') || 'root'}.png`);
      source.page.screenshot({ path: file, fullPage: true }).catch(() => undefined);
    }
    audits.set(kind, { ...r, page: kind });
  });
  await context.addInitScript({ content: `${AXE_SOURCE}\n;${AUDIT_IN_PAGE}` });
  return {
    context, audits,
    async close() {
      await context.close();
      rmSync(dir, { recursive: true, force: true });
      const bad = [...audits.values()].filter((a) => a.violations.length || a.overflow);
      if (bad.length) {
        throw new Error(`accessibility audit (axe, 360 px) failed:\n${bad.map((a) => `${a.page}: ${a.overflow ? `wider than 360 px (${a.wide.join(', ')}); ` : ''}${a.violations.map((v) => `${v.id} (${v.impact}) ${v.help} at ${v.nodes.join(', ')}`).join('; ')}`).join('\n')}`);
      }
    },
  };
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

/** From a relying party's page: its "Đăng nhập bằng DVC" link, L1 sign-in, then consent. */
export async function signInThroughButton(page: Page, issuer: string, who: { username: string; password: string; phone: string }): Promise<void> {
  await page.getByRole('link', { name: 'Đăng nhập bằng DVC' }).click();
  await signInL1(page, issuer, who);
  await page.getByRole('button', { name: 'Đồng ý chia sẻ' }).click();
}

/**
 * On the provider's logout confirmation (reached through the site's sign-out): confirm, land back on
 * `siteHome`, and prove the provider's session is gone — the site's sign-in asks for credentials again.
 */
export async function confirmSignOutAtProvider(page: Page, siteHome: string): Promise<void> {
  await page.getByRole('heading', { name: 'Đăng xuất' }).waitFor();
  await page.locator('main').getByRole('button', { name: 'Đăng xuất' }).click();
  await page.waitForURL(siteHome);
  await page.getByRole('link', { name: 'Đăng nhập bằng DVC' }).click();
  await page.getByRole('link', { name: /Số CCCD\/CMND và mật khẩu/ }).waitFor();
}
