// Counting what was sent now that requests only queue messages: wait for the node's worker to
// drain the outbox (no fixed sleep), then count what the sandbox gateway delivered.
import type { Db } from '../../src/db/knex.ts';
import type { OutboxKind } from '../../src/identity/outbox.ts';
import { pendingCount } from '../../src/identity/outbox.ts';

/** Resolves once nothing of `kind` waits in the outbox; fails after `timeoutMs`. */
export async function drained(db: Db, kind: OutboxKind = 'sms', timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while ((await pendingCount(db, kind)) > 0) {
    if (Date.now() > until) throw new Error(`the ${kind} outbox did not drain within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** SMS delivered by the sandbox gateway so far, after the outbox has drained (a queued one counts). */
export async function deliveredSms(db: Db): Promise<number> {
  await drained(db, 'sms');
  return Number(((await db('sandbox_sms').count('* as n').first()) as { n: unknown }).n);
}

/** Emails delivered by the sandbox gateway so far, after the outbox has drained. */
export async function deliveredEmails(db: Db): Promise<number> {
  await drained(db, 'email');
  return Number(((await db('sandbox_email').count('* as n').first()) as { n: unknown }).n);
}
