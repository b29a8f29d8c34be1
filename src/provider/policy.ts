// The interaction policy: oidc-provider's, extended (never forked) with our step-up rule.
import { interactionPolicy, type KoaContextWithOIDC } from 'oidc-provider';
import { requestedAcrFromParams, sessionLevel } from '../interaction/levels.ts';

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
    const have = sessionLevel(oidc.session.acr);
    // Real booleans only (oidc-provider ≥ 9.12 rejects anything else).
    return req.unsatisfiable || have === undefined || have < req.minimum! ? Check.REQUEST_PROMPT : Check.NO_NEED_TO_PROMPT;
  }));
  return policy;
}
