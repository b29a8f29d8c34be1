// acr = min(account level, method ceiling); step-up when the RP asks more than the session has.
import assert from 'node:assert/strict';
import { startServer, registerClient, SANDBOX, type TestServer } from '../support/server.ts';
import { newAgent, loginL1, follow, csrfOf } from '../support/browser.ts';
import { startRp, REDIRECT_URI } from '../support/rp.ts';

const CLIENT = { client_id: 'rp-acr', client_secret: 'rp-acr-secret-0123456789abcdefgh', redirect_uris: [REDIRECT_URI], dvc_skip_consent: true };

describe('assurance levels', () => {
  describe('with the L1 ceiling configured to 2', () => {
    let s: TestServer;
    before(async () => { s = await startServer({ CEILING_PASSWORD_OTP: '2' }); await registerClient(s.db, CLIENT); });
    after(() => s.close());

    it('a level-3 account signed in by L1 gets acr "2"', async () => {
      const rp = await startRp(s.issuer, CLIENT.client_id, CLIENT.client_secret);
      const end = await loginL1(newAgent(s.issuer), s.issuer, rp.authUrl, SANDBOX.citizen3, { consent: false });
      const { idToken } = await rp.finish(end.external!);
      assert.equal(idToken.acr, '2');
    });
  });

  describe('step-up while only L1 exists', () => {
    let s: TestServer;
    before(async () => { s = await startServer({ METHODS: 'password_otp,register_mobile,register_bhxh' }); await registerClient(s.db, CLIENT); });
    after(() => s.close());

    it('level-2 account, RP demands acr 3 as essential: the person is told how to raise it and the RP gets unmet_authentication_requirements', async () => {
      const claims = JSON.stringify({ id_token: { acr: { essential: true, value: '3' } } });
      const rp = await startRp(s.issuer, CLIENT.client_id, CLIENT.client_secret, { acr_values: '3', claims });
      const agent = newAgent(s.issuer);
      const end = await loginL1(agent, s.issuer, rp.authUrl, SANDBOX.citizen2, { consent: false });
      assert.ok(end.res, 'no token yet: the step-up page is shown');
      assert.match(end.res.text, /mức độ 3/);
      assert.match(end.res.text, /Bưu điện Việt Nam/);
      const uid = /\/interaction\/([^/?]+)/.exec(end.url!)![1]!;
      const back = await agent.post(`/interaction/${uid}/unmet`).type('form').send({ _csrf: csrfOf(end.res.text) }).redirects(0);
      const cb = await follow(agent, s.issuer, back.headers.location as string);
      const u = new URL(cb.external!);
      assert.equal(u.searchParams.get('error'), 'unmet_authentication_requirements');
      assert.equal(u.searchParams.get('state'), rp.state);
      assert.equal(u.searchParams.get('code'), null, 'never a code below the essential level');
      assert.equal(u.searchParams.get('error_description'), 'the account cannot reach the requested assurance level now', 'nothing was offered');
    });

    it('essential: posting "continue" anyway still ends in unmet_authentication_requirements', async () => {
      const claims = JSON.stringify({ id_token: { acr: { essential: true, value: '3' } } });
      const rp = await startRp(s.issuer, CLIENT.client_id, CLIENT.client_secret, { claims });
      const agent = newAgent(s.issuer);
      const end = await loginL1(agent, s.issuer, rp.authUrl, SANDBOX.citizen2, { consent: false });
      assert.doesNotMatch(end.res!.text, /Tiếp tục với mức độ/, 'no continue button for an essential request');
      const uid = /\/interaction\/([^/?]+)/.exec(end.url!)![1]!;
      const back = await agent.post(`/interaction/${uid}/unmet`).type('form').send({ _csrf: csrfOf(end.res!.text), continue: '1' }).redirects(0);
      const cb = await follow(agent, s.issuer, back.headers.location as string);
      assert.equal(new URL(cb.external!).searchParams.get('error'), 'unmet_authentication_requirements');
    });

    it('voluntary acr_values=3: the person continues at level 2 and the RP receives acr "2" (OIDC Core 5.5.1.1)', async () => {
      const rp = await startRp(s.issuer, CLIENT.client_id, CLIENT.client_secret, { acr_values: '3' });
      const agent = newAgent(s.issuer);
      const end = await loginL1(agent, s.issuer, rp.authUrl, SANDBOX.citizen2, { consent: false });
      assert.match(end.res!.text, /Tiếp tục với mức độ 2/);
      const uid = /\/interaction\/([^/?]+)/.exec(end.url!)![1]!;
      const back = await agent.post(`/interaction/${uid}/unmet`).type('form').send({ _csrf: csrfOf(end.res!.text), continue: '1' }).redirects(0);
      const cb = await follow(agent, s.issuer, back.headers.location as string);
      const { idToken } = await rp.finish(cb.external!);
      assert.equal(idToken.acr, '2');
      assert.deepEqual(idToken.amr, ['pwd', 'sms', 'mfa'], 'the login is the one that happened');
    });
  });

  describe('step-up offered (SIM and USB enabled)', () => {
    let s: TestServer;
    before(async () => { s = await startServer(); await registerClient(s.db, CLIENT); });
    after(() => s.close());

    it('declining an offered step-up says so in error_description', async () => {
      const rp = await startRp(s.issuer, CLIENT.client_id, CLIENT.client_secret, { acr_values: '3' });
      const agent = newAgent(s.issuer);
      const end = await loginL1(agent, s.issuer, rp.authUrl, SANDBOX.citizen2, { consent: false });
      assert.match(end.res!.text, /SIM/);
      const uid = /\/interaction\/([^/?]+)/.exec(end.url!)![1]!;
      const back = await agent.post(`/interaction/${uid}/unmet`).type('form').send({ _csrf: csrfOf(end.res!.text) }).redirects(0);
      const cb = await follow(agent, s.issuer, back.headers.location as string);
      const u = new URL(cb.external!);
      assert.equal(u.searchParams.get('error'), 'unmet_authentication_requirements');
      assert.equal(u.searchParams.get('error_description'), 'the person declined to raise the assurance level');
    });

    it('level-3 account asking acr_values=3 passes straight through with acr "3"', async () => {
      const rp = await startRp(s.issuer, CLIENT.client_id, CLIENT.client_secret, { acr_values: '3' });
      const end = await loginL1(newAgent(s.issuer), s.issuer, rp.authUrl, SANDBOX.citizen3, { consent: false });
      const { idToken } = await rp.finish(end.external!);
      assert.equal(idToken.acr, '3');
    });

    it('a signed-in level-2 session is not asked again for acr 2, but is stepped up for 3', async () => {
      const agent = newAgent(s.issuer);
      const rp1 = await startRp(s.issuer, CLIENT.client_id, CLIENT.client_secret);
      const end1 = await loginL1(agent, s.issuer, rp1.authUrl, SANDBOX.citizen2, { consent: false });
      assert.equal((await rp1.finish(end1.external!)).idToken.acr, '2');
      const rp2 = await startRp(s.issuer, CLIENT.client_id, CLIENT.client_secret, { acr_values: '2' });
      const end2 = await follow(agent, s.issuer, rp2.authUrl);
      assert.ok(end2.external, 'SSO: no page for a level the session already has');
      const rp3 = await startRp(s.issuer, CLIENT.client_id, CLIENT.client_secret, { acr_values: '3' });
      const end3 = await follow(agent, s.issuer, rp3.authUrl);
      assert.ok(end3.res);
      assert.match(end3.res.text, /stepup|mức độ 3/);
    });
  });
});
