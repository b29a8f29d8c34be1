// For the load balancer and the operator on call: /healthz says the process answers; /readyz says
// this node can serve (its database, and Redis when configured, answer within a second). Nothing
// personal, never cached.
import type { Context, Next } from 'koa';
import type { Db } from '../db/knex.ts';
import type { RedisStore } from '../db/redis.ts';

export const READY_TIMEOUT_MS = 1000;

/** Whether a check succeeds in time (a failure or a hang is "no"). */
async function answers(check: () => Promise<unknown>, timeoutMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => { timer = setTimeout(() => resolve(false), timeoutMs); });
  try {
    return await Promise.race([check().then(() => true, () => false), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Whether the database answers a trivial query in time. */
export function databaseReady(db: Pick<Db, 'raw'>, timeoutMs = READY_TIMEOUT_MS): Promise<boolean> {
  return answers(() => db.raw('select 1'), timeoutMs);
}

export function health(db: Pick<Db, 'raw'>, redis?: Pick<RedisStore, 'client'>) {
  return async (ctx: Context, next: Next): Promise<void> => {
    if (ctx.method !== 'GET' && ctx.method !== 'HEAD') return next();
    if (ctx.path === '/healthz') {
      ctx.set('cache-control', 'no-store');
      ctx.body = { status: 'ok' };
      return;
    }
    if (ctx.path === '/readyz') {
      const [database, store] = await Promise.all([databaseReady(db), redis && answers(() => redis.client.ping(), READY_TIMEOUT_MS)]);
      const ok = database && store !== false;
      ctx.set('cache-control', 'no-store');
      ctx.status = ok ? 200 : 503;
      ctx.body = { status: ok ? 'ready' : 'unavailable', database: database ? 'ok' : 'unreachable', ...(redis ? { redis: store ? 'ok' : 'unreachable' } : {}) };
      return;
    }
    return next();
  };
}
