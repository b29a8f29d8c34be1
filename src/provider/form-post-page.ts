// oidc-provider's own auto-submitting page (response_mode=form_post, and the silent logout it makes
// when another account signs in on this browser) has no language, no landmark and an English-only
// fallback. It stays the library's page — same form, same script, whose CSP hash it adds itself —
// with our language, a heading and a main landmark around it, in both languages.
import type { Context, Next } from 'koa';

const TITLE = '<title>Submitting Callback</title>';

export async function formPostPage(ctx: Context, next: Next): Promise<void> {
  await next();
  if (typeof ctx.body !== 'string' || !ctx.body.includes(TITLE)) return;
  ctx.body = ctx.body
    .replace('<html>', '<html lang="vi">')
    .replace(TITLE, '<title>Đang chuyển tiếp — Forwarding</title>')
    .replace('<body>', '<body><main><h1>Đang chuyển tiếp… <span lang="en">Forwarding…</span></h1>')
    .replace("Your browser does not support JavaScript or you've disabled it.<br/>", 'Trình duyệt không chạy JavaScript: bấm nút để tiếp tục. <span lang="en">JavaScript is off: press the button to go on.</span><br/>')
    .replace('<button autofocus type="submit">Continue</button>', '<button autofocus type="submit">Tiếp tục <span lang="en">Continue</span></button>')
    .replace('</body>', '</main></body>');
}
