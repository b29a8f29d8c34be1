// Relying parties from the console: create with the provider's own validation (bad metadata: a clear
// 400, nothing stored), the secret shown once, edit, rotate, disable and enable, delete; recent errors
// and sign-in counts; registration requests approved or rejected. Every change audited as the staff member.
import assert from 'node:assert/strict';
import { startServer, type TestServer } from '../support/server.ts';
import { csrfOf, type Agent } from '../support/browser.ts';
import { relyingParties } from '../../src/identity/relying-parties.ts';
import { setRoles, signInStaff, STAFF } from './staff-session.ts';

const META = { client_id: 'rp-console', client_name: 'Dịch vụ thử', redirect_uris: ['https://rp.example.gov.vn/cb'] };

describe('admin console: relying parties', () => {
  let s: TestServer;
  let staff: Agent;
  let csrf: string;
  before(async () => {
    s = await startServer();
    await setRoles(s, ['operator']);
    const got = await signInStaff(s, '/admin/clients');
    staff = got.agent;
    csrf = csrfOf(got.res.text);
  });
  after(() => s.close());

  const post = (path: string, body: Record<string, string>) => staff.post(path).type('form').send({ _csrf: csrf, ...body });
  const stored = async (id: string) => s.db('oidc_models').where({ kind: 'Client', id }).first();

  it('creates with the provider\'s validation, shows the secret once, edits, rotates', async () => {
    const bad = await post('/admin/clients', { metadata: JSON.stringify({ ...META, redirect_uris: ['not a url'] }) });
    assert.equal(bad.status, 400);
    assert.match(bad.text, /Thông tin ứng dụng không hợp lệ \(redirect_uris\)/);
    assert.equal((await post('/admin/clients', { metadata: '{not json' })).status, 400);
    assert.equal(await stored('rp-console'), undefined, 'nothing stored');

    const made = await post('/admin/clients', { metadata: JSON.stringify(META) });
    assert.equal(made.status, 201);
    const secret = /id="client-secret">([^<]+)</.exec(made.text)![1]!;
    assert.equal((await stored('rp-console')).payload.client_secret, secret);
    const page = await staff.get('/admin/clients/rp-console').expect(200);
    assert.doesNotMatch(page.text, new RegExp(secret), 'the secret is not shown again');
    const row = await s.db('audit_events').where({ action: 'client.create', client_id: 'rp-console' }).first();
    assert.equal(row.actor, `staff:${STAFF.staffId}@${STAFF.office}`);
    assert.equal(row.details.role, 'operator');

    const edited = await post('/admin/clients/rp-console', { metadata: JSON.stringify({ ...META, client_name: 'Dịch vụ mới' }) });
    assert.equal(edited.status, 303);
    assert.equal((await stored('rp-console')).payload.client_name, 'Dịch vụ mới');
    assert.equal((await stored('rp-console')).payload.client_secret, secret, 'an edit keeps the secret');

    assert.equal((await post('/admin/clients/rp-console/rotate', {})).status, 400, 'a confirmation is needed');
    const rotated = await post('/admin/clients/rp-console/rotate', { confirm: 'yes' }).expect(200);
    const fresh = /id="client-secret">([^<]+)</.exec(rotated.text)![1]!;
    assert.notEqual(fresh, secret);
    assert.equal((await stored('rp-console')).payload.client_secret, fresh);
  });

  it('recent errors and sign-in counts; disable, enable and delete; our own sites are read-only', async () => {
    await relyingParties(s.db, { validate: async () => undefined }).recordError('rp-console', { at: new Date(), error: 'invalid_redirect_uri', description: 'redirect_uri did not match' });
    await s.db('audit_events').insert({ action: 'login', client_id: 'rp-console', result: 'success', actor: 'self' });
    const page = await staff.get('/admin/clients/rp-console').expect(200);
    assert.match(page.text, /invalid_redirect_uri/);
    assert.match(page.text, /Số lần đăng nhập: 1 trong 24 giờ/);

    assert.equal((await post('/admin/clients/rp-console/disable', { confirm: 'yes' })).status, 303);
    assert.equal(await stored('rp-console'), undefined, 'the provider no longer finds it');
    assert.equal((await post('/admin/clients/rp-console/enable', { confirm: 'yes' })).status, 303);
    assert.ok(await stored('rp-console'));
    assert.equal((await post('/admin/clients/rp-console/remove', { confirm: 'yes' })).status, 303);
    assert.equal(await stored('rp-console'), undefined);
    assert.equal((await post('/admin/clients/rp-console/remove', { confirm: 'yes' })).status, 404);
    for (const a of ['client.disable', 'client.enable', 'client.remove']) assert.ok(await s.db('audit_events').where({ action: a, client_id: 'rp-console' }).first(), a);

    const own = await post('/admin/clients/dvc-admin/disable', { confirm: 'yes' });
    assert.equal(own.status, 403);
    assert.ok(await stored('dvc-admin'), 'the console\'s own client stays');
  });

  it('approves and rejects registration requests from the developer portal, once', async () => {
    const rps = relyingParties(s.db, { validate: (m) => (s.app.provider.Client as unknown as { validate(m: unknown): Promise<void> }).validate(m) });
    const accountId = (await s.db('staff_members').first()).account_id as string;
    const one = await rps.requests.file({ client_id: 'req-tinh', client_secret: 'placeholder-secret-0123456789abcdef', client_name: 'Cổng tỉnh', redirect_uris: ['https://tinh.example.gov.vn/cb'] }, { kind: 'account', id: accountId });
    const two = await rps.requests.file({ client_id: 'req-huyen', client_secret: 'placeholder-secret-0123456789abcdef', client_name: 'Cổng huyện', redirect_uris: ['https://huyen.example.gov.vn/cb'] }, { kind: 'account', id: accountId });
    const list = await staff.get('/admin/clients').expect(200);
    assert.match(list.text, /Cổng tỉnh/);
    const approved = await post(`/admin/clients/requests/${one}/approve`, { confirm: 'yes' });
    assert.equal(approved.status, 201);
    assert.match(approved.text, /id="client-secret"/);
    assert.equal((await post(`/admin/clients/requests/${one}/approve`, { confirm: 'yes' })).status, 409, 'decided once');
    assert.equal((await post(`/admin/clients/requests/${two}/reject`, { reason: '' })).status, 400);
    assert.equal((await post(`/admin/clients/requests/${two}/reject`, { reason: 'Thiếu văn bản đề nghị' })).status, 303);
    assert.equal((await rps.requests.get(two))!.status, 'rejected');
  });
});
