// The embedded database (PGlite) in DATA_DIR, for `npm start` with no server to install. Loaded
// only when used: the CLI talking to a running server never pays for starting PGlite.
import { mkdirSync } from 'node:fs';
import knexFactory, { type Knex } from 'knex';
import ClientPgLite from 'knex-pglite';
import { PGlite } from '@electric-sql/pglite';
import { acquireFolderLock, embeddedDataPath, type FolderLock, type LockHolder } from './folder-lock.ts';

interface QueryObject { method?: string }
type ProcessResponse = (obj: QueryObject, runner: unknown) => unknown;
interface BaseClient { processResponse: ProcessResponse; destroy(callback?: unknown): Promise<void> }

/**
 * knex-pglite answers `delete()` with its raw result (the command becomes "DEL", which knex's
 * postgres dialect does not know) where pg gives the number of deleted rows. Corrected here, once,
 * so that no caller can tell which database it has. Destroying the handle frees the folder.
 */
const Base = ClientPgLite as unknown as new (config: unknown) => BaseClient;
class EmbeddedClient extends Base {
  folderLock: FolderLock | undefined;
  override processResponse: ProcessResponse = (obj, runner) => {
    if (obj.method === 'del') return Base.prototype.processResponse.call(this, { ...obj, method: 'delete' }, runner);
    return Base.prototype.processResponse.call(this, obj, runner);
  };
  override async destroy(callback?: unknown): Promise<void> {
    try {
      await Base.prototype.destroy.call(this, callback);
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
    // Same answers as pg: int8 as a number, not a BigInt.
    const pglite = new PGlite(embeddedDataPath(dataDir), { parsers: { 20: (v: string) => Number(v) } });
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
