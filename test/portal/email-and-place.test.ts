// The portal changes the email by a one-time link to the new address, and shows where a session
// was used from when the load balancer says so.
import assert from 'node:assert/strict';
import { startServer, registerClient, SANDBOX, type TestServer } from '../support/server.ts';
import { csrfOf, newAgent, pathOf } from '../support/browser.ts';
import { REDIRECT_URI } from '../support/rp.ts';
import { accountIdOf, ageSignIn, openPortal } from '../support/portal.ts';
import { deliveredEmails } from '../support/outbox.ts';

const RP = { client_id: 'rp-mail', client_secret: 'rp-mail-secret-0123456789abcdefgh', redirect_uris: [REDIRECT_URI], client_name: 'Dịch vụ công tỉnh', dvc_skip_consent: true };
const OLD = 'an.nguyen@example.vn';
const NEW = 'an.moi@example.vn';

interface Mail { to: string; subject: string; text: string }
const mailbox = async (s: TestServer, to: string) =>
  (await newAgent(s.issuer).get(`/sandbox/email?to=${encodeURIComponent(to)}`).set('accept', 'application/json').expect(200)).body as Mail[];
const emailsOf = async (s: TestServer, id: string) => (await s.db('identifiers').where({ account_id: id, type: 'email' })).map((r: { value: string }) => r.value);

describe('account portal: changing the email', () => {
  let s: TestServer;
  before(async () => { s = await startServer(); await registerClient(s.db, RP); });
  after(() => s.close());

  it('sends a one-time link to the new address; only pressing the button on it makes the change; the old address and the phone are told', async () => {
    const { agent, csrf } = await openPortal(s, RP, SANDBOX.citizen2);
    const id = await accountIdOf(s, 'cccd', SANDBOX.citizen2.username);
    await ageSignIn(s);
    assert.match((await agent.get('/account/email').redirects(0)).headers.location as string, /max_age=300/, 'needs a recent sign-in');
    await ageSignIn(s, 0);
    const form = await agent.get('/account/email').expect(200);
    assert.match(form.text, new RegExp(OLD.replace('.', '\\.')));

    const mailsBefore = (await deliveredEmails(s.db));
    const bad = await agent.post('/account/email').type('form').send({ _csrf: csrf, email: 'not-an-email' });
    assert.equal(bad.status, 400);
    const same = await agent.post('/account/email').type('form').send({ _csrf: csrf, email: OLD.toUpperCase() });
    assert.equal(same.status, 400);
    assert.match(same.text, /Đây đã là email của tài khoản/);
    assert.equal((await deliveredEmails(s.db)), mailsBefore, 'bad input sends nothing');

    const sent = await agent.post('/account/email').type('form').send({ _csrf: csrf, email: NEW });
    assert.equal(sent.status, 200);
    assert.match(sent.text, /Đã gửi đường dẫn xác nhận/);
    const [mail] = await mailbox(s, NEW);
    const link = /(http\S+\/account\/email\/confirm\?token=\S+)/.exec(mail!.text)![1]!;
    assert.deepEqual(await emailsOf(s, id), [OLD], 'nothing changes before the link is used');

    // Opened on another device (no portal session): the link shows a button; a mail scanner's GET changes nothing.
    const phone = newAgent(s.issuer);
    const page = await phone.get(pathOf(link)).expect(200);
    await phone.get(pathOf(link)).expect(200);
    assert.deepEqual(await emailsOf(s, id), [OLD]);
    const token = new URL(link).searchParams.get('token');
    const done = await phone.post('/account/email/confirm').type('form').send({ _csrf: csrfOf(page.text), token });
    assert.equal(done.status, 200);
    assert.match(done.text, /đã được đổi thành/);
    assert.deepEqual(await emailsOf(s, id), [NEW]);
    assert.match((await mailbox(s, OLD))[0]!.text, /vừa được đổi sang a\*\*\*@example\.vn/);
    const sms = await phone.get(`/sandbox/sms?to=${encodeURIComponent(SANDBOX.citizen2.phone)}`).set('accept', 'application/json');
    assert.match((sms.body as { text: string }[])[0]!.text, /Email cua tai khoan Cong DVC vua duoc doi/);
    assert.ok(await s.db('audit_events').where({ account_id: id, action: 'email.change' }).first());

    const reused = await phone.post('/account/email/confirm').type('form').send({ _csrf: csrfOf(page.text), token });
    assert.equal(reused.status, 410, 'single use');
  });

  it('a citizen may remove the optional email; an enterprise may not', async () => {
    const citizen = await openPortal(s, RP, SANDBOX.citizen3);
    const cid = await accountIdOf(s, 'cccd', SANDBOX.citizen3.username);
    await s.db('identifiers').insert({ account_id: cid, type: 'email', value: 'ngoc@example.vn', verified: true, primary: true });
    assert.match((await citizen.agent.get('/account/email').expect(200)).text, /Xóa email khỏi tài khoản/);
    const removed = await citizen.agent.post('/account/email/remove').type('form').send({ _csrf: citizen.csrf }).redirects(0);
    assert.equal(removed.headers.location, '/account/email?removed=1');
    assert.deepEqual(await emailsOf(s, cid), []);
    assert.ok(await s.db('audit_events').where({ account_id: cid, action: 'email.remove' }).first());

    const enterprise = await openPortal(s, RP, SANDBOX.enterprise);
    const eid = await accountIdOf(s, 'mst', SANDBOX.enterprise.username);
    assert.doesNotMatch((await enterprise.agent.get('/account/email').expect(200)).text, /Xóa email khỏi tài khoản/);
    await enterprise.agent.post('/account/email/remove').type('form').send({ _csrf: enterprise.csrf }).expect(303);
    assert.equal((await emailsOf(s, eid)).length, 1, 'an enterprise keeps its required email');
  });

  it('an expired or made-up link changes nothing', async () => {
    const { agent, csrf } = await openPortal(s, RP, SANDBOX.enterprise);
    const id = await accountIdOf(s, 'mst', SANDBOX.enterprise.username);
    const before = await emailsOf(s, id);
    await agent.post('/account/email').type('form').send({ _csrf: csrf, email: 'ketoan.moi@example.vn' }).expect(200);
    const link = /(http\S+\/account\/email\/confirm\?token=\S+)/.exec((await mailbox(s, 'ketoan.moi@example.vn'))[0]!.text)![1]!;
    await s.db('flows').where({ kind: 'email_change' }).update({ expires_at: new Date(Date.now() - 1000) });
    assert.equal((await agent.get(pathOf(link))).status, 410);
    assert.equal((await agent.get('/account/email/confirm?token=made-up')).status, 410);
    const page = await agent.get('/account').expect(200);
    assert.equal((await agent.post('/account/email/confirm').type('form').send({ _csrf: csrfOf(page.text), token: new URL(link).searchParams.get('token') })).status, 410);
    assert.deepEqual(await emailsOf(s, id), before);
  });
});

describe('account portal: the place of a session', () => {
  let s: TestServer;
  before(async () => { s = await startServer({ TRUST_PROXY: 'true', PLACE_HEADER: 'X-Client-Place' }); await registerClient(s.db, RP); });
  after(() => s.close());

  it('shows the place the load balancer resolved (trusted proxy only)', async () => {
    const agent = newAgent(s.issuer).set('x-client-place', encodeURIComponent('Hà Nội, VN')).set('x-forwarded-for', '203.0.113.7');
    await openPortal(s, RP, SANDBOX.citizen3, agent);
    const list = await agent.get('/account/sessions').expect(200);
    assert.match(list.text, /203\.0\.113\.7 \(Hà Nội, VN\)/);
  });
});

describe('account portal: the place header without a trusted proxy', () => {
  let s: TestServer;
  before(async () => { s = await startServer({ PLACE_HEADER: 'X-Client-Place' }); await registerClient(s.db, RP); });
  after(() => s.close());

  it('is ignored (anyone could send it)', async () => {
    const agent = newAgent(s.issuer).set('x-client-place', 'Nowhere');
    await openPortal(s, RP, SANDBOX.citizen3, agent);
    const list = await agent.get('/account/sessions').expect(200);
    assert.doesNotMatch(list.text, /Nowhere/);
  });
});
