// The attacker's tests for single-use values (issue 11 finding 8): one code or refresh token sent
// twenty times at once — to one node or split over two nodes on one database — is accepted once.
// A use that loses the race counts as a replay: the grant is revoked (RFC 6749 §4.1.2, RFC 9700 §4.14.2).
import assert from 'node:assert/strict';
import { startServer, registerClient, postgresOnly, SANDBOX, EMBEDDED, type TestServer } from '../support/server.ts';
import { shortLivedStores } from '../support/redis.ts';
import { newAgent, loginL1, csrfOf, follow, pathOf } from '../support/browser.ts';
import { startRp, REDIRECT_URI } from '../support/rp.ts';
import { accountIdOf, openPortal } from '../support/portal.ts';

const CLIENT_ID = 'rp-race';
const SECRET = 'rp-race-secret-0123456789abcdefgh';
const BASIC = `Basic ${Buffer.from(`${CLIENT_ID}:${SECRET}`).toString('base64')}`;
const PARALLEL = 20;

interface TokenAnswer { status: number; body: { error?: string; refresh_token?: string; access_token?: string } }

async function tokenRequest(origin: string, form: Record<string, string>): Promise<TokenAnswer> {
  const res = await fetch(`${origin}/token`, {
    method: 'POST',
    headers: { authorization: BASIC, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form).toString(),
  });
  return { status: res.status, body: (await res.json()) as TokenAnswer['body'] };
}

/** Signs in through the real pages and returns the authorization code and its PKCE verifier. */
async function authorizationCode(s: TestServer): Promise<{ code: string; verifier: string }> {
  const rp = await startRp(s.issuer, CLIENT_ID, SECRET, { scope: 'openid offline_access', prompt: 'consent' });
  const end = await loginL1(newAgent(s.issuer), s.issuer, rp.authUrl, SANDBOX.citizen2);
  assert.ok(end.external?.startsWith(REDIRECT_URI), 'browser returns to the RP');
  const code = new URL(end.external!).searchParams.get('code');
  assert.ok(code, 'the callback carries a code');
  return { code, verifier: rp.verifier };
}

function codeForm(code: string, verifier: string): Record<string, string> {
  return { grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI, code_verifier: verifier };
}

async function refreshToken(s: TestServer): Promise<string> {
  const { code, verifier } = await authorizationCode(s);
  const first = await tokenRequest(s.issuer, codeForm(code, verifier));
  assert.equal(first.status, 200, JSON.stringify(first.body));
  assert.ok(first.body.refresh_token, 'offline_access gives a refresh token');
  return first.body.refresh_token;
}

/** Sends the same form PARALLEL times at once, alternating over the given nodes. */
async function race(origins: string[], form: Record<string, string>): Promise<TokenAnswer[]> {
  return Promise.all(Array.from({ length: PARALLEL }, (_, i) => tokenRequest(origins[i % origins.length]!, form)));
}

function assertExactlyOneWinner(answers: TokenAnswer[]): TokenAnswer {
  const won = answers.filter((a) => a.status === 200);
  const lost = answers.filter((a) => a.status !== 200);
  assert.equal(won.length, 1, `exactly one use succeeds, got ${won.length}: ${JSON.stringify(answers.map((a) => a.status))}`);
  for (const a of lost) {
    assert.equal(a.status, 400, JSON.stringify(a.body));
    assert.equal(a.body.error, 'invalid_grant');
  }
  return won[0]!;
}

/** The winner's tokens die with the grant: a replay was seen. */
async function assertGrantRevoked(origin: string, winner: TokenAnswer): Promise<void> {
  if (winner.body.refresh_token) {
    const again = await tokenRequest(origin, { grant_type: 'refresh_token', refresh_token: winner.body.refresh_token });
    assert.equal(again.status, 400, 'the refresh token issued to the winner is revoked');
    assert.equal(again.body.error, 'invalid_grant');
  }
  const info = await fetch(`${origin}/me`, { headers: { authorization: `Bearer ${winner.body.access_token}` } });
  assert.equal(info.status, 401, 'the access token issued to the winner is revoked');
}

// Codes in the database, and in Redis (REDIS_URL: the Lua consume in src/provider/redis-adapter.ts).
for (const store of shortLivedStores(EMBEDDED)) describe(`single-use values under parallel requests (issue 11 finding 8)${store.title}`, () => {
  let s: TestServer;
  before(async function () {
    this.timeout(120_000); // the embedded database starts slowly on a loaded machine
    s = await startServer(store.env);
    await registerClient(s.db, { client_id: CLIENT_ID, client_secret: SECRET, redirect_uris: [REDIRECT_URI], grant_types: ['authorization_code', 'refresh_token'], client_name: 'Race' });
  });
  after(async () => { await s?.close(); });

  it(`${PARALLEL} parallel uses of one refresh token: one 200, the rest invalid_grant, and the grant is revoked`, async () => {
    const rt = await refreshToken(s);
    const winner = assertExactlyOneWinner(await race([s.issuer], { grant_type: 'refresh_token', refresh_token: rt }));
    await assertGrantRevoked(s.issuer, winner);
  });

  it(`${PARALLEL} parallel uses of one authorization code: one 200, the rest invalid_grant, and the grant is revoked`, async () => {
    const { code, verifier } = await authorizationCode(s);
    const winner = assertExactlyOneWinner(await race([s.issuer], codeForm(code, verifier)));
    await assertGrantRevoked(s.issuer, winner);
  });

  it('one use at a time still works: a refresh token rotates and the new one is accepted', async () => {
    const rt = await refreshToken(s);
    const next = await tokenRequest(s.issuer, { grant_type: 'refresh_token', refresh_token: rt });
    assert.equal(next.status, 200, JSON.stringify(next.body));
    const third = await tokenRequest(s.issuer, { grant_type: 'refresh_token', refresh_token: next.body.refresh_token! });
    assert.equal(third.status, 200, JSON.stringify(third.body));
  });

  it(`an email-change link pressed ${PARALLEL} times at once changes the address once`, async () => {
    const portalRp = { client_id: 'rp-race-portal', client_secret: 'rp-race-portal-secret-0123456789ab', redirect_uris: [REDIRECT_URI], dvc_skip_consent: true };
    await registerClient(s.db, portalRp);
    const { agent, csrf } = await openPortal(s, portalRp, SANDBOX.citizen3);
    const id = await accountIdOf(s, 'cccd', SANDBOX.citizen3.username);
    const to = 'ngoc.race@example.vn';
    assert.equal((await agent.post('/account/email').type('form').send({ _csrf: csrf, email: to })).status, 200);
    const mails = (await agent.get(`/sandbox/email?to=${encodeURIComponent(to)}`).set('accept', 'application/json').expect(200)).body as { text: string }[];
    const link = /(http\S+\/account\/email\/confirm\?token=\S+)/.exec(mails[0]!.text)![1]!;
    const phone = newAgent(s.issuer);
    const page = await phone.get(pathOf(link)).expect(200);
    const form = { _csrf: csrfOf(page.text), token: new URL(link).searchParams.get('token') };
    const answers = await Promise.all(Array.from({ length: PARALLEL }, () => phone.post('/account/email/confirm').type('form').send(form)));
    const statuses = answers.map((a) => a.status);
    assert.equal(statuses.filter((x) => x === 200).length, 1, `one press wins: ${JSON.stringify(statuses)}`);
    assert.equal(statuses.filter((x) => x === 410).length, PARALLEL - 1, `the others find the link used: ${JSON.stringify(statuses)}`);
    const emails = (await s.db('identifiers').where({ account_id: id, type: 'email' })).map((r: { value: string }) => r.value);
    assert.deepEqual(emails, [to]);
    assert.equal((await s.db('audit_events').where({ account_id: id, action: 'email.change' })).length, 1, 'one change audited');
  });

  it(`Vietnam Post's answer delivered ${PARALLEL} times at once is used once (our state is single use, whatever upstream does)`, async () => {
    const rp = await startRp(s.issuer, CLIENT_ID, SECRET, { scope: 'openid' });
    const agent = newAgent(s.issuer);
    const first = await follow(agent, s.issuer, rp.authUrl);
    const uid = /\/interaction\/([^/?]+)/.exec(first.url!)![1]!;
    const toUpstream = await agent.get(`/interaction/${uid}/vnpost`).redirects(0);
    const login = await follow(agent, s.issuer, toUpstream.headers.location as string);
    const posted = await agent.post(pathOf(login.url!)).type('form').send({ _csrf: csrfOf(login.res!.text), username: 'vnp.hoa', password: 'Buudien@2026' }).redirects(0);
    // Up to (not into) our finish route, which takes the state.
    let loc = posted.headers.location as string;
    while (!pathOf(loc).includes('/vnpost/finish')) loc = (await agent.get(pathOf(loc)).redirects(0)).headers.location as string;
    const answers = await Promise.all(Array.from({ length: PARALLEL }, () => agent.get(pathOf(loc)).redirects(0)));
    const statuses = answers.map((a) => a.status);
    assert.equal(statuses.filter((x) => x === 303).length, 1, `one goes on: ${JSON.stringify(statuses)}`);
    assert.equal(statuses.filter((x) => x === 410).length, PARALLEL - 1, `the others find the state used: ${JSON.stringify(statuses)}`);
  });

  describe(`two nodes on one database${store.name === 'redis' ? ' and one Redis' : ''}`, () => {
    let s2: TestServer;
    before(async function () {
      postgresOnly(this);
      // A second node behind the same issuer, as behind a load balancer.
      s2 = await startServer({ ISSUER: s.issuer, ...store.env }, { keepData: true });
    });
    after(async () => { await s2?.close(); });

    it(`${PARALLEL} parallel uses of one refresh token split over two nodes: exactly one success`, async () => {
      const rt = await refreshToken(s);
      const winner = assertExactlyOneWinner(await race([s.issuer, origin(s2)], { grant_type: 'refresh_token', refresh_token: rt }));
      await assertGrantRevoked(origin(s2), winner);
    });

    it(`${PARALLEL} parallel uses of one authorization code split over two nodes: exactly one success`, async () => {
      const { code, verifier } = await authorizationCode(s);
      const winner = assertExactlyOneWinner(await race([origin(s2), s.issuer], codeForm(code, verifier)));
      await assertGrantRevoked(s.issuer, winner);
    });
  });
});

/** Where a node listens (its issuer may be another node's). */
function origin(t: TestServer): string {
  return `http://127.0.0.1:${t.cfg.port}`;
}
