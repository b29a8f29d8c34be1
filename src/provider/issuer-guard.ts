// One issuer per database. A node started with another ISSUER on the same database used to
// re-register the first-party clients (account portal, counter page) with its own redirect URIs,
// and every other node's /account then failed with invalid_redirect_uri. The database remembers the
// issuer it was first started with; a node with another one refuses to start. The rare real change
// of issuer is an operator's command (audited).
import type { Db } from '../db/knex.ts';
import { audit } from '../identity/audit.ts';

export const ISSUER_SET_COMMAND = 'npm run cli -- issuer set';

export class IssuerMismatchError extends Error {
  constructor(readonly recorded: string, readonly configured: string) {
    super(`this database serves the issuer ${recorded}, but this node has ISSUER=${configured}. `
      + `Start it with ISSUER=${recorded}; or, to move every node to ${configured}, stop them all, run `
      + `"${ISSUER_SET_COMMAND} ${configured}" and start them with the new ISSUER (docs/operations.md).`);
  }
}

/** The issuer the database serves, if a node has started on it. */
export async function recordedIssuer(db: Db): Promise<string | undefined> {
  const row = await db('database_issuer').where({ id: 1 }).first('issuer') as { issuer: string } | undefined;
  return row?.issuer;
}

/** On start, before anything registers itself: records the issuer the first time, refuses another one. */
export async function guardIssuer(db: Db, issuer: string): Promise<void> {
  // Two nodes starting together on an empty database: one insert wins, the other compares with it.
  await db('database_issuer').insert({ id: 1, issuer }).onConflict('id').ignore();
  const recorded = await recordedIssuer(db);
  if (recorded !== issuer) throw new IssuerMismatchError(recorded ?? '(none)', issuer);
}

/** The rare real change of issuer (`issuer set`): audited with the old and new values. */
export async function changeIssuer(db: Db, issuer: string, actor: string): Promise<string | undefined> {
  return db.transaction(async (trx) => {
    const before = await trx('database_issuer').where({ id: 1 }).forUpdate().first('issuer') as { issuer: string } | undefined;
    await trx('database_issuer').insert({ id: 1, issuer, recorded_at: trx.fn.now() }).onConflict('id').merge();
    await audit(trx, { action: 'issuer.change', actor, method: 'cli', details: { from: before?.issuer ?? null, to: issuer } });
    return before?.issuer;
  });
}
