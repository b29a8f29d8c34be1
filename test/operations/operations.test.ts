// What an operator relies on: captcha, SMS outage, cleanup, audit without personal numbers, CLI, sandbox off.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startServer, registerClient, SANDBOX, TEST_DATABASE_URL, EMBEDDED, type TestServer } from '../support/server.ts';
import { newAgent, follow, csrfOf, loginL1 } from '../support/browser.ts';
import { startRp, REDIRECT_URI } from '../support/rp.ts';
import { hmac } from '../../src/shared/digest.ts';
import { cleanupExpired } from '../../src/provider/adapter.ts';
import { redact } from '../../src/shared/logger.ts';

const CLIENT = { client_id: 'rp-ops', client_secret: 'rp-ops-secret-0123456789abcdefgh', redirect_uris: [REDIRECT_URI] };

async function openForm(s: TestServer) {
  const rp = await startRp(s.issuer, CLIENT.client_id, CLIENT.client_secret);
  const agent = newAgent(s.issuer);
  const first = await follow(agent, s.issuer, rp.authUrl);
  const uid = /\/interaction\/([^/?]+)/.exec(first.url!)![1]!;
  const form = await agent.get(`/interaction/${uid}/password_otp`).expect(200);
  return { rp, agent, uid, form: form.text, csrf: csrfOf(form.text) };
}

describe('operations', () => {
  describe('with captcha on', () => {
    let s: TestServer;
    before(async () => { s = await startServer({ CAPTCHA: 'on' }); await registerClient(s.db, CLIENT); });
    after(() => s.close());

    it('the form shows a self-hosted captcha; a wrong answer is refused, a right one accepted once', async () => {
      const { agent, uid, form, csrf } = await openForm(s);
      assert.match(form, /src="data:image\/svg\+xml;base64,/);
      const captchaId = /name="captcha_id" value="([^"]+)"/.exec(form)![1]!;
      const wrong = await agent.post(`/interaction/${uid}/password_otp`).type('form').send({ _csrf: csrf, username: SANDBOX.citizen2.username, password: SANDBOX.citizen2.password, captcha_id: captchaId, captcha: 'zzzzz' });
      assert.equal(wrong.status, 400);
      assert.match(wrong.text, /Mã xác thực không đúng/);
      // The answer is only stored hashed: set a known one for the next challenge.
      const again = /name="captcha_id" value="([^"]+)"/.exec(wrong.text)![1]!;
      await s.db('captchas').where({ id: again }).update({ answer_hash: hmac(s.cfg.otpSecret, again, 'abcde') });
      const right = await agent.post(`/interaction/${uid}/password_otp`).type('form').send({ _csrf: csrf, username: SANDBOX.citizen2.username, password: SANDBOX.citizen2.password, captcha_id: again, captcha: 'ABCDE' }).redirects(0);
      assert.equal(right.status, 303);
      assert.equal(await s.db('captchas').where({ id: again }).first(), undefined, 'spent');
    });
    // The alternative for people who cannot see the picture (ALTCHA): test/security/captcha.test.ts.
  });

  describe('sandbox off, SMS gateway down', () => {
    let s: TestServer;
    before(async () => { s = await startServer({ SANDBOX: 'off', SMS_GATEWAY: 'http', SMS_URL: 'http://127.0.0.1:9/unreachable', SMS_RETRIES: '0', SMS_TIMEOUT_MS: '500' }); await registerClient(s.db, CLIENT); });
    after(() => s.close());

    it('sandbox helpers do not exist', async () => {
      for (const path of ['/sandbox/sms', '/sandbox/email', '/sandbox/phone?phone=0912345228', '/sandbox/usb/tokens', '/sandbox/pki/ca.crl', '/sandbox/vnpost/.well-known/openid-configuration']) {
        assert.equal((await newAgent(s.issuer).get(path)).status, 404, path);
      }
    });

    it('a login whose SMS cannot be sent is not held up: the code waits in the outbox for the gateway', async () => {
      const { agent, uid, csrf } = await openForm(s);
      const res = await agent.post(`/interaction/${uid}/password_otp`).type('form').send({ _csrf: csrf, username: SANDBOX.citizen2.username, password: SANDBOX.citizen2.password }).redirects(0);
      assert.equal(res.status, 303);
      const page = await agent.get(res.headers.location as string).expect(200);
      assert.match(page.text, /Mã xác thực đã được gửi/);
      const [challenge] = await s.db('otp_challenges').where({ flow_id: `${uid}:password_otp` });
      assert.ok(challenge, 'the code exists');
      const queued = await s.db('outbox').where({ kind: 'sms', idempotency_key: challenge.id }).first();
      assert.ok(queued, 'its SMS is in the outbox, retried by the worker');
      assert.equal(queued.failed_at, null);
    });
  });

  describe('housekeeping', () => {
    let s: TestServer;
    before(async () => { s = await startServer(); await registerClient(s.db, CLIENT); });
    after(() => s.close());

    it('cleanup removes expired rows of every short-lived table and keeps live ones', async () => {
      const past = new Date(Date.now() - 3 * 86400_000);
      await s.db('oidc_models').insert({ kind: 'AccessToken', id: 'expired-at', payload: '{}', expires_at: past });
      await s.db('oidc_models').insert({ kind: 'AccessToken', id: 'live-at', payload: '{}', expires_at: new Date(Date.now() + 60_000) });
      await s.db('rate_limits').insert({ key: 'old', count: 1, expires_at: past });
      await s.db('flows').insert({ id: 'old-flow', kind: 'x', state: 'y', expires_at: past });
      await s.db('counter_requests').insert({ client_id: 'c', idempotency_key: 'old-key', request_hash: 'h', created_at: new Date(Date.now() - 8 * 86400_000) });
      await s.db('counter_requests').insert({ client_id: 'c', idempotency_key: 'new-key', request_hash: 'h' });
      await s.db('session_meta').insert({ session_uid: 'old-session', account_id: '00000000-0000-4000-8000-000000000001', ip: '203.0.113.9', last_seen_at: past });
      assert.ok(await cleanupExpired(s.db) >= 5);
      assert.equal(await s.db('session_meta').where({ session_uid: 'old-session' }).first(), undefined);
      assert.deepEqual((await s.db('counter_requests').where({ client_id: 'c' })).map((r: { idempotency_key: string }) => r.idempotency_key), ['new-key']);
      assert.equal(await s.db('oidc_models').where({ id: 'expired-at' }).first(), undefined);
      assert.ok(await s.db('oidc_models').where({ id: 'live-at' }).first());
    });

    it('the audit trail records logins with IP and method but no personal numbers', async () => {
      const rp = await startRp(s.issuer, CLIENT.client_id, CLIENT.client_secret);
      await loginL1(newAgent(s.issuer), s.issuer, rp.authUrl, SANDBOX.citizen2);
      const rows = await s.db('audit_events').where({ action: 'login', result: 'success' });
      assert.ok(rows.length >= 1);
      assert.equal(rows[0].method, 'password_otp');
      assert.ok(rows[0].ip);
      const dump = JSON.stringify(await s.db('audit_events').select());
      assert.doesNotMatch(dump, /001099012345|912345228/);
    });

    it('logs mask anything shaped like an ID or phone number, and email addresses', () => {
      assert.doesNotMatch(redact('{"msg":"x","id":"001099012345","phone":"+84912345228"}'), /001099012345|912345228/);
      const line = redact('{"msg":"smtp refused","to":"an.nguyen@example.vn"}');
      assert.doesNotMatch(line, /an\.nguyen/);
      assert.match(line, /\*\*\*@example\.vn/);
    });

    it('CLI: clients add validates metadata with the provider, list and remove; accounts; officers', async function () {
      this.timeout(240_000); // ten CLI processes, about a second of CPU each
      // On the embedded database the CLI reaches the test server's folder through it (src/db/wire-server.ts).
      const dir = mkdtempSync(path.join(tmpdir(), 'dvc-cli-'));
      const good = path.join(dir, 'good.json');
      const bad = path.join(dir, 'bad.json');
      writeFileSync(good, JSON.stringify({ client_id: 'cli-rp', client_secret: 'cli-rp-secret-0123456789abcdefghij', redirect_uris: ['https://rp.example.gov.vn/cb'], client_name: 'CLI RP' }));
      writeFileSync(bad, JSON.stringify({ client_id: 'cli-bad', redirect_uris: ['not a url'] }));
      // The test server's own database: PostgreSQL, or its embedded folder, reached through the server.
      const env = { ...process.env, LOG_LEVEL: 'silent', ...(EMBEDDED ? { DATABASE_URL: '', DATA_DIR: s.cfg.dataDir } : { DATABASE_URL: TEST_DATABASE_URL }) };
      // Asynchronous: on the embedded database the CLI talks to this very process, which must keep answering.
      const run = (args: string[], input?: string) => new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
        const c = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], { env, stdio: ['pipe', 'pipe', 'pipe'] });
        let stdout = '';
        let stderr = '';
        c.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
        c.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
        c.once('exit', (status) => resolve({ status, stdout, stderr }));
        c.stdin.end(input ?? '');
      });
      const cli = (...args: string[]) => run(args);
      const added = await cli('clients', 'add', '--file', good);
      assert.equal(added.status, 0, added.stderr);
      // Every command names its database, without credentials or options.
      assert.match(added.stderr, EMBEDDED
        ? new RegExp(`^database: embedded \\(DATA_DIR ${s.cfg.dataDir}, through the running server pid ${process.pid}, `, 'm')
        : new RegExp(`^database: ${new URL(TEST_DATABASE_URL).protocol}//${new URL(TEST_DATABASE_URL).host}${new URL(TEST_DATABASE_URL).pathname}$`, 'm'));
      assert.match(added.stdout, /client cli-rp saved \(new: running servers accept it at once\)/);
      const again = await cli('clients', 'add', '--file', good);
      assert.match(again.stdout, /client cli-rp saved \(updated: running servers use the new metadata within CLIENT_CACHE_SECONDS \(30 s in this environment\)\)/);
      const refused = await cli('clients', 'add', '--file', bad);
      assert.equal(refused.status, 1);
      assert.match(refused.stderr, /invalid client metadata/);
      const listed = (await cli('clients', 'list')).stdout;
      assert.match(listed, /cli-rp\tCLI RP/);
      assert.doesNotMatch(listed, /cli-bad/);
      assert.equal((await cli('clients', 'remove', 'cli-rp')).status, 0);
      assert.doesNotMatch((await cli('clients', 'list')).stdout, /cli-rp/);
      const created = await run(['accounts', 'create', '--type', 'citizen', '--level', '2', '--name', 'Phạm Thị Hoa', '--birthdate', '01/02/1990', '--cccd', '001190012399', '--phone', '0987 000 111', '--password-stdin'], 'Hoa@Secret2026\n');
      assert.equal(created.status, 0, created.stderr);
      const dup = await run(['accounts', 'create', '--type', 'citizen', '--level', '2', '--name', 'X', '--birthdate', '01/02/1990', '--cccd', '001190012399', '--phone', '0987000111']);
      assert.equal(dup.status, 1);
      assert.match(dup.stderr, /duplicate/);
      // The counter role for that person, then taken away.
      assert.equal((await cli('officers', 'add', '--cccd', '001190012399', '--officer-id', 'VNP-DN-0007', '--post-office', '550000')).status, 0);
      assert.equal((await s.db('counter_officers').where({ officer_id: 'VNP-DN-0007' }).first())?.post_office, '550000');
      assert.match((await cli('officers', 'remove', 'VNP-DN-0007')).stdout, /removed/);
      assert.equal(await s.db('counter_officers').where({ officer_id: 'VNP-DN-0007' }).first(), undefined);
    });

    it('"cancel and return to the site" and "deny" on consent send access_denied to the RP', async () => {
      const rp = await startRp(s.issuer, CLIENT.client_id, CLIENT.client_secret);
      const agent = newAgent(s.issuer);
      const first = await follow(agent, s.issuer, rp.authUrl);
      const uid = /\/interaction\/([^/?]+)/.exec(first.url!)![1]!;
      const res = await agent.post(`/interaction/${uid}/abort`).type('form').send({ _csrf: csrfOf(first.res!.text) }).redirects(0);
      const end = await follow(agent, s.issuer, res.headers.location as string);
      assert.equal(new URL(end.external!).searchParams.get('error'), 'access_denied');
      const rp2 = await startRp(s.issuer, CLIENT.client_id, CLIENT.client_secret);
      const consent = await loginL1(newAgent(s.issuer), s.issuer, rp2.authUrl, SANDBOX.citizen3, { consent: false });
      assert.match(consent.res!.text, /Đồng ý chia sẻ/);
    });
  });
});
