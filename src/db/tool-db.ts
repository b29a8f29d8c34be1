// The database an operator tool (the CLI) works on, and a sentence saying which. It never opens
// an embedded folder that a live process holds: through a running server it talks to the server's
// database over the wire; with no server it takes the folder itself; it never creates an embedded
// database by accident (a server on PostgreSQL and a CLI without DATABASE_URL).
import { existsSync } from 'node:fs';
import path from 'node:path';
import knexFactory from 'knex';
import type { Config } from '../config/index.ts';
import type { Db } from './knex.ts';
import { describeEndpoint, embeddedDataPath, folderHolder, isFolderBusy, lockFile } from './folder-lock.ts';

export class ToolDbError extends Error {}

export interface ToolDb {
  db: Db;
  /** e.g. `postgres://db.internal:5432/dvc` or `embedded (DATA_DIR /srv/dvc/data, through the running server pid 4242 …)`. */
  description: string;
  throughServer: boolean;
}

/** A connection string without credentials or options: enough to tell which database it is. */
export function describeDatabaseUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return 'postgres (DATABASE_URL)';
  }
}

/** `create`: the command may create a new embedded database (migrate); others refuse an empty folder. */
export async function openToolDb(cfg: Pick<Config, 'databaseUrl' | 'dataDir'>, o: { create: boolean }): Promise<ToolDb> {
  if (cfg.databaseUrl) {
    const db = knexFactory({ client: 'pg', connection: cfg.databaseUrl, pool: { min: 0, max: 2 } });
    return { db, description: describeDatabaseUrl(cfg.databaseUrl), throughServer: false };
  }
  const dir = path.resolve(cfg.dataDir);
  const holder = folderHolder(dir);
  if (holder?.endpoint) {
    const where = describeEndpoint(holder.endpoint);
    // One connection: the server's session is shared, turn by turn (src/db/wire-server.ts).
    const db = knexFactory({
      client: 'pg',
      connection: { host: holder.endpoint.host, port: holder.endpoint.port, user: 'postgres', database: 'postgres', connectionTimeoutMillis: 10_000 },
      pool: { min: 0, max: 1 },
      acquireConnectionTimeout: 10_000,
    });
    db.userParams = { sharedSession: true };
    try {
      await db.raw('select 1');
    } catch (e) {
      await db.destroy();
      throw new ToolDbError(`the server (pid ${holder.pid}) holding the embedded database in ${dir} does not answer on ${where}: ${(e as Error).message}. If no DVC ID server runs, delete ${lockFile(dir)}.`);
    }
    return { db, description: `embedded (DATA_DIR ${dir}, through the running server pid ${holder.pid}, ${where})`, throughServer: true };
  }
  if (holder) {
    throw new ToolDbError(`the embedded database in ${dir} is in use by process ${holder.pid} (${holder.role === 'server' ? 'a server that is starting' : 'another CLI command'}); try again in a moment.`);
  }
  const exists = existsSync(path.join(embeddedDataPath(dir), 'PG_VERSION'));
  if (!exists && !o.create) {
    throw new ToolDbError(`no embedded database in ${dir} and no server runs on it. If your server uses PostgreSQL, set DATABASE_URL as it does; if it uses another DATA_DIR, set that; to create an embedded database here, run: npm run migrate`);
  }
  const { openEmbedded } = await import('./embedded.ts');
  try {
    const { db } = openEmbedded(dir, 'cli');
    return {
      db,
      description: exists ? `embedded (DATA_DIR ${dir}, opened directly: no server runs on it)` : `embedded (DATA_DIR ${dir}): creating a NEW embedded database there`,
      throughServer: false,
    };
  } catch (e) {
    if (isFolderBusy(e)) throw new ToolDbError(`${e.message} (it started just now); try again in a moment.`);
    throw e;
  }
}
