// The counter store's batches (issue 18: one round trip for a login's several limits): hitAll counts
// each counter as hit/hitSliding would, settle resets and gives back as reset/release would, and
// parallel batches that share counters (one account guessed from many addresses) neither deadlock nor
// lose a hit — on the database and on Redis.
import assert from 'node:assert/strict';
import { startServer, EMBEDDED, type TestServer } from '../support/server.ts';
import { shortLivedStores } from '../support/redis.ts';
import { hit, hitAll, peek, settle } from '../../src/shared/rate-limit.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

for (const store of shortLivedStores(EMBEDDED)) describe(`rate limits: batches in one round trip${store.title}`, function () {
  this.timeout(60_000);
  let s: TestServer;
  let n = 0;
  const key = (name: string) => `batch-test:${process.pid}:${++n}:${name}`;
  before(async () => { s = await startServer(store.env); });
  after(async () => { await s?.close(); });

  it('counts each counter in the order given, as single hits would', async () => {
    const [a, b, c] = [key('a'), key('b'), key('c')];
    await hit(s.db, b, 60);
    await hit(s.db, b, 60);
    assert.deepEqual(await hitAll(s.db, [{ key: c, seconds: 60 }, { key: a, seconds: 60 }, { key: b, seconds: 60, sliding: true }]), [1, 1, 3]);
    assert.deepEqual(await hitAll(s.db, [{ key: a, seconds: 60 }, { key: b, seconds: 60 }]), [2, 4]);
    assert.equal(await peek(s.db, b), 4);
  });

  it('keeps a fixed window and moves a sliding one', async () => {
    const [fixed, sliding] = [key('fixed'), key('sliding')];
    await hitAll(s.db, [{ key: fixed, seconds: 2 }, { key: sliding, seconds: 2, sliding: true }]);
    await sleep(1200);
    assert.deepEqual(await hitAll(s.db, [{ key: fixed, seconds: 2 }, { key: sliding, seconds: 2, sliding: true }]), [2, 2]);
    await sleep(1200); // the fixed window (2 s from the first hit) is over; the sliding one moved on at the second
    assert.deepEqual(await hitAll(s.db, [{ key: fixed, seconds: 2 }, { key: sliding, seconds: 2, sliding: true }]), [1, 3]);
  });

  it('settles: a reset counter starts again from nothing, a released one gives back one hit and never goes below zero', async () => {
    const [gone, back, zero] = [key('gone'), key('back'), key('zero')];
    await hitAll(s.db, [{ key: gone, seconds: 60 }, { key: back, seconds: 60 }]);
    await hitAll(s.db, [{ key: gone, seconds: 60 }, { key: back, seconds: 60 }]);
    await settle(s.db, { reset: [gone], release: [back, zero] });
    assert.deepEqual([await peek(s.db, gone), await peek(s.db, back), await peek(s.db, zero)], [0, 1, 0]);
    assert.deepEqual(await hitAll(s.db, [{ key: gone, seconds: 60 }, { key: back, seconds: 60 }, { key: zero, seconds: 60 }]), [1, 2, 1]);
    await settle(s.db, {});
  });

  it('refuses a batch that names one counter twice (the store would count it once)', async () => {
    const k = key('twice');
    await assert.rejects(hitAll(s.db, [{ key: k, seconds: 60 }, { key: k, seconds: 60 }]), /twice/);
    await assert.rejects(settle(s.db, { reset: [k], release: [k] }), /twice/);
    assert.equal(await peek(s.db, k), 0);
  });

  it('200 parallel batches sharing an account\'s counters, those over the limit giving theirs back: no deadlock, no hit lost', async () => {
    const [account, consecutive] = [key('account'), key('consecutive')];
    const limit = 5;
    const results = await Promise.allSettled(Array.from({ length: 200 }, async (_, i) => {
      const taken = [{ key: consecutive, seconds: 600, sliding: true }, { key: account, seconds: 600 }, { key: key(`ip-${i}`), seconds: 600 }];
      const [, inWindow = 0] = await hitAll(s.db, taken);
      if (inWindow <= limit) return true;
      await settle(s.db, { release: taken.map((t) => t.key) });
      return false;
    }));
    const failed = results.filter((r) => r.status === 'rejected');
    assert.equal(failed.length, 0, `no batch failed: ${failed.map((r) => String((r as PromiseRejectedResult).reason)).slice(0, 2).join('; ')}`);
    const admitted = results.filter((r) => r.status === 'fulfilled' && r.value).length;
    assert.ok(admitted >= 1 && admitted <= limit, `at most the limit got through (${admitted})`);
    // What stands is exactly what was admitted: every refused batch gave all its hits back.
    assert.deepEqual([await peek(s.db, account), await peek(s.db, consecutive)], [admitted, admitted]);
  });
});
