// `npm start` on a fresh folder: the start log names the start page, and that page answers.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { EMBEDDED } from '../support/server.ts';
import { startMain } from '../support/main-process.ts';
import { freePort } from '../support/ports.ts';

describe('start log', function () {
  this.timeout(180_000);
  it('prints the start page URL on the "DVC ID listening" line, and the page is there', async function () {
    // `npm start` always uses the embedded database: once per `npm test` (the PostgreSQL pass) is enough.
    if (EMBEDDED) this.skip();
    const dir = mkdtempSync(path.join(tmpdir(), 'dvc-startlog-'));
    const port = await freePort();
    const env: Record<string, string | undefined> = { ...process.env, DATA_DIR: dir, PORT: String(port), LOG_LEVEL: 'info' };
    delete env.DATABASE_URL;
    const main = await startMain(env, 150_000);
    try {
      const line = JSON.parse(main.out().split('\n').find((l) => l.includes('DVC ID listening'))!) as { startPage?: string };
      assert.equal(line.startPage, `http://localhost:${port}/`);
      const page = await fetch(line.startPage, { signal: AbortSignal.timeout(20_000) });
      assert.equal(page.status, 200);
      assert.match(await page.text(), /Dịch vụ công mẫu/);
    } finally {
      await main.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
