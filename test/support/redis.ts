// Test servers with REDIS_URL (short-lived state in Redis): this run's own key prefix, cleared when a
// server starts from fresh data and when the run ends, so runs sharing a Redis never meet.
import { Redis } from 'ioredis';
import type { Db } from '../../src/db/knex.ts';
import { redisOf } from '../../src/db/redis.ts';

export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
export const TEST_REDIS_PREFIX = `dvc-test-${process.pid}:`;

/** The environment of a server whose short-lived state is in Redis. */
export const REDIS_ENV: Record<string, string> = { REDIS_URL: TEST_REDIS_URL, REDIS_PREFIX: TEST_REDIS_PREFIX };

/**
 * Where a security test's short-lived state lives: the database, and also Redis in the PostgreSQL
 * pass (the embedded database is for one laptop node, where Redis adds nothing to test).
 */
export function shortLivedStores(embedded: boolean): { name: string; title: string; env: Record<string, string> }[] {
  const db = { name: 'database', title: '', env: {} };
  return embedded ? [db] : [db, { name: 'redis', title: ' [REDIS_URL]', env: REDIS_ENV }];
}

/** Deletes the keys of a prefix matching `pattern` (after the prefix). */
export async function deleteRedisKeys(client: Redis, prefix: string, pattern = '*'): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}${pattern}`, 'COUNT', 500);
    cursor = next;
    // The client adds its own keyPrefix to every key it sends: strip it from what SCAN found.
    const strip = client.options.keyPrefix ?? '';
    if (keys.length) await client.unlink(...keys.map((k) => k.slice(strip.length)));
  } while (cursor !== '0');
}

let used = false;
/** Clears this run's keys (a server starting from fresh data). */
export async function clearRedis(db: Db): Promise<void> {
  const store = redisOf(db);
  if (!store) return;
  used = true;
  await deleteRedisKeys(store.client, store.prefix);
}

// A root hook: whatever the run left in Redis (counters live up to 90 days) goes with it.
if (typeof after === 'function') {
  after(async () => {
    if (!used) return;
    const client = new Redis(TEST_REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
    try {
      await client.connect();
      await deleteRedisKeys(client, TEST_REDIS_PREFIX);
    } catch { /* Redis gone: its keys expire */ } finally {
      client.disconnect();
    }
  });
}

/**
 * The rate-limit counters of a server, wherever they live (the `rate_limits` table, or Redis): what
 * the attacker tests need to make time pass or start from zero, on either store.
 */
export function counters(db: Db) {
  const store = redisOf(db);
  const like = (q: ReturnType<Db>, prefixes: string[]) => {
    prefixes.forEach((p, i) => (i ? q.orWhere('key', 'like', `${p}%`) : q.where('key', 'like', `${p}%`)));
    return q;
  };
  return {
    /** Forgets the counters whose keys start with one of the prefixes (every counter: none given). */
    async clear(...prefixes: string[]): Promise<void> {
      if (store) {
        for (const p of prefixes.length ? prefixes : ['']) await deleteRedisKeys(store.client, store.prefix, `rl:${p}*`);
      } else {
        await like(db('rate_limits'), prefixes).delete();
      }
    },
    /** Time passes: the windows of these counters end (in Redis, an ended window is a key that expired). */
    async endWindows(...prefixes: string[]): Promise<void> {
      if (store) await this.clear(...prefixes);
      else await like(db('rate_limits'), prefixes).update({ expires_at: new Date(Date.now() - 1000) });
    },
  };
}
