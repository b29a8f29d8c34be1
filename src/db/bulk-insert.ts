// Many rows into one table in one go (the bulk import): COPY … FROM STDIN on PostgreSQL, which
// PostgreSQL parses and writes without planning a statement, and multi-row inserts on the embedded
// database (PGlite has no COPY from a client, and neither has the server's wire endpoint for it).
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { Db } from './knex.ts';

export type BulkValue = string | number | boolean | null;

interface KnexClient { config: { client?: unknown }; acquireConnection(): Promise<pg.Client>; releaseConnection(c: pg.Client): Promise<void> }

/** Whether this handle talks to a PostgreSQL server itself (not PGlite, not the server's embedded database over the wire). */
export function canCopy(db: Db): boolean {
  // A nested transaction (a savepoint) does not inherit the handle's userParams: its parents are asked.
  for (let d: Db | undefined = db; d; d = (d as { parentTransaction?: Db }).parentTransaction) {
    if ((d.userParams as { sharedSession?: boolean }).sharedSession) return false;
  }
  return (db.client as KnexClient).config.client === 'pg';
}

/** `rows` (values in the order of `columns`) into `table`, on `db`'s connection (inside its transaction when it is one). */
export async function bulkInsert(db: Db, table: string, columns: readonly string[], rows: readonly BulkValue[][]): Promise<void> {
  if (!rows.length) return;
  if (canCopy(db)) return copyRows(db, table, columns, rows);
  // PostgreSQL's limit is 65,535 parameters per statement.
  const per = Math.floor(60_000 / columns.length);
  for (let i = 0; i < rows.length; i += per) {
    await db(table).insert(rows.slice(i, i + per).map((r) => Object.fromEntries(columns.map((c, j) => [c, r[j]]))));
  }
}

// COPY's text format: a tab between values, a newline after a row, \N for null, backslash escapes.
const SPECIAL = /[\\\n\r\t]/;
const ESCAPES: Record<string, string> = { '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t' };
function copyText(v: BulkValue): string {
  if (v === null) return '\\N';
  const s = typeof v === 'string' ? v : String(v);
  return SPECIAL.test(s) ? s.replace(/[\\\n\r\t]/g, (c) => ESCAPES[c]!) : s;
}

async function copyRows(db: Db, table: string, columns: readonly string[], rows: readonly BulkValue[][]): Promise<void> {
  const client = db.client as KnexClient;
  const conn = await client.acquireConnection(); // a transaction's own connection inside one
  try {
    const sql = `copy "${table}" (${columns.map((c) => `"${c}"`).join(', ')}) from stdin`;
    // A few hundred kilobytes per chunk: the rows are already in memory, one batch at a time.
    const chunks = function* () {
      for (let i = 0; i < rows.length; i += 1000) {
        let s = '';
        for (const r of rows.slice(i, i + 1000)) s += `${r.map(copyText).join('\t')}\n`;
        yield s;
      }
    };
    await pipeline(Readable.from(chunks()), conn.query(copyFrom(sql)));
  } finally {
    await client.releaseConnection(conn);
  }
}
