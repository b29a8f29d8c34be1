// The sandbox email gateway keeps messages in the database; /sandbox/email shows them to people and tests.
import assert from 'node:assert/strict';
import { startServer, type TestServer } from '../support/server.ts';
import { newAgent } from '../support/browser.ts';
import { createEmailGateway } from '../../src/connectors/email/index.ts';

describe('sandbox email gateway and outbox', () => {
  let s: TestServer;
  before(async () => { s = await startServer(); });
  after(() => s.close());

  it('stores a message once per idempotency key; the outbox filters by address', async () => {
    const gw = createEmailGateway(s.cfg, s.db);
    assert.equal(gw.kind, 'sandbox');
    const msg = { to: 'an.moi@example.vn', subject: 'Xác nhận email', text: 'Mở liên kết: https://id.example/confirm?token=a&b=1.\n<script>alert(1)</script>', idempotencyKey: 'email-verify:s1' };
    await gw.send(msg);
    await gw.send(msg);
    await gw.send({ ...msg, to: 'other@example.vn', idempotencyKey: 'email-verify:s2' });

    const res = await newAgent(s.issuer).get('/sandbox/email?format=json&to=an.moi@EXAMPLE.vn').expect(200);
    assert.equal(res.headers['cache-control'], 'no-store');
    const mails = res.body as { to: string; subject: string; text: string; sentAt: string }[];
    assert.equal(mails.length, 1);
    assert.deepEqual({ to: mails[0]!.to, subject: mails[0]!.subject, text: mails[0]!.text }, { to: msg.to, subject: msg.subject, text: msg.text });
    assert.ok(!Number.isNaN(Date.parse(mails[0]!.sentAt)));
    assert.equal(((await newAgent(s.issuer).get('/sandbox/email').set('accept', 'application/json').expect(200)).body as unknown[]).length, 2);
  });

  it('a bad address is 400', async () => {
    const res = await newAgent(s.issuer).get('/sandbox/email?format=json&to=not-an-email').expect(400);
    assert.deepEqual(res.body, { error: 'invalid_email' });
  });

  it('the page makes links clickable and escapes everything else', async () => {
    const page = await newAgent(s.issuer).get('/sandbox/email?to=an.moi@example.vn').set('accept', 'text/html').expect(200);
    assert.match(page.text, /<a href="https:\/\/id\.example\/confirm\?token=a&amp;b=1">https:\/\/id\.example\/confirm\?token=a&amp;b=1<\/a>\./, 'link, without the trailing full stop');
    assert.ok(!page.text.includes('<script>alert'), 'text is escaped');
    assert.match(page.text, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
  });
});
