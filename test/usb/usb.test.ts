// The local agent protocol, and the USB method end to end over HTTP (the browser's part done by hand).
import assert from 'node:assert/strict';
import * as oidc from 'openid-client';
import { startServer, registerClient, SANDBOX, type TestServer } from '../support/server.ts';
import { newAgent, follow, csrfOf, loginL1, type Agent } from '../support/browser.ts';
import { startRp, REDIRECT_URI } from '../support/rp.ts';
import { agentFor } from '../support/usb.ts';
import type { RunningAgent } from '../../src/usb-agent/agent.ts';

const CLIENT = { client_id: 'rp-usb', client_secret: 'rp-usb-secret-0123456789abcdefgh', redirect_uris: [REDIRECT_URI], dvc_skip_consent: true };

describe('USB token', () => {
  let s: TestServer;
  before(async () => { s = await startServer(); await registerClient(s.db, CLIENT); });
  after(() => s.close());

  describe('local agent protocol', () => {
    let agent: RunningAgent;
    before(async () => { agent = await agentFor(s.issuer, ['citizen', 'enterprise']); });
    after(() => agent.close());

    it('answers only configured origins, with CORS and private-network preflight', async () => {
      const no = await fetch(`${agent.url}/v1/certificates`, { headers: { origin: 'https://evil.example' } });
      assert.equal(no.status, 403);
      assert.equal(no.headers.get('access-control-allow-origin'), null);
      const none = await fetch(`${agent.url}/v1/certificates`);
      assert.equal(none.status, 403, 'no Origin, no answer');
      const pre = await fetch(`${agent.url}/v1/sign`, { method: 'OPTIONS', headers: { origin: s.issuer, 'access-control-request-method': 'POST', 'access-control-request-private-network': 'true' } });
      assert.equal(pre.status, 204);
      assert.equal(pre.headers.get('access-control-allow-private-network'), 'true');
      assert.equal(pre.headers.get('access-control-allow-origin'), s.issuer);
      const list = await fetch(`${agent.url}/v1/certificates`, { headers: { origin: s.issuer } });
      const certs = (await list.json()) as { id: string; subject: string }[];
      assert.deepEqual(certs.map((c) => c.id), ['citizen', 'enterprise']);
      assert.match(certs[0]!.subject, /CCCD:001192000002/);
    });

    it('a wrong PIN is refused and locks after three tries; an unknown certificate is 404', async () => {
      const wrong = await agentFor(s.issuer, ['citizen'], { pin: '9999' });
      try {
        const sign = () => fetch(`${wrong.url}/v1/sign`, { method: 'POST', headers: { origin: s.issuer, 'content-type': 'application/json' }, body: JSON.stringify({ certificateId: 'citizen', data: 'AAAA' }) });
        assert.deepEqual(await (await sign()).json(), { error: 'pin_wrong', triesLeft: 2 });
        await sign();
        assert.equal((await sign()).status, 423);
        assert.equal((await sign()).status, 423, 'stays locked');
        const unknown = await fetch(`${wrong.url}/v1/sign`, { method: 'POST', headers: { origin: s.issuer, 'content-type': 'application/json' }, body: JSON.stringify({ certificateId: 'nope', data: 'AAAA' }) });
        assert.equal(unknown.status, 404);
      } finally {
        await wrong.close();
      }
    });

    it('a token with no certificate lists none', async () => {
      const empty = await agentFor(s.issuer, []);
      try {
        assert.deepEqual(await (await fetch(`${empty.url}/v1/certificates`, { headers: { origin: s.issuer } })).json(), []);
      } finally {
        await empty.close();
      }
    });
  });

  /** What the page script does: take the challenge from the page, have the agent sign it, post it. */
  async function signIn(agent: Agent, uid: string, token: RunningAgent, certificateId: string) {
    const page = await agent.get(`/interaction/${uid}/usb`).expect(200);
    assert.match(String(page.headers['content-security-policy']), /connect-src 'self' http:\/\/127\.0\.0\.1:14588/);
    const challenge = /data-challenge="([^"]+)"/.exec(page.text)![1]!;
    const certs = (await (await fetch(`${token.url}/v1/certificates`, { headers: { origin: tokenOrigin } })).json()) as { id: string; certificate: string }[];
    const cert = certs.find((c) => c.id === certificateId)!;
    const signed = (await (await fetch(`${token.url}/v1/sign`, { method: 'POST', headers: { origin: tokenOrigin, 'content-type': 'application/json' }, body: JSON.stringify({ certificateId, data: challenge }) })).json()) as { signature: string };
    const form = { _csrf: csrfOf(page.text), signature: signed.signature, chain: JSON.stringify([cert.certificate]) };
    const res = await agent.post(`/interaction/${uid}/usb`).type('form').send(form).redirects(0);
    return { res, form };
  }
  let tokenOrigin = '';

  async function open(params: Record<string, string> = {}, agent = newAgent(s.issuer)) {
    const rp = await startRp(s.issuer, CLIENT.client_id, CLIENT.client_secret, { scope: 'openid profile national_id enterprise', ...params });
    const first = await follow(agent, s.issuer, rp.authUrl);
    const uid = /\/interaction\/([^/?]+)/.exec(first.url!)![1]!;
    return { rp, agent, uid };
  }

  describe('login and registration', () => {
    let token: RunningAgent;
    before(async () => { tokenOrigin = s.issuer; token = await agentFor(s.issuer, ['citizen', 'citizen-renewed', 'enterprise', 'level2-citizen', 'expired', 'revoked']); });
    after(() => token.close());

    it('R4 citizen, then L3 with a renewed certificate logs in to the same account and links it; a replay is refused', async () => {
      const { rp, agent, uid } = await open();
      const { res, form } = await signIn(agent, uid, token, 'citizen');
      assert.equal(res.headers.location, `/interaction/${uid}/usb/register`);
      const reg = await agent.get(res.headers.location as string).expect(200);
      assert.match(reg.text, /Vương Thị Hoa/);
      const done = await agent.post(`/interaction/${uid}/usb/register`).type('form').send({ _csrf: form._csrf }).redirects(0);
      const end = await follow(agent, s.issuer, done.headers.location as string);
      const first = await rp.finish(end.external!);
      assert.equal(first.idToken.acr, '3');
      assert.deepEqual(first.idToken.amr, ['hwk', 'pin', 'sc']);

      const again = await open({ prompt: 'login' });
      const replay = await again.agent.post(`/interaction/${again.uid}/usb`).type('form').send({ ...form, _csrf: csrfOf((await again.agent.get(`/interaction/${again.uid}`)).text) }).redirects(0);
      assert.notEqual(replay.status, 303, 'a signature over an old challenge does not log in');

      const renewed = await open({ prompt: 'login' });
      const r = await signIn(renewed.agent, renewed.uid, token, 'citizen-renewed');
      assert.equal(r.res.status, 303);
      const end2 = await follow(renewed.agent, s.issuer, r.res.headers.location as string);
      const second = await renewed.rp.finish(end2.external!);
      assert.equal(second.idToken.sub, first.idToken.sub, 'same account');
      const creds = await s.db('credentials').where({ account_id: first.idToken.sub, type: 'usb_certificate' });
      assert.equal(creds.length, 2, 'both certificates are linked');
    });

    it('R4 enterprise: email required, enterprise claims', async () => {
      const { rp, agent, uid } = await open();
      const { form } = await signIn(agent, uid, token, 'enterprise');
      const missing = await agent.post(`/interaction/${uid}/usb/register`).type('form').send({ _csrf: form._csrf });
      assert.equal(missing.status, 400);
      const done = await agent.post(`/interaction/${uid}/usb/register`).type('form').send({ _csrf: form._csrf, email: 'it@usb.example.vn' }).redirects(0);
      const end = await follow(agent, s.issuer, done.headers.location as string);
      const { idToken, tokens } = await rp.finish(end.external!);
      assert.equal(idToken.subject_type, 'enterprise');
      const info = await oidc.fetchUserInfo(rp.config, tokens.access_token, String(idToken.sub));
      assert.equal(info.tax_code, '0314409058');
    });

    it('an expired or revoked certificate on the token: the page says exactly that', async () => {
      for (const [id, text] of [['expired', /đã hết hạn/], ['revoked', /bị thu hồi/]] as const) {
        const { agent, uid } = await open();
        const { res } = await signIn(agent, uid, token, id);
        assert.equal(res.status, 400);
        assert.match(res.text, text);
      }
    });

    it('tampered submissions are refused cleanly', async () => {
      const { agent, uid } = await open();
      const page = await agent.get(`/interaction/${uid}/usb`).expect(200);
      const res = await agent.post(`/interaction/${uid}/usb`).type('form').send({ _csrf: csrfOf(page.text), signature: 'not base64 !!', chain: '{' });
      assert.equal(res.status, 400);
      assert.match(res.text, /không hợp lệ/);
    });

    it('step-up: a level-2 account signed in by L1 signs with its own token and reaches acr "3"', async () => {
      const agent = newAgent(s.issuer);
      const rp1 = await startRp(s.issuer, CLIENT.client_id, CLIENT.client_secret);
      await rp1.finish((await loginL1(agent, s.issuer, rp1.authUrl, SANDBOX.citizen2, { consent: false })).external!);
      const { rp, uid } = await open({ acr_values: '3' }, agent);
      const { res } = await signIn(agent, uid, token, 'level2-citizen');
      const end = await follow(agent, s.issuer, res.headers.location as string);
      assert.equal((await rp.finish(end.external!)).idToken.acr, '3');
    });
  });
});
