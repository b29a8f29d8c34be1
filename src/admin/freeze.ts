// Freezing an account on a complaint: no sign-in by any method (every method and the provider's
// account lookup want status "active"), every session, grant and token revoked, and each relying
// party told by back-channel logout. Restoring makes it active again; nothing else changes.
import type Provider from 'oidc-provider';
import type { Db } from '../db/knex.ts';
import { providerLoginsOf, revokeEverything, sendBackchannelLogout } from '../identity/sessions.ts';

const FIRST_PARTY_SESSIONS = ['portal_session', 'counter_session', 'admin_session'];

/** Inside `trx`: freezes an active account; false when it was not active. The caller audits in the same trx. */
export async function freezeAccount(trx: Db, accountId: string): Promise<boolean> {
  const n = await trx('accounts').where({ id: accountId, status: 'active' }).update({ status: 'frozen', updated_at: trx.fn.now() });
  if (n !== 1) return false;
  await revokeEverything(trx, accountId);
  await endFirstPartySessions(trx, accountId);
  return true;
}

/** The sessions of our own sites (portal, counter, console) of the account. */
export async function endFirstPartySessions(trx: Db, accountId: string): Promise<void> {
  await trx('flows').whereIn('kind', FIRST_PARTY_SESSIONS).andWhereRaw("data->>'accountId' = ?", [accountId]).delete();
}

export async function restoreAccount(trx: Db, accountId: string): Promise<boolean> {
  return (await trx('accounts').where({ id: accountId, status: 'frozen' }).update({ status: 'active', updated_at: trx.fn.now() })) === 1;
}

/** Freeze with the relying parties told: their sign-ins are read first, the logout sent after the commit. */
export async function freezeAndTell(db: Db, provider: Provider, accountId: string, inTrx: (trx: Db, frozen: boolean) => Promise<void>): Promise<boolean> {
  const logins = await providerLoginsOf(db, accountId);
  const frozen = await db.transaction(async (trx) => {
    const f = await freezeAccount(trx, accountId);
    await inTrx(trx, f);
    return f;
  });
  if (frozen) await sendBackchannelLogout((id) => provider.Client.find(id), accountId, logins);
  return frozen;
}
