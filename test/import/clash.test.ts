// The unique ID numbers while an import runs: a registration that takes one between the import's
// duplicate check and its insert (the batch is refused by the unique index, then checked again), and
// BHXH codes, unique too, that another account or an earlier line already holds.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { runImport } from '../../src/import/run.ts';
import type { TestServer } from '../support/server.ts';
import { bulkLines, importSuite } from './sample.ts';

describe('accounts import: unique ID numbers', function () {
  this.timeout(240_000);
  let s: TestServer;
  let dir: string;
  importSuite('dvc-import-clash-', (server, folder) => { s = server; dir = folder; });

  it('a registration that takes an ID number during the batch: the batch is read again, that row is already present', async function () {
    // PGlite is one session: no registration can commit inside the import's transaction there.
    if (!s.cfg.databaseUrl) this.skip();
    const file = path.join(dir, 'clash.jsonl');
    const lines = bulkLines(3, 7000);
    writeFileSync(file, `${lines.join('\n')}\n`);
    const cccd = (JSON.parse(lines[1]!) as { cccd: string }).cccd;

    // The registration's transaction has inserted the person and not committed yet: the import's
    // duplicate check cannot see it, and its insert waits on the unique index for that transaction.
    const registration = await s.db.transaction();
    const registered = randomUUID();
    await registration('accounts').insert({ id: registered, subject_type: 'citizen', level: 2, full_name: 'Người Đăng Ký', birthdate: '1990-01-01' });
    await registration('identifiers').insert({ account_id: registered, type: 'cccd', value: cccd, verified: true, primary: true });
    const running = runImport(s.db, { file, batchSize: 10 });
    const blocked = async () => Number((await s.db.raw(
      `select count(*) as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock' and query ilike 'copy%'`)).rows[0].n);
    while (!(await blocked())) await new Promise((r) => setTimeout(r, 20));
    await registration.commit(); // the import's insert now fails on the unique index (23505)

    const r = await running;
    assert.deepEqual(r.counts, { read: 3, imported: 2, already_present: 1, rejected: {} });
    const holders = await s.db('identifiers').where({ type: 'cccd', value: cccd }).select('account_id');
    assert.deepEqual(holders.map((h) => h.account_id), [registered], 'one account for the person: the registered one');
    assert.equal((await s.db('accounts').where({ id: registered }).first('import_ref')).import_ref, null);
    for (const other of [lines[0]!, lines[2]!]) {
      assert.ok(await s.db('identifiers').where({ type: 'cccd', value: (JSON.parse(other) as { cccd: string }).cccd }).first(), 'the other rows are in');
    }
  });

  it('a BHXH code held by another account, or by an earlier line, is refused with a reason, on every run alike', async () => {
    const withBhxh = (line: string, bhxh: string) => JSON.stringify({ ...JSON.parse(line), bhxh });
    const first = path.join(dir, 'bhxh-first.jsonl');
    writeFileSync(first, `${withBhxh(bulkLines(1, 7100)[0]!, '0190007100')}\n`);
    assert.equal((await runImport(s.db, { file: first })).counts.imported, 1);

    const file = path.join(dir, 'bhxh.jsonl');
    const [a, b, c] = bulkLines(3, 7200);
    writeFileSync(file, `${[withBhxh(a!, '0190007100'), withBhxh(b!, '0190007201'), withBhxh(c!, '0190007201')].join('\n')}\n`);
    const expected = ['1\tbhxh:duplicate', '3\tduplicate_in_file:line_2'];
    const r = await runImport(s.db, { file, batchSize: 10 });
    assert.deepEqual(r.counts, { read: 3, imported: 1, already_present: 0, rejected: { 'bhxh:duplicate': 1, 'duplicate_in_file:line_2': 1 } });
    assert.deepEqual(r.rejections!.map((x) => `${x.line}\t${x.reason}`), expected);
    // Again, the same reasons; nothing written.
    const again = await runImport(s.db, { file, batchSize: 1 });
    assert.deepEqual(again.counts, { read: 3, imported: 0, already_present: 1, rejected: { 'bhxh:duplicate': 1, 'duplicate_in_file:line_2': 1 } });
    assert.deepEqual(again.rejections!.map((x) => `${x.line}\t${x.reason}`), expected);
  });
});
