// The real email gateway: SMTP through nodemailer (STARTTLS, AUTH, timeouts, MIME encoding of Vietnamese text).
import { createHash } from 'node:crypto';
import { createTransport, type Transporter } from 'nodemailer';
import type { EmailGateway, EmailMessage } from './port.ts';
import { EmailUnavailableError } from './port.ts';
import { upstreamCalls } from '../../shared/metrics.ts';

export interface SmtpEmailOptions {
  /** smtp://user:pass@host:587 (STARTTLS when offered) or smtps://…:465; nodemailer options may follow as a query. */
  url: string;
  /** The From header, e.g. `DVC ID <no-reply@dichvucong.gov.vn>`. */
  from: string;
  /** Applies to connecting, the server's greeting and each silence on the socket. */
  timeoutMs: number;
  /** Refuse to talk to a server that does not offer STARTTLS (credentials and addresses never go in clear). */
  requireTls?: boolean;
}

/** SMTP has no idempotency key: a retried message gets the same Message-ID, so mail systems and people can tell it is a repeat. */
export function messageIdOf(idempotencyKey: string, from: string): string {
  const domain = /@([^\s@<>]+)>?\s*$/.exec(from)?.[1] ?? 'localhost';
  return `<${createHash('sha256').update(idempotencyKey).digest('hex').slice(0, 32)}@${domain}>`;
}

export class SmtpEmailGateway implements EmailGateway {
  readonly kind = 'smtp';
  private readonly transport: Transporter;

  constructor(private readonly opts: SmtpEmailOptions) {
    const t = opts.timeoutMs;
    this.transport = createTransport({
      url: opts.url, connectionTimeout: t, greetingTimeout: t, socketTimeout: t,
      ...(opts.requireTls && !opts.url.startsWith('smtps:') ? { requireTLS: true } : {}),
      logger: false, // its log would carry the recipient's address
    });
  }

  async send(msg: EmailMessage): Promise<void> {
    try {
      await this.transport.sendMail({
        from: this.opts.from, to: msg.to, subject: msg.subject, text: msg.text,
        messageId: messageIdOf(msg.idempotencyKey, this.opts.from),
        // A notice from a no-reply address: out-of-office robots should not answer it (RFC 3834).
        headers: { 'auto-submitted': 'auto-generated' },
      });
      upstreamCalls.inc({ upstream: 'smtp', outcome: 'ok' });
    } catch (e) {
      upstreamCalls.inc({ upstream: 'smtp', outcome: 'unavailable' });
      // Only the error code: the server's text often repeats the recipient's address.
      const err = e as { code?: unknown; responseCode?: unknown };
      throw new EmailUnavailableError(`SMTP error${typeof err.code === 'string' ? ` ${err.code}` : ''}${typeof err.responseCode === 'number' ? ` ${err.responseCode}` : ''}`);
    }
  }
}
