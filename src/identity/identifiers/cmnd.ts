// CMND: the legacy 9-digit identity card number. No structure worth checking beyond the length
// (the 12-digit CMND issued 2012–2016 has the CCCD layout and is handled as a CCCD).
import { compact, fail, ok, prepare, type Parsed } from './common.ts';

export function parseCmnd(input: string): Parsed<string> {
  const p = prepare(input);
  if (!p.ok) return p;
  const s = compact(p.value);
  return /^\d{9}$/.test(s) ? ok(s) : fail('format');
}
