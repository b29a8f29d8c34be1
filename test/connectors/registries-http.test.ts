// The real carrier and BHXH connectors against local servers that speak the documented JSON contracts.
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { HttpCarrier } from '../../src/connectors/carrier/http.ts';
import { HttpBhxh } from '../../src/connectors/bhxh/http.ts';
import { SandboxCarrier } from '../../src/connectors/carrier/sandbox.ts';
import { SandboxBhxh } from '../../src/connectors/bhxh/sandbox.ts';
import { ConnectorUnavailableError } from '../../src/connectors/unavailable.ts';

describe('registry connectors (HTTP contracts)', () => {
  let server: http.Server;
  let base: string;
  let answer: (path: string, body: Record<string, unknown>) => [number, unknown] = () => [200, {}];
  const auth: (string | undefined)[] = [];

  before(async () => {
    server = http.createServer((req, res) => {
      let raw = '';
      req.on('data', (c: Buffer) => { raw += c.toString(); });
      req.on('end', () => {
        auth.push(req.headers.authorization);
        const [status, body] = answer(req.url ?? '', JSON.parse(raw || '{}') as Record<string, unknown>);
        res.statusCode = status;
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify(body));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => server.close());

  const q = { phone: '+84912000111', idNumber: '001095004321', fullName: 'Hoàng Văn Bình', birthdate: '1995-03-20' };

  it('carrier: sends the query with the bearer token and maps each verdict; anything else is "unavailable"', async () => {
    const carrier = new HttpCarrier({ url: `${base}/carrier`, token: 'ctok', timeoutMs: 1000, retries: 0 });
    for (const result of ['match', 'mismatch', 'not_found'] as const) {
      answer = (_p, body) => { assert.deepEqual(body, q); return [200, { result }]; };
      assert.equal(await carrier.checkSubscriber(q), result);
    }
    assert.equal(auth.at(-1), 'Bearer ctok');
    answer = () => [200, { result: 'maybe' }];
    await assert.rejects(carrier.checkSubscriber(q), ConnectorUnavailableError);
    answer = () => [502, {}];
    await assert.rejects(carrier.checkSubscriber(q), ConnectorUnavailableError);
  });

  it('BHXH: found, not found, malformed answers', async () => {
    const bhxh = new HttpBhxh({ url: `${base}/bhxh`, timeoutMs: 1000, retries: 0 });
    answer = () => [200, { found: true, idNumber: '001093007777', fullName: 'Phạm Minh Tuấn', birthdate: '1993-01-30' }];
    assert.deepEqual(await bhxh.lookup('0123456789'), { bhxhCode: '0123456789', idNumber: '001093007777', fullName: 'Phạm Minh Tuấn', birthdate: '1993-01-30' });
    answer = () => [200, { found: false }];
    assert.equal(await bhxh.lookup('0123456789'), undefined);
    answer = () => [200, { found: true, idNumber: 1 }];
    await assert.rejects(bhxh.lookup('0123456789'), ConnectorUnavailableError);
  });

  it('the sandboxes answer the same contract from their seeded people', async () => {
    const carrier = new SandboxCarrier([{ ...q }], ['+84977000503']);
    assert.equal(await carrier.checkSubscriber(q), 'match');
    assert.equal(await carrier.checkSubscriber({ ...q, fullName: 'HOÀNG VĂN BÌNH' }), 'match');
    assert.equal(await carrier.checkSubscriber({ ...q, idNumber: '001095004322' }), 'mismatch');
    assert.equal(await carrier.checkSubscriber({ ...q, phone: '+84905000444' }), 'not_found');
    await assert.rejects(carrier.checkSubscriber({ ...q, phone: '+84977000503' }), ConnectorUnavailableError);
    const bhxh = new SandboxBhxh([{ bhxhCode: '0123456789', idNumber: '001093007777', fullName: 'Phạm Minh Tuấn', birthdate: '1993-01-30' }], ['0000000503']);
    assert.equal((await bhxh.lookup('0123456789'))?.idNumber, '001093007777');
    assert.equal(await bhxh.lookup('9999999999'), undefined);
    await assert.rejects(bhxh.lookup('0000000503'), ConnectorUnavailableError);
  });
});
