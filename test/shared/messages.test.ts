// Every text a page names exists in Vietnamese and English: views' t('…') keys and the keys our code
// hands to pages (form errors, notices, page messages) are all in the catalogue.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import '../../src/app.ts';
import { translate } from '../../src/shared/i18n.ts';

const files = (dir: string, ext: string): string[] =>
  (readdirSync(dir, { recursive: true }) as string[]).filter((f) => f.endsWith(ext)).map((f) => path.join(dir, f));

const known = (key: string) => translate('vi', key) !== key && translate('en', key) !== key;

describe('messages', () => {
  it('every literal key in the views and in the code exists in both languages', () => {
    const missing = new Set<string>();
    let checked = 0;
    for (const f of files('views', '.pug')) {
      for (const m of readFileSync(f, 'utf8').matchAll(/\bt\('([a-z][\w.]*[a-z0-9_])'(?!\s*\+)/g)) { checked++; if (!known(m[1]!)) missing.add(`${f}: ${m[1]}`); }
    }
    const handed = /\b(?:formError|notice|messageKey|titleKey|leadKey|backKey|errors\.\w+)\s*[:=]\s*'([a-z][\w]*\.[\w.]+)'/g;
    for (const f of files('src', '.ts')) {
      for (const m of readFileSync(f, 'utf8').matchAll(handed)) { checked++; if (!known(m[1]!)) missing.add(`${f}: ${m[1]}`); }
    }
    assert.deepEqual([...missing], []);
    assert.ok(checked > 200, `only ${checked} keys found: the scan is broken`);
  });
});
