// Closing an account: personal data and every way in go now; a tombstone (type, level, dates) and
// the audit trail stay for the retention period the law requires, then the purge removes them.
import type { Db } from '../db/knex.ts';
import { revokeEverything } from './sessions.ts';

export async function closeAccount(db: Db, accountId: string): Promise<void> {
  await db.transaction(async (trx) => {
    // Row lock first: a sign-in or a change racing with the closure waits, then sees "closed".
    const row = await trx('accounts').where({ id: accountId }).forUpdate().first('status');
    if (!row || row.status === 'closed') return;
    await trx('identifiers').where({ account_id: accountId }).delete();
    await trx('credentials').where({ account_id: accountId }).delete();
    await revokeEverything(trx, accountId);
    await trx('session_meta').where({ account_id: accountId }).delete();
    await trx('accounts').where({ id: accountId }).update({
      status: 'closed', full_name: null, birthdate: null, organisation_name: null, closed_at: trx.fn.now(), updated_at: trx.fn.now(),
    });
  });
}

/** Removes what closed accounts left behind once `retentionDays` have passed; returns how many. */
export async function purgeClosedAccounts(db: Db, retentionDays: number): Promise<number> {
  return db.transaction(async (trx) => {
    const ids = await trx('accounts').where({ status: 'closed' }).andWhere('closed_at', '<', trx.raw(`now() - make_interval(days => ?)`, [retentionDays])).pluck('id');
    if (!ids.length) return 0;
    await trx('audit_events').whereIn('account_id', ids).delete();
    await trx('accounts').whereIn('id', ids).delete();
    return ids.length;
  });
}

/** The audit trail of every account is kept `retentionDays`, no longer (personal data minimisation). */
export async function purgeOldAuditEvents(db: Db, retentionDays: number): Promise<number> {
  return db('audit_events').where('at', '<', db.raw('now() - make_interval(days => ?)', [retentionDays])).delete();
}
