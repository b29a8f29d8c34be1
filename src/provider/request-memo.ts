// What one protocol request already read with another statement (a token's Grant and account, read
// with the token): kept on the request's context (oidc-provider's async context), so it dies with
// the request and no node ever answers from another request's reads.
import Provider from 'oidc-provider';

const memos = new WeakMap<object, Map<string, unknown>>();

/** This request's memo; undefined outside oidc-provider's requests (pages, CLI, tests). */
function memo(create: boolean): Map<string, unknown> | undefined {
  const ctx = Provider.ctx as object | undefined;
  if (!ctx) return undefined;
  let m = memos.get(ctx);
  if (!m && create) memos.set(ctx, (m = new Map()));
  return m;
}

export function remember(key: string, value: unknown): void {
  memo(true)?.set(key, value);
}

/** The remembered value, once: a second read goes to the database. */
export function recall<T>(key: string): T | undefined {
  const m = memo(false);
  const v = m?.get(key) as T | undefined;
  if (v !== undefined) m!.delete(key);
  return v;
}

/** A write in this request makes what was read before it stale. */
export function forget(key?: string): void {
  const m = memo(false);
  if (key === undefined) m?.clear();
  else m?.delete(key);
}
