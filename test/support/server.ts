// Test bootstrap: a real provider on a real port, against real PostgreSQL (TEST_DATABASE_URL)
// or, when asked, the embedded database. Each server gets the config the test names.
import 'reflect-metadata';
import http from 'node:http';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { loadConfig, type Config } from '../../src/config/index.ts';
import { createDb, migrate, type Db } from '../../src/db/knex.ts';
import { serveEmbeddedDatabase, type WireServer } from '../../src/db/wire-server.ts';
import { createApp, type App } from '../../src/app.ts';
import { seedSandboxAccounts } from '../../src/sandbox/seed.ts';
import { createLogger, type Logger } from '../../src/shared/logger.ts';
import { knexAdapterFactory } from '../../src/provider/adapter.ts';
import { changeIssuer } from '../../src/provider/issuer-guard.ts';
import { clearRedis } from './redis.ts';

const BASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
// Each test run works in its own schema, so two runs on one server (a developer and CI) never meet.
const SCHEMA = `dvc_test_${process.pid}`;
export const TEST_DATABASE_URL = `${BASE_URL}${BASE_URL.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${SCHEMA}`)}`;

/** `TEST_DB=embedded` runs the same tests on the embedded database (PGlite) that `npm start` uses. */
export const EMBEDDED = process.env.TEST_DB === 'embedded';

/** For a test that needs two nodes on one database, which the single-process embedded database cannot be. */
export function postgresOnly(ctx: Mocha.Context): void {
  if (EMBEDDED) ctx.skip();
}

let cleaned = false;
let template: string | undefined;

/** Creating an embedded database (its initdb) takes seconds; a migrated copy opens at once. */
async function embeddedTemplate(): Promise<string> {
  if (!template) {
    const dir = mkdtempSync(path.join(tmpdir(), 'dvc-test-template-'));
    const db = await createDb({ databaseUrl: undefined, dataDir: dir });
    await migrate(db);
    await db.destroy();
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    template = dir;
  }
  return template;
}

let spare: { db: Db; dataDir: string } | undefined;
const leftAtExit = new Set<string>();
if (EMBEDDED) process.once('exit', () => { for (const dir of leftAtExit) rmSync(dir, { recursive: true, force: true }); });

/** The last closed server's embedded database, if it still answers (a test may have destroyed it). */
async function takeSpare(): Promise<{ db: Db; dataDir: string } | undefined> {
  const got = spare;
  spare = undefined;
  if (!got) return undefined;
  try {
    await got.db.raw('select 1');
    return got;
  } catch {
    rmSync(got.dataDir, { recursive: true, force: true });
    leftAtExit.delete(got.dataDir);
    return undefined;
  }
}

async function embeddedDataDir(): Promise<string> {
  const dir = mkdtempSync(path.join(tmpdir(), 'dvc-test-db-'));
  cpSync(await embeddedTemplate(), dir, { recursive: true });
  leftAtExit.add(dir); // the spare is never closed
  return dir;
}

// A root hook (this module is loaded once): the template is made before the first test's own hooks
// start their clocks.
if (EMBEDDED && typeof before === 'function') {
  before(async function () { this.timeout(300_000); await embeddedTemplate(); });
}

/** Once per run: a fresh schema for this run, and the schemas of runs that are gone are dropped. */
async function cleanOnce(db: Db): Promise<void> {
  if (cleaned) return;
  cleaned = true;
  const rows = (await db.raw("select nspname from pg_namespace where nspname like 'dvc\\_test\\_%'")).rows as { nspname: string }[];
  for (const { nspname } of rows) {
    const pid = Number(nspname.slice('dvc_test_'.length));
    let alive = pid === process.pid;
    try { if (!alive) { process.kill(pid, 0); alive = true; } } catch { alive = false; }
    if (!alive || pid === process.pid) await db.raw(`drop schema if exists "${nspname}" cascade`);
  }
  await db.raw(`create schema "${SCHEMA}"`);
}

/**
 * A PostgreSQL schema of its own for a production-mode server (production needs DATABASE_URL, and its
 * secrets differ from the shared schema's, whose signing keys are sealed with the sandbox secret).
 */
export async function separateDatabase(name: string): Promise<{ url: string; drop(): Promise<void> }> {
  const schema = `dvc_prod_${name}_${process.pid}`;
  const admin = await createDb({ databaseUrl: BASE_URL, dataDir: '' } as never);
  await admin.raw(`drop schema if exists "${schema}" cascade`);
  await admin.raw(`create schema "${schema}"`);
  await admin.destroy();
  return {
    url: `${BASE_URL}${BASE_URL.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema}`)}`,
    async drop() {
      const db = await createDb({ databaseUrl: BASE_URL, dataDir: '' } as never);
      await db.raw(`drop schema if exists "${schema}" cascade`);
      await db.destroy();
    },
  };
}

export interface TestServer {
  issuer: string;
  cfg: Config;
  db: Db;
  app: App;
  close(): Promise<void>;
}

/** Every server starts from the sandbox data alone (test files do not see each other's people). */
async function resetData(db: Db): Promise<void> {
  await db.raw('truncate accounts, identifiers, credentials, credential_identifiers, counter_officers, staff_members, staff_roles, complaint_steps, audit_events, oidc_models, session_meta, counter_requests, flows, otp_challenges, captchas, altcha_spent, sim_pushes, rate_limits, sandbox_sms, sandbox_email, sandbox_pki, sandbox_mss_requests, complaints, outbox, database_issuer, relying_parties, client_registration_requests, client_errors, import_runs, import_rejections cascade');
}

export async function startServer(env: Record<string, string> = {}, opts: { keepData?: boolean; logger?: Logger } = {}): Promise<TestServer> {
  const server = http.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  const issuer = `http://127.0.0.1:${port}`;
  // Embedded: every running server its own data folder (a second node cannot open the first one's);
  // a closed server's database, still open, serves the next one (opening a copy boots PGlite: seconds).
  let reused = EMBEDDED && !env.DATABASE_URL && !opts.keepData ? await takeSpare() : undefined;
  const dataDir = reused?.dataDir ?? (EMBEDDED && !env.DATABASE_URL ? await embeddedDataDir() : undefined);
  const cfg = loadConfig({
    ISSUER: issuer, PORT: String(port), CAPTCHA: 'off', LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    ...(dataDir ? { DATABASE_URL: '', DATA_DIR: dataDir } : { DATABASE_URL: TEST_DATABASE_URL }),
    // Generous limits for tests that are not about them (sandbox mode only: production bounds refuse them).
    ...(env.MODE === 'production' ? {} : {
      LOGIN_MAX_FAILURES_PER_IP: '100000', SMS_MAX_PER_IP: '100000', SMS_MAX_PER_PHONE: '100000', OTP_RESEND_COOLDOWN_SECONDS: '0',
      SIM_PUSH_MAX_PER_PHONE: '1000', SIM_PUSH_MAX_PER_IP: '100000',
    }),
    ...env,
  });
  const db = reused?.db ?? await createDb(cfg);
  reused = undefined;
  // Like src/main.ts: the CLI reaches an embedded database through the server holding it.
  const wire: WireServer | undefined = dataDir ? await serveEmbeddedDatabase(db, { dataDir }) : undefined;
  if (cfg.databaseUrl) await cleanOnce(db);
  await migrate(db);
  if (!opts.keepData) await resetData(db);
  // A test's second node listens on another random port, so it has another issuer than the first (a
  // real second node shares it): the bootstrap makes the documented issuer change for it.
  else await changeIssuer(db, cfg.issuer, 'test:second-node');
  await seedSandboxAccounts(cfg, db);
  const app = await createApp({ cfg, db, logger: opts.logger ?? createLogger(cfg.logLevel) });
  // With REDIS_URL (test/support/redis.ts): fresh data means none of this run's keys either.
  if (!opts.keepData) await clearRedis(db);
  server.on('request', app.app.callback());
  return {
    issuer, cfg, db, app,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      await app.close();
      await wire?.close();
      if (dataDir && !spare && !opts.keepData) { spare = { db, dataDir }; return; }
      await db.destroy();
      if (dataDir) { rmSync(dataDir, { recursive: true, force: true }); leftAtExit.delete(dataDir); }
    },
  };
}

export async function registerClient(db: Db, metadata: Record<string, unknown>): Promise<void> {
  await new (knexAdapterFactory(db))('Client').upsert(String(metadata.client_id), metadata, 0);
}

export const SANDBOX = {
  citizen2: { username: '001099012345', password: 'Sandbox@2026', phone: '+84912345228' },
  citizen3: { username: '079185000123', password: 'Sandbox@2026', phone: '+84987654321' },
  enterprise: { username: '0100109106', password: 'Sandbox@2026', phone: '+84903123456' },
};
