// The embedded database (PGlite) answers exactly like PostgreSQL through our handle (src/db): the
// same statements, run on both, give identical results — so no caller needs to know which it has.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createDb, type Db } from '../../src/db/knex.ts';
import { prepared } from '../../src/db/prepared.ts';
import { EMBEDDED } from '../support/server.ts';

const BASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
// Our own schema: the statements below create and drop tables.
const SCHEMA = `dvc_parity_${process.pid}`;
const URL = `${BASE_URL}${BASE_URL.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${SCHEMA}`)}`;

const ID1 = '00000000-0000-4000-8000-000000000001';
const ID2 = '00000000-0000-4000-8000-000000000002';
const ID3 = '00000000-0000-4000-8000-000000000003';

async function createTables(db: Db): Promise<void> {
  await db.schema.createTable('parity', (t) => {
    t.uuid('id').primary();
    t.bigIncrements('seq', { primaryKey: false });
    t.text('name').notNullable();
    t.integer('n').notNullable().defaultTo(0);
    t.bigInteger('big');
    t.boolean('flag').notNullable().defaultTo(false);
    t.jsonb('doc').notNullable().defaultTo('{}');
    t.jsonb('maybe');
    t.date('day');
    t.timestamp('at', { useTz: true }).notNullable().defaultTo(db.fn.now());
  });
}

const AT = new Date('2026-01-02T03:04:05.678Z');
const ROWS = [
  { id: ID1, name: 'an', n: 1, big: 9007199254740991, flag: true, doc: JSON.stringify({ a: 1, nested: { list: [1, 'x', null] } }), maybe: null, day: '1999-05-12', at: AT },
  { id: ID2, name: 'binh', n: 2, big: 2, flag: false, doc: JSON.stringify([1, 2, 3]), maybe: JSON.stringify('just a string'), day: null, at: AT },
  { id: ID3, name: 'chi', n: 3, big: null, flag: false, doc: JSON.stringify({}), maybe: JSON.stringify(42), day: '2000-02-29', at: AT },
];

/** What a caller can observe: the answer (or the error's SQLSTATE) and the table afterwards. */
type Statement = (db: Db) => Promise<unknown>;

const STATEMENTS: Record<string, Statement> = {
  'select rows (uuid, text, int4, int8, boolean, jsonb object/array/scalar/null, date, timestamptz)': (db) =>
    db('parity').orderBy('name').select('id', 'name', 'n', 'big', 'flag', 'doc', 'maybe', 'day', 'at'),
  'bigIncrements column is a number': (db) => db('parity').orderBy('seq').pluck('seq'),
  'first() of nothing is undefined': (db) => db('parity').where({ name: 'nobody' }).first(),
  'count(*) is a number': (db) => db('parity').count('* as n').first(),
  'count(*) of nothing is 0': (db) => db('parity').where({ name: 'nobody' }).count('* as n').first(),
  'count distinct, max, min': (db) => db('parity').select(db.raw('count(distinct flag) as c, max(n) as mx, min(big) as mn')).first(),
  'sum of int4 is int8: a number': (db) => db('parity').sum('n as s').first(),
  'sum of int8 is numeric: a string on both': (db) => db('parity').sum('big as s').first(),
  'update → number of rows': (db) => db('parity').where('n', '>', 1).update({ flag: true }),
  'update of nothing → 0': (db) => db('parity').where({ name: 'nobody' }).update({ flag: true }),
  'update … returning': (db) => db('parity').where({ id: ID1 }).update({ n: 10 }).returning(['id', 'n', 'doc']),
  'increment … returning': (db) => db('parity').where({ id: ID2 }).increment('n', 1).returning(['n']),
  'conditional update: the second one changes nothing': async (db) => [
    await db('parity').where({ id: ID3 }).whereNull('maybe').update({ maybe: JSON.stringify(true) }),
    await db('parity').where({ id: ID1 }).whereNull('maybe').update({ maybe: JSON.stringify(true) }),
    await db('parity').where({ id: ID1 }).whereNull('maybe').update({ maybe: JSON.stringify(false) }),
  ],
  'delete → number of rows': (db) => db('parity').where({ id: ID3 }).delete(),
  'delete of nothing → 0': (db) => db('parity').where({ name: 'nobody' }).delete(),
  'delete … returning (jsonb parsed)': (db) => db('parity').where({ id: ID2 }).delete().returning(['id', 'doc', 'maybe']),
  'insert … returning': (db) => db('parity').insert({ id: '00000000-0000-4000-8000-000000000009', name: 'dung', doc: JSON.stringify({ k: 'v' }), at: AT }).returning(['id', 'seq', 'doc', 'flag', 'n']),
  'upsert (on conflict merge) … returning': (db) => db('parity').insert({ id: ID1, name: 'an', doc: JSON.stringify({ merged: true }) })
    .onConflict('id').merge({ doc: JSON.stringify({ merged: true }) }).returning(['id', 'doc']),
  'raw select: rows, rowCount': async (db) => pick(await db.raw('select id, big, doc, count(*) over () as total from parity order by id'), 'rows', 'rowCount', 'command'),
  'raw select of nothing: rows, rowCount': async (db) => pick(await db.raw("select id from parity where name = 'nobody'"), 'rows', 'rowCount', 'command'),
  'raw update: rowCount': async (db) => pick(await db.raw('update parity set n = n + 1 where n < ?', [3]), 'rows', 'rowCount', 'command'),
  'raw update … returning: rows, rowCount': async (db) => pick(await db.raw('update parity set n = n + 1 where id = ? returning n, doc', [ID1]), 'rows', 'rowCount', 'command'),
  'raw delete: rowCount': async (db) => pick(await db.raw('delete from parity where id = ?', [ID3]), 'rows', 'rowCount', 'command'),
  'raw insert: rowCount': async (db) => pick(await db.raw("insert into parity (id, name, at) values (?, 'em', ?)", ['00000000-0000-4000-8000-00000000000a', AT]), 'rows', 'rowCount', 'command'),
  'raw json built in the query (json_agg, json_build_object)': async (db) =>
    (await db.raw("select coalesce(json_agg(json_build_object('id', id, 'big', big, 'doc', doc) order by id), '[]') as list, '[]'::json as empty from parity")).rows,
  'raw jsonb operators and casts': async (db) =>
    (await db.raw("select doc -> 'nested' as nested, doc ->> 'a' as a, (doc ->> 'a')::int as ai, '1'::int8 as one, 12.5::numeric as num from parity where id = ?", [ID1])).rows,
  'prepared statement (named on pg): int8 and jsonb parsed alike': async (db) =>
    prepared(db)('parity_prepared', 'select id, big, doc, maybe, at from parity where n >= ? order by id', [0]),
  'prepared conditional update … returning: who won': async (db) => {
    const q = prepared(db);
    const sql = 'update parity set maybe = ?::jsonb where id = ? and maybe is null returning 1 as won';
    return [await q('parity_won', sql, ['"first"', ID1]), await q('parity_won', sql, ['"second"', ID1])];
  },
  'transaction commits and returns its value': async (db) => [
    await db.transaction(async (trx) => {
      await trx('parity').where({ id: ID1 }).update({ n: 100 });
      return trx('parity').where({ id: ID1 }).first('n');
    }),
    await db('parity').where({ id: ID1 }).first('n'),
  ],
  'transaction that throws rolls back': async (db) => {
    const err = await db.transaction(async (trx) => {
      await trx('parity').where({ id: ID1 }).delete();
      throw new Error('stop');
    }).catch((e: Error) => e.message);
    return [err, await db('parity').where({ id: ID1 }).count('* as n').first()];
  },
  'a failing statement inside a transaction rolls everything back': async (db) => {
    const err = await db.transaction(async (trx) => {
      await trx('parity').where({ id: ID1 }).update({ name: 'changed' });
      await trx('parity').insert({ id: ID1, name: 'duplicate' });
    }).catch((e: { code?: string }) => e.code);
    return [err, await db('parity').where({ id: ID1 }).first('name')];
  },
  'a conditional delete in a transaction tells the winner': async (db) => [
    await db.transaction(async (trx) => trx('parity').where({ id: ID2 }).delete()),
    await db.transaction(async (trx) => trx('parity').where({ id: ID2 }).delete()),
  ],
  'inside a transaction: the same counts, raw results and prepared rows': async (db) => db.transaction(async (trx) => [
    await trx('parity').where('n', '>', 1).update({ flag: true }),
    await trx('parity').where({ id: ID3 }).delete(),
    await trx('parity').where({ name: 'nobody' }).delete(),
    await trx('parity').count('* as n').first(),
    await trx('parity').where({ id: ID2 }).delete().returning(['doc']),
    pick(await trx.raw('update parity set n = n + 1'), 'rows', 'rowCount', 'command'),
    pick(await trx.raw('select id, doc from parity'), 'rows', 'rowCount', 'command'),
    await prepared(trx)('parity_in_trx', 'select big, doc from parity where id = ?', [ID1]),
  ]),
  'constraint errors carry the same SQLSTATE': async (db) => [
    await db('parity').insert({ id: ID1, name: 'dup' }).catch((e: { code?: string }) => e.code),
    await db('parity').insert({ id: ID1 }).catch((e: { code?: string }) => e.code),
    await db.raw("select 'x'::int").catch((e: { code?: string }) => e.code),
  ],
};

function pick(result: unknown, ...keys: string[]): Record<string, unknown> {
  const r = result as Record<string, unknown>;
  return Object.fromEntries(keys.map((k) => [k, r[k]]));
}

describe('embedded database answers like PostgreSQL (src/db)', function () {
  this.timeout(120_000); // the embedded database starts slowly on a loaded machine
  let pg: Db;
  let embedded: Db;
  let dataDir: string;

  before(async function () {
    // It opens both databases itself: once per `npm test` is enough (the PostgreSQL pass).
    if (EMBEDDED) this.skip();
    const admin = await createDb({ databaseUrl: BASE_URL, dataDir: '' });
    await admin.raw(`drop schema if exists "${SCHEMA}" cascade`);
    await admin.raw(`create schema "${SCHEMA}"`);
    await admin.destroy();
    pg = await createDb({ databaseUrl: URL, dataDir: '' });
    dataDir = mkdtempSync(path.join(tmpdir(), 'dvc-parity-'));
    embedded = await createDb({ databaseUrl: '', dataDir });
  });
  after(async () => {
    await pg?.raw(`drop schema if exists "${SCHEMA}" cascade`);
    await pg?.destroy();
    await embedded?.destroy();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  beforeEach(async () => {
    for (const db of [pg, embedded]) {
      await db.schema.dropTableIfExists('parity');
      await createTables(db);
      await db('parity').insert(ROWS);
    }
  });

  for (const [name, statement] of Object.entries(STATEMENTS)) {
    it(name, async () => {
      const onPg = await statement(pg);
      const onEmbedded = await statement(embedded);
      assert.deepStrictEqual(onEmbedded, onPg);
      // And the table afterwards.
      const after = (db: Db) => db('parity').orderBy('id').select('*');
      assert.deepStrictEqual(await after(embedded), await after(pg));
    });
  }

  it('a date is the same day on both, whatever the time zone of the process (west of UTC too)', async () => {
    const tz = process.env.TZ;
    process.env.TZ = 'America/New_York';
    try {
      const read = (db: Db) => db('parity').where({ id: ID1 }).first('day');
      assert.deepStrictEqual(await read(embedded), { day: '1999-05-12' });
      assert.deepStrictEqual(await read(pg), { day: '1999-05-12' });
    } finally {
      if (tz === undefined) delete process.env.TZ; else process.env.TZ = tz;
    }
  });

  it('the answers are what callers rely on (not merely equal)', async () => {
    const row = (await embedded('parity').where({ id: ID1 }).first()) as Record<string, unknown>;
    assert.equal(row.big, 9007199254740991);
    assert.equal(typeof row.seq, 'number');
    assert.deepEqual(row.doc, { a: 1, nested: { list: [1, 'x', null] } });
    assert.ok(row.at instanceof Date);
    assert.equal(((await embedded('parity').count('* as n').first()) as { n: unknown }).n, 3);
    assert.equal(await embedded('parity').where({ id: ID1 }).delete(), 1);
    assert.equal(await embedded('parity').where({ id: ID1 }).update({ n: 1 }), 0);
  });
});
