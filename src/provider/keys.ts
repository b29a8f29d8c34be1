// Signing keys: generated on first start, stored encrypted, published on jwks_uri.
// Rotation adds new active keys and keeps the old ones published (retired) so tokens
// signed before the rotation still verify; nodes pick new keys up on restart.
import { randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import type { Db } from '../db/knex.ts';
import { decryptJson, encryptJson } from '../shared/sealed-json.ts';

export { decryptJson, encryptJson };

const ALGS = ['ES256', 'RS256'] as const;


async function newKey(alg: (typeof ALGS)[number]): Promise<JWK> {
  const { privateKey } = await generateKeyPair(alg, { extractable: true, ...(alg === 'RS256' ? { modulusLength: 2048 } : {}) });
  const jwk = await exportJWK(privateKey);
  return { ...jwk, alg, use: 'sig', kid: randomUUID() };
}

async function insertActive(db: Db, secret: string, owner: string): Promise<void> {
  for (const alg of ALGS) {
    const jwk = await newKey(alg);
    await db('signing_keys').insert({ kid: jwk.kid, alg, encrypted_jwk: encryptJson(secret, jwk), status: 'active', owner });
  }
}

/**
 * The private JWKS for oidc-provider, active keys first (they sign; retired ones only verify).
 * `owner` separates key sets (ours, and the sandbox Vietnam Post provider's).
 */
export async function loadSigningKeys(db: Db, secret: string, owner = 'dvc'): Promise<JWK[]> {
  // Two nodes starting at once on an empty table: the advisory lock makes one of them generate.
  await db.transaction(async (trx) => {
    await trx.raw('select pg_advisory_xact_lock(727001)');
    const { n } = (await trx('signing_keys').where({ status: 'active', owner }).count('* as n').first()) as { n: number };
    if (n === 0) await insertActive(trx, secret, owner);
  });
  const rows = await db('signing_keys').where({ owner }).orderByRaw("case status when 'active' then 0 else 1 end").orderBy('created_at', 'desc');
  return rows.map((r: { encrypted_jwk: string }) => decryptJson<JWK>(secret, r.encrypted_jwk));
}

export async function rotateSigningKeys(db: Db, secret: string, owner = 'dvc'): Promise<void> {
  await db.transaction(async (trx) => {
    await trx('signing_keys').where({ status: 'active', owner }).update({ status: 'retired', retired_at: trx.fn.now() });
    await insertActive(trx, secret, owner);
  });
}

/** Stops publishing keys retired longer ago than the longest token lifetime. */
export async function pruneRetiredKeys(db: Db, olderThanSeconds: number): Promise<number> {
  return db('signing_keys').where({ status: 'retired' }).andWhere('retired_at', '<', new Date(Date.now() - olderThanSeconds * 1000)).delete();
}
