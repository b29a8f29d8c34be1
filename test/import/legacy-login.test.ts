// People moved in by the import sign in through the L1 pages with their old passwords: each legacy hash
// is verified, then replaced by argon2id (audited) and the old password still works; a weak hash is
// reset first by policy; and a legacy account is no faster to refuse than an unknown one.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runImport } from '../../src/import/run.ts';
import { jsonColumn } from '../../src/db/knex.ts';
import type { PasswordConfig } from '../../src/identity/passwords.ts';
import { csrfOf, follow, loginL1, newAgent } from '../support/browser.ts';
import { startRp, REDIRECT_URI } from '../support/rp.ts';
import { registerClient, startServer, type TestServer } from '../support/server.ts';
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

  it('attacker view: refusing a fast legacy hash costs at least an argon2id verification, like an unknown ID number', async () => {
    // A fresh import, so the SHA-256 account is still legacy.
    const file = path.join(dir, 'timing.jsonl');
    const { logins: fresh } = await mixedFile(file);
    await s.db('identifiers').whereIn('value', Object.values(fresh).map((l) => l.username)).del();
    await s.db('import_rejections').del();
    await runImport(s.db, { file });
    const target = fresh.sha256!.username;
    assert.equal((await passwordOf(target)).config.hashType, 'sha256-salted');
    const { agent, uid, csrf } = await loginForm();
    const timeOf = async (username: string) => {
      const t = process.hrtime.bigint();
      const res = await agent.post(`/interaction/${uid}/password_otp`).type('form').send({ _csrf: csrf, username, password: 'Sai-mat-khau-1!' }).redirects(0);
      assert.equal(res.status, 400);
      return Number(process.hrtime.bigint() - t) / 1e6;
    };
    const legacy: number[] = [];
    const unknown: number[] = [];
    // Interleaved, under the per-account limit (5 a window); an unknown ID each time.
    for (let i = 0; i < 4; i++) {
      legacy.push(await timeOf(target));
      unknown.push(await timeOf(`00108500${String(9000 + i)}`));
    }
    // SHA-256 alone takes microseconds; an argon2id check tens of milliseconds. Without the extra argon2id
    // check, the legacy account would answer in a fraction of the unknown one's time. The fastest of each
    // (the least disturbed by a loaded machine) are compared.
    assert.ok(Math.min(...legacy) > Math.min(...unknown) * 0.5, `legacy ${legacy.map(Math.round).join(',')} ms vs unknown ${unknown.map(Math.round).join(',')} ms`);
  });
});
