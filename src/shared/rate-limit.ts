// Fixed-window counters in the database: one atomic upsert per hit, so parallel requests
// on any node see the same count and cannot slip past the limit. With REDIS_URL the same counters
// live in Redis (src/db/redis.ts: Lua scripts, same semantics), and a Redis failure fails closed (503).
import type { Db } from '../db/knex.ts';
import { redisOf } from '../db/redis.ts';

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

/** Takes back one hit (an attempt counted up front that turned out not to count). */
export async function release(db: Db, key: string): Promise<void> {
  const redis = redisOf(db);
  if (redis) return redis.counters.release(key);
  await db('rate_limits').where({ key }).andWhere('count', '>', 0).andWhere('expires_at', '>', db.fn.now()).decrement('count', 1);
}
