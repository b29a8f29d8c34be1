// A password-reset flow of "Quên mật khẩu" (src/recovery/forgot-password.ts) that starts at the
// new-password step: the support desk issues it after checking the person's papers in person, and
// the link (its flow id, 128 random bits) goes by SMS to the account's phone only.
import { randomBytes } from 'node:crypto';
import type { Db } from '../db/knex.ts';
import { saveFlow } from '../shared/flows.ts';

export const FORGOT_PASSWORD_KIND = 'forgot_password';

/** Any earlier link of the account stops working; returns the path of the new one. */
export async function issuePasswordResetLink(db: Db, accountId: string, phone: string, ttlSeconds: number): Promise<string> {
  await db('flows').where({ kind: FORGOT_PASSWORD_KIND }).andWhereRaw("data->>'accountId' = ?", [accountId]).delete();
  const id = randomBytes(16).toString('base64url');
  await saveFlow(db, { id, kind: FORGOT_PASSWORD_KIND, state: 'password', data: { accountId, phone }, expiresAt: new Date(Date.now() + ttlSeconds * 1000) });
  return `/forgot/${id}/password`;
}
