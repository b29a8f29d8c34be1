// Every route — ours, walked from the routers, and oidc-provider's, read from its discovery
// document — answers with the security headers, whatever it answers (a page, JSON, an error,
// a redirect), and oidc-provider's own pages are in our layout.
import assert from 'node:assert/strict';
import { startServer, type TestServer } from '../support/server.ts';
import { rawRequest, type RawResponse } from '../support/raw-http.ts';

interface Route { method: string; path: string }

function assertHeaders(r: RawResponse, what: string) {
  assert.equal(r.headers['x-content-type-options'], 'nosniff', `${what}: nosniff`);
  assert.equal(r.headers['x-frame-options'], 'DENY', `${what}: X-Frame-Options`);
  assert.match(String(r.headers['content-security-policy']), /frame-ancestors 'none'/, `${what}: CSP frame-ancestors`);
  assert.match(String(r.headers['content-security-policy']), /object-src 'none'/, `${what}: CSP`);
  assert.equal(r.headers['referrer-policy'], 'no-referrer', `${what}: Referrer-Policy`);
  assert.ok(r.status < 500, `${what}: ${r.status}`);
}

/** Our routes: every layer with methods in every router the app mounts, parameters filled in. */
function ourRoutes(s: TestServer): Route[] {
  const out: Route[] = [];
  for (const router of s.app.routers) {
    for (const layer of router.stack) {
      for (const method of layer.methods.filter((m) => m !== 'HEAD')) out.push({ method, path: String(layer.path).replace(/:\w+/g, 'x') });
    }
  }
  return out;
}

/** oidc-provider's routes: every endpoint its discovery document names, plus the discovery itself. */
async function providerRoutes(s: TestServer): Promise<Route[]> {
  const disc = JSON.parse((await rawRequest(s.issuer, { path: '/.well-known/openid-configuration' })).text) as Record<string, unknown>;
  const paths = new Set(['/.well-known/openid-configuration']);
  for (const [k, v] of Object.entries(disc)) {
    if ((k.endsWith('_endpoint') || k.endsWith('_uri')) && typeof v === 'string' && v.startsWith(s.issuer)) paths.add(new URL(v).pathname);
  }
  return [...paths].flatMap((path) => ['GET', 'POST', 'OPTIONS'].map((method) => ({ method, path })));
}

describe('hardening: security headers on every route', function () {
  this.timeout(120_000);
  let s: TestServer;
  before(async () => { s = await startServer(); });
  after(() => s.close());

  it('our routes, walked from the routers, for a browser and for a JSON client', async () => {
    const routes = ourRoutes(s);
    assert.ok(routes.length > 100, `only ${routes.length} routes found: the walk is broken`);
    for (const { method, path } of routes) {
      for (const accept of ['text/html', 'application/json']) {
        const r = await rawRequest(s.issuer, { method, path, headers: { accept, 'content-type': 'application/x-www-form-urlencoded' }, body: method === 'GET' ? undefined : '_csrf=x' });
        assertHeaders(r, `${method} ${path} (${accept})`);
      }
    }
  });

  it("oidc-provider's routes, read from discovery, and its error pages in our layout", async () => {
    const routes = await providerRoutes(s);
    assert.ok(routes.length >= 21, `only ${routes.length} provider routes`);
    let pages = 0;
    for (const { method, path } of routes) {
      for (const accept of ['text/html', 'application/json']) {
        const r = await rawRequest(s.issuer, { method, path, headers: { accept, 'content-type': 'application/x-www-form-urlencoded' }, body: method === 'POST' ? 'x=1' : undefined });
        assertHeaders(r, `${method} ${path} (${accept})`);
        if (/text\/html/.test(String(r.headers['content-type'])) && r.status >= 400) {
          pages++;
          assert.match(r.text, /<header class="top">/, `${method} ${path}: an error page in our layout`);
        }
      }
    }
    assert.ok(pages > 0, 'some provider error pages were seen');
  });

  it("the logout confirmation without a session (oidc-provider's own auto-submit page) keeps its script working under our CSP", async () => {
    const r = await rawRequest(s.issuer, { path: '/session/end', headers: { accept: 'text/html' } });
    assertHeaders(r, 'GET /session/end');
    const csp = String(r.headers['content-security-policy']);
    assert.match(csp, /script-src 'self' 'sha256-[A-Za-z0-9+/=]+'/, 'the inline auto-submit is allowed by its hash only');
  });

  it('app-level answers (health, static files, unknown paths) carry them too', async () => {
    for (const path of ['/healthz', '/readyz', '/static/app.css', '/no/such/page', '/interaction/x/no-such-step']) {
      assertHeaders(await rawRequest(s.issuer, { path, headers: { accept: 'text/html' } }), path);
    }
  });
});
