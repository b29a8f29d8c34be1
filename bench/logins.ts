// Logins under load (c scripted browsers for a while) and one at a time with the statements counted.
import { Agent, request, type Dispatcher } from 'undici';
import { benchAccount, BENCH_PASSWORD } from './accounts.ts';
import { bareLoginOnce, loginOnce, type Step, type StepHook } from './login.ts';
import { cpuSeconds, memoryMiB, percentile } from './proc.ts';
import type { SmsInbox } from './sms-gateway.ts';

export interface LoginRun {
  concurrency: number; logins: number; errors: number; firstError: string | undefined; perSecond: number;
  p50: number; p99: number; cpuMsPerLogin: number; cpuShare: number; peakRssMiB: number;
  steps: Map<Step, { mean: number; p99: number }>;
}

export interface Target { origin: string; pid: number; controlPort: number }

/** One login of bench account `i` (ours through the pages, or the bare target's). */
export type LoginFn = (dispatcher: Dispatcher, i: number, hook: StepHook) => Promise<void>;

export const oursLogin = (t: Target, inbox: SmsInbox): LoginFn => (d, i, hook) =>
  loginOnce(t.origin, d, inbox, { ...benchAccount(i), password: BENCH_PASSWORD }, hook);
export const bareLogin = (t: Target): LoginFn => (d, _i, hook) => bareLoginOnce(t.origin, d, hook);

export async function loginLoad(t: Target, login: LoginFn, o: { concurrency: number; seconds: number; accounts: number; random?: boolean }): Promise<LoginRun> {
  const dispatcher = new Agent({ connections: o.concurrency * 2, pipelining: 1 });
  const totals: number[] = [];
  const perStep = new Map<Step, number[]>();
  let errors = 0;
  let firstError: string | undefined;
  let next = 0;
  if (o.accounts <= o.concurrency) throw new Error(`${o.concurrency} concurrent logins need more than ${o.concurrency} accounts (have ${o.accounts})`);
  const busy = new Set<number>();
  const cpu0 = cpuSeconds(t.pid);
  const start = performance.now();
  const deadline = start + o.seconds * 1000;
  await Promise.all(Array.from({ length: o.concurrency }, async () => {
    while (performance.now() < deadline) {
      // Never two logins of one account at once: its phone would receive two codes and the reader could take
      // the other login's (and the per-account throttle would see a burst that no person makes).
      let i = o.random ? Math.floor(Math.random() * o.accounts) : next++ % o.accounts;
      while (busy.has(i)) i = o.random ? Math.floor(Math.random() * o.accounts) : next++ % o.accounts;
      busy.add(i);
      const began = performance.now();
      const times: [Step, number][] = [];
      try {
        await login(dispatcher, i, (s, ms) => { times.push([s, ms]); });
        totals.push(performance.now() - began);
        for (const [s, ms] of times) { const v = perStep.get(s); if (v) v.push(ms); else perStep.set(s, [ms]); }
      } catch (e) {
        errors++;
        firstError ??= e instanceof Error ? e.message : String(e);
      } finally {
        busy.delete(i);
      }
    }
  }));
  const elapsed = (performance.now() - start) / 1000;
  const cpu = cpuSeconds(t.pid) - cpu0;
  await dispatcher.close();
  totals.sort((a, b) => a - b);
  const steps = new Map<Step, { mean: number; p99: number }>();
  for (const [s, v] of perStep) {
    if (!v.length) continue;
    v.sort((a, b) => a - b);
    steps.set(s, { mean: v.reduce((a, b) => a + b, 0) / v.length, p99: percentile(v, 0.99) });
  }
  return {
    concurrency: o.concurrency, logins: totals.length, errors, firstError, perSecond: totals.length / elapsed,
    p50: percentile(totals, 0.5), p99: percentile(totals, 0.99), cpuMsPerLogin: totals.length ? (cpu * 1000) / totals.length : 0,
    cpuShare: cpu / elapsed, peakRssMiB: memoryMiB(t.pid).peak, steps,
  };
}

/**
 * The target's CPU per request of a login: n logins one at a time, its CPU (all threads, from /proc) read
 * after each answer. /proc counts 10 ms ticks, so one request reads 0 or 10 ms: only the mean over
 * many logins means something. What a target does after an answer (a write after the response, the
 * outbox's send) falls in the next step; sms_wait is the outbox and the SMS connector at work.
 */
export async function cpuPerStep(t: Target, login: LoginFn, n: number, firstAccount: number): Promise<{ byStep: Map<Step, number>; perLogin: number }> {
  const dispatcher = new Agent({ connections: 2 });
  const byStep = new Map<Step, number>();
  const cpu0 = cpuSeconds(t.pid);
  let last = cpu0;
  for (let i = 0; i < n; i++) {
    await login(dispatcher, firstAccount + i, (s) => {
      const now = cpuSeconds(t.pid);
      byStep.set(s, (byStep.get(s) ?? 0) + (now - last) * 1000);
      last = now;
    });
  }
  const perLogin = ((last - cpu0) * 1000) / n;
  await dispatcher.close();
  for (const [s, v] of byStep) byStep.set(s, v / n);
  return { byStep, perLogin };
}

interface Taken { sql: Map<string, number>; redis: Map<string, number>; redisRoundTrips: number }

/** Takes the target's statement and Redis command counts (and starts them again from zero). */
export async function takeStatements(t: Target): Promise<Taken> {
  const res = await request(`http://127.0.0.1:${t.controlPort}/`, { method: 'POST' });
  const body = await res.body.json() as { sql: Record<string, number>; redis: Record<string, number>; redisRoundTrips: number };
  return { sql: new Map(Object.entries(body.sql)), redis: new Map(Object.entries(body.redis)), redisRoundTrips: body.redisRoundTrips };
}

const sum = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);

/** Redis commands per item (REDIS_URL targets): all of them, round trips, and by command and kind of key. */
export interface RedisCount { perItem: number; roundTrips: number; byCommand: [string, number][] }

export interface StatementCount { perItem: number; bySql: [string, number][]; byStep?: Map<Step, number>; redis: RedisCount }

/** Adds up what was taken, per item. */
function redisTotals() {
  const byCommand = new Map<string, number>();
  let trips = 0;
  return {
    add(t: Taken) { for (const [k, v] of t.redis) byCommand.set(k, (byCommand.get(k) ?? 0) + v); trips += t.redisRoundTrips; },
    per(n: number): RedisCount {
      return { perItem: sum(byCommand) / n, roundTrips: trips / n, byCommand: [...byCommand].map(([k, v]) => [k, v / n] as [string, number]).sort((a, b) => b[1] - a[1]) };
    },
  };
}

/** Statements sent to the database per login, per step and per statement text (n logins one at a time). */
export async function statementsPerLogin(t: Target, inbox: SmsInbox, n: number, firstAccount: number): Promise<StatementCount> {
  const dispatcher = new Agent({ connections: 2 });
  const byStep = new Map<Step, number>();
  const bySql = new Map<string, number>();
  const redis = redisTotals();
  const add = (taken: Taken) => { redis.add(taken); for (const [k, v] of taken.sql) bySql.set(k, (bySql.get(k) ?? 0) + v); return sum(taken.sql); };
  await takeStatements(t);
  for (let i = 0; i < n; i++) {
    await oursLogin(t, inbox)(dispatcher, firstAccount + i, async (s) => {
      byStep.set(s, (byStep.get(s) ?? 0) + add(await takeStatements(t)));
    });
  }
  // Writes that follow the last answer (the outbox row's delete, the session's device) belong to it too.
  await new Promise((r) => setTimeout(r, 300));
  const rest = add(await takeStatements(t));
  byStep.set('token', (byStep.get('token') ?? 0) + rest);
  await dispatcher.close();
  for (const [s, v] of byStep) byStep.set(s, v / n);
  return { perItem: sum(bySql) / n, byStep, bySql: [...bySql].map(([k, v]) => [k, v / n] as [string, number]).sort((a, b) => b[1] - a[1]), redis: redis.per(n) };
}

/** Statements per request of one kind (n requests made by `one`, one at a time). */
export async function statementsPer(t: Target, n: number, one: (i: number) => Promise<void>): Promise<StatementCount> {
  await takeStatements(t);
  for (let i = 0; i < n; i++) await one(i);
  await new Promise((r) => setTimeout(r, 200));
  const taken = await takeStatements(t);
  const redis = redisTotals();
  redis.add(taken);
  const m = taken.sql;
  return { perItem: sum(m) / n, bySql: [...m].map(([k, v]) => [k, v / n] as [string, number]).sort((a, b) => b[1] - a[1]), redis: redis.per(n) };
}
