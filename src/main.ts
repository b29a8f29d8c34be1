// Composition root: config → database → sandbox seed → app → listen.
import { loadConfig, ConfigError } from './config/index.ts';
import { createDb, migrate } from './db/knex.ts';
import { describeEndpoint, isFolderBusy } from './db/folder-lock.ts';
import { createApp } from './app.ts';
import { precompileViews } from './web/render.ts';
import { IssuerMismatchError } from './provider/issuer-guard.ts';
import { cleanupExpired } from './provider/adapter.ts';
import { purgeClosedAccounts, purgeOldAuditEvents } from './identity/close-account.ts';
import { seedSandboxAccounts } from './sandbox/seed.ts';
import { createLogger } from './shared/logger.ts';

async function main(): Promise<void> {
  let cfg;
  try {
    cfg = loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`Refusing to start: ${e.message}\n`);
      process.exit(2);
    }
    throw e;
  }
  const logger = createLogger(cfg.logLevel);
  if (cfg.mode === 'sandbox') logger.warn('SANDBOX MODE: sandbox connectors, example secrets and test accounts are on. Never use this mode with real people.');
  let db;
  try {
    db = await createDb(cfg);
  } catch (e) {
    if (isFolderBusy(e)) {
      process.stderr.write(`Refusing to start: ${e.message}. Stop it, or give this server another DATA_DIR.\n`);
      process.exit(2);
    }
    throw e;
  }
  // The embedded database has one process, this one: the CLI and psql reach it through us.
  const wire = cfg.databaseUrl ? undefined : await (await import('./db/wire-server.ts')).serveEmbeddedDatabase(db, {
    dataDir: cfg.dataDir, port: cfg.embeddedDbPort, onWarning: (msg, fields) => logger.warn(msg, fields),
  });
  if (wire) logger.info('embedded database served to the CLI and psql', { at: describeEndpoint(wire.endpoint), psql: `psql -h ${wire.endpoint.host} -p ${wire.endpoint.port} -U postgres postgres` });
  await migrate(db);
  if (cfg.sandbox) await seedSandboxAccounts(cfg, db);
  const { app, close } = await createApp({ cfg, db, logger }).catch(async (e: unknown) => {
    if (!(e instanceof IssuerMismatchError)) throw e;
    process.stderr.write(`Refusing to start: ${e.message}\n`);
    await db.destroy();
    process.exit(2);
  });
  // Every node runs the cleanup; it is idempotent, so no leader is needed.
  const cleanup = async () => {
    await cleanupExpired(db);
    const purged = await purgeClosedAccounts(db, cfg.closedAccountRetentionDays);
    if (purged) logger.info('closed accounts past retention purged', { purged });
    await purgeOldAuditEvents(db, cfg.auditRetentionDays);
  };
  const timer = setInterval(() => { cleanup().catch((e: unknown) => logger.error('cleanup failed', { error: String(e) })); }, 600_000);
  timer.unref();
  precompileViews();
  const server = app.listen(cfg.port, cfg.host, () => {
    logger.info('DVC ID listening', { startPage: `${cfg.issuer}/`, issuer: cfg.issuer, port: cfg.port, database: cfg.databaseUrl ? 'postgresql' : `embedded (${cfg.dataDir})` });
  });
  // Rolling deploys: stop accepting, let requests in flight finish (10 s at most), then close the pools.
  const stop = () => {
    logger.info('stopping');
    server.close(() => { void close().then(() => wire?.close()).then(() => db.destroy()).then(() => process.exit(0)); });
    server.closeIdleConnections();
    setTimeout(() => server.closeAllConnections(), 10_000).unref();
    // A pool that never drains must not keep a node from leaving: the orchestrator would kill it anyway, later.
    setTimeout(() => { logger.error('shutdown took over 20 s, exiting'); process.exit(1); }, 20_000).unref();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

await main();
