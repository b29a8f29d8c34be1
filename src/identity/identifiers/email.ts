// E-mail (optional on most forms: callers treat 'required' as "not given").
import { fail, ok, prepare, type Parsed } from './common.ts';

// Deliberately simple: an ASCII local part without leading/trailing/double dots, and a domain of
// at least two LDH labels. Not RFC 5322 — quoted local parts and IP literals are not worth the risk.
const LOCAL = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/** Trimmed; the domain is lower-cased (case-insensitive by DNS), the local part kept as typed. Max 254. */
export function parseEmail(input: string): Parsed<string> {
  const p = prepare(input);
  if (!p.ok) return p;
  const s = p.value;
  if (s.length > 254) return fail('format');
  const at = s.lastIndexOf('@');
  const local = s.slice(0, at);
  const domain = s.slice(at + 1).toLowerCase();
  const labels = domain.split('.');
  if (at < 1 || local.length > 64 || !LOCAL.test(local)) return fail('format');
  if (labels.length < 2 || !labels.every((l) => LABEL.test(l)) || /^\d+$/.test(labels.at(-1)!)) return fail('format');
  return ok(`${local}@${domain}`);
}
