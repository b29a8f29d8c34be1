// Authenticator apps (TOTP, RFC 6238, via otplib) as an alternative to SMS codes, with one-time
// recovery codes. The TOTP secret is stored encrypted; recovery codes only as keyed hashes.
import { randomBytes } from 'node:crypto';
import { generateSecret, generateURI, verify } from 'otplib';
import type { Db } from '../db/knex.ts';
import { encryptJson, decryptJson } from '../shared/sealed-json.ts';
import { hmac, safeEqual } from '../shared/digest.ts';
import { addCredential, credentialsOf, updateCredential } from './credentials.ts';

export const TOTP_CREDENTIAL = 'totp';
export const RECOVERY_CREDENTIAL = 'recovery_codes';
interface TotpConfig { secret: string; lastStep?: number }
interface RecoveryConfig { hashes: string[] }

export function newTotpSecret(): { secret: string; uri: (label: string) => string } {
  const secret = generateSecret();
  return { secret, uri: (label) => generateURI({ issuer: 'DVC ID', label, secret }) };
}

/** Checks a code against a secret, refusing a code of a time step already used (no replay). */
export async function checkTotp(secret: string, code: string, lastStep?: number): Promise<number | undefined> {
  if (!/^\d{6}$/.test(code)) return undefined;
  const r = await verify({ secret, token: code, epochTolerance: 30 });
  if (!r.valid) return undefined;
  const step = (r as { timeStep?: number }).timeStep ?? Math.floor(Date.now() / 30000);
  return lastStep !== undefined && step <= lastStep ? undefined : step;
}

export async function enrolTotp(db: Db, keySecret: string, codeSecret: string, accountId: string, secret: string, enrolStep: number): Promise<string[]> {
  const codes = Array.from({ length: 10 }, () => randomBytes(5).toString('hex').toUpperCase().replace(/(.{5})/, '$1-'));
  await db.transaction(async (trx) => {
    await trx('credentials').where({ account_id: accountId }).whereIn('type', [TOTP_CREDENTIAL, RECOVERY_CREDENTIAL]).delete();
    await addCredential<TotpConfig>(trx, accountId, TOTP_CREDENTIAL, { secret: encryptJson(keySecret, secret), lastStep: enrolStep });
    await addCredential<RecoveryConfig>(trx, accountId, RECOVERY_CREDENTIAL, { hashes: codes.map((c) => hmac(codeSecret, 'recovery', accountId, c)) });
  });
  return codes;
}

export async function hasTotp(db: Db, accountId: string): Promise<boolean> {
  return (await credentialsOf(db, accountId, TOTP_CREDENTIAL)).length > 0;
}

/** A TOTP code or a recovery code (used once). */
export async function verifySecondFactor(db: Db, keySecret: string, codeSecret: string, accountId: string, input: string): Promise<'totp' | 'recovery' | undefined> {
  const value = input.trim().toUpperCase();
  const [cred] = await credentialsOf<{ secret: string; lastStep?: number }>(db, accountId, TOTP_CREDENTIAL);
  if (cred && /^\d{6}$/.test(value)) {
    const step = await checkTotp(decryptJson<string>(keySecret, cred.config.secret), value, cred.config.lastStep);
    if (step === undefined) return undefined;
    return (await updateCredential<TotpConfig>(db, cred, { ...cred.config, lastStep: step })) ? 'totp' : undefined;
  }
  const [rec] = await credentialsOf<RecoveryConfig>(db, accountId, RECOVERY_CREDENTIAL);
  if (!rec) return undefined;
  const h = hmac(codeSecret, 'recovery', accountId, value);
  const idx = rec.config.hashes.findIndex((x) => safeEqual(x, h));
  if (idx < 0) return undefined;
  const hashes = rec.config.hashes.filter((_, i) => i !== idx);
  return (await updateCredential<RecoveryConfig>(db, rec, { hashes })) ? 'recovery' : undefined;
}
