// `src/main.ts` as `npm start` runs it, in a child process: started on a free port, its output kept,
// and always stopped — an exited child never emits 'exit' again, and a stuck one must not hold the
// suite until mocha's timeout.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';

export interface MainProcess { child: ChildProcess; out(): string; stop(): Promise<void> }

/** Starts main with `env` (nothing of the parent's added) and waits for "DVC ID listening". */
export async function startMain(env: Record<string, string | undefined>, startupMs = 120_000): Promise<MainProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => { out += d.toString(); });
  child.stderr!.on('data', (d: Buffer) => { out += d.toString(); });
  const proc: MainProcess = { child, out: () => out, stop: () => stopChild(child) };
  const deadline = Date.now() + startupMs;
  while (!out.includes('DVC ID listening')) {
    if (Date.now() > deadline || child.exitCode !== null) {
      await proc.stop();
      assert.fail(`did not start (${child.exitCode === null ? 'timeout' : `exit ${child.exitCode}`}):\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return proc;
}

export async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
}
