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

/** A row the worker of one node holds: claimed by it until the lease ends (another node then retries it). */
export interface ClaimedRow { id: number; kind: OutboxKind; recipient: string; subject: string | null; body: string; idempotency_key: string; attempts: number; expired: boolean }

export const CLAIMED_COLUMNS = 'id, kind, recipient, subject, body, idempotency_key, attempts, (not_after is not null and not_after <= now()) as expired';

/** Stores a message once per idempotency key (a repeat is the same message); true when it is new. */
export async function enqueue(db: Db, m: OutboxMessage): Promise<boolean> {
  const rows = await db('outbox')
    .insert({ kind: m.kind, recipient: m.recipient, subject: m.subject ?? null, body: m.body, idempotency_key: m.idempotencyKey, not_after: m.notAfter ?? null })
    .onConflict(['kind', 'idempotency_key']).ignore().returning('id') as unknown[];
  return rows.length > 0;
}

/**
 * Stores a message already claimed for `leaseMs`, as the worker's claim would leave it (first attempt
 * counted, due again only when the lease ends), so the node that stored it sends it without claiming
 * it again. Undefined when the idempotency key was stored before (a repeat is not sent twice).
 */
export async function enqueueClaimed(db: Db, m: OutboxMessage, leaseMs: number): Promise<ClaimedRow | undefined> {
  const r = await db.raw(
    `insert into outbox (kind, recipient, subject, body, idempotency_key, not_after, attempts, next_attempt_at)
     values (?, ?, ?, ?, ?, ?, 1, now() + make_interval(secs => ?))
     on conflict (kind, idempotency_key) do nothing
     returning ${CLAIMED_COLUMNS}`,
    [m.kind, m.recipient, m.subject ?? null, m.body, m.idempotencyKey, m.notAfter ?? null, leaseMs / 1000],
  );
  return (r.rows as ClaimedRow[])[0];
}

/** How a request hands a message over: the worker of its node stores it and sends it (outbox-worker.ts). */
export type Submit = (m: OutboxMessage) => Promise<void>;

export class OutboxSmsGateway implements SmsGateway {
  /** `kind` is the real gateway's: callers that show "sandbox" still see it. */
  constructor(readonly kind: SmsGateway['kind'], private readonly submit: Submit) {}

  async send(msg: SmsMessage): Promise<void> {
    await this.submit({ kind: 'sms', recipient: msg.to, body: msg.text, idempotencyKey: msg.idempotencyKey, notAfter: msg.notAfter });
  }
}

export class OutboxEmailGateway implements EmailGateway {
  constructor(readonly kind: EmailGateway['kind'], private readonly submit: Submit) {}

  async send(msg: EmailMessage): Promise<void> {
    await this.submit({ kind: 'email', recipient: msg.to, subject: msg.subject, body: msg.text, idempotencyKey: msg.idempotencyKey });
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
