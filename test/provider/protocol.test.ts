// The protocol surface an integrator relies on, exercised with openid-client against our provider.
import assert from 'node:assert/strict';
import * as oidc from 'openid-client';
import { exportJWK, generateKeyPair, decodeJwt, decodeProtectedHeader, createRemoteJWKSet, jwtVerify } from 'jose';
import { startServer, registerClient, postgresOnly, SANDBOX, type TestServer } from '../support/server.ts';
import { newAgent, loginL1, pathOf } from '../support/browser.ts';
import { REDIRECT_URI } from '../support/rp.ts';
import { rotateSigningKeys } from '../../src/provider/keys.ts';
import { backchannelReceiver, type BackchannelReceiver } from '../support/backchannel.ts';

const insecure = { execute: [oidc.allowInsecureRequests] };

async function codeFlow(s: TestServer, config: oidc.Configuration, who = SANDBOX.citizen2, extra: Record<string, string> = {}, par = false) {
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const params = { redirect_uri: REDIRECT_URI, scope: 'openid profile', code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256', state, ...extra };
  const url = par ? await oidc.buildAuthorizationUrlWithPAR(config, params) : oidc.buildAuthorizationUrl(config, params);
  const agent = newAgent(s.issuer);
  const end = await loginL1(agent, s.issuer, url.href, who, { consent: false });
  const tokens = await oidc.authorizationCodeGrant(config, new URL(end.external!), { pkceCodeVerifier: verifier, expectedState: state });
  return { tokens, agent, url };
}

describe('protocol features', () => {
  let s: TestServer;
  let backchannel: BackchannelReceiver;
  let logoutTokens: string[] = [];
  let bcUrl: string;

  before(async () => {
    backchannel = await backchannelReceiver();
    logoutTokens = backchannel.tokens;
    bcUrl = backchannel.url;
    s = await startServer({ REGISTRATION_INITIAL_ACCESS_TOKEN: 'iat-0123456789abcdefghijklmnopqrstuv' });
  });
  after(async () => { await s.close(); backchannel.close(); });

  it('client_secret_post, client_credentials, introspection and revocation', async () => {
    await registerClient(s.db, { client_id: 'rp-post', client_secret: 'rp-post-secret-0123456789abcdefgh', token_endpoint_auth_method: 'client_secret_post', redirect_uris: [REDIRECT_URI], grant_types: ['authorization_code', 'client_credentials'], dvc_skip_consent: true });
    const config = await oidc.discovery(new URL(s.issuer), 'rp-post', undefined, oidc.ClientSecretPost('rp-post-secret-0123456789abcdefgh'), insecure);
    const { tokens } = await codeFlow(s, config);
    assert.equal(decodeJwt(tokens.id_token!).acr, '2');
    const active = await oidc.tokenIntrospection(config, tokens.access_token);
    assert.equal(active.active, true);
    await oidc.tokenRevocation(config, tokens.access_token);
    assert.equal((await oidc.tokenIntrospection(config, tokens.access_token)).active, false);
    const cc = await oidc.clientCredentialsGrant(config);
    assert.ok(cc.access_token);
  });

  it('private_key_jwt client authentication', async () => {
    const { publicKey, privateKey } = await generateKeyPair('ES256', { extractable: true });
    await registerClient(s.db, { client_id: 'rp-pkjwt', token_endpoint_auth_method: 'private_key_jwt', token_endpoint_auth_signing_alg: 'ES256', jwks: { keys: [{ ...(await exportJWK(publicKey)), alg: 'ES256', use: 'sig', kid: 'k1' }] }, redirect_uris: [REDIRECT_URI], dvc_skip_consent: true });
    const config = await oidc.discovery(new URL(s.issuer), 'rp-pkjwt', undefined, oidc.PrivateKeyJwt({ key: privateKey, kid: 'k1' }), insecure);
    const { tokens } = await codeFlow(s, config);
    assert.ok(tokens.id_token);
  });

  it('pushed authorization requests and pairwise subjects', async () => {
    await registerClient(s.db, { client_id: 'rp-pairwise', client_secret: 'rp-pairwise-secret-0123456789abcd', subject_type: 'pairwise', redirect_uris: [REDIRECT_URI], dvc_skip_consent: true });
    const config = await oidc.discovery(new URL(s.issuer), 'rp-pairwise', 'rp-pairwise-secret-0123456789abcd', undefined, insecure);
    const a = await codeFlow(s, config, SANDBOX.citizen2, {}, true);
    const b = await codeFlow(s, config, SANDBOX.citizen2);
    const subA = decodeJwt(a.tokens.id_token!).sub;
    assert.equal(subA, decodeJwt(b.tokens.id_token!).sub, 'stable per client');
    assert.doesNotMatch(String(subA), /^[0-9a-f-]{36}$/, 'not the internal account id');
    assert.match(a.url.search, /request_uri=/, 'the authorization URL only carries a request_uri');
  });

  it('RP-initiated logout delivers back-channel logout to RPs that registered for it', async () => {
    await registerClient(s.db, { client_id: 'rp-logout', client_secret: 'rp-logout-secret-0123456789abcde', redirect_uris: [REDIRECT_URI], post_logout_redirect_uris: ['http://127.0.0.1:9/bye'], backchannel_logout_uri: bcUrl, backchannel_logout_session_required: true, dvc_skip_consent: true });
    const config = await oidc.discovery(new URL(s.issuer), 'rp-logout', 'rp-logout-secret-0123456789abcde', undefined, insecure);
    const { tokens, agent } = await codeFlow(s, config);
    const endUrl = oidc.buildEndSessionUrl(config, { id_token_hint: tokens.id_token!, post_logout_redirect_uri: 'http://127.0.0.1:9/bye' });
    const page = await agent.get(pathOf(endUrl.href)).expect(200);
    assert.match(page.text, /Bạn có muốn đăng xuất/);
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(page.text)![1]!;
    const done = await agent.post('/session/end/confirm').type('form').send({ xsrf, logout: 'yes' }).redirects(0);
    assert.equal(done.status, 303);
    assert.match(done.headers.location as string, /^http:\/\/127\.0\.0\.1:9\/bye/);
    for (let i = 0; i < 50 && !logoutTokens.length; i++) await new Promise((r) => setTimeout(r, 50));
    assert.equal(logoutTokens.length, 1);
    const claims = decodeJwt(logoutTokens[0]!);
    assert.equal(claims.sub, decodeJwt(tokens.id_token!).sub);
    assert.ok((claims.events as Record<string, unknown>)['http://schemas.openid.net/event/backchannel-logout']);
    assert.ok(claims.sid);
  });

  it('dynamic registration only with the initial access token', async () => {
    const agent = newAgent(s.issuer);
    const meta = { redirect_uris: ['https://rp.example.gov.vn/cb'], client_name: 'Dynamic' };
    await agent.post('/reg').send(meta).expect(401);
    const ok = await agent.post('/reg').set('authorization', 'Bearer iat-0123456789abcdefghijklmnopqrstuv').send(meta).expect(201);
    assert.ok(ok.body.client_id);
  });

  it('key rotation: new keys sign, old tokens still verify with the published JWKS', async function () {
    postgresOnly(this); // a second node on the same database
    await registerClient(s.db, { client_id: 'rp-rotate', client_secret: 'rp-rotate-secret-0123456789abcde', redirect_uris: [REDIRECT_URI], dvc_skip_consent: true });
    const config = await oidc.discovery(new URL(s.issuer), 'rp-rotate', 'rp-rotate-secret-0123456789abcde', undefined, insecure);
    const before = await codeFlow(s, config);
    await rotateSigningKeys(s.db, s.cfg.keyEncryptionSecret);
    // A node started after the rotation (same database) signs with the new key and publishes both.
    const s2 = await startServer({}, { keepData: true });
    try {
      await registerClient(s2.db, { client_id: 'rp-rotate', client_secret: 'rp-rotate-secret-0123456789abcde', redirect_uris: [REDIRECT_URI], dvc_skip_consent: true });
      const config2 = await oidc.discovery(new URL(s2.issuer), 'rp-rotate', 'rp-rotate-secret-0123456789abcde', undefined, insecure);
      const after = await codeFlow(s2, config2);
      const oldKid = decodeProtectedHeader(before.tokens.id_token!).kid;
      const newKid = decodeProtectedHeader(after.tokens.id_token!).kid;
      assert.notEqual(oldKid, newKid);
      const jwks = createRemoteJWKSet(new URL(`${s2.issuer}/jwks`));
      await jwtVerify(before.tokens.id_token!, jwks, { audience: 'rp-rotate' });
      await jwtVerify(after.tokens.id_token!, jwks, { audience: 'rp-rotate' });
    } finally {
      await s2.close();
    }
  });

  it('security headers on our pages: CSP without inline script, no framing', async () => {
    const res = await newAgent(s.issuer).get('/interaction/x').redirects(0);
    const csp = String(res.headers['content-security-policy']);
    assert.match(csp, /script-src 'self'/);
    assert.doesNotMatch(csp, /unsafe-inline/);
    assert.match(csp, /frame-ancestors 'none'/);
    assert.equal(res.headers['x-content-type-options'], 'nosniff');
  });
});
