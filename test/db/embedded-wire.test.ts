// The embedded database served over the wire shares ONE session with the server's own knex:
// turns end only where the session is idle, so neither side ever runs inside the other's
// transaction, and nothing a client leaves behind stays for the server. Plus the folder lock.
// Runs in the embedded pass of the suite (TEST_DB=embedded).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { Knex } from 'knex';
import { openEmbedded } from '../../src/db/embedded.ts';
import { acquireFolderLock, FolderBusyError, folderHolder, lockFile } from '../../src/db/folder-lock.ts';
import { serveEmbeddedDatabase, type WireServer } from '../../src/db/wire-server.ts';
import { EMBEDDED } from '../support/server.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('embedded database over the wire', function () {
  this.timeout(60_000);
  let dir: string;
  let db: Knex;
  let wire: WireServer;
  const client = async () => {
    const c = new pg.Client({ host: wire.endpoint.host, port: wire.endpoint.port, user: 'postgres', database: 'postgres' });
    await c.connect();
    return c;
  };
  const names = async () => (await db('wire_t').orderBy('name').pluck('name')) as string[];

  before(async function () {
    if (!EMBEDDED) this.skip();
    dir = mkdtempSync(path.join(tmpdir(), 'dvc-wire-'));
    db = openEmbedded(dir, 'server').db;
    await db.schema.createTable('wire_t', (t) => { t.text('name').primary(); });
    wire = await serveEmbeddedDatabase(db, { dataDir: dir, idleInTransactionMs: 1500 });
  });
  after(async () => {
    if (!dir) return;
    await wire.close();
    await db.destroy();
    rmSync(dir, { recursive: true, force: true });
  });
  afterEach(async () => { if (db) await db('wire_t').delete(); });

  it('publishes where it serves in the folder lock, on a Unix socket inside DATA_DIR', () => {
    const holder = folderHolder(dir);
    assert.equal(holder?.pid, process.pid);
    assert.equal(holder?.role, 'server');
    assert.deepEqual(holder?.endpoint, { host: dir, port: 5432 });
  });

  it('a server write made while a client holds a transaction waits, and is not rolled back with it', async () => {
    const c = await client();
    try {
      await c.query('begin');
      await c.query("insert into wire_t values ('client')");
      let done = false;
      const serverWrite = db('wire_t').insert({ name: 'server' }).then(() => { done = true; });
      await sleep(300);
      assert.equal(done, false, 'the server waits for the client to leave its transaction');
      await c.query('rollback');
      await serverWrite;
      assert.deepEqual(await names(), ['server']);
    } finally {
      await c.end();
    }
  });

  it('a client statement sent during a server transaction waits for its end (and sees its commit)', async () => {
    const c = await client();
    try {
      let seen: string[] | undefined;
      await db.transaction(async (trx) => {
        await trx('wire_t').insert({ name: 'in-trx' });
        void c.query('select name from wire_t').then((r) => { seen = r.rows.map((x: { name: string }) => x.name); });
        await sleep(300);
        assert.equal(seen, undefined, 'the client waits for the server transaction');
        await trx('wire_t').insert({ name: 'in-trx-2' });
        throw new Error('roll it back');
      }).catch((e: Error) => assert.equal(e.message, 'roll it back'));
      for (let i = 0; i < 50 && !seen; i++) await sleep(50);
      assert.deepEqual(seen, [], 'the rolled-back rows never existed for the client');
    } finally {
      await c.end();
    }
  });

  it('a client idle inside a transaction is disconnected and its transaction rolled back: the server goes on', async () => {
    const c = await client();
    c.on('error', () => { /* the disconnect */ });
    await c.query('begin');
    await c.query("insert into wire_t values ('abandoned')");
    const t0 = Date.now();
    await db('wire_t').insert({ name: 'server' });
    assert.ok(Date.now() - t0 < 10_000);
    assert.deepEqual(await names(), ['server']);
    await assert.rejects(c.query('select 1'));
  });

  it('what a client leaves (prepared statements, settings) is gone for the server and the next client', async () => {
    const c = await client();
    await c.query("prepare wire_p as select 1");
    await c.query("set search_path to nowhere");
    await c.end();
    assert.deepEqual(await names(), [], 'the server still finds its tables');
    const c2 = await client();
    try {
      await c2.query("prepare wire_p as select 2");
      // Named statements through pg, as a second CLI would send them.
      assert.equal((await c2.query({ name: 'n1', text: 'select $1::int as v', values: [7] })).rows[0].v, 7);
    } finally {
      await c2.end();
    }
  });

  it('many clients and the server at once: every write lands once', async () => {
    const clients = await Promise.all([0, 1, 2].map(() => client()));
    try {
      await Promise.all([
        ...clients.map(async (c, i) => {
          for (let j = 0; j < 5; j++) {
            await c.query('begin');
            await c.query('insert into wire_t values ($1)', [`c${i}-${j}`]);
            await c.query('commit');
          }
        }),
        (async () => { for (let j = 0; j < 5; j++) await db.transaction(async (trx) => { await trx('wire_t').insert({ name: `s-${j}` }); }); })(),
      ]);
      assert.equal((await names()).length, 20);
    } finally {
      await Promise.all(clients.map((c) => c.end()));
    }
  });
});

describe('embedded folder lock', () => {
  let dir: string;
  beforeEach(function () {
    if (!EMBEDDED) this.skip();
    dir = mkdtempSync(path.join(tmpdir(), 'dvc-lock-'));
  });
  afterEach(() => { if (dir) rmSync(dir, { recursive: true, force: true }); });

  it('one holder at a time, this process included; released, the folder can be taken again', () => {
    const lock = acquireFolderLock(dir, 'cli');
    assert.throws(() => acquireFolderLock(dir, 'server'), (e: unknown) => e instanceof FolderBusyError && e.holder.pid === process.pid && e.holder.role === 'cli');
    lock.release();
    assert.equal(folderHolder(dir), undefined);
    acquireFolderLock(dir, 'server').release();
  });

  it('a lock left by a process that is gone is taken over', () => {
    // A pid above Linux's maximum (4194304) never names a live process.
    writeFileSync(lockFile(dir), JSON.stringify({ pid: 4_999_999, role: 'server', since: '2026-01-01T00:00:00Z', endpoint: { host: dir, port: 5432 } }));
    assert.equal(folderHolder(dir), undefined);
    const lock = acquireFolderLock(dir, 'cli');
    assert.equal(folderHolder(dir)?.pid, process.pid);
    lock.release();
  });
});
