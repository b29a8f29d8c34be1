// Creating an account from typed input: validate and normalise every field, apply the
// duplicate rule (a person by ID number, an enterprise by tax code), then insert atomically.
import type { Db } from '../db/knex.ts';
import { findAccountIdByIdentifier, insertAccount, type IdentifierType, type Level, type SubjectType } from './accounts.ts';
import { addCredential } from './credentials.ts';
import { parseBhxh, parseCccd, parseCmnd, parseDateVn, parseEmail, parseMst, parsePhone, normaliseName } from './identifiers/index.ts';
import { hashPassword, passwordProblems, PASSWORD_CREDENTIAL, type PasswordConfig } from './passwords.ts';

export interface CreateAccountInput {
  subjectType: SubjectType | undefined;
  level: Level | '2' | '3' | undefined;
  fullName?: string | undefined;
  birthdate?: string | undefined; // dd/mm/yyyy
  cccd?: string | undefined;
  cmnd?: string | undefined;
  mst?: string | undefined;
  bhxh?: string | undefined;
  organisationName?: string | undefined;
  phone?: string | undefined;
  email?: string | undefined;
  password?: string | undefined;
  /** Certificates carry no date of birth: registrations by signature may leave it out. */
  birthdateOptional?: boolean;
  /** A USB certificate proves no phone: such registrations may come without one. */
  phoneOptional?: boolean;
  /** Counter registrations verify the phone only at activation. */
  phoneVerified?: boolean;
  status?: 'active' | 'pending_activation';
  /** Credentials to add in the same transaction (e.g. the SIM or certificate that registered). */
  credentials?: { type: string; config: unknown; identifiers: string[] }[];
}

export type FieldError = { field: string; error: string };
export type CreateResult = { ok: true; accountId: string } | { ok: false; errors: FieldError[] };

export interface ValidAccount {
  level: Level; fullName: string | undefined; birthdate: string | undefined; organisationName: string | undefined;
  ids: { type: IdentifierType; value: string; verified: boolean }[];
}

/** The registration rules alone (no database): what createAccount and the bulk import both check. */
export function validateAccountInput(input: CreateAccountInput): { ok: true; value: ValidAccount } | { ok: false; errors: FieldError[] } {
  const errors: FieldError[] = [];
  const ids: { type: IdentifierType; value: string; verified: boolean }[] = [];
  const need = (field: string, v: string | undefined) => { if (!v?.trim()) errors.push({ field, error: 'required' }); return v?.trim() ?? ''; };

  if (input.subjectType !== 'citizen' && input.subjectType !== 'enterprise') errors.push({ field: 'type', error: 'format' });
  const level = Number(input.level);
  if (level !== 2 && level !== 3) errors.push({ field: 'level', error: 'format' });
  const fullName = input.fullName?.trim() ? normaliseName(input.fullName) : undefined;

  let birthdate: string | undefined;
  if (input.subjectType === 'citizen') {
    need('name', input.fullName);
    if (!input.birthdateOptional || input.birthdate) {
      const d = parseDateVn(need('birthdate', input.birthdate));
      if (d.ok) birthdate = d.value; else if (input.birthdate) errors.push({ field: 'birthdate', error: d.error });
    }
    if (!input.cccd && !input.cmnd) errors.push({ field: 'cccd', error: 'required' });
    if (input.cccd) { const r = parseCccd(input.cccd, birthdate); if (r.ok) ids.push({ type: 'cccd', value: r.value, verified: true }); else errors.push({ field: 'cccd', error: r.error }); }
    if (input.bhxh) { const r = parseBhxh(input.bhxh); if (r.ok) ids.push({ type: 'bhxh', value: r.value, verified: true }); else errors.push({ field: 'bhxh', error: r.error }); }
    if (input.cmnd) { const r = parseCmnd(input.cmnd); if (r.ok) ids.push({ type: 'cmnd', value: r.value, verified: true }); else errors.push({ field: 'cmnd', error: r.error }); }
  }
  if (input.subjectType === 'enterprise') {
    need('organisation', input.organisationName);
    const r = parseMst(need('mst', input.mst));
    if (r.ok) ids.push({ type: 'mst', value: r.value, verified: true }); else if (input.mst) errors.push({ field: 'mst', error: r.error });
  }
  if (!input.phoneOptional || input.phone) {
    const phone = parsePhone(need('phone', input.phone));
    if (phone.ok) ids.push({ type: 'phone', value: phone.value, verified: input.phoneVerified ?? true }); else if (input.phone) errors.push({ field: 'phone', error: phone.error });
  }
  if (input.email?.trim()) {
    const e = parseEmail(input.email);
    if (e.ok) ids.push({ type: 'email', value: e.value, verified: false }); else errors.push({ field: 'email', error: e.error });
  }
  if (input.password !== undefined) for (const p of passwordProblems(input.password)) errors.push({ field: 'password', error: p });
  if (errors.length) return { ok: false, errors };
  const organisationName = input.organisationName?.trim() ? normaliseName(input.organisationName) : undefined;
  return { ok: true, value: { level: level as Level, fullName, birthdate, organisationName, ids } };
}

/** The duplicate rule: a person by ID number (CCCD and CMND), an enterprise by tax code. */
export const DUPLICATE_TYPES: readonly IdentifierType[] = ['cccd', 'cmnd', 'mst'];

export async function createAccount(db: Db, input: CreateAccountInput): Promise<CreateResult> {
  const valid = validateAccountInput(input);
  if (!valid.ok) return valid;
  const { level, fullName, birthdate, organisationName, ids } = valid.value;

  for (const i of ids) {
    if (DUPLICATE_TYPES.includes(i.type) && (await findAccountIdByIdentifier(db, i.type, i.value))) return { ok: false, errors: [{ field: i.type, error: 'duplicate' }] };
  }
  const hash = input.password !== undefined ? await hashPassword(input.password) : undefined;
  try {
    const accountId = await db.transaction(async (trx) => {
      const id = await insertAccount(trx, {
        subjectType: input.subjectType!, level, status: input.status ?? 'active', fullName, birthdate, organisationName, identifiers: ids,
      });
      if (hash) await addCredential<PasswordConfig>(trx, id, PASSWORD_CREDENTIAL, { hash, changedAt: new Date().toISOString() });
      for (const c of input.credentials ?? []) await addCredential(trx, id, c.type, c.config, c.identifiers);
      return id;
    });
    return { ok: true, accountId };
  } catch (e) {
    // Two requests for the same person at once: the unique index decides, the loser is a duplicate.
    if ((e as { code?: string }).code === '23505') return { ok: false, errors: [{ field: 'identifier', error: 'duplicate' }] };
    throw e;
  }
}
