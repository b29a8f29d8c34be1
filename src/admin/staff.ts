// Staff of the operators' console: their own DVC account, a staff id and an office the audit trail
// names, and roles given and taken by an operator with the CLI (audited there).
import type { Db } from '../db/knex.ts';

export const ROLES = ['support', 'operator', 'auditor'] as const;
export type Role = (typeof ROLES)[number];
export const isRole = (v: unknown): v is Role => typeof v === 'string' && (ROLES as readonly string[]).includes(v);

export const STAFF_ID = /^[A-Za-z0-9._-]{1,64}$/;
export const OFFICE = /^[A-Za-z0-9._-]{1,64}$/;

export interface StaffMember { accountId: string; staffId: string; office: string; roles: Role[] }

export async function findStaff(db: Db, accountId: string): Promise<StaffMember | undefined> {
  const row = await db('staff_members').where({ account_id: accountId }).first();
  if (!row) return undefined;
  const roles = (await db('staff_roles').where({ account_id: accountId }).orderBy('role').pluck('role')).filter(isRole);
  return { accountId, staffId: row.staff_id as string, office: row.office as string, roles };
}

/** Gives a role (creating the staff member, or moving them to another office). Call inside a transaction. */
export async function grantRole(trx: Db, m: { accountId: string; staffId: string; office: string }, role: Role): Promise<void> {
  await trx('staff_members').insert({ account_id: m.accountId, staff_id: m.staffId, office: m.office }).onConflict('account_id').merge(['staff_id', 'office']);
  await trx('staff_roles').insert({ account_id: m.accountId, role }).onConflict(['account_id', 'role']).ignore();
}

/** Takes one role, or every role when none is named; a member left without roles is removed. */
export async function revokeRole(trx: Db, staffId: string, role?: Role): Promise<{ accountId: string } | undefined> {
  const row = await trx('staff_members').where({ staff_id: staffId }).first('account_id');
  if (!row) return undefined;
  const accountId = row.account_id as string;
  await trx('staff_roles').where({ account_id: accountId, ...(role ? { role } : {}) }).delete();
  const left = await trx('staff_roles').where({ account_id: accountId }).first('role');
  if (!left) await trx('staff_members').where({ account_id: accountId }).delete();
  return { accountId };
}

export async function listStaff(db: Db): Promise<StaffMember[]> {
  const rows = await db('staff_members as m').leftJoin('staff_roles as r', 'r.account_id', 'm.account_id')
    .select('m.account_id', 'm.staff_id', 'm.office', db.raw("coalesce(string_agg(r.role, ',' order by r.role), '') as roles"))
    .groupBy('m.account_id', 'm.staff_id', 'm.office').orderBy('m.staff_id');
  return rows.map((r: { account_id: string; staff_id: string; office: string; roles: string }) => ({
    accountId: r.account_id, staffId: r.staff_id, office: r.office, roles: r.roles.split(',').filter(isRole),
  }));
}
