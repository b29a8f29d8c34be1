// The support desk end to end: a lookup with a reason (audited, in the citizen's own history), what
// staff see (never a secret), each action after the in-person check with its audit row and the SMS the
// citizen gets, and the refusals (no reason, no check, one's own account).
import assert from 'node:assert/strict';
import { startServer, SANDBOX, type TestServer } from '../support/server.ts';
import { csrfOf, loginL1, newAgent, type Agent } from '../support/browser.ts';
import { drained } from '../support/outbox.ts';
import { accountIdOf } from '../support/portal.ts';
import { hit, peek } from '../../src/shared/rate-limit.ts';
import { accountKey } from '../../src/identity/login-throttle.ts';
import { setRoles, signInStaff, STAFF } from './staff-session.ts';

const CITIZEN = SANDBOX.citizen2;
const NEW_PHONE = '+84912000555';

describe('admin console: support desk', () => {
  let s: TestServer;
  let staff: Agent;
  let csrf: string;
  let casePath: string;
  let citizenId: string;
  before(async () => {
    s = await startServer();
    await setRoles(s, ['support']);
    citizenId = await accountIdOf(s, 'cccd', CITIZEN.username);
    const got = await signInStaff(s, '/admin/support');
    staff = got.agent;
    csrf = csrfOf(got.res.text);
  });
  after(() => s.close());

  const smsTo = async (phone: string) => { await drained(s.db); return (await s.db('sandbox_sms').where({ to: phone }).orderBy('id')).map((r: { text: string }) => r.text); };
  const act = (path: string, body: Record<string, string> = {}) => staff.post(`${casePath}/${path}`).type('form').send({ _csrf: csrf, checked: 'yes', ...body }).redirects(0);
  const auditRow = (action: string) => s.db('audit_events').where({ action, account_id: citizenId }).orderBy('id', 'desc').first();

  it('a lookup needs a valid number and a reason, never finds one\'s own account, and bad input changes nothing', async () => {
    const noReason = await staff.post('/admin/support/find').type('form').send({ _csrf: csrf, query: CITIZEN.username, reason: '' });
    assert.equal(noReason.status, 400);
    assert.match(noReason.text, /Vui lòng nhập lý do/);
    const bad = await staff.post('/admin/support/find').type('form').send({ _csrf: csrf, query: '12ab', reason: 'Phiếu 0042' });
    assert.equal(bad.status, 400);
    const own = await staff.post('/admin/support/find').type('form').send({ _csrf: csrf, query: STAFF.cccd, reason: 'Phiếu 0042' });
    assert.equal(own.status, 403);
    assert.match(own.text, /tài khoản của chính mình/);
    const none = await staff.post('/admin/support/find').type('form').send({ _csrf: csrf, query: '001188000099', reason: 'Phiếu 0042' });
    assert.equal(none.status, 404);
    assert.equal((await s.db('audit_events').where({ action: 'support.view' })).length, 0);
  });

  it('finds by phone; the lookup is audited (staff, role, reason, IP) and the page shows no secret', async () => {
    const found = await staff.post('/admin/support/find').type('form').send({ _csrf: csrf, query: '0912 345 228', reason: 'Phiếu quầy 0042' }).redirects(0);
    assert.equal(found.status, 303);
    casePath = String(found.headers.location);
    const page = await staff.get(casePath).expect(200);
    assert.match(page.text, /Nguyễn Văn An/);
    assert.match(page.text, /Phiếu quầy 0042/);
    assert.match(page.text, /001\*\*\*\*\*\*345/, 'the ID number masked');
    assert.doesNotMatch(page.text, /001099012345|912345228|argon2|\$argon/, 'no number in clear, no password hash');
    const row = await auditRow('support.view');
    assert.equal(row.actor, `staff:${STAFF.staffId}@${STAFF.office}`);
    assert.equal(row.ip, '127.0.0.1');
    assert.deepEqual({ role: row.details.role, reason: row.details.reason, office: row.details.office }, { role: 'support', reason: 'Phiếu quầy 0042', office: STAFF.office });
  });

  it('each action needs the in-person check; another staff member cannot use this case', async () => {
    const unchecked = await staff.post(`${casePath}/unlock`).type('form').send({ _csrf: csrf });
    assert.equal(unchecked.status, 400);
    assert.match(unchecked.text, /đã kiểm tra giấy tờ trực tiếp/);
    assert.equal(await auditRow('support.unlock'), undefined);
    // A case belongs to the staff member who opened it, with their reason.
    await s.db('flows').where({ kind: 'support_case' }).update({ data: s.db.raw(`jsonb_set(data, '{staffAccountId}', '"00000000-0000-0000-0000-000000000000"')`) });
    assert.equal((await staff.get(casePath)).status, 410);
    await s.db('flows').where({ kind: 'support_case' }).update({ data: s.db.raw(`jsonb_set(data, '{staffAccountId}', to_jsonb(?::text))`, [await accountIdOf(s, 'cccd', STAFF.cccd)]) });
  });

  it('changes the phone (the old number is told), sends a reset link only to the phone, and the citizen sets a new password', async () => {
    const badPhone = await act('phone', { phone: '12345' });
    assert.equal(badPhone.status, 400);
    const changed = await act('phone', { phone: '0912 000 555' });
    assert.equal(changed.status, 303);
    assert.ok(await s.db('identifiers').where({ account_id: citizenId, type: 'phone', value: NEW_PHONE }).first());
    assert.ok(await auditRow('support.phone_change'));
    assert.match((await smsTo(CITIZEN.phone)).at(-1)!, /da duoc doi tai quay ho tro/);

    const sent = await act('reset-link');
    assert.equal(sent.status, 303);
    const after = await staff.get(String(sent.headers.location)).expect(200);
    assert.match(after.text, /091\*\*\*\*555/);
    assert.doesNotMatch(after.text, /\/forgot\//, 'staff never see the link');
    const text = (await smsTo(NEW_PHONE)).at(-1)!;
    const link = /(\/forgot\/[A-Za-z0-9_-]+\/password)/.exec(text)![1]!;
    const citizen = newAgent(s.issuer);
    const form = await citizen.get(link).expect(200);
    const done = await citizen.post(link).type('form').send({ _csrf: csrfOf(form.text), password: 'Counter#2026x', password2: 'Counter#2026x' });
    assert.equal(done.status, 200);
    assert.match(done.text, /Đã đổi mật khẩu|Mật khẩu đã được đổi/);
    assert.equal((await citizen.get(link)).status, 410, 'the link is single use');
    const signedIn = await loginL1(newAgent(s.issuer), s.issuer, '/account', { username: CITIZEN.username, password: 'Counter#2026x', phone: NEW_PHONE });
    assert.equal(signedIn.url, '/account');
  });

  it('unlocks password login, signs out everywhere, removes a credential, raises to level 3 — each audited, each told by SMS', async () => {
    // Password login disabled by guessing (the consecutive-failure count at its limit) until the desk unlocks it.
    // An upsert: the citizen's earlier sign-in left the counter's row behind, reset (expired).
    await s.db('rate_limits').insert({ key: `login:fail:${accountKey(s.cfg.otpSecret, citizenId)}`, count: s.cfg.loginMaxConsecutiveFailures, expires_at: new Date(Date.now() + 86_400_000) })
      .onConflict('key').merge();
    await assert.rejects(loginL1(newAgent(s.issuer), s.issuer, '/account', { username: CITIZEN.username, password: 'Counter#2026x', phone: NEW_PHONE }), /login form accepted/);
    assert.equal((await act('unlock')).status, 303);
    assert.ok(await auditRow('support.unlock'));
    const portal = newAgent(s.issuer);
    await loginL1(portal, s.issuer, '/account', { username: CITIZEN.username, password: 'Counter#2026x', phone: NEW_PHONE });
    assert.equal((await portal.get('/account').redirects(0)).status, 200);

    assert.equal((await act('sign-out')).status, 303);
    assert.ok(await auditRow('support.sign_out'));
    assert.equal((await s.db('oidc_models').where({ account_id: citizenId, kind: 'Session' })).length, 0);
    assert.equal((await portal.get('/account').redirects(0)).status, 302, 'the portal session ended too');

    const page = await staff.get(casePath).expect(200);
    const credId = /\/credentials\/([0-9a-f-]{36})\/remove/.exec(page.text)![1]!;
    assert.equal((await act(`credentials/${credId}/remove`)).status, 303);
    assert.equal(await s.db('credentials').where({ id: credId }).first(), undefined);
    assert.equal((await auditRow('support.credential_remove')).details.type, 'password');
    assert.equal((await act('credentials/00000000-0000-0000-0000-000000000000/remove')).status, 400, 'an unknown credential: a clear error');

    assert.equal((await act('raise')).status, 303);
    assert.equal((await s.db('accounts').where({ id: citizenId }).first()).level, 3);
    assert.equal((await auditRow('account.level_raised')).actor, `staff:${STAFF.staffId}@${STAFF.office}`);
    const texts = (await smsTo(NEW_PHONE)).join('\n');
    for (const m of [/mo khoa/, /dang xuat khoi moi thiet bi/, /da duoc go/, /muc do 3/]) assert.match(texts, m);
    // No SMS or page of staff carries a code: the only link went to the phone.
    assert.doesNotMatch(page.text, /\b\d{6}\b.*OTP/);
  });

  it('the citizen sees the lookup in their own history, with the time and the office', async () => {
    // (the support desk removed the password above: the citizen sets one with a new link, as at the counter)
    const found = await staff.post('/admin/support/find').type('form').send({ _csrf: csrf, query: CITIZEN.username, reason: 'Phiếu 0043' }).redirects(0);
    casePath = String(found.headers.location);
    await act('reset-link');
    const link = /(\/forgot\/[A-Za-z0-9_-]+\/password)/.exec((await smsTo(NEW_PHONE)).at(-1)!)![1]!;
    const citizen = newAgent(s.issuer);
    const form = await citizen.get(link).expect(200);
    await citizen.post(link).type('form').send({ _csrf: csrfOf(form.text), password: 'Again#2026xy', password2: 'Again#2026xy' }).expect(200);
    const end = await loginL1(citizen, s.issuer, '/account', { username: CITIZEN.username, password: 'Again#2026xy', phone: NEW_PHONE });
    assert.equal(end.url, '/account');
    const history = await citizen.get('/account/history').expect(200);
    assert.match(history.text, /Nhân viên hỗ trợ đã xem tài khoản của bạn/);
    assert.match(history.text, new RegExp(`Đơn vị: ${STAFF.office}`));
    assert.match(history.text, /Nhân viên hỗ trợ đã thay đổi tài khoản của bạn/);
    assert.doesNotMatch(history.text, new RegExp(STAFF.staffId), 'the office, not the person');
  });

  it('attacker view: 40 parallel actions with 25 of the hour used do exactly 5, each audited; a number in any spelling counts against the staff member', async () => {
    const key = `admin:act:${citizenId}`;
    while ((await peek(s.db, key)) < 25) await hit(s.db, key, 3600);
    const before = (await s.db('audit_events').where({ action: 'support.unlock' })).length;
    const answers = await Promise.all(Array.from({ length: 40 }, () => act('unlock')));
    assert.equal(answers.filter((a) => a.status === 303).length, 5);
    assert.equal(answers.filter((a) => a.status === 429).length, 35);
    assert.equal((await s.db('audit_events').where({ action: 'support.unlock' })).length, before + 5);
    const staffKey = `admin:lookup:${await accountIdOf(s, 'cccd', STAFF.cccd)}`;
    const lookups = await peek(s.db, staffKey);
    for (const query of [CITIZEN.username, ` ${CITIZEN.username.replace(/(\d{3})(?=\d)/g, '$1 ')} `, NEW_PHONE, '0912.000.555']) {
      const found = await staff.post('/admin/support/find').type('form').send({ _csrf: csrf, query, reason: 'Phiếu 0043' }).redirects(0);
      assert.equal(found.status, 303, query);
    }
    assert.equal(await peek(s.db, staffKey), lookups + 4);
  });

  it('limits: actions on one account (each an SMS) and lookups by one staff member, per hour', async () => {
    for (let i = 0; i < 30; i++) await hit(s.db, `admin:act:${citizenId}`, 3600);
    const before = (await s.db('audit_events').where({ action: 'support.unlock' })).length;
    const refused = await act('unlock');
    assert.equal(refused.status, 429);
    assert.match(refused.text, /quá nhiều lần/);
    assert.equal((await s.db('audit_events').where({ action: 'support.unlock' })).length, before, 'nothing done');
    const staffId = await accountIdOf(s, 'cccd', STAFF.cccd);
    for (let i = 0; i < 60; i++) await hit(s.db, `admin:lookup:${staffId}`, 3600);
    const lookup = await staff.post('/admin/support/find').type('form').send({ _csrf: csrf, query: CITIZEN.username, reason: 'Phiếu 0044' });
    assert.equal(lookup.status, 429);
  });
});
