// A citizen's ID number as typed in one field (login username, registration): 12 digits → CCCD, 9 → CMND.
import { parseCccd } from './cccd.ts';
import { parseCmnd } from './cmnd.ts';
import { compact, fail, ok, prepare, type Parsed } from './common.ts';

export function parsePersonalId(input: string, birthdate?: string): Parsed<{ type: 'cccd' | 'cmnd'; value: string }> {
  const p = prepare(input);
  if (!p.ok) return p;
  const s = compact(p.value);
  const r = s.length === 12 ? parseCccd(s, birthdate) : s.length === 9 ? parseCmnd(s) : fail('format');
  return r.ok ? ok({ type: s.length === 12 ? 'cccd' : 'cmnd', value: r.value }) : r;
}
