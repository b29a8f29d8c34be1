// The bulk import: stream the file, validate each row, write batches of rows in one transaction each
// (multi-row inserts), remember the last committed line (--resume), and account for every line read.
import { createHash, randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import path from 'node:path';
import type { Db } from '../db/knex.ts';
import { jsonColumn } from '../db/knex.ts';
import { DUPLICATE_TYPES } from '../identity/create-account.ts';
import { PASSWORD_CREDENTIAL, type PasswordConfig } from '../identity/passwords.ts';
import { legalIds, parseRow, type ImportRow } from './row.ts';

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
  let batch: { line: number; text: string }[] = [];
  const flush = async () => {
    if (!batch.length) return;
    const last = batch[batch.length - 1]!.line;
    counts = await writeBatch(db, runId, fileHash, batch, counts);
    batch = [];
    o.onBatch?.({ linesRead: last, bytesRead: bytes, bytesTotal: size });
  };
  for await (const text of rl) {
    lineNo++;
    bytes += Buffer.byteLength(text) + 1;
    if (lineNo <= after) continue;
    batch.push({ line: lineNo, text });
    if (batch.length >= batchSize) await flush();
  }
  await flush();
  await db('import_runs').where({ id: runId }).update({ finished_at: db.fn.now() });
  const rejections = (await db('import_rejections').where({ run_id: runId }).orderBy('line').select('line', 'reason'))
    .map((r: { line: number; reason: string }) => ({ line: Number(r.line), reason: r.reason }));
  return { runId, counts, resumedAfter: after, rejections };
}

type Pending = { line: number; row: ImportRow };

/** One batch in one transaction: its accounts, their identifiers and passwords, its rejections, where the run stands. */
async function writeBatch(db: Db, runId: string, fileHash: string, lines: { line: number; text: string }[], before: Counts): Promise<Counts> {
  for (let attempt = 0; ; attempt++) {
    const counts: Counts = { ...before, rejected: { ...before.rejected } };
    try {
      await db.transaction(async (trx) => {
        const rejections: { run_id: string; line: number; reason: string }[] = [];
        const refuse = (line: number, reason: string) => { reject(counts, reason); rejections.push({ run_id: runId, line, reason }); };
        const valid: Pending[] = [];
        for (const l of lines) {
          counts.read++;
          const r = parseRow(l.text);
          if (r.ok) valid.push({ line: l.line, row: r.row }); else refuse(l.line, r.reason);
        }
        // The duplicate rule against the database: an account with one of the row's ID numbers.
        // One `value = any(…)` per type: a list of (type, value) pairs plans as thousands of OR branches.
        const existing = new Map<string, string | null>();
        for (const type of DUPLICATE_TYPES) {
          const values = valid.flatMap((p) => legalIds(p.row, [type]).map((i) => i.value));
          if (!values.length) continue;
          const found = await trx('identifiers as i').join('accounts as a', 'a.id', 'i.account_id')
            .where('i.type', type).whereRaw('i.value = any(?::text[])', [values]).select('i.value', 'a.import_ref');
          for (const f of found as { value: string; import_ref: string | null }[]) existing.set(`${type}:${f.value}`, f.import_ref);
        }
        const seen = new Map<string, number>();
        const fresh: Pending[] = [];
        for (const p of valid) {
          const ids = legalIds(p.row, DUPLICATE_TYPES).map((i) => `${i.type}:${i.value}`);
          const hit = ids.find((k) => existing.has(k));
          if (hit) {
            const ref = existing.get(hit);
            // Its own row from an earlier run of this file is "already present"; another line's is a duplicate in the file.
            const [refFile, refLine] = (ref ?? '').split(':');
            if (refFile === fileHash && Number(refLine) !== p.line) refuse(p.line, `duplicate_in_file:line_${refLine}`);
            else counts.already_present++;
            continue;
          }
          const dup = ids.map((k) => seen.get(k)).find((n) => n !== undefined);
          if (dup !== undefined) { refuse(p.line, `duplicate_in_file:line_${dup}`); continue; }
          for (const k of ids) seen.set(k, p.line);
          fresh.push(p);
        }
        await insertAccounts(trx, fileHash, fresh);
        counts.imported += fresh.length;
        for (let i = 0; i < rejections.length; i += 1000) await trx('import_rejections').insert(rejections.slice(i, i + 1000));
        await trx('import_runs').where({ id: runId }).update({ lines_committed: lines[lines.length - 1]!.line, counts: JSON.stringify(counts) });
      });
      return counts;
    } catch (e) {
      // A registration took one of these ID numbers meanwhile: the batch is read again against it.
      if ((e as { code?: string }).code !== '23505' || attempt >= 2) throw e;
    }
  }
}

async function insertAccounts(trx: Db, fileHash: string, rows: Pending[]): Promise<void> {
  const importedAt = new Date().toISOString();
  const accounts: Record<string, unknown>[] = [];
  const identifiers: Record<string, unknown>[] = [];
  const credentials: Record<string, unknown>[] = [];
  for (const { line, row } of rows) {
    const id = randomUUID();
    accounts.push({
      id, subject_type: row.subjectType, level: row.level, status: row.status, full_name: row.fullName ?? null,
      birthdate: row.birthdate ?? null, organisation_name: row.organisationName ?? null, created_at: row.createdAt,
      updated_at: importedAt, import_ref: `${fileHash}:${line}`, level_proof: row.proof,
    });
    const primary = new Set<string>();
    for (const i of row.ids) {
      identifiers.push({ account_id: id, type: i.type, value: i.value, verified: i.verified, primary: !primary.has(i.type) });
      primary.add(i.type);
    }
    if (row.password) {
      const config: PasswordConfig = { hash: row.password.hash, changedAt: row.createdAt, hashType: row.password.type, importedAt };
      credentials.push({ id: randomUUID(), account_id: id, type: PASSWORD_CREDENTIAL, config: JSON.stringify(config), created_at: row.createdAt });
    }
  }
  // Multi-row inserts, chunked below PostgreSQL's 65,535 parameters per statement.
  for (const [table, list, per] of [['accounts', accounts, 11], ['identifiers', identifiers, 5], ['credentials', credentials, 5]] as const) {
    const chunk = Math.floor(60_000 / per);
    for (let i = 0; i < list.length; i += chunk) await trx(table).insert(list.slice(i, i + chunk));
  }
}
