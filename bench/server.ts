// One benchmark target in its own process (pinned to one core by bench/run.ts):
//   ours: the full DVC ID app on PostgreSQL;  bare: a bare oidc-provider, same keys, in-memory store,
//   whose interaction handler finishes a login at once (oidc-provider's own share of a login).
// It registers a client, pre-creates single-use codes and refresh tokens, writes them to a file, then serves.
// Ours also counts every statement its database clients send (a round trip each), and with REDIS_URL
// every Redis command, and answers them on the port after its own (POST also starts them again from
// zero): the bench's pg_stat_statements and commandstats, which need nothing of either server.
import 'reflect-metadata';
import { readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import pg from 'pg';
import { Redis } from 'ioredis';
import Provider, { type Adapter, type AdapterPayload, type Configuration } from 'oidc-provider';
import { loadConfig } from '../src/config/index.ts';
import { createDb, migrate } from '../src/db/knex.ts';
import { createApp } from '../src/app.ts';
import { seedSandboxAccounts } from '../src/sandbox/seed.ts';
import { createLogger } from '../src/shared/logger.ts';
import { findAccountIdByIdentifier } from '../src/identity/accounts.ts';
import { loadSigningKeys } from '../src/provider/keys.ts';
import { LOGIN_CLIENT } from './login.ts';

const [kind, portArg, countArg, outFile, keysFile] = process.argv.slice(2);
const port = Number(portArg);
const count = Number(countArg);
const issuer = `http://127.0.0.1:${port}`;
export const CLIENT = {
  client_id: 'bench', client_secret: 'bench-secret-0123456789abcdefghijkl', redirect_uris: ['http://127.0.0.1:9/cb'],
  grant_types: ['authorization_code', 'refresh_token', 'client_credentials'], response_types: ['code'], dvc_skip_consent: true,
};

async function prepare(provider: Provider, accountId: string) {
  const client = await provider.Client.find(CLIENT.client_id);
  const grant = new provider.Grant({ accountId, clientId: CLIENT.client_id });
  grant.addOIDCScope('openid offline_access');
  const grantId = await grant.save();
  const common = { client: client!, grantId, accountId, scope: 'openid offline_access', acr: '2', amr: ['pwd', 'sms', 'mfa'], authTime: Math.floor(Date.now() / 1000) };
  const codes: string[] = [];
  const refresh: string[] = [];
  // Codes last: they live 60 seconds.
  for (let i = 0; i < count; i++) refresh.push(await new provider.RefreshToken({ ...common, gty: 'authorization_code', iiat: Math.floor(Date.now() / 1000), rotations: 0 } as never).save());
  for (let i = 0; i < count; i++) codes.push(await new provider.AuthorizationCode({ ...common, redirectUri: CLIENT.redirect_uris[0] } as never).save());
  writeFileSync(outFile!, JSON.stringify({ codes, refresh }));
}

// The bare target's store: a plain Map (oidc-provider's dev adapter is an LRU that would evict our prepared
// tokens), with the session uid and grant indexes that a database has, so that no find walks the whole store.
const store = new Map<string, AdapterPayload>();
const byUid = new Map<string, string>();
const byGrant = new Map<string, Set<string>>();
class MapAdapter implements Adapter {
  constructor(private readonly name: string) {}
  private k(id: string) { return `${this.name}:${id}`; }
  async upsert(id: string, payload: AdapterPayload) {
    store.set(this.k(id), payload);
    if (this.name === 'Session' && payload.uid) byUid.set(payload.uid, this.k(id));
    if (payload.grantId) byGrant.set(payload.grantId, (byGrant.get(payload.grantId) ?? new Set()).add(this.k(id)));
  }
  async find(id: string) { return store.get(this.k(id)); }
  async findByUid(uid: string) { const k = byUid.get(uid); return k ? store.get(k) : undefined; }
  async findByUserCode(code: string) { return [...store.values()].find((p) => p.userCode === code); }
  async consume(id: string) { const p = store.get(this.k(id)); if (p) p.consumed = Math.floor(Date.now() / 1000); }
  async destroy(id: string) { store.delete(this.k(id)); }
  async revokeByGrantId(grantId: string) { for (const k of byGrant.get(grantId) ?? []) store.delete(k); byGrant.delete(grantId); }
}

/** Statements by their text (values apart), counted where pg sends them. */
function countStatements(): Map<string, number> {
  const counts = new Map<string, number>();
  // Each text's key once: normalising every statement's text was about 2 % of the measured CPU.
  const keys = new Map<string, string>();
  const proto = pg.Client.prototype as unknown as { query: (...a: unknown[]) => unknown };
  const send = proto.query;
  proto.query = function (this: unknown, ...args: unknown[]) {
    const q = args[0];
    const text = typeof q === 'string' ? q : (q as { text?: string } | undefined)?.text ?? '';
    let key = keys.get(text);
    if (key === undefined) keys.set(text, (key = text.replace(/\s+/g, ' ').trim().slice(0, 110)));
    counts.set(key, (counts.get(key) ?? 0) + 1);
    return send.apply(this, args);
  };
  return counts;
}

/**
 * Redis commands by name and the kind of key (`evalsha rl:login`, `hmget oidc:Interaction`), counted where
 * ioredis sends them, and round trips: a command on its own, or a whole MULTI … EXEC (ioredis hands the
 * commands of a MULTI to sendCommand with the transaction's own writer).
 */
function countRedis(prefix: string): { commands: Map<string, number>; roundTrips: () => number; clear(): void } {
  const commands = new Map<string, number>();
  let trips = 0;
  const proto = Redis.prototype as unknown as { sendCommand: (...a: unknown[]) => unknown };
  const send = proto.sendCommand;
  proto.sendCommand = function (this: unknown, ...args: unknown[]) {
    const c = args[0] as { name: string; args: unknown[] };
    const key = String((c.name === 'evalsha' || c.name === 'eval' ? c.args[2] : c.args[0]) ?? '');
    const kind = key.startsWith(prefix) ? key.slice(prefix.length).split(':').slice(0, 2).join(':') : '';
    const name = `${c.name}${kind ? ` ${kind}` : ''}`;
    if (c.name !== 'multi' && c.name !== 'exec') commands.set(name, (commands.get(name) ?? 0) + 1);
    if (!args[1] || c.name === 'exec') trips++;
    return send.apply(this, args);
  };
  return { commands, roundTrips: () => trips, clear: () => { commands.clear(); trips = 0; } };
}

if (kind === 'ours') {
  const counts = countStatements();
  const redis = countRedis(process.env.REDIS_PREFIX ?? 'dvc:');
  // Every login comes from one loopback address: the per-IP limits are a carrier-grade NAT's (sandbox
  // mode only; production bounds them). The SMS leaves through the HTTP connector to the bench's gateway.
  const cfg = loadConfig({
    ...process.env, ISSUER: issuer, PORT: String(port), LOG_LEVEL: 'silent', CAPTCHA: 'off',
    SMS_GATEWAY: 'http', SMS_URL: process.env.BENCH_SMS_URL ?? 'http://127.0.0.1:9/sms',
    LOGIN_MAX_FAILURES_PER_IP: '100000', SMS_MAX_PER_IP: '1000000', SMS_MAX_PER_PHONE: '100000', SMS_BUDGET_PER_HOUR: '10000000',
  });
  const db = await createDb(cfg);
  await migrate(db);
  // Every run starts from empty state tables: deleting rows instead left each run slower than the
  // last (hundreds of MB of dead rows and bloated indexes before autovacuum caught up).
  await db.raw('truncate oidc_models, session_meta, audit_events, flows, otp_challenges, rate_limits, outbox, captchas');
  await seedSandboxAccounts(cfg, db);
  const loginClient = { client_id: LOGIN_CLIENT.id, client_secret: LOGIN_CLIENT.secret, redirect_uris: [LOGIN_CLIENT.redirectUri], grant_types: ['authorization_code'], response_types: ['code'], dvc_skip_consent: true };
  for (const c of [CLIENT, loginClient]) await db('oidc_models').insert({ kind: 'Client', id: c.client_id, payload: JSON.stringify(c) }).onConflict(['kind', 'id']).merge();
  http.createServer((req, res) => {
    // POST takes the counts (answers them and starts again from zero).
    res.writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify({ sql: Object.fromEntries(counts), redis: Object.fromEntries(redis.commands), redisRoundTrips: redis.roundTrips() }));
    if (req.method === 'POST') { counts.clear(); redis.clear(); }
  }).listen(port + 1, '127.0.0.1');
  const { app, provider } = await createApp({ cfg, db, logger: createLogger('silent') });
  writeFileSync(keysFile!, JSON.stringify(await loadSigningKeys(db, cfg.keyEncryptionSecret)));
  await prepare(provider, (await findAccountIdByIdentifier(db, 'cccd', '001099012345'))!);
  app.listen(port, '127.0.0.1', () => process.stdout.write('READY\n'));
} else {
  const keys = JSON.parse(readFileSync(keysFile!, 'utf8')) as NonNullable<Configuration['jwks']>['keys'];
  const { dvc_skip_consent: _skip, ...client } = CLIENT;
  // The login client as ours registers it (bench/login.ts), and our cookie settings over http.
  const loginClient = { client_id: LOGIN_CLIENT.id, client_secret: LOGIN_CLIENT.secret, redirect_uris: [LOGIN_CLIENT.redirectUri], grant_types: ['authorization_code'], response_types: ['code'] };
  const cookie = { signed: true, httpOnly: true, sameSite: 'lax' } as const;
  const provider = new Provider(issuer, {
    adapter: MapAdapter,
    clients: [client as never, loginClient as never], jwks: { keys }, features: { clientCredentials: { enabled: true }, devInteractions: { enabled: false } },
    cookies: { keys: ['bench-bare-cookie-key-0123456789abcdef'], long: cookie, short: cookie },
    claims: { openid: ['sub', 'acr', 'amr', 'auth_time'] }, acrValues: ['2', '3'], pkce: { required: () => false }, rotateRefreshToken: true,
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    findAccount: (_ctx, sub) => ({ accountId: sub, claims: () => ({ sub }) }),
    clientDefaults: { id_token_signed_response_alg: 'ES256', grant_types: ['authorization_code'], response_types: ['code'], token_endpoint_auth_method: 'client_secret_basic' },
  });
  // The protocol floor of a login: the interaction is finished at once with what ours saves (the login
  // with acr and amr, src/interaction/finish.ts, and the first-party grant that ours saves at resume).
  let logins = 0;
  provider.use(async (ctx, next) => {
    if (ctx.method !== 'GET' || !ctx.path.startsWith('/interaction/')) return next();
    const details = await provider.interactionDetails(ctx.req, ctx.res);
    const accountId = `bench-login-${logins++}`;
    const grant = new provider.Grant({ accountId, clientId: String(details.params.client_id) });
    grant.addOIDCScope(String(details.params.scope));
    const grantId = await grant.save();
    ctx.respond = false; // interactionFinished answers (303) on the raw response
    await provider.interactionFinished(ctx.req, ctx.res, {
      login: { accountId, acr: '2', amr: ['pwd', 'sms', 'mfa'], remember: true }, consent: { grantId },
    }, { mergeWithLastSubmission: false });
  });
  await prepare(provider, 'bench-account');
  provider.listen(port, '127.0.0.1', () => process.stdout.write('READY\n'));
}
// A clean exit on either signal, so that a CPU profile (BENCH_CPU_PROF) is written.
process.on('SIGINT', () => process.exit(0));
process.on('SIGTERM', () => process.exit(0));
