// While the server holds the embedded database, the CLI and psql reach it through the server: the
// same PGlite instance is served over the PostgreSQL wire protocol (@electric-sql/pglite-socket
// does the framing, SSL refusal and socket life cycle) on a Unix socket in DATA_DIR, or on a
// loopback port with EMBEDDED_DB_PORT.
//
// PGlite is ONE database session. The server's own knex and every socket client take turns on it,
// and a turn ends only where the session is idle (ReadyForQuery 'I'): never inside a transaction
// or between Parse and Sync of an extended query, in either direction. The turn is the server's
// single knex connection itself, so a socket client waits for the server's transactions and the
// server's queries wait for a client's transaction (a client idle inside one is disconnected).
import net from 'node:net';
import { existsSync, unlinkSync } from 'node:fs';
import path from 'node:path';
import { PGLiteSocketHandler, type PGLiteSocketHandlerOptions } from '@electric-sql/pglite-socket';
import type { PGlite } from '@electric-sql/pglite';
import type { Db } from './knex.ts';
import { folderLockOf } from './embedded.ts';
import type { WireEndpoint } from './folder-lock.ts';

export interface WireServer { endpoint: WireEndpoint; close(): Promise<void> }

export interface WireOptions {
  dataDir: string;
  /** Loopback TCP port instead of the Unix socket (0: any free port). */
  port?: number;
  /** A client idle inside a transaction longer than this is disconnected (its transaction rolled back). */
  idleInTransactionMs?: number;
  maxConnections?: number;
  onWarning?: (msg: string, fields?: Record<string, unknown>) => void;
}

interface KnexPool { acquireConnection(): Promise<PGlite>; releaseConnection(c: PGlite): Promise<void> }

interface Connection {
  handler: PGLiteSocketHandler;
  chain: Promise<unknown>;
  turn?: PGlite;
  tail: Uint8Array;
  closed: boolean;
  idleTimer?: NodeJS.Timeout;
}

const READY_IDLE = [0x5a, 0, 0, 0, 5, 0x49]; // ReadyForQuery, transaction status 'I'
const SYNC = Uint8Array.of(0x53, 0, 0, 0, 4);
const SOCKET_NAME = '.s.PGSQL.5432'; // libpq's name: `psql -h DATA_DIR` finds it
// sun_path is 108 bytes on Linux, 104 on macOS.
const MAX_SOCKET_PATH = 100;

function query(sql: string): Uint8Array {
  const body = Buffer.from(`${sql}\0`, 'utf8');
  const m = Buffer.alloc(5 + body.length);
  m.write('Q', 0);
  m.writeInt32BE(4 + body.length, 1);
  body.copy(m, 5);
  return m;
}

const endsIdle = (tail: Uint8Array) => tail.length === 6 && READY_IDLE.every((b, i) => tail[i] === b);
const lastSix = (prev: Uint8Array, d: Uint8Array) => {
  if (d.length >= 6) return d.slice(-6);
  const both = new Uint8Array(prev.length + d.length);
  both.set(prev);
  both.set(d, prev.length);
  return both.slice(-6);
};

/**
 * The session turns. pglite-socket hands each client's messages, in order, to a queue object;
 * this is that object (its contract: enqueue, clearQueueForHandler, clearTransactionIfNeeded).
 */
class SharedSession {
  private readonly connections = new Map<number, Connection>();
  constructor(private readonly pool: KnexPool, private readonly idleInTransactionMs: number, private readonly warn: WireOptions['onWarning']) {}

  add(handler: PGLiteSocketHandler): void {
    this.connections.set(handler.handlerId, { handler, chain: Promise.resolve(), tail: new Uint8Array(), closed: false });
  }

  enqueue(handlerId: number, message: Uint8Array, onData: (data: Uint8Array) => void): Promise<number> {
    const c = this.connections.get(handlerId);
    if (!c || c.closed) return Promise.reject(new Error('connection closed'));
    const run = c.chain.then(() => this.exec(c, message, onData));
    c.chain = run.catch(() => undefined);
    return run;
  }

  private async exec(c: Connection, message: Uint8Array, onData: (data: Uint8Array) => void): Promise<number> {
    // Terminate: the socket closes next, and the session is reset then.
    if (message[0] === 0x58 && message.length === 5) return 0;
    clearTimeout(c.idleTimer);
    const pglite = c.turn ?? (c.turn = await this.pool.acquireConnection());
    let bytes = 0;
    try {
      await pglite.runExclusive(() => pglite.execProtocolRawStream(message, {
        onRawData: (d) => { bytes += d.length; c.tail = lastSix(c.tail, d); onData(d); },
      }));
    } catch (e) {
      await this.reset(c);
      throw e;
    }
    if (endsIdle(c.tail)) {
      c.turn = undefined;
      await this.pool.releaseConnection(pglite);
    } else if (!c.closed) {
      c.idleTimer = setTimeout(() => {
        this.warn?.('embedded database client idle inside a transaction: disconnected, its transaction rolled back', { handler: c.handler.handlerId });
        void c.handler.detach(true);
      }, this.idleInTransactionMs);
      c.idleTimer.unref();
    }
    return bytes;
  }

  clearQueueForHandler(handlerId: number): void {
    const c = this.connections.get(handlerId);
    if (c) c.closed = true;
  }

  /** Called when a client goes: nothing it left (transaction, prepared statements, settings) stays for the server. */
  async clearTransactionIfNeeded(handlerId: number): Promise<void> {
    const c = this.connections.get(handlerId);
    if (!c) return;
    this.connections.delete(handlerId);
    c.closed = true;
    clearTimeout(c.idleTimer);
    await c.chain;
    try {
      await this.reset(c);
    } catch (e) {
      // The database is closing with the server: nothing is left to protect.
      this.warn?.('embedded database session reset failed', { error: String(e) });
    }
  }

  private async reset(c: Connection): Promise<void> {
    const pglite = c.turn ?? await this.pool.acquireConnection();
    c.turn = undefined;
    try {
      await pglite.runExclusive(async () => {
        for (const m of [SYNC, query('ROLLBACK'), query('DISCARD ALL')]) await pglite.execProtocolRaw(m);
      });
    } finally {
      await this.pool.releaseConnection(pglite);
    }
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.connections.values()].map((c) => c.handler.detach(true)));
  }
}

/** Serves the embedded handle `db` and publishes the endpoint in the folder lock for the CLI. */
export async function serveEmbeddedDatabase(db: Db, o: WireOptions): Promise<WireServer> {
  const lock = folderLockOf(db);
  if (!lock) throw new Error('not an embedded database');
  const session = new SharedSession(db.client as unknown as KnexPool, o.idleInTransactionMs ?? 15_000, o.onWarning);
  const server = net.createServer((socket) => {
    const handler = new PGLiteSocketHandler({
      queryQueue: session as unknown as PGLiteSocketHandlerOptions['queryQueue'],
      closeOnDetach: true,
    });
    session.add(handler);
    handler.attach(socket).catch(() => socket.destroy());
  });
  server.maxConnections = o.maxConnections ?? 8;

  let socketPath: string | undefined = path.join(path.resolve(o.dataDir), SOCKET_NAME);
  if (o.port === undefined && socketPath.length > MAX_SOCKET_PATH) {
    o.onWarning?.('DATA_DIR is too long a path for a Unix socket: serving the embedded database on a loopback port instead (any local user can reach it)', { dataDir: o.dataDir });
    socketPath = undefined;
  }
  if (o.port !== undefined) socketPath = undefined;
  let endpoint: WireEndpoint;
  if (socketPath) {
    // We hold the folder: a socket file left here is a crashed server's.
    if (existsSync(socketPath)) unlinkSync(socketPath);
    await new Promise<void>((resolve, reject) => { server.once('error', reject); server.listen(socketPath, resolve); });
    endpoint = { host: path.dirname(socketPath), port: 5432 };
  } else {
    await new Promise<void>((resolve, reject) => { server.once('error', reject); server.listen(o.port ?? 0, '127.0.0.1', resolve); });
    endpoint = { host: '127.0.0.1', port: (server.address() as net.AddressInfo).port };
  }
  lock.setEndpoint(endpoint);
  return {
    endpoint,
    async close() {
      const closed = new Promise<void>((r) => server.close(() => r()));
      await session.closeAll();
      await closed;
    },
  };
}
