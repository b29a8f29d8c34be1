// Database handle: real PostgreSQL when DATABASE_URL is set, embedded PGlite otherwise.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { readdirSync } from 'node:fs';
import knexFactory, { type Knex } from 'knex';
import pg from 'pg';
import ClientPgLite from 'knex-pglite';
import { PGlite } from '@electric-sql/pglite';
import type { Config } from '../config/index.ts';

// pg returns int8/numeric as strings; we only use int8 for counters and ids that fit in a double.
pg.types.setTypeParser(20, (v) => Number(v));
// A `date` (birthdate) stays 'YYYY-MM-DD': pg would make it local midnight and PGlite UTC midnight,
// which name different days west of UTC.
pg.types.setTypeParser(1082, (v) => v);
/** The same parsers for PGlite, so that both databases give the same values. */
const PGLITE_PARSERS = { 20: (v: string) => Number(v), 1082: (v: string) => v };

export type Db = Knex;

export function createDb(cfg: Pick<Config, 'databaseUrl' | 'dataDir'>): Db {
  if (cfg.databaseUrl) {
    return knexFactory({ client: 'pg', connection: cfg.databaseUrl, pool: { min: 0, max: 10 } });
  }
  mkdirSync(cfg.dataDir, { recursive: true });
  // Same answers as pg (parsers above): int8 as a number, not a BigInt.
  const pglite = new PGlite(path.join(cfg.dataDir, 'pgdata'), { parsers: PGLITE_PARSERS });
  return knexFactory({
    client: EmbeddedClient as unknown as typeof knexFactory.Client,
    dialect: 'postgres',
    connection: { pglite },
  } as Knex.Config);
}

interface QueryObject { method?: string; response?: unknown }
type ProcessResponse = (obj: QueryObject, runner: unknown) => unknown;

/**
 * knex-pglite answers `delete()` with its raw result (the command becomes "DEL", which knex's
 * postgres dialect does not know) where pg gives the number of deleted rows, and gives `raw()` a
 * rowCount of affected rows (0 for a select) where pg gives the command tag's count (PGlite has it
 * too). Corrected here, once, so that no caller can tell which database it has. A method on the
 * prototype: knex builds a transaction's client with Object.create(prototype), which would not
 * see an instance property.
 */
const Base = ClientPgLite as unknown as new (config: unknown) => object;
const baseProcessResponse = (ClientPgLite as unknown as { prototype: { processResponse: ProcessResponse } }).prototype.processResponse;
class EmbeddedClient extends Base {
  processResponse(obj: QueryObject, runner: unknown): unknown {
    if (obj.method === 'raw') return obj.response;
    if (obj.method === 'del') return baseProcessResponse.call(this, { ...obj, method: 'delete' }, runner);
    return baseProcessResponse.call(this, obj, runner);
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

export async function rollbackAll(db: Db): Promise<void> {
  await db.migrate.rollback({ migrationSource }, true);
}
