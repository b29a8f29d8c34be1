// The error page of last resort: our layout, in the person's language, from nothing but the request
// line and headers (no cookie jar, no session, no database), so that it cannot be what fails.
import type { Context } from 'koa';
import pug from 'pug';
import path from 'node:path';
import { translate, type Lang } from '../shared/i18n.ts';
import { viewsDir } from './render.ts';

const template = pug.compileFile(path.join(viewsDir, 'error.pug'), { basedir: viewsDir });

// If even the template fails, this is what is sent.
const PLAIN = (lang: Lang, key: string) =>
  `<!DOCTYPE html><html lang="${lang}"><head><meta charset="utf-8"><title>${translate(lang, 'app.name')}</title>` +
  `<link rel="stylesheet" href="/static/app.css"></head><body><main id="main"><h1>${translate(lang, 'error.title')}</h1>` +
  `<p role="alert">${translate(lang, key)}</p></main></body></html>`;

/** ?lang= first, then the lang cookie read from the raw header (never ctx.cookies), else Vietnamese. */
export function plainLangOf(ctx: Context): Lang {
  const q = new URLSearchParams(ctx.querystring).get('lang');
  if (q === 'en' || q === 'vi') return q;
  return /(?:^|;\s*)lang=en(?:;|$)/.test(ctx.get('cookie')) ? 'en' : 'vi';
}

function switchLangHref(ctx: Context, lang: Lang): string {
  try {
    const url = new URL(ctx.originalUrl, 'http://x');
    url.searchParams.set('lang', lang === 'vi' ? 'en' : 'vi');
    return url.pathname + url.search;
  } catch {
    return `/?lang=${lang === 'vi' ? 'en' : 'vi'}`;
  }
}

export function errorPageHtml(ctx: Context, messageKey: string, sandbox: boolean): string {
  let lang: Lang = 'vi';
  try {
    lang = plainLangOf(ctx);
    return template({
      lang, messageKey, sandbox, errors: {}, values: {}, switchLangHref: switchLangHref(ctx, lang),
      t: (key: string, params?: Record<string, string | number>) => translate(lang, key, params),
    });
  } catch {
    return PLAIN(lang, messageKey);
  }
}
