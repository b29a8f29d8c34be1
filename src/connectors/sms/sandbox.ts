// Sandbox SMS gateway: messages are kept in the database (any node can show them at /sandbox/sms).
import type { Db } from '../../db/knex.ts';
import type { SmsGateway, SmsMessage } from './port.ts';

export class SandboxSmsGateway implements SmsGateway {
  readonly kind = 'sandbox';
  constructor(private readonly db: Db) {}

  async send(msg: SmsMessage): Promise<void> {
    await this.db('sandbox_sms').insert({ to: msg.to, text: msg.text, idempotency_key: msg.idempotencyKey }).onConflict('idempotency_key').ignore();
  }
}

export interface OutboxEntry { to: string; text: string; sentAt: string }

export async function readOutbox(db: Db, to: string | undefined, limit = 50): Promise<OutboxEntry[]> {
  const q = db('sandbox_sms').orderBy('id', 'desc').limit(limit);
  if (to) q.where({ to });
  const rows = await q;
  return rows.map((r: { to: string; text: string; sent_at: string | Date }) => ({ to: r.to, text: r.text, sentAt: new Date(r.sent_at).toISOString() }));
}
