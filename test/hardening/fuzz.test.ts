// A seeded, bounded fuzzing run over every form and JSON endpoint — ours (walked from the routers)
// and oidc-provider's (from discovery): random bytes, huge fields, nested JSON, NUL bytes, wrong
// types, arrays where strings are expected, unicode edge cases, wrong types and codings, bad
// percent-encoding. Zero 5xx, zero broken connections, and not one stored row of people, their
// credentials, the clients or the keys changed. FUZZ_SEED=<n> replays a run; FUZZ_COUNT=<n> sizes it.
import assert from 'node:assert/strict';
import { startServer, registerClient, type TestServer } from '../support/server.ts';
import { keepAliveAgent, rawRequest, type RawRequest } from '../support/raw-http.ts';
import { startRp, REDIRECT_URI } from '../support/rp.ts';

const SEED = Number(process.env.FUZZ_SEED ?? 20261202);
const COUNT = Number(process.env.FUZZ_COUNT ?? 300);
const CLIENT = { client_id: 'rp-fuzz', client_secret: 'rp-fuzz-secret-0123456789abcdefgh', redirect_uris: [REDIRECT_URI], dvc_skip_consent: true };

/** mulberry32: small, fast, and the same sequence for the same seed everywhere. */
function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!;
  return { next, int, pick, chance: (p: number) => next() < p };
}
type Rng = ReturnType<typeof prng>;

// The stored data that malformed requests must never touch (churn such as rate limits, captchas,
// flows and audit lines of refused attempts is left out on purpose).
const CHECKED = ['accounts', 'identifiers', 'credentials', 'credential_identifiers', 'counter_officers', 'counter_requests', 'signing_keys', 'sandbox_sms', 'sandbox_email'];

async function snapshot(s: TestServer): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const table of CHECKED) {
    const r = await s.db.raw(`select count(*) as n, md5(coalesce(string_agg(t::text, '|' order by t::text), '')) as h from ${table} t`);
    const row = (r as { rows: { n: unknown; h: string }[] }).rows[0]!;
    out[table] = `${Number(row.n)} ${row.h}`;
  }
  const clients = await s.db.raw(`select md5(coalesce(string_agg(t::text, '|' order by t::text), '')) as h from oidc_models t where kind = 'Client'`);
  out.clients = (clients as { rows: { h: string }[] }).rows[0]!.h;
  return out;
}

const FIELDS = ['_csrf', 'username', 'password', 'code', 'phone', 'email', 'pin', 'idNumber', 'fullName', 'birthdate', 'bhxhCode', 'documentType',
  'captcha_id', 'captcha_kind', 'captcha', 'signature', 'chain', 'confirm', 'token', 'current', 'to', 'xsrf', 'logout', 'grant_type',
  'client_id', 'client_secret', 'redirect_uri', 'refresh_token', 'code_verifier', 'scope', 'request', 'response_type', 'state', 'nonce',
  'token_type_hint', 'client_assertion', 'client_assertion_type', 'claims', 'acr_values', 'login_hint', 'post_logout_redirect_uri', 'id_token_hint'];

const EDGE = ['', ' ', '\u0000', 'a\u0000b', '%00', '\ud800', '\udfff', '\uffff', '\ufeff', '\u202e', '\u200b', 'A\u0301\u0302\u0303', '𝕏𝕐', '😀', '０９１２３４５６７８', '٠١٢٣',
  'Nguyễn Văn An', 'NGUYỄN', 'nguyen van an', '001099012345', '0912345228', '+84912345228', '0100109106-001', '1990-13-45', '31/02/1990',
  "' or 1=1 --", '<script>alert(1)</script>', '#{7*7}', '{{7*7}}', '../../../etc/passwd', '%ZZ', '%E0%A4%A', 'null', 'true', '[]', '{}', '-1', '1e309', 'NaN'];

function randomString(r: Rng, max: number): string {
  const n = r.int(max);
  let s = '';
  for (let i = 0; i < n; i++) s += String.fromCharCode(r.chance(0.7) ? 32 + r.int(95) : r.int(0x10000));
  return s;
}

function value(r: Rng, depth = 0): unknown {
  const k = r.int(12);
  if (k < 4) return r.pick(EDGE);
  if (k < 6) return randomString(r, 40);
  if (k === 6) return r.chance(0.5) ? 'x'.repeat(1000 + r.int(20_000)) : randomString(r, 5000);
  if (k === 7) return r.pick([0, -1, 1.5, 1e21, true, false, null]);
  if (k === 8 && depth < 3) return Array.from({ length: r.int(4) }, () => value(r, depth + 1));
  if (k === 9 && depth < 3) return Object.fromEntries(Array.from({ length: r.int(4) }, () => [r.pick(FIELDS), value(r, depth + 1)]));
  if (k === 10) { const d = 10 + r.int(3000); return JSON.parse(`${'['.repeat(d)}1${']'.repeat(d)}`) as unknown; }
  return String(r.int(1e12)).padStart(12, '0');
}

function fields(r: Rng, csrf: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (r.chance(0.7)) out._csrf = csrf;
  for (let i = r.int(6); i >= 0; i--) out[r.chance(0.9) ? r.pick(FIELDS) : randomString(r, 12)] = value(r);
  return out;
}

// A lone surrogate cannot be percent-encoded: it goes out as a bare '%' (itself a malformed escape).
const enc = (s: string) => { try { return encodeURIComponent(s); } catch { return s.replace(/[^A-Za-z0-9]/g, '%'); } };

/** Form encoding by hand, so arrays, objects and odd characters go on the wire as a browser never would. */
function formOf(r: Rng, o: Record<string, unknown>): string {
  return Object.entries(o).map(([k, v]) => {
    if (Array.isArray(v)) return v.map((x) => `${enc(k)}${r.chance(0.5) ? '[]' : ''}=${enc(JSON.stringify(x) ?? '')}`).join('&');
    if (v && typeof v === 'object') return Object.entries(v).map(([k2, x]) => `${enc(k)}[${enc(k2)}]=${enc(String(JSON.stringify(x)))}`).join('&');
    return `${enc(k)}=${r.chance(0.1) ? String(v) : enc(String(v))}`;
  }).join('&');
}

interface Target { method: string; path: string; protocol: boolean }

function request(r: Rng, t: Target, ctx: { uid: string; csrf: string; cookie: string }): RawRequest {
  const param = () => r.chance(0.6) ? ctx.uid : r.pick(['x', '%ZZ', '%E0%A4%A', enc('\u0000'), enc(randomString(r, 20)), 'a'.repeat(300)]);
  let path = t.path.replace(/:\w+/g, param);
  if (r.chance(0.3)) path += `?${formOf(r, fields(r, ctx.csrf))}`.slice(0, 4000);
  // node:http sends only printable ASCII in a request line: the rest goes percent-encoded (or as a bare '%').
  path = path.replace(/[^\x21-\x7e]/gu, (c) => enc(c));
  const headers: Record<string, string> = { accept: r.pick(['text/html', 'application/json', '*/*', 'text/html,application/json;q=0.9', '']) };
  if (r.chance(0.8)) headers.cookie = ctx.cookie;
  else if (r.chance(0.5)) headers.cookie = `lang=${r.pick(['en', 'vi', '%ZZ', 'x'.repeat(500)])}; _session=${randomString(r, 30).replace(/[^\x21-\x7e]/g, 'x')}`;
  if (t.method === 'GET') return { method: 'GET', path, headers };
  const body = fields(r, ctx.csrf);
  let raw: string | Buffer;
  const kind = r.int(10);
  if (kind < 5) { headers['content-type'] = 'application/x-www-form-urlencoded'; raw = formOf(r, body); }
  else if (kind < 8) { headers['content-type'] = r.pick(['application/json', 'application/json; charset=utf-8']); raw = r.chance(0.15) ? JSON.stringify(body).slice(0, r.int(60)) : JSON.stringify(body); }
  else if (kind === 8) { headers['content-type'] = r.pick(['text/plain', 'multipart/form-data; boundary=zz', 'application/xml', 'application/x-www-form-urlencoded; charset=utf-16', 'garbage', '']); raw = formOf(r, body); }
  else { raw = Buffer.from(Array.from({ length: r.int(3000) }, () => r.int(256))); headers['content-type'] = r.pick(['application/json', 'application/x-www-form-urlencoded', 'application/octet-stream']); }
  if (r.chance(0.05)) headers['content-encoding'] = r.pick(['gzip', 'deflate', 'br', 'identity', 'x-unknown']);
  if (!headers['content-type']) delete headers['content-type'];
  return { method: t.method, path, headers, body: raw };
}

describe('hardening: fuzzing every form and JSON endpoint', function () {
  this.timeout(180_000);
  let s: TestServer;
  before(async () => {
    s = await startServer();
    await registerClient(s.db, CLIENT);
  });
  after(() => s.close());

  it(`${COUNT} malformed requests (seed ${SEED}): no 5xx, no broken connection, no stored row changed`, async () => {
    // A real interaction, so that some requests carry a valid cookie, uid and CSRF token and get past the guards.
    const rp = await startRp(s.issuer, CLIENT.client_id, CLIENT.client_secret);
    const auth = await rawRequest(s.issuer, { path: new URL(rp.authUrl).pathname + new URL(rp.authUrl).search });
    const cookies = new Map<string, string>();
    const keep = (set: string[] | undefined) => { for (const c of set ?? []) { const [kv] = c.split(';'); const i = kv!.indexOf('='); cookies.set(kv!.slice(0, i), kv!.slice(i + 1)); } };
    keep(auth.headers['set-cookie']);
    const uid = /\/interaction\/([^/?]+)/.exec(String(auth.headers.location))![1]!;
    const cookieHeader = () => [...cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const form = await rawRequest(s.issuer, { path: `/interaction/${uid}/password_otp`, headers: { cookie: cookieHeader() } });
    keep(form.headers['set-cookie']);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(form.text)![1]!;
    const ctx = { uid, csrf, cookie: cookieHeader() };

    const ours: Target[] = s.app.routers.flatMap((router) => router.stack.flatMap((l) => l.methods.filter((m) => m === 'GET' || m === 'POST').map((method) => ({ method, path: String(l.path), protocol: false }))));
    const disc = JSON.parse((await rawRequest(s.issuer, { path: '/.well-known/openid-configuration' })).text) as Record<string, unknown>;
    const theirs: Target[] = Object.entries(disc)
      .filter(([k, v]) => k.endsWith('_endpoint') && typeof v === 'string' && v.startsWith(s.issuer))
      .flatMap(([, v]) => ['GET', 'POST'].map((method) => ({ method, path: new URL(v as string).pathname, protocol: true })));
    theirs.push({ method: 'POST', path: '/session/end/confirm', protocol: true });
    const posts = [...ours, ...theirs].filter((t) => t.method === 'POST');
    const gets = [...ours, ...theirs].filter((t) => t.method === 'GET');

    const before = await snapshot(s);
    const r = prng(SEED);
    const agent = keepAliveAgent();
    const failures: string[] = [];
    const started = Date.now();
    try {
      for (let i = 0; i < COUNT; i++) {
        const target = r.chance(0.85) ? r.pick(posts) : r.pick(gets);
        const req = request(r, target, ctx);
        const what = `#${i} ${req.method} ${req.path.slice(0, 120)} ${JSON.stringify(req.headers).slice(0, 200)} ${String(req.body ?? '').slice(0, 200)}`;
        try {
          const res = await rawRequest(s.issuer, { ...req, agent, timeoutMs: 5000 });
          if (res.status >= 500) failures.push(`${res.status} ${what}: ${res.text.slice(0, 200)}`);
        } catch (e) {
          failures.push(`connection: ${String(e)} ${what}`);
        }
      }
    } finally {
      agent.destroy();
    }
    const after = await snapshot(s);
    console.log(`      ${COUNT} requests over ${posts.length} form/JSON and ${gets.length} GET routes in ${Date.now() - started} ms`);
    assert.deepEqual(failures, [], `seed ${SEED}`);
    assert.deepEqual(after, before, 'no stored row changed');
  });
});
