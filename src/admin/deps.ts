// What every part of the console is given.
import type Provider from 'oidc-provider';
import type { Config } from '../config/index.ts';
import type { SmsGateway } from '../connectors/sms/index.ts';
import type { Db } from '../db/knex.ts';
import type { AuthMethod } from '../interaction/method.ts';
import type { AdminAuth } from './auth.ts';

export interface AdminDeps {
  cfg: Config;
  db: Db;
  provider: Provider;
  sms: SmsGateway;
  methods: AuthMethod[];
  admin: AdminAuth;
}

/** A reason a staff member gives for looking at or changing something: required, short, one line. */
export function reasonOf(v: unknown): string | undefined {
  if (typeof v !== 'string') return undefined;
  const r = v.normalize('NFC').replace(/[\u0000-\u001f\u007f]/g, ' ').trim();
  return r.length >= 4 && r.length <= 200 ? r : undefined;
}

export const str = (v: unknown) => (typeof v === 'string' ? v : '');
export const ticked = (v: unknown) => v === 'yes';
