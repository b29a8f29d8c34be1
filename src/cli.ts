// Operator CLI: `npm run cli -- <command>`. Run with --help for the list.
// Every command says which database it works on (stderr, so stdout stays for scripts). Modules are
// loaded per command: a call stays well under two seconds.
import 'reflect-metadata';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { checkIssuer, ConfigError, loadConfig, type Config } from './config/index.ts';
import { migrate, pendingMigrations, type Db } from './db/knex.ts';
import { openToolDb, ToolDbError } from './db/tool-db.ts';

const HELP = `DVC ID operator commands (npm run cli -- <command>):
  migrate                               apply database migrations (the only command that may create an embedded database)
  clients add --file client.json        register a relying party from standard OIDC client metadata (audited)
  clients list                          list relying parties
  clients remove <client_id>            remove a relying party (audited)
  clients requests list [--all]         registration requests filed on the developer portal (pending ones, or all)
  clients requests approve <id>         create the client a request asks for (audited; prints its secret once)
  clients requests reject <id> --reason TEXT
                                        refuse a request; the integrator sees the reason (audited)
  keys rotate                           new active signing keys; old ones stay published (tokens keep verifying)
  keys prune [--older-than SECONDS]     stop publishing keys retired longer ago (default: the refresh token lifetime)
  accounts create --type citizen|enterprise --level 2|3 --name NAME [--birthdate dd/mm/yyyy]
                  [--cccd N | --cmnd N] [--mst N --organisation NAME] --phone PHONE [--email E]
                  [--password-stdin]    create an account (operators; audited)
  accounts import --file accounts.jsonl [--dry-run] [--resume] [--report FILE] [--batch-size N]
                                        bulk import with legacy password hashes (docs/account-import.md);
                                        the report (default FILE.report.tsv) lists each rejected line
  officers add --cccd N --officer-id ID --post-office CODE
                                        give an account the counter role (the /counter page; audited)
  officers list                         list post-office officers
  officers remove <officer-id>          take the counter role away (audited)
  staff add --cccd N --staff-id ID --office CODE --role support|operator|auditor
                                        give an account a role in the operators' console (/admin; audited)
  staff list                            list staff members and their roles
  staff remove <staff-id> [--role R]    take one role (or every role) away (audited)
  issuer show                           the issuer this database serves (a node with another ISSUER refuses to start)
  issuer set <url>                      move the database to a new issuer: stop every node first, then start them
                                        with ISSUER=<url> (audited; see docs/operations.md)

Database: DATABASE_URL when set; otherwise the embedded database in DATA_DIR (default ./data) —
through the server when one runs on it, else opened directly (never both at once).
`;

const GROUPS = new Set(['migrate', 'clients', 'keys', 'accounts', 'officers', 'staff', 'issuer']);

async function main(argv: string[]): Promise<number> {
  const [group, action, ...rest] = argv;
  if (!group || group === '--help' || group === 'help') { process.stdout.write(HELP); return 0; }
  if (!GROUPS.has(group)) { process.stderr.write(`unknown command\n\n${HELP}`); return 2; }
  let cfg: Config;
  let db: Db;
  try {
    cfg = loadConfig();
    const tool = await openToolDb(cfg, { create: group === 'migrate' });
    db = tool.db;
    process.stderr.write(`database: ${tool.description}\n`);
  } catch (e) {
    if (!(e instanceof ToolDbError || e instanceof ConfigError)) throw e;
    process.stderr.write(`${e.message}\n`);
    return 1;
  }
  try {
    if (group === 'migrate') {
      const done = await migrate(db);
      process.stdout.write(done.length ? `migrations applied: ${done.join(', ')}\n` : 'migrations applied (none were pending)\n');
      return 0;
    }
    // Other commands do not migrate (the server does at start; operators run `migrate`), but they
    // do not run on an old schema either.
    const pending = await pendingMigrations(db);
    if (pending.length) {
      process.stderr.write(`the database is not migrated (${pending.length} pending: ${pending.join(', ')}): run npm run migrate first\n`);
      return 1;
    }
    if (group === 'clients') return await clients(cfg, db, action, rest);
    if (group === 'keys' && action === 'rotate') {
      const { rotateSigningKeys } = await import('./provider/keys.ts');
      await rotateSigningKeys(db, cfg.keyEncryptionSecret);
      process.stdout.write('signing keys rotated; restart every node to sign with the new keys\n');
      return 0;
    }
    if (group === 'keys' && action === 'prune') {
      const [{ pruneRetiredKeys }, { TTL }] = await Promise.all([import('./provider/keys.ts'), import('./provider/configuration.ts')]);
      const { values } = parseArgs({ args: rest, options: { 'older-than': { type: 'string' } } });
      const n = await pruneRetiredKeys(db, Number(values['older-than'] ?? TTL.RefreshToken));
      process.stdout.write(`${n} retired keys removed\n`);
      return 0;
    }
    if (group === 'accounts' && action === 'create') return await createAccountCmd(db, rest);
    if (group === 'accounts' && action === 'import') return await importAccountsCmd(db, rest);
    if (group === 'officers') return await officersCmd(db, action, rest);
    if (group === 'staff') return await staffCmd(db, action, rest);
    if (group === 'issuer') return await issuerCmd(cfg, db, action, rest);
    process.stderr.write(`unknown command\n\n${HELP}`);
    return 2;
  } finally {
    await db.destroy();
  }
}

/** When a running server sees a client change: new ids at once, cached ones after CLIENT_CACHE_SECONDS. */
function takesEffect(cfg: Config, what: string): string {
  return cfg.clientCacheSeconds > 0
    ? `running servers ${what} within CLIENT_CACHE_SECONDS (${cfg.clientCacheSeconds} s in this environment)`
    : `running servers ${what} at once (CLIENT_CACHE_SECONDS=0)`;
}

async function clients(cfg: Config, db: Db, action: string | undefined, rest: string[]): Promise<number> {
  const [{ relyingParties, ClientMetadataError, RequestNotPending, UnknownClient }, { createProvider }, { loadSigningKeys }] = await Promise.all([
    import('./identity/relying-parties.ts'), import('./provider/configuration.ts'), import('./provider/keys.ts')]);
  // The provider's own schema validation: what it would accept at runtime, nothing else.
  const validate = async (m: Record<string, unknown>) => {
    const provider = createProvider(cfg, db, await loadSigningKeys(db, cfg.keyEncryptionSecret));
    await (provider.Client as unknown as { validate(m: unknown): Promise<void> }).validate(m);
  };
  const rps = relyingParties(db, { validate });
  const operator = { kind: 'operator' as const, id: 'cli' };
  try {
    if (action === 'add') {
      const { values } = parseArgs({ args: rest, options: { file: { type: 'string' } } });
      if (!values.file) { process.stderr.write('clients add needs --file client.json\n'); return 2; }
      let metadata: Record<string, unknown>;
      try {
        metadata = JSON.parse(readFileSync(values.file, 'utf8')) as Record<string, unknown>;
      } catch (e) {
        process.stderr.write(`cannot read ${values.file}: ${(e as Error).message}\n`);
        return 1;
      }
      const saved = await rps.save(metadata, operator, { operator: true });
      // A server caches a client it found, never one it did not: a new id works on the next request.
      process.stdout.write(saved.created
        ? `client ${saved.clientId} saved (new: running servers accept it at once)\n`
        : `client ${saved.clientId} saved (updated: ${takesEffect(cfg, 'use the new metadata')})\n`);
      if (saved.clientSecret) process.stdout.write(`client_secret (shown once): ${saved.clientSecret}\n`);
      return 0;
    }
    if (action === 'list') {
      for (const c of await rps.list()) {
        process.stdout.write(`${c.clientId}\t${c.name}\t${JSON.stringify(c.redirectUris)}${c.disabled ? '\tdisabled' : ''}\n`);
      }
      return 0;
    }
    if (action === 'remove' && rest[0]) {
      await rps.remove(rest[0], operator);
      process.stdout.write(`client ${rest[0]} removed (${takesEffect(cfg, 'stop accepting it')})\n`);
      return 0;
    }
    if (action === 'requests') return await clientRequests(rps, operator, rest);
  } catch (e) {
    if (e instanceof ClientMetadataError) { process.stderr.write(`invalid client metadata: ${e.message}\n`); return 1; }
    if (e instanceof UnknownClient || e instanceof RequestNotPending) { process.stderr.write(`${e.message}\n`); return 1; }
    throw e;
  }
  process.stderr.write(HELP);
  return 2;
}

/** Registration requests filed on the developer portal in production mode: an operator decides (audited). */
async function clientRequests(rps: import('./identity/relying-parties.ts').RelyingParties, operator: import('./identity/relying-parties.ts').Actor, rest: string[]): Promise<number> {
  const [sub, id, ...more] = rest;
  if (sub === 'list') {
    const status = id === '--all' ? undefined : 'pending';
    for (const q of await rps.requests.list(status)) {
      process.stdout.write(`${q.id}\t${q.status}\t${q.createdAt.toISOString()}\t${String(q.metadata.client_name ?? '')}\t${JSON.stringify(q.metadata.redirect_uris ?? [])}\t${q.requester}\n`);
    }
    return 0;
  }
  if (sub === 'approve' && id) {
    const { clientId, clientSecret } = await rps.requests.approve(id, operator);
    process.stdout.write(`request ${id} approved: client ${clientId} created\n`);
    if (clientSecret) process.stdout.write(`client_secret (shown once; hand it to the integrator over a secure channel): ${clientSecret}\n`);
    return 0;
  }
  if (sub === 'reject' && id) {
    const { values } = parseArgs({ args: more, options: { reason: { type: 'string' } } });
    if (!values.reason) { process.stderr.write('clients requests reject needs --reason TEXT (the integrator sees it)\n'); return 2; }
    await rps.requests.reject(id, operator, values.reason);
    process.stdout.write(`request ${id} rejected\n`);
    return 0;
  }
  process.stderr.write(HELP);
  return 2;
}

async function createAccountCmd(db: Db, rest: string[]): Promise<number> {
  const [{ createAccount }, { audit }] = await Promise.all([import('./identity/create-account.ts'), import('./identity/audit.ts')]);
  const { values } = parseArgs({
    args: rest,
    options: {
      type: { type: 'string' }, level: { type: 'string' }, name: { type: 'string' }, birthdate: { type: 'string' },
      cccd: { type: 'string' }, cmnd: { type: 'string' }, mst: { type: 'string' }, organisation: { type: 'string' },
      phone: { type: 'string' }, email: { type: 'string' }, 'password-stdin': { type: 'boolean' },
    },
  });
  const password = values['password-stdin'] ? readFileSync(0, 'utf8').replace(/\r?\n$/, '') : undefined;
  type Input = Parameters<typeof createAccount>[1];
  const input: Input = {
    subjectType: values.type as Input['subjectType'], level: values.level as Input['level'],
    fullName: values.name, birthdate: values.birthdate, cccd: values.cccd, cmnd: values.cmnd, mst: values.mst,
    organisationName: values.organisation, phone: values.phone, email: values.email, password,
  };
  const r = await createAccount(db, input);
  if (!r.ok) {
    process.stderr.write(`cannot create the account: ${r.errors.map((e) => `${e.field}: ${e.error}`).join(', ')}\n`);
    return 1;
  }
  await audit(db, { action: 'account.create', accountId: r.accountId, actor: `operator:${process.env.USER ?? 'cli'}`, method: 'cli' });
  process.stdout.write(`account ${r.accountId} created\n`);
  return 0;
}

async function importAccountsCmd(db: Db, rest: string[]): Promise<number> {
  const [{ runImport, ImportError }, { summary, writeReport }, { progressReporter }] = await Promise.all([
    import('./import/run.ts'), import('./import/report.ts'), import('./import/progress.ts'),
  ]);
  const { values } = parseArgs({
    args: rest,
    options: { file: { type: 'string' }, 'dry-run': { type: 'boolean' }, resume: { type: 'boolean' }, report: { type: 'string' }, 'batch-size': { type: 'string' } },
  });
  const batchSize = Number(values['batch-size'] ?? 1000);
  if (!values.file || !Number.isInteger(batchSize) || batchSize < 1 || batchSize > 50_000) {
    process.stderr.write('accounts import needs --file accounts.jsonl (and --batch-size 1..50000)\n');
    return 2;
  }
  const progress = progressReporter(process.stderr);
  try {
    const r = await runImport(db, { file: values.file, dryRun: values['dry-run'], resume: values.resume, batchSize, onBatch: (p) => progress.update(p) });
    progress.stop();
    const report = values.report ?? `${values.file}.report.tsv`;
    writeReport(report, r);
    process.stdout.write(`${summary(r, Boolean(values['dry-run']))}report: ${report}\n`);
    return 0;
  } catch (e) {
    progress.stop();
    if (e instanceof ImportError) { process.stderr.write(`${e.message}\n`); return 1; }
    throw e;
  }
}

async function officersCmd(db: Db, action: string | undefined, rest: string[]): Promise<number> {
  const [{ addOfficer, listOfficers, OFFICER_ID, POST_OFFICE, removeOfficer }, { audit }, { findAccountIdByIdentifier }, { parsePersonalId }] = await Promise.all([
    import('./counter/officers.ts'), import('./identity/audit.ts'), import('./identity/accounts.ts'), import('./identity/identifiers/index.ts'),
  ]);
  const operator = `operator:${process.env.USER ?? 'cli'}`;
  if (action === 'add') {
    const { values } = parseArgs({ args: rest, options: { cccd: { type: 'string' }, 'officer-id': { type: 'string' }, 'post-office': { type: 'string' } } });
    const id = parsePersonalId(values.cccd ?? '');
    const officerId = values['officer-id'] ?? '';
    const postOffice = values['post-office'] ?? '';
    if (!id.ok || !OFFICER_ID.test(officerId) || !POST_OFFICE.test(postOffice)) {
      process.stderr.write('officers add needs --cccd (a valid CCCD/CMND), --officer-id [A-Za-z0-9._-]{1,64} and --post-office [A-Za-z0-9._-]{1,32}\n');
      return 2;
    }
    const accountId = await findAccountIdByIdentifier(db, id.value.type, id.value.value);
    if (!accountId) { process.stderr.write('no account has this ID number: the officer registers first\n'); return 1; }
    await addOfficer(db, { accountId, officerId, postOffice });
    await audit(db, { action: 'officer.add', accountId, actor: operator, method: 'cli', details: { officer: officerId, postOffice } });
    process.stdout.write(`officer ${officerId} (post office ${postOffice}) added\n`);
    return 0;
  }
  if (action === 'list') {
    for (const o of await listOfficers(db)) process.stdout.write(`${o.officerId}\t${o.postOffice}\t${o.accountId}\n`);
    return 0;
  }
  if (action === 'remove' && rest[0]) {
    if (!(await removeOfficer(db, rest[0]))) { process.stderr.write(`no officer ${rest[0]}\n`); return 1; }
    await audit(db, { action: 'officer.remove', actor: operator, method: 'cli', details: { officer: rest[0] } });
    process.stdout.write(`officer ${rest[0]} removed\n`);
    return 0;
  }
  process.stderr.write(HELP);
  return 2;
}

async function staffCmd(db: Db, action: string | undefined, rest: string[]): Promise<number> {
  const [{ grantRole, isRole, listStaff, OFFICE, revokeRole, STAFF_ID }, { audit }, { findAccountIdByIdentifier }, { parsePersonalId }] = await Promise.all([
    import('./admin/staff.ts'), import('./identity/audit.ts'), import('./identity/accounts.ts'), import('./identity/identifiers/index.ts'),
  ]);
  const operator = `operator:${process.env.USER ?? 'cli'}`;
  if (action === 'add') {
    const { values } = parseArgs({ args: rest, options: { cccd: { type: 'string' }, 'staff-id': { type: 'string' }, office: { type: 'string' }, role: { type: 'string' } } });
    const id = parsePersonalId(values.cccd ?? '');
    const staffId = values['staff-id'] ?? '';
    const office = values.office ?? '';
    if (!id.ok || !STAFF_ID.test(staffId) || !OFFICE.test(office) || !isRole(values.role)) {
      process.stderr.write('staff add needs --cccd (a valid CCCD/CMND), --staff-id [A-Za-z0-9._-]{1,64}, --office [A-Za-z0-9._-]{1,64} and --role support|operator|auditor\n');
      return 2;
    }
    const role = values.role;
    const accountId = await findAccountIdByIdentifier(db, id.value.type, id.value.value);
    if (!accountId) { process.stderr.write('no account has this ID number: the staff member registers first (at level 3, with a SIM or USB signature)\n'); return 1; }
    const taken = await db('staff_members').where({ staff_id: staffId }).whereNot({ account_id: accountId }).first('account_id');
    if (taken) { process.stderr.write(`staff id ${staffId} belongs to another account\n`); return 1; }
    await db.transaction(async (trx) => {
      await grantRole(trx, { accountId, staffId, office }, role);
      await audit(trx, { action: 'staff.role_add', accountId, actor: operator, method: 'cli', details: { staff: staffId, office, role } });
    });
    process.stdout.write(`staff ${staffId} (office ${office}) has the role ${role}\n`);
    return 0;
  }
  if (action === 'list') {
    for (const m of await listStaff(db)) process.stdout.write(`${m.staffId}\t${m.office}\t${m.roles.join(',')}\t${m.accountId}\n`);
    return 0;
  }
  if (action === 'remove' && rest[0] && !rest[0].startsWith('-')) {
    const { values } = parseArgs({ args: rest.slice(1), options: { role: { type: 'string' } } });
    if (values.role !== undefined && !isRole(values.role)) { process.stderr.write('--role is support, operator or auditor\n'); return 2; }
    const role = values.role;
    const staffId = rest[0];
    const done = await db.transaction(async (trx) => {
      const r = await revokeRole(trx, staffId, role);
      if (r) await audit(trx, { action: 'staff.role_remove', accountId: r.accountId, actor: operator, method: 'cli', details: { staff: staffId, role: role ?? 'all' } });
      return r;
    });
    if (!done) { process.stderr.write(`no staff member ${staffId}\n`); return 1; }
    process.stdout.write(`staff ${staffId}: ${role ? `role ${role}` : 'every role'} removed\n`);
    return 0;
  }
  process.stderr.write(HELP);
  return 2;
}

async function issuerCmd(cfg: Config, db: Db, action: string | undefined, rest: string[]): Promise<number> {
  const { changeIssuer, recordedIssuer } = await import('./provider/issuer-guard.ts');
  if (action === 'show') {
    process.stdout.write(`${(await recordedIssuer(db)) ?? '(none yet: the first node to start records its ISSUER)'}\n`);
    return 0;
  }
  if (action === 'set' && rest[0]) {
    let issuer: string;
    try {
      issuer = checkIssuer(rest[0], cfg.mode);
    } catch (e) {
      if (e instanceof ConfigError) { process.stderr.write(`${e.message}\n`); return 2; }
      throw e;
    }
    const before = await changeIssuer(db, issuer, `operator:${process.env.USER ?? 'cli'}`);
    process.stdout.write(`issuer changed from ${before ?? '(none)'} to ${issuer}: start every node with ISSUER=${issuer}\n`);
    return 0;
  }
  process.stderr.write(HELP);
  return 2;
}

process.exitCode = await main(process.argv.slice(2));
