// MST (tax code): 10 digits NN NNNNNNN C, or a dependent unit's 13 as XXXXXXXXXX-XXX (DESIGN.md §4).
import { fail, ok, prepare, type Parsed } from './common.ts';

const WEIGHTS = [31, 29, 23, 19, 17, 13, 7, 5, 3] as const;

/**
 * Check digit: S = Σ dᵢ·wᵢ over the first nine digits, C = 10 − (S mod 11).
 * S mod 11 ranges over 0..10, so C ranges over 10..0. The only impossible case is S mod 11 = 0, where
 * C would be 10 — not a digit — and DESIGN says such a base is invalid: no code carries it. That is also
 * the only way "10 − (S mod 11) = 10" can happen. S mod 11 = 1 gives C = 9 and S mod 11 = 10 gives C = 0,
 * both ordinary valid codes.
 */
export function mstCheckDigit(first9: string): number | undefined {
  const sum = WEIGHTS.reduce((acc, w, i) => acc + w * Number(first9[i]), 0);
  const rest = sum % 11;
  return rest === 0 ? undefined : 10 - rest;
}

/** Accepts "0100109106", "0100109106-001" and "0100109106001"; the branch form is stored with the dash. */
export function parseMst(input: string): Parsed<string> {
  const p = prepare(input);
  if (!p.ok) return p;
  const s = p.value.replace(/[\s.]/g, '');
  const m = /^(\d{10})(?:-?(\d{3}))?$/.exec(s);
  if (!m) return fail('format');
  const main = m[1]!;
  const branch = m[2];
  if (mstCheckDigit(main.slice(0, 9)) !== Number(main[9])) return fail('check_digit');
  if (branch === undefined) return ok(main);
  // Dependent units are numbered 001–999; 000 would be the parent itself.
  return branch === '000' ? fail('format') : ok(`${main}-${branch}`);
}
