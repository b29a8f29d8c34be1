// Liveness and readiness for the load balancer: plain JSON, never cached, 503 when the database is gone.
import assert from 'node:assert/strict';
import supertest from 'supertest';
import { databaseReady } from '../../src/web/health.ts';
import { startServer, type TestServer } from '../support/server.ts';

describe('health checks', () => {
  let s: TestServer;
  before(async () => { s = await startServer(); });
  after(() => s.close());

  it('/healthz and /readyz answer while the database does', async () => {
    const live = await supertest(s.issuer).get('/healthz').expect(200);
    assert.deepEqual(live.body, { status: 'ok' });
    assert.equal(live.headers['cache-control'], 'no-store');
    const ready = await supertest(s.issuer).get('/readyz').expect(200);
    assert.deepEqual(ready.body, { status: 'ready', database: 'ok' });
  });

  it('a database that fails or hangs is "not ready" within the time limit', async () => {
    assert.equal(await databaseReady({ raw: (() => Promise.reject(new Error('connection refused'))) as never }), false);
    assert.equal(await databaseReady({ raw: (() => new Promise(() => undefined)) as never }, 100), false, 'a hang ends at the limit');
  });

  it('/readyz is 503 on a node whose database pool is gone, while /healthz still answers', async () => {
    const other = await startServer({}, { keepData: true });
    await other.db.destroy();
    try {
      const res = await supertest(other.issuer).get('/readyz').expect(503);
      assert.deepEqual(res.body, { status: 'unavailable', database: 'unreachable' });
      await supertest(other.issuer).get('/healthz').expect(200);
    } finally {
      await other.close();
    }
  });
});
