// Fixed-window counters in the database: one atomic upsert per hit, so parallel requests
// on any node see the same count and cannot slip past the limit.
import type { Db } from '../db/knex.ts';

/** Adds one hit and returns the count in the current window. */
export async function hit(db: Db, key: string, windowSeconds: number): Promise<number> {
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
  const row: { count: number } | undefined = await db('rate_limits').where({ key }).andWhere('expires_at', '>', db.fn.now()).first('count');
  return row ? row.count : 0;
}

export async function reset(db: Db, key: string): Promise<void> {
  await db('rate_limits').where({ key }).delete();
}
