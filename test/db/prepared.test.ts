// Named prepared statements on PostgreSQL: same answers as knex, reused by name, and inside a
// transaction the transaction's own connection is used (it sees its uncommitted rows).
import assert from 'node:assert/strict';
import { prepared } from '../../src/db/prepared.ts';
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
});
