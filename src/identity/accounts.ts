// Accounts and their identifiers: the people and enterprises behind the tokens.
import { randomUUID } from 'node:crypto';
import type { Db } from '../db/knex.ts';
import { prepared } from '../db/prepared.ts';
import { recall } from '../provider/request-memo.ts';

export type SubjectType = 'citizen' | 'enterprise';
export type Level = 2 | 3;
export type IdentifierType = 'cccd' | 'cmnd' | 'mst' | 'bhxh' | 'phone' | 'email';
// frozen: a complaint says the account is not its holder's; no sign-in until the support desk decides.
export type AccountStatus = 'active' | 'pending_activation' | 'locked' | 'frozen' | 'closed';

export interface Account {
  id: string;
  subjectType: SubjectType;
  level: Level;
  status: AccountStatus;
  fullName: string | null;
  birthdate: string | null; // ISO yyyy-mm-dd
  organisationName: string | null;
  updatedAt: Date;
  identifiers: { type: IdentifierType; value: string; verified: boolean; primary: boolean }[];
}

interface AccountRow {
  id: string; subject_type: SubjectType; level: number; status: AccountStatus; full_name: string | null;
  birthdate: string | null; organisation_name: string | null; updated_at: string | Date;
}

/** `date` columns come back as 'YYYY-MM-DD' from both databases (src/db/knex.ts). */
function isoDate(v: string | null): string | null {
  return v === null ? null : v.slice(0, 10);
}

// The account with its identifiers, in one round trip (the token endpoint reads it on every code and
// refresh exchange, the password step by the identifier typed).
const ACCOUNT_WITH_IDS = `select a.*, coalesce(json_agg(json_build_object('type', i.type, 'value', i.value, 'verified', i.verified, 'primary', i."primary") order by i.id)
       filter (where i.id is not null), '[]') as ids
     from accounts a left join identifiers i on i.account_id = a.id`;

/**
 * The same account as one json value, `{ account, ids }` (null when there is none), for a statement
 * that reads it beside something else: a token's find reads the account the grant will ask for.
 */
export const accountJsonOf = (accountId: string) => `(select json_build_object('account', to_json(a), 'ids', coalesce(json_agg(json_build_object('type', i.type,
    'value', i.value, 'verified', i.verified, 'primary', i."primary") order by i.id) filter (where i.id is not null), '[]'))
  from accounts a left join identifiers i on i.account_id = a.id where a.id = ${accountId} group by a.id)`;

export interface AccountJson { account: AccountRow; ids: unknown }

/** The memo key under which a statement of this request left the account it read (src/provider/request-memo.ts). */
export const accountMemoKey = (id: string) => `Account:${id}`;

export function accountFromJson(j: AccountJson): Account {
  return toAccount({ ...j.account, ids: j.ids });
}

function toAccount(row: AccountRow & { ids: unknown }): Account {
  return {
    id: row.id,
    subjectType: row.subject_type,
    level: row.level as Level,
    status: row.status,
    fullName: row.full_name,
    birthdate: isoDate(row.birthdate),
    organisationName: row.organisation_name,
    updatedAt: new Date(row.updated_at),
    identifiers: row.ids as Account['identifiers'],
  };
}

export async function findAccount(db: Db, id: string): Promise<Account | undefined> {
  if (!/^[0-9a-f-]{36}$/i.test(id)) return undefined;
  // Read a moment ago in this request, with the token that names it.
  const known = recall<AccountJson>(accountMemoKey(id));
  if (known) return accountFromJson(known);
  const [row] = await prepared(db)<AccountRow & { ids: unknown }>('find_account', `${ACCOUNT_WITH_IDS} where a.id = ? group by a.id`, [id]);
  return row ? toAccount(row) : undefined;
}

/** The account holding a legal identifier (CCCD, CMND, MST, BHXH) with all its identifiers, if any. */
export async function findAccountByIdentifier(db: Db, type: IdentifierType, value: string): Promise<Account | undefined> {
  const [row] = await prepared(db)<AccountRow & { ids: unknown }>('find_account_by_identifier',
    `${ACCOUNT_WITH_IDS} where a.id = (select account_id from identifiers where type = ? and value = ? limit 1) group by a.id`, [type, value]);
  return row ? toAccount(row) : undefined;
}

/** The account holding a legal identifier (CCCD, CMND, MST, BHXH), if any. */
export async function findAccountIdByIdentifier(db: Db, type: IdentifierType, value: string): Promise<string | undefined> {
  const row = await db('identifiers').where({ type, value }).first('account_id');
  return row?.account_id as string | undefined;
}

export function identifierOf(a: Account, type: IdentifierType): string | undefined {
  return (a.identifiers.find((i) => i.type === type && i.primary) ?? a.identifiers.find((i) => i.type === type))?.value;
}

export interface NewAccount {
  subjectType: SubjectType;
  level: Level;
  status?: AccountStatus;
  fullName?: string;
  birthdate?: string;
  organisationName?: string;
  identifiers: { type: IdentifierType; value: string; verified: boolean }[];
}

/** Inserts an account with its identifiers; call inside a transaction (pass the trx). */
export async function insertAccount(trx: Db, a: NewAccount): Promise<string> {
  const id = randomUUID();
  await trx('accounts').insert({
    id, subject_type: a.subjectType, level: a.level, status: a.status ?? 'active',
    full_name: a.fullName ?? null, birthdate: a.birthdate ?? null, organisation_name: a.organisationName ?? null,
  });
  const seen = new Set<string>();
  for (const i of a.identifiers) {
    await trx('identifiers').insert({ account_id: id, type: i.type, value: i.value, verified: i.verified, primary: !seen.has(i.type) });
    seen.add(i.type);
  }
  return id;
}

export async function setLevel(trx: Db, accountId: string, level: Level): Promise<void> {
  await trx('accounts').where({ id: accountId }).update({ level, updated_at: trx.fn.now() });
}

/** The account's one phone (primary, verified): replaces the old number. Call inside a transaction. */
export async function setPhone(trx: Db, accountId: string, phone: string): Promise<void> {
  await trx('identifiers').where({ account_id: accountId, type: 'phone' }).delete();
  await trx('identifiers').insert({ account_id: accountId, type: 'phone', value: phone, verified: true, primary: true });
}
