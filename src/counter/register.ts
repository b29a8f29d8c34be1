// What the counter does after the officer has checked the papers in person, shared by the partner
// API and the officer page: create a level-3 account pending activation (SMS link), or raise an
// existing level-2 account to 3. Every outcome that changes something is audited with the officer.
import { randomBytes } from 'node:crypto';
import type { Config } from '../config/index.ts';
import type { Db } from '../db/knex.ts';
import type { SmsGateway } from '../connectors/sms/index.ts';
import { findAccount, findAccountIdByIdentifier, setLevel } from '../identity/accounts.ts';
import { audit } from '../identity/audit.ts';
import { createAccount, type FieldError } from '../identity/create-account.ts';
import { parsePersonalId } from '../identity/identifiers/index.ts';
import { saveFlow } from '../shared/flows.ts';
import { hmac } from '../shared/digest.ts';

export const ACTIVATION_KIND = 'activation';
const ACTIVATION_TTL_MS = 72 * 3600_000;
export const DOCUMENTS = ['cccd', 'cmnd', 'passport'] as const;

export const activationFlowId = (secret: string, code: string) => `activation:${hmac(secret, 'activation', code)}`;

/** Who acts at the counter, as the audit trail names them. */
export interface CounterActor { actor: string; officerId: string; postOffice: string; clientId?: string | undefined; ip: string }

export interface CounterPerson { idNumber?: string | undefined; fullName?: string | undefined; birthdate?: string | undefined; phone?: string | undefined; email?: string | undefined; documentType?: string | undefined }

export type CreateOutcome =
  | { ok: true; accountId: string; activationExpiresAt: Date; phone: string; reissued: boolean }
  | { ok: false; error: 'document' }
  | { ok: false; error: 'account_exists'; level: number; upgradable: boolean }
  | { ok: false; error: 'invalid'; fields: FieldError[] };

export const isDocument = (v: unknown): v is (typeof DOCUMENTS)[number] => typeof v === 'string' && (DOCUMENTS as readonly string[]).includes(v);

export async function createAtCounter(cfg: Config, db: Db, sms: SmsGateway, who: CounterActor, p: CounterPerson): Promise<CreateOutcome> {
  if (!isDocument(p.documentType)) return { ok: false, error: 'document' };
  const person = parsePersonalId(p.idNumber ?? '');
  const existingId = person.ok ? await findAccountIdByIdentifier(db, person.value.type, person.value.value) : undefined;
  if (existingId) {
    const existing = (await findAccount(db, existingId))!;
    // Registered here before but never activated (the link lost or expired): a new link, not a dead end.
    if (existing.status === 'pending_activation') {
      const sent = await sendActivation(cfg, db, sms, existing.id);
      await audit(db, { action: 'account.activation_reissued', accountId: existing.id, actor: who.actor, ip: who.ip, method: 'counter', result: 'success', clientId: who.clientId, details: { postOffice: who.postOffice, officer: who.officerId } });
      return { ok: true, accountId: existing.id, ...sent, reissued: true };
    }
    return { ok: false, error: 'account_exists', level: existing.level, upgradable: existing.level < 3 };
  }
  const created = await createAccount(db, {
    subjectType: 'citizen', level: 3, status: 'pending_activation', phoneVerified: false,
    fullName: p.fullName, birthdate: p.birthdate, [person.ok ? person.value.type : 'cccd']: p.idNumber, phone: p.phone, email: p.email,
  });
  if (!created.ok) {
    if (created.errors.some((e) => e.error === 'duplicate')) return { ok: false, error: 'account_exists', level: 3, upgradable: false };
    return { ok: false, error: 'invalid', fields: created.errors };
  }
  const sent = await sendActivation(cfg, db, sms, created.accountId);
  await audit(db, { action: 'account.register', accountId: created.accountId, actor: who.actor, ip: who.ip, method: 'counter', result: 'success', clientId: who.clientId, details: { postOffice: who.postOffice, officer: who.officerId, document: p.documentType } });
  return { ok: true, accountId: created.accountId, ...sent, reissued: false };
}

/** A fresh single-use activation link by SMS (72 h); any earlier link of the account stops working. */
async function sendActivation(cfg: Config, db: Db, sms: SmsGateway, accountId: string): Promise<{ activationExpiresAt: Date; phone: string }> {
  await db('flows').where({ kind: ACTIVATION_KIND }).andWhereRaw("data->>'accountId' = ?", [accountId]).delete();
  const code = randomBytes(12).toString('base64url');
  const activationExpiresAt = new Date(Date.now() + ACTIVATION_TTL_MS);
  await saveFlow(db, { id: activationFlowId(cfg.otpSecret, code), kind: ACTIVATION_KIND, state: 'start', data: { accountId }, expiresAt: activationExpiresAt });
  const account = (await findAccount(db, accountId))!;
  const phone = account.identifiers.find((i) => i.type === 'phone')!.value;
  await sms.send({ to: phone, text: `Tai khoan Cong DVC cua ban da duoc tao tai buu cuc. Kich hoat trong 72 gio: ${cfg.issuer}/activate/${code}`, idempotencyKey: `activation:${code}` });
  return { activationExpiresAt, phone };
}

export type UpgradeOutcome = { ok: true; accountId: string; changed: boolean } | { ok: false; error: 'invalid' | 'not_found' };

export async function upgradeAtCounter(db: Db, who: CounterActor, idNumber: string, documentType: unknown): Promise<UpgradeOutcome> {
  const person = parsePersonalId(idNumber);
  if (!person.ok || !isDocument(documentType)) return { ok: false, error: 'invalid' };
  const accountId = await findAccountIdByIdentifier(db, person.value.type, person.value.value);
  if (!accountId) return { ok: false, error: 'not_found' };
  const account = (await findAccount(db, accountId))!;
  if (account.level < 3) {
    await db.transaction((trx) => setLevel(trx, accountId, 3));
    await audit(db, { action: 'account.level_raised', accountId, actor: who.actor, ip: who.ip, method: 'counter', result: 'success', clientId: who.clientId, details: { from: account.level, to: 3, postOffice: who.postOffice, officer: who.officerId, document: documentType } });
  }
  return { ok: true, accountId, changed: account.level < 3 };
}
