// The real email gateway against a real SMTP server started here (smtp-server, the one nodemailer is tested with).
import assert from 'node:assert/strict';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { SmtpEmailGateway, messageIdOf } from '../../src/connectors/email/smtp.ts';
import { EmailUnavailableError } from '../../src/connectors/email/port.ts';

const FROM = 'DVC ID <no-reply@dichvucong.gov.vn>';
const REFUSED = 'refused@example.vn';

interface Received { from: string; to: string[]; raw: string; user?: string; pass?: string }

/** Headers of a raw message, unfolded, names lower-cased, RFC 2047 words decoded. */
function headersOf(raw: string): Record<string, string> {
  const head = raw.slice(0, raw.indexOf('\r\n\r\n')).replace(/\r\n[ \t]+/g, ' ');
  const out: Record<string, string> = {};
  for (const line of head.split('\r\n')) {
    const i = line.indexOf(':');
    out[line.slice(0, i).toLowerCase()] = decodeWords(line.slice(i + 1).trim());
  }
  return out;
}

function decodeWords(v: string): string {
  return v.replace(/\?=\s+=\?/g, '?==?').replace(/=\?utf-8\?([bq])\?([^?]*)\?=/gi, (_m, enc: string, data: string) =>
    enc.toLowerCase() === 'b' ? Buffer.from(data, 'base64').toString('utf8') : qp(data.replace(/_/g, ' ')));
}

function qp(s: string): string {
  const bytes: number[] = [];
  const t = s.replace(/=\r\n/g, '');
  for (let i = 0; i < t.length; i++) {
    if (t[i] === '=' && /^[0-9A-F]{2}$/i.test(t.slice(i + 1, i + 3))) { bytes.push(parseInt(t.slice(i + 1, i + 3), 16)); i += 2; } else bytes.push(t.charCodeAt(i));
  }
  return Buffer.from(bytes).toString('utf8');
}

function bodyOf(raw: string): string {
  const body = raw.slice(raw.indexOf('\r\n\r\n') + 4);
  const cte = headersOf(raw)['content-transfer-encoding'] ?? '7bit';
  const text = cte === 'quoted-printable' ? qp(body) : cte === 'base64' ? Buffer.from(body, 'base64').toString('utf8') : body;
  return text.replace(/\r\n/g, '\n').replace(/\n$/, '');
}

describe('SMTP email gateway', () => {
  let server: SMTPServer;
  let url: string;
  const received: Received[] = [];

  before(async () => {
    server = new SMTPServer({
      secure: false, disabledCommands: ['STARTTLS'], allowInsecureAuth: true, authOptional: true, logger: false,
      onAuth(auth, session, cb) { (session as unknown as { creds: unknown }).creds = { user: auth.username, pass: auth.password }; cb(null, { user: auth.username }); },
      onRcptTo(address, _session, cb) { cb(address.address === REFUSED ? Object.assign(new Error(`No such user ${REFUSED}`), { responseCode: 550 }) : undefined); },
      onData(stream, session, cb) {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          const creds = (session as unknown as { creds?: { user: string; pass: string } }).creds;
          received.push({
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '', to: session.envelope.rcptTo.map((r) => r.address),
            raw: Buffer.concat(chunks).toString('utf8'), ...(creds ? { user: creds.user, pass: creds.pass } : {}),
          });
          cb();
        });
      },
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `smtp://mailer:p%40ss@127.0.0.1:${(server.server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((r) => server.close(() => r())));
  beforeEach(() => { received.length = 0; });

  it('delivers recipient, subject, body and From, with a Message-ID derived from the idempotency key', async () => {
    const gw = new SmtpEmailGateway({ url, from: FROM, timeoutMs: 2000 });
    assert.equal(gw.kind, 'smtp');
    const text = 'Xác nhận địa chỉ email của bạn:\nhttps://id.example.gov.vn/account/email/confirm?token=abc\n(24 giờ)';
    await gw.send({ to: 'an.moi@example.vn', subject: 'Xác nhận địa chỉ email — DVC ID', text, idempotencyKey: 'email-verify:k1' });
    assert.equal(received.length, 1);
    const m = received[0]!;
    assert.deepEqual(m.to, ['an.moi@example.vn']);
    assert.equal(m.from, 'no-reply@dichvucong.gov.vn');
    assert.deepEqual({ user: m.user, pass: m.pass }, { user: 'mailer', pass: 'p@ss' }, 'credentials from the URL, percent-decoded');
    const h = headersOf(m.raw);
    assert.equal(h.to, 'an.moi@example.vn');
    assert.equal(h.from, FROM);
    assert.equal(h.subject, 'Xác nhận địa chỉ email — DVC ID');
    assert.equal(h['auto-submitted'], 'auto-generated');
    assert.match(h['message-id']!, /^<[0-9a-f]{32}@dichvucong\.gov\.vn>$/);
    assert.equal(h['message-id'], messageIdOf('email-verify:k1', FROM));
    assert.equal(bodyOf(m.raw), text);

    // A retry (same key) is recognisable as the same message; another key is another message.
    await gw.send({ to: 'an.moi@example.vn', subject: 's', text: 't', idempotencyKey: 'email-verify:k1' });
    await gw.send({ to: 'an.moi@example.vn', subject: 's', text: 't', idempotencyKey: 'email-verify:k2' });
    assert.equal(headersOf(received[1]!.raw)['message-id'], h['message-id']);
    assert.notEqual(headersOf(received[2]!.raw)['message-id'], h['message-id']);
  });

  it('a refused recipient is EmailUnavailableError, and the error does not repeat the address', async () => {
    const err = await new SmtpEmailGateway({ url, from: FROM, timeoutMs: 2000 }).send({ to: REFUSED, subject: 's', text: 't', idempotencyKey: 'k3' }).then(() => undefined, (e: unknown) => e);
    assert.ok(err instanceof EmailUnavailableError, String(err));
    assert.ok(!err.message.includes('refused'), err.message);
    assert.equal(received.length, 0);
  });

  it('nothing listening, a server that never greets, and a server without STARTTLS when TLS is required: EmailUnavailableError', async () => {
    const closed = net.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const deadPort = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const msg = { to: 'a@example.vn', subject: 's', text: 't', idempotencyKey: 'k4' };
    await assert.rejects(new SmtpEmailGateway({ url: `smtp://127.0.0.1:${deadPort}`, from: FROM, timeoutMs: 2000 }).send(msg), EmailUnavailableError);

    const sockets: net.Socket[] = [];
    const silent = net.createServer((c) => { sockets.push(c); }); // accepts, never greets
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const t0 = Date.now();
    await assert.rejects(new SmtpEmailGateway({ url: `smtp://127.0.0.1:${(silent.address() as AddressInfo).port}`, from: FROM, timeoutMs: 300 }).send(msg), EmailUnavailableError);
    assert.ok(Date.now() - t0 < 2000, 'the greeting timeout fired');
    for (const c of sockets) c.destroy();
    await new Promise<void>((r) => silent.close(() => r()));

    await assert.rejects(new SmtpEmailGateway({ url, from: FROM, timeoutMs: 2000, requireTls: true }).send(msg), EmailUnavailableError);
    assert.equal(received.length, 0);
  });
});
