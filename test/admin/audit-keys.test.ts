// Audit search for auditors (filters, pages, masking, opening a number with a reason, the CSV export
// audited) and the operator's keys and health page (rotate and prune after a confirmation, audited).
import assert from 'node:assert/strict';
import { startServer, SANDBOX, type TestServer } from '../support/server.ts';
import { csrfOf, loginL1, newAgent, type Agent } from '../support/browser.ts';
import { accountIdOf } from '../support/portal.ts';
import { maskNumbers } from '../../src/admin/audit.ts';
import { setRoles, signInStaff, STAFF } from './staff-session.ts';

describe('admin console: audit search, keys and health', () => {
  let s: TestServer;
  let staff: Agent;
  let csrf: string;
  before(async () => {
    s = await startServer();
    await setRoles(s, ['support', 'auditor', 'operator']);
    const got = await signInStaff(s, '/admin/support');
    staff = got.agent;
    csrf = csrfOf(got.res.text);
    // Something to find: a support lookup of the level-2 citizen, and their own sign-in.
    await staff.post('/admin/support/find').type('form').send({ _csrf: csrf, query: SANDBOX.citizen2.username, reason: 'Phiếu 0099' }).expect(303);
    await loginL1(newAgent(s.issuer), s.issuer, '/account', SANDBOX.citizen2);
  });
  after(() => s.close());

  it('answers "who looked at this citizen and why", numbers masked, filters checked', async () => {
    const posted = await staff.post('/admin/audit').type('form').send({ _csrf: csrf, account: SANDBOX.citizen2.username, action: 'support.*', staff: STAFF.staffId }).redirects(0);
    assert.equal(posted.status, 303);
    assert.doesNotMatch(String(posted.headers.location), /001099012345/, 'the number never travels in a URL');
    const res = await staff.get(String(posted.headers.location)).expect(200);
    assert.match(res.text, /support\.view/);
    assert.match(res.text, /Phiếu 0099/);
    assert.match(res.text, new RegExp(`staff:${STAFF.staffId}@${STAFF.office}`));
    assert.match(res.text, /001\*\*\*\*\*\*345/);
    assert.doesNotMatch(res.text, /001099012345/, 'masked');
    assert.doesNotMatch(res.text, /action="\/admin\/audit"[^>]*>[\s\S]*login · self/, 'only the filtered actions');
    const bad = await staff.get('/admin/audit?from=31/02/2026&action=DROP%20TABLE');
    assert.equal(bad.status, 400);
    assert.match(bad.text, /Ngày không hợp lệ/);
    const none = await staff.get('/admin/audit?client=nobody').expect(200);
    assert.match(none.text, /Không có sự kiện nào/);
    assert.equal(maskNumbers('{"phone":"+84912345228","n":"001099012345"}').includes('912345228'), false);
  });

  it('opening a personal number needs a reason and is audited (and the citizen sees the look)', async () => {
    const accountId = await accountIdOf(s, 'cccd', SANDBOX.citizen2.username);
    const event = await s.db('audit_events').where({ action: 'support.view', account_id: accountId }).first();
    const form = await staff.get(`/admin/audit/reveal?event=${event.id}`).expect(200);
    const noReason = await staff.post('/admin/audit/reveal').type('form').send({ _csrf: csrfOf(form.text), event: String(event.id), reason: '' });
    assert.equal(noReason.status, 400);
    assert.equal(await s.db('audit_events').where({ action: 'audit.reveal' }).first(), undefined);
    const opened = await staff.post('/admin/audit/reveal').type('form').send({ _csrf: csrfOf(form.text), event: String(event.id), reason: 'Yêu cầu thanh tra số 12' }).expect(200);
    assert.match(opened.text, /001099012345/);
    const row = await s.db('audit_events').where({ action: 'audit.reveal', account_id: accountId }).first();
    assert.equal(row.details.reason, 'Yêu cầu thanh tra số 12');
    assert.equal(row.details.role, 'auditor');
  });

  it('the CSV export is audited, masked and safe to open in a spreadsheet', async () => {
    const csv = await staff.get(`/admin/audit/export.csv?account=${await accountIdOf(s, 'cccd', SANDBOX.citizen2.username)}`).expect(200);
    assert.match(String(csv.headers['content-type']), /text\/csv/);
    assert.match(csv.text, /^at,action,actor,account,client,ip,result,details\r\n/);
    assert.match(csv.text, /support\.view/);
    assert.doesNotMatch(csv.text, /001099012345/);
    const row = await s.db('audit_events').where({ action: 'audit.export' }).first();
    assert.equal(row.details.role, 'auditor');
    assert.ok(row.details.filters.account, 'the filters are recorded');
    assert.ok(row.details.rows >= 2);
  });

  it('keys: listed without key material; rotate and prune need a confirmation and are audited; health from the audit trail', async () => {
    const page = await staff.get('/admin/keys').expect(200);
    assert.match(page.text, /ES256/);
    assert.match(page.text, /RS256/);
    assert.doesNotMatch(page.text, /"d":|encrypted_jwk|PRIVATE KEY/);
    assert.match(page.text, /password_otp · Thành công [1-9]/, 'sign-ins per method per hour');
    const before = await s.db('signing_keys').where({ status: 'active', owner: 'dvc' }).pluck('kid');
    const retiredBefore = (await s.db('signing_keys').where({ status: 'retired', owner: 'dvc' })).length;
    assert.equal((await staff.post('/admin/keys/rotate').type('form').send({ _csrf: csrf })).status, 400);
    assert.deepEqual(await s.db('signing_keys').where({ status: 'active', owner: 'dvc' }).pluck('kid'), before, 'nothing changed');
    assert.equal((await staff.post('/admin/keys/rotate').type('form').send({ _csrf: csrf, confirm: 'yes' }).redirects(0)).status, 303);
    const after = await s.db('signing_keys').where({ status: 'active', owner: 'dvc' }).pluck('kid');
    assert.equal(after.length, 2);
    assert.ok(after.every((k: string) => !before.includes(k)));
    assert.equal((await s.db('signing_keys').where({ status: 'retired', owner: 'dvc' })).length, retiredBefore + 2);
    assert.ok(await s.db('audit_events').where({ action: 'keys.rotate' }).first());
    assert.equal((await staff.post('/admin/keys/prune').type('form').send({ _csrf: csrf, confirm: 'yes' }).redirects(0)).status, 303);
    assert.ok((await s.db('signing_keys').where({ status: 'retired', owner: 'dvc' })).length >= 2, 'freshly retired keys stay published');
    assert.equal(typeof (await s.db('audit_events').where({ action: 'keys.prune' }).first()).details.removed, 'number');
  });
});
