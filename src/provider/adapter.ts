// One knex adapter for every oidc-provider model, all rows in `oidc_models`.
import type { Adapter, AdapterPayload } from 'oidc-provider';
import type { Db } from '../db/knex.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

// Models looked up by grant id when a grant is revoked.
const GRANTABLE = new Set(['AccessToken', 'AuthorizationCode', 'RefreshToken', 'DeviceCode', 'BackchannelAuthenticationRequest']);

/**
 * Client metadata is read on every token request but changes rarely: each node keeps a found
 * client for `clientCacheSeconds` (a CLI change reaches every node within that time).
 * Nothing else is cached: all other models are state and live only in the database.
 */
export function knexAdapterFactory(db: Db, clientCacheSeconds = 0) {
  const clientCache = new Map<string, { payload: AdapterPayload; until: number }>();
  return class KnexAdapter implements Adapter {
    constructor(readonly kind: string) {}

    async upsert(id: string, payload: AdapterPayload, expiresIn: number): Promise<void> {
      const row = {
        kind: this.kind,
        id,
        payload: JSON.stringify(payload),
        grant_id: GRANTABLE.has(this.kind) || this.kind === 'Grant' ? (payload.grantId ?? null) : null,
        uid: payload.uid ?? null,
        account_id: typeof payload.accountId === 'string' && UUID.test(payload.accountId) ? payload.accountId : null,
        user_code: payload.userCode ?? null,
        expires_at: expiresIn ? new Date(Date.now() + expiresIn * 1000) : null,
      };
      if (this.kind === 'Client') clientCache.delete(id);
      await db('oidc_models').insert(row).onConflict(['kind', 'id']).merge();
    }

    private async findWhere(where: Record<string, string>): Promise<AdapterPayload | undefined> {
      const row = await db('oidc_models')
        .where({ kind: this.kind, ...where })
        .andWhere((q) => q.whereNull('expires_at').orWhere('expires_at', '>', db.fn.now()))
        .first('payload', 'consumed_at');
      if (!row) return undefined;
      const payload = (typeof row.payload === 'string' ? JSON.parse(row.payload) : row.payload) as AdapterPayload;
      if (row.consumed_at) payload.consumed = Math.floor(new Date(row.consumed_at as string).getTime() / 1000);
      return payload;
    }

    async find(id: string) {
      if (this.kind !== 'Client' || clientCacheSeconds <= 0) return this.findWhere({ id });
      const hit = clientCache.get(id);
      if (hit && hit.until > Date.now()) return hit.payload;
      const payload = await this.findWhere({ id });
      if (payload) clientCache.set(id, { payload, until: Date.now() + clientCacheSeconds * 1000 });
      else clientCache.delete(id);
      return payload;
    }
    findByUid(uid: string) { return this.findWhere({ uid }); }
    findByUserCode(userCode: string) { return this.findWhere({ user_code: userCode }); }

    async consume(id: string): Promise<void> {
      // Kept (not deleted) until expiry so that a replayed code is detected and its grant revoked.
      await db('oidc_models').where({ kind: this.kind, id }).update({ consumed_at: db.fn.now() });
    }

    async destroy(id: string): Promise<void> {
      if (this.kind === 'Client') clientCache.delete(id);
      await db('oidc_models').where({ kind: this.kind, id }).delete();
    }

    async revokeByGrantId(grantId: string): Promise<void> {
      await db('oidc_models').where({ grant_id: grantId }).delete();
    }
  };
}

/** Deletes expired rows of every short-lived table; run on a timer by each node (idempotent). */
export async function cleanupExpired(db: Db): Promise<number> {
  let n = 0;
  n += await db('oidc_models').where('expires_at', '<', db.fn.now()).delete();
  n += await db('flows').where('expires_at', '<', db.fn.now()).delete();
  n += await db('otp_challenges').where('expires_at', '<', db.raw("now() - interval '1 day'")).delete();
  n += await db('captchas').where('expires_at', '<', db.fn.now()).delete();
  n += await db('rate_limits').where('expires_at', '<', db.fn.now()).delete();
  // Idempotency keys of the counter API are remembered for 7 days (docs/counter-api.openapi.yaml).
  n += await db('counter_requests').where('created_at', '<', db.raw("now() - interval '7 days'")).delete();
  return n;
}
