// Ending what an account holds in the provider: every session, grant and token.
import type { Db } from '../db/knex.ts';

const HELD = ['Session', 'Grant', 'AccessToken', 'RefreshToken', 'AuthorizationCode', 'DeviceCode', 'BackchannelAuthenticationRequest'];

/** Deletes the account's sessions, grants and tokens: refresh tokens stop working at once. */
export async function revokeEverything(db: Db, accountId: string): Promise<number> {
  return db('oidc_models').where({ account_id: accountId }).whereIn('kind', HELD).delete();
}
