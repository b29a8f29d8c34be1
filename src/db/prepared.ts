// Named prepared statements for the few queries every token request makes: PostgreSQL parses and
// plans each once per connection instead of every time. Elsewhere (PGlite) the same SQL goes through
// knex. Statements use `?` placeholders and contain no other question marks.
import type pg from 'pg';
import type { Db } from './knex.ts';

interface KnexClient { config: { client?: unknown }; acquireConnection(): Promise<pg.Client>; releaseConnection(c: pg.Client): Promise<void> }

export type Prepared = <R>(name: string, sql: string, values: unknown[]) => Promise<R[]>;

const cache = new WeakMap<Db, Prepared>();

export function prepared(db: Db): Prepared {
  let p = cache.get(db);
  if (!p) cache.set(db, (p = create(db)));
  return p;
}

// Inside a transaction the query must run on its connection: knex then, not the pool. Through a
// server's embedded database the session is shared, and names would meet another client's.
function preparable(db: Db): boolean {
  const client = db.client as unknown as KnexClient;
  return client.config.client === 'pg' && !db.isTransaction && !(db.userParams as { sharedSession?: boolean }).sharedSession;
}

function create(db: Db): Prepared {
  const client = db.client as unknown as KnexClient;
  if (!preparable(db)) {
    return async <R>(_name: string, sql: string, values: unknown[]) => ((await db.raw(sql, values as never[])) as { rows: R[] }).rows;
  }
  const numbered = new Map<string, string>();
  return async <R>(name: string, sql: string, values: unknown[]) => {
    let text = numbered.get(name);
    if (!text) {
      let i = 0;
      text = sql.replace(/\?/g, () => `$${++i}`);
      numbered.set(name, text);
    }
    const conn = await client.acquireConnection();
    try {
      return (await conn.query({ name, text, values })).rows as R[];
    } finally {
      await client.releaseConnection(conn);
    }
  };
}

/**
 * One row's write, sent with the other requests' writes of the same event-loop turn as one
 * statement (`many`, taking one array per column, `?::type[]`): a round trip per turn instead of
 * per request. Nothing outlives the turn, so it stays correct on several nodes. A batch that fails
 * is retried row by row (`one`), so that a bad row fails only its own request; so is one that
 * writes a key twice (a multi-row upsert cannot). Where statements are not prepared (PGlite, a
 * transaction), every row is its own statement.
 */
export function batched(db: Db, name: string, one: string, many: string, keyOf: (row: unknown[]) => string): (row: unknown[]) => Promise<void> {
  const query = prepared(db);
  const single = async (row: unknown[]) => { await query(name, one, row); };
  if (!preparable(db)) return single;
  let queue: { row: unknown[]; resolve: () => void; reject: (e: unknown) => void }[] = [];
  const eachAlone = (q: typeof queue) => q.reduce((prev, w) => prev.then(() => single(w.row).then(w.resolve, w.reject)), Promise.resolve());
  const flush = async () => {
    const q = queue;
    queue = [];
    if (q.length === 1 || new Set(q.map((w) => keyOf(w.row))).size < q.length) return eachAlone(q);
    try {
      await query(`${name}_many`, many, q[0]!.row.map((_, c) => q.map((w) => w.row[c])));
      for (const w of q) w.resolve();
    } catch {
      await eachAlone(q);
    }
  };
  return (row) => new Promise<void>((resolve, reject) => {
    if (queue.push({ row, resolve, reject }) === 1) setImmediate(() => void flush());
  });
}
