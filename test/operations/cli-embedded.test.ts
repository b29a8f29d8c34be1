// The CLI and a running server on the embedded database work on ONE database: the server's
// (through it), never a second opening of the folder; it says which database it used; it never
// creates one by accident. The server is `src/main.ts` itself, as `npm start` runs it. Runs in the
// embedded pass of the suite (TEST_DB=embedded, `npm run test:embedded`): it has nothing to do with PostgreSQL.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { startMain, type MainProcess } from '../support/main-process.ts';
import { freePort } from '../support/ports.ts';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { newAgent, loginL1 } from '../support/browser.ts';
import { startRp, REDIRECT_URI } from '../support/rp.ts';
import { EMBEDDED, SANDBOX } from '../support/server.ts';

const CLIENT = { client_id: 'cli-live-rp', client_secret: 'cli-live-rp-secret-0123456789abcdef', redirect_uris: [REDIRECT_URI], client_name: 'Live RP' };

function baseEnv(dataDir: string): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = { ...process.env, DATA_DIR: dataDir, LOG_LEVEL: 'info', CAPTCHA: 'off' };
  delete env.DATABASE_URL;
  return env;
}

function cli(dataDir: string, args: string[], input?: string) {
  return spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], { env: baseEnv(dataDir), encoding: 'utf8', input });
}

function startServer(dataDir: string, port: number): Promise<MainProcess> {
  return startMain({ ...baseEnv(dataDir), PORT: String(port), ISSUER: `http://127.0.0.1:${port}` });
}

describe('CLI and a running server on the embedded database', function () {
  this.timeout(240_000);
  let dir: string;
  let port: number;
  let server: MainProcess;
  let clientFile: string;

  before(async function () {
    if (!EMBEDDED) this.skip();
    dir = mkdtempSync(path.join(tmpdir(), 'dvc-cli-live-'));
    clientFile = path.join(dir, 'client.json');
    writeFileSync(clientFile, JSON.stringify(CLIENT));
    port = await freePort();
    server = await startServer(dir, port);
  });
  after(async () => {
    await server?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('a client added by the CLI while the server runs is used at once by a login, and is still there after a restart', async () => {
    const added = cli(dir, ['clients', 'add', '--file', clientFile]);
    assert.equal(added.status, 0, added.stderr);
    assert.match(added.stderr, new RegExp(`^database: embedded \\(DATA_DIR ${dir}, through the running server pid ${server.child.pid}, socket ${dir}/\\.s\\.PGSQL\\.5432\\)$`, 'm'));
    assert.match(added.stdout, /client cli-live-rp saved \(new: running servers accept it at once\)/);

    const issuer = `http://127.0.0.1:${port}`;
    const rp = await startRp(issuer, CLIENT.client_id, CLIENT.client_secret);
    const end = await loginL1(newAgent(issuer), issuer, rp.authUrl, SANDBOX.citizen2);
    assert.ok(end.external, 'back at the relying party');
    const { idToken } = await rp.finish(end.external);
    assert.equal(idToken.aud, CLIENT.client_id);

    // The CLI saw the server's own rows (the portal client it registered at start), not another database.
    const listed = cli(dir, ['clients', 'list']);
    assert.match(listed.stdout, /^cli-live-rp\tLive RP\t/m);
    assert.match(listed.stdout, /^dvc-account\t/m);

    await server.stop();
    const afterStop = cli(dir, ['clients', 'list']);
    assert.match(afterStop.stderr, /database: embedded \(DATA_DIR .*, opened directly: no server runs on it\)/);
    assert.match(afterStop.stdout, /^cli-live-rp\t/m, 'the row is in the folder for good');
    server = await startServer(dir, port);
  });

  it('a second server on the same folder refuses to start and names the first', async () => {
    const second = spawnSync(process.execPath, ['--import', 'tsx', 'src/main.ts'], { env: { ...baseEnv(dir), PORT: '0' }, encoding: 'utf8', timeout: 120_000 });
    assert.equal(second.status, 2, second.stderr);
    assert.match(second.stderr, new RegExp(`Refusing to start: the embedded database in ${dir} is in use by process ${server.child.pid} \\(server\\)`));
  });

  it('a client removed by the CLI: the output says when running servers stop accepting it', () => {
    const removed = cli(dir, ['clients', 'remove', CLIENT.client_id]);
    assert.equal(removed.status, 0, removed.stderr);
    assert.match(removed.stdout, /client cli-live-rp removed \(running servers stop accepting it within CLIENT_CACHE_SECONDS \(30 s in this environment\)\)/);
    const again = cli(dir, ['clients', 'remove', CLIENT.client_id]);
    assert.equal(again.status, 1);
    assert.match(again.stderr, /no client cli-live-rp/);
  });
});

describe('CLI on the embedded database with no server', function () {
  this.timeout(120_000);
  // One folder for both tests: creating an embedded database is the slow part.
  let dir: string;
  before(function () {
    if (!EMBEDDED) this.skip();
    dir = mkdtempSync(path.join(tmpdir(), 'dvc-cli-alone-'));
  });
  after(() => { if (dir) rmSync(dir, { recursive: true, force: true }); });

  it('an empty folder is never turned into a database by accident: only migrate creates one, and says so', () => {
    const listed = cli(dir, ['clients', 'list']);
    assert.equal(listed.status, 1);
    assert.match(listed.stderr, new RegExp(`no embedded database in ${dir} and no server runs on it\\. If your server uses PostgreSQL, set DATABASE_URL`));
    assert.equal(existsSync(path.join(dir, 'pgdata')), false, 'nothing created');
    const migrated = cli(dir, ['migrate']);
    assert.equal(migrated.status, 0, migrated.stderr);
    assert.match(migrated.stderr, /database: embedded \(DATA_DIR .*\): creating a NEW embedded database there/);
    assert.match(migrated.stdout, /migrations applied: 001_/);
    assert.equal(cli(dir, ['clients', 'list']).status, 0);
  });

  it('two CLI commands never open the folder at once: the second refuses and names the first', async () => {
    if (!existsSync(path.join(dir, 'pgdata'))) assert.equal(cli(dir, ['migrate']).status, 0);
    // accounts create --password-stdin holds the folder while it waits for the password.
    const first = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'accounts', 'create', '--type', 'citizen', '--level', '2', '--name', 'Lê Văn Tám',
      '--birthdate', '01/02/1990', '--cccd', '001090012398', '--phone', '0987 000 222', '--password-stdin'], { env: baseEnv(dir), stdio: ['pipe', 'pipe', 'pipe'] });
    let err = '';
    first.stderr.on('data', (d: Buffer) => { err += d.toString(); });
    const deadline = Date.now() + 60_000;
    while (!err.includes('database:')) {
      if (Date.now() > deadline || first.exitCode !== null) assert.fail(`first CLI did not open the folder:\n${err}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const second = cli(dir, ['clients', 'list']);
    assert.equal(second.status, 1);
    assert.match(second.stderr, new RegExp(`the embedded database in ${dir} is in use by process ${first.pid} \\(another CLI command\\); try again in a moment`));
    first.stdin.end('Tam@Secret2026\n');
    const code = await new Promise((r) => first.once('exit', r));
    assert.equal(code, 0, err);
    assert.equal(cli(dir, ['clients', 'list']).status, 0, 'free again');
  });
});
