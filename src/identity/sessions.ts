// Ending what an account holds in the provider: every session, grant and token.
import { jsonColumn, type Db } from '../db/knex.ts';

const HELD = ['Session', 'Grant', 'AccessToken', 'RefreshToken', 'AuthorizationCode', 'DeviceCode', 'BackchannelAuthenticationRequest'];

/** Deletes the account's sessions, grants and tokens: refresh tokens stop working at once. */
export async function revokeEverything(db: Db, accountId: string): Promise<number> {
  return db('oidc_models').where({ account_id: accountId }).whereIn('kind', HELD).delete();
}

/** The relying parties that hold a sign-in of the account in a provider session (for back-channel logout). */
export interface ProviderLogin { clientId: string; sid: string }

export async function providerLoginsOf(db: Db, accountId: string): Promise<ProviderLogin[]> {
  const rows = await db('oidc_models').where({ kind: 'Session', account_id: accountId }).select('payload');
  return rows.flatMap((r: { payload: unknown }) => {
    const p = jsonColumn<{ authorizations?: Record<string, { sid?: string }> }>(r.payload);
    return Object.entries(p.authorizations ?? {}).flatMap(([clientId, a]) => (a.sid ? [{ clientId, sid: a.sid }] : []));
  });
}

interface LogoutClient { backchannelLogoutUri?: string; backchannelLogout(sub: string, sid: string): Promise<void> }
/** Looks a client up by id (the provider's `Client.find`); passed in, so identity never imports provider/. */
export type FindClient = (clientId: string) => Promise<unknown>;

/** Tells each relying party (OIDC Back-Channel Logout) that these sign-ins ended; best effort, after the revocation. */
export async function sendBackchannelLogout(findClient: FindClient, accountId: string, logins: ProviderLogin[]): Promise<number> {
  let sent = 0;
  for (const l of logins) {
    const client = (await findClient(l.clientId).catch(() => undefined)) as LogoutClient | undefined;
    if (!client?.backchannelLogoutUri) continue;
    if (await client.backchannelLogout(accountId, l.sid).then(() => true, () => false)) sent++;
  }
  return sent;
}
