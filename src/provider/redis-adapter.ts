// oidc-provider's short-lived models in Redis (REDIS_URL): each lives minutes, is read by id only,
// and nothing of ours queries it by account, so PostgreSQL need not write, index and vacuum it.
// Sessions, grants, refresh and access tokens and clients stay in PostgreSQL (src/provider/adapter.ts):
// login management, "sign out everywhere" and the admin pages query them by account.
import { errors, type Adapter, type AdapterPayload } from 'oidc-provider';
import type { RedisKey } from 'ioredis';
import type { Db } from '../db/knex.ts';
import type { RedisStore } from '../db/redis.ts';
import { StoreUnavailableError } from '../db/store-unavailable.ts';

/** The models kept in Redis when it is configured. */
export const REDIS_KINDS: ReadonlySet<string> = new Set(['Interaction', 'PushedAuthorizationRequest', 'ReplayDetection', 'AuthorizationCode']);

const SCRIPTS = {
  // The conditional consume: 1 = this caller consumed it, 0 = someone did before, -1 = gone (expired).
  oidcConsume: `if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
    return redis.call('HSETNX', KEYS[1], 'consumed', ARGV[1])`,
  // Deletes every model listed in a grant's set, and the set. Keys built inside a script get no
  // keyPrefix from the client: the prefix comes as ARGV[1].
  oidcRevokeGrant: `local ids = redis.call('SMEMBERS', KEYS[1])
    for _, k in ipairs(ids) do redis.call('DEL', ARGV[1] .. k) end
    redis.call('DEL', KEYS[1])
    return #ids`,
} as const;

type Scripts = { [K in keyof typeof SCRIPTS]: (key: RedisKey, ...args: (string | number)[]) => Promise<number> };

/**
 * One hash per model (`payload`, and `consumed` once consumed) with the model's TTL; a set per grant
 * of the models that carry its id (for revokeByGrantId); `tokenDb` is PostgreSQL's side of a grant,
 * revoked when a consumed code is used again.
 */
export function redisAdapterFactory(store: RedisStore, tokenDb: Db) {
  const { client, guard } = store;
  for (const [name, lua] of Object.entries(SCRIPTS)) client.defineCommand(name, { numberOfKeys: 1, lua });
  const scripts = client as unknown as Scripts;
  const grantKey = (grantId: string) => `oidc:grant:${grantId}`;

  return class RedisAdapter implements Adapter {
    constructor(readonly kind: string) {}
    private key(id: string) { return `oidc:${this.kind}:${id}`; }
    private index(name: 'uid' | 'userCode', value: string) { return `oidc:${this.kind}:${name}:${value}`; }

    async upsert(id: string, payload: AdapterPayload, expiresIn: number): Promise<void> {
      // Every model of REDIS_KINDS has a lifetime; one without would never leave Redis.
      if (!(expiresIn > 0)) throw new Error(`${this.kind} without an expiry cannot be kept in Redis`);
      const ms = Math.ceil(expiresIn * 1000);
      const key = this.key(id);
      const m = client.multi().hset(key, 'payload', JSON.stringify(payload)).pexpire(key, ms);
      if (payload.grantId) {
        // The set lives as long as its newest member: all members of a kind share one lifetime.
        m.sadd(grantKey(payload.grantId), key).pexpire(grantKey(payload.grantId), ms);
      }
      if (payload.uid) m.set(this.index('uid', payload.uid), id, 'PX', ms);
      if (payload.userCode) m.set(this.index('userCode', payload.userCode), id, 'PX', ms);
      const replies = await guard(m.exec());
      const failed = replies ? replies.find(([e]) => e)?.[0] : new Error('transaction discarded');
      if (failed) throw new StoreUnavailableError(failed);
    }

    async find(id: string): Promise<AdapterPayload | undefined> {
      const [payload, consumed] = await guard(client.hmget(this.key(id), 'payload', 'consumed'));
      if (!payload) return undefined;
      const p = JSON.parse(payload) as AdapterPayload;
      if (consumed) p.consumed = Number(consumed);
      return p;
    }

    private async findBy(name: 'uid' | 'userCode', value: string) {
      const id = await guard(client.get(this.index(name, value)));
      return id ? this.find(id) : undefined;
    }
    findByUid(uid: string) { return this.findBy('uid', uid); }
    findByUserCode(userCode: string) { return this.findBy('userCode', userCode); }

    /** As the PostgreSQL adapter's: only the winner of parallel uses goes on; a loser revokes the grant. */
    async consume(id: string): Promise<void> {
      const won = await guard(scripts.oidcConsume(this.key(id), Math.floor(Date.now() / 1000)));
      if (won === 1) return;
      if (this.kind === 'PushedAuthorizationRequest') throw new errors.InvalidRequestUri('request_uri is invalid, expired, or was already used');
      if (won === 0) {
        const payload = await this.find(id);
        if (payload?.grantId) {
          // RFC 6749 §4.1.2, RFC 9700 §4.14.2: the tokens issued from the code die with their grant.
          await tokenDb('oidc_models').where({ grant_id: payload.grantId }).orWhere({ kind: 'Grant', id: payload.grantId }).delete();
          await this.revokeByGrantId(payload.grantId);
        }
      }
      throw new errors.InvalidGrant(`${this.kind} already used`);
    }

    async destroy(id: string): Promise<void> {
      await guard(client.del(this.key(id)));
    }

    async revokeByGrantId(grantId: string): Promise<void> {
      await guard(scripts.oidcRevokeGrant(grantKey(grantId), store.prefix));
    }
  };
}
