// Scopes → claims (documented in the README's claims table), and the account as oidc-provider sees it.
import type { Account as OidcAccount, KoaContextWithOIDC } from 'oidc-provider';
import type { Db } from '../db/knex.ts';
import { findAccount, identifierOf } from '../identity/accounts.ts';

export const CLAIMS = {
  // acr/amr/auth_time must be listed here or oidc-provider leaves them out of the ID token.
  openid: ['sub', 'acr', 'amr', 'auth_time', 'subject_type'],
  profile: ['name', 'birthdate', 'updated_at'],
  phone: ['phone_number', 'phone_number_verified'],
  email: ['email', 'email_verified'],
  national_id: ['national_id', 'national_id_type', 'cmnd'],
  enterprise: ['tax_code', 'organization_name'],
};

export function accountFinder(db: Db) {
  return async (_ctx: KoaContextWithOIDC, sub: string): Promise<OidcAccount | undefined> => {
    const a = await findAccount(db, sub);
    if (!a || a.status !== 'active') return undefined;
    return {
      accountId: a.id,
      async claims() {
        const cccd = identifierOf(a, 'cccd');
        const cmnd = identifierOf(a, 'cmnd');
        const phone = a.identifiers.find((i) => i.type === 'phone' && i.primary);
        const email = a.identifiers.find((i) => i.type === 'email' && i.primary);
        return {
          sub: a.id,
          subject_type: a.subjectType,
          name: a.fullName ?? a.organisationName ?? undefined,
          birthdate: a.birthdate ?? undefined,
          updated_at: Math.floor(a.updatedAt.getTime() / 1000),
          phone_number: phone?.value,
          phone_number_verified: phone ? phone.verified : undefined,
          email: email?.value,
          email_verified: email ? email.verified : undefined,
          national_id: cccd ?? cmnd,
          national_id_type: cccd ? 'cccd' : cmnd ? 'cmnd' : undefined,
          cmnd: cccd && cmnd ? cmnd : undefined,
          tax_code: identifierOf(a, 'mst'),
          organization_name: a.organisationName ?? undefined,
        };
      },
    };
  };
}
