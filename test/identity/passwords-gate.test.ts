// The argon2id gate: never more hashes at once than the node has cores, the rest wait and all finish;
// the refusal of an unknown ID (burnPasswordTime) takes its turn at the same gate as a real verify.
import assert from 'node:assert/strict';
import os from 'node:os';
import { argon2Load, burnPasswordTime, hashPassword, verifyPassword } from '../../src/identity/passwords.ts';

describe('argon2id gate', () => {
  it('runs at most availableParallelism() hashes at once and finishes them all', async () => {
    const stored = await hashPassword('Gate-Test-1!');
    const n = os.availableParallelism() + 3;
    let most = 0;
    const results = Promise.all(Array.from({ length: n }, (_, i) => verifyPassword(stored, i % 2 ? 'Gate-Test-1!' : 'wrong')));
    const watch = setInterval(() => { most = Math.max(most, argon2Load().running); }, 1);
    await new Promise((r) => setImmediate(r));
    const load = argon2Load();
    assert.equal(load.limit, Math.max(1, os.availableParallelism()));
    assert.equal(load.running + load.waiting, n);
    assert.ok(load.running <= load.limit);
    const ok = await results;
    clearInterval(watch);
    assert.ok(most <= load.limit);
    assert.deepEqual(ok, Array.from({ length: n }, (_, i) => i % 2 === 1));
    assert.deepEqual({ ...argon2Load(), limit: 0 }, { running: 0, waiting: 0, limit: 0 });
  });

  it('burnPasswordTime queues at the same gate as a verify', async () => {
    await burnPasswordTime('warm-up'); // the dummy hash exists, so the next call is one verify only
    const burn = burnPasswordTime('Some-Guess-1!');
    await new Promise((r) => setImmediate(r));
    assert.equal(argon2Load().running + argon2Load().waiting, 1);
    await burn;
  });
});
