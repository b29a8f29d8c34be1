// The hosted interaction pages: chooser, step-up, consent, cancel. Each method mounts its own steps.
import Router from '@koa/router';
import type { Context } from 'koa';
import type Provider from 'oidc-provider';
import type { Db } from '../db/knex.ts';
import { findAccount } from '../identity/accounts.ts';
import { AppError, SessionExpired } from '../shared/errors.ts';
import { LINK_PARAM } from '../provider/configuration.ts';
import { addMessages, useUiLocales } from '../shared/i18n.ts';
import { KEEP_LEVEL, requestedAcrFromParams, sessionLevel } from './levels.ts';
import type { MethodDeps } from './method.ts';
import type { MethodRegistry } from './registry.ts';
import { isStoreUnavailable } from '../db/store-unavailable.ts';

addMessages({
  'error.account_unavailable': { vi: 'Tài khoản này hiện không thể đăng nhập. Vui lòng liên hệ bộ phận hỗ trợ.', en: 'This account cannot sign in at the moment. Please contact support.' },
  'error.link_unknown': { vi: 'Phương thức xác thực này không thể thêm vào tài khoản.', en: 'This sign-in method cannot be added to an account.' },
});

type Details = Awaited<ReturnType<Provider['interactionDetails']>>;

export async function interactionOf(provider: Provider, ctx: Context): Promise<Details> {
  try {
    const d = await provider.interactionDetails(ctx.req, ctx.res);
    if (ctx.params.uid && d.uid !== ctx.params.uid) throw SessionExpired();
    useUiLocales(ctx, d.params.ui_locales);
    return d;
  } catch (e) {
    // Redis down (REDIS_URL) is an outage to retry (503), not an expired sign-in to start again.
    if (isStoreUnavailable(e)) throw e;
    throw SessionExpired();
  }
}

export function interactionRouter(deps: MethodDeps & { registry: MethodRegistry }): Router {
  const { provider, db, registry, render } = deps;
  const router = new Router();

  const clientName = async (details: Details) => {
    const client = await provider.Client.find(String(details.params.client_id));
    return client?.clientName ?? String(details.params.client_id);
  };

  router.get('/interaction/:uid', async (ctx) => {
    const details = await interactionOf(provider, ctx);
    const { prompt, params } = details;
    const name = await clientName(details);
    const req = requestedAcrFromParams(params);

    if (prompt.name === 'login') {
      const accountId = details.session?.accountId;
      // The portal asked to add a credential: straight into that method's own steps.
      if (accountId && prompt.reasons.includes('link_requested')) {
        const m = registry.get(String(params[LINK_PARAM]));
        if (!m?.link) throw new AppError(400, 'error.link_unknown');
        ctx.status = 303;
        return ctx.redirect(`/interaction/${details.uid}/${m.id}`);
      }
      if (accountId && prompt.reasons.includes('acr_below')) {
        return showStepUp(ctx, db, deps, details, name, accountId, req.minimum ?? 3);
      }
      return render(ctx, 'chooser', {
        uid: details.uid, clientName: name, minimum: req.minimum,
        methods: registry.forChooser('login', req.minimum).filter((m) => !m.amr.includes('fed')).map((m) => ({ id: m.id, label: m.label, hint: m.hint })),
        federated: registry.forChooser('login', req.minimum).filter((m) => m.amr.includes('fed')).map((m) => ({ id: m.id, label: m.label, hint: m.hint })),
      });
    }
    if (prompt.name === 'consent') {
      const d = prompt.details as { missingOIDCScope?: string[]; missingOIDCClaims?: string[] };
      return render(ctx, 'consent', { uid: details.uid, clientName: name, scopes: (d.missingOIDCScope ?? []).filter((s) => s !== 'openid'), claims: d.missingOIDCClaims ?? [] });
    }
    throw SessionExpired();
  });

  // "Đăng ký": the registration methods, from the login page or on their own.
  // As in the seed: first who registers (citizen or enterprise), then how. Outside a sign-in, the
  // signature methods start from the account portal's sign-in, where an unknown certificate registers.
  const registrationChooser = async (ctx: Context, uid: string | undefined) => {
    // The seed's order (R1 mobile subscriber, R2 social insurance, R3 SIM, R4 USB), then any others.
    const SEED_ORDER = ['register_mobile', 'register_bhxh', 'sim', 'usb'];
    const rank = (id: string) => (SEED_ORDER.includes(id) ? SEED_ORDER.indexOf(id) : SEED_ORDER.length);
    const methods = registry.methods.filter((m) => m.purposes.includes('registration')).sort((a, b) => rank(a.id) - rank(b.id));
    const entry = (m: (typeof methods)[number]) => ({
      id: m.id, label: m.label, hint: m.hint,
      href: uid ? `/interaction/${uid}/${m.id}` : m.standalone ? `/register/${m.id}` : '/account',
      viaPortal: !uid && !m.standalone,
    });
    render(ctx, 'register/chooser', {
      uid,
      citizen: methods.filter((m) => m.subjectTypes.includes('citizen')).map(entry),
      enterprise: methods.filter((m) => m.subjectTypes.includes('enterprise')).map(entry),
    });
  };
  router.get('/interaction/:uid/register', async (ctx) => registrationChooser(ctx, (await interactionOf(provider, ctx)).uid));
  router.get('/register', async (ctx) => registrationChooser(ctx, undefined));

  router.post('/interaction/:uid/confirm', async (ctx) => {
    const details = await interactionOf(provider, ctx);
    if (details.prompt.name !== 'consent' || !details.session?.accountId) throw SessionExpired();
    const d = details.prompt.details as { missingOIDCScope?: string[]; missingOIDCClaims?: string[]; missingResourceScopes?: Record<string, string[]> };
    const grant = details.grantId
      ? (await provider.Grant.find(details.grantId))!
      : new provider.Grant({ accountId: details.session.accountId, clientId: String(details.params.client_id) });
    if (d.missingOIDCScope) grant.addOIDCScope(d.missingOIDCScope.join(' '));
    if (d.missingOIDCClaims) grant.addOIDCClaims(d.missingOIDCClaims);
    for (const [indicator, scopes] of Object.entries(d.missingResourceScopes ?? {})) grant.addResourceScope(indicator, scopes.join(' '));
    const grantId = await grant.save();
    const redirectTo = await provider.interactionResult(ctx.req, ctx.res, { consent: details.grantId ? {} : { grantId } }, { mergeWithLastSubmission: true });
    ctx.status = 303;
    ctx.redirect(redirectTo);
  });

  // "Cancel and return to the site", and "deny" on the consent page.
  router.post('/interaction/:uid/abort', async (ctx) => {
    await interactionOf(provider, ctx);
    const redirectTo = await provider.interactionResult(ctx.req, ctx.res, { error: 'access_denied', error_description: 'End-User aborted interaction' }, { mergeWithLastSubmission: false });
    ctx.status = 303;
    ctx.redirect(redirectTo);
  });

  // The person will not (or cannot) raise the level now. A voluntary request goes on at the level the
  // session has; an essential one fails, saying truthfully whether a step-up was offered (DESIGN.md §2).
  router.post('/interaction/:uid/unmet', async (ctx) => {
    const details = await interactionOf(provider, ctx);
    const session = details.session;
    if (!session?.accountId) throw SessionExpired();
    const req = requestedAcrFromParams(details.params);
    const account = await findAccount(db, session.accountId);
    const offered = !!account && registry.forStepUp(account, req.minimum ?? 3).length > 0;
    const wantsContinue = (ctx.request.body as Record<string, unknown> | undefined)?.continue === '1';
    if (wantsContinue && !req.essential && !req.unsatisfiable) {
      const current = await provider.Session.findByUid(session.uid);
      const redirectTo = await provider.interactionResult(ctx.req, ctx.res, {
        // The same login again (same time, acr and amr): only the marker is new.
        login: { accountId: session.accountId, acr: current?.acr, amr: current?.amr, ts: current?.loginTs, remember: true },
        [KEEP_LEVEL]: true,
      }, { mergeWithLastSubmission: false });
      ctx.status = 303;
      return ctx.redirect(redirectTo);
    }
    const redirectTo = await provider.interactionResult(ctx.req, ctx.res, {
      error: 'unmet_authentication_requirements',
      error_description: offered ? 'the person declined to raise the assurance level' : 'the account cannot reach the requested assurance level now',
    }, { mergeWithLastSubmission: false });
    ctx.status = 303;
    ctx.redirect(redirectTo);
  });

  return router;
}

async function showStepUp(ctx: Context, db: Db, deps: MethodDeps & { registry: MethodRegistry }, details: Details, clientName: string, accountId: string, level: 2 | 3): Promise<void> {
  const account = await findAccount(db, accountId);
  if (!account) throw SessionExpired();
  const methods = deps.registry.forStepUp(account, level);
  const req = requestedAcrFromParams(details.params);
  deps.render(ctx, 'stepup', {
    uid: details.uid, clientName, level, current: sessionLevel(details.session?.acr) ?? account.level,
    voluntary: !req.essential && !req.unsatisfiable,
    methods: methods.map((m) => ({ id: m.id, label: m.label, hint: m.hint })),
  });
}
