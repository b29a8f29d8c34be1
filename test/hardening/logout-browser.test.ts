// oidc-provider's own pages in Chromium: the logout confirmation and the "signed out" page are ours
// (layout, language switch, headers), cannot be framed (no forced logout by clickjacking), and the
// logout they carry out works (oidc-provider's xsrf form posted to its own action).
import assert from 'node:assert/strict';
import { startServer, registerClient, SANDBOX, type TestServer } from '../support/server.ts';
import { startRp, REDIRECT_URI } from '../support/rp.ts';
import { launch, signInL1 } from '../support/chromium.ts';

const CLIENT = { client_id: 'rp-logout', client_secret: 'rp-logout-secret-0123456789abcdefgh', redirect_uris: [REDIRECT_URI], dvc_skip_consent: true };

function assertHeaders(h: Record<string, string>, what: string) {
  assert.equal(h['x-frame-options'], 'DENY', what);
  assert.equal(h['x-content-type-options'], 'nosniff', what);
  assert.match(h['content-security-policy'] ?? '', /frame-ancestors 'none'/, what);
}

describe('Chromium: logout pages are ours', function () {
  this.timeout(120_000);
  let s: TestServer;
  let browser: Awaited<ReturnType<typeof launch>>;
  before(async () => {
    s = await startServer();
    await registerClient(s.db, CLIENT);
    browser = await launch();
  });
  after(async () => { await browser?.close(); await s?.close(); });

  it('the confirmation renders in our layout with our headers, cannot be framed, and signs out', async () => {
    const rp = await startRp(s.issuer, CLIENT.client_id, CLIENT.client_secret);
    const page = await browser.context.newPage();
    await page.goto(rp.authUrl);
    await signInL1(page, s.issuer, SANDBOX.citizen2);
    await page.waitForURL(`${REDIRECT_URI}**`);

    // Framed by another site: the browser refuses to show it. (Loading it renews oidc-provider's
    // xsrf token, so this comes before the real confirmation page.)
    const evil = await browser.context.newPage();
    await evil.goto('http://127.0.0.1:47999/');
    await evil.setContent(`<iframe id="f" src="${s.issuer}/session/end" width="300" height="300"></iframe>`);
    await evil.waitForTimeout(1000);
    const framed = evil.frames().find((f) => f !== evil.mainFrame());
    const framedUrl = framed?.url() ?? '';
    const framedText = framed && !framedUrl.startsWith('chrome-error:') ? await framed.textContent('body').catch(() => '') : '';
    assert.ok(!/Sign out|Đăng xuất/.test(framedText ?? ''), `the confirmation must not render in a frame (${framedUrl})`);
    await evil.close();

    const confirm = await page.goto(`${s.issuer}/session/end`);
    assert.ok(confirm);
    assertHeaders(confirm.headers(), 'logout confirmation');
    await page.getByRole('heading', { name: 'Đăng xuất' }).waitFor();
    assert.equal(await page.locator('header.top').count(), 1, 'our layout');
    assert.equal(await page.locator('form#op\\.logoutForm input[name="xsrf"]').count(), 1, "oidc-provider's xsrf form is kept");
    assert.equal(await page.evaluate('document.documentElement.scrollWidth > window.innerWidth'), false, 'fits a 360 px phone');

    // In English too.
    await page.getByRole('link', { name: 'English' }).click();
    await page.getByRole('heading', { name: 'Sign out' }).waitFor();
    await page.getByRole('button', { name: 'Sign out' }).waitFor();

    // Sign out for real: the "signed out" page is ours too, and the session is gone.
    const [done] = await Promise.all([
      page.waitForResponse((r) => r.url().includes('/session/end/success')),
      page.getByRole('button', { name: 'Sign out' }).click(),
    ]);
    assertHeaders(done.headers(), 'signed-out page');
    await page.getByText('You have been signed out.').waitFor();
    assert.equal(await page.locator('header.top').count(), 1);

    const again = await startRp(s.issuer, CLIENT.client_id, CLIENT.client_secret);
    await page.goto(again.authUrl);
    await page.getByRole('link', { name: /password/i }).first().waitFor();
    assert.ok(page.url().includes('/interaction/'), 'a new sign-in is asked for: the session ended');
  });
});
