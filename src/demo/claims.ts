// The ID token's claims in plain words, as a service site would show them to the person.
import type { IDToken } from 'openid-client';
import { formatDateVn } from '../identity/identifiers/date.ts';
import { vnMinute } from '../shared/vn-time.ts';

/** One line: a message key for the label, the value, and (optionally) a message key explaining it. */
export interface ClaimLine { labelKey: string; value: string; meaningKey?: string }

// RFC 8176 combinations DVC ID sends (README "amr"), sorted; single values for anything else.
const AMR_SETS: Record<string, string> = {
  'mfa pwd sms': 'demo.amr.pwd_sms', 'mfa otp pwd': 'demo.amr.pwd_otp', 'hwk mca pin': 'demo.amr.sim', 'hwk pin sc': 'demo.amr.usb', fed: 'demo.amr.fed',
};

/** Message keys naming how the person signed in; an unknown value is shown as it is. */
export function amrWords(amr: unknown): string[] {
  const list = Array.isArray(amr) ? amr.map(String) : [];
  const known = AMR_SETS[[...list].sort().join(' ')];
  return known ? [known] : list.map((v) => `demo.amr.value.${v}`);
}

export function claimLines(c: IDToken): ClaimLine[] {
  const lines: ClaimLine[] = [];
  const add = (labelKey: string, value: unknown, meaningKey?: string) => {
    if (typeof value === 'string' && value !== '') lines.push({ labelKey, value, ...(meaningKey ? { meaningKey } : {}) });
  };
  add('demo.claim.name', c.name);
  add('demo.claim.organization', c.organization_name);
  add('demo.claim.birthdate', typeof c.birthdate === 'string' ? formatDateVn(c.birthdate) : undefined);
  add('demo.claim.national_id', c.national_id, c.national_id_type === 'cmnd' ? 'demo.claim.national_id.cmnd' : 'demo.claim.national_id.cccd');
  add('demo.claim.cmnd', c.cmnd);
  add('demo.claim.tax_code', c.tax_code);
  add('demo.claim.phone', c.phone_number, c.phone_number_verified === true ? 'demo.claim.verified' : undefined);
  add('demo.claim.email', c.email, c.email_verified === true ? 'demo.claim.verified' : undefined);
  add('demo.claim.subject_type', c.subject_type, `demo.subject_type.${String(c.subject_type)}`);
  add('demo.claim.acr', c.acr, c.acr === '3' || c.acr === '2' ? `demo.acr.${c.acr}` : undefined);
  add('demo.claim.auth_time', typeof c.auth_time === 'number' ? vnMinute(new Date(c.auth_time * 1000)) : undefined);
  add('demo.claim.sub', c.sub);
  return lines;
}
