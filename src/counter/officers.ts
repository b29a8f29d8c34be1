// Post-office officers: accounts given the counter role by an operator (CLI, audited).
import type { Db } from '../db/knex.ts';

export interface Officer { accountId: string; officerId: string; postOffice: string }

export const OFFICER_ID = /^[A-Za-z0-9._-]{1,64}$/;
export const POST_OFFICE = /^[A-Za-z0-9._-]{1,32}$/;

export async function findOfficer(db: Db, accountId: string): Promise<Officer | undefined> {
  const row = await db('counter_officers').where({ account_id: accountId }).first();
  return row ? { accountId: row.account_id as string, officerId: row.officer_id as string, postOffice: row.post_office as string } : undefined;
}

export async function addOfficer(db: Db, o: Officer): Promise<void> {
  await db('counter_officers').insert({ account_id: o.accountId, officer_id: o.officerId, post_office: o.postOffice })
    .onConflict('account_id').merge(['officer_id', 'post_office']);
}

export async function removeOfficer(db: Db, officerId: string): Promise<boolean> {
  return (await db('counter_officers').where({ officer_id: officerId }).delete()) > 0;
}

export async function listOfficers(db: Db): Promise<Officer[]> {
  const rows = await db('counter_officers').orderBy('officer_id');
  return rows.map((r: { account_id: string; officer_id: string; post_office: string }) => ({ accountId: r.account_id, officerId: r.officer_id, postOffice: r.post_office }));
}
