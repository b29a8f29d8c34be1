// Who may use the console: a walk of every /admin route (none answers without the right role), and the
// sign-in it needs — level 3, a signature method (amr hwk), a recent auth_time — with a session of its own.
import assert from 'node:assert/strict';
import { startServer, SANDBOX, type TestServer } from '../support/server.ts';
import { newAgent, loginL1, csrfOf, type Agent } from '../support/browser.ts';
import { ROLES, type Role } from '../../src/admin/staff.ts';
import { setRoles, signInStaff } from './staff-session.ts';

/** The role each route needs (the home page: any). */
const NEEDS: [RegExp, Role | 'any'][] = [
  [/^\/admin\/?$/, 'any'], [/^\/admin\/(support|complaints)/, 'support'], [/^\/admin\/audit/, 'auditor'], [/^\/admin\/(keys|clients)/, 'operator'],
];
/** The sign-in's own callback and the sign-out are the only routes without a role. */
const OPEN = new Set(['/admin/callback', '/admin/logout']);

function adminRoutes(s: TestServer): { method: string; path: string }[] {
  const out: { method: string; path: string }[] = [];
  for (const router of s.app.routers) {
    for (const layer of router.stack) {
      const path = String(layer.path);
      if (!path.startsWith('/admin') || OPEN.has(path)) continue;
      for (const method of layer.methods.filter((m) => m === 'GET' || m === 'POST')) {
        out.push({ method, path: path.replace(/:[a-z]+/gi, (p: string) => (p === ':id' ? '00000000-0000-0000-0000-000000000000' : 'X1')) });
      }
    }
  }
  return out;
}

const roleOf = (path: string) => NEEDS.find(([re]) => re.test(path))?.[1];

describe('admin console: access', () => {
  let s: TestServer;
  let csrf: string;
  before(async () => { s = await startServer(); });
  after(() => s.close());

  const hit = (agent: Agent, r: { method: string; path: string }) =>
    r.method === 'GET' ? agent.get(r.path).redirects(0) : agent.post(r.path).type('form').send({ _csrf: csrf, checked: 'yes', confirm: 'yes', reason: 'walk test', query: SANDBOX.citizen2.username }).redirects(0);

  it('every /admin route is known to need a role', () => {
    const routes = adminRoutes(s);
    assert.ok(routes.length >= 15, `routes found: ${routes.length}`);
    for (const r of routes) assert.ok(roleOf(r.path), `no role listed for ${r.method} ${r.path}`);
  });

  it('without a session every route sends to the sign-in (never a page, never an action)', async () => {
    const agent = newAgent(s.issuer);
    csrf = csrfOf((await agent.get('/forgot').expect(200)).text);
    const before = Number(((await s.db('audit_events').count('* as n').first()) as { n: unknown }).n);
    for (const r of adminRoutes(s)) {
      const res = await hit(agent, r);
      assert.ok(res.status === 302 || res.status === 303, `${r.method} ${r.path} answered ${res.status} without a session`);
      assert.match(String(res.headers.location), /\/auth\?/, `${r.method} ${r.path} goes to the sign-in`);
    }
    assert.equal(Number(((await s.db('audit_events').count('* as n').first()) as { n: unknown }).n), before, 'nothing was done');
  });

  it('with a signature sign-in, each route refuses a staff member without its role (403) and no one else gets in', async function () {
    this.timeout(120_000);
    for (const held of [[], ...ROLES.map((r) => [r])] as Role[][]) {
      await setRoles(s, held);
      const { agent } = await signInStaff(s);
      csrf = csrfOf((await agent.get('/forgot').expect(200)).text);
      for (const r of adminRoutes(s)) {
        const need = roleOf(r.path)!;
        const allowed = need === 'any' ? held.length > 0 : held.includes(need as Role);
        const got = await hit(agent, r);
        if (!allowed) {
          assert.equal(got.status, 403, `${r.method} ${r.path} with roles [${held.join()}] answered ${got.status}`);
          assert.match(got.text, /không có vai trò|own account|chính mình/);
        } else {
          assert.notEqual(got.status, 403, `${r.method} ${r.path} refused its own role ${need}`);
          assert.ok(got.status < 500, `${r.method} ${r.path}: ${got.status}`);
        }
      }
    }
  });

  it('a password sign-in (amr without hwk) is refused even at level 3; level 2 is asked to step up', async () => {
    await setRoles(s, ['support']);
    const agent = newAgent(s.issuer);
    const end = await loginL1(agent, s.issuer, '/admin', SANDBOX.citizen3);
    assert.equal(end.res?.status, 403);
    assert.match(end.res!.text, /chỉ chấp nhận đăng nhập bằng chữ ký số/);
    assert.equal((await agent.get('/admin/support').redirects(0)).status, 302, 'no console session was made');
    const weak = await loginL1(newAgent(s.issuer), s.issuer, '/admin', SANDBOX.citizen2);
    assert.match(weak.url ?? '', /^\/interaction\/[^/]+$/, 'the step-up page, not the console');
  });

  it('the sign-in is fresh (prompt=login, max_age), short, and a stale auth_time signs in again', async () => {
    await setRoles(s, ['support']);
    const start = await newAgent(s.issuer).get('/admin').redirects(0);
    const q = new URL(String(start.headers.location), s.issuer).searchParams;
    assert.equal(q.get('prompt'), 'login');
    assert.equal(q.get('acr_values'), '3');
    assert.equal(q.get('max_age'), '900');
    const { agent } = await signInStaff(s);
    assert.equal((await agent.get('/admin/support').redirects(0)).status, 200);
    const row = await s.db('flows').where({ kind: 'admin_session' }).first();
    assert.ok(new Date(row.expires_at).getTime() - Date.now() <= 15 * 60_000 + 5000, 'a 15-minute session');
    await s.db('flows').where({ kind: 'admin_session' }).update({ data: s.db.raw(`jsonb_set(data, '{authTime}', to_jsonb(extract(epoch from now())::int - 901))`) });
    const stale = await agent.get('/admin/support').redirects(0);
    assert.equal(stale.status, 302);
    assert.match(String(stale.headers.location), /\/auth\?/);
  });

  it('the console never shares a session or cookie with /account', async () => {
    await setRoles(s, ['support']);
    const { agent } = await signInStaff(s);
    const portal = await agent.get('/account').redirects(0);
    assert.equal(portal.status, 302, 'the portal asks for its own sign-in');
    const cookies = (agent as unknown as { jar: { getCookies(o: unknown): { name: string; path: string }[] } }).jar;
    const sessionCookies = (path: string) => cookies.getCookies({ domain: '127.0.0.1', path, secure: false, script: false }).map((c) => c.name).filter((n) => /^dvc\.(admin|account)/.test(n)).sort();
    assert.deepEqual(sessionCookies('/admin'), ['dvc.admin', 'dvc.admin.sig']);
    assert.deepEqual(sessionCookies('/account'), []);
    assert.equal((await s.db('flows').where({ kind: 'portal_session' })).length, 0, 'no portal session was made');
  });
});
