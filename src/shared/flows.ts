// Stored flows (kratos): a multi-step interaction's state lives in the database with an expiry,
// so a reload, the back button, a second tab or another node all see the same state.
import type { Db } from '../db/knex.ts';

export interface Flow<D> { id: string; kind: string; state: string; data: D; expiresAt: Date }

export async function saveFlow<D>(db: Db, f: Flow<D>): Promise<void> {
  await db('flows').insert({ id: f.id, kind: f.kind, state: f.state, data: JSON.stringify(f.data), expires_at: f.expiresAt })
    .onConflict('id').merge({ state: f.state, data: JSON.stringify(f.data), expires_at: f.expiresAt, updated_at: db.fn.now() });
}

/** The flow, or undefined when it does not exist, is of another kind, or has expired. */
export async function loadFlow<D>(db: Db, id: string, kind: string): Promise<Flow<D> | undefined> {
  const r = await db('flows').where({ id, kind }).andWhere('expires_at', '>', db.fn.now()).first();
  if (!r) return undefined;
  return { id: r.id, kind: r.kind, state: r.state, data: r.data as D, expiresAt: new Date(r.expires_at) };
}

export async function deleteFlow(db: Db, id: string): Promise<void> {
  await db('flows').where({ id }).delete();
}

/**
 * Consumes a single-use flow (a link, a callback state): true for exactly one caller, however many
 * ask at once on however many nodes; `state` also requires the step the flow must be at.
 */
export async function takeFlow(db: Db, id: string, state?: string): Promise<boolean> {
  return (await db('flows').where(state === undefined ? { id } : { id, state }).delete()) === 1;
}
