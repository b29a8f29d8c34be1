// The demo relying party over HTTP, on whichever database TEST_DB names: the real OIDC flow in,
// step-up and fresh-login requests, RP-initiated logout with the back-channel notice recorded, and
// what an attacker can send it (forged or replayed logout tokens, stale or replayed callbacks).
import assert from 'node:assert/strict';
import { generateKeyPair, SignJWT } from 'jose';
import { startServer, SANDBOX, type TestServer } from '../support/server.ts';
import { newAgent, csrfOf, follow, loginL1, pathOf, type Agent } from '../support/browser.ts';

const EVENT = 'http://schemas.openid.net/event/backchannel-logout';

describe('demo service (/demo)', function () {
  this.timeout(60_000);
  let s: TestServer;
  before(async () => { s = await startServer(); });
  after(async () => { await s?.close(); });

  const notices = async () => (await s.db('flows').where({ kind: 'demo_logout' })).length;

  /** Presses one of the demo's sign-in buttons; returns where the provider sends the browser. */
  async function press(agent: Agent, ask: string) {
    const home = await agent.get('/demo').expect(200);
    const res = await agent.post('/demo/login').type('form').send({ _csrf: csrfOf(home.text), ask }).redirects(0);
    assert.equal(res.status, 303);
    return res.headers.location as string;
  }


  async function signedIn(): Promise<{ agent: Agent; page: string }> {
    const agent = newAgent(s.issuer);
    const at = await loginL1(agent, s.issuer, await press(agent, 'basic'), SANDBOX.citizen2);
    assert.equal(at.url, '/demo', 'back at the demo');
    return { agent, page: at.res!.text };
  }

  it('signs in by the real flow (consent shown), shows the claims in words and as JSON, and acr 2', async () => {
    const agent = newAgent(s.issuer);
    const auth = new URL(await press(agent, 'basic'));
    assert.equal(auth.searchParams.get('code_challenge_method'), 'S256');
    for (const p of ['state', 'nonce', 'code_challenge']) assert.ok(auth.searchParams.get(p), p);
    // A third-party site: the person is asked before anything is shared (no dvc_skip_consent).
    const consent = await loginL1(agent, s.issuer, auth.href, SANDBOX.citizen2, { consent: false });
    assert.match(consent.res!.text, /Dịch vụ công mẫu muốn nhận các thông tin sau/);
    const uid = /\/interaction\/([^/?]+)/.exec(consent.url!)![1]!;
    const ok = await agent.post(`/interaction/${uid}/confirm`).type('form').send({ _csrf: csrfOf(consent.res!.text) }).redirects(0);
    const page = (await follow(agent, s.issuer, ok.headers.location as string)).res!.text;
    assert.match(page, /Mức độ xác thực<\/dt><dd[^>]*>2<span class="hint">/);
    assert.match(page, /Mật khẩu và mã SMS/);
    assert.match(page, /Nguyễn Văn An/);
    assert.match(page, /&quot;acr&quot;: &quot;2&quot;/);
    const client = await s.db('oidc_models').where({ kind: 'Client', id: 'dvc-demo' }).first();
    assert.ok(client, 'the demo client is registered on start in sandbox mode');
  });

  it('essential level 3 for a level-2 account: step-up offered; declining keeps the old session and says why', async () => {
    const { agent } = await signedIn();
    const stepup = await follow(agent, s.issuer, await press(agent, 'acr3_essential'));
    assert.match(stepup.res!.text, /Cần xác thực mức độ cao hơn/);
    const uid = /\/interaction\/([^/?]+)/.exec(stepup.url!)![1]!;
    const out = await agent.post(`/interaction/${uid}/unmet`).type('form').send({ _csrf: csrfOf(stepup.res!.text) }).redirects(0);
    const back = await follow(agent, s.issuer, out.headers.location as string);
    assert.equal(back.res!.status, 200);
    assert.match(back.res!.text, /unmet_authentication_requirements/);
    assert.match(back.res!.text, /Mức độ xác thực<\/dt><dd[^>]*>2</, 'still signed in at level 2');
  });

  it('voluntary level 3 is acr_values=3, essential is the claims parameter; both offer the step-up to a level-2 session', async () => {
    const { agent } = await signedIn();
    const voluntary = new URL(await press(agent, 'acr3'));
    assert.equal(voluntary.searchParams.get('acr_values'), '3');
    assert.equal(voluntary.searchParams.get('claims'), null);
    assert.match((await follow(agent, s.issuer, voluntary.href)).res!.text, /Cần xác thực mức độ cao hơn/);
    const essential = new URL(await press(agent, 'acr3_essential'));
    assert.deepEqual(JSON.parse(essential.searchParams.get('claims')!), { id_token: { acr: { essential: true, value: '3' } } });
    assert.equal(essential.searchParams.get('acr_values'), null);
    assert.match((await follow(agent, s.issuer, essential.href)).res!.text, /Cần xác thực mức độ cao hơn/);
  });

  it('voluntary level 3 continued at level 2: the demo signs in with acr 2 and says it received less than it asked', async () => {
    const { agent } = await signedIn();
    const stepup = await follow(agent, s.issuer, await press(agent, 'acr3'));
    const uid = /\/interaction\/([^/?]+)/.exec(stepup.url!)![1]!;
    const out = await agent.post(`/interaction/${uid}/unmet`).type('form').send({ _csrf: csrfOf(stepup.res!.text), continue: '1' }).redirects(0);
    const back = await follow(agent, s.issuer, out.headers.location as string);
    assert.equal(back.url, '/demo');
    assert.match(back.res!.text, /mức độ 3, tự nguyện \(acr_values=3\)/);
    assert.match(back.res!.text, /Bạn đã yêu cầu mức độ 3 nhưng tiếp tục ở mức độ 2/);
  });

  it('a fresh sign-in (max_age=0) asks for credentials again even though the provider session lives', async () => {
    const { agent } = await signedIn();
    const next = await follow(agent, s.issuer, await press(agent, 'fresh'));
    assert.match(pathOf(next.url!), /^\/interaction\//);
    assert.match(next.res!.text, /Số CCCD\/CMND và mật khẩu/);
    const plain = await follow(agent, s.issuer, await press(agent, 'basic'));
    assert.equal(plain.url, '/demo', 'without max_age the live session answers at once');
  });

  it('signs out through the provider; the back-channel logout arrives, is recorded, and the page says when', async () => {
    const { agent, page } = await signedIn();
    const before = await notices();
    const out = await agent.post('/demo/logout').type('form').send({ _csrf: csrfOf(page) }).redirects(0);
    const endSession = new URL(out.headers.location as string);
    assert.equal(endSession.pathname, '/session/end');
    assert.ok(endSession.searchParams.get('id_token_hint'));
    assert.equal(endSession.searchParams.get('post_logout_redirect_uri'), `${s.issuer}/demo`);
    const confirm = await follow(agent, s.issuer, endSession.href);
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(confirm.res!.text)![1]!;
    const done = await agent.post('/session/end/confirm').type('form').send({ xsrf, logout: 'yes' }).redirects(0);
    assert.equal(done.headers.location, `${s.issuer}/demo`);
    assert.equal(await notices(), before + 1, 'the provider told the demo');
    const after = await agent.get('/demo').expect(200);
    assert.match(after.text, /Hệ thống định danh đã báo cho trang này rằng bạn đã đăng xuất lúc \d{2}\/\d{2}\/\d{4} \d{2}:\d{2}/);
    assert.doesNotMatch(after.text, /Mức độ xác thực/);
  });

  describe('attacker', () => {
    const post = (body: Record<string, string>) => newAgent(s.issuer).post('/demo/backchannel-logout').type('form').send(body);

    it('a logout token signed by anyone but the provider is refused (400) and records nothing', async () => {
      const before = await notices();
      const { privateKey } = await generateKeyPair('ES256');
      const forged = await new SignJWT({ sid: 'victim-sid', events: { [EVENT]: {} }, jti: 'j1' })
        .setProtectedHeader({ alg: 'ES256', typ: 'logout+jwt' }).setIssuer(s.issuer).setAudience('dvc-demo').setSubject('someone').setIssuedAt().sign(privateKey);
      for (const body of [{ logout_token: forged }, { logout_token: 'not.a.jwt' }, {}, { logout_token: '' }] as Record<string, string>[]) {
        const res = await post(body).expect(400);
        assert.equal(res.body.error, 'invalid_request');
      }
      assert.equal(await notices(), before);
    });

    it('an ID token replayed as a logout token is refused (no logout event, wrong typ)', async () => {
      const { agent } = await signedIn();
      const session = await s.db('flows').where({ kind: 'demo_session' }).orderBy('created_at', 'desc').first();
      const idToken = (typeof session.data === 'string' ? JSON.parse(session.data) : session.data).idToken as string;
      const before = await notices();
      await post({ logout_token: idToken }).expect(400);
      assert.equal(await notices(), before);
      assert.match((await agent.get('/demo').expect(200)).text, /Mức độ xác thực/, 'still signed in');
    });

    it('a callback with an unknown or already used state is a clear 400 and signs nobody in', async () => {
      const agent = newAgent(s.issuer);
      const stale = await agent.get('/demo/callback?code=abc&state=made-up').expect(400);
      assert.match(stale.text, /Lượt đăng nhập này không còn hiệu lực/);
      await agent.get('/demo/callback').expect(400);
      // Replaying a real callback URL: its state was consumed by the first use.
      const { agent: fresh } = await signedIn();
      let loc = await press(fresh, 'basic');
      while (!pathOf(loc).startsWith('/demo/callback')) loc = (await fresh.get(pathOf(loc)).redirects(0)).headers.location as string;
      const callback = pathOf(loc);
      await fresh.get(callback).expect(303);
      const replay = await newAgent(s.issuer).get(callback).expect(400);
      assert.doesNotMatch(replay.text, /Mức độ xác thực/);
    });

    it('an unknown button value or a missing CSRF token is refused and starts nothing', async () => {
      const agent = newAgent(s.issuer);
      const home = await agent.get('/demo').expect(200);
      const count = async () => (await s.db('flows').where({ kind: 'demo_login' })).length;
      const before = await count();
      const bad = await agent.post('/demo/login').type('form').send({ _csrf: csrfOf(home.text), ask: 'acr9' }).expect(400);
      assert.match(bad.text, /Yêu cầu không hợp lệ/);
      await agent.post('/demo/login').type('form').send({ ask: 'basic' }).expect(403);
      assert.equal(await count(), before);
    });
  });
});
