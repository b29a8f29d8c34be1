// REDIS_URL (issue 18, part 3): a whole login keeps its short-lived state in Redis and what must last
// in PostgreSQL; an interaction started on one node finishes on another; and when Redis goes away every
// request that needs it fails closed, 503 on our page or as OAuth JSON: no guess is checked, no counter
// skipped. The single-use races and the attacker floods run on Redis too (test/security/, "[REDIS_URL]").
import assert from 'node:assert/strict';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import supertest from 'supertest';
import { startServer, registerClient, postgresOnly, SANDBOX, type TestServer } from '../support/server.ts';
import { newAgent, loginL1, follow, csrfOf, latestOtp, type Agent } from '../support/browser.ts';
import { startRp, REDIRECT_URI } from '../support/rp.ts';
import { REDIS_ENV, TEST_REDIS_URL } from '../support/redis.ts';
import { hit, release } from '../../src/shared/rate-limit.ts';
import { redisOf } from '../../src/db/redis.ts';
import { isStoreUnavailable } from '../../src/db/store-unavailable.ts';
import { loadConfig, ConfigError } from '../../src/config/index.ts';

const CLIENT = { client_id: 'rp-redis', client_secret: 'rp-redis-secret-0123456789abcdefgh', redirect_uris: [REDIRECT_URI], dvc_skip_consent: true };
const UNAVAILABLE = /Dịch vụ tạm thời gián đoạn/;

/** A TCP hop to the test Redis that the test can cut, as a network failure or a stopped Redis would. */
async function cuttableRedis() {
  const upstream = new URL(TEST_REDIS_URL);
  const sockets = new Set<net.Socket>();
  const server = net.createServer((down) => {
    const up = net.connect(Number(upstream.port || 6379), upstream.hostname);
    for (const s of [down, up]) { sockets.add(s); s.on('error', () => undefined).on('close', () => sockets.delete(s)); }
    down.pipe(up).pipe(down);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `redis://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    /** Closes the port and every connection through it. */
    async cut() {
      const closed = new Promise<void>((r) => server.close(() => r()));
      for (const s of sockets) s.destroy();
      await closed;
    },
  };
}

const keysOf = async (s: TestServer, pattern: string) => {
  const store = redisOf(s.db)!;
  return (await store.client.keys(`${store.prefix}${pattern}`)).length;
};

/** Where a node listens (its issuer may be another node's). */
const origin = (t: TestServer) => `http://127.0.0.1:${t.cfg.port}`;

describe('REDIS_URL: short-lived state in Redis (issue 18)', function () {
  this.timeout(120_000);
  let a: TestServer;
  before(async function () {
    postgresOnly(this); // two nodes on one database, and Redis: the PostgreSQL pass only
    a = await startServer(REDIS_ENV);
    await registerClient(a.db, CLIENT);
  });
  after(async () => { await a?.close(); });

  it('a whole login (openid-client RP): interactions, codes and counters in Redis, sessions and grants in PostgreSQL', async () => {
    const rp = await startRp(a.issuer, CLIENT.client_id, CLIENT.client_secret);
    const end = await loginL1(newAgent(a.issuer), a.issuer, rp.authUrl, SANDBOX.citizen2);
    assert.ok(end.external?.startsWith(REDIRECT_URI), 'back at the RP');
    const { tokens, idToken } = await rp.finish(end.external!);
    assert.ok(tokens.access_token);
    assert.equal(idToken.acr, '2');
    const kinds = new Set((await a.db('oidc_models').distinct('kind')).map((r: { kind: string }) => r.kind));
    for (const k of ['Session', 'Grant', 'AccessToken']) assert.ok(kinds.has(k), `${k} stays in PostgreSQL`);
    for (const k of ['Interaction', 'AuthorizationCode']) assert.ok(!kinds.has(k), `no ${k} row in PostgreSQL`);
    assert.equal(Number((await a.db('rate_limits').count({ n: '*' }).first())!.n), 0, 'no counter in PostgreSQL');
    assert.ok((await keysOf(a, 'oidc:AuthorizationCode:*')) >= 1, 'the used code is kept in Redis until it expires (replays are seen)');
    assert.ok((await keysOf(a, 'rl:*')) >= 1, 'the login counted in Redis');
    const ready = await supertest(a.issuer).get('/readyz').expect(200);
    assert.deepEqual(ready.body, { status: 'ready', database: 'ok', redis: 'ok' });
  });

  it('an interaction started on node A finishes on node B (one database, one Redis)', async () => {
    const b = await startServer({ ISSUER: a.issuer, ...REDIS_ENV }, { keepData: true });
    try {
      const rp = await startRp(a.issuer, CLIENT.client_id, CLIENT.client_secret);
      const onA = newAgent(origin(a));
      const onB: Agent = newAgent(origin(b));
      // One browser: cookies do not depend on the port, so both agents share one jar.
      (onB as unknown as { jar: unknown }).jar = (onA as unknown as { jar: unknown }).jar;
      const first = await follow(onA, a.issuer, rp.authUrl);
      const uid = /\/interaction\/([^/?]+)/.exec(first.url!)![1]!;
      const form = await onA.get(`/interaction/${uid}/password_otp`).expect(200);
      const posted = await onB.post(`/interaction/${uid}/password_otp`).type('form')
        .send({ _csrf: csrfOf(form.text), username: SANDBOX.citizen3.username, password: SANDBOX.citizen3.password }).redirects(0);
      assert.equal(posted.status, 303, posted.text.slice(0, 300));
      const otpPage = await onB.get(`/interaction/${uid}/password_otp/otp`).expect(200);
      const done = await onB.post(`/interaction/${uid}/password_otp/otp`).type('form')
        .send({ _csrf: csrfOf(otpPage.text), code: await latestOtp(onB, SANDBOX.citizen3.phone) }).redirects(0);
      assert.equal(done.status, 303, done.text.slice(0, 300));
      const end = await follow(onB, a.issuer, done.headers.location as string);
      assert.ok(end.external?.startsWith(REDIRECT_URI), `node B finished what node A started: ${end.res?.text.slice(0, 200)}`);
      const { idToken } = await rp.finish(end.external!);
      assert.ok(idToken.sub);
    } finally {
      await b.close();
    }
  });

  it('Redis cut: every request that needs it answers 503 (our page, or OAuth JSON), no password is checked; /readyz says why', async () => {
    const redis = await cuttableRedis();
    const c = await startServer({ ...REDIS_ENV, REDIS_URL: redis.url }, { keepData: true });
    try {
      const rp = await startRp(c.issuer, CLIENT.client_id, CLIENT.client_secret);
      const agent = newAgent(c.issuer);
      const first = await follow(agent, c.issuer, rp.authUrl);
      const uid = /\/interaction\/([^/?]+)/.exec(first.url!)![1]!;
      const form = await agent.get(`/interaction/${uid}/password_otp`).expect(200);
      const audited = async () => Number((await c.db('audit_events').where({ action: 'login' }).count({ n: '*' }).first())!.n);
      const before = await audited();
      await redis.cut();

      const guess = await agent.post(`/interaction/${uid}/password_otp`).type('form')
        .send({ _csrf: csrfOf(form.text), username: SANDBOX.citizen2.username, password: SANDBOX.citizen2.password }).redirects(0);
      assert.equal(guess.status, 503);
      assert.match(guess.text, UNAVAILABLE, 'our page says to try again shortly');
      assert.equal(guess.headers['retry-after'], '5');
      assert.equal(await audited(), before, 'no password was checked');
      const parallel = await Promise.all(Array.from({ length: 10 }, (_, i) => agent.post(`/interaction/${uid}/password_otp`).type('form')
        .send({ _csrf: csrfOf(form.text), username: SANDBOX.citizen2.username, password: `Wrong@Guess${i}` }).redirects(0)));
      assert.deepEqual([...new Set(parallel.map((r) => r.status))], [503], 'a flood during the outage checks nothing either');
      assert.equal(await audited(), before);

      const auth = await agent.get(new URL(rp.authUrl).pathname + new URL(rp.authUrl).search).redirects(0);
      assert.equal(auth.status, 503, `a new authorization request: not redirected to the RP, our page: ${auth.text.slice(0, 3000)}`);
      assert.match(auth.text, UNAVAILABLE);
      const token = await supertest(c.issuer).post('/token').auth(CLIENT.client_id, CLIENT.client_secret).type('form')
        .send({ grant_type: 'authorization_code', code: 'a'.repeat(43), redirect_uri: REDIRECT_URI });
      assert.equal(token.status, 503);
      assert.equal(token.body.error, 'temporarily_unavailable');

      const ready = await supertest(c.issuer).get('/readyz').expect(503);
      assert.deepEqual(ready.body, { status: 'unavailable', database: 'ok', redis: 'unreachable' });
      await supertest(c.issuer).get('/healthz').expect(200);
    } finally {
      await c.close();
    }

    // A node started while Redis is unreachable (a closed port) starts, is not ready, and fails closed.
    const d = await startServer({ ...REDIS_ENV, REDIS_URL: redis.url }, { keepData: true });
    try {
      await supertest(d.issuer).get('/readyz').expect(503);
      const counted = await hit(d.db, 'test:closed', 60).then(() => 'counted', (e: unknown) => (isStoreUnavailable(e) ? 'refused' : String(e)));
      assert.equal(counted, 'refused', 'a counter that cannot be read is an error, never a zero');
      await assert.rejects(release(d.db, 'test:closed'), isStoreUnavailable);
    } finally {
      await d.close();
    }
  });

  it('REDIS_URL and REDIS_PREFIX are checked at start-up', () => {
    const bad = (env: Record<string, string>) => assert.throws(() => loadConfig(env), (e: unknown) => e instanceof ConfigError && e.key === Object.keys(env).pop());
    bad({ REDIS_URL: 'http://127.0.0.1:6379' });
    bad({ REDIS_URL: 'redis://127.0.0.1:6379/x' });
    bad({ REDIS_URL: 'redis://127.0.0.1', REDIS_PREFIX: 'a b' });
    bad({ REDIS_URL: 'redis://127.0.0.1', REDIS_PREFIX: '' });
    assert.equal(loadConfig({ REDIS_URL: 'rediss://user:pw@cache.internal:6380/2' }).redisPrefix, 'dvc:');
  });
});
