// A complete "Đăng nhập bằng DVC" site in Node (Koa + openid-client 6): the button, the callback, the
// person's name and level, sign-out at the provider, and a clear page for every error DVC ID returns.
// Run:  ISSUER=http://localhost:3000 CLIENT_ID=example-node CLIENT_SECRET=… SITE_URL=http://localhost:8080 \
//       COOKIE_KEY=<32+ random characters> npx tsx examples/node/site.ts
// The pending login and the session are signed HttpOnly cookies, so any number of nodes serve the site.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import Koa, { type Context } from 'koa';
import { dvcConfiguration, finishLogin, loginErrorOf, logoutUrl, startLogin, type PendingLogin } from './dvc-login.ts';

export interface SiteOptions { issuer: string; clientId: string; clientSecret: string; siteUrl: string; cookieKeys: string[] }

interface Session { idToken: string; name: string; acr: string; amr: string[]; sub: string }

// The button exactly as the guide gives it (examples/button/button.vi.html).
const BUTTON = readFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), '../button/button.vi.html'), 'utf8').replace(/<!--[\s\S]*?-->\s*/, '');

// What to tell the person for each error a relying party can receive at its redirect URI (docs/integrators.md).
const ERRORS: Record<string, string> = {
  access_denied: 'Bạn đã hủy đăng nhập hoặc không đồng ý chia sẻ thông tin.',
  unmet_authentication_requirements: 'Tài khoản của bạn chưa đạt mức độ xác thực dịch vụ này yêu cầu.',
  login_required: 'Bạn chưa đăng nhập DVC.',
  consent_required: 'Bạn chưa đồng ý chia sẻ thông tin với dịch vụ này.',
  interaction_required: 'Cần đăng nhập lại trên trang DVC.',
};

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(ctx: Context, title: string, body: string, status = 200): void {
  ctx.status = status;
  ctx.type = 'html';
  ctx.set('cache-control', 'no-store');
  ctx.body = `<!doctype html><html lang="vi"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)} — Dịch vụ mẫu (Node)</title><link rel="stylesheet" href="${esc(ctx.state.issuer as string)}/assets/button/dvc-button.css"></head>
<body><main><h1>${esc(title)}</h1>${body}</main></body></html>`;
}

export function createSite(o: SiteOptions): Koa {
  const rp = dvcConfiguration(o);
  const app = new Koa();
  app.keys = o.cookieKeys;
  const secure = o.siteUrl.startsWith('https:');
  const cookie = { httpOnly: true, sameSite: 'lax' as const, signed: true, secure, overwrite: true };
  const read = <T>(ctx: Context, name: string): T | undefined => {
    const v = ctx.cookies.get(name, { signed: true });
    try { return v ? (JSON.parse(Buffer.from(v, 'base64url').toString()) as T) : undefined; } catch { return undefined; }
  };
  const write = (ctx: Context, name: string, value: unknown, maxAge: number) =>
    ctx.cookies.set(name, Buffer.from(JSON.stringify(value)).toString('base64url'), { ...cookie, maxAge });
  const clear = (ctx: Context, name: string) => ctx.cookies.set(name, '', { ...cookie, maxAge: 0 });

  app.use(async (ctx) => {
    ctx.state.issuer = o.issuer;
    if (ctx.method === 'GET' && ctx.path === '/') {
      const s = read<Session>(ctx, 'site.session');
      if (!s) return page(ctx, 'Dịch vụ mẫu (Node)', `<p>${BUTTON}</p>`);
      return page(ctx, `Xin chào ${s.name}`, `<dl><dt>Mức độ xác thực (acr)</dt><dd id="acr">${esc(s.acr)}</dd>
<dt>Cách đăng nhập (amr)</dt><dd id="amr">${esc(s.amr.join(' '))}</dd><dt>sub</dt><dd id="sub">${esc(s.sub)}</dd></dl>
<form method="post" action="/logout"><button type="submit">Đăng xuất</button></form>`);
    }
    if (ctx.method === 'GET' && ctx.path === '/login') {
      // ui_locales: the sign-in pages in the site's language; add acr_values=3 (or claims) to ask for level 3.
      const { url, pending } = await startLogin(await rp(), { redirectUri: `${o.siteUrl}/callback`, scope: 'openid profile', params: { ui_locales: 'vi' } });
      write(ctx, 'site.pending', pending, 30 * 60_000);
      return ctx.redirect(url.href);
    }
    if (ctx.method === 'GET' && ctx.path === '/callback') {
      const pending = read<PendingLogin>(ctx, 'site.pending');
      clear(ctx, 'site.pending'); // one answer per login
      if (!pending) return page(ctx, 'Chưa đăng nhập được', '<p>Lượt đăng nhập đã hết hạn. <a href="/login">Đăng nhập lại</a>.</p>', 400);
      try {
        const { idToken, claims, userinfo } = await finishLogin(await rp(), new URL(`${o.siteUrl}/callback?${ctx.querystring}`), pending);
        write(ctx, 'site.session', { idToken, name: String(userinfo.name ?? claims.sub), acr: String(claims.acr), amr: Array.isArray(claims.amr) ? claims.amr.map(String) : [], sub: claims.sub } satisfies Session, 8 * 3600_000);
        return ctx.redirect('/');
      } catch (e) {
        const err = loginErrorOf(e);
        if (!err) throw e;
        const text = ERRORS[err.error] ?? 'Hệ thống định danh chưa hoàn tất việc đăng nhập. Vui lòng thử lại sau ít phút.';
        return page(ctx, 'Chưa đăng nhập được', `<p id="reason">${esc(text)}</p><p>Mã lỗi: <code id="error">${esc(err.error)}</code></p><p><a href="/login">Thử lại</a></p>`);
      }
    }
    if (ctx.method === 'POST' && ctx.path === '/logout') {
      const s = read<Session>(ctx, 'site.session');
      clear(ctx, 'site.session');
      ctx.status = 303;
      return ctx.redirect(s ? logoutUrl(await rp(), s.idToken, `${o.siteUrl}/`).href : '/');
    }
    ctx.status = 404;
  });
  return app;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const env = (k: string) => { const v = process.env[k]; if (!v) throw new Error(`set ${k}`); return v; };
  const siteUrl = env('SITE_URL');
  createSite({ issuer: env('ISSUER'), clientId: env('CLIENT_ID'), clientSecret: env('CLIENT_SECRET'), siteUrl, cookieKeys: [env('COOKIE_KEY')] })
    .listen(Number(new URL(siteUrl).port || 8080), () => console.log(`example site on ${siteUrl}`));
}
