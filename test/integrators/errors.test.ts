// The guide's error table (docs/integrators.md, "Errors") against a real provider: every error a
// relying party can receive is triggered here the way a site (or a person) causes it, and the set of
// (where, error) pairs the provider produced must equal the table's rows: a row nobody could trigger
// fails, and so does an error the provider produced that the table does not list.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { startServer, registerClient, SANDBOX, type TestServer } from '../support/server.ts';
import { newAgent, loginL1, follow, csrfOf, pathOf, type Agent } from '../support/browser.ts';
import { startRp, REDIRECT_URI } from '../support/rp.ts';

const GUIDE = path.resolve(import.meta.dirname, '../../docs/integrators.md');
const WEB = { client_id: 'err-web', client_secret: 'err-web-secret-0123456789abcdefghij', redirect_uris: [REDIRECT_URI], post_logout_redirect_uris: ['http://127.0.0.1:47999/'], grant_types: ['authorization_code', 'refresh_token'] };
const NARROW = { client_id: 'err-narrow', client_secret: 'err-narrow-secret-0123456789abcdefgh', redirect_uris: [REDIRECT_URI], scope: 'openid profile' };
const MACHINE = { client_id: 'err-machine', client_secret: 'err-machine-secret-0123456789abcdefg', redirect_uris: [REDIRECT_URI], grant_types: ['client_credentials'], response_types: [], scope: 'counter:register' };

type Where = 'authorization (redirect)' | 'authorization (page)' | 'token' | 'userinfo' | 'logout (page)';

/** The guide's table under "## Errors": (where, error) for each row. */
export function errorTable(markdown: string): string[] {
  const section = markdown.split(/^## /m).find((s) => /^Errors\b/.test(s));
  assert.ok(section, 'the guide has an "## Errors" section');
  const rows = section.split('\n').filter((l) => /^\|/.test(l)).slice(2);
  return rows.map((l) => {
    const [where, error] = l.split('|').slice(1, 3).map((c) => c.trim().replace(/`/g, ''));
    return `${where} | ${error}`;
  });
}

describe('the guide\'s error table, checked against the errors the provider produces', function () {
  this.timeout(120_000);
  let s: TestServer;
  const seen = new Map<string, string>();
  before(async () => {
    s = await startServer();
    for (const c of [WEB, NARROW, MACHINE]) await registerClient(s.db, c);
  });
  after(async () => { await s?.close(); });

  const saw = (where: Where, error: unknown, how: string) => {
    assert.equal(typeof error, 'string', `${how}: an error code`);
    seen.set(`${where} | ${String(error)}`, how);
  };

  /** Sends the browser to the authorization endpoint; returns the error it was redirected with, or shown. */
  async function authorize(agent: Agent, url: string, how: string) {
    const res = await agent.get(pathOf(url)).redirects(0);
    const loc = res.headers.location as string | undefined;
    if (loc?.startsWith(REDIRECT_URI)) {
      const u = new URL(loc);
      // A response type that is not code is answered in the fragment, as that response type would be.
      return saw('authorization (redirect)', u.searchParams.get('error') ?? new URLSearchParams(u.hash.slice(1)).get('error'), how);
    }
    assert.ok(res.status >= 400 && res.status < 500, `${how}: a 4xx page, got ${res.status} ${loc ?? ''}`);
    saw('authorization (page)', /<code>([a-z_]+)[:<]/.exec(res.text)?.[1], how);
  }

  const rpUrl = async (client: { client_id: string; client_secret: string }, params: Record<string, string> = {}) =>
    (await startRp(s.issuer, client.client_id, client.client_secret, params)).authUrl;
  const withParams = (url: string, params: Record<string, string | null>) => {
    const u = new URL(url);
    for (const [k, v] of Object.entries(params)) if (v === null) u.searchParams.delete(k); else u.searchParams.set(k, v);
    return u.href;
  };

  it('authorization endpoint: errors sent back to the redirect URI', async () => {
    const agent = newAgent(s.issuer);
    await authorize(agent, withParams(await rpUrl(WEB), { max_age: 'soon' }), 'a malformed parameter');
    await authorize(agent, withParams(await rpUrl(WEB), { response_type: 'token' }), 'a response type other than code');
    await authorize(agent, await rpUrl(MACHINE), 'a client registered without response types');
    await authorize(agent, await rpUrl(NARROW, { scope: 'openid phone' }), 'a scope outside the client\'s registered scope');
    await authorize(agent, withParams(await rpUrl(WEB), { request_uri: 'urn:ietf:params:oauth:request_uri:unknown' }), 'an unknown PAR request_uri');
    await authorize(agent, withParams(await rpUrl(WEB), { registration: '{}' }), 'the registration parameter');
    await authorize(agent, withParams(await rpUrl(WEB), { request: 'e30.e30.' }), 'an unsigned request object');
    await authorize(agent, await rpUrl(WEB, { prompt: 'none' }), 'prompt=none without a session');
  });

  it('authorization endpoint: errors the provider shows on its own page (the redirect URI cannot be trusted)', async () => {
    const agent = newAgent(s.issuer);
    await authorize(agent, withParams(await rpUrl(WEB), { client_id: 'no-such-client' }), 'an unknown client_id');
    await authorize(agent, withParams(await rpUrl(WEB), { redirect_uri: 'http://127.0.0.1:47999/other' }), 'a redirect_uri that is not registered');
  });

  it('authorization endpoint: what the person does (cancel, no consent yet, a level the account cannot reach)', async () => {
    const agent = newAgent(s.issuer);
    const first = await follow(agent, s.issuer, await rpUrl(WEB));
    const uid = /\/interaction\/([^/?]+)/.exec(first.url!)![1]!;
    const cancelled = await agent.post(`/interaction/${uid}/abort`).type('form').send({ _csrf: csrfOf(first.res!.text) }).redirects(0);
    const back = await follow(agent, s.issuer, cancelled.headers.location as string);
    saw('authorization (redirect)', new URL(back.external!).searchParams.get('error'), 'the person cancels');

    // Signed in at the provider (for err-web); err-narrow has no grant yet.
    await loginL1(agent, s.issuer, await rpUrl(WEB), SANDBOX.citizen2);
    await authorize(agent, await rpUrl(NARROW, { prompt: 'none' }), 'prompt=none before the person consented');

    const essential = JSON.stringify({ id_token: { acr: { essential: true, value: '3' } } });
    const step = await follow(agent, s.issuer, await rpUrl(WEB, { claims: essential }));
    const suid = /\/interaction\/([^/?]+)/.exec(step.url!)![1]!;
    const unmet = await agent.post(`/interaction/${suid}/unmet`).type('form').send({ _csrf: csrfOf(step.res!.text) }).redirects(0);
    const end = await follow(agent, s.issuer, unmet.headers.location as string);
    saw('authorization (redirect)', new URL(end.external!).searchParams.get('error'), 'essential acr 3 declined or out of reach');
  });

  it('token endpoint', async () => {
    const token = (client: { client_id: string; client_secret: string }, form: Record<string, string>) =>
      newAgent(s.issuer).post('/token').auth(client.client_id, client.client_secret).type('form').send(form);
    saw('token', (await token(WEB, { grant_type: 'authorization_code', code: 'not-a-code', redirect_uri: REDIRECT_URI })).body.error, 'an unknown, used or expired code');
    saw('token', (await token({ ...WEB, client_secret: 'wrong' }, { grant_type: 'authorization_code', code: 'x', redirect_uri: REDIRECT_URI })).body.error, 'a wrong client secret');
    saw('token', (await token(WEB, { grant_type: 'authorization_code', redirect_uri: REDIRECT_URI })).body.error, 'a missing parameter');
    saw('token', (await token(WEB, { grant_type: 'password', username: 'a', password: 'b' })).body.error, 'a grant type the provider does not offer');
    saw('token', (await token(WEB, { grant_type: 'client_credentials' })).body.error, 'a grant type the client is not registered for');
    saw('token', (await token(MACHINE, { grant_type: 'client_credentials', scope: 'openid profile' })).body.error, 'a scope the client is not registered for');
  });

  it('userinfo endpoint', async () => {
    const res = await newAgent(s.issuer).get('/me').set('authorization', 'Bearer not-a-token');
    assert.equal(res.status, 401);
    assert.match(String(res.headers['www-authenticate']), /error="invalid_token"/);
    saw('userinfo', res.body.error, 'an expired, revoked or unknown access token');
  });

  it('logout endpoint', async () => {
    const res = await newAgent(s.issuer).get(`/session/end?client_id=${WEB.client_id}&post_logout_redirect_uri=${encodeURIComponent('http://127.0.0.1:47999/elsewhere')}`).set('accept', 'text/html');
    assert.equal(res.status, 400);
    saw('logout (page)', /<code>([a-z_]+)[:<]/.exec(res.text)?.[1], 'a post_logout_redirect_uri that is not registered');
  });

  it('every error produced has its row, and every row was produced', () => {
    const table = errorTable(readFileSync(GUIDE, 'utf8'));
    const produced = [...seen.keys()].sort();
    assert.deepEqual([...new Set(table)].sort(), produced, `produced:\n${[...seen].map(([k, how]) => `${k} ← ${how}`).join('\n')}`);
    assert.equal(new Set(table).size, table.length, 'no row twice');
  });
});
