// Dates as Vietnamese people type them: dd/mm/yyyy (DESIGN.md §4). Stored as ISO yyyy-mm-dd.
import { fail, ok, prepare, type Parsed } from './common.ts';

// Vietnam is UTC+7 all year (no DST). "Today" is Vietnam's today whatever the server's zone, so a
// baby registered just after midnight in Hà Nội is not "born in the future" on a UTC server.
export const VN_OFFSET_MS = 7 * 3600 * 1000;
const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/**
 * "20/03/1995" or "1/2/2000" → ISO. The same separator may also be "-" or "." ("20-03-1995").
 * Real calendar dates only (29/02 in leap years), from 1900 up to today → 'date_invalid' / 'date_future'.
 */
export function parseDateVn(input: string, now: Date = new Date()): Parsed<string> {
  const p = prepare(input);
  if (!p.ok) return p;
  const m = /^(\d{1,2})([/.-])(\d{1,2})\2(\d{4})$/.exec(p.value);
  if (!m) return fail('format');
  const d = Number(m[1]);
  const mo = Number(m[3]);
  const y = Number(m[4]);
  const dt = new Date(Date.UTC(y, mo - 1, d));
  if (y < 1900 || dt.getUTCFullYear() !== y || dt.getUTCMonth() !== mo - 1 || dt.getUTCDate() !== d) return fail('date_invalid');
  const iso = `${y}-${pad(mo)}-${pad(d)}`;
  const vn = new Date(now.getTime() + VN_OFFSET_MS);
  const today = `${pad(vn.getUTCFullYear(), 4)}-${pad(vn.getUTCMonth() + 1)}-${pad(vn.getUTCDate())}`;
  return iso > today ? fail('date_future') : ok(iso);
}

/** "1995-03-20" → "20/03/1995". A timestamp's date part is used; anything else is returned unchanged. */
export function formatDateVn(iso: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:$|T)/.exec(iso);
  return m ? `${m[3]}/${m[2]}/${m[1]}` : iso;
}
