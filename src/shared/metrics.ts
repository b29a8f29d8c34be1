// What the operator on call watches (Prometheus text format at /metrics, behind METRICS_TOKEN):
// requests and latency by area of the site, outcomes of sign-ins and other audited actions, and
// calls to external systems. One registry per process; labels are few and bounded (no ids, no paths).
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

export const registry = new Registry();
collectDefaultMetrics({ register: registry, prefix: 'dvc_' });

export const httpRequests = new Counter({
  name: 'dvc_http_requests_total', help: 'HTTP requests answered, by area of the site, method and status class',
  labelNames: ['area', 'method', 'status'] as const, registers: [registry],
});
export const httpDuration = new Histogram({
  name: 'dvc_http_request_duration_seconds', help: 'Time to answer, by area of the site',
  labelNames: ['area'] as const, buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10], registers: [registry],
});
export const auditedActions = new Counter({
  name: 'dvc_audited_actions_total', help: 'Audited actions (sign-ins, registrations, account changes) by action, method and result',
  labelNames: ['action', 'method', 'result'] as const, registers: [registry],
});
export const upstreamCalls = new Counter({
  name: 'dvc_upstream_calls_total', help: 'Calls to external systems by system and outcome (ok, refused, unavailable)',
  labelNames: ['upstream', 'outcome'] as const, registers: [registry],
});
export const otpSends = new Counter({
  name: 'dvc_otp_sends_total', help: 'SMS codes asked for, by outcome (queued, or refused: cooldown, phone, ip, identity, budget)',
  labelNames: ['outcome'] as const, registers: [registry],
});
export const smsBudgetUsed = new Gauge({
  name: 'dvc_sms_budget_used', help: 'SMS codes counted against SMS_BUDGET_PER_HOUR in the current hour (all nodes), as of this node\'s last send',
  registers: [registry],
});
// Password checks by the hash they ran (argon2id, or an imported legacy type until its first login):
// how much legacy hashing is left, and what sign-ins cost (a refused unknown ID number runs one argon2id too).
export const passwordChecks = new Counter({
  name: 'dvc_password_checks_total', help: 'Password verifications by hash type (argon2id, argon2, bcrypt, pbkdf2-sha256, sha256-salted)',
  labelNames: ['hash'] as const, registers: [registry],
});
export const outboxDeliveries = new Counter({
  name: 'dvc_outbox_deliveries_total', help: 'Outbox messages handled by this node\'s worker, by kind and outcome (sent, retry, failed, expired)',
  labelNames: ['kind', 'outcome'] as const, registers: [registry],
});

// SIM signing pushes (a paid request that buzzes a phone): alert on a rising refusal rate, and on
// dvc_sim_push_budget_used / dvc_sim_push_hourly_budget nearing 1 (SIM signing then answers "busy").
export const simPushes = new Counter({
  name: 'dvc_sim_pushes_total', help: 'SIM signing pushes: sent, or refused by which limit (limit_interaction, limit_ip, phone_busy, limit_phone, budget, proof)',
  labelNames: ['outcome'] as const, registers: [registry],
});
let simBudgetReader: (() => Promise<number>) | undefined;
/** The SIM method tells the gauge how to read the shared count (the database, so every node reports the same). */
export function readSimPushBudgetWith(read: () => Promise<number>): void {
  simBudgetReader = read;
}
export const simPushBudgetUsed = new Gauge({
  name: 'dvc_sim_push_budget_used', help: 'SIM push tries counted against the hourly budget in its current window, across all nodes (above the budget: pushes are refused)', registers: [registry],
  async collect() {
    if (simBudgetReader) this.set(await simBudgetReader().catch(() => 0));
  },
});
export const simPushHourlyBudget = new Gauge({ name: 'dvc_sim_push_hourly_budget', help: 'SIM_PUSH_HOURLY_BUDGET: pushes allowed per hour', registers: [registry] });

const AREAS: [RegExp, string][] = [
  [/^\/token(\/|$)/, 'token'], [/^\/auth(\/|$)/, 'authorize'], [/^\/interaction\//, 'interaction'], [/^\/account(\/|$)/, 'portal'],
  [/^\/register(\/|$)/, 'registration'], [/^\/(forgot|activate)(\/|$)/, 'recovery'], [/^\/api\//, 'partner_api'], [/^\/me(\/|$)/, 'userinfo'],
  [/^\/(\.well-known|jwks)(\/|$)/, 'discovery'], [/^\/session\//, 'logout'], [/^\/request(\/|$)/, 'par'], [/^\/federation\//, 'federation'],
  [/^\/sandbox\//, 'sandbox'], [/^\/static\//, 'static'], [/^\/(healthz|readyz|metrics)$/, 'ops'],
];

/** A coarse area of the site for a path: bounded label values, nothing from the request itself. */
export function areaOf(path: string): string {
  for (const [re, name] of AREAS) if (re.test(path)) return name;
  return 'other';
}
