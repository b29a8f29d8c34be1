// OIDC Core 3.1.2.1: the authorization endpoint takes GET and POST. Over https (the only way in
// production) a POSTed request starts the same interaction as a GET one.
import assert from 'node:assert/strict';
import supertest from 'supertest';
import { startServer, registerClient, SANDBOX, type TestServer } from '../support/server.ts';
import { csrfOf } from '../support/browser.ts';

const ISSUER = 'https://id.dvc.test';
const CLIENT = { client_id: 'rp-post', client_secret: 'rp-post-secret-0123456789abcdefghi', redirect_uris: ['https://rp.example.gov.vn/cb'], dvc_skip_consent: true };
const cookiesOf = (res: supertest.Response) => ((res.headers['set-cookie'] ?? []) as unknown as string[]);

describe('authorization request by POST', () => {
  let s: TestServer;
  before(async () => { s = await startServer({ ISSUER, TRUST_PROXY: 'true' }); await registerClient(s.db, CLIENT); });
  after(() => s.close());

  it('a form POST to /auth leads to the same sign-in page as a GET', async () => {
    const res = await supertest(s.issuer).post('/auth').set('x-forwarded-proto', 'https').type('form')
      .send({ client_id: CLIENT.client_id, response_type: 'code', scope: 'openid', redirect_uri: CLIENT.redirect_uris[0]!, state: 'st-123', nonce: 'n-123' });
    assert.equal(res.status, 303, res.text.slice(0, 300));
    const location = res.headers.location as string;
    assert.match(location, /\/interaction\/[^/]+$/, location);
    const cookies = cookiesOf(res);
    assert.ok(cookies.every((c) => /;\s*secure/i.test(c)), 'cookies are Secure over https');
    const page = await supertest(s.issuer).get(location).set('x-forwarded-proto', 'https')
      .set('cookie', cookies.map((c) => c.split(';')[0]).join('; '));
    assert.equal(page.status, 200);
    assert.match(page.text, /Số CCCD\/CMND và mật khẩu/);
  });

  it('bad input by POST gets the same clear error as by GET', async () => {
    const res = await supertest(s.issuer).post('/auth').set('x-forwarded-proto', 'https').type('form').send({ client_id: 'nobody', response_type: 'code', scope: 'openid' });
    assert.equal(res.status, 400);
    assert.match(res.text, /client/i);
  });

  it("after signing in, the session cookie is SameSite=None; Secure (a relying party's POST finds it)", async () => {
    // A small cookie jar: supertest's would not send Secure cookies to the plain-http test server.
    const jar = new Map<string, string>();
    const go = async (method: 'get' | 'post', path: string, form?: Record<string, string>) => {
      let req = supertest(s.issuer)[method](path).set('x-forwarded-proto', 'https').set('cookie', [...jar].map(([k, v]) => `${k}=${v}`).join('; '));
      if (form) req = req.type('form').send(form);
      const res = await req.redirects(0);
      for (const c of cookiesOf(res)) { const [kv] = c.split(';'); const i = kv!.indexOf('='); jar.set(kv!.slice(0, i), kv!.slice(i + 1)); }
      return res;
    };
    const start = await go('post', '/auth', { client_id: CLIENT.client_id, response_type: 'code', scope: 'openid', redirect_uri: CLIENT.redirect_uris[0]!, state: 's', nonce: 'n' });
    const uid = /\/interaction\/([^/]+)/.exec(start.headers.location as string)![1]!;
    const form = await go('get', `/interaction/${uid}/password_otp`);
    await go('post', `/interaction/${uid}/password_otp`, { _csrf: csrfOf(form.text), username: SANDBOX.citizen2.username, password: SANDBOX.citizen2.password });
    const otp = await go('get', `/interaction/${uid}/password_otp/otp`);
    const sms = await supertest(s.issuer).get(`/sandbox/sms?to=${encodeURIComponent(SANDBOX.citizen2.phone)}`).set('accept', 'application/json');
    const code = /(\d{6})/.exec((sms.body as { text: string }[])[0]!.text)![1]!;
    const done = await go('post', `/interaction/${uid}/password_otp/otp`, { _csrf: csrfOf(otp.text), code });
    let res = await go('get', new URL(done.headers.location as string, ISSUER).pathname);
    const session = cookiesOf(res).find((c) => c.startsWith('_session='));
    assert.ok(session, `the session cookie is set (${res.status} ${String(res.headers.location)})`);
    assert.match(session, /samesite=none/i);
    assert.match(session, /;\s*secure/i);
    // The next POSTed request of a relying party is answered from that session: straight back with a code.
    res = await go('post', '/auth', { client_id: CLIENT.client_id, response_type: 'code', scope: 'openid', redirect_uri: CLIENT.redirect_uris[0]!, state: 's2', nonce: 'n2' });
    assert.equal(res.status, 303);
    assert.match(res.headers.location as string, /^https:\/\/rp\.example\.gov\.vn\/cb\?code=/);
  });
});
