// The interaction policy: oidc-provider's, extended (never forked) with our step-up rule.
import { interactionPolicy, type KoaContextWithOIDC } from 'oidc-provider';
import { KEEP_LEVEL, requestedAcrFromParams, sessionLevel } from '../interaction/levels.ts';
import { LINK_PARAM, SKIP_CONSENT } from './configuration.ts';

const { Check, base } = interactionPolicy;

export function createPolicy() {
  const policy = base();
  const login = policy.get('login')!;
  // The built-in checks compare acr for equality; ours treats a level as a minimum ("3" satisfies "2").
  login.checks.remove('essential_acr');
  login.checks.remove('essential_acrs');
  login.checks.add(new Check('acr_below', 'the session does not reach the requested assurance level', (ctx: KoaContextWithOIDC) => {
    const { oidc } = ctx;
    if (!oidc.session?.accountId) return Check.NO_NEED_TO_PROMPT;
    const req = requestedAcrFromParams(oidc.params as Record<string, unknown>);
    if (req.minimum === undefined && !req.unsatisfiable) return Check.NO_NEED_TO_PROMPT;
    if (!req.essential && (oidc.result as Record<string, unknown> | undefined)?.[KEEP_LEVEL] === true) return Check.NO_NEED_TO_PROMPT;
    const have = sessionLevel(oidc.session.acr);
    // Real booleans only (oidc-provider ≥ 9.12 rejects anything else).
    return req.unsatisfiable || have === undefined || have < req.minimum! ? Check.REQUEST_PROMPT : Check.NO_NEED_TO_PROMPT;
  }));
  // The account portal (a first-party client) asks to add a credential to the signed-in account:
  // the login prompt runs again, straight into that method, which links instead of signing in anew.
  login.checks.add(new Check('link_requested', 'a credential is to be linked to the signed-in account', (ctx: KoaContextWithOIDC) => {
    const { oidc } = ctx;
    const wanted = typeof oidc.params?.[LINK_PARAM] === 'string' && oidc.params[LINK_PARAM] !== '';
    // Once the method's steps have run (a login result in this interaction), the request goes on.
    const linking = wanted && !!oidc.session?.accountId && !oidc.result?.login && oidc.client?.metadata()[SKIP_CONSENT] === true;
    return linking ? Check.REQUEST_PROMPT : Check.NO_NEED_TO_PROMPT;
  }));
  return policy;
}
