// Credentials (kratos-style): one row per credential, typed JSON config, unique identifiers.
import { randomUUID } from 'node:crypto';
import type { Db } from '../db/knex.ts';
import { prepared } from '../db/prepared.ts';

export interface Credential<C = Record<string, unknown>> {
  id: string;
  accountId: string;
  type: string;
  config: C;
  version: number;
  createdAt: Date;
}

function fromRow<C>(r: { id: string; account_id: string; type: string; config: unknown; version: number; created_at: string | Date }): Credential<C> {
  return { id: r.id, accountId: r.account_id, type: r.type, config: r.config as C, version: r.version, createdAt: new Date(r.created_at) };
}

export async function addCredential<C>(trx: Db, accountId: string, type: string, config: C, identifiers: string[] = []): Promise<string> {
  const id = randomUUID();
  await trx('credentials').insert({ id, account_id: accountId, type, config: JSON.stringify(config) });
  for (const identifier of identifiers) await trx('credential_identifiers').insert({ credential_id: id, type, identifier });
  return id;
}

/** The account's credentials of one type, or of every type, oldest first. */
export async function credentialsOf<C = Record<string, unknown>>(db: Db, accountId: string, type?: string): Promise<Credential<C>[]> {
  // Every password login reads them: plain SQL, prepared once per connection.
  const rows = type
    ? await prepared(db)<Parameters<typeof fromRow>[0]>('credentials_of_type', 'select * from credentials where account_id = ? and type = ? order by created_at', [accountId, type])
    : await prepared(db)<Parameters<typeof fromRow>[0]>('credentials_of', 'select * from credentials where account_id = ? order by created_at', [accountId]);
  return rows.map((r) => fromRow<C>(r));
}

export async function findCredentialByIdentifier<C>(db: Db, type: string, identifier: string): Promise<Credential<C> | undefined> {
  const r = await db('credentials as c').join('credential_identifiers as ci', 'ci.credential_id', 'c.id')
    .where({ 'ci.type': type, 'ci.identifier': identifier }).first('c.*');
  return r ? fromRow<C>(r) : undefined;
}

/** Optimistic update: fails (returns false) when someone else changed the credential meanwhile. */
export async function updateCredential<C>(db: Db, cred: Credential<C>, config: C): Promise<boolean> {
  const n = await db('credentials').where({ id: cred.id, version: cred.version })
    .update({ config: JSON.stringify(config), version: cred.version + 1, updated_at: db.fn.now() });
  return n === 1;
}
