// `npm start` on a fresh folder: the start log names the start page, and that page answers.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { EMBEDDED } from '../support/server.ts';

describe('start log', function () {
  this.timeout(180_000);
  it('prints the start page URL on the "DVC ID listening" line, and the page is there', async function () {
    // `npm start` always uses the embedded database: once per `npm test` (the PostgreSQL pass) is enough.
    if (EMBEDDED) this.skip();
    const dir = mkdtempSync(path.join(tmpdir(), 'dvc-startlog-'));
    const port = 30000 + Math.floor(Math.random() * 20000);
    const env: Record<string, string | undefined> = { ...process.env, DATA_DIR: dir, PORT: String(port), LOG_LEVEL: 'info' };
    delete env.DATABASE_URL;
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { out += d.toString(); });
    try {
      const deadline = Date.now() + 150_000;
      while (!out.includes('DVC ID listening')) {
        if (Date.now() > deadline || child.exitCode !== null) assert.fail(`did not start:\n${out}`);
        await new Promise((r) => setTimeout(r, 200));
      }
      const line = JSON.parse(out.split('\n').find((l) => l.includes('DVC ID listening'))!) as { startPage?: string };
      assert.equal(line.startPage, `http://localhost:${port}/`);
      const page = await fetch(line.startPage);
      assert.equal(page.status, 200);
      assert.match(await page.text(), /Dịch vụ công mẫu/);
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
