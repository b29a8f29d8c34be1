// The Apache example (examples/apache/dvc-id.conf) as an integrator runs it: Debian's apache2 and
// mod_auth_openidc on loopback, the example file included unchanged into a server config written to a
// temp dir, a sandbox provider, and Chromium signing in, cancelling (the 2.4.12 `iss` trap) and out.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startServer, registerClient, SANDBOX, type TestServer } from '../support/server.ts';
import { confirmSignOutAtProvider, launch, signInThroughButton } from '../support/chromium.ts';
import { freePort, waitForPort } from '../support/ports.ts';

const APACHE = process.env.APACHE_PATH ?? '/usr/sbin/apache2';
const MODULES = process.env.APACHE_MODULES ?? '/usr/lib/apache2/modules';
const ROOT = path.resolve(import.meta.dirname, '../..');
const EXAMPLE = path.join(ROOT, 'examples/apache');

describe('Apache mod_auth_openidc example: sign in, cancel, sign out in Chromium', function () {
  this.timeout(180_000);
  let s: TestServer;
  let apache: ChildProcess | undefined;
  let dir: string;
  let site: string;
  let browser: Awaited<ReturnType<typeof launch>>;

  before(async function () {
    if (!existsSync(APACHE) || !existsSync(path.join(MODULES, 'mod_auth_openidc.so'))) {
      console.log(`      skipped: ${APACHE} or ${MODULES}/mod_auth_openidc.so not found (apt-get install -y apache2 libapache2-mod-auth-openidc)`);
      this.skip();
    }
    s = await startServer();
    const port = await freePort();
    site = `http://127.0.0.1:${port}`;
    await registerClient(s.db, {
      client_id: 'apache-example', client_secret: 'apache-example-secret-0123456789abcdef', client_name: 'Dịch vụ mẫu (Apache)',
      redirect_uris: [`${site}/secure/callback`], post_logout_redirect_uris: [`${site}/`],
      grant_types: ['authorization_code'], response_types: ['code'], token_endpoint_auth_method: 'client_secret_basic',
    });
    dir = mkdtempSync(path.join(tmpdir(), 'dvc-apache-'));
    const htdocs = path.join(dir, 'htdocs');
    cpSync(path.join(EXAMPLE, 'htdocs'), htdocs, { recursive: true });
    mkdirSync(path.join(htdocs, 'assets'), { recursive: true });
    cpSync(path.join(ROOT, 'public/assets/button'), path.join(htdocs, 'assets/button'), { recursive: true });
    // Apache drops root for www-data: the pages must be readable by it.
    for (const p of [dir, htdocs]) chmodSync(p, 0o755);
    const root = process.getuid?.() === 0;
    writeFileSync(path.join(dir, 'mime.types'), '');
    writeFileSync(path.join(dir, 'httpd.conf'), [
      'ServerName 127.0.0.1', `Listen 127.0.0.1:${port}`, `PidFile ${dir}/httpd.pid`, `ErrorLog ${dir}/error.log`, 'LogLevel warn auth_openidc:info',
      ...['mpm_event', 'authn_core', 'authz_core', 'authz_user', 'mime', 'dir', 'include', 'rewrite', 'auth_openidc'].map((m) => `LoadModule ${m}_module ${MODULES}/mod_${m}.so`),
      ...(root ? ['User www-data', 'Group www-data'] : []),
      `DocumentRoot ${htdocs}`, `<Directory ${htdocs}>`, '  Options +Includes', '  Require all granted', '</Directory>',
      `TypesConfig ${dir}/mime.types`, 'AddType text/html .shtml', 'AddType text/css .css', 'AddOutputFilter INCLUDES .shtml', 'DirectoryIndex index.shtml',
      `Include ${EXAMPLE}/dvc-id.conf`, '',
    ].join('\n'));
    apache = spawn(APACHE, ['-f', path.join(dir, 'httpd.conf'), '-DFOREGROUND'], {
      env: { ...process.env, DVC_ISSUER: s.issuer, DVC_CLIENT_ID: 'apache-example', DVC_CLIENT_SECRET: 'apache-example-secret-0123456789abcdef', SITE_URL: site, OIDC_PASSPHRASE: 'test-passphrase-0123456789' },
      stdio: 'ignore',
    });
    process.once('exit', () => apache?.kill('SIGTERM')); // even when mocha exits without its hooks
    await waitForPort(port, () => (apache?.exitCode !== null ? `apache2 exited: ${errorLog()}` : undefined));
    browser = await launch();
  });

  const errorLog = () => (existsSync(path.join(dir, 'error.log')) ? readFileSync(path.join(dir, 'error.log'), 'utf8').slice(-2000) : '');

  // Apache first: a failing audit (browser.close throws) must not leave it running.
  after(async () => {
    try {
      if (apache && apache.exitCode === null) {
        const exited = new Promise((r) => apache!.once('exit', r));
        apache.kill('SIGTERM');
        await exited;
      }
    } finally {
      try { await browser?.close(); } finally {
        await s?.close();
        if (dir) rmSync(dir, { recursive: true, force: true });
      }
    }
  });

  it('signs in with L1 and shows the claims, then signs out at the provider too', async () => {
    const page = await browser.context.newPage();
    await page.goto(`${site}/`);
    await signInThroughButton(page, s.issuer, SANDBOX.citizen2);
    await page.waitForURL(`${site}/secure/`);
    assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'Xin chào Nguyễn Văn An', errorLog());
    assert.equal(await page.locator('#acr').innerText(), '2');
    assert.equal(await page.locator('#amr').innerText(), 'pwd,sms,mfa');

    await page.getByRole('link', { name: 'Đăng xuất' }).click();
    await confirmSignOutAtProvider(page, `${site}/`);
    await page.close();
  });

  it('a cancelled sign-in (an error response carrying iss) lands on the site\'s own page with its error code, not the module\'s error page', async () => {
    const page = await browser.context.newPage();
    await page.goto(`${site}/secure/`);
    await page.getByRole('button', { name: 'Hủy và quay lại trang dịch vụ' }).click();
    await page.waitForURL(`${site}/signin-failed.shtml?error=access_denied`);
    assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'Chưa đăng nhập được', errorLog());
    assert.equal(await page.locator('#reason').innerText(), 'Bạn đã hủy đăng nhập hoặc không đồng ý chia sẻ thông tin.');
    // What the module does with a bare `iss` (no error, no code): OIDCDefaultURL starts a sign-in, no error page.
    const bare = await fetch(`${site}/secure/callback?iss=${encodeURIComponent(s.issuer)}`, { redirect: 'manual' });
    assert.equal(bare.status, 302, errorLog());
    assert.ok(bare.headers.get('location')?.startsWith(`${s.issuer}/auth?`), `a new sign-in at the provider: ${bare.headers.get('location')}`);
    await page.close();
  });
});
