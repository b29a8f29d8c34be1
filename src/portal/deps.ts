// What every section of the account portal is given.
import type Provider from 'oidc-provider';
import type { Config } from '../config/index.ts';
import type { Connectors } from '../connectors/index.ts';
import type { Db } from '../db/knex.ts';
import type { AuthMethod, MethodDeps } from '../interaction/method.ts';
import type { PortalAuth } from './auth.ts';
import type { Notify } from '../identity/notices.ts';

export interface PortalDeps {
  cfg: Config;
  db: Db;
  provider: Provider;
  auth: PortalAuth;
  sms: Connectors['sms'];
  email: Connectors['email'];
  otp: MethodDeps['otp'];
  methods: AuthMethod[];
  /** An SMS to the account's phone after a change ("if this was not you, call…"); best effort. */
  notify: Notify;
}
