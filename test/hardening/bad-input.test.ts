// Malformed requests of every kind the issue measured get the 4xx they deserve — never a 500 — in
// our look or as an OAuth error, and the keep-alive connection they arrived on keeps working.
import assert from 'node:assert/strict';
import { startServer, type TestServer } from '../support/server.ts';
import { keepAliveAgent, rawRequest, type RawResponse } from '../support/raw-http.ts';

const FORM = 'application/x-www-form-urlencoded';
const JSON_TYPE = 'application/json';
const KB = 1024;
const MB = 1024 * 1024;

const formOf = (bytes: number) => `a=${'x'.repeat(bytes)}`;
const jsonOf = (bytes: number) => JSON.stringify({ a: 'x'.repeat(bytes) });
const nested = (depth: number) => `{"phone":${'['.repeat(depth)}"0912345228"${']'.repeat(depth)},"_csrf":"x"}`;

function isOurErrorPage(r: RawResponse, status: number) {
  assert.equal(r.status, status, r.text.slice(0, 200));
  assert.match(String(r.headers['content-type']), /text\/html/);
  assert.match(r.text, /<header class="top">/, 'our layout');
  assert.match(r.text, /role="alert"/);
  assert.equal(r.headers['x-frame-options'], 'DENY');
  assert.equal(r.headers['x-content-type-options'], 'nosniff');
}

function isOAuthError(r: RawResponse, status: number) {
  assert.equal(r.status, status, r.text.slice(0, 200));
  assert.match(String(r.headers['content-type']), /application\/json/);
  const body = JSON.parse(r.text) as { error: string; error_description?: string };
  assert.equal(body.error, 'invalid_request');
  assert.equal(typeof body.error_description, 'string');
  assert.equal(r.headers['x-content-type-options'], 'nosniff');
}

describe('hardening: bad input gets a 4xx and the connection survives', function () {
  this.timeout(120_000);
  let s: TestServer;
  let endpoints: Record<string, string>;
  before(async () => {
    s = await startServer();
    const disc = await rawRequest(s.issuer, { path: '/.well-known/openid-configuration' });
    const d = JSON.parse(disc.text) as Record<string, string>;
    const path = (u: string) => new URL(u).pathname;
    endpoints = {
      token: path(d.token_endpoint!), request: path(d.pushed_authorization_request_endpoint!),
      introspection: path(d.introspection_endpoint!), revocation: path(d.revocation_endpoint!),
    };
  });
  after(() => s.close());

  it('a 1 MiB body on /token gets 413, and the next request on the same socket answers at once', async () => {
    const agent = keepAliveAgent();
    try {
      const first = await rawRequest(s.issuer, { method: 'POST', path: endpoints.token!, agent, headers: { 'content-type': FORM }, body: formOf(MB) });
      isOAuthError(first, 413);
      const second = await rawRequest(s.issuer, { path: '/.well-known/openid-configuration', agent, timeoutMs: 2000 });
      assert.equal(second.status, 200);
      assert.ok(second.reusedSocket, 'the second request went over the same connection');
      // And a page after a refused page body, on the same socket again.
      const page = await rawRequest(s.issuer, { method: 'POST', path: '/forgot', agent, headers: { 'content-type': FORM }, body: formOf(MB) });
      isOurErrorPage(page, 413);
      const third = await rawRequest(s.issuer, { path: '/forgot', agent, timeoutMs: 2000 });
      assert.equal(third.status, 200);
      assert.ok(third.reusedSocket);
    } finally {
      agent.destroy();
    }
  });

  it('a body over the limit, 60 KB to 10 MB, form or JSON, on the protocol endpoints: 413 as an OAuth error', async () => {
    for (const name of ['token', 'request', 'introspection', 'revocation']) {
      for (const size of [60 * KB, 600 * KB, 10 * MB]) {
        for (const [type, body] of [[FORM, formOf(size)], [JSON_TYPE, jsonOf(size)]] as const) {
          const r = await rawRequest(s.issuer, { method: 'POST', path: endpoints[name]!, headers: { 'content-type': type, authorization: 'Basic eDp5' }, body });
          isOAuthError(r, 413);
        }
      }
    }
  });

  it('the same without a declared length (chunked) is refused while reading, still 413', async () => {
    const r = await rawRequest(s.issuer, { method: 'POST', path: endpoints.token!, headers: { 'content-type': FORM, 'transfer-encoding': 'chunked' }, body: formOf(200 * KB) });
    isOAuthError(r, 413);
    const p = await rawRequest(s.issuer, { method: 'POST', path: '/forgot', headers: { 'content-type': FORM, 'transfer-encoding': 'chunked' }, body: formOf(200 * KB) });
    isOurErrorPage(p, 413);
  });

  it('a body over the limit on our pages: 413 in our look, in the language of the lang cookie', async () => {
    for (const size of [60 * KB, MB, 10 * MB]) {
      for (const [type, body] of [[FORM, formOf(size)], [JSON_TYPE, jsonOf(size)]] as const) {
        const r = await rawRequest(s.issuer, { method: 'POST', path: '/forgot', headers: { 'content-type': type }, body });
        isOurErrorPage(r, 413);
        assert.match(r.text, /quá lớn/);
      }
    }
    const en = await rawRequest(s.issuer, { method: 'POST', path: '/account/password', headers: { 'content-type': FORM, cookie: 'lang=en' }, body: formOf(MB) });
    isOurErrorPage(en, 413);
    assert.match(en.text, /too large/);
  });

  it('malformed JSON, a form sent as JSON, a wrong Content-Type, a gzip coding on a plain body: 400 or 415', async () => {
    const cases: [string, Record<string, string>, string, number][] = [
      ['malformed JSON', { 'content-type': JSON_TYPE }, '{"username": "00109', 400],
      ['a form sent as JSON', { 'content-type': JSON_TYPE }, 'username=001099012345&password=x', 400],
      ['a JSON string, not an object', { 'content-type': JSON_TYPE }, '"just a string"', 400],
      ['wrong Content-Type', { 'content-type': 'text/plain' }, 'username=001099012345', 415],
      ['multipart', { 'content-type': 'multipart/form-data; boundary=x' }, '--x\r\n\r\n--x--', 415],
      ['gzip on a plain body', { 'content-type': FORM, 'content-encoding': 'gzip' }, 'username=001099012345', 415],
      ['an unknown coding', { 'content-type': JSON_TYPE, 'content-encoding': 'br' }, '{}', 415],
    ];
    for (const [what, headers, body, status] of cases) {
      const r = await rawRequest(s.issuer, { method: 'POST', path: '/forgot', headers, body });
      assert.equal(r.status, status, what);
      isOurErrorPage(r, status);
    }
    for (const name of ['token', 'revocation']) {
      const gz = await rawRequest(s.issuer, { method: 'POST', path: endpoints[name]!, headers: { 'content-type': FORM, 'content-encoding': 'gzip' }, body: 'token=abc' });
      isOAuthError(gz, 415);
      const bad = await rawRequest(s.issuer, { method: 'POST', path: endpoints[name]!, headers: { 'content-type': JSON_TYPE }, body: '{"token":' });
      assert.ok(bad.status >= 400 && bad.status < 500, `${name}: ${bad.status}`);
    }
    const api = await rawRequest(s.issuer, { method: 'POST', path: '/api/counter/v1/accounts', headers: { 'content-type': JSON_TYPE, 'content-encoding': 'gzip', authorization: 'Bearer x' }, body: '{}' });
    isOAuthError(api, 415);
  });

  it('deeply nested JSON (and arrays or objects where a field is expected) never reaches a view: 400', async () => {
    for (const path of ['/interaction/any-uid/sim', '/account/password', '/account/phone', '/account/email', '/forgot']) {
      const r = await rawRequest(s.issuer, { method: 'POST', path, headers: { 'content-type': JSON_TYPE }, body: nested(5000) });
      isOurErrorPage(r, 400);
    }
    for (const body of ['phone[a][b]=1', 'phone.a.b=1', 'phone[0][0]=1']) {
      const r = await rawRequest(s.issuer, { method: 'POST', path: '/interaction/any-uid/sim', headers: { 'content-type': FORM }, body });
      isOurErrorPage(r, 400);
    }
    for (const body of ['[1,2,3]', '{"phone":[["0912345228"]]}', '{"phone":{"a":"b"}}', `{"certificates":[${'"x",'.repeat(60)}"x"]}`]) {
      const r = await rawRequest(s.issuer, { method: 'POST', path: '/account/phone', headers: { 'content-type': JSON_TYPE }, body });
      isOurErrorPage(r, 400);
    }
  });

  it('a list where one value is expected gets a 4xx from the page itself, never a 5xx', async () => {
    const flow = await rawRequest(s.issuer, { path: '/forgot' });
    const cookie = [flow.headers['set-cookie'] ?? []].flat().map((c) => c.split(';')[0]).join('; ');
    const csrf = /name="_csrf" value="([^"]+)"/.exec(flow.text)![1]!;
    for (const body of [`_csrf=${csrf}&username=001099012345&username=0100109106`, `_csrf=${csrf}&username[]=001099012345`]) {
      const r = await rawRequest(s.issuer, { method: 'POST', path: '/forgot', headers: { 'content-type': FORM, cookie }, body });
      assert.ok(r.status >= 400 && r.status < 500, `${body}: ${r.status}`);
    }
    const json = await rawRequest(s.issuer, { method: 'POST', path: '/forgot', headers: { 'content-type': JSON_TYPE, cookie }, body: JSON.stringify({ _csrf: [csrf], username: ['001099012345'] }) });
    assert.equal(json.status, 403, 'a CSRF token in a list is no CSRF token');
  });
});
