// One line of the import file (docs/account-import.md) → a validated account, or the reason it is refused.
// The registration rules are the registration's own (validateAccountInput), never a copy.
import type { AccountStatus, IdentifierType, SubjectType } from '../identity/accounts.ts';
import { validateAccountInput, type ValidAccount } from '../identity/create-account.ts';
import { legacyHashType, type LegacyHashType } from '../identity/legacy-passwords.ts';

/** How the old portal proved the level: level 3 needs a signature, the post office or a counter. */
export const PROOFS = { mobile_subscriber: 2, bhxh: 2, sim: 3, usb: 3, vnpost: 3, counter: 3 } as const;
export type Proof = keyof typeof PROOFS;
const STATUSES: readonly AccountStatus[] = ['active', 'locked'];
const MAX_LINE = 16_384;

export interface ImportRow extends ValidAccount {
  subjectType: SubjectType;
  status: AccountStatus;
  proof: Proof;
  createdAt: string;
  password: { hash: string; type: LegacyHashType } | undefined;
}

export type RowResult = { ok: true; row: ImportRow } | { ok: false; reason: string };
const fail = (reason: string): RowResult => ({ ok: false, reason });
const text = (v: unknown) => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined);

/** ISO yyyy-mm-dd or dd/mm/yyyy (the registration's format) → dd/mm/yyyy. */
function birthdateVn(v: unknown): string | undefined {
  const s = text(v)?.trim();
  const iso = s ? /^(\d{4})-(\d{2})-(\d{2})$/.exec(s) : null;
  return iso ? `${iso[3]}/${iso[2]}/${iso[1]}` : s;
}

export function parseRow(line: string): RowResult {
  if (!line.trim()) return fail('empty_line');
  if (line.length > MAX_LINE) return fail('line_too_long');
  let o: unknown;
  try { o = JSON.parse(line); } catch { return fail('json'); }
  if (!o || typeof o !== 'object' || Array.isArray(o)) return fail('json');
  const r = o as Record<string, unknown>;

  const valid = validateAccountInput({
    subjectType: r.subject_type as SubjectType, level: text(r.level) as '2' | '3',
    fullName: text(r.full_name), birthdate: birthdateVn(r.birthdate), cccd: text(r.cccd), cmnd: text(r.cmnd), mst: text(r.mst),
    bhxh: text(r.bhxh), organisationName: text(r.organisation_name), phone: text(r.phone), email: text(r.email),
  });
  if (!valid.ok) return fail(valid.errors.map((e) => `${e.field}:${e.error}`).join(','));

  const proof = text(r.proof) as Proof;
  if (!Object.hasOwn(PROOFS, proof)) return fail('proof:format');
  if (valid.value.level > PROOFS[proof]) return fail('level:proof_too_weak');
  const status = (text(r.status) ?? 'active') as AccountStatus;
  if (!STATUSES.includes(status)) return fail('status:format');
  const created = text(r.created_at);
  const at = created && /^\d{4}-\d{2}-\d{2}/.test(created) ? new Date(created) : undefined;
  if (!at || Number.isNaN(at.getTime()) || at.getTime() > Date.now() || at.getUTCFullYear() < 1990) return fail('created_at:format');

  let password: ImportRow['password'];
  if (r.password_hash !== undefined && r.password_hash !== null) {
    const hash = text(r.password_hash) ?? '';
    const type = legacyHashType(hash);
    if (!type) return fail('password_hash:format');
    password = { hash, type };
  }
  return { ok: true, row: { ...valid.value, subjectType: r.subject_type as SubjectType, status, proof, createdAt: at.toISOString(), password } };
}

/** The identifiers the duplicate rule looks at (CCCD and CMND of a person, MST of an enterprise). */
export function legalIds(row: ImportRow, types: readonly IdentifierType[]): { type: IdentifierType; value: string }[] {
  return row.ids.filter((i) => types.includes(i.type));
}
