// How much a configured secret is worth, estimated without knowing how it was made. A floor that
// catches the set-up mistakes (a short word, one character repeated, a pasted pattern), not a proof
// of randomness: generate secrets with `openssl rand -base64 32` (or `-hex 32`).

/** Secrets we generate ourselves must carry at least this many bytes of entropy. */
export const MIN_SECRET_BYTES = 32;

const HEX = /^[0-9a-f]+$|^[0-9A-F]+$/;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const BASE64URL = /^[A-Za-z0-9_-]+$/;

/** Bytes the text stands for: 4 bits a character when it looks like hex (digits only too), 6 when it looks
 *  like base64(url), else its UTF-8 bytes. */
export function secretBytes(s: string): number {
  if (HEX.test(s)) return Math.floor(s.length / 2);
  if (BASE64.test(s) || BASE64URL.test(s)) return Math.floor((s.replace(/=+$/, '').length * 6) / 8);
  return Buffer.byteLength(s, 'utf8');
}

/** The text's smallest period: the shortest p with s[i] = s[i + p] everywhere ("kek-kek-ke" has 4). */
function period(s: string): number {
  // Knuth–Morris–Pratt failure function: the longest proper prefix that is also a suffix.
  const fail = new Array<number>(s.length).fill(0);
  for (let i = 1, k = 0; i < s.length; i++) {
    while (k > 0 && s[i] !== s[k]) k = fail[k - 1]!;
    if (s[i] === s[k]) k++;
    fail[i] = k;
  }
  return s.length - (fail[s.length - 1] ?? 0);
}

/** Why the secret is too weak, or undefined when it passes. */
export function secretWeakness(s: string): string | undefined {
  const bytes = secretBytes(s);
  if (bytes < MIN_SECRET_BYTES) return `has about ${bytes} bytes of entropy; at least ${MIN_SECRET_BYTES} are needed (e.g. openssl rand -base64 32)`;
  const chars = [...s];
  if (new Set(chars).size < 8) return 'uses fewer than 8 different characters (low variety)';
  const p = period(s);
  if (p <= s.length / 2) return `is a pattern of ${p} characters repeated (low variety)`;
  return undefined;
}
