// One issuer per database: a node with another ISSUER refuses to start (and changes nothing); the
// operator's `issuer set` is the one way to move the database to a new issuer.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import supertest from 'supertest';
import { createApp } from '../../src/app.ts';
import { jsonColumn } from '../../src/db/knex.ts';
import { changeIssuer, guardIssuer, IssuerMismatchError, recordedIssuer } from '../../src/provider/issuer-guard.ts';
import { createLogger } from '../../src/shared/logger.ts';
import { PROD_OK } from './production-env.ts';
import { postgresOnly, startServer, TEST_DATABASE_URL, type TestServer } from '../support/server.ts';

const OTHER = 'http://127.0.0.1:1';

describe('issuer guard', () => {
  let s: TestServer;
  before(async () => { s = await startServer(); });
  after(async () => { await s.close(); });
  // Each test starts from the database serving s's issuer.
  afterEach(async () => { await changeIssuer(s.db, s.issuer, 'test'); });

  const firstPartyClients = async () => (await s.db('oidc_models').where({ kind: 'Client' }).whereIn('id', ['dvc-account', 'dvc-counter']).orderBy('id'))
    .map((r: { id: string; payload: unknown }) => ({ id: r.id, redirect_uris: jsonColumn<{ redirect_uris: string[] }>(r.payload).redirect_uris }));

  /** The portal's sign-in reaches the provider's interaction (not an invalid_redirect_uri page). */
  async function portalSignInWorks(): Promise<void> {
    const agent = supertest.agent(s.issuer);
    const start = await agent.get('/account').redirects(0).expect(302);
    const auth = new URL(String(start.headers.location));
    assert.equal(auth.searchParams.get('redirect_uri'), `${s.issuer}/account/callback`);
    const res = await agent.get(auth.pathname + auth.search).redirects(0);
    assert.equal(res.status, 303, res.text.slice(0, 300));
    assert.match(String(res.headers.location), /\/interaction\//);
  }

  it('the first start records the issuer; a node with the same issuer starts', async () => {
    assert.equal(await recordedIssuer(s.db), s.issuer);
    const again = await createApp({ cfg: s.cfg, db: s.db, logger: createLogger('silent') });
    await again.close();
    await portalSignInWorks();
  });

  it('a node with another issuer refuses to start, names both issuers and the command, and changes nothing', async () => {
    const clientsBefore = await firstPartyClients();
    assert.equal(clientsBefore.length, 2);
    await assert.rejects(createApp({ cfg: { ...s.cfg, issuer: OTHER }, db: s.db, logger: createLogger('silent') }), (e: unknown) => {
      assert.ok(e instanceof IssuerMismatchError, String(e));
      assert.ok(e.message.includes(s.issuer) && e.message.includes(OTHER), e.message);
      assert.ok(e.message.includes(`npm run cli -- issuer set ${OTHER}`), e.message);
      return true;
    });
    assert.deepEqual(await firstPartyClients(), clientsBefore, 'the first-party clients keep their redirect URIs');
    assert.equal(await recordedIssuer(s.db), s.issuer);
    await portalSignInWorks();
  });

  it('spelling variants of the issuer are another issuer (tokens carry it verbatim)', async () => {
    for (const variant of [s.issuer.replace('127.0.0.1', 'localhost'), s.issuer.replace('http:', 'https:'), `${s.issuer}/dvc`]) {
      await assert.rejects(guardIssuer(s.db, variant), IssuerMismatchError, variant);
    }
  });

  it('nodes starting at once on an empty database with different issuers: exactly one records its issuer', async () => {
    for (let round = 0; round < 5; round++) {
      await s.db('database_issuer').del();
      const results = await Promise.allSettled([guardIssuer(s.db, s.issuer), guardIssuer(s.db, OTHER), guardIssuer(s.db, s.issuer), guardIssuer(s.db, OTHER)]);
      const won = await recordedIssuer(s.db);
      assert.ok(won === s.issuer || won === OTHER);
      results.forEach((r, i) => {
        const mine = i % 2 === 0 ? s.issuer : OTHER;
        assert.equal(r.status, mine === won ? 'fulfilled' : 'rejected', `round ${round}, node ${i}`);
      });
    }
  });

  it('changeIssuer moves the database to the new issuer and audits the change: then the new node starts and the old refuses', async () => {
    assert.equal(await changeIssuer(s.db, OTHER, 'operator:test'), s.issuer);
    const row = await s.db('audit_events').where({ action: 'issuer.change', actor: 'operator:test' }).orderBy('id', 'desc').first();
    assert.deepEqual(jsonColumn(row.details), { from: s.issuer, to: OTHER });
    await guardIssuer(s.db, OTHER);
    await assert.rejects(guardIssuer(s.db, s.issuer), IssuerMismatchError);
  });

  it('the CLI: issuer show, issuer set (refusing what ISSUER refuses), audited as the operator', async function () {
    postgresOnly(this); // a second process on the embedded database's folder is unsupported
    this.timeout(120_000);
    const env = { ...process.env, DATABASE_URL: TEST_DATABASE_URL, LOG_LEVEL: 'silent', USER: 'ops-anh' };
    const cli = (args: string[], extra: Record<string, string> = {}) => spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'issuer', ...args], { env: { ...env, ...extra }, encoding: 'utf8' });
    assert.equal(cli(['show']).stdout.trim(), s.issuer);
    const bad = cli(['set', 'not a url']);
    assert.equal(bad.status, 2, bad.stderr);
    assert.match(bad.stderr, /ISSUER/);
    const local = cli(['set', 'https://127.0.0.1'], { ...PROD_OK, DATABASE_URL: TEST_DATABASE_URL });
    assert.equal(local.status, 2, local.stderr);
    assert.match(local.stderr, /not this machine/);
    assert.equal(await recordedIssuer(s.db), s.issuer, 'a refused value changes nothing');
    const ok = cli(['set', `${OTHER}/`]);
    assert.equal(ok.status, 0, ok.stderr);
    assert.match(ok.stdout, new RegExp(`from ${s.issuer} to ${OTHER}`));
    assert.equal(await recordedIssuer(s.db), OTHER, 'normalised like ISSUER (no trailing slash)');
    const row = await s.db('audit_events').where({ action: 'issuer.change' }).orderBy('id', 'desc').first();
    assert.equal(row.actor, 'operator:ops-anh');
  });
});
