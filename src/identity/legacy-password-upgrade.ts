// After a login proved the password against an imported hash: replace it with our argon2id (audited),
// or, for a weak hash under IMPORT_WEAK_HASH_POLICY=reset, refuse the login and send the person to
// "forgot password".
import type { Db } from '../db/knex.ts';
import { audit } from './audit.ts';
import { updateCredential, type Credential } from './credentials.ts';
import { WEAK_HASH_TYPES } from './legacy-passwords.ts';
import { hashPassword, type PasswordConfig } from './passwords.ts';

export type WeakHashPolicy = 'reset' | 'upgrade';

/** `reset`: the password was right but the account must choose a new one first. */
export async function afterPasswordProved(db: Db, cred: Credential<PasswordConfig>, pw: string, policy: WeakHashPolicy, ctx: { ip?: string; method: string }): Promise<'ok' | 'reset'> {
  const from = cred.config.hashType;
  if (!from || from === 'argon2id') return 'ok';
  if (from !== 'argon2' && WEAK_HASH_TYPES.has(from) && policy === 'reset') {
    await audit(db, { action: 'password.reset_required', accountId: cred.accountId, ip: ctx.ip, method: ctx.method, result: 'failure', details: { hashType: from } });
    return 'reset';
  }
  const config: PasswordConfig = { ...cred.config, hash: await hashPassword(pw), hashType: 'argon2id', upgradedFrom: from };
  // A parallel login may have upgraded it first: that one's hash is as good.
  if (await updateCredential(db, cred, config)) {
    await audit(db, { action: 'password.upgrade', accountId: cred.accountId, ip: ctx.ip, method: ctx.method, result: 'success', details: { from, to: 'argon2id' } });
  }
  return 'ok';
}
