// Renders pug views with the layout's shared locals (language, CSRF token, translator).
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Context } from 'koa';
import pug from 'pug';
import { langOf, translate } from '../shared/i18n.ts';

export const viewsDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../views');
const cache = new Map<string, pug.compileTemplate>();

function template(view: string): pug.compileTemplate {
  let t = cache.get(view);
  if (!t) {
    t = pug.compileFile(path.join(viewsDir, `${view}.pug`), { basedir: viewsDir });
    cache.set(view, t);
  }
  return t;
}

/**
 * Compiles every view before the node takes traffic (src/main.ts): otherwise the first visitors of
 * each page after a deploy wait for pug's compiler, and its tens of MiB of garbage arrive under load.
 */
export function precompileViews(): number {
  const files = readdirSync(viewsDir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.pug'));
  for (const f of files) template(f.slice(0, -'.pug'.length));
  return files.length;
}

export function render(ctx: Context, view: string, locals: Record<string, unknown> = {}, status = 200): void {
  const lang = langOf(ctx);
  const url = new URL(ctx.originalUrl, 'http://x');
  url.searchParams.set('lang', lang === 'vi' ? 'en' : 'vi');
  ctx.status = status;
  ctx.type = 'html';
  ctx.set('cache-control', 'no-store');
  ctx.body = template(view)({
    lang,
    t: (key: string, params?: Record<string, string | number>) => translate(lang, key, params),
    csrf: ctx.state.csrf as string | undefined,
    switchLangHref: url.pathname + url.search,
    sandbox: ctx.state.sandbox as boolean | undefined,
    errors: {},
    values: {},
    ...locals,
  });
}
