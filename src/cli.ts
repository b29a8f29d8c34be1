// Operator CLI: `npm run cli -- <command>`. Run with --help for the list.
import 'reflect-metadata';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { checkIssuer, ConfigError, loadConfig } from './config/index.ts';
import { createDb, jsonColumn, migrate } from './db/knex.ts';
import { knexAdapterFactory } from './provider/adapter.ts';
import { createProvider, TTL } from './provider/configuration.ts';
import { loadSigningKeys, pruneRetiredKeys, rotateSigningKeys } from './provider/keys.ts';
import { createAccount, type CreateAccountInput } from './identity/create-account.ts';
import { audit } from './identity/audit.ts';
import { findAccountIdByIdentifier } from './identity/accounts.ts';
import { parsePersonalId } from './identity/identifiers/index.ts';
import { changeIssuer, recordedIssuer } from './provider/issuer-guard.ts';
import { addOfficer, listOfficers, OFFICER_ID, POST_OFFICE, removeOfficer } from './counter/officers.ts';

const HELP = `DVC ID operator commands (npm run cli -- <command>):
  migrate                               apply database migrations
  clients add --file client.json        register a relying party from standard OIDC client metadata
  clients list                          list relying parties
  clients remove <client_id>            remove a relying party
  keys rotate                           new active signing keys; old ones stay published (tokens keep verifying)
  keys prune [--older-than SECONDS]     stop publishing keys retired longer ago (default: the refresh token lifetime)
  accounts create --type citizen|enterprise --level 2|3 --name NAME [--birthdate dd/mm/yyyy]
                  [--cccd N | --cmnd N] [--mst N --organisation NAME] --phone PHONE [--email E]
                  [--password-stdin]    create an account (operators; audited)
  officers add --cccd N --officer-id ID --post-office CODE
                                        give an account the counter role (the /counter page; audited)
  officers list                         list post-office officers
  officers remove <officer-id>          take the counter role away (audited)
  issuer show                           the issuer this database serves (a node with another ISSUER refuses to start)
  issuer set <url>                      move the database to a new issuer: stop every node first, then start them
                                        with ISSUER=<url> (audited; see docs/operations.md)
`;

async function main(argv: string[]): Promise<number> {
  const [group, action, ...rest] = argv;
  if (!group || group === '--help' || group === 'help') { process.stdout.write(HELP); return 0; }
  const cfg = loadConfig();
  const db = createDb(cfg);
  try {
    await migrate(db);
    if (group === 'migrate') { process.stdout.write('migrations applied\n'); return 0; }
    if (group === 'clients') return await clients(cfg, db, action, rest);
    if (group === 'keys' && action === 'rotate') {
      await rotateSigningKeys(db, cfg.keyEncryptionSecret);
      process.stdout.write('signing keys rotated; restart every node to sign with the new keys\n');
      return 0;
    }
    if (group === 'keys' && action === 'prune') {
      const { values } = parseArgs({ args: rest, options: { 'older-than': { type: 'string' } } });
      const n = await pruneRetiredKeys(db, Number(values['older-than'] ?? TTL.RefreshToken));
      process.stdout.write(`${n} retired keys removed\n`);
      return 0;
    }
    if (group === 'accounts' && action === 'create') return await createAccountCmd(db, rest);
    if (group === 'officers') return await officersCmd(db, action, rest);
    if (group === 'issuer') return await issuerCmd(cfg, db, action, rest);
    process.stderr.write(`unknown command\n\n${HELP}`);
    return 2;
  } finally {
    await db.destroy();
  }
}

async function clients(cfg: ReturnType<typeof loadConfig>, db: ReturnType<typeof createDb>, action: string | undefined, rest: string[]): Promise<number> {
  const store = new (knexAdapterFactory(db))('Client');
  if (action === 'add') {
    const { values } = parseArgs({ args: rest, options: { file: { type: 'string' } } });
    if (!values.file) { process.stderr.write('clients add needs --file client.json\n'); return 2; }
    const metadata = JSON.parse(readFileSync(values.file, 'utf8')) as Record<string, unknown>;
    const provider = createProvider(cfg, db, await loadSigningKeys(db, cfg.keyEncryptionSecret));
    try {
      // The provider's own schema validation: what it would accept at runtime, nothing else.
      await (provider.Client as unknown as { validate(m: unknown): Promise<void> }).validate(metadata);
    } catch (e) {
      const err = e as { error?: string; error_description?: string; message: string };
      process.stderr.write(`invalid client metadata: ${err.error_description ?? err.message}\n`);
      return 1;
    }
    await store.upsert(String(metadata.client_id), metadata, 0);
    process.stdout.write(`client ${String(metadata.client_id)} saved\n`);
    return 0;
  }
  if (action === 'list') {
    const rows = await db('oidc_models').where({ kind: 'Client' }).orderBy('id');
    for (const r of rows) {
      const m = jsonColumn<Record<string, unknown>>(r.payload);
      process.stdout.write(`${String(r.id)}\t${String(m.client_name ?? '')}\t${JSON.stringify(m.redirect_uris ?? [])}\n`);
    }
    return 0;
  }
  if (action === 'remove' && rest[0]) {
    await store.destroy(rest[0]);
    process.stdout.write(`client ${rest[0]} removed\n`);
    return 0;
  }
  process.stderr.write(HELP);
  return 2;
}

async function createAccountCmd(db: ReturnType<typeof createDb>, rest: string[]): Promise<number> {
  const { values } = parseArgs({
    args: rest,
    options: {
      type: { type: 'string' }, level: { type: 'string' }, name: { type: 'string' }, birthdate: { type: 'string' },
      cccd: { type: 'string' }, cmnd: { type: 'string' }, mst: { type: 'string' }, organisation: { type: 'string' },
      phone: { type: 'string' }, email: { type: 'string' }, 'password-stdin': { type: 'boolean' },
    },
  });
  const password = values['password-stdin'] ? readFileSync(0, 'utf8').replace(/\r?\n$/, '') : undefined;
  const input: CreateAccountInput = {
    subjectType: values.type as CreateAccountInput['subjectType'], level: values.level as CreateAccountInput['level'],
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

async function officersCmd(db: ReturnType<typeof createDb>, action: string | undefined, rest: string[]): Promise<number> {
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

async function issuerCmd(cfg: ReturnType<typeof loadConfig>, db: ReturnType<typeof createDb>, action: string | undefined, rest: string[]): Promise<number> {
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
