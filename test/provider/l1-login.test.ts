// L1 end to end with a real relying party (openid-client) through the real pages, on PostgreSQL.
import assert from 'node:assert/strict';
import * as oidc from 'openid-client';
import { startServer, registerClient, SANDBOX, EMBEDDED, type TestServer } from '../support/server.ts';
import { newAgent, loginL1, follow, csrfOf } from '../support/browser.ts';
import { startRp, REDIRECT_URI } from '../support/rp.ts';

describe('L1: ID number + password + SMS OTP', () => {
  let s: TestServer;
  before(async () => {
    s = await startServer();
    await registerClient(s.db, { client_id: 'rp-l1', client_secret: 'rp-l1-secret-0123456789abcdef', redirect_uris: [REDIRECT_URI], grant_types: ['authorization_code', 'refresh_token'], client_name: 'Cổng thử nghiệm' });
    await registerClient(s.db, { client_id: 'rp-rs256', client_secret: 'rp-rs256-secret-0123456789abcd', redirect_uris: [REDIRECT_URI], id_token_signed_response_alg: 'RS256', dvc_skip_consent: true });
  });
  after(() => s.close());

  it('the login page is the ID + password form, the other methods beside it; its form signs in with no request of its own', async () => {
    const rp = await startRp(s.issuer, 'rp-rs256', 'rp-rs256-secret-0123456789abcd', { login_hint: '001099012345' });
    const agent = newAgent(s.issuer);
    const first = await follow(agent, s.issuer, rp.authUrl);
    const uid = /\/interaction\/([^/?]+)$/.exec(first.url!)![1]!;
    const html = first.res!.text;
    assert.match(html, new RegExp(`<form[^>]+action="/interaction/${uid}/password_otp"`));
    assert.match(html, /name="username"[^>]*value="001099012345"/, 'login_hint fills the ID number');
    assert.match(html, new RegExp(`href="/interaction/${uid}/password_otp" aria-current="page"`), 'the form\'s own tab is the current one');
    for (const m of ['sim', 'usb', 'vnpost']) assert.match(html, new RegExp(`href="/interaction/${uid}/${m}"`), `${m} beside it`);
    const posted = await agent.post(`/interaction/${uid}/password_otp`).type('form')
      .send({ _csrf: csrfOf(html), username: SANDBOX.citizen2.username, password: 'Wrong@Pass1' }).redirects(0);
    assert.equal(posted.status, 400, 'a wrong password is refused from the login page as from the form\'s own page');
    assert.match(posted.text, /Tên đăng nhập hoặc mật khẩu không đúng/);
  });

  it('without the password method first, the login page is the chooser', async () => {
    // A second node: on PostgreSQL beside this one (a fresh start would empty the shared schema), embedded on its own.
    const other = await startServer({ METHODS: 'sim,password_otp,usb' }, { keepData: !EMBEDDED });
    try {
      await registerClient(other.db, { client_id: 'rp-rs256', client_secret: 'rp-rs256-secret-0123456789abcd', redirect_uris: [REDIRECT_URI], dvc_skip_consent: true });
      const rp = await startRp(other.issuer, 'rp-rs256', 'rp-rs256-secret-0123456789abcd');
      const first = await follow(newAgent(other.issuer), other.issuer, rp.authUrl);
      assert.doesNotMatch(first.res!.text, /name="password"/);
      assert.match(first.res!.text, /\/password_otp"/);
    } finally {
      await other.close();
    }
  });

  it('discovery → authorize (PKCE, state, nonce) → login → token → ID token verified with JWKS → userinfo', async () => {
    const rp = await startRp(s.issuer, 'rp-l1', 'rp-l1-secret-0123456789abcdef', { scope: 'openid profile phone national_id offline_access', prompt: 'consent' });
    const meta = rp.config.serverMetadata();
    assert.deepEqual(meta.acr_values_supported, ['2', '3']);
    const agent = newAgent(s.issuer);
    const end = await loginL1(agent, s.issuer, rp.authUrl, SANDBOX.citizen2);
    assert.ok(end.external?.startsWith(REDIRECT_URI), 'browser returns to the RP');
    const { tokens, idToken } = await rp.finish(end.external!);
    assert.equal(idToken.acr, '2');
    assert.deepEqual(idToken.amr, ['pwd', 'sms', 'mfa']);
    assert.equal(typeof idToken.auth_time, 'number');
    assert.equal(idToken.subject_type, 'citizen');
    const header = JSON.parse(Buffer.from(tokens.id_token!.split('.')[0]!, 'base64url').toString()) as { alg: string };
    assert.equal(header.alg, 'ES256');
    const info = await oidc.fetchUserInfo(rp.config, tokens.access_token, String(idToken.sub));
    assert.equal(info.name, 'Nguyễn Văn An');
    assert.equal(info.birthdate, '1999-05-12');
    assert.equal(info.phone_number, '+84912345228');
    assert.equal(info.national_id, '001099012345');
    assert.ok(tokens.refresh_token, 'offline_access gives a refresh token');
    const refreshed = await oidc.refreshTokenGrant(rp.config, tokens.refresh_token);
    assert.notEqual(refreshed.refresh_token, tokens.refresh_token, 'refresh tokens rotate');
    await assert.rejects(oidc.refreshTokenGrant(rp.config, tokens.refresh_token), 'a rotated refresh token is spent');
  });

  it('a level-3 account gets acr "3"; a first-party client skips consent and gets RS256 on request', async () => {
    const rp = await startRp(s.issuer, 'rp-rs256', 'rp-rs256-secret-0123456789abcd');
    const end = await loginL1(newAgent(s.issuer), s.issuer, rp.authUrl, SANDBOX.citizen3, { consent: false });
    const { tokens, idToken } = await rp.finish(end.external!);
    assert.equal(idToken.acr, '3');
    const header = JSON.parse(Buffer.from(tokens.id_token!.split('.')[0]!, 'base64url').toString()) as { alg: string };
    assert.equal(header.alg, 'RS256');
  });

  it('an enterprise signs in with its tax code and is typed as enterprise', async () => {
    const rp = await startRp(s.issuer, 'rp-rs256', 'rp-rs256-secret-0123456789abcd', { scope: 'openid enterprise' });
    const end = await loginL1(newAgent(s.issuer), s.issuer, rp.authUrl, SANDBOX.enterprise, { consent: false });
    const { tokens, idToken } = await rp.finish(end.external!);
    assert.equal(idToken.subject_type, 'enterprise');
    const info = await oidc.fetchUserInfo(rp.config, tokens.access_token, String(idToken.sub));
    assert.equal(info.tax_code, '0100109106');
    assert.equal(info.organization_name, 'Công ty Cổ phần Thử nghiệm Dịch vụ công');
  });
});
