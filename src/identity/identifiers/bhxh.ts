// BHXH (social-insurance) code: 10 digits. Health-insurance cards issued before 2021 carry 15
// characters — group (2 letters), benefit level (1–5), province (2 digits), then the BHXH code —
// so the code is the last 10. Since 2021 the card number is the 10-digit code itself. Store 10 digits.
import { fail, ok, prepare, type Parsed } from './common.ts';

const OLD_CARD = /^[A-Z]{2}[1-5]\d{2}(\d{10})$/;

export function parseBhxh(input: string): Parsed<string> {
  const p = prepare(input);
  if (!p.ok) return p;
  const s = p.value.replace(/\s/g, '').toUpperCase();
  if (/^\d{10}$/.test(s)) return ok(s);
  const m = OLD_CARD.exec(s);
  return m ? ok(m[1]!) : fail('format');
}
