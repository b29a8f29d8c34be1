// `npm run usb-agent`: the provider's address from the provider's own config (ISSUER / PORT), a
// one-line error when it cannot reach it, and every flag in --help.
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { startServer, type TestServer } from '../support/server.ts';
import { freePort } from '../support/ports.ts';

const AGENT = ['--import', 'tsx', 'src/usb-agent/main.ts'];

function env(extra: Record<string, string>): Record<string, string | undefined> {
  const e: Record<string, string | undefined> = { ...process.env, ...extra };
  if (!('ISSUER' in extra)) delete e.ISSUER;
  return e;
}

/** Runs the agent to its end (never spawnSync: the test server in this process must keep answering). */
function run(vars: Record<string, string>, args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const c = spawn(process.execPath, [...AGENT, ...args], { env: env(vars), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    c.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    c.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    c.once('exit', (status) => resolve({ status, stdout, stderr }));
  });
}

/** Starts the agent and waits for its "USB agent on …" line. */
async function runAgent(vars: Record<string, string>, args: string[]): Promise<{ child: ChildProcess; line: string }> {
  const child = spawn(process.execPath, [...AGENT, ...args], { env: env(vars), stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => { out += d.toString(); });
  child.stderr!.on('data', (d: Buffer) => { out += d.toString(); });
  const deadline = Date.now() + 60_000;
  while (!/USB agent on .*\n/.test(out)) {
    if (Date.now() > deadline || child.exitCode !== null) { child.kill(); assert.fail(`agent did not start:\n${out}`); }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { child, line: /USB agent on .*/.exec(out)![0] };
}

describe('usb-agent command', function () {
  this.timeout(120_000);

  it('--help lists every flag and where the defaults come from', () => {
    const r = spawnSync(process.execPath, [...AGENT, '--help'], { env: env({}), encoding: 'utf8' });
    assert.equal(r.status, 0);
    for (const flag of ['--provider', '--port', '--origin', '--tokens', '--pin', '--help']) assert.match(r.stdout, new RegExp(`^  ${flag}\\b`, 'm'), flag);
    assert.match(r.stdout, /ISSUER/);
    assert.match(r.stdout, /PORT/);
    assert.match(r.stdout, /USB_AGENT_URL/);
  });

  it('a provider that is not running: one line saying so and what to do, exit code 1, no stack', async () => {
    const port = await freePort();
    const r = spawnSync(process.execPath, [...AGENT, '--port', '0'], { env: env({ PORT: String(port) }), encoding: 'utf8' });
    assert.equal(r.status, 1);
    assert.equal(r.stderr.trim().split('\n').filter((l) => !/oidc-provider WARNING/.test(l)).length, 1, r.stderr);
    assert.match(r.stderr, new RegExp(`usb-agent: cannot reach the provider at http://localhost:${port} \\(connection refused\\): start it \\(npm start\\), or point the agent at it with --provider URL`));
    assert.doesNotMatch(r.stderr, /TypeError|\n\s+at /);
  });

  it('a bad flag or value is one line too', () => {
    const bad = spawnSync(process.execPath, [...AGENT, '--bogus'], { env: env({}), encoding: 'utf8' });
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /usb-agent: Unknown option '--bogus' \(see --help\)/);
    const port = spawnSync(process.execPath, [...AGENT, '--port', 'abc'], { env: env({}), encoding: 'utf8' });
    assert.equal(port.status, 1);
    assert.match(port.stderr, /usb-agent: --port: expected 0\.\.65535, got "abc"/);
  });

  describe('with a provider on another port than 3000', () => {
    let s: TestServer;
    before(async () => { s = await startServer(); });
    after(() => s.close());

    it('finds it from PORT alone, and answers that provider\'s origin', async () => {
      const port = new URL(s.issuer).port;
      const { child, line } = await runAgent({ PORT: port }, ['--port', '0', '--tokens', 'citizen']);
      try {
        const url = /USB agent on (http:\/\/127\.0\.0\.1:\d+)/.exec(line)![1]!;
        assert.match(line, new RegExp(`for http://localhost:${port} \\(tokens from http://localhost:${port}\\) with 1 certificate\\(s\\): citizen`));
        const list = await fetch(`${url}/v1/certificates`, { headers: { origin: `http://localhost:${port}` } });
        assert.deepEqual(((await list.json()) as { id: string }[]).map((c) => c.id), ['citizen']);
      } finally {
        child.kill();
      }
    });

    it('takes ISSUER when set, like the provider', async () => {
      const { child, line } = await runAgent({ ISSUER: s.issuer, PORT: '1' }, ['--port', '0']);
      try {
        assert.match(line, new RegExp(`for ${s.issuer} \\(tokens from ${s.issuer}\\) with \\d+ certificate`));
      } finally {
        child.kill();
      }
    });

    it('an unknown token name or a port in use: one line each, exit code 1', async () => {
      const unknown = await run({ ISSUER: s.issuer }, ['--port', '0', '--tokens', 'nobody']);
      assert.equal(unknown.status, 1);
      assert.match(unknown.stderr, /usb-agent: no sandbox token nobody \(the provider has: .*citizen/);
      const busy = net.createServer();
      await new Promise<void>((r) => busy.listen(0, '127.0.0.1', r));
      const taken = (busy.address() as net.AddressInfo).port;
      try {
        const r = await run({ ISSUER: s.issuer }, ['--port', String(taken)]);
        assert.equal(r.status, 1);
        assert.match(r.stderr, new RegExp(`usb-agent: port ${taken} is in use`));
      } finally {
        await new Promise((r) => busy.close(r));
      }
    });
  });
});
