// The complaints queue: a complaint filed on the public form reaches the queue; freezing revokes every
// token at once (introspection false, refresh refused), sends back-channel logout and blocks sign-in;
// the outcome is recorded, then the account is restored or closed (its ID number free to register).
// The person who filed is told by SMS at each step.
import assert from 'node:assert/strict';
import * as oidc from 'openid-client';
import { registerClient, startServer, SANDBOX, type TestServer } from '../support/server.ts';
import { csrfOf, follow, loginL1, newAgent, type Agent } from '../support/browser.ts';
import { drained } from '../support/outbox.ts';
import { accountIdOf } from '../support/portal.ts';
import { REDIRECT_URI, startRp } from '../support/rp.ts';
import { setRoles, signInStaff, STAFF } from './staff-session.ts';
import { backchannelReceiver, type BackchannelReceiver } from '../support/backchannel.ts';

const RP = { client_id: 'rp-complaint', client_secret: 'rp-complaint-secret-0123456789abcdef', redirect_uris: [REDIRECT_URI], dvc_skip_consent: true, grant_types: ['authorization_code', 'refresh_token'] };
const COMPLAINANT = '+84913777001';
const STORY = 'Tôi chưa từng đăng ký nhưng trang báo số CCCD của tôi đã có tài khoản.';

describe('admin console: complaints', () => {
  let s: TestServer;
  let staff: Agent;
  let csrf: string;
  let backchannel: BackchannelReceiver;
  let logoutTokens: string[] = [];
  before(async () => {
    backchannel = await backchannelReceiver();
    logoutTokens = backchannel.tokens;
    s = await startServer();
    await registerClient(s.db, { ...RP, backchannel_logout_uri: backchannel.url, backchannel_logout_session_required: true });
    await setRoles(s, ['support']);
    const got = await signInStaff(s, '/admin/complaints');
    staff = got.agent;
    csrf = csrfOf(got.res.text);
  });
  after(async () => { await s.close(); backchannel.close(); });

  const file = async (idNumber: string) => {
    const agent = newAgent(s.issuer);
    const page = await agent.get('/complaints/new').expect(200);
    const res = await agent.post('/complaints/new').type('form').send({ _csrf: csrfOf(page.text), idNumber, fullName: 'Người Khiếu Nại', phone: COMPLAINANT, email: '', description: STORY }).redirects(0);
    assert.equal(res.status, 303);
    return /\/complaints\/([^/]+)\/received/.exec(String(res.headers.location))![1]!;
  };
  const step = (ref: string, path: string, body: Record<string, string> = {}) => staff.post(`/admin/complaints/${ref}/${path}`).type('form').send({ _csrf: csrf, confirm: 'yes', ...body }).redirects(0);
  const smsTo = async (phone: string) => { await drained(s.db); return (await s.db('sandbox_sms').where({ to: phone }).orderBy('id')).map((r: { text: string }) => r.text); };

  it('freeze: tokens die at once (introspection false, refresh refused), the RP gets back-channel logout, no sign-in; then restore', async () => {
    const rp = await startRp(s.issuer, RP.client_id, RP.client_secret, { scope: 'openid offline_access', prompt: 'consent' });
    const { tokens } = await rp.finish((await loginL1(newAgent(s.issuer), s.issuer, rp.authUrl, SANDBOX.citizen2)).external!);
    assert.equal((await oidc.tokenIntrospection(rp.config, tokens.access_token)).active, true);

    const ref = await file(SANDBOX.citizen2.username);
    const queue = await staff.get('/admin/complaints').expect(200);
    assert.match(queue.text, new RegExp(ref));
    const page = await staff.get(`/admin/complaints/${ref}`).expect(200);
    assert.match(page.text, /Nguyễn Văn An/);
    assert.doesNotMatch(page.text, /001099012345|913777001/, 'numbers masked');

    assert.equal((await step(ref, 'freeze', { confirm: '' })).status, 400, 'a confirmation is needed');
    const frozen = await step(ref, 'freeze');
    assert.equal(frozen.status, 303);
    const accountId = await accountIdOf(s, 'cccd', SANDBOX.citizen2.username);
    assert.equal((await s.db('accounts').where({ id: accountId }).first()).status, 'frozen');
    assert.equal((await oidc.tokenIntrospection(rp.config, tokens.access_token)).active, false);
    await assert.rejects(oidc.refreshTokenGrant(rp.config, tokens.refresh_token!), (e: { error?: string }) => e.error === 'invalid_grant');
    assert.equal(logoutTokens.length, 1, 'back-channel logout delivered');
    const claims = JSON.parse(Buffer.from(logoutTokens[0]!.split('.')[1]!, 'base64url').toString()) as { sub: string; sid?: string };
    assert.equal(claims.sub, accountId);
    const audit = await s.db('audit_events').where({ action: 'complaint.freeze', account_id: accountId }).first();
    assert.equal(audit.actor, `staff:${STAFF.staffId}@${STAFF.office}`);
    assert.equal((await step(ref, 'freeze')).status, 409, 'a second freeze changes nothing');

    // No sign-in by any method while frozen.
    const again = await startRp(s.issuer, RP.client_id, RP.client_secret);
    const agent = newAgent(s.issuer);
    const first = await follow(agent, s.issuer, again.authUrl);
    const uid = /\/interaction\/([^/?]+)/.exec(first.url!)![1]!;
    const form = await agent.get(`/interaction/${uid}/password_otp`).expect(200);
    const tried = await agent.post(`/interaction/${uid}/password_otp`).type('form').send({ _csrf: csrfOf(form.text), username: SANDBOX.citizen2.username, password: SANDBOX.citizen2.password }).redirects(0);
    assert.notEqual(tried.status, 303, 'the password login refuses a frozen account');

    assert.equal((await step(ref, 'restore')).status, 409, 'restore needs the outcome first');
    assert.equal((await step(ref, 'outcome', { note: 'short', checked: 'yes' })).status, 400);
    assert.equal((await step(ref, 'outcome', { note: 'Đã kiểm tra CCCD: người khiếu nại nhầm số.', checked: 'yes' })).status, 303);
    assert.equal((await step(ref, 'restore')).status, 303);
    assert.equal((await s.db('accounts').where({ id: accountId }).first()).status, 'active');
    assert.equal((await s.db('complaints').where({ reference: ref }).first()).status, 'restored');
    const texts = (await smsTo(COMPLAINANT)).join('\n');
    for (const m of [/tam khoa/, /ket qua kiem tra/, /khoi phuc/]) assert.match(texts, m);
    await loginL1(newAgent(s.issuer), s.issuer, '/account', SANDBOX.citizen2);
  });

  it('close: the account goes, and the rightful person can register with the ID number', async () => {
    const ref = await file(SANDBOX.enterprise.username);
    assert.equal((await step(ref, 'freeze')).status, 303);
    assert.equal((await step(ref, 'close')).status, 409);
    assert.equal((await step(ref, 'outcome', { note: 'Giấy phép kinh doanh gốc thuộc người khiếu nại.', checked: 'yes' })).status, 303);
    assert.equal((await step(ref, 'close')).status, 303);
    assert.equal(await s.db('identifiers').where({ type: 'mst', value: SANDBOX.enterprise.username }).first(), undefined, 'the tax code is free');
    assert.equal((await s.db('complaints').where({ reference: ref }).first()).status, 'closed');
    assert.match((await smsTo(COMPLAINANT)).at(-1)!, /da bi dong/);
    assert.equal((await s.db('complaint_steps').where({ reference: ref })).length, 3);
  });

  it('a staff member cannot act on a complaint about their own account', async () => {
    const ref = await file(STAFF.cccd);
    const res = await step(ref, 'freeze');
    assert.equal(res.status, 403);
    assert.match(res.text, /chính mình/);
    assert.equal((await s.db('accounts').where({ id: await accountIdOf(s, 'cccd', STAFF.cccd) }).first()).status, 'active');
  });
});
