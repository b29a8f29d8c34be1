// Vietnamese personal names (DESIGN.md §4). Diacritics are part of the spelling: "Lê" and "Lệ", "Đặng"
// and "Dặng", "Nguyễn" and "Nguyen" are different names and never compare equal.

/**
 * For storage and display: NFC (keyboards and old converters emit decomposed or mixed forms), trimmed,
 * inner whitespace collapsed to one space. Case and diacritics stay as typed. Invisible characters that
 * cannot be part of a name are dropped too: control characters become spaces, format characters
 * (zero-width spaces and joiners, bidi overrides, soft hyphens — often pasted from documents) go.
 */
export function normaliseName(input: string): string {
  return input
    .replace(/\p{Cf}/gu, '')
    .replace(/\p{Cc}/gu, ' ')
    .normalize('NFC')
    .replace(/\s+/g, ' ')
    .trim();
}

// The five tone marks, as combining characters: huyền, sắc, ngã, hỏi, nặng.
const TONE = '[\u0300\u0301\u0303\u0309\u0323]';
const NOT_MARK = '(?![\u0300-\u036f])';
// Two tone-placement conventions are both in everyday use for open syllables in oa, oe, uy:
// "Hòa/Hoà", "Khỏe/Khoẻ", "Thúy/Thuý", "Thụy/Thuỵ". The tone (which stays significant) is moved onto
// the second vowel so both spellings compare equal; no two distinct words differ only by where it sits.
const OLD_STYLE = new RegExp(`([ou])(${TONE})([aey])${NOT_MARK}`, 'g');

function fold(s: string): string {
  return normaliseName(s)
    .toLocaleLowerCase('vi')
    .normalize('NFD')
    .replace(OLD_STYLE, (all, v1: string, tone: string, v2: string) =>
      (v1 === 'o' && v2 !== 'y') || (v1 === 'u' && v2 === 'y') ? `${v1}${v2}${tone}` : all)
    .normalize('NFC');
}

/**
 * Same name? Compared after NFC, Vietnamese case folding (Đ ↔ đ, never d) and whitespace collapsing,
 * and with the old/new tone placement treated alike. Diacritics are never stripped.
 */
export function namesMatch(a: string, b: string): boolean {
  return fold(a) === fold(b);
}
