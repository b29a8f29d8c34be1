// R5: the counter API (client credentials + private_key_jwt, scope counter:register), idempotency,
// duplicates, upgrades, and activation through the real pages.
import assert from 'node:assert/strict';
import * as oidc from 'openid-client';
import { generateKeyPair } from 'jose';
import { startServer, registerClient, SANDBOX, type TestServer } from '../support/server.ts';
import { newAgent, csrfOf, latestOtp, loginL1, type Agent } from '../support/browser.ts';
import { partnerToken, api } from '../support/counter.ts';
import { startRp, REDIRECT_URI } from '../support/rp.ts';

const insecure = { execute: [oidc.allowInsecureRequests] };
const RP = { client_id: 'rp-counter', client_secret: 'rp-counter-secret-0123456789abcde', redirect_uris: [REDIRECT_URI], dvc_skip_consent: true };
const PERSON = { idNumber: '001188000031', fullName: 'Kiều Thị Quầy', birthdate: '10/10/1988', phone: '0913000031', document: { type: 'cccd', number: '001188000031' } };

async function activate(agent: Agent, link: string, phone: string, password = 'Kichhoat@2026') {
  const path = new URL(link).pathname;
  const start = await agent.get(path).expect(200);
  const csrf = csrfOf(start.text);
  await agent.post(`${path}/send`).type('form').send({ _csrf: csrf }).expect(303);
  await agent.post(`${path}/otp`).type('form').send({ _csrf: csrf, code: await latestOtp(agent, phone) }).expect(303);
  return agent.post(`${path}/password`).type('form').send({ _csrf: csrf, password, password2: password });
}

async function activationLink(agent: Agent, phone: string): Promise<string> {
  const res = await agent.get(`/sandbox/sms?to=${encodeURIComponent(phone)}`).set('accept', 'application/json');
  return /(http\S+\/activate\/\S+)/.exec((res.body as { text: string }[]).find((m) => m.text.includes('/activate/'))!.text)![1]!;
}

describe('counter API (R5) and activation', () => {
  let s: TestServer;
  let token: string;
  before(async () => {
    s = await startServer();
    await registerClient(s.db, RP);
    token = (await partnerToken(s)).token;
  });
  after(() => s.close());

  it('refuses calls without a token, with the wrong scope, or without officer and post office', async () => {
    assert.equal((await api(s, undefined, '/accounts', PERSON, { 'idempotency-key': 'k-0000001' })).status, 401);
    assert.equal((await api(s, 'not-a-real-token-000000000000', '/accounts', PERSON, { 'idempotency-key': 'k-0000001' })).status, 401);
    const other = await partnerToken(s, 'some-partner', 'openid');
    const wrongScope = await api(s, other.token, '/accounts', PERSON, { 'idempotency-key': 'k-0000001' });
    assert.equal(wrongScope.status, 403);
    assert.equal(wrongScope.body.error, 'insufficient_scope');
    const noOfficer = await newAgent(s.issuer).post('/api/counter/v1/accounts').set('authorization', `Bearer ${token}`).send(PERSON);
    assert.equal(noOfficer.status, 400);
  });

  it('a client assertion signed with the wrong key gets no token', async () => {
    const { privateKey } = await generateKeyPair('ES256');
    const config = await oidc.discovery(new URL(s.issuer), 'vnpost-counter', undefined, oidc.PrivateKeyJwt({ key: privateKey, kid: 'k1' }), insecure);
    await assert.rejects(oidc.clientCredentialsGrant(config, { scope: 'counter:register' }), (e: { error?: string }) => e.error === 'invalid_client');
  });

  it('creates a pending account once per Idempotency-Key, audited with officer and post office', async () => {
    const first = await api(s, token, '/accounts', PERSON, { 'idempotency-key': 'k-create-1' });
    assert.equal(first.status, 201, JSON.stringify(first.body));
    assert.equal(first.body.status, 'pending_activation');
    const retry = await api(s, token, '/accounts', PERSON, { 'idempotency-key': 'k-create-1' });
    assert.equal(retry.status, 201);
    assert.deepEqual(retry.body, first.body);
    assert.equal(retry.headers['idempotent-replayed'], 'true');
    assert.equal((await s.db('identifiers').where({ type: 'cccd', value: PERSON.idNumber })).length, 1);
    const reused = await api(s, token, '/accounts', { ...PERSON, fullName: 'Someone Else' }, { 'idempotency-key': 'k-create-1' });
    assert.equal(reused.status, 422);
    // The same person again before activating: a new link (the earlier one stops working), no second account.
    const firstLink = await activationLink(newAgent(s.issuer), '+84913000031');
    const again = await api(s, token, '/accounts', PERSON, { 'idempotency-key': 'k-create-2' });
    assert.equal(again.status, 200);
    assert.equal(again.body.activationReissued, true);
    assert.equal(again.body.accountId, first.body.accountId);
    assert.notEqual(await activationLink(newAgent(s.issuer), '+84913000031'), firstLink);
    assert.equal((await newAgent(s.issuer).get(new URL(firstLink).pathname)).status, 410);
    assert.equal((await s.db('identifiers').where({ type: 'cccd', value: PERSON.idNumber })).length, 1);
    const row = await s.db('audit_events').where({ action: 'account.register', method: 'counter' }).first();
    assert.match(row.actor, /officer:officer-7@BC-100000/);
    const bad = await api(s, token, '/accounts', { ...PERSON, idNumber: '12', phone: 'x' }, { 'idempotency-key': 'k-create-3' });
    assert.equal(bad.status, 400);
  });

  it('the pending account cannot sign in until activated; activation works once and makes an acr "3" login', async () => {
    const agent = newAgent(s.issuer);
    const rp = await startRp(s.issuer, RP.client_id, RP.client_secret);
    await assert.rejects(loginL1(newAgent(s.issuer), s.issuer, rp.authUrl, { username: PERSON.idNumber, password: 'Kichhoat@2026', phone: '+84913000031' }, { consent: false }));
    const link = await activationLink(agent, '+84913000031');
    const done = await activate(agent, link, '+84913000031');
    assert.equal(done.status, 200);
    assert.match(done.text, /đã được kích hoạt/);
    const again = await agent.get(new URL(link).pathname);
    assert.equal(again.status, 410, 'the link works once');
    const rp2 = await startRp(s.issuer, RP.client_id, RP.client_secret);
    const end = await loginL1(newAgent(s.issuer), s.issuer, rp2.authUrl, { username: PERSON.idNumber, password: 'Kichhoat@2026', phone: '+84913000031' }, { consent: false });
    assert.equal((await rp2.finish(end.external!)).idToken.acr, '3');
    const dup = await api(s, token, '/accounts', PERSON, { 'idempotency-key': 'k-create-4' });
    assert.equal(dup.status, 409, 'an active account is not registered twice');
    assert.equal(dup.body.error, 'account_exists');
  });

  it('an expired activation link says so', async () => {
    const p = { ...PERSON, idNumber: '001188000032', phone: '0913000032', document: { type: 'cccd', number: '001188000032' } };
    assert.equal((await api(s, token, '/accounts', p, { 'idempotency-key': 'k-expire-1' })).status, 201);
    const agent = newAgent(s.issuer);
    const link = await activationLink(agent, '+84913000032');
    await s.db('flows').where({ kind: 'activation' }).update({ expires_at: new Date(Date.now() - 1000) });
    const res = await agent.get(new URL(link).pathname);
    assert.equal(res.status, 410);
    assert.match(res.text, /hết hạn/);
    // Back at the counter: a new link, which works.
    assert.equal((await api(s, token, '/accounts', p, { 'idempotency-key': 'k-expire-2' })).status, 200);
    const fresh = await activationLink(agent, '+84913000032');
    assert.notEqual(fresh, link);
    assert.equal((await agent.get(new URL(fresh).pathname)).status, 200);
  });

  it('the officer raises an existing level-2 account to 3 after the in-person check', async () => {
    const res = await api(s, token, '/accounts/upgrade', { idNumber: SANDBOX.citizen2.username, document: { type: 'cccd', number: SANDBOX.citizen2.username } });
    assert.equal(res.status, 200);
    assert.equal(res.body.changed, true);
    const id = await s.db('identifiers').where({ type: 'cccd', value: SANDBOX.citizen2.username }).first();
    assert.equal((await s.db('accounts').where({ id: id.account_id }).first()).level, 3);
    const row = await s.db('audit_events').where({ action: 'account.level_raised', account_id: id.account_id }).first();
    assert.match(row.actor, /officer-7@BC-100000/);
    assert.equal((await api(s, token, '/accounts/upgrade', { idNumber: '001099099999', document: { type: 'cccd', number: 'x' } })).status, 404);
  });
});
