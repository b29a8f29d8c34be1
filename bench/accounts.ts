// Bench accounts created in bulk: one set-based insert per table (generate_series), so a million
// accounts take seconds. Deterministic ids, numbers and phones: account i is the same on every run,
// and a run only adds the accounts it is missing.
import pg from 'pg';
import { hashPassword } from '../src/identity/passwords.ts';

export const BENCH_PASSWORD = 'Bench@2026-login';
const MARK = 'Tài khoản đo tải';

/** Valid CCCD (Hà Nội, male, born 1990 − ⌊i / 10⁶⌋) and Vinaphone 094 numbers, unique per i. */
export function benchAccount(i: number): { username: string; phone: string } {
  const yy = String(90 - Math.floor(i / 1_000_000)).padStart(2, '0');
  return { username: `0010${yy}${String(i % 1_000_000).padStart(6, '0')}`, phone: `+8494${String(i).padStart(7, '0')}` };
}

const ID = (col: string) => `md5('dvc-bench-' || ${col})::uuid`;

export async function ensureAccounts(databaseUrl: string, n: number): Promise<{ created: number; seconds: number }> {
  const c = new pg.Client({ connectionString: databaseUrl });
  await c.connect();
  const t = performance.now();
  try {
    const have = Number((await c.query('select count(*) as n from accounts where full_name = $1', [MARK])).rows[0].n);
    if (have >= n) return { created: 0, seconds: 0 };
    const config = JSON.stringify({ hash: await hashPassword(BENCH_PASSWORD), changedAt: new Date().toISOString() });
    // The expressions mirror benchAccount(i).
    const cccd = "'0010' || lpad((90 - i / 1000000)::text, 2, '0') || lpad((i % 1000000)::text, 6, '0')";
    const phone = "'+8494' || lpad(i::text, 7, '0')";
    const range = 'generate_series($1::int, $2::int - 1) as i';
    await c.query('begin');
    await c.query(`insert into accounts (id, subject_type, level, status, full_name, birthdate)
      select ${ID('i')}, 'citizen', 2, 'active', '${MARK}', make_date(1990 - i / 1000000, 1, 1) from ${range}`, [have, n]);
    await c.query(`insert into identifiers (account_id, type, value, verified, "primary")
      select ${ID('i')}, t.type, case t.type when 'cccd' then ${cccd} else ${phone} end, true, true
      from ${range} cross join (values ('cccd'), ('phone')) as t(type)`, [have, n]);
    await c.query(`insert into credentials (id, account_id, type, config)
      select ${ID("'cred-' || i")}, ${ID('i')}, 'password', $3::jsonb from ${range}`, [have, n, config]);
    await c.query('commit');
    await c.query('analyze accounts, identifiers, credentials');
    return { created: n - have, seconds: (performance.now() - t) / 1000 };
  } finally {
    await c.end();
  }
}
