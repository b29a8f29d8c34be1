// Sandbox email gateway: messages are kept in the database (any node can show them at /sandbox/email).
import type { Db } from '../../db/knex.ts';
import type { EmailGateway, EmailMessage } from './port.ts';

export class SandboxEmailGateway implements EmailGateway {
  readonly kind = 'sandbox';
  constructor(private readonly db: Db) {}

  async send(msg: EmailMessage): Promise<void> {
    await this.db('sandbox_email').insert({ to: msg.to, subject: msg.subject, text: msg.text, idempotency_key: msg.idempotencyKey }).onConflict('idempotency_key').ignore();
  }
}

export interface EmailOutboxEntry { to: string; subject: string; text: string; sentAt: string }

export async function readEmailOutbox(db: Db, to: string | undefined, limit = 50): Promise<EmailOutboxEntry[]> {
  const q = db('sandbox_email').orderBy('id', 'desc').limit(limit);
  if (to) q.where({ to });
  const rows = await q;
  return rows.map((r: { to: string; subject: string; text: string; sent_at: string | Date }) => ({ to: r.to, subject: r.subject, text: r.text, sentAt: new Date(r.sent_at).toISOString() }));
}
