// The assurance model (DESIGN.md §2): acr is the identity assurance level, "2" or "3".
import type { Level } from '../identity/accounts.ts';

export const ACR_VALUES = ['2', '3'] as const;

function levelOf(v: unknown): Level | undefined {
  return v === '2' || v === 2 ? 2 : v === '3' || v === 3 ? 3 : undefined;
}

export interface AcrRequest { minimum: Level | undefined; essential: boolean; unsatisfiable: boolean }

/**
 * What the relying party asked for. A level is a minimum: "3" satisfies a request for "2".
 * Several acceptable values → the lowest one is enough. `acr_values` alone is voluntary, but
 * we still step up for it; `claims` with essential acr makes failure an error for the RP.
 */
export function requestedAcr(acrValues: unknown, claimsAcr: { essential?: boolean; value?: unknown; values?: unknown } | undefined): AcrRequest {
  const asked: unknown[] = [];
  let essential = false;
  if (claimsAcr && (claimsAcr.value !== undefined || Array.isArray(claimsAcr.values))) {
    essential = claimsAcr.essential === true;
    if (claimsAcr.value !== undefined) asked.push(claimsAcr.value);
    if (Array.isArray(claimsAcr.values)) asked.push(...claimsAcr.values);
  } else if (typeof acrValues === 'string' && acrValues.trim()) {
    asked.push(...acrValues.trim().split(/\s+/));
  }
  if (!asked.length) return { minimum: undefined, essential: false, unsatisfiable: false };
  const levels = asked.map(levelOf).filter((l): l is Level => l !== undefined);
  if (!levels.length) return { minimum: 3, essential, unsatisfiable: true };
  return { minimum: Math.min(...levels) as Level, essential, unsatisfiable: false };
}

/** Reads the request from oidc-provider's parameters (interaction details or ctx.oidc.params). */
export function requestedAcrFromParams(params: Record<string, unknown>): AcrRequest {
  let claims: { id_token?: { acr?: { essential?: boolean; value?: unknown; values?: unknown } } } | undefined;
  if (typeof params.claims === 'string') {
    try { claims = JSON.parse(params.claims) as typeof claims; } catch { claims = undefined; }
  }
  return requestedAcr(params.acr_values, claims?.id_token?.acr ?? undefined);
}

/** Set on an interaction's result when the person chose to continue at the level they have
 *  (a voluntary request only: OIDC Core §5.5.1.1 lets the RP decide what that acr is worth). */
export const KEEP_LEVEL = 'dvc_keep_level';

export function sessionLevel(acr: unknown): Level | undefined {
  return levelOf(acr);
}
