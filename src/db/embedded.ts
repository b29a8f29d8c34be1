// The embedded database (PGlite) in DATA_DIR, for `npm start` with no server to install. Loaded
// only when used: the CLI talking to a running server never pays for starting PGlite.
import { mkdirSync } from 'node:fs';
import knexFactory, { type Knex } from 'knex';
import ClientPgLite from 'knex-pglite';
import { PGlite } from '@electric-sql/pglite';
import { acquireFolderLock, embeddedDataPath, type FolderLock, type LockHolder } from './folder-lock.ts';
import { PGLITE_PARSERS } from './knex.ts';

interface QueryObject { method?: string; response?: unknown }
type ProcessResponse = (obj: QueryObject, runner: unknown) => unknown;

/**
 * knex-pglite answers `delete()` with its raw result (the command becomes "DEL", which knex's
 * postgres dialect does not know) where pg gives the number of deleted rows, and gives `raw()` a
 * rowCount of affected rows (0 for a select) where pg gives the command tag's count (PGlite has it
 * too). Corrected here, once, so that no caller can tell which database it has. Methods on the
 * prototype: knex builds a transaction's client with Object.create(prototype), which would not
 * see an instance property. Destroying the handle frees the folder.
 */
const Base = ClientPgLite as unknown as new (config: unknown) => object;
const base = (ClientPgLite as unknown as { prototype: { processResponse: ProcessResponse; destroy(callback?: unknown): Promise<void> } }).prototype;
class EmbeddedClient extends Base {
  folderLock: FolderLock | undefined;
  processResponse(obj: QueryObject, runner: unknown): unknown {
    if (obj.method === 'raw') return obj.response;
    if (obj.method === 'del') return base.processResponse.call(this, { ...obj, method: 'delete' }, runner);
    return base.processResponse.call(this, obj, runner);
  }
  async destroy(callback?: unknown): Promise<void> {
    try {
      await base.destroy.call(this, callback);
    } finally {
      this.folderLock?.release();
    }
  }
}

/** Opens DATA_DIR's database for this process alone (FolderBusyError when another live process has it). */
export function openEmbedded(dataDir: string, role: LockHolder['role']): { db: Knex; lock: FolderLock } {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const lock = acquireFolderLock(dataDir, role);
  try {
    // Same answers as pg (parsers in knex.ts): int8 as a number, not a BigInt; a date as YYYY-MM-DD.
    const pglite = new PGlite(embeddedDataPath(dataDir), { parsers: PGLITE_PARSERS });
    const db = knexFactory({
      client: EmbeddedClient as unknown as typeof knexFactory.Client,
      dialect: 'postgres',
      connection: { pglite },
    } as Knex.Config);
    (db.client as unknown as EmbeddedClient).folderLock = lock;
    return { db, lock };
  } catch (e) {
    lock.release();
    throw e;
  }
}

/** The folder lock of an embedded handle (undefined for PostgreSQL). A property, not instanceof: see isFolderBusy. */
export function folderLockOf(db: Knex): FolderLock | undefined {
  return (db.client as Partial<EmbeddedClient>).folderLock;
}
