// Redis for short-lived state (REDIS_URL): rate-limit counters and oidc-provider's short-lived models
// leave PostgreSQL (docs/operations.md, "Capacity model"). Unset, nothing here is loaded or used.
//
// The app's code passes its `Db` everywhere; rather than a second handle through 44 call sites, each
// Db is registered with its Redis store once at start-up (createApp) and `redisOf(db)` finds it. That
// registration is configuration, the same on every node, not state: every counter and model lives in
// Redis itself, shared by all nodes. A transaction's handle shares its Db's client config, so it finds
// the same store.
import { Redis, type RedisKey } from 'ioredis';
import type { Db } from './knex.ts';
import type { Logger } from '../shared/logger.ts';
import { StoreUnavailableError } from './store-unavailable.ts';

/** A command that waits longer fails the request (503) rather than holding it. */
const COMMAND_TIMEOUT_MS = 2000;

// Lua scripts: one round trip each, atomic on the server (several nodes hit one key at once).
const SCRIPTS = {
  // Fixed window: the first hit sets the expiry, later hits leave it (as the PostgreSQL upsert does).
  // A key without an expiry (never written so by us) gets one rather than living for ever.
  rlHit: `local n = redis.call('INCR', KEYS[1])
    if n == 1 or redis.call('TTL', KEYS[1]) == -1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
    return n`,
  // Sliding: every hit moves the expiry.
  rlHitSliding: `local n = redis.call('INCR', KEYS[1])
    redis.call('EXPIRE', KEYS[1], ARGV[1])
    return n`,
  // Takes back one hit, never below zero; DECR keeps the window's expiry.
  rlRelease: `local n = tonumber(redis.call('GET', KEYS[1]))
    if n and n > 0 then return redis.call('DECR', KEYS[1]) end
    return 0`,
} as const;

type Scripts = { [K in keyof typeof SCRIPTS]: (key: RedisKey, ...args: (string | number)[]) => Promise<number> };
type Batch = { [K in keyof typeof SCRIPTS]: (key: RedisKey, ...args: (string | number)[]) => Batch } & { del(key: RedisKey): Batch; exec(): Promise<[Error | null, unknown][] | null> };

export interface RedisCounters {
  hit(key: string, windowSeconds: number): Promise<number>;
  hitSliding(key: string, idleSeconds: number): Promise<number>;
  peek(key: string): Promise<number>;
  reset(key: string): Promise<void>;
  release(key: string): Promise<void>;
  /** Several hits (src/shared/rate-limit.ts hitAll) in one MULTI: one round trip, atomic. */
  hitAll(counters: readonly { key: string; seconds: number; sliding?: boolean }[]): Promise<number[]>;
  /** Resets and releases (rate-limit.ts settle) in one MULTI. */
  settle(reset: readonly string[], release: readonly string[]): Promise<void>;
}

export interface RedisStore {
  /** The client; every key it sends carries the prefix (ioredis keyPrefix), except inside Lua scripts. */
  readonly client: Redis;
  readonly prefix: string;
  readonly counters: RedisCounters;
  /** Runs a command; any failure (down, timeout, refused) becomes a 503 StoreUnavailableError. */
  guard<T>(p: Promise<T>): Promise<T>;
  /** Waits (at most the time) for the first connection attempt: a start-up without Redis goes on, answering 503. */
  connected(timeoutMs: number): Promise<boolean>;
  close(): Promise<void>;
}

export function createRedisStore(o: { url: string; prefix: string }, logger: Logger): RedisStore {
  const client = new Redis(o.url, {
    keyPrefix: o.prefix,
    // Fail at once while disconnected instead of queueing requests behind an outage (fail closed, fast).
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: COMMAND_TIMEOUT_MS,
    commandTimeout: COMMAND_TIMEOUT_MS,
  });
  for (const [name, lua] of Object.entries(SCRIPTS)) client.defineCommand(name, { numberOfKeys: 1, lua });
  const scripts = client as unknown as Scripts;
  // One log line per outage (ioredis reconnects on its own and reports every failed attempt).
  let down = false;
  let closing = false;
  const lost = (error: string) => {
    if (!down && !closing) logger.error('redis unavailable', { error });
    down = true;
  };
  client.on('error', (e: Error) => lost(e.message));
  client.on('close', () => lost('connection closed'));
  client.on('ready', () => {
    if (down) logger.info('redis available again');
    down = false;
  });
  const guard = async <T>(p: Promise<T>): Promise<T> => {
    try {
      return await p;
    } catch (e) {
      if (!down) logger.error('redis command failed', { error: e instanceof Error ? e.message : String(e) });
      throw new StoreUnavailableError(e);
    }
  };
  const rl = (key: string) => `rl:${key}`;
  const counters: RedisCounters = {
    hit: (key, s) => guard(scripts.rlHit(rl(key), s)),
    hitSliding: (key, s) => guard(scripts.rlHitSliding(rl(key), s)),
    peek: async (key) => Number((await guard(client.get(rl(key)))) ?? 0),
    reset: async (key) => { await guard(client.del(rl(key))); },
    release: async (key) => { await guard(scripts.rlRelease(rl(key))); },
    hitAll: async (list) => {
      const m = client.multi() as unknown as Batch;
      for (const c of list) (c.sliding ? m.rlHitSliding : m.rlHit).call(m, rl(c.key), c.seconds);
      return (await exec(m)).map(Number);
    },
    settle: async (reset, release) => {
      const m = client.multi() as unknown as Batch;
      for (const k of reset) m.del(rl(k));
      for (const k of release) m.rlRelease(rl(k));
      await exec(m);
    },
  };
  // A MULTI's own failure or any of its commands' becomes the 503 as for a single command.
  const exec = async (m: Batch): Promise<unknown[]> => {
    const replies = await guard(m.exec());
    const failed = replies?.find(([e]) => e);
    if (!replies || failed) return guard(Promise.reject(failed?.[0] ?? new Error('MULTI aborted')));
    return replies.map(([, v]) => v);
  };
  return {
    client, prefix: o.prefix, counters, guard,
    connected(timeoutMs) {
      if (client.status === 'ready') return Promise.resolve(true);
      return new Promise((resolve) => {
        const done = (ok: boolean) => { clearTimeout(timer); client.off('ready', onReady).off('error', onError); resolve(ok); };
        const onReady = () => done(true);
        const onError = () => done(false);
        const timer = setTimeout(() => done(false), timeoutMs);
        client.once('ready', onReady).once('error', onError);
      });
    },
    async close() {
      closing = true;
      await client.quit().catch(() => client.disconnect());
    },
  };
}

// Keyed by the knex client's config: the same object for a Db and its transactions.
const stores = new WeakMap<object, RedisStore>();
const configOf = (db: Db) => (db.client as { config: object }).config;

/** Registers the Redis store of a Db (at start-up); `undefined` removes it. */
export function useRedis(db: Db, store: RedisStore | undefined): void {
  if (store) stores.set(configOf(db), store);
  else stores.delete(configOf(db));
}

/** The Redis store registered for this Db, if REDIS_URL is set. */
export function redisOf(db: Db): RedisStore | undefined {
  return stores.get(configOf(db));
}
