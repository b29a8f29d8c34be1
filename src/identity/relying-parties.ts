// Relying parties (OIDC clients): the one place that creates, changes and removes them, for the CLI,
// the developer portal and the operators' console. Active clients live where the provider reads them
// (`oidc_models`, kind `Client`); a disabled one is moved aside into `relying_parties` so the
// provider no longer finds it. identity/ never imports provider/: the caller passes the provider's
// own schema check (`provider.Client.validate`) in `deps.validate`.
import { randomBytes, randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import type { Db } from '../db/knex.ts';
import { audit as writeAudit, type AuditEvent } from './audit.ts';

/** Who made a change: an account (an integrator, an operator in the console) or an operator at the CLI. */
export interface Actor { kind: 'account' | 'operator'; id: string; ip?: string | undefined; userAgent?: string | undefined }

export type ClientMetadata = Record<string, unknown>;

export interface ClientSummary {
  clientId: string; name: string; redirectUris: string[]; owner: string | null; disabled: boolean; createdAt: Date | null;
}
export interface ClientDetail extends ClientSummary {
  /** The stored metadata without the secret (it is shown once, when created or rotated). */
  metadata: ClientMetadata;
  hasSecret: boolean;
}
export interface ClientError { at: Date; error: string; description?: string; detail?: string }

export type RequestStatus = 'pending' | 'approved' | 'rejected';
export interface RegistrationRequest {
  id: string; requester: string; owner: string | null; metadata: ClientMetadata; status: RequestStatus;
  reason: string | null; clientId: string | null; decidedBy: string | null; createdAt: Date; decidedAt: Date | null;
}

/** Metadata the provider (or our own rules) refuses; `field` names the offending property when known. */
export class ClientMetadataError extends Error {
  constructor(message: string, readonly field?: string) { super(message); this.name = 'ClientMetadataError'; }
}
export class UnknownClient extends Error {
  constructor(readonly clientId: string) { super(`no client ${clientId}`); this.name = 'UnknownClient'; }
}
/** The request does not exist or was already decided (two operators deciding at once: one wins). */
export class RequestNotPending extends Error {
  constructor(readonly requestId: string) { super(`no pending request ${requestId}`); this.name = 'RequestNotPending'; }
}

/** Ids of clients made by the self-service sandbox: never cached by a node, so changes work at once. */
export const SANDBOX_CLIENT_PREFIX = 'sbx-';

export interface RelyingParties {
  /** The provider's own schema plus our rules (web uris only); returns the metadata to store.
   *  `operator`: an operator's own change (CLI), which may also set operator-only properties. */
  validate(metadata: ClientMetadata, opts?: { operator?: boolean }): Promise<ClientMetadata>;
  list(filter?: { owner?: string }): Promise<ClientSummary[]>;
  get(clientId: string): Promise<ClientDetail | undefined>;
  /** Creates (a new id is generated when none is given) or replaces a client. */
  save(metadata: ClientMetadata, actor: Actor, opts?: { owner?: string; idPrefix?: string; operator?: boolean }): Promise<{ clientId: string; created: boolean; clientSecret?: string }>;
  rotateSecret(clientId: string, actor: Actor): Promise<string>;
  setDisabled(clientId: string, disabled: boolean, actor: Actor): Promise<void>;
  remove(clientId: string, actor: Actor): Promise<void>;
  /** The stored secret, for a first-party tool acting as the client (the portal's "try it"). */
  secretOf(clientId: string): Promise<string | undefined>;
  recentErrors(clientId: string, limit?: number): Promise<ClientError[]>;
  /** Called by the provider's error events (src/provider/client-errors.ts). */
  recordError(clientId: string, e: ClientError): Promise<void>;
  requests: {
    file(metadata: ClientMetadata, requester: Actor): Promise<string>;
    list(status?: RequestStatus, filter?: { owner?: string }): Promise<RegistrationRequest[]>;
    get(id: string): Promise<RegistrationRequest | undefined>;
    approve(id: string, actor: Actor): Promise<{ clientId: string; clientSecret?: string }>;
    reject(id: string, actor: Actor, reason: string): Promise<void>;
  };
}

export interface RelyingPartiesDeps {
  /** The provider's client schema; throws oidc-provider's InvalidClientMetadata. */
  validate: (metadata: ClientMetadata) => Promise<void>;
  audit?: (db: Db, e: AuditEvent) => Promise<void>;
}

/** Properties only an operator may set (first-party sites); never accepted from a request. */
const OPERATOR_ONLY = new Set(['dvc_skip_consent']);
/** How many errors a client keeps (older ones are dropped when a new one arrives). */
const KEPT_ERRORS = 20;
const URI_FIELDS = ['redirect_uris', 'post_logout_redirect_uris'] as const;
const SINGLE_URI_FIELDS = ['backchannel_logout_uri', 'jwks_uri', 'initiate_login_uri', 'logo_uri', 'client_uri', 'policy_uri', 'tos_uri'] as const;

const actorName = (a: Actor) => `${a.kind}:${a.id}`;
const secret = () => randomBytes(32).toString('base64url');
const idWith = (prefix: string) => `${prefix}${randomBytes(12).toString('base64url')}`;

/** Whether the client authenticates with a shared secret (then we generate one). */
export function usesSecret(m: ClientMetadata): boolean {
  const method = m.token_endpoint_auth_method ?? 'client_secret_basic';
  return method === 'client_secret_basic' || method === 'client_secret_post' || method === 'client_secret_jwt';
}

/** The property an oidc-provider message is about ("redirect_uris must only contain web uris"). */
function fieldOf(message: string, metadata: ClientMetadata): string | undefined {
  if (/JSON Web Key Set/i.test(message)) return 'jwks_uri' in metadata ? 'jwks_uri' : 'jwks';
  const first = /^([a-z_]+)\b/.exec(message)?.[1];
  if (first && (first in metadata || first.endsWith('_uris') || first.endsWith('_uri') || first.endsWith('_alg') || first.endsWith('_method'))) return first;
  return Object.keys(metadata).find((k) => message.includes(k));
}

export function relyingParties(db: Db, deps: RelyingPartiesDeps): RelyingParties {
  const audit = deps.audit ?? writeAudit;
  const record = (trx: Knex.Transaction, action: string, actor: Actor, clientId: string | undefined, details?: Record<string, unknown>) =>
    audit(trx, {
      action, actor: actorName(actor), ip: actor.ip, userAgent: actor.userAgent, result: 'success', clientId,
      ...(actor.kind === 'account' ? { accountId: actor.id } : {}), ...(details ? { details } : {}),
    });

  const validate: RelyingParties['validate'] = async (input, { operator = false } = {}) => {
    for (const k of Object.keys(input)) if (OPERATOR_ONLY.has(k) && !operator) throw new ClientMetadataError(`${k} cannot be set here`, k);
    // Our rule on top of the provider's: every URI an integrator gives is a plain web address.
    const uris: [string, unknown][] = [];
    for (const f of URI_FIELDS) if (Array.isArray(input[f])) for (const u of input[f] as unknown[]) uris.push([f, u]);
    for (const f of SINGLE_URI_FIELDS) if (input[f] !== undefined) uris.push([f, input[f]]);
    for (const [f, u] of operator ? [] : uris) {
      const parsed = typeof u === 'string' ? URL.parse(u) : null;
      if (!parsed || !['https:', 'http:'].includes(parsed.protocol)) throw new ClientMetadataError(`${f} must only contain http(s) addresses`, f);
    }
    const metadata = { application_type: 'web', ...input };
    try {
      await deps.validate(metadata);
    } catch (e) {
      const err = e as { error?: string; error_description?: string; message?: string };
      if (err.error !== 'invalid_client_metadata' && err.error !== 'invalid_redirect_uri') throw e;
      const message = err.error_description ?? err.message ?? 'invalid client metadata';
      throw new ClientMetadataError(message, err.error === 'invalid_redirect_uri' ? 'redirect_uris' : fieldOf(message, metadata));
    }
    return metadata;
  };

  const activeRow = async (q: Db | Knex.Transaction, clientId: string) =>
    (await q('oidc_models').where({ kind: 'Client', id: clientId }).first('payload')) as { payload: ClientMetadata } | undefined;
  const putActive = (q: Knex.Transaction, clientId: string, m: ClientMetadata) =>
    q('oidc_models').insert({ kind: 'Client', id: clientId, payload: JSON.stringify(m) }).onConflict(['kind', 'id']).merge(['payload']);
  const ownerRow = async (q: Db | Knex.Transaction, clientId: string) =>
    (await q('relying_parties').where({ client_id: clientId }).first()) as
      { client_id: string; owner_account_id: string | null; disabled_metadata: ClientMetadata | null; created_at: Date } | undefined;

  const summary = (clientId: string, m: ClientMetadata, owner: string | null, disabled: boolean, createdAt: Date | null): ClientSummary => ({
    clientId, name: typeof m.client_name === 'string' ? m.client_name : '', redirectUris: Array.isArray(m.redirect_uris) ? (m.redirect_uris as string[]) : [],
    owner, disabled, createdAt,
  });

  /**
   * Checked before any transaction (the check may read the database itself, and the embedded
   * database has one connection): with a stand-in secret when the real one is kept or made later.
   */
  const check = async (metadata: ClientMetadata, idPrefix: string, operator = false) => {
    const clientId = typeof metadata.client_id === 'string' && metadata.client_id ? metadata.client_id : idWith(idPrefix);
    const given = typeof metadata.client_secret === 'string' ? metadata.client_secret : undefined;
    const probe: ClientMetadata = { ...metadata, client_id: clientId };
    if (usesSecret(probe)) probe.client_secret = given ?? secret();
    else delete probe.client_secret;
    const { client_secret: _standIn, ...checked } = await validate(probe, { operator });
    return { clientId, checked, given };
  };

  /** Stores a checked client inside `trx`: the caller audits in the same transaction. */
  const store = async (trx: Knex.Transaction, c: Awaited<ReturnType<typeof check>>, owner: string | null) => {
    const { clientId } = c;
    const row = await ownerRow(trx, clientId);
    const current = (await activeRow(trx, clientId))?.payload ?? row?.disabled_metadata ?? undefined;
    let clientSecret: string | undefined;
    const m: ClientMetadata = { ...c.checked, client_id: clientId };
    if (usesSecret(m)) {
      if (c.given) m.client_secret = c.given;
      else if (typeof current?.client_secret === 'string') m.client_secret = current.client_secret;
      else m.client_secret = clientSecret = secret();
    }
    if (row?.disabled_metadata) {
      await trx('relying_parties').where({ client_id: clientId }).update({ disabled_metadata: JSON.stringify(m), updated_at: trx.fn.now() });
    } else {
      await putActive(trx, clientId, m);
      if (row) await trx('relying_parties').where({ client_id: clientId }).update({ updated_at: trx.fn.now() });
    }
    if (!row && owner) await trx('relying_parties').insert({ client_id: clientId, owner_account_id: owner });
    return { clientId, created: !current, ...(clientSecret ? { clientSecret } : {}) };
  };

  const requireClient = async (trx: Knex.Transaction, clientId: string) => {
    const active = await activeRow(trx, clientId);
    if (active) return { metadata: active.payload, disabled: false };
    const aside = (await ownerRow(trx, clientId))?.disabled_metadata;
    if (aside) return { metadata: aside, disabled: true };
    throw new UnknownClient(clientId);
  };

  const requestOf = (r: Record<string, unknown>): RegistrationRequest => ({
    id: String(r.id), requester: String(r.requester), owner: (r.owner_account_id as string | null) ?? null, metadata: r.metadata as ClientMetadata,
    status: r.status as RequestStatus, reason: (r.reason as string | null) ?? null, clientId: (r.client_id as string | null) ?? null,
    decidedBy: (r.decided_by as string | null) ?? null, createdAt: r.created_at as Date, decidedAt: (r.decided_at as Date | null) ?? null,
  });

  const getRequest = async (id: string): Promise<RegistrationRequest | undefined> => {
    if (!/^[0-9a-f-]{36}$/i.test(id)) return undefined;
    const r = await db('client_registration_requests').where({ id }).first() as Record<string, unknown> | undefined;
    return r ? requestOf(r) : undefined;
  };

  return {
    validate,

    async list(filter = {}) {
      const owners = await db('relying_parties').modify((q) => { if (filter.owner) q.where({ owner_account_id: filter.owner }); })
        .select('client_id', 'owner_account_id', 'disabled_metadata', 'created_at') as
        { client_id: string; owner_account_id: string | null; disabled_metadata: ClientMetadata | null; created_at: Date }[];
      const byId = new Map(owners.map((o) => [o.client_id, o]));
      const active = await db('oidc_models').where({ kind: 'Client' })
        .modify((q) => { if (filter.owner) q.whereIn('id', owners.map((o) => o.client_id)); })
        .select('id', 'payload') as { id: string; payload: ClientMetadata }[];
      const out = active.map((r) => { const o = byId.get(r.id); return summary(r.id, r.payload, o?.owner_account_id ?? null, false, o?.created_at ?? null); });
      for (const o of owners) if (o.disabled_metadata) out.push(summary(o.client_id, o.disabled_metadata, o.owner_account_id, true, o.created_at));
      return out.sort((a, b) => a.clientId.localeCompare(b.clientId));
    },

    async get(clientId) {
      const o = await ownerRow(db, clientId);
      const active = await activeRow(db, clientId);
      const m = active?.payload ?? o?.disabled_metadata;
      if (!m) return undefined;
      const { client_secret: s, ...metadata } = m;
      return { ...summary(clientId, m, o?.owner_account_id ?? null, !active, o?.created_at ?? null), metadata, hasSecret: typeof s === 'string' };
    },

    async save(metadata, actor, opts = {}) {
      const checked = await check(metadata, opts.idPrefix ?? 'rp-', opts.operator);
      return db.transaction(async (trx) => {
        const r = await store(trx, checked, opts.owner ?? null);
        await record(trx, r.created ? 'client.create' : 'client.update', actor, r.clientId);
        return r;
      });
    },

    async rotateSecret(clientId, actor) {
      return db.transaction(async (trx) => {
        const { metadata, disabled } = await requireClient(trx, clientId);
        if (!usesSecret(metadata)) throw new ClientMetadataError('this client does not authenticate with a secret', 'token_endpoint_auth_method');
        const s = secret();
        const m = { ...metadata, client_secret: s };
        if (disabled) await trx('relying_parties').where({ client_id: clientId }).update({ disabled_metadata: JSON.stringify(m), updated_at: trx.fn.now() });
        else await putActive(trx, clientId, m);
        await record(trx, 'client.rotate_secret', actor, clientId);
        return s;
      });
    },

    async setDisabled(clientId, disabled, actor) {
      await db.transaction(async (trx) => {
        const c = await requireClient(trx, clientId);
        if (c.disabled === disabled) return;
        if (disabled) {
          await trx('relying_parties').insert({ client_id: clientId, disabled_metadata: JSON.stringify(c.metadata) })
            .onConflict('client_id').merge({ disabled_metadata: JSON.stringify(c.metadata), updated_at: trx.fn.now() });
          await trx('oidc_models').where({ kind: 'Client', id: clientId }).delete();
        } else {
          await putActive(trx, clientId, c.metadata);
          await trx('relying_parties').where({ client_id: clientId }).update({ disabled_metadata: null, updated_at: trx.fn.now() });
        }
        await record(trx, disabled ? 'client.disable' : 'client.enable', actor, clientId);
      });
    },

    async remove(clientId, actor) {
      await db.transaction(async (trx) => {
        await requireClient(trx, clientId);
        await trx('oidc_models').where({ kind: 'Client', id: clientId }).delete();
        await trx('relying_parties').where({ client_id: clientId }).delete();
        await trx('client_errors').where({ client_id: clientId }).delete();
        await record(trx, 'client.remove', actor, clientId);
      });
    },

    async secretOf(clientId) {
      const s = (await activeRow(db, clientId))?.payload.client_secret;
      return typeof s === 'string' ? s : undefined;
    },

    async recentErrors(clientId, limit = 10) {
      const rows = await db('client_errors').where({ client_id: clientId }).orderBy('id', 'desc').limit(Math.min(limit, KEPT_ERRORS))
        .select('at', 'error', 'description', 'detail') as { at: Date; error: string; description: string | null; detail: string | null }[];
      return rows.map((r) => ({ at: r.at, error: r.error, ...(r.description ? { description: r.description } : {}), ...(r.detail ? { detail: r.detail } : {}) }));
    },

    async recordError(clientId, e) {
      await db('client_errors').insert({
        client_id: clientId.slice(0, 200), at: e.at, error: e.error.slice(0, 100),
        description: e.description?.slice(0, 500) ?? null, detail: e.detail?.slice(0, 500) ?? null,
      });
      // Only the newest few are kept: a flood of bad requests naming a client costs a bounded table.
      await db('client_errors').where({ client_id: clientId }).whereNotIn('id',
        db('client_errors').where({ client_id: clientId }).orderBy('id', 'desc').limit(KEPT_ERRORS).select('id')).delete();
    },

    requests: {
      async file(metadata, requester) {
        // Checked as the client it would become (an id and a secret are made on approval).
        const { client_id: _id, client_secret: _secret, ...asked } = metadata;
        const { client_id: _i, client_secret: _s, ...validated } = await validate({ ...asked, client_id: 'requested', ...(usesSecret(asked) ? { client_secret: secret() } : {}) });
        const id = randomUUID();
        await db.transaction(async (trx) => {
          await trx('client_registration_requests').insert({
            id, requester: actorName(requester), owner_account_id: requester.kind === 'account' ? requester.id : null, metadata: JSON.stringify(validated),
          });
          await record(trx, 'client.request', requester, undefined, { request: id });
        });
        return id;
      },
      async list(status, filter = {}) {
        const rows = await db('client_registration_requests')
          .modify((q) => { if (status) q.where({ status }); if (filter.owner) q.where({ owner_account_id: filter.owner }); })
          .orderBy('created_at', 'asc') as Record<string, unknown>[];
        return rows.map(requestOf);
      },
      get: getRequest,
      async approve(id, actor) {
        const asked = await getRequest(id);
        if (!asked || asked.status !== 'pending') throw new RequestNotPending(id);
        const { client_id: _ignored, client_secret: _none, ...metadata } = asked.metadata;
        const checked = await check(metadata, 'rp-');
        return db.transaction(async (trx) => {
          // The conditional write decides: of two operators approving at once, one creates the client.
          const [claimed] = await trx('client_registration_requests').where({ id, status: 'pending' })
            .update({ status: 'approved', decided_by: actorName(actor), decided_at: trx.fn.now() }).returning(['owner_account_id']) as
            { owner_account_id: string | null }[];
          if (!claimed) throw new RequestNotPending(id);
          const r = await store(trx, checked, claimed.owner_account_id);
          await trx('client_registration_requests').where({ id }).update({ client_id: r.clientId });
          await record(trx, 'client.request_approve', actor, r.clientId, { request: id });
          return { clientId: r.clientId, ...(r.clientSecret ? { clientSecret: r.clientSecret } : {}) };
        });
      },
      async reject(id, actor, reason) {
        if (!/^[0-9a-f-]{36}$/i.test(id)) throw new RequestNotPending(id);
        await db.transaction(async (trx) => {
          const n = await trx('client_registration_requests').where({ id, status: 'pending' })
            .update({ status: 'rejected', reason: reason.slice(0, 1000), decided_by: actorName(actor), decided_at: trx.fn.now() });
          if (!n) throw new RequestNotPending(id);
          await record(trx, 'client.request_reject', actor, undefined, { request: id });
        });
      },
    },
  };
}
