// The account portal (first slice): it signs people in through our own OIDC flow, shows identity
// information, revokes a connected service (its tokens stop working) and exports the data.
import assert from 'node:assert/strict';
import * as oidc from 'openid-client';
import { startServer, registerClient, SANDBOX, type TestServer } from '../support/server.ts';
import { newAgent, loginL1, follow, csrfOf, pathOf } from '../support/browser.ts';
import { startRp, REDIRECT_URI } from '../support/rp.ts';
import { openPortal } from '../support/portal.ts';
import { deliveredSms } from '../support/outbox.ts';
import { backchannelReceiver, type BackchannelReceiver } from '../support/backchannel.ts';

const RP = { client_id: 'rp-portal', client_secret: 'rp-portal-secret-0123456789abcdef', redirect_uris: [REDIRECT_URI], client_name: 'Dịch vụ công tỉnh', dvc_skip_consent: true };

describe('account portal', () => {
  let s: TestServer;
  before(async () => { s = await startServer(); await registerClient(s.db, RP); });
  after(() => s.close());

  it('signs in through the provider, shows identity, revokes a service and exports data', async () => {
    const agent = newAgent(s.issuer);
    // A relying party the person uses first.
    const rp = await startRp(s.issuer, RP.client_id, RP.client_secret);
    const { tokens } = await rp.finish((await loginL1(agent, s.issuer, rp.authUrl, SANDBOX.citizen2, { consent: false })).external!);

    // The portal: already signed in at the provider, so the OIDC round trip is silent.
    const start = await agent.get('/account').redirects(0);
    assert.equal(start.status, 302);
    assert.match(start.headers.location as string, /\/auth\?/);
    const back = await follow(agent, s.issuer, start.headers.location as string);
    assert.ok(back.res, 'the portal page');
    const page = back.res.text;
    assert.match(page, /Nguyễn Văn An/);
    assert.match(page, /001\*\*\*\*\*\*345/);
    assert.doesNotMatch(page, /001099012345/, 'ID numbers are masked');
    assert.match(page, /Dịch vụ công tỉnh/);

    const grantId = new RegExp('/account/services/([^/]+)/revoke').exec(page)![1]!;
    const revoked = await agent.post(`/account/services/${grantId}/revoke`).type('form').send({ _csrf: csrfOf(page) }).redirects(0);
    assert.equal(revoked.status, 303);
    assert.equal((await oidc.tokenIntrospection(rp.config, tokens.access_token)).active, false, "the service's token no longer works");
    const after = await agent.get(pathOf(revoked.headers.location as string)).expect(200);
    assert.doesNotMatch(after.text, /Dịch vụ công tỉnh/);

    const exported = await agent.get('/account/export').expect(200);
    assert.match(String(exported.headers['content-disposition']), /attachment/);
    assert.equal(exported.body.account.fullName, 'Nguyễn Văn An');
    assert.ok(exported.body.identifiers.some((i: { type: string; value: string }) => i.type === 'cccd' && i.value === SANDBOX.citizen2.username));
    assert.doesNotMatch(JSON.stringify(exported.body), /argon2/, 'no password hash');
    assert.ok(exported.body.history.some((h: { action: string }) => h.action === 'grant.revoke'));
  });

  it('without a session the portal starts a login', async () => {
    const res = await newAgent(s.issuer).get('/account/export').redirects(0);
    assert.equal(res.status, 302);
    assert.match(res.headers.location as string, /client_id=dvc-account/);
  });
});

describe('account portal: login management', () => {
  let s: TestServer;
  let backchannel: BackchannelReceiver;
  let logoutTokens: string[] = [];
  let bcUrl = '';
  before(async () => {
    backchannel = await backchannelReceiver();
    logoutTokens = backchannel.tokens;
    bcUrl = backchannel.url;
    s = await startServer();
    await registerClient(s.db, { ...RP, grant_types: ['authorization_code', 'refresh_token'], backchannel_logout_uri: bcUrl, backchannel_logout_session_required: true });
  });
  after(async () => { await s.close(); backchannel.close(); });

  it('lists sessions with device and IP, ends another one for real (back-channel, refresh token), and keeps history', async () => {
    const phone = newAgent(s.issuer).set('user-agent', 'Phone browser');
    const rpPhone = await startRp(s.issuer, RP.client_id, RP.client_secret, { scope: 'openid offline_access', prompt: 'consent' });
    const phoneTokens = (await rpPhone.finish((await loginL1(phone, s.issuer, rpPhone.authUrl, SANDBOX.citizen3)).external!)).tokens;
    assert.ok(phoneTokens.refresh_token);

    const laptop = newAgent(s.issuer).set('user-agent', 'Laptop browser');
    const rpLaptop = await startRp(s.issuer, RP.client_id, RP.client_secret);
    await rpLaptop.finish((await loginL1(laptop, s.issuer, rpLaptop.authUrl, SANDBOX.citizen3, { consent: false })).external!);
    await follow(laptop, s.issuer, (await laptop.get('/account').redirects(0)).headers.location as string);

    // The account page says what the service receives in words, and what the level means.
    const home = (await laptop.get('/account').expect(200)).text;
    assert.match(home, /<li>Mã định danh tài khoản và mức độ xác thực<\/li>/);
    assert.match(home, /<li>Duy trì truy cập khi bạn không trực tuyến<\/li>/);
    assert.match(home, /xác minh trực tiếp hoặc bằng chữ ký số/);
    const list = await laptop.get('/account/sessions').expect(200);
    assert.match(list.text, /Phone browser/);
    assert.match(list.text, /Laptop browser/);
    assert.match(list.text, /127\.0\.0\.1/);
    const otherId = /\/account\/sessions\/([^/]+)\/end/.exec(list.text)![1]!;
    const ended = await laptop.post(`/account/sessions/${otherId}/end`).type('form').send({ _csrf: csrfOf(list.text) }).redirects(0);
    assert.equal(ended.status, 303);
    assert.equal(logoutTokens.length, 1, 'back-channel logout delivered to the RP');
    await assert.rejects(oidc.refreshTokenGrant(rpPhone.config, phoneTokens.refresh_token!), (e: { error?: string }) => e.error === 'invalid_grant');
    const again = await startRp(s.issuer, RP.client_id, RP.client_secret);
    const phoneNext = await follow(phone, s.issuer, again.authUrl);
    assert.ok(phoneNext.res, 'the phone must sign in again');

    // A wrong password from somewhere else shows up too.
    const stranger = newAgent(s.issuer);
    const rpStranger = await startRp(s.issuer, RP.client_id, RP.client_secret);
    const uid = /\/interaction\/([^/?]+)/.exec((await follow(stranger, s.issuer, rpStranger.authUrl)).url!)![1]!;
    const form = await stranger.get(`/interaction/${uid}/password_otp`).expect(200);
    await stranger.post(`/interaction/${uid}/password_otp`).type('form').send({ _csrf: csrfOf(form.text), username: SANDBOX.citizen3.username, password: 'Wrong#2026x' }).expect(400);

    const history = await laptop.get('/account/history').expect(200);
    assert.match(history.text, /Số CCCD\/CMND và mật khẩu/, 'the method by name');
    assert.match(history.text, /Thành công/);
    assert.match(history.text, /Không thành công/);
    assert.match(history.text, /Dịch vụ công tỉnh/, 'the service by name');
    assert.match(history.text, /Phone browser/);
  });
});

describe('account portal: a session ended elsewhere', () => {
  let s: TestServer;
  before(async () => { s = await startServer(); await registerClient(s.db, RP); });
  after(() => s.close());

  it('the portal open on the other device ends with its provider session', async () => {
    const tablet = await openPortal(s, RP, SANDBOX.citizen3, newAgent(s.issuer).set('user-agent', 'Tablet browser'));
    const laptop = await openPortal(s, RP, SANDBOX.citizen3, newAgent(s.issuer).set('user-agent', 'Laptop browser'));
    await tablet.agent.get('/account').expect(200);
    const flow = await s.db('flows').where({ kind: 'portal_session' }).first();
    assert.ok((flow.data as { sid?: string }).sid, 'the portal knows its provider session');
    const ended = await laptop.agent.post('/account/sessions/end-others').type('form').send({ _csrf: laptop.csrf }).redirects(0);
    assert.equal(ended.status, 303);
    const after = await tablet.agent.get('/account').redirects(0);
    assert.equal(after.status, 302, 'the tablet must sign in again');
    assert.match(after.headers.location as string, /\/auth\?/);
    await laptop.agent.get('/account').expect(200);
  });
});

describe('account portal: password, phone and recent sign-in', () => {
  let s: TestServer;
  before(async () => { s = await startServer(); await registerClient(s.db, RP); });
  after(() => s.close());

  async function portal(who = SANDBOX.citizen2) {
    const agent = newAgent(s.issuer);
    const rp = await startRp(s.issuer, RP.client_id, RP.client_secret);
    await rp.finish((await loginL1(agent, s.issuer, rp.authUrl, who, { consent: false })).external!);
    const home = await follow(agent, s.issuer, (await agent.get('/account').redirects(0)).headers.location as string);
    return { agent, csrf: csrfOf(home.res!.text) };
  }

  it('changes the password with the current one, and tells the phone', async () => {
    const { agent, csrf } = await portal();
    const wrong = await agent.post('/account/password').type('form').send({ _csrf: csrf, current: 'Nope@1234', password: 'MoiMoi#2026', password2: 'MoiMoi#2026' });
    assert.equal(wrong.status, 400);
    assert.match(wrong.text, /Mật khẩu hiện tại không đúng/);
    const ok = await agent.post('/account/password').type('form').send({ _csrf: csrf, current: SANDBOX.citizen2.password, password: 'MoiMoi#2026', password2: 'MoiMoi#2026' });
    assert.equal(ok.status, 200);
    assert.match(ok.text, /Đã đổi mật khẩu/);
    const sms = await agent.get(`/sandbox/sms?to=${encodeURIComponent(SANDBOX.citizen2.phone)}`).set('accept', 'application/json');
    assert.match((sms.body as { text: string }[])[0]!.text, /vua duoc thay doi/);
    const rp = await startRp(s.issuer, RP.client_id, RP.client_secret);
    assert.ok((await loginL1(newAgent(s.issuer), s.issuer, rp.authUrl, { ...SANDBOX.citizen2, password: 'MoiMoi#2026' }, { consent: false })).external);
  });

  it('a phone change needs a recent sign-in, a code to the new number, and notifies the old one', async () => {
    const { agent, csrf } = await portal(SANDBOX.citizen3);
    await s.db('flows').where({ kind: 'portal_session' }).update({ data: s.db.raw("jsonb_set(data, '{authTime}', to_jsonb(extract(epoch from now())::int - 3600))") });
    const stale = await agent.get('/account/phone').redirects(0);
    assert.equal(stale.status, 302);
    assert.match(stale.headers.location as string, /max_age=300/);
    await s.db('flows').where({ kind: 'portal_session' }).update({ data: s.db.raw("jsonb_set(data, '{authTime}', to_jsonb(extract(epoch from now())::int))") });
    const bad = await agent.post('/account/phone').type('form').send({ _csrf: csrf, phone: '0241234567' });
    assert.equal(bad.status, 400);
    const sent = await agent.post('/account/phone').type('form').send({ _csrf: csrf, phone: '0988 111 222' }).redirects(0);
    assert.equal(sent.status, 303);
    const code = /(\d{6})/.exec(((await agent.get('/sandbox/sms?to=%2B84988111222').set('accept', 'application/json')).body as { text: string }[])[0]!.text)![1]!;
    const done = await agent.post('/account/phone/verify').type('form').send({ _csrf: csrf, code }).redirects(0);
    assert.equal(done.headers.location, '/account?phone=1');
    const notice = await agent.get(`/sandbox/sms?to=${encodeURIComponent(SANDBOX.citizen3.phone)}`).set('accept', 'application/json');
    assert.match((notice.body as { text: string }[])[0]!.text, /vua duoc doi sang so khac/);
    const id = await s.db('identifiers').where({ type: 'cccd', value: SANDBOX.citizen3.username }).first();
    const phones = await s.db('identifiers').where({ account_id: id.account_id, type: 'phone' });
    assert.deepEqual(phones.map((p: { value: string }) => p.value), ['+84988111222']);
  });
});

describe('account portal: authenticator app (TOTP) instead of SMS', () => {
  let s: TestServer;
  before(async () => { s = await startServer(); await registerClient(s.db, RP); });
  after(() => s.close());

  it('enrols by QR/secret, then L1 asks for the app code (no SMS), and a recovery code works once', async () => {
    const { generate } = await import('otplib');
    const agent = newAgent(s.issuer);
    const rp0 = await startRp(s.issuer, RP.client_id, RP.client_secret);
    await rp0.finish((await loginL1(agent, s.issuer, rp0.authUrl, SANDBOX.enterprise, { consent: false })).external!);
    await follow(agent, s.issuer, (await agent.get('/account').redirects(0)).headers.location as string);
    const page = await agent.get('/account/totp').expect(200);
    assert.match(page.text, /src="data:image\/png;base64,/);
    const secret = /id="totp-secret">([A-Z2-7]+)</.exec(page.text)![1]!;
    const bad = await agent.post('/account/totp').type('form').send({ _csrf: csrfOf(page.text), code: '000000' });
    assert.equal(bad.status, 400);
    const enrolled = await agent.post('/account/totp').type('form').send({ _csrf: csrfOf(page.text), code: await generate({ secret }) });
    assert.match(enrolled.text, /Mã khôi phục/);
    assert.equal(enrolled.status, 200);
    const codes = [...enrolled.text.matchAll(/<code>([0-9A-F]{5}-[0-9A-F]{5})<\/code>/g)].map((m) => m[1]!);
    assert.equal(codes.length, 10);

    const login = async (code: string) => {
      const a = newAgent(s.issuer);
      const rp = await startRp(s.issuer, RP.client_id, RP.client_secret);
      const first = await follow(a, s.issuer, rp.authUrl);
      const uid = /\/interaction\/([^/?]+)/.exec(first.url!)![1]!;
      const form = await a.get(`/interaction/${uid}/password_otp`).expect(200);
      const smsBefore = (await deliveredSms(s.db));
      const pw = await a.post(`/interaction/${uid}/password_otp`).type('form').send({ _csrf: csrfOf(form.text), username: SANDBOX.enterprise.username, password: SANDBOX.enterprise.password }).redirects(0);
      assert.equal(pw.headers.location, `/interaction/${uid}/password_otp/totp`);
      assert.equal((await deliveredSms(s.db)), smsBefore, 'no SMS');
      const res = await a.post(`/interaction/${uid}/password_otp/totp`).type('form').send({ _csrf: csrfOf(form.text), code }).redirects(0);
      if (res.status !== 303) return { ok: false as const };
      const end = await follow(a, s.issuer, res.headers.location as string);
      return { ok: true as const, idToken: (await rp.finish(end.external!)).idToken };
    };
    const enrolCode = await generate({ secret });
    assert.equal((await login(enrolCode)).ok, false, 'the code used to enrol cannot be replayed to sign in');
    // The next time step's code (within the ±30 s tolerance) is a fresh one.
    const withApp = await login(await generate({ secret, epoch: Math.floor(Date.now() / 1000) + 30 }));
    assert.ok(withApp.ok);
    assert.deepEqual(withApp.idToken.amr, ['pwd', 'otp', 'mfa']);
    assert.ok((await login(codes[0]!)).ok, 'a recovery code works');
    assert.equal((await login(codes[0]!)).ok, false, 'once');
  });
});

describe('account portal: authentication methods and ID reveal', () => {
  let s: TestServer;
  before(async () => { s = await startServer(); await registerClient(s.db, RP); });
  after(() => s.close());

  it('lists credentials, never removes the last way to sign in, and reveals IDs only after a recent sign-in', async () => {
    const agent = newAgent(s.issuer);
    const rp = await startRp(s.issuer, RP.client_id, RP.client_secret);
    await rp.finish((await loginL1(agent, s.issuer, rp.authUrl, SANDBOX.citizen2, { consent: false })).external!);
    const home = await follow(agent, s.issuer, (await agent.get('/account').redirects(0)).headers.location as string);
    const csrf = csrfOf(home.res!.text);

    const list = await agent.get('/account/methods').expect(200);
    assert.match(list.text, /Mật khẩu/);
    assert.match(list.text, /không thể gỡ/);
    assert.match(list.text, /Số điện thoại nhận mã OTP/);
    assert.doesNotMatch(list.text, /912345228/, 'the phone is masked');
    const id = await s.db('identifiers').where({ type: 'cccd', value: SANDBOX.citizen2.username }).first();
    const pw = await s.db('credentials').where({ account_id: id.account_id, type: 'password' }).first();
    const refused = await agent.post(`/account/methods/${pw.id}/remove`).type('form').send({ _csrf: csrf }).redirects(0);
    assert.equal(refused.headers.location, '/account/methods?refused=1');
    assert.ok(await s.db('credentials').where({ id: pw.id }).first(), 'the last way in stays');

    // With a second way in (a linked SIM), the password can go.
    await s.db('credentials').insert({ id: '00000000-0000-4000-8000-0000000000aa', account_id: id.account_id, type: 'sim', config: JSON.stringify({ phone: SANDBOX.citizen2.phone }) });
    const ok = await agent.post(`/account/methods/${pw.id}/remove`).type('form').send({ _csrf: csrf }).redirects(0);
    assert.equal(ok.headers.location, '/account/methods?removed=1');
    assert.equal(await s.db('credentials').where({ id: pw.id }).first(), undefined);
    const sim = await agent.get('/account/methods').expect(200);
    assert.match(sim.text, /không thể gỡ/, 'now the SIM is the last one');

    const reveal = await agent.get('/account/identity/reveal').expect(200);
    assert.match(reveal.text, /001099012345/);
    await s.db('flows').where({ kind: 'portal_session' }).update({ data: s.db.raw("jsonb_set(data, '{authTime}', to_jsonb(extract(epoch from now())::int - 3600))") });
    const stale = await agent.get('/account/identity/reveal').redirects(0);
    assert.match(stale.headers.location as string, /max_age=300/);
  });
});
