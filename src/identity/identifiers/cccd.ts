// CCCD / 12-digit personal ID number: PPP G YY RRRRRR, no check digit (DESIGN.md §4).
import { compact, fail, ok, prepare, type Parsed } from './common.ts';

/** The 63 province codes of birth registration (Circular 07/2016/TT-BCA). */
export const PROVINCE_CODES: ReadonlySet<string> = new Set(
  ('001 002 004 006 008 010 011 012 014 015 017 019 020 022 024 025 026 027 030 031 033 034 035 036 ' +
    '037 038 040 042 044 045 046 048 049 051 052 054 056 058 060 062 064 066 067 068 070 072 074 075 ' +
    '077 079 080 082 083 084 086 087 089 091 092 093 094 095 096').split(' '),
);

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/**
 * Validates a CCCD. `birthdate` (ISO yyyy-mm-dd), when given, must agree with the birth year encoded
 * in the number. Spaces and dots typed between digit groups are tolerated.
 *
 * G (4th digit) encodes gender and century: the circular defines 0–9 for the 20th–24th centuries
 * (0/1 = 19xx, 2/3 = 20xx, 4/5 = 21xx, …; even = male). Nobody alive was born in 2100 or later, so a
 * G of 4–9 cannot be on a genuine card today: it is a typo and is refused as 'format'.
 */
export function parseCccd(input: string, birthdate?: string): Parsed<string> {
  const p = prepare(input);
  if (!p.ok) return p;
  const s = compact(p.value);
  if (!/^\d{12}$/.test(s)) return fail('format');
  if (!PROVINCE_CODES.has(s.slice(0, 3))) return fail('province');
  if (Number(s[3]) > 3) return fail('format');
  // An empty string is "no birthdate given" (optional form field); anything else must be ISO.
  if (birthdate !== undefined && birthdate !== '') {
    const m = ISO_DATE.exec(birthdate);
    if (!m) return fail('date_invalid');
    if (Number(m[1]) !== cccdInfo(s).birthYear) return fail('birth_year_mismatch');
  }
  return ok(s);
}

/** What a (valid, normalised) CCCD says about its holder. Throws on anything but 12 digits. */
export function cccdInfo(value: string): { province: string; gender: 'male' | 'female'; birthYear: number } {
  if (!/^\d{12}$/.test(value)) throw new TypeError('cccdInfo expects a normalised 12-digit CCCD');
  const g = Number(value[3]);
  return {
    province: value.slice(0, 3),
    gender: g % 2 === 0 ? 'male' : 'female',
    birthYear: 1900 + 100 * Math.floor(g / 2) + Number(value.slice(4, 6)),
  };
}
