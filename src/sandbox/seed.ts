// Seeds the documented sandbox accounts (config/sandbox/accounts.json); idempotent.
import { readSandboxJson, type Config } from '../config/index.ts';
import type { Db } from '../db/knex.ts';
import { createAccount, type CreateAccountInput } from '../identity/create-account.ts';
import { findAccountIdByIdentifier } from '../identity/accounts.ts';
import { addOfficer } from '../counter/officers.ts';

export interface SandboxAccount extends CreateAccountInput { label: string }

export async function seedSandboxAccounts(cfg: Config, db: Db): Promise<number> {
  const { accounts } = readSandboxJson<{ accounts: SandboxAccount[] }>(cfg, 'accounts.json');
  let created = 0;
  for (const a of accounts) {
    const r = await createAccount(db, a);
    if (r.ok) created++;
    else if (!r.errors.some((e) => e.error === 'duplicate')) throw new Error(`sandbox account "${a.label}" is invalid: ${JSON.stringify(r.errors)}`);
  }
  // Sandbox post-office officers (the counter page): existing sandbox accounts given the role.
  const { officers } = readSandboxJson<{ officers: { cccd: string; officerId: string; postOffice: string }[] }>(cfg, 'officers.json');
  for (const o of officers) {
    const accountId = await findAccountIdByIdentifier(db, 'cccd', o.cccd);
    if (!accountId) throw new Error(`sandbox officer ${o.officerId}: no sandbox account with CCCD ${o.cccd}`);
    await addOfficer(db, { accountId, officerId: o.officerId, postOffice: o.postOffice });
  }
  return created;
}
