// Drains the outbox on every node: claims due rows with FOR UPDATE SKIP LOCKED (two nodes never
// take the same row), pushes their due time forward by a lease (a node that dies mid-send leaves
// the row to another), sends through the real gateway with the row's idempotency key (a repeat
// after a lost answer is the same message), deletes it when delivered, retries with backoff, and
// gives up after a few attempts: a metric and a log line with a pseudonym, never the number.
// A message a request stores on this node is stored already claimed and sent at once (submit): the
// same row, lease and retries as a claimed one, without the claim's statement or a wait for a poll.
import type { Db } from '../db/knex.ts';
import { prepared } from '../db/prepared.ts';
import type { SmsGateway } from '../connectors/sms/index.ts';
import type { EmailGateway } from '../connectors/email/index.ts';
import { pseudonym } from '../shared/digest.ts';
import type { Logger } from '../shared/logger.ts';
import { outboxDeliveries } from '../shared/metrics.ts';
import type { Config } from '../config/index.ts';
import { CLAIMED_COLUMNS, enqueue, enqueueClaimed, OutboxEmailGateway, OutboxSmsGateway, type ClaimedRow, type OutboxMessage } from './outbox.ts';

export interface OutboxWorkerOptions {
  pollMs: number;
  maxAttempts: number;
  retryBaseMs: number;
  /** Longer than any send can take (gateway timeouts × retries): only then may another node retry a claimed row. */
  leaseMs: number;
  /** Keys the pseudonym of a recipient in logs. */
  secret: string;
  /** Sends in flight per node: a gateway that holds one request does not hold up the others. */
  concurrency?: number;
}

const MAX_BACKOFF_MS = 300_000;

export class OutboxWorker {
  private timer: NodeJS.Timeout | undefined;
  private claiming: Promise<void> | undefined;
  private again = false;
  private stopped = false;
  /** More due rows than room at the last look: look again as soon as a send ends. */
  private backlog = false;
  /** Hand-overs being stored, counted against the room before their rows exist. */
  private reserved = 0;
  private readonly inflight = new Set<Promise<void>>();

  constructor(private readonly db: Db, private readonly gateways: { sms: SmsGateway; email: EmailGateway }, private readonly o: OutboxWorkerOptions, private readonly logger: Logger) {}

  start(): void {
    this.timer = setInterval(this.kick, this.o.pollMs);
    this.timer.unref();
    this.kick();
  }

  private room(): number {
    return (this.o.concurrency ?? 16) - this.inflight.size - this.reserved;
  }

  /**
   * A request's message: stored first (the request returns once the row exists), then sent by this
   * node at once if it has room, without a claim (the row is stored claimed, with the lease); else
   * stored due now for the next look. Retries, the lease and the idempotency key are the claim's.
   */
  readonly submit = async (m: OutboxMessage): Promise<void> => {
    if (this.stopped || this.room() <= 0) {
      if (await enqueue(this.db, m)) { this.backlog = true; this.kick(); }
      return;
    }
    this.reserved++;
    let row: ClaimedRow | undefined;
    try {
      row = await enqueueClaimed(this.db, m, this.o.leaseMs);
    } finally {
      this.reserved--;
    }
    if (row) this.track(row);
  };

  /** Look for due rows now (on every poll, and after a send ended while rows were waiting for room). */
  readonly kick = (): void => {
    if (this.stopped) return;
    if (this.claiming) { this.again = true; return; }
    this.claiming = this.claim()
      .catch((e: unknown) => this.logger.error('outbox claim failed', { error: e instanceof Error ? e.message : String(e) }))
      .finally(() => {
        this.claiming = undefined;
        if (this.again) { this.again = false; this.kick(); }
      });
  };

  /** Stops claiming and waits for the sends in flight (they end by the gateways' own timeouts). */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.claiming;
    await Promise.all([...this.inflight]);
  }

  private async claim(): Promise<void> {
    const room = this.room();
    this.backlog = room <= 0;
    if (room <= 0) return;
    const r = await this.db.raw(
      `update outbox set attempts = attempts + 1, next_attempt_at = now() + make_interval(secs => ?)
       where id in (select id from outbox where failed_at is null and next_attempt_at <= now()
                    order by next_attempt_at limit ? for update skip locked)
       returning ${CLAIMED_COLUMNS}`,
      [this.o.leaseMs / 1000, room],
    );
    const rows = r.rows as ClaimedRow[];
    if (rows.length >= room) this.backlog = true;
    for (const row of rows) this.track(row);
  }

  private track(row: ClaimedRow): void {
    const p: Promise<void> = this.deliver(row)
      .catch((e: unknown) => this.logger.error('outbox delivery bookkeeping failed', { kind: row.kind, error: e instanceof Error ? e.message : String(e) }))
      .finally(() => { this.inflight.delete(p); if (this.backlog) this.kick(); });
    this.inflight.add(p);
  }

  private async deliver(row: ClaimedRow): Promise<void> {
    if (row.expired) return this.giveUp(row, 'expired');
    try {
      if (row.kind === 'sms') await this.gateways.sms.send({ to: row.recipient, text: row.body, idempotencyKey: row.idempotency_key });
      else await this.gateways.email.send({ to: row.recipient, subject: row.subject ?? '', text: row.body, idempotencyKey: row.idempotency_key });
    } catch (e) {
      if (row.attempts >= this.o.maxAttempts) return this.giveUp(row, 'failed', e);
      const wait = Math.min(MAX_BACKOFF_MS, this.o.retryBaseMs * 2 ** (row.attempts - 1));
      // Only while the claim is still ours (attempts unchanged): a node that reclaimed it decides.
      await this.db('outbox').where({ id: row.id, attempts: row.attempts }).update({ next_attempt_at: this.db.raw('now() + make_interval(secs => ?)', [wait / 1000]) });
      outboxDeliveries.inc({ kind: row.kind, outcome: 'retry' });
      return;
    }
    await prepared(this.db)('outbox_delete', 'delete from outbox where id = ?', [row.id]);
    outboxDeliveries.inc({ kind: row.kind, outcome: 'sent' });
  }

  /** Kept without its text (it may hold a code) until the periodic cleanup purges it. */
  private async giveUp(row: ClaimedRow, outcome: 'failed' | 'expired', error?: unknown): Promise<void> {
    await this.db('outbox').where({ id: row.id }).update({ failed_at: this.db.fn.now(), body: '', subject: null });
    outboxDeliveries.inc({ kind: row.kind, outcome });
    this.logger.warn('outbox message given up', {
      kind: row.kind, outcome, attempts: row.attempts, recipient: pseudonym(this.o.secret, row.recipient),
      ...(error ? { error: error instanceof Error ? `${error.name}: ${error.message}` : 'error' } : {}),
    });
  }
}

/** A lease longer than any send: each SMS attempt may take the timeout, an SMTP send a few of them. */
export function outboxLeaseMs(cfg: { smsTimeoutMs: number; smsRetries: number; emailTimeoutMs: number }): number {
  return Math.max(60_000, 2 * (cfg.smsTimeoutMs * (cfg.smsRetries + 1) + 2000 * cfg.smsRetries + 3 * cfg.emailTimeoutMs));
}

/** The composition root's one call: outbox-backed gateways for everyone, the real ones for this node's worker. */
export function startOutbox(cfg: Pick<Config, 'outboxPollMs' | 'outboxMaxAttempts' | 'outboxRetryBaseMs' | 'otpSecret' | 'smsTimeoutMs' | 'smsRetries' | 'emailTimeoutMs'>, db: Db, real: { sms: SmsGateway; email: EmailGateway }, logger: Logger) {
  const worker = new OutboxWorker(db, real, { pollMs: cfg.outboxPollMs, maxAttempts: cfg.outboxMaxAttempts, retryBaseMs: cfg.outboxRetryBaseMs, leaseMs: outboxLeaseMs(cfg), secret: cfg.otpSecret }, logger);
  worker.start();
  return { sms: new OutboxSmsGateway(real.sms.kind, worker.submit), email: new OutboxEmailGateway(real.email.kind, worker.submit), stop: () => worker.stop() };
}
