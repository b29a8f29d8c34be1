// Vietnamese identifiers (DESIGN.md §4): validate on input, normalise before storing.
export type IdentifierError = 'required' | 'format' | 'province' | 'birth_year_mismatch' | 'check_digit' | 'date_invalid' | 'date_future' | 'not_mobile';
export type Parsed<T> = { ok: true; value: T } | { ok: false; error: IdentifierError };

const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const fail = <T>(error: IdentifierError): Parsed<T> => ({ ok: false, error });

const CONTROL = /[\u0000-\u001f\u007f]/;

function pre(input: string): Parsed<string> {
  if (CONTROL.test(input)) return fail('format');
  const s = input.trim();
  return s ? ok(s) : fail('required');
}

// Circular 07/2016/TT-BCA: the 63 province codes of birth registration.
const PROVINCES = new Set(('001 002 004 006 008 010 011 012 014 015 017 019 020 022 024 025 026 027 030 031 033 034 035 036 ' +
  '037 038 040 042 044 045 046 048 049 051 052 054 056 058 060 062 064 066 067 068 070 072 074 075 077 079 080 082 083 084 086 087 089 091 092 093 094 095 096').split(' '));

/** 12 digits PPP G YY RRRRRR. G: 0/1 male/female born 19xx, 2/3 born 20xx; 4+ (21xx and later) are not issued yet. */
export function parseCccd(input: string, birthdate?: string): Parsed<string> {
  const p = pre(input);
  if (!p.ok) return p;
  const s = p.value.replace(/[\s.]/g, '');
  if (!/^\d{12}$/.test(s)) return fail('format');
  if (!PROVINCES.has(s.slice(0, 3))) return fail('province');
  const g = Number(s[3]);
  if (g > 3) return fail('format');
  if (birthdate && Number(birthdate.slice(0, 4)) !== cccdInfo(s).birthYear) return fail('birth_year_mismatch');
  return ok(s);
}

export function cccdInfo(value: string): { province: string; gender: 'male' | 'female'; birthYear: number } {
  const g = Number(value[3]);
  return { province: value.slice(0, 3), gender: g % 2 === 0 ? 'male' : 'female', birthYear: 1900 + 100 * Math.floor(g / 2) + Number(value.slice(4, 6)) };
}

export function parseCmnd(input: string): Parsed<string> {
  const p = pre(input);
  if (!p.ok) return p;
  const s = p.value.replace(/[\s.]/g, '');
  return /^\d{9}$/.test(s) ? ok(s) : fail('format');
}

export function parsePersonalId(input: string, birthdate?: string): Parsed<{ type: 'cccd' | 'cmnd'; value: string }> {
  const p = pre(input);
  if (!p.ok) return p;
  const s = p.value.replace(/[\s.]/g, '');
  if (s.length === 12) { const r = parseCccd(s, birthdate); return r.ok ? ok({ type: 'cccd', value: r.value }) : r; }
  if (s.length === 9) { const r = parseCmnd(s); return r.ok ? ok({ type: 'cmnd', value: r.value }) : r; }
  return fail('format');
}

/** 10-digit BHXH code, or the old 15-character health-insurance card whose last 10 characters are the code. */
export function parseBhxh(input: string): Parsed<string> {
  const p = pre(input);
  if (!p.ok) return p;
  const s = p.value.replace(/\s/g, '').toUpperCase();
  if (/^\d{10}$/.test(s)) return ok(s);
  if (/^[A-Z]{2}[1-5]\d{2}\d{10}$/.test(s)) return ok(s.slice(5));
  return fail('format');
}

const MST_WEIGHTS = [31, 29, 23, 19, 17, 13, 7, 5, 3];

/** MST: 10 digits with a check digit, or 13 as XXXXXXXXXX-XXX (branch 001–999). Stored with the dash. */
export function parseMst(input: string): Parsed<string> {
  const p = pre(input);
  if (!p.ok) return p;
  const s = p.value.replace(/[\s.]/g, '');
  const m = /^(\d{10})(?:-?(\d{3}))?$/.exec(s);
  if (!m) return fail('format');
  const main = m[1]!;
  const sum = MST_WEIGHTS.reduce((acc, w, i) => acc + w * Number(main[i]), 0);
  const rest = sum % 11;
  // rest 0 is invalid by the rule; rest 1 would need a check digit of 10, which cannot exist.
  if (rest === 0 || rest === 1 || 10 - rest !== Number(main[9])) return fail('check_digit');
  if (m[2] !== undefined) {
    if (m[2] === '000') return fail('format');
    return ok(`${main}-${m[2]}`);
  }
  return ok(main);
}

const MOBILE = /^(?:\+?84|0)(3[2-9]|5[25689]|7[06-9]|8[1-9]|9[0-46-9])\d{7}$/;

/** A Vietnamese mobile number in any usual spelling → E.164 (+84 and 9 digits). */
export function parsePhone(input: string): Parsed<string> {
  const p = pre(input);
  if (!p.ok) return p;
  const s = p.value.replace(/[\s.\-()]/g, '');
  if (!/^(\+?84|0)\d{9}$/.test(s)) return fail('format');
  if (!MOBILE.test(s)) return fail('not_mobile');
  return ok(`+84${s.slice(-9)}`);
}

/** "+84912345228" → "091****228", as the seed shows it. */
export function maskPhone(e164: string): string {
  const national = `0${e164.replace(/^\+84/, '')}`;
  return `${national.slice(0, 3)}${'*'.repeat(Math.max(0, national.length - 6))}${national.slice(-3)}`;
}

export function maskId(value: string): string {
  if (value.length <= 6) return '*'.repeat(value.length);
  return `${value.slice(0, 3)}${'*'.repeat(value.length - 6)}${value.slice(-3)}`;
}

/** dd/mm/yyyy → yyyy-mm-dd; real calendar dates from 1900 up to today. */
export function parseDateVn(input: string, now: Date = new Date()): Parsed<string> {
  const p = pre(input);
  if (!p.ok) return p;
  const m = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(p.value);
  if (!m) return fail('format');
  const [d, mo, y] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const dt = new Date(Date.UTC(y, mo - 1, d));
  if (y < 1900 || dt.getUTCFullYear() !== y || dt.getUTCMonth() !== mo - 1 || dt.getUTCDate() !== d) return fail('date_invalid');
  const iso = `${y}-${String(mo).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
  const today = `${now.getFullYear()}-${String(now.getMonth() + 1).padStart(2, '0')}-${String(now.getDate()).padStart(2, '0')}`;
  return iso > today ? fail('date_future') : ok(iso);
}

export function formatDateVn(iso: string): string {
  const [y, m, d] = iso.split('-');
  return `${d}/${m}/${y}`;
}

/** For storage and display: NFC, trimmed, single spaces; case and diacritics as typed. */
export function normaliseName(input: string): string {
  return input.normalize('NFC').trim().replace(/\s+/g, ' ');
}

/** Same name? NFC + Vietnamese case folding; diacritics are significant ("Lê" ≠ "Lệ", "Đ" ≠ "D"). */
export function namesMatch(a: string, b: string): boolean {
  const fold = (s: string) => normaliseName(s).toLocaleLowerCase('vi').normalize('NFC');
  return fold(a) === fold(b);
}

export function parseEmail(input: string): Parsed<string> {
  const p = pre(input);
  if (!p.ok) return p;
  const s = p.value;
  const m = /^([^\s@]+)@([^\s@]+\.[^\s@]+)$/.exec(s);
  if (!m || s.length > 254) return fail('format');
  return ok(`${m[1]}@${m[2]!.toLowerCase()}`);
}
