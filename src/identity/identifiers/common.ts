// Shared result type and input hygiene for the identifier parsers (DESIGN.md §4).

export type IdentifierError =
  | 'required'
  | 'format'
  | 'province'
  | 'birth_year_mismatch'
  | 'check_digit'
  | 'date_invalid'
  | 'date_future'
  | 'not_mobile';

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: IdentifierError };

export const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
export const fail = <T = never>(error: IdentifierError): Parsed<T> => ({ ok: false, error });

// C0 and C1 control characters (NUL, tab, newline, ESC, …). None belongs in a typed identifier; a NUL
// would also be refused by PostgreSQL text columns further down, so refuse it at the edge instead.
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/** Common first step: control characters → 'format'; trims; empty → 'required'. */
export function prepare(input: string): Parsed<string> {
  if (typeof input !== 'string' || CONTROL.test(input)) return fail('format');
  const s = input.trim();
  return s ? ok(s) : fail('required');
}

/** Removes the separators people type inside numbers ("020 093 001 656", "091.234.5228"). */
export const compact = (s: string, separators: RegExp = /[\s.]/g): string => s.replace(separators, '');
