// Vietnamese by default, English on request (?lang=en, remembered in a cookie).
import type { Context } from 'koa';

export type Lang = 'vi' | 'en';
export type Text = { vi: string; en: string };
export type Messages = Record<string, Text>;

const catalogue: Messages = {};

/** Each module registers its own messages next to its code. */
export function addMessages(m: Messages): void {
  for (const [k, v] of Object.entries(m)) {
    if (catalogue[k] && catalogue[k].vi !== v.vi) throw new Error(`message key registered twice: ${k}`);
    catalogue[k] = v;
  }
}

export function translate(lang: Lang, key: string, params: Record<string, string | number> = {}): string {
  const m = catalogue[key];
  const s = m ? m[lang] : key;
  return s.replace(/\{(\w+)\}/g, (_, p: string) => String(params[p] ?? `{${p}}`));
}

export function langOf(ctx: Context): Lang {
  const q = ctx.query.lang;
  if (q === 'en' || q === 'vi') {
    ctx.cookies.set('lang', q, { httpOnly: true, sameSite: 'lax', signed: false, maxAge: 365 * 86400_000 });
    return q;
  }
  return ctx.cookies.get('lang', { signed: false }) === 'en' ? 'en' : 'vi';
}
