// The real SMS gateway implementation against a local HTTP server standing in for the operator's API.
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { HttpSmsGateway } from '../../src/connectors/sms/http.ts';
import { SmsUnavailableError } from '../../src/connectors/sms/port.ts';

describe('HTTP SMS gateway', () => {
  let server: http.Server;
  let url: string;
  const seen: { auth?: string; key?: string; body: string }[] = [];
  let failures = 0;
  let hang = false;

  before(async () => {
    server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => { body += c.toString(); });
      req.on('end', () => {
        seen.push({ auth: req.headers.authorization, key: req.headers['idempotency-key'] as string, body });
        if (hang) return; // never answers: the client's timeout must fire
        if (failures > 0) { failures--; res.statusCode = 503; res.end('busy'); return; }
        res.setHeader('content-type', 'application/json');
        res.end('{"id":"m1"}');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/send`;
  });
  after(() => { server.closeAllConnections(); server.close(); });
  beforeEach(() => { seen.length = 0; failures = 0; hang = false; });

  it('posts JSON with the bearer token and an idempotency key', async () => {
    await new HttpSmsGateway({ url, token: 't0k', timeoutMs: 1000, retries: 0 }).send({ to: '+84912345228', text: 'hello', idempotencyKey: 'k1' });
    assert.equal(seen.length, 1);
    assert.equal(seen[0]!.auth, 'Bearer t0k');
    assert.equal(seen[0]!.key, 'k1');
    assert.deepEqual(JSON.parse(seen[0]!.body), { to: '+84912345228', text: 'hello' });
  });

  it('retries 5xx with the same idempotency key', async () => {
    failures = 2;
    await new HttpSmsGateway({ url, timeoutMs: 1000, retries: 2 }).send({ to: '+84912345228', text: 'x', idempotencyKey: 'k2' });
    assert.equal(seen.length, 3);
    assert.ok(seen.every((s) => s.key === 'k2'));
  });

  it('gives up with SmsUnavailableError after the retries, and on timeouts', async () => {
    failures = 5;
    await assert.rejects(new HttpSmsGateway({ url, timeoutMs: 1000, retries: 1 }).send({ to: '+84912345228', text: 'x', idempotencyKey: 'k3' }), SmsUnavailableError);
    hang = true;
    await assert.rejects(new HttpSmsGateway({ url, timeoutMs: 200, retries: 0 }).send({ to: '+84912345228', text: 'x', idempotencyKey: 'k4' }), SmsUnavailableError);
  });

  it('a refused request (4xx) is not retried', async () => {
    const refuse = http.createServer((_req, res) => { seen.push({ body: '' }); res.statusCode = 400; res.end('{}'); });
    await new Promise<void>((r) => refuse.listen(0, '127.0.0.1', r));
    const u = `http://127.0.0.1:${(refuse.address() as AddressInfo).port}/`;
    await assert.rejects(new HttpSmsGateway({ url: u, timeoutMs: 1000, retries: 3 }).send({ to: '+84912345228', text: 'x', idempotencyKey: 'k5' }), SmsUnavailableError);
    assert.equal(seen.length, 1);
    refuse.close();
  });
});
