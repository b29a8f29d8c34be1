// The bulk import: stream the file, validate each row, write batches of rows in one transaction each
// (COPY on PostgreSQL, multi-row inserts on the embedded database: src/db/bulk-insert.ts), remember the last committed line (--resume), and account for every line read.
import { createHash, randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import path from 'node:path';
import type { Db } from '../db/knex.ts';
import { jsonColumn } from '../db/knex.ts';
import { bulkInsert, type BulkValue } from '../db/bulk-insert.ts';
import type { IdentifierType } from '../identity/accounts.ts';
import { DUPLICATE_TYPES } from '../identity/create-account.ts';
import { PASSWORD_CREDENTIAL, type PasswordConfig } from '../identity/passwords.ts';
import { legalIds, parseRow, type ImportRow, type RowResult } from './row.ts';

export interface ImportOptions {
  file: string;
  dryRun?: boolean;
  resume?: boolean;
  batchSize?: number;
  onBatch?: (p: Progress) => void;
}
export interface Progress { linesRead: number; bytesRead: number; bytesTotal: number }
/** read = imported + already_present + Σ rejected. */
export interface Counts { read: number; imported: number; already_present: number; rejected: Record<string, number> }
export interface ImportResult { runId: string; counts: Counts; resumedAfter: number; rejections: { line: number; reason: string }[] | undefined }

export class ImportError extends Error {}

async function sha256Of(file: string): Promise<{ hash: string; size: number }> {
  const h = createHash('sha256');
  let size = 0;
  for await (const chunk of createReadStream(file)) { h.update(chunk as Buffer); size += (chunk as Buffer).length; }
  return { hash: h.digest('hex'), size };
}

const emptyCounts = (): Counts => ({ read: 0, imported: 0, already_present: 0, rejected: {} });
const reject = (c: Counts, reason: string) => { c.rejected[reason] = (c.rejected[reason] ?? 0) + 1; };

export async function runImport(db: Db, o: ImportOptions): Promise<ImportResult> {
  const batchSize = o.batchSize ?? 1000;
  const { hash: fileHash, size } = await sha256Of(o.file).catch((e: Error) => { throw new ImportError(`cannot read ${o.file}: ${e.message}`); });
  if (o.dryRun) {
    // One transaction rolled back at the end: the same checks as a real run, nothing written.
    let result: ImportResult | undefined;
    await db.transaction(async (trx) => {
      result = await importInto(trx, o, fileHash, size, batchSize);
      await trx.rollback();
    }).catch((e: unknown) => { if (!result) throw e; });
    return result!;
  }
  return importInto(db, o, fileHash, size, batchSize);
}

async function importInto(db: Db, o: ImportOptions, fileHash: string, size: number, batchSize: number): Promise<ImportResult> {
  let runId: string;
  let counts = emptyCounts();
  let after = 0;
  const previous = o.resume
    ? await db('import_runs').where({ file_sha256: fileHash }).whereNull('finished_at').orderBy('started_at', 'desc').first()
    : undefined;
  if (o.resume && !previous) throw new ImportError('no unfinished import of this file to resume (the file changed, or the last run finished)');
  if (previous) {
    runId = previous.id as string;
    after = Number(previous.lines_committed);
    counts = { ...emptyCounts(), ...jsonColumn<Counts>(previous.counts) };
  } else {
    runId = randomUUID();
    await db('import_runs').insert({ id: runId, file_sha256: fileHash, file_name: path.basename(o.file), counts: JSON.stringify(counts) });
  }

  const rl = createInterface({ input: createReadStream(o.file), crlfDelay: Infinity });
  let lineNo = 0;
  let bytes = 0;
  let batch: Parsed[] = [];
  // One batch is written while the next is read and validated: the database and this process work at
  // once. A batch starts only after the previous one committed (its duplicate check reads that one).
  let inFlight: Promise<void> = Promise.resolve();
  const flush = async () => {
    if (!batch.length) return;
    const lines = batch;
    const at: Progress = { linesRead: lines[lines.length - 1]!.line, bytesRead: bytes, bytesTotal: size };
    batch = [];
    await inFlight;
    inFlight = writeBatch(db, runId, fileHash, lines, counts).then((c) => { counts = c; o.onBatch?.(at); });
    inFlight.catch(() => {}); // awaited at the next flush; no unhandled rejection while reading meanwhile
  };
  for await (const text of rl) {
    lineNo++;
    bytes += Buffer.byteLength(text) + 1;
    if (lineNo <= after) continue;
    batch.push({ line: lineNo, result: parseRow(text) });
    if (batch.length >= batchSize) await flush();
  }
  await flush();
  await inFlight;
  await db('import_runs').where({ id: runId }).update({ finished_at: db.fn.now() });
  const rejections = (await db('import_rejections').where({ run_id: runId }).orderBy('line').select('line', 'reason'))
    .map((r: { line: number; reason: string }) => ({ line: Number(r.line), reason: r.reason }));
  return { runId, counts, resumedAfter: after, rejections };
}

type Parsed = { line: number; result: RowResult };
type Pending = { line: number; row: ImportRow };

/** The identifiers no two accounts share (index identifiers_unique_legal): the duplicate rule's ID numbers first, then the BHXH code. */
const UNIQUE_TYPES: readonly IdentifierType[] = [...DUPLICATE_TYPES, 'bhxh'];
const uniqueKeys = (row: ImportRow) => [...legalIds(row, DUPLICATE_TYPES), ...legalIds(row, ['bhxh'])].map((i) => `${i.type}:${i.value}`);

/** One batch in one transaction: its accounts, their identifiers and passwords, its rejections, where the run stands. */
async function writeBatch(db: Db, runId: string, fileHash: string, lines: Parsed[], before: Counts): Promise<Counts> {
  for (let attempt = 0; ; attempt++) {
    const counts: Counts = { ...before, rejected: { ...before.rejected } };
    try {
      await db.transaction(async (trx) => {
        const rejections: BulkValue[][] = [];
        const refuse = (line: number, reason: string) => { reject(counts, reason); rejections.push([runId, line, reason]); };
        const valid: Pending[] = [];
        for (const l of lines) {
          counts.read++;
          if (l.result.ok) valid.push({ line: l.line, row: l.result.row }); else refuse(l.line, l.result.reason);
        }
        // The accounts holding one of the rows' ID numbers or BHXH codes. One `value = any(…)` per type:
        // a list of (type, value) pairs plans as thousands of OR branches.
        const existing = new Map<string, string | null>();
        for (const type of UNIQUE_TYPES) {
          const values = valid.flatMap((p) => legalIds(p.row, [type]).map((i) => i.value));
          if (!values.length) continue;
          const found = await trx('identifiers as i').join('accounts as a', 'a.id', 'i.account_id')
            .where('i.type', type).whereRaw('i.value = any(?::text[])', [values]).select('i.value', 'a.import_ref');
          for (const f of found as { value: string; import_ref: string | null }[]) existing.set(`${type}:${f.value}`, f.import_ref);
        }
        const seen = new Map<string, number>();
        const fresh: Pending[] = [];
        for (const p of valid) {
          const keys = uniqueKeys(p.row);
          const hit = keys.find((k) => existing.has(k));
          if (hit) {
            // Its own row from an earlier run of this file is "already present"; another line's is a duplicate in the file.
            const [refFile, refLine] = (existing.get(hit) ?? '').split(':');
            if (refFile === fileHash && Number(refLine) !== p.line) refuse(p.line, `duplicate_in_file:line_${refLine}`);
            // The person has an account; a BHXH code alone held by another account is that account's.
            else if (refFile === fileHash || !hit.startsWith('bhxh:')) counts.already_present++;
            else refuse(p.line, 'bhxh:duplicate');
            continue;
          }
          const dup = keys.map((k) => seen.get(k)).find((n) => n !== undefined);
          if (dup !== undefined) { refuse(p.line, `duplicate_in_file:line_${dup}`); continue; }
          for (const k of keys) seen.set(k, p.line);
          fresh.push(p);
        }
        await insertAccounts(trx, fileHash, fresh);
        counts.imported += fresh.length;
        await bulkInsert(trx, 'import_rejections', ['run_id', 'line', 'reason'], rejections);
        await trx('import_runs').where({ id: runId }).update({ lines_committed: lines[lines.length - 1]!.line, counts: JSON.stringify(counts) });
      });
      return counts;
    } catch (e) {
      // A registration took one of these ID numbers between the check and the insert (the unique index
      // refused the batch): the batch is checked again, and that row is then already present.
      if ((e as { code?: string }).code !== '23505' || attempt >= 2) throw e;
    }
  }
}

async function insertAccounts(trx: Db, fileHash: string, rows: Pending[]): Promise<void> {
  const importedAt = new Date().toISOString();
  const accounts: BulkValue[][] = [];
  const identifiers: BulkValue[][] = [];
  const credentials: BulkValue[][] = [];
  for (const { line, row } of rows) {
    const id = randomUUID();
    accounts.push([id, row.subjectType, row.level, row.status, row.fullName ?? null, row.birthdate ?? null, row.organisationName ?? null,
      row.createdAt, importedAt, `${fileHash}:${line}`, row.proof]);
    const primary = new Set<string>();
    for (const i of row.ids) {
      identifiers.push([id, i.type, i.value, i.verified, !primary.has(i.type)]);
      primary.add(i.type);
    }
    if (row.password) {
      const config: PasswordConfig = { hash: row.password.hash, changedAt: row.createdAt, hashType: row.password.type, importedAt };
      credentials.push([randomUUID(), id, PASSWORD_CREDENTIAL, JSON.stringify(config), row.createdAt]);
    }
  }
  await bulkInsert(trx, 'accounts', ['id', 'subject_type', 'level', 'status', 'full_name', 'birthdate', 'organisation_name', 'created_at', 'updated_at', 'import_ref', 'level_proof'], accounts);
  await bulkInsert(trx, 'identifiers', ['account_id', 'type', 'value', 'verified', 'primary'], identifiers);
  await bulkInsert(trx, 'credentials', ['id', 'account_id', 'type', 'config', 'created_at'], credentials);
}
