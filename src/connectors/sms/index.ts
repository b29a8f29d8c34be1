import type { Config } from '../../config/index.ts';
import type { Db } from '../../db/knex.ts';
import { HttpSmsGateway } from './http.ts';
import type { SmsGateway } from './port.ts';
import { SandboxSmsGateway } from './sandbox.ts';

export type { SmsGateway, SmsMessage } from './port.ts';
export { SmsUnavailableError } from './port.ts';

export function createSmsGateway(cfg: Config, db: Db): SmsGateway {
  if (cfg.smsGateway === 'sandbox') return new SandboxSmsGateway(db);
  return new HttpSmsGateway({ url: cfg.smsUrl!, token: cfg.smsToken, timeoutMs: cfg.smsTimeoutMs, retries: cfg.smsRetries });
}
