// The portal adds a SIM through the SIM method's own steps (raising a level-2 citizen to 3), and
// closes an account: what goes at once, what stays for the retention period, then goes too.
import assert from 'node:assert/strict';
import * as oidc from 'openid-client';
import { closeAccount, purgeClosedAccounts, purgeOldAuditEvents } from '../../src/identity/close-account.ts';
import { startServer, registerClient, SANDBOX, type TestServer } from '../support/server.ts';
import { newAgent, follow, csrfOf, pathOf, loginL1, type Agent } from '../support/browser.ts';
import { REDIRECT_URI, startRp } from '../support/rp.ts';
import { approveOnPhone } from '../support/phone.ts';
import { accountIdOf, ageSignIn, openPortal } from '../support/portal.ts';

const RP = { client_id: 'rp-link', client_secret: 'rp-link-secret-0123456789abcdefgh', redirect_uris: [REDIRECT_URI], client_name: 'Dịch vụ công tỉnh', dvc_skip_consent: true };
const THIRD = { client_id: 'rp-third', client_secret: 'rp-third-secret-0123456789abcdefg', redirect_uris: [REDIRECT_URI], client_name: 'Dịch vụ bên ngoài' };

/** From "add a SIM" in the portal to the SIM method's waiting page. */
async function linkSim(s: TestServer, agent: Agent, csrf: string, phone: string) {
  const started = await agent.post('/account/methods/link/sim').type('form').send({ _csrf: csrf }).redirects(0);
  assert.equal(started.status, 302);
  assert.match(started.headers.location as string, /dvc_link=sim/);
  const page = await follow(agent, s.issuer, started.headers.location as string);
  assert.match(page.url!, /\/interaction\/[^/]+\/sim$/, 'straight into the SIM steps');
  const uid = /\/interaction\/([^/]+)\/sim/.exec(page.url!)![1]!;
  const sent = await agent.post(`/interaction/${uid}/sim`).type('form').send({ _csrf: csrfOf(page.res!.text), phone }).redirects(0);
  assert.equal(sent.status, 303);
  return { uid, authUrl: started.headers.location as string };
}

describe('account portal: adding a SIM', () => {
  let s: TestServer;
  before(async () => { s = await startServer(); await registerClient(s.db, RP); await registerClient(s.db, THIRD); });
  after(() => s.close());

  it('a level-2 citizen links their own SIM from the portal and is level 3, without signing out', async () => {
    const { agent, csrf, home } = await openPortal(s, RP, SANDBOX.citizen2);
    assert.match(home, /Nâng tài khoản lên mức độ 3/);
    const { uid } = await linkSim(s, agent, csrf, SANDBOX.citizen2.phone);
    await approveOnPhone(s.issuer, SANDBOX.citizen2.phone);
    const done = await agent.get(`/interaction/${uid}/sim/wait`).redirects(0);
    assert.equal(done.status, 303);
    const back = await follow(agent, s.issuer, done.headers.location as string);
    assert.equal(pathOf(back.url!), '/account/methods?linked=1');
    assert.match(back.res!.text, /Đã liên kết phương thức xác thực/);
    assert.match(back.res!.text, /\+84\*+228|\*{3,}228/, 'the SIM is listed, masked');
    const id = await accountIdOf(s, 'cccd', SANDBOX.citizen2.username);
    assert.equal((await s.db('accounts').where({ id }).first()).level, 3);
    assert.ok(await s.db('credential_identifiers').where({ type: 'sim', identifier: SANDBOX.citizen2.phone }).first());
    assert.ok(await s.db('audit_events').where({ action: 'account.level_raised', account_id: id }).first());
    const sms = await agent.get(`/sandbox/sms?to=${encodeURIComponent(SANDBOX.citizen2.phone)}`).set('accept', 'application/json');
    assert.match((sms.body as { text: string }[])[0]!.text, /vua duoc lien ket/, 'the phone is told');
    const homeNow = await agent.get('/account').expect(200);
    assert.doesNotMatch(homeNow.text, /Nâng tài khoản lên mức độ 3/, 'nothing left to raise');
  });

  it("another person's SIM is refused and nothing is linked", async () => {
    const { agent, csrf } = await openPortal(s, RP, SANDBOX.citizen3);
    const { uid } = await linkSim(s, agent, csrf, '0911000007');
    await approveOnPhone(s.issuer, '+84911000007');
    const page = await agent.get(`/interaction/${uid}/sim/wait`).redirects(0);
    assert.equal(page.status, 403);
    assert.match(page.text, /thuộc về người khác/);
    assert.equal(await s.db('credential_identifiers').where({ type: 'sim', identifier: '+84911000007' }).first(), undefined);
  });

  it('only first-party clients can ask for a link, and only of a method that links', async () => {
    const { agent, csrf } = await openPortal(s, RP, SANDBOX.enterprise);
    const started = await agent.post('/account/methods/link/sim').type('form').send({ _csrf: csrf }).redirects(0);
    const unknown = await follow(agent, s.issuer, (started.headers.location as string).replace('dvc_link=sim', 'dvc_link=password_otp'));
    assert.equal(unknown.res!.status, 400);
    assert.match(unknown.res!.text, /không thể thêm vào tài khoản/);
    // A third-party site sending the parameter gets the ordinary single sign-on (here: its consent page).
    const rp = await startRp(s.issuer, THIRD.client_id, THIRD.client_secret, { dvc_link: 'sim' });
    const third = await follow(agent, s.issuer, rp.authUrl);
    assert.doesNotMatch(pathOf(third.url!), /\/sim$/);
    assert.match(third.res!.text, /Dịch vụ bên ngoài/);
  });
});

describe('account portal: closing the account', () => {
  let s: TestServer;
  before(async () => { s = await startServer(); await registerClient(s.db, RP); });
  after(() => s.close());

  it('needs a recent sign-in and a confirmation, deletes personal data and every way in, keeps the audit trail', async () => {
    const { agent, csrf, rp, tokens } = await openPortal(s, RP, SANDBOX.citizen2);
    const id = await accountIdOf(s, 'cccd', SANDBOX.citizen2.username);
    await ageSignIn(s);
    const stale = await agent.get('/account/close').redirects(0);
    assert.match(stale.headers.location as string, /max_age=300/);
    await ageSignIn(s, 0);
    const page = await agent.get('/account/close').expect(200);
    assert.match(page.text, /24 tháng/, 'says how long the log is kept');
    const unconfirmed = await agent.post('/account/close').type('form').send({ _csrf: csrf });
    assert.equal(unconfirmed.status, 400);
    assert.equal((await s.db('accounts').where({ id }).first()).status, 'active');

    const closed = await agent.post('/account/close').type('form').send({ _csrf: csrf, confirm: 'yes' });
    assert.equal(closed.status, 200);
    assert.match(closed.text, /Tài khoản đã được đóng/);
    const row = await s.db('accounts').where({ id }).first();
    assert.equal(row.status, 'closed');
    assert.equal(row.full_name, null);
    assert.equal(row.birthdate, null);
    assert.ok(row.closed_at);
    for (const t of ['identifiers', 'credentials', 'session_meta', 'oidc_models']) assert.equal((await s.db(t).where({ account_id: id })).length, 0, t);
    assert.equal((await oidc.tokenIntrospection(rp.config, tokens.access_token)).active, false, "the services' tokens stop working");
    assert.ok(await s.db('audit_events').where({ account_id: id, action: 'account.close' }).first());
    const sms = await agent.get(`/sandbox/sms?to=${encodeURIComponent(SANDBOX.citizen2.phone)}`).set('accept', 'application/json');
    assert.match((sms.body as { text: string }[])[0]!.text, /vua duoc dong/);
    const again = await agent.get('/account').redirects(0);
    assert.equal(again.status, 302, 'the portal session is gone');

    // The same ID number and password sign in no more.
    const stranger = newAgent(s.issuer);
    const rp2 = await startRp(s.issuer, RP.client_id, RP.client_secret);
    const uid = /\/interaction\/([^/?]+)/.exec((await follow(stranger, s.issuer, rp2.authUrl)).url!)![1]!;
    const form = await stranger.get(`/interaction/${uid}/password_otp`).expect(200);
    const refused = await stranger.post(`/interaction/${uid}/password_otp`).type('form').send({ _csrf: csrfOf(form.text), username: SANDBOX.citizen2.username, password: SANDBOX.citizen2.password });
    assert.equal(refused.status, 400);

    // After the retention period the tombstone and its log go too.
    assert.equal(await purgeClosedAccounts(s.db, 730), 0, 'kept within the period');
    await s.db('accounts').where({ id }).update({ closed_at: s.db.raw("now() - interval '731 days'") });
    assert.equal(await purgeClosedAccounts(s.db, 730), 1);
    assert.equal(await s.db('accounts').where({ id }).first(), undefined);
    assert.equal((await s.db('audit_events').where({ account_id: id })).length, 0);
  });

  it('audit events of any account are kept for the retention period, then deleted', async () => {
    await s.db('audit_events').insert({ action: 'login', actor: 'self', result: 'success', at: s.db.raw("now() - interval '800 days'") });
    await s.db('audit_events').insert({ action: 'login', actor: 'self', result: 'success', at: s.db.raw("now() - interval '100 days'") });
    const before = Number(((await s.db('audit_events').count('* as n').first()) as { n: unknown }).n);
    assert.equal(await purgeOldAuditEvents(s.db, 730), 1);
    assert.equal(Number(((await s.db('audit_events').count('* as n').first()) as { n: unknown }).n), before - 1);
  });

  it('closing twice changes nothing the second time', async () => {
    const id = await accountIdOf(s, 'cccd', SANDBOX.citizen3.username);
    await closeAccount(s.db, id);
    const at = (await s.db('accounts').where({ id }).first()).closed_at;
    await closeAccount(s.db, id);
    assert.deepEqual((await s.db('accounts').where({ id }).first()).closed_at, at);
  });
});

describe('account portal: an account without a password', () => {
  let s: TestServer;
  before(async () => { s = await startServer(); await registerClient(s.db, RP); });
  after(() => s.close());

  it('may set one after a recent sign-in (no current password asked), then signs in with it', async () => {
    const { agent, csrf } = await openPortal(s, RP, SANDBOX.citizen3);
    const id = await accountIdOf(s, 'cccd', SANDBOX.citizen3.username);
    // As if registered by signature: no password yet.
    await s.db('credentials').where({ account_id: id, type: 'password' }).delete();
    await s.db('credentials').insert({ id: '00000000-0000-4000-8000-0000000000bb', account_id: id, type: 'sim', config: JSON.stringify({ phone: SANDBOX.citizen3.phone }) });
    await ageSignIn(s);
    assert.match((await agent.get('/account/password').redirects(0)).headers.location as string, /max_age=300/);
    await ageSignIn(s, 0);
    const page = await agent.get('/account/password').expect(200);
    assert.match(page.text, /Đặt mật khẩu/);
    assert.doesNotMatch(page.text, /Mật khẩu hiện tại/);
    const weak = await agent.post('/account/password').type('form').send({ _csrf: csrf, password: 'abc', password2: 'abc' });
    assert.equal(weak.status, 400);
    assert.equal((await s.db('credentials').where({ account_id: id, type: 'password' })).length, 0);
    const ok = await agent.post('/account/password').type('form').send({ _csrf: csrf, password: 'MatKhau#2026', password2: 'MatKhau#2026' });
    assert.equal(ok.status, 200);
    assert.ok(await s.db('audit_events').where({ account_id: id, action: 'credential.add', method: 'password' }).first());
    const rp = await startRp(s.issuer, RP.client_id, RP.client_secret);
    assert.ok((await loginL1(newAgent(s.issuer), s.issuer, rp.authUrl, { ...SANDBOX.citizen3, password: 'MatKhau#2026' }, { consent: false })).external);
  });
});
