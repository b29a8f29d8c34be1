import type { Config } from '../../config/index.ts';
import type { Db } from '../../db/knex.ts';
import type { EmailGateway } from './port.ts';
import { SandboxEmailGateway } from './sandbox.ts';
import { SmtpEmailGateway } from './smtp.ts';

export type { EmailGateway, EmailMessage } from './port.ts';
export { EmailUnavailableError } from './port.ts';

export function createEmailGateway(cfg: Config, db: Db): EmailGateway {
  if (cfg.emailGateway === 'sandbox') return new SandboxEmailGateway(db);
  return new SmtpEmailGateway({ url: cfg.smtpUrl!, from: cfg.emailFrom, timeoutMs: cfg.emailTimeoutMs, requireTls: cfg.mode === 'production' });
}
