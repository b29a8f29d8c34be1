// L4: federation with Vietnam Post's provider (the sandbox one, over real HTTP and openid-client).
import assert from 'node:assert/strict';
import { startServer, registerClient, SANDBOX, type TestServer } from '../support/server.ts';
import { newAgent, follow, csrfOf, pathOf, type Agent } from '../support/browser.ts';
import { startRp, REDIRECT_URI } from '../support/rp.ts';

const CLIENT = { client_id: 'rp-vnp', client_secret: 'rp-vnp-secret-0123456789abcdefgh', redirect_uris: [REDIRECT_URI], dvc_skip_consent: true };

/** RP → chooser → "account issued by Vietnam Post" → Vietnam Post's login page → back through our callback. */
async function viaVnpost(s: TestServer, username: string, agent: Agent = newAgent(s.issuer), password = 'Buudien@2026') {
  const rp = await startRp(s.issuer, CLIENT.client_id, CLIENT.client_secret, { scope: 'openid profile national_id' });
  const first = await follow(agent, s.issuer, rp.authUrl);
  assert.match(first.res!.text, /Tài khoản cấp bởi Bưu điện Việt Nam/);
  const uid = /\/interaction\/([^/?]+)/.exec(first.url!)![1]!;
  const toUpstream = await agent.get(`/interaction/${uid}/vnpost`).redirects(0);
  assert.equal(toUpstream.status, 303);
  const upstreamLogin = await follow(agent, s.issuer, toUpstream.headers.location as string);
  assert.match(upstreamLogin.url!, /\/sandbox\/vnpost\/login\//);
  const posted = await agent.post(pathOf(upstreamLogin.url!)).type('form').send({ _csrf: csrfOf(upstreamLogin.res!.text), username, password }).redirects(0);
  const end = await follow(agent, s.issuer, posted.headers.location as string);
  return { rp, end, uid, agent };
}

describe('L4: account issued by Vietnam Post', () => {
  let s: TestServer;
  before(async () => { s = await startServer(); await registerClient(s.db, CLIENT); });
  after(() => s.close());

  it('first login creates the local account at the level Vietnam Post asserts; amr includes "fed"; the next login finds it', async () => {
    const { rp, end } = await viaVnpost(s, 'vnp.hoa');
    assert.ok(end.external, end.res?.text.replace(/<[^>]*>/g, ' ').slice(0, 500));
    const { idToken } = await rp.finish(end.external);
    assert.equal(idToken.acr, '3');
    assert.deepEqual(idToken.amr, ['fed']);
    const again = await viaVnpost(s, 'vnp.hoa');
    assert.equal((await again.rp.finish(again.end.external!)).idToken.sub, idToken.sub);
  });

  it('an existing local account is linked by ID number, and acr is min(account level, Vietnam Post)', async () => {
    const { rp, end } = await viaVnpost(s, 'vnp.an');
    const { idToken } = await rp.finish(end.external!);
    assert.equal(idToken.acr, '2', 'the local account is level 2');
    const id = await s.db('identifiers').where({ type: 'cccd', value: SANDBOX.citizen2.username }).first();
    assert.equal(idToken.sub, id.account_id);
  });

  it('Vietnam Post asserting too low a level: a clear page, nothing created', async () => {
    const before = Number(((await s.db('accounts').count('* as n').first()) as { n: unknown }).n);
    const { end } = await viaVnpost(s, 'vnp.low');
    assert.equal(end.res!.status, 403);
    assert.match(end.res!.text, /chưa được xác thực đủ mức/);
    assert.equal(Number(((await s.db('accounts').count('* as n').first()) as { n: unknown }).n), before);
  });

  it('ID number conflict: an account already linked to another Vietnam Post account is not taken over', async () => {
    // Ngọc's local account gets linked to one Vietnam Post account first…
    await s.db('credentials').insert({ id: '00000000-0000-4000-8000-000000000001', account_id: (await s.db('identifiers').where({ type: 'cccd', value: '079185000123' }).first()).account_id, type: 'vnpost_federation', config: JSON.stringify({ sub: 'vnp-9999' }) });
    const { end } = await viaVnpost(s, 'vnp.conflict');
    assert.equal(end.res!.status, 409);
    assert.match(end.res!.text, /đã gắn với một tài khoản khác/);
  });

  it('the callback cannot be replayed', async () => {
    const { agent, uid } = await viaVnpost(s, 'vnp.hoa');
    const res = await agent.get(`/interaction/${uid}/vnpost/finish?state=whatever&code=x`).redirects(0);
    assert.notEqual(res.status, 303);
  });

  describe('Vietnam Post down', () => {
    let t: TestServer;
    before(async () => { t = await startServer({ VNPOST_ISSUER: 'http://127.0.0.1:9/vnpost', VNPOST_CLIENT_ID: 'x', VNPOST_CLIENT_SECRET: 'y', CONNECTOR_TIMEOUT_MS: '500' }); await registerClient(t.db, CLIENT); });
    after(() => t.close());
    it('a clear page, and the person can choose another method', async () => {
      const rp = await startRp(t.issuer, CLIENT.client_id, CLIENT.client_secret);
      const agent = newAgent(t.issuer);
      const first = await follow(agent, t.issuer, rp.authUrl);
      const uid = /\/interaction\/([^/?]+)/.exec(first.url!)![1]!;
      const res = await agent.get(`/interaction/${uid}/vnpost`);
      assert.equal(res.status, 503);
      assert.match(res.text, /Bưu điện Việt Nam đang gián đoạn/);
      assert.match(res.text, /Chọn phương thức khác/);
    });
  });
});

describe('L4 with private_key_jwt towards Vietnam Post', () => {
  let s: TestServer;
  before(async () => {
    const { cpSync, mkdtempSync, readFileSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const path = await import('node:path');
    const { generateKeyPair, exportJWK, exportPKCS8 } = await import('jose');
    const dir = mkdtempSync(path.join(tmpdir(), 'dvc-sandbox-'));
    cpSync('config/sandbox', dir, { recursive: true });
    const { publicKey, privateKey } = await generateKeyPair('ES256', { extractable: true });
    const file = JSON.parse(readFileSync(path.join(dir, 'vnpost.json'), 'utf8')) as Record<string, unknown>;
    file.keyClients = [{ client_id: 'dvc-id-key', jwks: { keys: [{ ...(await exportJWK(publicKey)), kid: 'v1', alg: 'ES256', use: 'sig' }] } }];
    writeFileSync(path.join(dir, 'vnpost.json'), JSON.stringify(file));
    writeFileSync(path.join(dir, 'key.pem'), await exportPKCS8(privateKey));
    s = await startServer({ SANDBOX_DIR: dir, VNPOST_CLIENT_ID: 'dvc-id-key', VNPOST_CLIENT_PRIVATE_KEY_FILE: path.join(dir, 'key.pem'), VNPOST_CLIENT_KEY_ID: 'v1' });
    await registerClient(s.db, CLIENT);
  });
  after(() => s.close());

  it('signs in through Vietnam Post authenticating with a private key', async () => {
    const { rp, end } = await viaVnpost(s, 'vnp.hoa');
    assert.ok(end.external, end.res?.text.replace(/<[^>]*>/g, ' ').slice(0, 300));
    assert.deepEqual((await rp.finish(end.external)).idToken.amr, ['fed']);
  });
});

describe('L4: Vietnam Post answers with an error', () => {
  let s: TestServer;
  before(async () => { s = await startServer(); await registerClient(s.db, CLIENT); });
  after(() => s.close());
  it('a refusal upstream (error=access_denied at our callback) gets its own page and signs nobody in', async () => {
    const rp = await startRp(s.issuer, CLIENT.client_id, CLIENT.client_secret);
    const agent = newAgent(s.issuer);
    const first = await follow(agent, s.issuer, rp.authUrl);
    const uid = /\/interaction\/([^/?]+)/.exec(first.url!)![1]!;
    const toUpstream = await agent.get(`/interaction/${uid}/vnpost`).redirects(0);
    const state = new URL(toUpstream.headers.location as string).searchParams.get('state')!;
    const cb = await agent.get(`/federation/vnpost/callback?error=access_denied&state=${state}&iss=${encodeURIComponent(`${s.issuer}/sandbox/vnpost`)}`).redirects(0);
    const page = await agent.get(pathOf(cb.headers.location as string));
    assert.equal(page.status, 400);
    assert.match(page.text, /không xác nhận việc đăng nhập/);
  });
});
