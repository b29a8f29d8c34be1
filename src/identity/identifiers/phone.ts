// Vietnamese mobile numbers (DESIGN.md §4). Stored as E.164: +84 and 9 digits.
import { fail, ok, prepare, type Parsed } from './common.ts';
import { maskId } from './mask.ts';

/** Mobile prefixes in national form, by carrier (after the 2018 move from 11 to 10 digits). */
export const MOBILE_PREFIXES: Readonly<Record<string, readonly string[]>> = {
  Viettel: ['032', '033', '034', '035', '036', '037', '038', '039', '086', '096', '097', '098'],
  Vinaphone: ['081', '082', '083', '084', '085', '088', '091', '094'],
  MobiFone: ['070', '076', '077', '078', '079', '089', '090', '093'],
  Vietnamobile: ['052', '056', '058', '092'],
  Gmobile: ['059', '099'],
  Itelecom: ['087'],
  Reddi: ['055'],
};

const MOBILE = new Set(Object.values(MOBILE_PREFIXES).flat().map((p) => p.slice(1)));

/**
 * Accepts 0…, 84…, +84…, 0084… with spaces, dots, dashes and parentheses; also the common slip of
 * keeping the trunk 0 after the country code (+84 091…), which is unambiguous since no national
 * significant number starts with 0. A well-formed number on a landline (0 2xx, 11 digits) or an
 * unassigned prefix → 'not_mobile'; anything else → 'format'.
 */
export function parsePhone(input: string): Parsed<string> {
  const p = prepare(input);
  if (!p.ok) return p;
  const s = p.value.replace(/[\s.\-()]/g, '');
  const m = /^(?:(?:\+|00)?840?|0)(\d+)$/.exec(s);
  const nsn = m?.[1];
  if (nsn === undefined) return fail('format');
  if (nsn.length === 9) return MOBILE.has(nsn.slice(0, 2)) ? ok(`+84${nsn}`) : fail('not_mobile');
  if (nsn.length === 10 && nsn.startsWith('2')) return fail('not_mobile');
  return fail('format');
}

/** "+84912345228" → "091****228" (national form, as the seed shows it). Non-phones are masked as IDs. */
export function maskPhone(e164: string): string {
  const p = parsePhone(e164);
  return maskId(p.ok ? `0${p.value.slice(3)}` : e164);
}
