// Stored flows (kratos): a multi-step interaction's state lives in the database with an expiry,
// so a reload, the back button, a second tab or another node all see the same state.
import type { Db } from '../db/knex.ts';
import { prepared } from '../db/prepared.ts';

// Every step of every login reads or writes its flow: plain SQL, prepared once per connection.

export interface Flow<D> { id: string; kind: string; state: string; data: D; expiresAt: Date }

export async function saveFlow<D>(db: Db, f: Flow<D>): Promise<void> {
  await prepared(db)('flow_save', `insert into flows (id, kind, state, data, expires_at) values (?, ?, ?, ?, ?)
    on conflict (id) do update set state = excluded.state, data = excluded.data, expires_at = excluded.expires_at, updated_at = now()`,
  [f.id, f.kind, f.state, JSON.stringify(f.data), f.expiresAt]);
}

/** The flow, or undefined when it does not exist, is of another kind, or has expired. */
export async function loadFlow<D>(db: Db, id: string, kind: string): Promise<Flow<D> | undefined> {
  const [r] = await prepared(db)<{ id: string; kind: string; state: string; data: unknown; expires_at: Date }>('flow_load',
    'select id, kind, state, data, expires_at from flows where id = ? and kind = ? and expires_at > now() limit 1', [id, kind]);
  if (!r) return undefined;
  return { id: r.id, kind: r.kind, state: r.state, data: r.data as D, expiresAt: new Date(r.expires_at) };
}

export async function deleteFlow(db: Db, id: string): Promise<void> {
  await prepared(db)('flow_delete', 'delete from flows where id = ?', [id]);
}

/**
 * Consumes a single-use flow (a link, a callback state): true for exactly one caller, however many
 * ask at once on however many nodes; `state` also requires the step the flow must be at.
 */
export async function takeFlow(db: Db, id: string, state?: string): Promise<boolean> {
  return (await db('flows').where(state === undefined ? { id } : { id, state }).delete()) === 1;
}
