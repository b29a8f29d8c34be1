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

/** The relying party's `ui_locales` (OIDC Core §3.1.2.1) for pages of its interaction. */
export function useUiLocales(ctx: Context, uiLocales: unknown): void {
  if (typeof uiLocales !== 'string') return;
  for (const tag of uiLocales.trim().split(/\s+/)) {
    const primary = tag.toLowerCase().split('-')[0];
    if (primary === 'vi' || primary === 'en') { ctx.state.uiLang = primary; return; }
  }
}

/** The person's own choice (the switch, remembered in a cookie) first, then the site's hint, then Vietnamese. */
export function langOf(ctx: Context): Lang {
  const q = ctx.query.lang;
  if (q === 'en' || q === 'vi') {
    ctx.cookies.set('lang', q, { httpOnly: true, sameSite: 'lax', signed: false, maxAge: 365 * 86400_000 });
    return q;
  }
  const chosen = ctx.cookies.get('lang', { signed: false });
  if (chosen === 'en' || chosen === 'vi') return chosen;
  return ctx.state.uiLang === 'en' ? 'en' : 'vi';
}
