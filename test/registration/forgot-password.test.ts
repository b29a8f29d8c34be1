// Forgot password end to end: same answers for unknown IDs, new password, everything revoked.
import assert from 'node:assert/strict';
import * as oidc from 'openid-client';
import { startServer, registerClient, SANDBOX, type TestServer } from '../support/server.ts';
import { newAgent, csrfOf, latestOtp, loginL1, follow, type Agent } from '../support/browser.ts';
import { startRp, REDIRECT_URI } from '../support/rp.ts';
import { deliveredSms } from '../support/outbox.ts';

const CLIENT = { client_id: 'rp-forgot', client_secret: 'rp-forgot-secret-0123456789abcdef', redirect_uris: [REDIRECT_URI], grant_types: ['authorization_code', 'refresh_token'], dvc_skip_consent: true };

async function start(agent: Agent, username: string) {
  const form = await agent.get('/forgot').expect(200);
  const csrf = csrfOf(form.text);
  const res = await agent.post('/forgot').type('form').send({ _csrf: csrf, username }).redirects(0);
  return { res, csrf };
}

const smsCount = (s: TestServer): Promise<number> => deliveredSms(s.db);

describe('forgot password', () => {
  let s: TestServer;
  before(async () => { s = await startServer(); await registerClient(s.db, CLIENT); });
  after(() => s.close());

  it('an unknown ID gets the same pages as a known one, and no SMS is sent', async () => {
    const before = await smsCount(s);
    const a = newAgent(s.issuer);
    const unknown = await start(a, '001099099999');
    assert.equal(unknown.res.status, 303);
    const known = await start(a, SANDBOX.enterprise.username);
    assert.equal(known.res.status, 303);
    assert.equal(await smsCount(s), before + 1, 'only the real account got a code');
    const pageUnknown = (await a.get(unknown.res.headers.location as string)).text;
    const pageKnown = (await a.get(known.res.headers.location as string)).text;
    const strip = (h: string) => h.replace(/\/forgot\/[^/"]+\//g, '/forgot/X/').replace(/value="[^"]+"/g, '');
    assert.equal(strip(pageUnknown), strip(pageKnown));
    assert.doesNotMatch(pageKnown, /090\*/, 'no masked phone either');
    const wrong = await a.post(unknown.res.headers.location as string).type('form').send({ _csrf: unknown.csrf, code: '123456' });
    assert.equal(wrong.status, 400);
    assert.match(wrong.text, /Mã OTP không đúng/);
  });

  it('resets the password, revokes refresh tokens and sessions, and sends a notice', async () => {
    const rp = await startRp(s.issuer, CLIENT.client_id, CLIENT.client_secret, { scope: 'openid offline_access', prompt: 'consent' });
    const browser = newAgent(s.issuer);
    const end = await loginL1(browser, s.issuer, rp.authUrl, SANDBOX.citizen3);
    const { tokens } = await rp.finish(end.external!);
    assert.ok(tokens.refresh_token);

    const agent = newAgent(s.issuer);
    const { res, csrf } = await start(agent, SANDBOX.citizen3.username);
    const otpUrl = res.headers.location as string;
    const ok = await agent.post(otpUrl).type('form').send({ _csrf: csrf, code: await latestOtp(agent, SANDBOX.citizen3.phone) }).redirects(0);
    assert.equal(ok.status, 303);
    const pwUrl = ok.headers.location as string;
    const same = await agent.post(pwUrl).type('form').send({ _csrf: csrf, password: SANDBOX.citizen3.password, password2: SANDBOX.citizen3.password });
    assert.equal(same.status, 400);
    assert.match(same.text, /khác mật khẩu hiện tại/);
    const done = await agent.post(pwUrl).type('form').send({ _csrf: csrf, password: 'MoiDoi#2026', password2: 'MoiDoi#2026' });
    assert.equal(done.status, 200);
    assert.match(done.text, /đăng xuất khỏi mọi thiết bị/);

    await assert.rejects(oidc.refreshTokenGrant(rp.config, tokens.refresh_token), (e: { error?: string }) => e.error === 'invalid_grant');
    const notice = await agent.get(`/sandbox/sms?to=${encodeURIComponent(SANDBOX.citizen3.phone)}`).set('accept', 'application/json');
    assert.match((notice.body as { text: string }[])[0]!.text, /vua duoc thay doi/);
    // The old browser session is gone: the RP's next request asks for a login again.
    const again = await startRp(s.issuer, CLIENT.client_id, CLIENT.client_secret);
    const next = await follow(browser, s.issuer, again.authUrl);
    assert.ok(next.res, 'a login page, not a silent SSO');
    // The new password works.
    const relog = await loginL1(newAgent(s.issuer), s.issuer, again.authUrl, { ...SANDBOX.citizen3, password: 'MoiDoi#2026' }, { consent: false });
    assert.ok(relog.external);
    await s.db('credentials').where({ type: 'password' }).whereIn('account_id', s.db('identifiers').select('account_id').where({ type: 'cccd', value: SANDBOX.citizen3.username })).delete();
  });

  it('from the login page, inside the interaction', async () => {
    const rp = await startRp(s.issuer, CLIENT.client_id, CLIENT.client_secret);
    const agent = newAgent(s.issuer);
    const first = await follow(agent, s.issuer, rp.authUrl);
    const uid = /\/interaction\/([^/?]+)/.exec(first.url!)![1]!;
    const login = await agent.get(`/interaction/${uid}/password_otp`).expect(200);
    assert.match(login.text, new RegExp(`href="/interaction/${uid}/forgot"`));
    const form = await agent.get(`/interaction/${uid}/forgot`).expect(200);
    const res = await agent.post(`/interaction/${uid}/forgot`).type('form').send({ _csrf: csrfOf(form.text), username: 'not-an-id' });
    assert.equal(res.status, 400);
    assert.match(res.text, /id="username-error"/);
  });

  it('one reset, one password: two submissions of the last step at once set exactly one', async () => {
    const resets = async () => Number((await s.db('audit_events').where({ action: 'password.reset' }).count<{ n: number }[]>({ n: '*' }))[0]!.n);
    const resetsBefore = await resets();
    const agent = newAgent(s.issuer);
    const { res, csrf } = await start(agent, SANDBOX.enterprise.username);
    const ok = await agent.post(res.headers.location as string).type('form').send({ _csrf: csrf, code: await latestOtp(agent, SANDBOX.enterprise.phone) }).redirects(0);
    const pwUrl = ok.headers.location as string;
    const tries = ['HaiLan#2026a', 'HaiLan#2026b'];
    const answers = await Promise.all(tries.map((p) => agent.post(pwUrl).type('form').send({ _csrf: csrf, password: p, password2: p })));
    assert.deepEqual(answers.map((a) => a.status).sort(), [200, 410]);
    const winner = tries[answers.findIndex((a) => a.status === 200)]!;
    const loser = tries.find((p) => p !== winner)!;
    const rp = await startRp(s.issuer, CLIENT.client_id, CLIENT.client_secret);
    const refused = await loginL1(newAgent(s.issuer), s.issuer, rp.authUrl, { ...SANDBOX.enterprise, password: loser }, { consent: false }).catch(() => undefined);
    assert.ok(!refused?.external, 'the losing password does not sign in');
    const signed = await loginL1(newAgent(s.issuer), s.issuer, (await startRp(s.issuer, CLIENT.client_id, CLIENT.client_secret)).authUrl, { ...SANDBOX.enterprise, password: winner }, { consent: false });
    assert.ok(signed.external, 'the winning password signs in');
    assert.equal(await resets(), resetsBefore + 1, 'one reset audited');
  });
});
