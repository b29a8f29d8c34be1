// One knex adapter for every oidc-provider model, all rows in `oidc_models`.
import { errors, type Adapter, type AdapterPayload } from 'oidc-provider';
import type { Db } from '../db/knex.ts';
import { batched, prepared } from '../db/prepared.ts';
import { redisOf } from '../db/redis.ts';
import { redisAdapterFactory, REDIS_KINDS } from './redis-adapter.ts';
import { SANDBOX_CLIENT_PREFIX } from '../identity/relying-parties.ts';
import { accountJsonOf, accountMemoKey, type AccountJson } from '../identity/accounts.ts';
import { forget, recall, remember } from './request-memo.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const COLUMNS = '(kind, id, payload, grant_id, uid, account_id, user_code, expires_at)';
const ON_CONFLICT = `on conflict (kind, id) do update set payload = excluded.payload, grant_id = excluded.grant_id, uid = excluded.uid,
  account_id = excluded.account_id, user_code = excluded.user_code, expires_at = excluded.expires_at`;
const UPSERT = `insert into oidc_models ${COLUMNS} values (?, ?, ?, ?, ?, ?, ?, ?) ${ON_CONFLICT}`;
// The same for the concurrent requests' tokens of one event-loop turn (src/db/prepared.ts).
const UPSERT_MANY = `insert into oidc_models ${COLUMNS}
  select * from unnest(?::text[], ?::text[], ?::jsonb[], ?::text[], ?::text[], ?::uuid[], ?::text[], ?::timestamptz[]) ${ON_CONFLICT}`;

// Models looked up by grant id when a grant is revoked.
const GRANTABLE = new Set(['AccessToken', 'AuthorizationCode', 'RefreshToken', 'DeviceCode', 'BackchannelAuthenticationRequest']);

const LIVE = (t: string) => `(${t}.expires_at is null or ${t}.expires_at > now())`;
// A grantable model's find also reads its Grant and account: oidc-provider asks for both next in
// the same request (code and refresh exchanges, userinfo, introspection), two round trips fewer.
// A Grant's own find reads its account (the code of a Redis store is not in PostgreSQL).
const WITH_GRANT = new Set([...GRANTABLE, 'Grant']);
const FIND_WITH_GRANT = `select t.payload, t.consumed_at, g.payload as grant_payload, ${accountJsonOf('t.account_id')} as account
  from oidc_models t left join oidc_models g on g.kind = 'Grant' and g.id = t.grant_id and ${LIVE('g')}
  where t.kind = ? and t.id = ? and ${LIVE('t')} limit 1`;

interface FoundRow { payload: AdapterPayload; consumed_at: Date | null; grant_payload?: AdapterPayload | null; account?: AccountJson | null }

/**
 * Client metadata is read on every token request but changes rarely: each node keeps a found
 * client for `clientCacheSeconds` (a CLI change reaches every node within that time).
 * Self-service sandbox clients (`sbx-…`) are never cached: the developer portal's changes work at once on every node.
 * Nothing else is cached: all other models are state and live only in the database.
 */
export function knexAdapterFactory(db: Db, clientCacheSeconds = 0) {
  const query = prepared(db);
  const write = batched(db, 'oidc_upsert', UPSERT, UPSERT_MANY, (row) => `${String(row[0])}:${String(row[1])}`);
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
      forget(`${this.kind}:${id}`);
      // Hand-written SQL: this runs for every token issued, and knex's query builder was a tenth of the CPU.
      await write([row.kind, row.id, row.payload, row.grant_id, row.uid, row.account_id, row.user_code, row.expires_at]);
    }

    private async findWhere(column: 'id' | 'uid' | 'user_code', value: string): Promise<AdapterPayload | undefined> {
      const rows = column === 'id' && WITH_GRANT.has(this.kind)
        ? await query<FoundRow>('oidc_find_with_grant', FIND_WITH_GRANT, [this.kind, value])
        : await query<FoundRow>(`oidc_find_${column}`,
          `select payload, consumed_at from oidc_models where kind = ? and ${column} = ? and ${LIVE('oidc_models')} limit 1`, [this.kind, value]);
      const row = rows[0];
      if (!row) return undefined;
      const payload = row.payload;
      if (row.consumed_at) payload.consumed = Math.floor(row.consumed_at.getTime() / 1000);
      if (row.grant_payload && typeof payload.grantId === 'string') remember(`Grant:${payload.grantId}`, row.grant_payload);
      if (row.account && typeof payload.accountId === 'string') remember(accountMemoKey(payload.accountId), row.account);
      return payload;
    }

    async find(id: string) {
      if (this.kind === 'Grant') {
        const known = recall<AdapterPayload>(`Grant:${id}`);
        if (known) return known;
      }
      if (this.kind !== 'Client' || clientCacheSeconds <= 0 || id.startsWith(SANDBOX_CLIENT_PREFIX)) return this.findWhere('id', id);
      const hit = clientCache.get(id);
      if (hit && hit.until > Date.now()) return hit.payload;
      const payload = await this.findWhere('id', id);
      if (payload) clientCache.set(id, { payload, until: Date.now() + clientCacheSeconds * 1000 });
      else clientCache.delete(id);
      return payload;
    }
    findByUid(uid: string) { return this.findWhere('uid', uid); }
    findByUserCode(userCode: string) { return this.findWhere('user_code', userCode); }

    /**
     * oidc-provider reads `consumed` in find() and calls consume() later: two parallel requests (on
     * one node or two) both pass that check. The conditional write decides; only its winner goes on.
     * Kept (not deleted) until expiry so that a replayed value is detected and its grant revoked.
     */
    async consume(id: string): Promise<void> {
      const won = await query('oidc_consume', 'update oidc_models set consumed_at = now() where kind = ? and id = ? and consumed_at is null returning 1 as won', [this.kind, id]);
      if (won.length > 0) return;
      if (this.kind.endsWith('PushedAuthorizationRequest')) throw new errors.InvalidRequestUri('request_uri is invalid, expired, or was already used');
      // The loser is a replay like any later use: revoke the grant as oidc-provider does for those
      // (RFC 6749 §4.1.2, RFC 9700 §4.14.2); its error then answers 400 invalid_grant.
      forget();
      await query('oidc_revoke_replayed', `delete from oidc_models where grant_id = (select grant_id from oidc_models where kind = ? and id = ?)
        or (kind = 'Grant' and id = (select grant_id from oidc_models where kind = ? and id = ?))`, [this.kind, id, this.kind, id]);
      throw new errors.InvalidGrant(`${this.kind} already used`);
    }

    async destroy(id: string): Promise<void> {
      if (this.kind === 'Client') clientCache.delete(id);
      forget(`${this.kind}:${id}`);
      await db('oidc_models').where({ kind: this.kind, id }).delete();
    }

    async revokeByGrantId(grantId: string): Promise<void> {
      forget();
      await db('oidc_models').where({ grant_id: grantId }).delete();
    }
  };
}

/**
 * oidc-provider's adapter: every model in PostgreSQL, or, when the Db has a Redis store
 * (REDIS_URL), the short-lived ones (REDIS_KINDS) in Redis and the rest in PostgreSQL.
 */
export function adapterFactory(db: Db, clientCacheSeconds = 0): (kind: string) => Adapter {
  const KnexAdapter = knexAdapterFactory(db, clientCacheSeconds);
  const redis = redisOf(db);
  const RedisAdapter = redis && redisAdapterFactory(redis, db);
  return (kind) => (RedisAdapter && REDIS_KINDS.has(kind) ? new RedisAdapter(kind) : new KnexAdapter(kind));
}

/** Deletes expired rows of every short-lived table; run on a timer by each node (idempotent). */
export async function cleanupExpired(db: Db): Promise<number> {
  let n = 0;
  n += await db('oidc_models').where('expires_at', '<', db.fn.now()).delete();
  n += await db('flows').where('expires_at', '<', db.fn.now()).delete();
  n += await db('otp_challenges').where('expires_at', '<', db.raw("now() - interval '1 day'")).delete();
  n += await db('captchas').where('expires_at', '<', db.fn.now()).delete();
  n += await db('altcha_spent').where('expires_at', '<', db.fn.now()).delete();
  n += await db('sim_pushes').where('expires_at', '<', db.fn.now()).delete();
  n += await db('rate_limits').where('expires_at', '<', db.fn.now()).delete();
  // Device and IP of sessions long over (a session lives 8 hours at most).
  n += await db('session_meta').where('last_seen_at', '<', db.raw("now() - interval '2 days'")).delete();
  // Idempotency keys of the counter API are remembered for 7 days (docs/counter-api.openapi.yaml).
  n += await db('counter_requests').where('created_at', '<', db.raw("now() - interval '7 days'")).delete();
  // Outbox messages given up (their text already wiped) stay a week for the operator to count.
  n += await db('outbox').where('failed_at', '<', db.raw("now() - interval '7 days'")).delete();
  return n;
}
