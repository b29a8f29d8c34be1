// Issue 11, finding 5: no request waits on the SMS gateway. A loopback HTTP gateway in the test
// holds each request until the test releases it; the pages must answer meanwhile, the same for a
// known and an unknown ID number, and the worker must deliver, retry and give up as designed.
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { startServer, postgresOnly, SANDBOX, type TestServer } from '../support/server.ts';
import { newAgent, csrfOf, type Agent } from '../support/browser.ts';
import { drained } from '../support/outbox.ts';
import { outboxDeliveries } from '../../src/shared/metrics.ts';
import type { Logger } from '../../src/shared/logger.ts';

interface Held { key: string; to: string; text: string; release(status?: number): void }

/** An SMS operator's API on loopback: `hold` keeps every request open until released; `answer` replies at once. */
class LoopbackGateway {
  mode: 'hold' | 'answer' = 'hold';
  /** Status codes for the next answers (then 200). */
  script: number[] = [];
  readonly seen: Held[] = [];
  private waiters: (() => void)[] = [];
  private server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => { body += c.toString(); });
    req.on('end', () => {
      const { to, text } = JSON.parse(body) as { to: string; text: string };
      const release = (status = 200) => { if (res.headersSent) return; res.statusCode = status; res.setHeader('content-type', 'application/json'); res.end('{"id":"m"}'); };
      this.seen.push({ key: String(req.headers['idempotency-key']), to, text, release });
      if (this.mode === 'answer') release(this.script.shift() ?? 200);
      for (const w of this.waiters.splice(0)) w();
    });
  });
  url = '';

  async start(): Promise<void> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/sms`;
  }
  /** Resolves when the gateway has received `n` requests in all. */
  async received(n: number): Promise<void> {
    while (this.seen.length < n) await new Promise<void>((r) => this.waiters.push(r));
  }
  close(): void { this.server.closeAllConnections(); this.server.close(); }
}

async function forgot(agent: Agent, username: string) {
  const form = await agent.get('/forgot').expect(200);
  const res = await agent.post('/forgot').type('form').send({ _csrf: csrfOf(form.text), username }).redirects(0);
  assert.equal(res.status, 303, res.text.slice(0, 300));
  return res.headers.location as string;
}

const outboxRows = async (s: TestServer) => s.db('outbox').select('*');
const metric = async (kind: string, outcome: string) => (await outboxDeliveries.get()).values.find((v) => v.labels.kind === kind && v.labels.outcome === outcome)?.value ?? 0;

describe('security: SMS goes through a stored outbox (issue 11, finding 5)', function () {
  this.timeout(90_000); // servers on the embedded database start slowly on a loaded machine
  const gw = new LoopbackGateway();
  const logs: { msg: string; fields?: Record<string, unknown> }[] = [];
  const logger: Logger = { info: () => undefined, warn: (msg, fields) => logs.push({ msg, fields }), error: (msg, fields) => logs.push({ msg, fields }) };
  let s: TestServer;
  before(async () => {
    await gw.start();
    s = await startServer({ SMS_GATEWAY: 'http', SMS_URL: gw.url, SMS_RETRIES: '0', SMS_TIMEOUT_MS: '20000', OUTBOX_RETRY_BASE_MS: '20', OUTBOX_MAX_ATTEMPTS: '3', OUTBOX_POLL_MS: '50' }, { logger });
  });
  after(async () => { for (const h of gw.seen) h.release(); await s.close(); gw.close(); });
  beforeEach(() => { gw.mode = 'hold'; gw.script = []; });

  it('forgot password answers while the gateway still holds the code, alike for a known and an unknown ID', async () => {
    const a = newAgent(s.issuer);
    const knownOtp = await forgot(a, SANDBOX.enterprise.username);
    // The page has answered; now the gateway gets the message and keeps it: nothing was released yet.
    await gw.received(1);
    const held = gw.seen[0]!;
    assert.equal(held.to, SANDBOX.enterprise.phone);
    const unknownOtp = await forgot(a, '001099099999');
    const strip = (h: string) => h.replace(/\/forgot\/[^/"]+\//g, '/forgot/X/').replace(/value="[^"]+"/g, '');
    assert.equal(strip((await a.get(unknownOtp).expect(200)).text), strip((await a.get(knownOtp).expect(200)).text));
    assert.deepEqual((await outboxRows(s)).map((r: { recipient: string }) => r.recipient), [SANDBOX.enterprise.phone], 'an unknown ID queues nothing');

    // A second message is not stuck behind the held one.
    await forgot(newAgent(s.issuer), SANDBOX.citizen3.username);
    await gw.received(2);
    assert.equal(gw.seen[1]!.to, SANDBOX.citizen3.phone);

    // The gateway receives the challenge's id as Idempotency-Key, and the row goes once delivered.
    const challenge = await s.db('otp_challenges').where({ phone: SANDBOX.enterprise.phone }).orderBy('sent_at', 'desc').first();
    assert.equal(held.key, challenge.id);
    assert.match(held.text, /\d{6}/);
    held.release();
    gw.seen[1]!.release();
    await drained(s.db);
    assert.equal((await outboxRows(s)).length, 0);
  });

  it('the node that stores a code sends it itself, the row claimed for the lease meanwhile: no other node takes it', async () => {
    const from = gw.seen.length;
    await forgot(newAgent(s.issuer), SANDBOX.citizen2.username);
    await gw.received(from + 1);
    const held = gw.seen[from]!;
    const [row] = await s.db('outbox').where({ idempotency_key: held.key }) as { attempts: number; next_attempt_at: Date | string }[];
    assert.ok(row, 'stored before it is sent, kept while the gateway holds it');
    assert.equal(row.attempts, 1, 'its first attempt is counted, as a claim counts it');
    assert.ok(new Date(row.next_attempt_at).getTime() > Date.now() + 30_000, 'due again only when the lease ends (a node that dies mid-send leaves it to another)');
    held.release();
    await drained(s.db);
    assert.equal(gw.seen.filter((h) => h.key === held.key).length, 1, 'sent once');
  });

  it('a gateway error is retried with the same Idempotency-Key until it is delivered, once', async () => {
    gw.mode = 'answer';
    gw.script = [503, 503];
    const sentBefore = await metric('sms', 'sent');
    const retriesBefore = await metric('sms', 'retry');
    const from = gw.seen.length;
    await forgot(newAgent(s.issuer), SANDBOX.citizen2.username);
    await drained(s.db);
    const tries = gw.seen.slice(from);
    assert.equal(tries.length, 3, 'two refusals, then delivered');
    assert.equal(new Set(tries.map((t) => t.key)).size, 1);
    assert.equal(await metric('sms', 'sent'), sentBefore + 1);
    assert.equal(await metric('sms', 'retry'), retriesBefore + 2);
  });

  it('a gateway that keeps failing: given up after OUTBOX_MAX_ATTEMPTS, text wiped, counted, logged without the number', async () => {
    gw.mode = 'answer';
    gw.script = [503, 503, 503, 503];
    const failedBefore = await metric('sms', 'failed');
    const from = gw.seen.length;
    await forgot(newAgent(s.issuer), SANDBOX.citizen2.username);
    await drained(s.db);
    assert.equal(gw.seen.length - from, 3);
    const [row] = await outboxRows(s) as { failed_at: unknown; body: string; attempts: number }[];
    assert.ok(row?.failed_at, 'kept as failed');
    assert.equal(row.body, '', 'the code is not kept at rest');
    assert.equal(row.attempts, 3);
    assert.equal(await metric('sms', 'failed'), failedBefore + 1);
    const line = logs.find((l) => l.msg === 'outbox message given up');
    assert.ok(line, 'logged');
    const text = JSON.stringify(line);
    assert.doesNotMatch(text, /912345228|84912345228/, 'no phone number in clear');
    assert.match(String(line.fields?.recipient), /^[\w-]{16}$/, 'a pseudonym instead');
    await s.db('outbox').delete();
  });

  it('an expired code is given up instead of being sent late', async () => {
    const expiredBefore = await metric('sms', 'expired');
    await s.db('outbox').insert({ kind: 'sms', recipient: '+84912000111', body: 'Ma OTP: 123456', idempotency_key: 'late-1', not_after: new Date(Date.now() - 1000) });
    const from = gw.seen.length;
    await drained(s.db);
    assert.equal(gw.seen.length, from, 'nothing sent');
    assert.equal(await metric('sms', 'expired'), expiredBefore + 1);
    await s.db('outbox').delete();
  });

  it('two nodes on one database send each message exactly once', async function () {
    postgresOnly(this);
    gw.mode = 'answer';
    const second = await startServer({ SMS_GATEWAY: 'http', SMS_URL: gw.url, SMS_RETRIES: '0', OUTBOX_POLL_MS: '50' }, { keepData: true });
    try {
      const from = gw.seen.length;
      const rows = Array.from({ length: 40 }, (_, i) => ({ kind: 'sms', recipient: `+8491200${String(i).padStart(4, '0')}`, body: `notice ${i}`, idempotency_key: `two-nodes-${i}` }));
      await s.db('outbox').insert(rows);
      await drained(s.db);
      const keys = gw.seen.slice(from).map((h) => h.key);
      assert.equal(keys.length, 40, 'no message sent twice');
      assert.equal(new Set(keys).size, 40, 'every message sent');
    } finally {
      await second.close();
    }
  });
});
