// createApp: the Koa app (no listen). The provider handles the protocol; our router the pages.
import 'reflect-metadata';
import Koa, { type Context, type Next } from 'koa';
import Router from '@koa/router';
import type Provider from 'oidc-provider';
import type { Config } from './config/index.ts';
import { createTokenDb, type Db } from './db/knex.ts';
import { createRedisStore, useRedis } from './db/redis.ts';
import { createConnectors, type Connectors } from './connectors/index.ts';
import { OtpService } from './identity/otp.ts';
import { startOutbox } from './identity/outbox-worker.ts';
import { createProvider } from './provider/configuration.ts';
import { knexAdapterFactory } from './provider/adapter.ts';
import { loadSigningKeys } from './provider/keys.ts';
import { guardIssuer } from './provider/issuer-guard.ts';
import { MethodRegistry } from './interaction/registry.ts';
import { interactionRouter } from './interaction/routes.ts';
import { interactionOf } from './interaction/current.ts';
import { loginFinisher } from './interaction/finish.ts';
import { forgotPasswordRouter } from './recovery/forgot-password.ts';
import { complaintsRouter } from './complaints/routes.ts';
import { counterApi } from './counter/api.ts';
import { counterPage } from './counter/page.ts';
import { activationRouter } from './counter/activation.ts';
import { portalRouter } from './portal/index.ts';
import { adminRouter } from './admin/index.ts';
import { startRouter } from './start/index.ts';
import { demoService } from './demo/index.ts';
import { buttonPreviewRouter } from './integrators/button-page.ts';
import type { MethodDeps } from './interaction/method.ts';
import './shared/messages.ts';
import { altchaAssets, Captcha } from './web/captcha.ts';
import { csrf } from './web/csrf.ts';
import { render } from './web/render.ts';
import { rejectNul } from './web/reject-nul.ts';
import { securityHeaders } from './web/security-headers.ts';
import { errorBoundary } from './web/error-boundary.ts';
import { checkBodyHeaders, pageBody } from './web/request-body.ts';
import { staticFiles } from './web/static.ts';
import { health } from './web/health.ts';
import { metrics } from './web/metrics-endpoint.ts';
import { sandboxOcspResponder, sandboxRouter } from './sandbox/routes.ts';
import { sandboxVnpostIdp } from './sandbox/vnpost-idp.ts';
import type { Logger } from './shared/logger.ts';
import { readPemBundle } from './certificates/trust.ts';
import { CrlRevocationChecker } from './certificates/crl.ts';
import { OcspRevocationChecker, OcspThenCrl } from './certificates/ocsp.ts';
import { ensureSandboxPki } from './sandbox/pki.ts';
import { developersRouter } from './developers/index.ts';
import { recordClientErrors } from './provider/client-errors.ts';

export interface AppDeps { cfg: Config; db: Db; logger: Logger; connectors?: Partial<Connectors> }

export interface App {
  app: Koa; provider: Provider; registry: MethodRegistry;
  /** Our routers (the partner API, the pages), for tests that walk every route. */
  routers: Router[];
  close(): Promise<void>;
}

export async function createApp({ cfg, db, logger, connectors: overrides }: AppDeps): Promise<App> {
  // Before the first-party clients register their redirect URIs under this node's issuer.
  await guardIssuer(db, cfg.issuer);
  const jwks = await loadSigningKeys(db, cfg.keyEncryptionSecret);
  const tokenDb = createTokenDb(cfg, db);
  // Short-lived state in Redis (REDIS_URL): registered on both handles before anything uses them. A
  // node that starts while Redis is down still starts: its readiness and those requests say 503.
  const redis = cfg.redisUrl ? createRedisStore({ url: cfg.redisUrl, prefix: cfg.redisPrefix }, logger) : undefined;
  if (redis) {
    useRedis(db, redis);
    useRedis(tokenDb, redis);
    if (!(await redis.connected(5000))) logger.error('redis not reachable at start-up: requests needing it answer 503 until it is');
  }
  const provider = createProvider(cfg, tokenDb, jwks);
  // Device and place of each provider session, for "Login management" (best effort, never blocks a login).
  provider.on('authorization.success', (ctx: Context) => {
    const s = (ctx as Context & { oidc?: { session?: { uid?: string; accountId?: string } } }).oidc?.session;
    if (!s?.uid || !s.accountId) return;
    db('session_meta').insert({ session_uid: s.uid, account_id: s.accountId, ip: ctx.ip, user_agent: ctx.get('user-agent').slice(0, 300), place: placeOf(cfg, ctx), last_seen_at: new Date() })
      .onConflict('session_uid').merge(['ip', 'user_agent', 'place', 'last_seen_at']).catch((e: unknown) => logger.warn('session_meta write failed', { error: String(e) }));
  });
  recordClientErrors(provider, db, logger);
  // Requests only store messages; this node's worker sends them through the real gateways.
  const real = createConnectors(cfg, db, overrides);
  const outbox = startOutbox(cfg, db, real, logger);
  const connectors: Connectors = { ...real, sms: outbox.sms, email: outbox.email };
  const { sms } = connectors;
  const otp = new OtpService(db, sms, cfg);
  const captcha = new Captcha(db, cfg.otpSecret, cfg.captcha, { hmacKey: cfg.altchaHmacKey, cost: cfg.altchaCost, maxNumber: cfg.altchaMaxNumber });
  const registry = new MethodRegistry(cfg);
  const anchors = cfg.trustAnchorsFile ? readPemBundle(cfg.trustAnchorsFile) : [];
  if (cfg.sandbox) anchors.push((await ensureSandboxPki(cfg, db)).cert);
  const trust = { anchors, revocation: new OcspThenCrl(new OcspRevocationChecker(), new CrlRevocationChecker()) };
  const clientIp = (ctx: Context) => ctx.ip;

  const deps: MethodDeps & { registry: MethodRegistry } = {
    cfg, db, provider, otp, sms, connectors, trust, captcha, render, registry, clientIp,
    finishLogin: loginFinisher(db, provider, registry, clientIp),
    interaction: (ctx) => interactionOf(provider, ctx),
  };

  const app = new Koa();
  // Must equal the provider's cookie keys, or the interaction cookie is written unsigned.
  app.keys = cfg.cookieKeys;
  app.proxy = cfg.trustProxy;

  // First: nothing in front of the boundary can fail, and the headers are set before anyone answers.
  app.use(errorBoundary(logger, cfg.sandbox));
  app.use(securityHeaders);
  app.use(metrics(cfg.metricsToken));
  app.use(async (ctx: Context, next: Next) => {
    ctx.state.sandbox = cfg.sandbox;
    await next();
  });
  // The token endpoint and its kin are oidc-provider's alone and answer machines: straight to it,
  // past the pages' router and middleware (which would only walk every route to find none).
  const toProvider = mountProvider(provider);
  app.use((ctx: Context, next: Next) => (MACHINE_PATHS.has(ctx.path) ? rejectNul(ctx, () => toProvider(ctx)) : next()));
  app.use(health(db, redis));
  app.use(staticFiles);
  app.use(altchaAssets);
  if (cfg.sandbox) app.use(sandboxOcspResponder(db));
  const vnpostIdp = cfg.sandbox ? await sandboxVnpostIdp(cfg, db) : undefined;
  if (vnpostIdp) app.use(vnpostIdp.protocol);

  const pages = new Router();
  pages.use(pageBody());
  pages.use(csrf(cfg.otpSecret));
  for (const m of registry.methods) m.mount(pages, deps);
  pages.use(interactionRouter(deps).routes());
  pages.use(forgotPasswordRouter(deps).routes());
  pages.use(complaintsRouter(deps).routes());
  pages.use(activationRouter(deps).routes());
  pages.use((await portalRouter(cfg, db, provider, connectors, otp, registry.methods)).routes());
  pages.use((await counterPage(cfg, db, sms)).routes());
  pages.use((await adminRouter(cfg, db, provider, sms, registry.methods)).routes());
  if (cfg.sandbox) pages.use(sandboxRouter(cfg, db, connectors).routes());
  if (vnpostIdp) pages.use(vnpostIdp.pages.routes());
  pages.use((await developersRouter(cfg, db, provider)).routes());
  pages.use(startRouter(cfg).routes());
  pages.use(buttonPreviewRouter().routes());
  // The demo relying party (sandbox only): its client is registered here, never in production.
  const demo = cfg.sandbox ? await demoService(cfg, db, (m) => new (knexAdapterFactory(db))('Client').upsert(m.client_id, m, 0)) : undefined;
  if (demo) { pages.use(demo.pages.routes()); app.use(demo.backchannel.routes()); }
  // The partner API (JSON, bearer tokens): no cookies, so no CSRF; mounted beside the pages.
  const counter = counterApi(cfg, db, provider, sms);
  app.use(apiBodyGuard);
  app.use(counter.routes());
  app.use(counter.allowedMethods());
  app.use(pages.routes());
  app.use(pages.allowedMethods());

  app.use(rejectNul);
  app.use(toProvider);
  return { app, provider, registry, routers: [counter, pages], close: async () => {
    await outbox.stop();
    if (tokenDb !== db) await tokenDb.destroy();
    if (redis) { useRedis(db, undefined); await redis.close(); }
  } };
}

/** oidc-provider's endpoints that no page of ours shares a path with (default routes, exact paths). */
const MACHINE_PATHS: ReadonlySet<string> = new Set(['/token', '/token/introspection', '/token/revocation', '/jwks', '/me', '/.well-known/openid-configuration']);

// The partner API parses its own JSON (16 KB); a body it could only fail on is refused from the headers.
async function apiBodyGuard(ctx: Context, next: Next): Promise<void> {
  if (ctx.path.startsWith('/api/')) checkBodyHeaders(ctx, 16 * 1024, ['application/json']);
  await next();
}

/** The place the load balancer resolved for the client (only when we trust it); UTF-8 or %-encoded. */
function placeOf(cfg: Config, ctx: Context): string | null {
  const raw = cfg.trustProxy && cfg.placeHeader ? ctx.get(cfg.placeHeader) : '';
  if (!raw) return null;
  let text: string;
  try {
    text = /%[0-9a-f]{2}/i.test(raw) ? decodeURIComponent(raw) : Buffer.from(raw, 'latin1').toString('utf8');
  } catch {
    return null;
  }
  return text.replace(/[\u0000-\u001f\u007f]/g, '').trim().slice(0, 120) || null;
}

// Everything our router did not answer is protocol: hand the raw request to oidc-provider.
function mountProvider(provider: Provider) {
  const handler = provider.callback();
  return async (ctx: Context) => {
    ctx.respond = false;
    await handler(ctx.req, ctx.res);
  };
}
