// Named prepared statements on PostgreSQL: same answers as knex, reused by name, and inside a
// transaction the transaction's own connection is used (it sees its uncommitted rows).
import assert from 'node:assert/strict';
import { batched, prepared } from '../../src/db/prepared.ts';
import { knexAdapterFactory } from '../../src/provider/adapter.ts';
import { startServer, EMBEDDED, type TestServer } from '../support/server.ts';

describe('prepared statements', () => {
  let s: TestServer;
  before(async () => { s = await startServer(); });
  after(() => s.close());

  it('answer with bound values, many times under one name', async () => {
    const q = prepared(s.db);
    for (const n of [1, 2, 3]) {
      const rows = await q<{ v: number; t: string }>('test_echo', 'select ?::int + 1 as v, ?::text as t', [n, `x${n}`]);
      assert.deepEqual(rows, [{ v: n + 1, t: `x${n}` }]);
    }
    assert.equal(prepared(s.db), q, 'one per database handle');
  });

  it('inside a transaction, run on its connection', async () => {
    await s.db.transaction(async (trx) => {
      await trx('flows').insert({ id: 'prepared-tx', kind: 'x', state: 'y', expires_at: new Date(Date.now() + 60_000) });
      const rows = await prepared(trx)<{ id: string }>('test_flow', 'select id from flows where id = ?', ['prepared-tx']);
      assert.deepEqual(rows, [{ id: 'prepared-tx' }]);
      // A second connection exists on PostgreSQL only (the embedded database has one).
      if (EMBEDDED) return;
      const outside = await prepared(s.db)<{ id: string }>('test_flow', 'select id from flows where id = ?', ['prepared-tx']);
      assert.deepEqual(outside, [], 'not visible outside before commit');
    });
  });

  it('concurrent upserts of one turn: each row written, a key twice keeps the last, a bad row fails alone', async () => {
    const Adapter = knexAdapterFactory(s.db);
    const at = new Adapter('AccessToken');
    const ids = Array.from({ length: 6 }, (_, i) => `batch-${i}`);
    const bad = at.upsert('batch-bad', { x: 'a\u0000b' } as never, 60).then(() => 'written', () => 'refused');
    await Promise.all([...ids.map((id) => at.upsert(id, { jti: id, n: 1 } as never, 60)), at.upsert('batch-0', { jti: 'batch-0', n: 2 } as never, 60)]);
    assert.equal(await bad, 'refused');
    for (const id of ids) assert.equal((await at.find(id))?.jti, id);
    assert.equal((await at.find('batch-0'))?.n, 2);
    assert.equal(await at.find('batch-bad'), undefined);
    await s.db('oidc_models').where('id', 'like', 'batch-%').delete();
  });

  it('a batch of one turn is one statement on PostgreSQL', async function () {
    if (EMBEDDED) this.skip();
    let statements = 0;
    const write = batched(s.db, 'test_batch', 'select ?::text as a, ?::int as b', 'select * from unnest(?::text[], ?::int[])', (r) => String(r[0]));
    const client = s.db.client as { acquireConnection(): Promise<{ query: (...a: unknown[]) => unknown }> };
    const acquire = client.acquireConnection.bind(client);
    client.acquireConnection = async () => { statements++; return acquire(); };
    try {
      await Promise.all(['a', 'b', 'c'].map((a, b) => write([a, b])));
    } finally {
      client.acquireConnection = acquire;
    }
    assert.equal(statements, 1);
  });
});
