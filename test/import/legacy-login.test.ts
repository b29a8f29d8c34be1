// People moved in by the import sign in through the L1 pages with their old passwords: each legacy hash
// is verified, then replaced by argon2id (audited) and the old password still works; a weak hash is
// reset first by policy and then signs in after "forgot password"; and a legacy account costs the same
// argon2id check to refuse as an unknown one.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runImport } from '../../src/import/run.ts';
import { jsonColumn } from '../../src/db/knex.ts';
import type { PasswordConfig } from '../../src/identity/passwords.ts';
import { csrfOf, follow, latestOtp, loginL1, newAgent } from '../support/browser.ts';
import { startRp, REDIRECT_URI } from '../support/rp.ts';
import { registerClient, startServer, type TestServer } from '../support/server.ts';
import { passwordChecks } from '../../src/shared/metrics.ts';
import { mixedFile, OLD_PASSWORD } from './sample.ts';

const CLIENT = { client_id: 'rp-import', client_secret: 'rp-import-secret-0123456789abcdef', redirect_uris: [REDIRECT_URI], dvc_skip_consent: true };

describe('legacy password hashes at L1 login', function () {
  this.timeout(240_000);
  let s: TestServer;
  let dir: string;
  let logins: Awaited<ReturnType<typeof mixedFile>>['logins'];
  before(async () => {
    s = await startServer();
    await registerClient(s.db, CLIENT);
    dir = mkdtempSync(path.join(tmpdir(), 'dvc-import-login-'));
    const file = path.join(dir, 'mixed.jsonl');
    logins = (await mixedFile(file)).logins;
    await runImport(s.db, { file });
  });
  after(async () => {
    await s?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const passwordOf = async (cccd: string) => {
    const { account_id } = await s.db('identifiers').where({ type: 'cccd', value: cccd }).first('account_id');
    const cred = await s.db('credentials').where({ account_id, type: 'password' }).first();
    return { accountId: account_id as string, config: jsonColumn<PasswordConfig>(cred.config) };
  };
  const signIn = async (who: { username: string; phone: string }) => {
    const rp = await startRp(s.issuer, CLIENT.client_id, CLIENT.client_secret);
    const end = await loginL1(newAgent(s.issuer), s.issuer, rp.authUrl, { ...who, password: OLD_PASSWORD }, { consent: false });
    assert.ok(end.external?.startsWith(REDIRECT_URI), 'back at the relying party');
    return (await rp.finish(end.external!)).idToken;
  };
  /** Opens the login form of a fresh interaction: [agent, uid, csrf]. */
  const loginForm = async () => {
    const rp = await startRp(s.issuer, CLIENT.client_id, CLIENT.client_secret);
    const agent = newAgent(s.issuer);
    const first = await follow(agent, s.issuer, rp.authUrl);
    const uid = /\/interaction\/([^/?]+)/.exec(first.url!)![1]!;
    const form = await agent.get(`/interaction/${uid}/password_otp`).expect(200);
    return { agent, uid, csrf: csrfOf(form.text) };
  };

  for (const type of ['bcrypt2b', 'bcrypt2y', 'pbkdf2Phc', 'pbkdf2Django', 'argon2i'] as const) {
    it(`${type}: signs in with the old password, the credential becomes argon2id (audited), the old password still works`, async () => {
      const who = logins[type]!;
      const before = await passwordOf(who.username);
      assert.notEqual(before.config.hashType, 'argon2id');
      const idToken = await signIn(who);
      assert.equal(idToken.amr instanceof Array && idToken.amr.includes('pwd'), true);
      const after = await passwordOf(who.username);
      assert.equal(after.config.hashType, 'argon2id');
      assert.equal(after.config.upgradedFrom, before.config.hashType);
      assert.match(after.config.hash, /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
      const events = await s.db('audit_events').where({ account_id: before.accountId, action: 'password.upgrade' });
      assert.equal(events.length, 1);
      assert.deepEqual(jsonColumn(events[0].details), { from: before.config.hashType, to: 'argon2id' });
      await signIn(who); // the same password against the new hash
      assert.equal((await s.db('audit_events').where({ account_id: before.accountId, action: 'password.upgrade' })).length, 1);
    });
  }

  it('a wrong password against a legacy hash is refused like any other, and changes nothing', async () => {
    const { agent, uid, csrf } = await loginForm();
    const res = await agent.post(`/interaction/${uid}/password_otp`).type('form').send({ _csrf: csrf, username: logins.sha256!.username, password: 'Sai-mat-khau-1!' }).redirects(0);
    assert.equal(res.status, 400);
    assert.match(res.text, /Tên đăng nhập hoặc mật khẩu không đúng/);
    assert.match((await passwordOf(logins.sha256!.username)).config.hash, /^\$sha256-salted\$/);
  });

  it('salted SHA-256 under IMPORT_WEAK_HASH_POLICY=reset: the right password leads to "forgot password", the hash stays until then', async () => {
    assert.equal(s.cfg.importWeakHashPolicy, 'reset');
    const { agent, uid, csrf } = await loginForm();
    const res = await agent.post(`/interaction/${uid}/password_otp`).type('form').send({ _csrf: csrf, username: logins.sha256!.username, password: OLD_PASSWORD }).redirects(0);
    assert.equal(res.status, 400);
    assert.match(res.text, /Tài khoản của bạn được chuyển từ hệ thống cũ/);
    assert.match(res.text, /href="[^"]*forgot/);
    const after = await passwordOf(logins.sha256!.username);
    assert.equal(after.config.hashType, 'sha256-salted');
    assert.equal((await s.db('audit_events').where({ account_id: after.accountId, action: 'password.reset_required' })).length, 1);
  });

  it('salted SHA-256 under IMPORT_WEAK_HASH_POLICY=upgrade: signs in once and is upgraded like the others', async () => {
    s.cfg.importWeakHashPolicy = 'upgrade';
    try {
      await signIn(logins.sha256!);
      assert.equal((await passwordOf(logins.sha256!.username)).config.hashType, 'argon2id');
    } finally {
      s.cfg.importWeakHashPolicy = 'reset';
    }
  });

  it('attacker view: refusing a fast legacy hash runs the same argon2id check as an unknown ID number, and answers the same', async () => {
    // A fresh import, so the SHA-256 account is still legacy.
    const file = path.join(dir, 'oracle.jsonl');
    const { logins: fresh } = await mixedFile(file);
    await s.db('identifiers').whereIn('value', Object.values(fresh).map((l) => l.username)).del();
    await s.db('import_rejections').del();
    await runImport(s.db, { file });
    const target = fresh.sha256!.username;
    assert.equal((await passwordOf(target)).config.hashType, 'sha256-salted');
    const { agent, uid, csrf } = await loginForm();
    // The hashes each refusal ran, counted by the server's own metric (dvc_password_checks_total).
    const checks = async () => Object.fromEntries((await passwordChecks.get()).values.map((v) => [String(v.labels.hash), v.value]));
    const refuse = async (username: string) => {
      const before = await checks();
      const res = await agent.post(`/interaction/${uid}/password_otp`).type('form').send({ _csrf: csrf, username, password: 'Sai-mat-khau-1!' }).redirects(0);
      const after = await checks();
      const ran = Object.fromEntries(Object.entries(after).map(([k, v]) => [k, v - (before[k] ?? 0)]).filter(([, n]) => n));
      return { ran, status: res.status, error: /role="alert">([^<]+)</.exec(res.text)?.[1] };
    };
    const legacy = await refuse(target);
    const unknown = await refuse('001085009001');
    // Exactly one argon2id verification each (the legacy one besides its microseconds of SHA-256): without
    // it, the imported account would answer in a fraction of an unknown one's time.
    assert.deepEqual(unknown.ran, { argon2id: 1 });
    assert.deepEqual(legacy.ran, { argon2id: 1, 'sha256-salted': 1 });
    assert.equal(legacy.status, 400);
    assert.deepEqual({ status: legacy.status, error: legacy.error }, { status: unknown.status, error: unknown.error });
    assert.ok(legacy.error, 'the refusal names its reason');
  });

  it('a forced reset, then "forgot password": the SMS code, a new password, and the new password signs in', async () => {
    // The account the previous test imported afresh: still salted SHA-256.
    const who = logins.sha256!;
    assert.equal((await passwordOf(who.username)).config.hashType, 'sha256-salted');
    const { agent, uid, csrf } = await loginForm();
    const refused = await agent.post(`/interaction/${uid}/password_otp`).type('form').send({ _csrf: csrf, username: who.username, password: OLD_PASSWORD }).redirects(0);
    assert.match(refused.text, /Tài khoản của bạn được chuyển từ hệ thống cũ/);

    const browser = newAgent(s.issuer);
    const form = await browser.get('/forgot').expect(200);
    const fcsrf = csrfOf(form.text);
    const started = await browser.post('/forgot').type('form').send({ _csrf: fcsrf, username: who.username }).redirects(0);
    assert.equal(started.status, 303);
    const code = await browser.post(started.headers.location as string).type('form').send({ _csrf: fcsrf, code: await latestOtp(browser, who.phone) }).redirects(0);
    assert.equal(code.status, 303);
    const done = await browser.post(code.headers.location as string).type('form').send({ _csrf: fcsrf, password: 'MoiDoi#2026', password2: 'MoiDoi#2026' });
    assert.equal(done.status, 200);
    const after = await passwordOf(who.username);
    assert.match(after.config.hash, /^\$argon2id\$/);
    assert.notEqual(after.config.hashType, 'sha256-salted');

    const rp = await startRp(s.issuer, CLIENT.client_id, CLIENT.client_secret);
    const end = await loginL1(newAgent(s.issuer), s.issuer, rp.authUrl, { ...who, password: 'MoiDoi#2026' }, { consent: false });
    assert.ok(end.external?.startsWith(REDIRECT_URI), 'signed in with the new password');
  });
});
