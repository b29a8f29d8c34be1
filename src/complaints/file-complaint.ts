// Recording a complaint: validated like every form, a reference number for the person, and the
// account (if any) for the support desk. The answer never depends on whether the account exists.
import { randomBytes, randomUUID } from 'node:crypto';
import type { Db } from '../db/knex.ts';
import { findAccountIdByIdentifier } from '../identity/accounts.ts';
import { normaliseName, parseEmail, parseMst, parsePersonalId, parsePhone } from '../identity/identifiers/index.ts';

export interface ComplaintInput { idNumber: string; fullName: string; phone: string; email: string; description: string }
export type Checked =
  | { ok: true; value: { idType: 'cccd' | 'cmnd' | 'mst'; idNumber: string; fullName: string | null; phone: string; email: string | null; description: string } }
  | { ok: false; errors: Record<string, string> };

export function checkComplaint(i: ComplaintInput): Checked {
  const errors: Record<string, string> = {};
  const person = parsePersonalId(i.idNumber);
  const mst = person.ok ? undefined : parseMst(i.idNumber);
  if (!person.ok && !mst?.ok) errors.idNumber = 'complaint.err.id';
  const phone = parsePhone(i.phone);
  if (!phone.ok) errors.phone = 'complaint.err.phone';
  const email = i.email.trim() ? parseEmail(i.email) : undefined;
  if (email && !email.ok) errors.email = 'complaint.err.email';
  const description = i.description.normalize('NFC').trim();
  if (description.length < 10 || description.length > 2000) errors.description = 'complaint.err.description';
  const fullName = i.fullName.trim() ? normaliseName(i.fullName) : '';
  if (i.fullName.length > 200) errors.fullName = 'complaint.err.name';
  if (Object.keys(errors).length || !phone.ok) return { ok: false, errors };
  const id = person.ok ? person.value : { type: 'mst' as const, value: mst!.ok ? mst!.value : '' };
  return { ok: true, value: { idType: id.type, idNumber: id.value, fullName: fullName || null, phone: phone.value, email: email?.ok ? email.value : null, description } };
}

/** KN-YYMMDD-XXXXXX: readable over the phone (no 0/O, 1/I), unguessable. */
export function newReference(now = new Date()): string {
  const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  const tail = [...randomBytes(6)].map((b) => alphabet[b % alphabet.length]).join('');
  const d = now.toISOString().slice(2, 10).replace(/-/g, '');
  return `KN-${d}-${tail}`;
}

export async function fileComplaint(db: Db, c: Extract<Checked, { ok: true }>['value'], ip: string): Promise<string> {
  const accountId = c.idType === 'mst'
    ? await findAccountIdByIdentifier(db, 'mst', c.idNumber)
    : await findAccountIdByIdentifier(db, c.idType, c.idNumber);
  const reference = newReference();
  await db('complaints').insert({
    id: randomUUID(), reference, id_type: c.idType, id_number: c.idNumber, account_id: accountId ?? null,
    full_name: c.fullName, contact_phone: c.phone, contact_email: c.email, description: c.description, ip,
  });
  return reference;
}
