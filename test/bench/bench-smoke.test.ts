// `npm run bench` kept working: a run of a few seconds (--smoke) must log in through the pages, count
// statements and grants, and print every figure of the goals table with no errors. Figures are not
// judged here: speed is the bench's business, never a timed assertion in a test.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { postgresOnly, separateDatabase } from '../support/server.ts';

describe('npm run bench (smoke)', function () {
  this.timeout(240_000);

  it('runs the whole login and the token grants and prints the goals table', async function () {
    postgresOnly(this); // the bench measures the production set-up: PostgreSQL
    const db = await separateDatabase('bench');
    try {
      const r = spawnSync(process.execPath, ['--import', 'tsx', 'bench/run.ts', '--smoke', '--accounts', '40'], {
        encoding: 'utf8', env: { ...process.env, BENCH_DATABASE_URL: db.url }, timeout: 200_000,
      });
      assert.equal(r.status, 0, `bench failed:\n${r.stdout.slice(-2000)}\n${r.stderr.slice(-2000)}`);
      for (const figure of ['login ÷ argon2 verifies', 'login p99 at c=8', 'peak RSS at c=32', 'client_credentials ÷ bare', 'refresh_token ÷ bare', 'authorization_code ÷ bare', 'database statements per login', 'load average before',
        "oidc-provider's own login", 'best ratio possible with oidc-provider', 'ours besides argon2 and the floor']) {
        assert.match(r.stdout, new RegExp(figure.replace(/[÷=]/g, '.')), `the report shows "${figure}"`);
      }
      assert.match(r.stdout, /\| errors \| 0 \|/);
      const perLogin = Number(/database statements per login \| ([\d.]+)/.exec(r.stdout)?.[1]);
      assert.ok(perLogin > 10, `a login reaches the database (${perLogin} statements counted)`);
      // Per request: mean, p99 and the provider's CPU one login at a time; the bare target's own login the same.
      assert.match(r.stdout, /\| password \| [\d.]+ \| [\d.]+ \| [\d.]+ \|/, 'the per-request breakdown lists the password step and its CPU');
      assert.match(r.stdout, /\| interaction \| [\d.]+ \| [\d.]+ \| [\d.]+ \|/, "oidc-provider's own login finishes its interaction at once");
      const floor = Number(/oidc-provider's own login \(bare, in-memory store\), c=8 \| ([\d.]+) ms CPU per login/.exec(r.stdout)?.[1]);
      assert.ok(floor > 0, `the floor's CPU per login is measured (${floor} ms)`);
      // The run with REDIS_URL (Redis answers in CI and on the test machines): what moved off PostgreSQL.
      const withRedis = Number(/database statements per login \| [\d.]+; with REDIS_URL ([\d.]+)/.exec(r.stdout)?.[1]);
      assert.ok(withRedis > 0 && withRedis < perLogin, `fewer statements with Redis (${withRedis} vs ${perLogin})`);
      assert.match(r.stdout, /Redis commands per login \(REDIS_URL\) \| [\d.]+ in [\d.]+ round trips/);
    } finally {
      await db.drop();
    }
  });
});
