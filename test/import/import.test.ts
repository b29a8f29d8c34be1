// Bulk import (issue 17) on both databases: the mixed file and its report line by line, a second
// import and a dry run that change nothing, an import killed mid-way and resumed to the same end state.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { runImport } from '../../src/import/run.ts';
import { writeReport } from '../../src/import/report.ts';
import { jsonColumn } from '../../src/db/knex.ts';
import type { PasswordConfig } from '../../src/identity/passwords.ts';
import type { TestServer } from '../support/server.ts';
import { bulkLines, importSuite, mixedFile } from './sample.ts';

/** Everything an import writes, without the random ids and clocks: two runs compare equal or not. */
export async function snapshot(s: TestServer): Promise<string> {
  const accounts = await s.db('accounts').whereNotNull('import_ref').orderBy('import_ref')
    .select('id', 'import_ref', 'subject_type', 'level', 'level_proof', 'status', 'full_name', 'birthdate', 'organisation_name', 'created_at');
  const out: unknown[] = [];
  for (const a of accounts) {
    const ids = await s.db('identifiers').where({ account_id: a.id }).orderBy(['type', 'value']).select('type', 'value', 'verified', 'primary');
    const creds = (await s.db('credentials').where({ account_id: a.id }).select('type', 'config')).map((c) => {
      const { importedAt: _, ...config } = jsonColumn<PasswordConfig>(c.config);
      return { type: c.type, config };
    });
    out.push({ ...a, id: undefined, created_at: new Date(a.created_at).toISOString(), ids, creds });
  }
  const rejections = await s.db('import_rejections').orderBy('line').select('line', 'reason');
  return JSON.stringify({ out, rejections });
}

function cliEnv(s: TestServer): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: 'silent' };
  if (s.cfg.databaseUrl) env.DATABASE_URL = s.cfg.databaseUrl; else { delete env.DATABASE_URL; env.DATA_DIR = s.cfg.dataDir; }
  return env;
}
const CLI = [process.execPath, '--import', 'tsx', 'src/cli.ts', 'accounts', 'import'] as const;

/** Asynchronously: on the embedded database the CLI reaches it through this very process. */
function cli(s: TestServer, args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const child = spawn(CLI[0], [...CLI.slice(1), ...args], { env: cliEnv(s), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
  child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
  return new Promise((resolve) => child.once('exit', (status) => resolve({ status, stdout, stderr })));
}

describe('accounts import', function () {
  this.timeout(240_000);
  let s: TestServer;
  let dir: string;
  importSuite('dvc-import-', (server, folder) => { s = server; dir = folder; });

  it('imports the mixed file: every rejected line in the report with its reason, and the count adds up', async () => {
    const file = path.join(dir, 'mixed.jsonl');
    const m = await mixedFile(file);
    const r = await runImport(s.db, { file, batchSize: 4 });
    const report = path.join(dir, 'mixed.report.tsv');
    writeReport(report, r);
    assert.deepEqual(readFileSync(report, 'utf8').trimEnd().split('\n'), ['line\treason', ...m.expected.report]);
    assert.equal(r.counts.read, m.lines.length);
    assert.equal(r.counts.imported, m.expected.imported);
    assert.equal(r.counts.already_present, m.expected.already);
    assert.equal(r.counts.read, r.counts.imported + r.counts.already_present + Object.values(r.counts.rejected).reduce((a, b) => a + b, 0));

    // Normalised like a registration: the phone in E.164, the name in NFC, the BHXH card's last ten digits.
    const ids = async (cccd: string) => {
      const row = await s.db('identifiers').where({ type: 'cccd', value: cccd }).first('account_id');
      return { account: await s.db('accounts').where({ id: row.account_id }).first(), ids: await s.db('identifiers').where({ account_id: row.account_id }) };
    };
    const third = await ids('001185000103');
    assert.equal(third.account.full_name, 'Nguyễn Văn Cường'.normalize('NFC'));
    assert.equal(third.ids.find((i: { type: string }) => i.type === 'phone').value, '+84912345103');
    const fourth = await ids('001085000104');
    assert.deepEqual(fourth.ids.map((i: { type: string; value: string }) => `${i.type}:${i.value}`).sort(), ['bhxh:0123456789', 'cccd:001085000104', 'cmnd:012345678', 'phone:+84912345104']);
    const fifth = await ids('001085000105');
    assert.equal(fifth.account.level, 3);
    assert.equal(fifth.account.level_proof, 'usb');
    const [cred] = await s.db('credentials').where({ account_id: fifth.account.id });
    assert.equal(jsonColumn<PasswordConfig>(cred.config).hashType, 'argon2');
    assert.equal(new Date(fifth.account.created_at).toISOString(), '2019-03-04T08:00:00.000Z');
  });

  it('the same file imported again changes nothing: every row it wrote is already present', async () => {
    const file = path.join(dir, 'mixed.jsonl');
    const before = await snapshot(s);
    const accounts = Number((await s.db('accounts').count({ n: '*' }))[0]!.n);
    const r = await runImport(s.db, { file, batchSize: 7 });
    assert.equal(r.counts.imported, 0);
    assert.equal(r.counts.already_present, 8);
    assert.deepEqual(r.rejections!.map((x) => `${x.line}\t${x.reason}`), (await mixedFile(path.join(dir, 'again.jsonl'))).expected.report);
    assert.equal(Number((await s.db('accounts').count({ n: '*' }))[0]!.n), accounts);
    // The first run's rejections plus the second's (same lines): accounts and credentials untouched.
    assert.equal(JSON.parse(await snapshot(s)).out.length, JSON.parse(before).out.length);
    assert.deepEqual(JSON.parse(await snapshot(s)).out, JSON.parse(before).out);
  });

  it('--dry-run reports what it would do and writes nothing', async () => {
    const file = path.join(dir, 'dry.jsonl');
    writeFileSync(file, `${bulkLines(30, 500).join('\n')}\n`);
    const tables = ['accounts', 'identifiers', 'credentials', 'import_runs', 'import_rejections'];
    const count = async () => Promise.all(tables.map(async (t) => Number((await s.db(t).count({ n: '*' }))[0]!.n)));
    const before = await count();
    const run = await cli(s, ['--file', file, '--dry-run', '--batch-size', '7', '--report', path.join(dir, 'dry.tsv')]);
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /^dry run \(nothing written\): read 30 = imported 30 \+ already present 0 \+ rejected 0$/m);
    assert.deepEqual(await count(), before);
  });

  it('an import killed after a batch and resumed ends exactly like an uninterrupted one', async () => {
    const file = path.join(dir, 'big.jsonl');
    const lines = bulkLines(400, 1000);
    lines[150] = '{oops'; // a rejection on each side of the interruption
    lines[10] = lines[5]!; // and a duplicate
    writeFileSync(file, `${lines.join('\n')}\n`);
    const args = ['--file', file, '--batch-size', '5', '--report', path.join(dir, 'big.tsv')];
    await s.db('import_rejections').del();

    const child = spawn(CLI[0], [...CLI.slice(1), ...args], { env: cliEnv(s), stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    await new Promise<void>((resolve, reject) => {
      child.stderr.on('data', (d: Buffer) => {
        err += d.toString();
        if (/committed through line \d+/.test(err)) { child.kill('SIGKILL'); resolve(); }
      });
      child.once('exit', () => reject(new Error(`the import ended before it was killed:\n${err}`)));
    });
    await new Promise((r) => child.once('exit', r));
    const committed = Number((await s.db('import_runs').whereNull('finished_at').first('lines_committed')).lines_committed);
    assert.ok(committed > 0 && committed < 400, `killed mid-way (after line ${committed})`);
    const resumed = await cli(s, [...args, '--resume']);
    assert.equal(resumed.status, 0, resumed.stderr);
    assert.match(resumed.stdout, new RegExp(`read 400 = imported 398 \\+ already present 0 \\+ rejected 2\\n[^]*resumed after line ${committed}`));
    assert.deepEqual(readFileSync(path.join(dir, 'big.tsv'), 'utf8').split('\n').slice(1, 3), ['11\tduplicate_in_file:line_6', '151\tjson']);
    const interrupted = await snapshot(s);

    // The same file from scratch, in one go.
    await s.db('accounts').whereLike('import_ref', `${(await s.db('import_runs').first('file_sha256').where({ file_name: 'big.jsonl' })).file_sha256}:%`).del();
    await s.db('import_runs').where({ file_name: 'big.jsonl' }).del();
    const whole = await cli(s, args);
    assert.equal(whole.status, 0, whole.stderr);
    assert.equal(await snapshot(s), interrupted);
  });
});
