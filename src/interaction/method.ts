// The contract every registration/login method implements. The chooser, the step-up page and
// the policy only ever see this interface; methods never import each other.
import type Router from '@koa/router';
import type { Context } from 'koa';
import type Provider from 'oidc-provider';
import type { Config } from '../config/index.ts';
import type { Db } from '../db/knex.ts';
import type { Account, Level, SubjectType } from '../identity/accounts.ts';
import type { OtpService } from '../identity/otp.ts';
import type { SmsGateway } from '../connectors/sms/index.ts';
import type { Connectors } from '../connectors/index.ts';
import type { CertificateTrust } from '../certificates/trust.ts';
import type { Text } from '../shared/i18n.ts';
import type { Captcha } from '../web/captcha.ts';

export type Purpose = 'login' | 'registration';

export interface LoginOutcome {
  accountId: string;
  methodId: string;
  amr: string[];
  /** A further cap for this login only (e.g. what an upstream provider asserted). */
  acrCeiling?: 2 | 3;
}

/** What the host gives a method: narrow on purpose (STYLE.md, kratos dependencies). */
export interface MethodDeps {
  cfg: Config;
  db: Db;
  provider: Provider;
  otp: OtpService;
  sms: SmsGateway;
  connectors: Connectors;
  trust: CertificateTrust;
  captcha: Captcha;
  render(ctx: Context, view: string, locals?: Record<string, unknown>, status?: number): void;
  /** Completes the interaction: computes acr = min(account level, method ceiling) and redirects. */
  finishLogin(ctx: Context, outcome: LoginOutcome): Promise<void>;
  /** The interaction of this request (throws a friendly error when it is gone). */
  interaction(ctx: Context): Promise<Awaited<ReturnType<Provider['interactionDetails']>>>;
  clientIp(ctx: Context): string;
}

export interface AuthMethod {
  id: string;
  label: Text;
  hint?: Text;
  purposes: Purpose[];
  subjectTypes: SubjectType[];
  /** The highest acr this method can vouch for (config CEILING_<ID> may lower it). */
  ceiling: Level;
  /** RFC 8176 values this method puts in `amr`. */
  amr: string[];
  /** Whether the method needs an account already known (e.g. from the session) before it starts. */
  requiresKnownAccount: boolean;
  /** Registration also works outside a sign-in (at /register/<id>). */
  standalone?: boolean;
  /** Can this method, used now, bring this already-signed-in account to `level`? (step-up) */
  canRaise?(account: Account, level: Level): boolean;
  /** The credentials this method keeps, as the account portal shows them (the portal knows no method). */
  credentials?: CredentialKind[];
  /**
   * The portal may offer "add" for this method: its own steps run for the signed-in account and
   * link the credential to it (and raise the level, as in step-up). The text is the action's label.
   */
  link?: Text;
  /**
   * The method's first page may be the login page itself (the seed's one page: the ID number and
   * password form, the other methods beside it as tabs), sparing the request of a chooser. The first
   * method offered, if it has this, is shown so; `beside` lists every method offered, itself included.
   */
  loginPage?(ctx: Context, deps: MethodDeps, beside: LoginPageLocals): Promise<void>;
  /** Mounts the method's routes; paths must start with `/interaction/:uid/<id>`. */
  mount(router: Router, deps: MethodDeps): void;
}

/** What the login page shows beside a method's form: the service, the level it asks, the methods offered. */
export interface LoginPageLocals {
  clientName: string;
  minimum: Level | undefined;
  methods: { id: string; label: Text; hint?: Text | undefined }[];
  federated: { id: string; label: Text; hint?: Text | undefined }[];
}

export interface CredentialKind {
  type: string;
  label: Text;
  /** Whether it is a way to sign in (the portal never removes the last one). */
  signsIn: boolean;
  /** One line about a credential of this kind (a masked number, a certificate's subject…). */
  describe?(config: Record<string, unknown>): string;
}

export function defineMethod<T extends AuthMethod>(m: T): T {
  return m;
}
