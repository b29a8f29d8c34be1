// The embedded database folder is opened by one process at a time: PGlite is single-process, and
// a second process opening the same folder corrupts it. `DATA_DIR/lock.json` names the holder and,
// for a running server, where it serves the database over the PostgreSQL wire protocol.
import { linkSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** Where a server serves the database: a Unix socket directory (libpq's `host=/dir`) or 127.0.0.1, and a port. */
export interface WireEndpoint { host: string; port: number }

export function describeEndpoint(e: WireEndpoint): string {
  return e.host.startsWith('/') ? `socket ${path.join(e.host, `.s.PGSQL.${e.port}`)}` : `${e.host}:${e.port}`;
}

export interface LockHolder {
  pid: number;
  /** `server` (src/main.ts) or `cli` (a CLI command that opened the folder itself). */
  role: 'server' | 'cli';
  since: string;
  endpoint?: WireEndpoint;
}

export class FolderBusyError extends Error {
  readonly code = 'DVC_FOLDER_BUSY';
  constructor(readonly dir: string, readonly holder: LockHolder) {
    super(`the embedded database in ${dir} is in use by process ${holder.pid} (${holder.role})`);
  }
}

// By code, not instanceof: under a test runner this module can be loaded twice (require and import).
export function isFolderBusy(e: unknown): e is FolderBusyError {
  return (e as { code?: unknown } | null)?.code === 'DVC_FOLDER_BUSY';
}

export interface FolderLock {
  readonly file: string;
  /** Publishes where this server serves the database (read by the CLI). */
  setEndpoint(endpoint: WireEndpoint): void;
  release(): void;
}

/** The PGlite data inside DATA_DIR, whether or not it was created yet. */
export function embeddedDataPath(dataDir: string): string {
  return path.join(dataDir, 'pgdata');
}

export function lockFile(dir: string): string {
  return path.join(dir, 'lock.json');
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: the process exists but belongs to someone else.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readLock(file: string): LockHolder | undefined {
  try {
    const v = JSON.parse(readFileSync(file, 'utf8')) as LockHolder;
    return Number.isInteger(v.pid) && v.pid > 0 ? v : undefined;
  } catch {
    return undefined;
  }
}

/** The live process holding the folder, if any (a lock left by a crashed process does not count). */
export function folderHolder(dir: string): LockHolder | undefined {
  const h = readLock(lockFile(dir));
  return h && isAlive(h.pid) ? h : undefined;
}

// Written whole to a private file, then linked into place: link() fails when the lock exists, and
// nobody ever reads a half-written lock.
function writeExclusive(file: string, holder: LockHolder): boolean {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(holder), { mode: 0o600 });
  try {
    linkSync(tmp, file);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  } finally {
    unlinkSync(tmp);
  }
}

/**
 * Takes the folder for this process, or throws FolderBusyError naming the live holder (this
 * process too: opening the folder twice in one process is just as unsafe). A lock whose process
 * is gone is taken over.
 */
export function acquireFolderLock(dir: string, role: LockHolder['role']): FolderLock {
  const file = lockFile(dir);
  const mine: LockHolder = { pid: process.pid, role, since: new Date().toISOString() };
  for (let attempt = 0; attempt < 5; attempt++) {
    if (writeExclusive(file, mine)) return handle(file, mine);
    const holder = readLock(file);
    if (holder && isAlive(holder.pid)) throw new FolderBusyError(dir, holder);
    // Stale: move it aside (of two processes taking over at once, one rename wins), check that
    // what was moved is the stale lock and not one just taken by another process, and retry.
    const aside = `${file}.${process.pid}.stale`;
    try {
      renameSync(file, aside);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw e;
    }
    const moved = readLock(aside);
    if (moved && isAlive(moved.pid)) {
      try { linkSync(aside, file); } catch { /* someone else took it meanwhile: they hold it */ }
      unlinkSync(aside);
      throw new FolderBusyError(dir, moved);
    }
    unlinkSync(aside);
  }
  throw new Error(`cannot take the lock ${file}`);
}

function handle(file: string, mine: LockHolder): FolderLock {
  let held = true;
  const release = () => {
    if (!held) return;
    held = false;
    process.off('exit', release);
    if (readLock(file)?.pid === process.pid) unlinkSync(file);
  };
  // A clean exit without destroy() still frees the folder; after a crash the next opener finds a dead pid.
  process.on('exit', release);
  return {
    file,
    setEndpoint(endpoint) {
      if (!held) throw new Error('lock released');
      const tmp = `${file}.${process.pid}.tmp`;
      writeFileSync(tmp, JSON.stringify({ ...mine, endpoint }), { mode: 0o600 });
      renameSync(tmp, file);
    },
    release,
  };
}
