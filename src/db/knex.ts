// Database handle: real PostgreSQL when DATABASE_URL is set, embedded PGlite otherwise.
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { readdirSync } from 'node:fs';
import knexFactory, { type Knex } from 'knex';
import pg from 'pg';
import type { Config } from '../config/index.ts';

// pg returns int8/numeric as strings; we only use int8 for counters and ids that fit in a double.
pg.types.setTypeParser(20, (v) => Number(v));
// A `date` (birthdate) stays 'YYYY-MM-DD': pg would make it local midnight and PGlite UTC midnight,
// which name different days west of UTC.
pg.types.setTypeParser(1082, (v) => v);
/** The same parsers for PGlite, so that both databases give the same values. */
export const PGLITE_PARSERS = { 20: (v: string) => Number(v), 1082: (v: string) => v };

export type Db = Knex;

/** PostgreSQL, or the embedded database of DATA_DIR, which this process then holds alone (src/db/folder-lock.ts). */
export async function createDb(cfg: Pick<Config, 'databaseUrl' | 'dataDir'>): Promise<Db> {
  if (cfg.databaseUrl) return knexFactory({ client: 'pg', connection: cfg.databaseUrl, pool: { min: 0, max: 10 } });
  const [{ openEmbedded }, { isFolderBusy }] = await Promise.all([import('./embedded.ts'), import('./folder-lock.ts')]);
  // A CLI command that opened the folder itself finishes in a second or two: wait for it, not for a server.
  const deadline = Date.now() + 15_000;
  for (;;) {
    try {
      return openEmbedded(cfg.dataDir, 'server').db;
    } catch (e) {
      if (!isFolderBusy(e) || e.holder.role !== 'cli' || Date.now() > deadline) throw e;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}

/**
 * A second pool for oidc-provider's models (tokens, sessions, grants, interactions) with
 * asynchronous commit: a database crash may lose the last fraction of a second of them (people
 * sign in again), and in exchange token requests do not wait for a WAL flush. Accounts, credentials
 * and the audit trail stay on the durable pool. PGlite (one connection) shares the single handle.
 */
export function createTokenDb(cfg: Pick<Config, 'databaseUrl' | 'asyncCommitTokens'>, db: Db): Db {
  if (!cfg.databaseUrl || !cfg.asyncCommitTokens) return db;
  return knexFactory({
    client: 'pg', connection: cfg.databaseUrl,
    pool: {
      // Every token request makes several short queries here: more connections than the durable pool.
      min: 0, max: 20,
      afterCreate: (conn: pg.Client, done: (err: Error | null, conn: pg.Client) => void) => {
        conn.query('SET synchronous_commit = off').then(() => done(null, conn), (e: Error) => done(e, conn));
      },
    },
  });
}

/**
 * Both databases parse json/jsonb columns in every path (query builder, returning, raw, prepared,
 * transactions: test/db/embedded-parity.test.ts). Only the CLI still calls this; nothing new should.
 */
export function jsonColumn<T>(v: unknown): T {
  return (typeof v === 'string' ? JSON.parse(v) : v) as T;
}

const migrationsDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../migrations');

// Migrations are TypeScript modules in migrations/, loaded in name order.
const migrationSource: Knex.MigrationSource<string> = {
  getMigrations: async () => readdirSync(migrationsDir).filter((f) => /^\d+.*\.ts$/.test(f)).sort(),
  getMigrationName: (m) => m,
  getMigration: async (m) => (await import(pathToFileURL(path.join(migrationsDir, m)).href)) as Knex.Migration,
};

export async function migrate(db: Db): Promise<string[]> {
  const [, done] = (await db.migrate.latest({ migrationSource })) as [number, string[]];
  return done;
}

/** Migrations not yet applied (a read of the migrations table: nothing is run). */
export async function pendingMigrations(db: Db): Promise<string[]> {
  const [, pending] = (await db.migrate.list({ migrationSource })) as [unknown[], unknown[]];
  return pending.map(String);
}

export async function rollbackAll(db: Db): Promise<void> {
  await db.migrate.rollback({ migrationSource }, true);
}
