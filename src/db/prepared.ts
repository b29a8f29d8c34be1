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

function create(db: Db): Prepared {
  const client = db.client as unknown as KnexClient;
  // Inside a transaction the query must run on its connection: knex then, not the pool. Through a
  // server's embedded database the session is shared, and names would meet another client's.
  if (client.config.client !== 'pg' || db.isTransaction || (db.userParams as { sharedSession?: boolean }).sharedSession) {
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
