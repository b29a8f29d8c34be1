// The zero-setup path: no DATABASE_URL → embedded PGlite in a data folder; discovery answers.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startMain } from '../support/main-process.ts';
import { freePort } from '../support/ports.ts';

describe('embedded database start (npm start path)', function () {
  this.timeout(120_000);
  it('starts with no DATABASE_URL, serves discovery and JWKS, and keeps an interaction', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'dvc-embedded-'));
    const port = await freePort();
    const env: Record<string, string | undefined> = { ...process.env, DATABASE_URL: undefined, DATA_DIR: dir, PORT: String(port), LOG_LEVEL: 'info' };
    delete env.DATABASE_URL;
    const main = await startMain(env, 90_000);
    try {
      assert.match(main.out(), /embedded/);
      const disc = await (await fetch(`http://localhost:${port}/.well-known/openid-configuration`)).json() as Record<string, unknown>;
      assert.equal(disc.issuer, `http://localhost:${port}`);
      const jwks = await (await fetch(String(disc.jwks_uri))).json() as { keys: { alg: string; d?: string }[] };
      assert.deepEqual(jwks.keys.map((k) => k.alg).sort(), ['ES256', 'RS256']);
      assert.ok(jwks.keys.every((k) => k.d === undefined), 'no private parts published');
      // The provider's own rows on PGlite: the portal's authorization request stores an interaction
      // that the next page finds again.
      const toAuth = await fetch(`http://localhost:${port}/account`, { redirect: 'manual' });
      const auth = await fetch(toAuth.headers.get('location')!, { redirect: 'manual' });
      assert.equal(auth.status, 303);
      const cookie = auth.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
      const chooser = await fetch(new URL(auth.headers.get('location')!, `http://localhost:${port}`), { headers: { cookie } });
      assert.equal(chooser.status, 200);
      assert.match(await chooser.text(), /Quản lý tài khoản/);
    } finally {
      await main.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
