// Fixed-window counters in the database: one atomic upsert per hit, so parallel requests
// on any node see the same count and cannot slip past the limit. With REDIS_URL the same counters
// live in Redis (src/db/redis.ts: Lua scripts, same semantics), and a Redis failure fails closed (503).
import type { Db } from '../db/knex.ts';
import { redisOf } from '../db/redis.ts';
import { prepared } from '../db/prepared.ts';

/** Adds one hit and returns the count in the current window. */
export async function hit(db: Db, key: string, windowSeconds: number): Promise<number> {
  const redis = redisOf(db);
  if (redis) return redis.counters.hit(key, windowSeconds);
  const r = await db.raw(
    `insert into rate_limits (key, count, expires_at) values (?, 1, now() + make_interval(secs => ?))
     on conflict (key) do update set
       count = case when rate_limits.expires_at <= now() then 1 else rate_limits.count + 1 end,
       expires_at = case when rate_limits.expires_at <= now() then excluded.expires_at else rate_limits.expires_at end
     returning count`,
    [key, windowSeconds],
  );
  return (r.rows as { count: number }[])[0]!.count;
}

/** The count in the current window, without adding a hit. */
export async function peek(db: Db, key: string): Promise<number> {
  const redis = redisOf(db);
  if (redis) return redis.counters.peek(key);
  const row: { count: number } | undefined = await db('rate_limits').where({ key }).andWhere('expires_at', '>', db.fn.now()).first('count');
  return row ? row.count : 0;
}

export async function reset(db: Db, key: string): Promise<void> {
  const redis = redisOf(db);
  if (redis) return redis.counters.reset(key);
  await db('rate_limits').where({ key }).delete();
}

/**
 * Adds one hit to a long-lived counter whose expiry moves with every hit: it forgets only after
 * `idleSeconds` without a hit (a "consecutive failures" count that survives the short windows).
 */
export async function hitSliding(db: Db, key: string, idleSeconds: number): Promise<number> {
  const redis = redisOf(db);
  if (redis) return redis.counters.hitSliding(key, idleSeconds);
  const r = await db.raw(
    `insert into rate_limits (key, count, expires_at) values (?, 1, now() + make_interval(secs => ?))
     on conflict (key) do update set
       count = case when rate_limits.expires_at <= now() then 1 else rate_limits.count + 1 end,
       expires_at = excluded.expires_at
     returning count`,
    [key, idleSeconds],
  );
  return (r.rows as { count: number }[])[0]!.count;
}

/** One counter of a batch: a fixed window of `seconds`, or `sliding` (its expiry moves with every hit, as hitSliding). */
export interface Counter { key: string; seconds: number; sliding?: boolean }

const distinct = (keys: readonly string[]) => {
  if (new Set(keys).size !== keys.length) throw new Error('a counter appears twice in one batch');
};

/**
 * Adds one hit to each counter in one round trip (one statement, or one MULTI in Redis), each as
 * hit/hitSliding would; the counts in the order given. A limit that refuses may then give back what
 * it took with settle (also one round trip).
 */
export async function hitAll(db: Db, counters: readonly Counter[]): Promise<number[]> {
  distinct(counters.map((c) => c.key));
  const redis = redisOf(db);
  if (redis) return redis.counters.hitAll(counters);
  // Rows in one order for every batch: two batches sharing keys cannot deadlock.
  const sorted = [...counters].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const rows = await prepared(db)<{ key: string; count: number }>('rate_limits_hit_all',
    `insert into rate_limits (key, count, expires_at)
     select k, 1, now() + make_interval(secs => s) from unnest(?::text[], ?::float8[]) as t(k, s)
     on conflict (key) do update set
       count = case when rate_limits.expires_at <= now() then 1 else rate_limits.count + 1 end,
       expires_at = case when rate_limits.expires_at <= now() or excluded.key = any(?::text[]) then excluded.expires_at else rate_limits.expires_at end
     returning key, count`,
    [sorted.map((c) => c.key), sorted.map((c) => c.seconds), sorted.filter((c) => c.sliding).map((c) => c.key)],
  );
  const counts = new Map(rows.map((row) => [row.key, row.count]));
  return counters.map((c) => counts.get(c.key)!);
}

/** Resets some counters and takes one hit back from others (as reset and release), in one round trip. */
export async function settle(db: Db, o: { reset?: readonly string[]; release?: readonly string[] }): Promise<void> {
  const reset = o.reset ?? [];
  const release = o.release ?? [];
  if (!reset.length && !release.length) return;
  distinct([...reset, ...release]);
  const redis = redisOf(db);
  if (redis) return redis.counters.settle(reset, release);
  // One statement that locks its rows in key order, as hitAll does (a delete or an update by `any`
  // locks in scan order, and deadlocked with parallel batches). A reset row is left expired, which every
  // reader and the next hit treat as absent (and the purge deletes).
  await prepared(db)('rate_limits_settle',
    `update rate_limits r set
       count = case when r.key = any(?::text[]) then 0 else r.count - 1 end,
       expires_at = case when r.key = any(?::text[]) then now() else r.expires_at end
     from (select key from rate_limits where key = any(?::text[]) order by key for update) l
     where r.key = l.key and (r.key = any(?::text[]) or (r.count > 0 and r.expires_at > now()))`,
    [[...reset], [...reset], [...reset, ...release], [...reset]],
  );
}

/** Takes back one hit (an attempt counted up front that turned out not to count). */
export async function release(db: Db, key: string): Promise<void> {
  const redis = redisOf(db);
  if (redis) return redis.counters.release(key);
  await db('rate_limits').where({ key }).andWhere('count', '>', 0).andWhere('expires_at', '>', db.fn.now()).decrement('count', 1);
}
