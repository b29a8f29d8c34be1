// npm run bench: token-endpoint throughput of DVC ID (PostgreSQL) against a bare oidc-provider
// (same keys, in-memory store), each server pinned to one core, the load generator on the other.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Agent, request } from 'undici';
import pg from 'pg';

const DB = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/dvc_bench';
const N = Number(process.env.BENCH_COUNT ?? 3000); // codes and refresh tokens per target
const CC_SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 32);
const AUTH = `Basic ${Buffer.from('bench:bench-secret-0123456789abcdefghijkl').toString('base64')}`;
const tmp = mkdtempSync(path.join(tmpdir(), 'dvc-bench-'));
const pin = spawnSync('taskset', ['-c', '0', 'true']).status === 0;

/**
 * A local PostgreSQL is moved off the server's core for the run (onto the load generator's), as a
 * database has its own machine in production; put back on every core afterwards. Needs the right to
 * set another process's affinity (root, as in CI); without it the run says so and shares the cores.
 */
function pinPostgres(cpus: string): boolean {
  const pids = spawnSync('pgrep', ['-x', 'postgres'], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean);
  return pids.length > 0 && pids.every((p) => spawnSync('taskset', ['-a', '-p', '-c', cpus, p], { stdio: 'ignore' }).status === 0);
}
// The load generator (this process) keeps off the server's core too.
if (pin) spawnSync('taskset', ['-a', '-p', '-c', '1', String(process.pid)], { stdio: 'ignore' });
const allCpus = `0-${Math.max(1, (await import('node:os')).availableParallelism() - 1)}`;

async function ensureDatabase(): Promise<void> {
  const u = new URL(DB);
  const name = u.pathname.slice(1);
  u.pathname = '/postgres';
  const c = new pg.Client({ connectionString: u.href });
  await c.connect();
  const exists = await c.query('select 1 from pg_database where datname = $1', [name]);
  if (!exists.rowCount) await c.query(`create database "${name}"`);
  await c.end();
}

function startTarget(kind: 'ours' | 'bare', port: number): Promise<{ child: ChildProcess; tokens: { codes: string[]; refresh: string[] } }> {
  const out = path.join(tmp, `${kind}.json`);
  const args = ['--import', 'tsx', 'bench/server.ts', kind, String(port), String(N), out, path.join(tmp, 'keys.json')];
  const cmd = pin ? 'taskset' : process.execPath;
  const child = spawn(cmd, pin ? ['-c', '0', process.execPath, ...args] : args, { env: { ...process.env, DATABASE_URL: DB, NODE_ENV: 'production' }, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => { if (d.toString().includes('READY')) resolve({ child, tokens: JSON.parse(readFileSync(out, 'utf8')) }); });
    child.once('exit', (code) => reject(new Error(`${kind} exited with ${code}`)));
  });
}

interface Result { rps: number; p99: number; errors: number }

async function load(port: number, bodies: () => string | undefined, seconds: number): Promise<Result> {
  const dispatcher = new Agent({ connections: CONCURRENCY, pipelining: 1 });
  const lat: number[] = [];
  let errors = 0;
  const deadline = performance.now() + seconds * 1000;
  const start = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    for (;;) {
      if (performance.now() > deadline) return;
      const body = bodies();
      if (body === undefined) return;
      const t = performance.now();
      const res = await request(`http://127.0.0.1:${port}/token`, { method: 'POST', dispatcher, headers: { authorization: AUTH, 'content-type': 'application/x-www-form-urlencoded' }, body });
      await res.body.text();
      lat.push(performance.now() - t);
      if (res.statusCode !== 200) errors++;
    }
  }));
  const elapsed = (performance.now() - start) / 1000;
  await dispatcher.close();
  lat.sort((a, b) => a - b);
  return { rps: lat.length / elapsed, p99: lat[Math.floor(lat.length * 0.99)] ?? 0, errors };
}

async function measure(kind: 'ours' | 'bare', port: number) {
  const { child, tokens } = await startTarget(kind, port);
  try {
    await load(port, () => 'grant_type=client_credentials', 1); // warm-up
    const cc = await load(port, () => 'grant_type=client_credentials', CC_SECONDS);
    let i = 0;
    const rt = await load(port, () => { const t = tokens.refresh[i++]; return t ? `grant_type=refresh_token&refresh_token=${t}` : undefined; }, 60);
    let j = 0;
    const ac = await load(port, () => { const c = tokens.codes[j++]; return c ? `grant_type=authorization_code&code=${c}&redirect_uri=${encodeURIComponent('http://127.0.0.1:9/cb')}` : undefined; }, 60);
    return { client_credentials: cc, refresh_token: rt, authorization_code: ac };
  } finally {
    child.kill('SIGTERM');
  }
}

await ensureDatabase();
const dbPinned = pin && new URL(DB).hostname === '127.0.0.1' && pinPostgres('1');
let ours: Awaited<ReturnType<typeof measure>>;
try {
  ours = await measure('ours', 4801);
} finally {
  if (dbPinned) pinPostgres(allCpus);
}
const bare = await measure('bare', 4802);
const f = (n: number) => n.toFixed(0).padStart(7);
process.stdout.write(`\nToken endpoint, ${pin ? 'server pinned to one core' : 'server NOT pinned (taskset missing)'}, ${dbPinned ? 'PostgreSQL on the load generator\'s core' : 'PostgreSQL sharing the cores'}, ${CONCURRENCY} connections\n`);
process.stdout.write('grant                  ours req/s  p99 ms | bare req/s  p99 ms | ratio\n');
for (const g of ['client_credentials', 'refresh_token', 'authorization_code'] as const) {
  const o = ours[g];
  const b = bare[g];
  process.stdout.write(`${g.padEnd(22)} ${f(o.rps)}  ${o.p99.toFixed(1).padStart(6)} | ${f(b.rps)}  ${b.p99.toFixed(1).padStart(6)} | ${(o.rps / b.rps).toFixed(2)}${o.errors + b.errors ? `  (errors: ours ${o.errors}, bare ${b.errors})` : ''}\n`);
}
process.stdout.write('targets: ours >= 2500 client_credentials/s per core; ratio >= 0.35\n');
