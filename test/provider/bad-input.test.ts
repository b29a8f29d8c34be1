// Bad input of every kind: the right error, and nothing changed.
import assert from 'node:assert/strict';
import { startServer, registerClient, SANDBOX, type TestServer } from '../support/server.ts';
import { newAgent, loginL1, follow, csrfOf, latestOtp } from '../support/browser.ts';
import { startRp, REDIRECT_URI } from '../support/rp.ts';
import { drained } from '../support/outbox.ts';

const CLIENT = { client_id: 'rp-bad', client_secret: 'rp-bad-secret-0123456789abcdefgh', redirect_uris: [REDIRECT_URI], dvc_skip_consent: true };
const PUBLIC = { client_id: 'rp-public', token_endpoint_auth_method: 'none', redirect_uris: [REDIRECT_URI], dvc_skip_consent: true };

async function openLoginForm(s: TestServer, params: Record<string, string> = {}) {
  const rp = await startRp(s.issuer, CLIENT.client_id, CLIENT.client_secret, params);
  const agent = newAgent(s.issuer);
  const first = await follow(agent, s.issuer, rp.authUrl);
  const uid = /\/interaction\/([^/?]+)/.exec(first.url!)![1]!;
  const form = await agent.get(`/interaction/${uid}/password_otp`).expect(200);
  return { rp, agent, uid, csrf: csrfOf(form.text) };
}

async function countRows(s: TestServer, table: string): Promise<number> {
  if (table === 'sandbox_sms') await drained(s.db); // a queued SMS counts as sent
  const r = (await s.db(table).count('* as n').first()) as { n: unknown };
  return Number(r.n);
}

describe('bad input', () => {
  let s: TestServer;
  before(async () => {
    s = await startServer({ OTP_MAX_ATTEMPTS: '3', LOGIN_MAX_FAILURES_PER_ACCOUNT: '4' });
    await registerClient(s.db, CLIENT);
    await registerClient(s.db, PUBLIC);
  });
  after(() => s.close());

  it('wrong password: a generic message, no session, no OTP sent', async () => {
    const { agent, uid, csrf } = await openLoginForm(s);
    const before = await countRows(s, 'sandbox_sms');
    const res = await agent.post(`/interaction/${uid}/password_otp`).type('form').send({ _csrf: csrf, username: SANDBOX.citizen3.username, password: 'Wrong@Pass1' }).redirects(0);
    assert.equal(res.status, 400);
    assert.match(res.text, /Tên đăng nhập hoặc mật khẩu không đúng/);
    assert.equal(await countRows(s, 'sandbox_sms'), before);
  });

  it('unknown ID and malformed ID are refused with field errors', async () => {
    const { agent, uid, csrf } = await openLoginForm(s);
    const res = await agent.post(`/interaction/${uid}/password_otp`).type('form').send({ _csrf: csrf, username: '12ab', password: 'x' }).redirects(0);
    assert.equal(res.status, 400);
    assert.match(res.text, /aria-invalid="true"/);
    assert.match(res.text, /id="username-error"/);
  });

  it('too many wrong passwords lock the account for the window, even in parallel', async () => {
    const { agent, uid, csrf } = await openLoginForm(s);
    const who = SANDBOX.enterprise.username;
    const tries = await Promise.all(Array.from({ length: 8 }, () =>
      agent.post(`/interaction/${uid}/password_otp`).type('form').send({ _csrf: csrf, username: who, password: 'Wrong@Pass1' }).redirects(0)));
    assert.equal(tries.filter((r) => r.status === 429).length, 4, 'exactly the attempts past the limit are refused');
    const right = await agent.post(`/interaction/${uid}/password_otp`).type('form').send({ _csrf: csrf, username: who, password: SANDBOX.enterprise.password }).redirects(0);
    assert.equal(right.status, 429, 'even the right password waits for the window');
    await s.db('rate_limits').where('key', 'like', 'login:acct:%').delete();
  });

  it('wrong, expired and reused OTPs, and too many attempts', async () => {
    const { agent, uid, csrf, rp } = await openLoginForm(s);
    await agent.post(`/interaction/${uid}/password_otp`).type('form').send({ _csrf: csrf, username: SANDBOX.citizen2.username, password: SANDBOX.citizen2.password }).expect(303);
    const otpUrl = `/interaction/${uid}/password_otp/otp`;
    const wrong = await agent.post(otpUrl).type('form').send({ _csrf: csrf, code: '000000' });
    const real = await latestOtp(agent, SANDBOX.citizen2.phone);
    assert.equal(wrong.status, 400);
    assert.match(wrong.text, /Mã OTP không đúng/);
    // Expired: move the challenge's expiry into the past.
    await s.db('otp_challenges').where({ flow_id: `${uid}:password_otp` }).update({ expires_at: new Date(Date.now() - 1000) });
    const expired = await agent.post(otpUrl).type('form').send({ _csrf: csrf, code: real });
    assert.match(expired.text, /hết hạn/);
    // A new code; the old one no longer works.
    await agent.post(`/interaction/${uid}/password_otp/resend`).type('form').send({ _csrf: csrf }).expect(200);
    const fresh = await latestOtp(agent, SANDBOX.citizen2.phone);
    assert.notEqual(fresh, real);
    await agent.post(otpUrl).type('form').send({ _csrf: csrf, code: '111111' === fresh ? '222222' : '111111' }).expect(400);
    await agent.post(otpUrl).type('form').send({ _csrf: csrf, code: '111112' === fresh ? '222223' : '111112' }).expect(400);
    const third = await agent.post(otpUrl).type('form').send({ _csrf: csrf, code: '111113' === fresh ? '222224' : '111113' });
    assert.match(third.text, /quá số lần/);
    const blocked = await agent.post(otpUrl).type('form').send({ _csrf: csrf, code: fresh });
    assert.equal(blocked.status, 400, 'the right code is refused once the attempts are spent');
    // Another new code works and cannot be used twice.
    await agent.post(`/interaction/${uid}/password_otp/resend`).type('form').send({ _csrf: csrf }).expect(200);
    const good = await latestOtp(agent, SANDBOX.citizen2.phone);
    const ok = await agent.post(otpUrl).type('form').send({ _csrf: csrf, code: good }).redirects(0);
    assert.equal(ok.status, 303);
    const reuse = await agent.post(otpUrl).type('form').send({ _csrf: csrf, code: good }).redirects(0);
    assert.notEqual(reuse.status, 200);
    const end = await follow(agent, s.issuer, ok.headers.location as string);
    assert.ok(end.external);
    await rp.finish(end.external);
  });

  it('a tampered CSRF token is refused and nothing is sent', async () => {
    const { agent, uid } = await openLoginForm(s);
    const before = await countRows(s, 'sandbox_sms');
    const res = await agent.post(`/interaction/${uid}/password_otp`).type('form').send({ _csrf: 'forged', username: SANDBOX.citizen2.username, password: SANDBOX.citizen2.password });
    assert.equal(res.status, 403);
    assert.match(res.text, /Biểu mẫu đã hết hạn/);
    assert.equal(await countRows(s, 'sandbox_sms'), before);
  });

  it('unknown client and unregistered redirect_uri: an error page, never a redirect', async () => {
    const agent = newAgent(s.issuer);
    const unknown = await agent.get('/auth?client_id=nobody&response_type=code&scope=openid&redirect_uri=' + encodeURIComponent(REDIRECT_URI)).redirects(0);
    assert.equal(unknown.status, 400);
    assert.match(unknown.text, /chưa được đăng ký/);
    const evil = await agent.get(`/auth?client_id=${CLIENT.client_id}&response_type=code&scope=openid&redirect_uri=${encodeURIComponent('https://evil.example/cb')}`).redirects(0);
    assert.equal(evil.status, 400);
    assert.equal(evil.headers.location, undefined);
  });

  it('a public client without PKCE is refused', async () => {
    const agent = newAgent(s.issuer);
    const res = await agent.get(`/auth?client_id=${PUBLIC.client_id}&response_type=code&scope=openid&redirect_uri=${encodeURIComponent(REDIRECT_URI)}&state=s1`).redirects(0);
    const loc = new URL(res.headers.location as string);
    assert.equal(loc.searchParams.get('error'), 'invalid_request');
    assert.match(loc.searchParams.get('error_description') ?? '', /PKCE/);
  });

  it('a replayed authorization code is refused and revokes what the first use issued', async () => {
    const rp = await startRp(s.issuer, CLIENT.client_id, CLIENT.client_secret);
    const end = await loginL1(newAgent(s.issuer), s.issuer, rp.authUrl, SANDBOX.citizen2, { consent: false });
    const { tokens } = await rp.finish(end.external!);
    await assert.rejects(rp.finish(end.external!), (e: { error?: string }) => e.error === 'invalid_grant');
    const intro = await newAgent(s.issuer).post('/token/introspection').auth(CLIENT.client_id, CLIENT.client_secret).type('form').send({ token: tokens.access_token });
    assert.equal(intro.body.active, false, 'the first access token is revoked after the replay');
  });

  it('NUL bytes in protocol parameters get invalid_request, not a server error', async () => {
    const agent = newAgent(s.issuer);
    const res = await agent.get(`/auth?client_id=${CLIENT.client_id}&response_type=code&scope=openid&state=a%00b&redirect_uri=${encodeURIComponent(REDIRECT_URI)}`).redirects(0);
    assert.equal(res.status, 400);
    assert.equal(res.body.error, 'invalid_request');
    const tok = await agent.post('/token').auth(CLIENT.client_id, CLIENT.client_secret).type('form').send('grant_type=authorization_code&code=abc%00&redirect_uri=x');
    assert.equal(tok.status, 400);
    assert.equal(tok.body.error, 'invalid_request');
  });

  it('an expired interaction shows a plain-words page', async () => {
    const res = await newAgent(s.issuer).get('/interaction/does-not-exist').redirects(0);
    assert.equal(res.status, 400);
    assert.match(res.text, /hết hạn/);
  });
});
