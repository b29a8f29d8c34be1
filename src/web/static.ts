// Static assets (CSS, page scripts) from public/, listed at start-up: no path is ever built from input.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Context, Next } from 'koa';

const dir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../public');
const TYPES: Record<string, string> = { '.css': 'text/css; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.svg': 'image/svg+xml', '.png': 'image/png' };
const files = new Map<string, { body: Buffer; type: string }>();
for (const f of readdirSync(dir, { recursive: true }) as string[]) {
  const type = TYPES[path.extname(f)];
  const url = f.split(path.sep).join('/');
  // public/assets/ is for other sites (the integrators' button kit): served at /assets/, the rest at /static/.
  if (type) files.set(url.startsWith('assets/') ? `/${url}` : `/static/${url}`, { body: readFileSync(path.join(dir, f)), type });
}

export async function staticFiles(ctx: Context, next: Next): Promise<void> {
  const f = ctx.method === 'GET' || ctx.method === 'HEAD' ? files.get(ctx.path) : undefined;
  if (!f) return next();
  ctx.type = f.type;
  ctx.set('cache-control', 'public, max-age=3600');
  ctx.body = f.body;
}
