// The stored outbox for SMS and email (DESIGN.md §5): a request stores its message and returns at
// once, so no response waits on a gateway and its time says nothing about the account. The worker
// (outbox-worker.ts) on every node sends the rows. These gateways implement the same ports as the
// real ones, so every caller (codes, notices, the portal, the counter) goes through the outbox.
import type { Db } from '../db/knex.ts';
import type { SmsGateway, SmsMessage } from '../connectors/sms/index.ts';
import type { EmailGateway, EmailMessage } from '../connectors/email/index.ts';

export type OutboxKind = 'sms' | 'email';

export interface OutboxMessage {
  kind: OutboxKind;
  recipient: string;
  subject?: string | undefined;
  body: string;
  idempotencyKey: string;
  notAfter?: Date | undefined;
}

/** Stores a message once per idempotency key (a repeat is the same message); true when it is new. */
export async function enqueue(db: Db, m: OutboxMessage): Promise<boolean> {
  const rows = await db('outbox')
    .insert({ kind: m.kind, recipient: m.recipient, subject: m.subject ?? null, body: m.body, idempotency_key: m.idempotencyKey, not_after: m.notAfter ?? null })
    .onConflict(['kind', 'idempotency_key']).ignore().returning('id') as unknown[];
  return rows.length > 0;
}

export class OutboxSmsGateway implements SmsGateway {
  /** `kind` is the real gateway's: callers that show "sandbox" still see it. */
  constructor(private readonly db: Db, readonly kind: SmsGateway['kind'], private readonly kick: () => void) {}

  async send(msg: SmsMessage): Promise<void> {
    if (await enqueue(this.db, { kind: 'sms', recipient: msg.to, body: msg.text, idempotencyKey: msg.idempotencyKey, notAfter: msg.notAfter })) this.kick();
  }
}

export class OutboxEmailGateway implements EmailGateway {
  constructor(private readonly db: Db, readonly kind: EmailGateway['kind'], private readonly kick: () => void) {}

  async send(msg: EmailMessage): Promise<void> {
    if (await enqueue(this.db, { kind: 'email', recipient: msg.to, subject: msg.subject, body: msg.text, idempotencyKey: msg.idempotencyKey })) this.kick();
  }
}

/** Messages still waiting to be sent (not delivered, not given up), for one recipient or all. */
export async function pendingCount(db: Db, kind: OutboxKind, recipient?: string): Promise<number> {
  const q = db('outbox').where({ kind }).whereNull('failed_at');
  if (recipient) q.andWhere({ recipient });
  const row = await q.count('* as n').first() as { n: unknown } | undefined;
  return Number(row?.n ?? 0);
}

/** Waits (at most `timeoutMs`) until nothing is waiting: the sandbox phone and mailbox show what is in flight. */
export async function waitForOutbox(db: Db, kind: OutboxKind, recipient?: string, timeoutMs = 3000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while ((await pendingCount(db, kind, recipient)) > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 25));
}
