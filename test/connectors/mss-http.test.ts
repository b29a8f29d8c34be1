// The real mobile-signature connector against a local server speaking the documented JSON contract.
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { HttpMobileSignature } from '../../src/connectors/mobile_signature/http.ts';
import { ConnectorUnavailableError } from '../../src/connectors/unavailable.ts';

describe('mobile-signature connector (HTTP contract)', () => {
  let server: http.Server;
  let base: string;
  let status: Record<string, unknown> = {};
  const seen: { method?: string; url?: string; auth?: string; body: string }[] = [];
  before(async () => {
    server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => { body += c.toString(); });
      req.on('end', () => {
        seen.push({ method: req.method, url: req.url, auth: req.headers.authorization, body });
        res.setHeader('content-type', 'application/json');
        if (req.method === 'POST') res.end(JSON.stringify({ transactionId: 'tx-1' }));
        else if (req.url?.endsWith('/down')) { res.statusCode = 500; res.end('{}'); }
        else res.end(JSON.stringify(status));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => server.close());

  it('sends the request (no PIN, ever) and maps every ETSI status', async () => {
    const mss = new HttpMobileSignature({ url: base, token: 'mtok', timeoutMs: 1000, retries: 0 });
    const { transactionId } = await mss.request({ phone: '+84912345228', dataToBeSigned: new Uint8Array([1, 2, 3]), displayText: 'Code 1234' });
    assert.equal(transactionId, 'tx-1');
    assert.deepEqual(JSON.parse(seen[0]!.body), { msisdn: '+84912345228', dataToBeSigned: 'AQID', dataToBeDisplayed: 'Code 1234' });
    assert.equal(seen[0]!.auth, 'Bearer mtok');
    const cases: [string, string][] = [['OUTSTANDING_TRANSACTION', 'pending'], ['USER_CANCEL', 'refused'], ['EXPIRED_TRANSACTION', 'expired'], ['PIN_BLOCKED', 'pin_blocked'], ['NOT_A_SIGNING_SIM', 'not_a_signing_sim'], ['INTERNAL_ERROR', 'error'], ['SOMETHING_NEW', 'error']];
    for (const [wire, state] of cases) {
      status = { status: wire };
      assert.equal((await mss.status('tx-1')).state, state, wire);
    }
    status = { status: 'SIGNATURE', signature: 'AQID', certificateChain: ['-----BEGIN CERTIFICATE-----x'] };
    const signed = await mss.status('tx-1');
    assert.equal(signed.state, 'signed');
    status = { status: 'SIGNATURE' };
    assert.equal((await mss.status('tx-1')).state, 'error', 'a signature without data is an error');
    await assert.rejects(mss.status('down'), ConnectorUnavailableError);
  });
});
