// The counter page for post-office officers: level-3 sign-in through our own provider, the counter
// role required, registration after the in-person check (pending until activated by SMS link), and
// raising an existing level-2 account — each audited with the officer and the post office.
import assert from 'node:assert/strict';
import { startServer, SANDBOX, type TestServer } from '../support/server.ts';
import { newAgent, loginL1, csrfOf, follow, type Agent } from '../support/browser.ts';

const PERSON = { documentType: 'cccd', idNumber: '001188000041', fullName: 'Lâm Thị Quầy', birthdate: '11/11/1988', phone: '0913000041' };

/** An officer (the sandbox level-3 citizen holds the role) signs in at /counter. */
async function openCounter(s: TestServer): Promise<{ agent: Agent; page: string }> {
  const agent = newAgent(s.issuer);
  const end = await loginL1(agent, s.issuer, '/counter', SANDBOX.citizen3);
  assert.ok(end.res, 'back on our own site');
  assert.equal(end.url, '/counter');
  return { agent, page: end.res.text };
}

describe('counter page for post-office officers', () => {
  let s: TestServer;
  before(async () => { s = await startServer(); });
  after(() => s.close());

  it('asks for a level-3 sign-in, then registers a person pending activation, audited with the officer', async () => {
    const start = await newAgent(s.issuer).get('/counter').redirects(0);
    assert.match(start.headers.location as string, /acr_values=3/);
    const { agent, page } = await openCounter(s);
    assert.match(page, /VNP-HN-0001/);
    const done = await agent.post('/counter/accounts').type('form').send({ _csrf: csrfOf(page), ...PERSON });
    assert.equal(done.status, 200, done.text.replace(/<[^>]+>/g, ' ').slice(0, 600));
    assert.match(done.text, /Đã tạo tài khoản mức độ 3/);
    assert.doesNotMatch(done.text, /913000041/, 'the phone is masked');
    const id = await s.db('identifiers').where({ type: 'cccd', value: PERSON.idNumber }).first();
    const account = await s.db('accounts').where({ id: id.account_id }).first();
    assert.equal(account.status, 'pending_activation');
    assert.equal(account.level, 3);
    const event = await s.db('audit_events').where({ action: 'account.register', account_id: id.account_id }).first();
    assert.equal(event.actor, 'officer:VNP-HN-0001@100000');
    assert.equal(event.client_id, 'dvc-counter');
    const sms = await agent.get('/sandbox/sms?to=%2B84913000041').set('accept', 'application/json');
    assert.match((sms.body as { text: string }[])[0]!.text, /\/activate\//);
    // The person comes back without having activated: a new link, still one account.
    const again = await agent.post('/counter/accounts').type('form').send({ _csrf: csrfOf(page), ...PERSON });
    assert.equal(again.status, 200);
    assert.match(again.text, /đã gửi lại đường dẫn kích hoạt mới/);
    assert.equal((await s.db('identifiers').where({ type: 'cccd', value: PERSON.idNumber })).length, 1);
  });

  it('bad input gets field errors and creates nothing; an existing level-2 account can be raised to 3', async () => {
    const { agent, page } = await openCounter(s);
    const before = Number(((await s.db('accounts').count('* as n').first()) as { n: unknown }).n);
    const bad = await agent.post('/counter/accounts').type('form').send({ _csrf: csrfOf(page), ...PERSON, idNumber: '001188000042', documentType: '', birthdate: '31/02/1988' });
    assert.equal(bad.status, 400);
    assert.match(bad.text, /Chọn loại giấy tờ đã kiểm tra/);
    assert.match(bad.text, /id="birthdate-error"/);
    assert.equal(Number(((await s.db('accounts').count('* as n').first()) as { n: unknown }).n), before);

    const dup = await agent.post('/counter/accounts').type('form').send({ _csrf: csrfOf(page), ...PERSON, idNumber: SANDBOX.citizen2.username, fullName: 'Nguyễn Văn An', birthdate: '12/05/1999' });
    assert.equal(dup.status, 409);
    assert.match(dup.text, /đã có tài khoản \(mức độ 2\)/);
    const badUpgrade = await agent.post('/counter/accounts/upgrade').type('form').send({ _csrf: csrfOf(dup.text), idNumber: SANDBOX.citizen2.username, documentType: 'library card' });
    assert.equal(badUpgrade.status, 400);
    assert.match(badUpgrade.text, /không có gì được thay đổi/);
    const unknown = await agent.post('/counter/accounts/upgrade').type('form').send({ _csrf: csrfOf(dup.text), idNumber: '001188000099', documentType: 'cccd' });
    assert.equal(unknown.status, 404);
    assert.match(unknown.text, /Không có tài khoản nào/);
    const id0 = await s.db('identifiers').where({ type: 'cccd', value: SANDBOX.citizen2.username }).first();
    assert.equal((await s.db('accounts').where({ id: id0.account_id }).first()).level, 2, 'nothing changed yet');
    const raised = await agent.post('/counter/accounts/upgrade').type('form').send({ _csrf: csrfOf(dup.text), idNumber: SANDBOX.citizen2.username, documentType: 'cccd' });
    assert.equal(raised.status, 200);
    assert.match(raised.text, /đã được nâng lên mức độ 3/);
    const id = await s.db('identifiers').where({ type: 'cccd', value: SANDBOX.citizen2.username }).first();
    assert.equal((await s.db('accounts').where({ id: id.account_id }).first()).level, 3);
    const event = await s.db('audit_events').where({ action: 'account.level_raised', account_id: id.account_id }).first();
    assert.equal(event.actor, 'officer:VNP-HN-0001@100000');
    const again = await agent.post('/counter/accounts/upgrade').type('form').send({ _csrf: csrfOf(dup.text), idNumber: SANDBOX.citizen2.username, documentType: 'cccd' });
    assert.match(again.text, /đã ở mức độ 3 từ trước/, 'a second raise says nothing changed');
  });

  it('a level-2 sign-in is asked to step up; giving up ends on a clear page, not a loop', async () => {
    // (the test above raised this citizen to level 3 at the counter)
    await s.db('accounts').whereIn('id', s.db('identifiers').select('account_id').where({ type: 'cccd', value: SANDBOX.citizen2.username })).update({ level: 2 });
    const agent = newAgent(s.issuer);
    const end = await loginL1(agent, s.issuer, '/counter', SANDBOX.citizen2);
    assert.match(end.url ?? '', /^\/interaction\/[^/]+$/, 'the step-up page');
    const uid = /\/interaction\/([^/]+)/.exec(end.url!)![1]!;
    const aborted = await agent.post(`/interaction/${uid}/abort`).type('form').send({ _csrf: csrfOf(end.res!.text) }).redirects(0);
    const back = await follow(agent, s.issuer, aborted.headers.location as string);
    assert.equal(back.res!.status, 401);
    assert.match(back.res!.text, /chưa đạt mức độ xác minh/);
  });

  it('someone without the counter role is refused, whatever their level', async () => {
    await s.db('counter_officers').delete();
    const agent = newAgent(s.issuer);
    const end = await loginL1(agent, s.issuer, '/counter', SANDBOX.citizen3);
    assert.equal(end.res!.status, 403);
    assert.match(end.res!.text, /chưa được cấp quyền cán bộ quầy/);
    const anyForm = await agent.get('/forgot').expect(200); // for a CSRF token of this browser
    const post = await agent.post('/counter/accounts').type('form').send({ _csrf: csrfOf(anyForm.text), ...PERSON, idNumber: '001188000043' });
    assert.equal(post.status, 403);
    assert.equal(await s.db('identifiers').where({ type: 'cccd', value: '001188000043' }).first(), undefined);
  });
});
