// Configuration: one documented object of defaults, overridden by environment variables.
// Like oidc-provider's defaults.js, the comments here ARE the reference (README links to this file).
import { readFileSync, existsSync } from 'node:fs';
import path from 'node:path';

export type Mode = 'sandbox' | 'production';

export interface Config {
  /** MODE — `sandbox` (default for `npm start`: sandbox connectors, test accounts, SMS and email outbox pages)
   *  or `production` (refuses to start with sandbox connectors, example secrets or captcha off). */
  mode: Mode;
  /** SANDBOX — turn sandbox helpers on in production mode explicitly (for a staging site). Default: on in sandbox mode. */
  sandbox: boolean;
  /** ISSUER — the public https URL of the provider, exactly as integrators will see it. */
  issuer: string;
  /** PORT / HOST — where to listen. */
  port: number;
  host: string;
  /** DATABASE_URL — PostgreSQL connection string. Unset: embedded PGlite in DATA_DIR (zero set-up). */
  databaseUrl: string | undefined;
  /** DATA_DIR — folder of the embedded database. One process opens it: the running server, which serves it to
   *  the CLI and psql on the Unix socket DATA_DIR/.s.PGSQL.5432 (`psql -h DATA_DIR -U postgres postgres`). */
  dataDir: string;
  /** EMBEDDED_DB_PORT — serve the embedded database on 127.0.0.1:<port> instead of the Unix socket (0 = any free
   *  port; the CLI finds it in DATA_DIR/lock.json). No password: any local user can reach a port, only the
   *  folder's owner the socket. Unset: the socket. */
  embeddedDbPort: number | undefined;
  /** COOKIE_KEYS — comma-separated secrets for signed cookies (first signs, all verify: rotate by prepending). */
  cookieKeys: string[];
  /** KEY_ENCRYPTION_SECRET — secret that encrypts the signing keys at rest (AES-256-GCM, key derived by HKDF). */
  keyEncryptionSecret: string;
  /** OTP_SECRET — HMAC secret for OTP/captcha/CSRF digests stored in the database. */
  otpSecret: string;
  /** PAIRWISE_SALT — salt for pairwise subject identifiers; never change it once clients use pairwise. */
  pairwiseSalt: string;
  /** CAPTCHA — `on` (default) or `off` (automated tests only; refused in production mode). */
  captcha: boolean;
  /** TRUST_PROXY — trust X-Forwarded-* from the load balancer (needed for https detection and client IPs). */
  trustProxy: boolean;
  /** PLACE_HEADER — a request header where the load balancer puts the place it resolved for the client IP
   *  (e.g. `x-client-place: Hà Nội, VN`); shown in "Login management". Read only when TRUST_PROXY is on. */
  placeHeader: string | undefined;
  /** AUDIT_RETENTION_DAYS — how long audit events (sign-ins, changes) are kept before the cleanup deletes them
   *  (at least 90: the portal shows 90 days of login history). */
  auditRetentionDays: number;
  /** METRICS_TOKEN — enables GET /metrics (Prometheus text format) for a scraper sending `Authorization: Bearer <token>`; off when unset. */
  metricsToken: string | undefined;
  /** CLOSED_ACCOUNT_RETENTION_DAYS — how long a closed account's tombstone and audit trail are kept before
   *  they are deleted for good (set it to what the law requires of the operator; the closure page says it). */
  closedAccountRetentionDays: number;
  /** METHODS — comma-separated login/registration methods to enable, in the order the chooser lists them. */
  methods: string[];
  /** CEILING_<METHOD> — highest acr a method may grant (e.g. CEILING_PASSWORD_OTP=2). */
  ceilings: Record<string, 2 | 3>;
  /** SMS_GATEWAY — `sandbox` (messages kept in the database, readable at /sandbox/sms) or `http`. */
  smsGateway: 'sandbox' | 'http';
  /** SMS_URL / SMS_TOKEN — the HTTP gateway: JSON POST {to, text} with a bearer token and an Idempotency-Key header. */
  smsUrl: string | undefined;
  smsToken: string | undefined;
  /** SMS_TIMEOUT_MS — per attempt; SMS_RETRIES — extra attempts on network errors and 5xx. */
  smsTimeoutMs: number;
  smsRetries: number;
  /** EMAIL_GATEWAY — `sandbox` (messages kept in the database, readable at /sandbox/email) or `smtp`. */
  emailGateway: 'sandbox' | 'smtp';
  /** SMTP_URL — the mail server: `smtp://user:pass@host:587` (STARTTLS when the server offers it; in
   *  production mode the server must) or `smtps://user:pass@host:465`. Percent-encode special characters in user and password. */
  smtpUrl: string | undefined;
  /** EMAIL_FROM — the From header of every message, e.g. `DVC ID <no-reply@dichvucong.gov.vn>`; its domain
   *  also names our Message-IDs, so it should be a domain the mail server may send for (SPF, DKIM). */
  emailFrom: string;
  /** EMAIL_TIMEOUT_MS — for connecting, the server's greeting and each wait on the connection (no retries:
   *  the person is told to try later). */
  emailTimeoutMs: number;
  /** CARRIER_CONNECTOR / BHXH_CONNECTOR — `sandbox` (config/sandbox/carrier.json, bhxh.json) or `http`. */
  carrierConnector: 'sandbox' | 'http';
  bhxhConnector: 'sandbox' | 'http';
  /** CARRIER_URL / CARRIER_TOKEN, BHXH_URL / BHXH_TOKEN — the real registries (JSON over HTTPS, bearer token). */
  carrierUrl: string | undefined;
  carrierToken: string | undefined;
  bhxhUrl: string | undefined;
  bhxhToken: string | undefined;
  /** CONNECTOR_TIMEOUT_MS / CONNECTOR_RETRIES — per attempt, and extra attempts on network errors and 5xx. */
  connectorTimeoutMs: number;
  connectorRetries: number;
  /** REGISTRATION_MAX_PER_IP — registry checks (registration, forgot password) allowed per IP per hour. */
  registrationMaxPerIp: number;
  /** MSS_CONNECTOR — mobile (SIM) signature service: `sandbox` (config/sandbox/sim.json, simulated phone) or `http`. */
  mssConnector: 'sandbox' | 'http';
  /** MSS_URL / MSS_TOKEN — the real mobile-signature service (see src/connectors/mobile_signature/http.ts). */
  mssUrl: string | undefined;
  mssToken: string | undefined;
  /** TRUST_ANCHORS_FILE — PEM bundle of the root CAs whose signing certificates we accept (NEAC root,
   *  Government CA root…). In sandbox mode the sandbox CA is trusted in addition. */
  trustAnchorsFile: string | undefined;
  /** USB_AGENT_URL — where the page looks for the person's local signing agent (loopback). */
  usbAgentUrl: string;
  /**
   * USB_PLUGIN_DOWNLOADS — where people download the signing plugin, per operating system:
   * `windows=https://…,macos=https://…,linux=https://…` (https only). Shown when no agent answers.
   * Unset: the page gives general advice (and, in sandbox mode, how to run ours).
   */
  usbPluginDownloads: { os: 'windows' | 'macos' | 'linux'; url: string }[];
  /** VNPOST_ISSUER / VNPOST_CLIENT_ID / VNPOST_CLIENT_SECRET — Vietnam Post's OpenID provider (L4). In sandbox
   *  mode the defaults point at the sandbox Vietnam Post provider inside this process. */
  vnpostIssuer: string | undefined;
  vnpostClientId: string | undefined;
  vnpostClientSecret: string | undefined;
  /** VNPOST_CLIENT_PRIVATE_KEY_FILE / VNPOST_CLIENT_KEY_ID — authenticate to Vietnam Post with private_key_jwt instead of a secret. */
  vnpostClientPrivateKeyFile: string | undefined;
  vnpostClientKeyId: string | undefined;
  /** VNPOST_ACR_MAP — JSON: Vietnam Post's acr values → our levels, e.g. {"urn:vnpost:loa:3":3}. Others are too low. */
  vnpostAcrMap: Record<string, 2 | 3>;
  /** VNPOST_CREATE_ACCOUNTS — create a local account on a first Vietnam Post login when none has that ID number. */
  vnpostCreateAccounts: boolean;
  /** OTP_TTL_SECONDS / OTP_MAX_ATTEMPTS / OTP_RESEND_COOLDOWN_SECONDS — SMS one-time codes. */
  otpTtlSeconds: number;
  otpMaxAttempts: number;
  otpResendCooldownSeconds: number;
  /** Password guessing (README "Throttling policy"; src/identity/login-throttle.ts). LOGIN_WINDOW_SECONDS — the
   *  window of the per-account, per-device and per-IP budgets below (900: a lock lasts at most 15 minutes). */
  loginWindowSeconds: number;
  /** LOGIN_MAX_FAILURES_PER_ACCOUNT — wrong passwords per account per window from browsers without the
   *  account's device cookie, all addresses together (5; every spelling and identifier of the account is one). */
  loginMaxFailuresPerAccount: number;
  /** LOGIN_MAX_FAILURES_PER_IP — wrong passwords per address (IPv6: per /64) per window, any account. Successes
   *  do not count: carrier-grade NAT puts thousands of people behind one address (100). */
  loginMaxFailuresPerIp: number;
  /** LOGIN_MAX_FAILURES_PER_DEVICE — wrong passwords per window from one browser holding a valid device cookie
   *  for the account; it is exempt from the account's and the address's budgets (10). */
  loginMaxFailuresPerDevice: number;
  /** LOGIN_MAX_CONSECUTIVE_FAILURES — wrong passwords in a row, from anywhere, after which password login is
   *  disabled (except on remembered devices) until "forgot password" succeeds (100, the NIST SP 800-63B maximum). */
  loginMaxConsecutiveFailures: number;
  /** LOGIN_FAILURE_MEMORY_DAYS — the consecutive count is forgotten after this many days without a failure (90). */
  loginFailureMemoryDays: number;
  /** LOGIN_LOCK_NOTICE_SECONDS — at most one "password login locked" SMS per account in this period (86400,
   *  at least LOGIN_WINDOW_SECONDS); the "disabled" SMS is always sent. */
  loginLockNoticeSeconds: number;
  /** DEVICE_COOKIE_DAYS — lifetime of the device cookie set after a completed password sign-in (180, at most 400). */
  deviceCookieDays: number;
  /** SMS_MAX_PER_PHONE — codes sent to one phone per hour. SMS_MAX_PER_IP — distinct phone numbers one
   *  IP may send codes to per hour (resends to the same number do not count again: carrier-grade NAT
   *  puts many people behind one address, a toll fraudster needs many numbers). */
  smsMaxPerPhone: number;
  smsMaxPerIp: number;
  /** SMS_MAX_PER_IDENTITY — codes sent for one identity (the ID number typed at registration or
   *  forgot password, normalised) per hour, across every phone: one registry match cannot pay for
   *  codes to thirty numbers. */
  smsMaxPerIdentity: number;
  /** SMS_BUDGET_PER_HOUR — codes all nodes together may send per clock hour; past it codes are
   *  refused ("SMS service busy") and dvc_otp_sends_total{outcome="budget"} rises. Bounds what a
   *  toll-fraud wave can cost; set it to a few times the busiest legitimate hour. */
  smsBudgetPerHour: number;
  /** OUTBOX_POLL_MS — how often each node's worker looks for due SMS/email (a send on the same
   *  node is picked up at once; this bounds retries and messages queued by other nodes). */
  outboxPollMs: number;
  /** OUTBOX_MAX_ATTEMPTS / OUTBOX_RETRY_BASE_MS — a message is tried this many times, waiting
   *  base·2^(n-1) between tries (at most 5 minutes), then given up (metric and log, no number in clear). */
  outboxMaxAttempts: number;
  outboxRetryBaseMs: number;
  /** REGISTRATION_INITIAL_ACCESS_TOKEN — enables RFC 7591 dynamic registration, guarded by this token. */
  registrationInitialAccessToken: string | undefined;
  /** ALLOW_LOOPBACK_FETCH — let the provider call 127.0.0.1 (client jwks_uri, back-channel logout). Sandbox/tests only. */
  allowLoopbackFetch: boolean;
  /** ASYNC_COMMIT_TOKENS — oidc-provider models (tokens, sessions) written with PostgreSQL's asynchronous
   *  commit: much faster token endpoint; a database crash may lose the last instants of tokens (see src/db/knex.ts). */
  asyncCommitTokens: boolean;
  /** CLIENT_CACHE_SECONDS — how long a node keeps a relying party's metadata before re-reading it (0 = always read). */
  clientCacheSeconds: number;
  /** SANDBOX_DIR — seeded test identities. */
  sandboxDir: string;
  /** LOG_LEVEL — `info` or `silent`. */
  logLevel: 'info' | 'silent';
}

// Secrets that ship in this repository: fine for a laptop, refused in production mode.
export const EXAMPLE_SECRETS = {
  cookieKeys: ['example-cookie-key-change-me-0123456789'],
  keyEncryptionSecret: 'example-key-encryption-secret-change-me',
  otpSecret: 'example-otp-secret-change-me',
  pairwiseSalt: 'example-pairwise-salt-change-me',
};

export class ConfigError extends Error {
  constructor(readonly key: string, message: string) {
    super(`config ${key}: ${message}`);
  }
}

type Env = Record<string, string | undefined>;

function bool(env: Env, key: string, dflt: boolean): boolean {
  const v = env[key];
  if (v === undefined || v === '') return dflt;
  if (/^(1|true|on|yes)$/i.test(v)) return true;
  if (/^(0|false|off|no)$/i.test(v)) return false;
  throw new ConfigError(key, `expected on/off, got "${v}"`);
}

function int(env: Env, key: string, dflt: number, min = 1, max = 10_000_000): number {
  const v = env[key];
  if (v === undefined || v === '') return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) throw new ConfigError(key, `expected an integer ${min}..${max}, got "${v}"`);
  return n;
}

function oneOf<T extends string>(env: Env, key: string, allowed: readonly T[], dflt: T): T {
  const v = env[key];
  if (v === undefined || v === '') return dflt;
  if (!(allowed as readonly string[]).includes(v)) throw new ConfigError(key, `expected one of ${allowed.join(', ')}, got "${v}"`);
  return v as T;
}

function isSmtpUrl(v: string): boolean {
  try {
    const u = new URL(v);
    return (u.protocol === 'smtp:' || u.protocol === 'smtps:') && u.hostname !== '';
  } catch {
    return false;
  }
}

function acrMap(env: Env): Record<string, 2 | 3> {
  const raw = env.VNPOST_ACR_MAP;
  if (!raw) return { 'urn:vnpost:loa:2': 2, 'urn:vnpost:loa:3': 3 };
  try {
    const m = JSON.parse(raw) as Record<string, unknown>;
    if (Object.values(m).every((v) => v === 2 || v === 3)) return m as Record<string, 2 | 3>;
  } catch { /* reported below */ }
  throw new ConfigError('VNPOST_ACR_MAP', 'expected a JSON object of acr value → 2 or 3');
}

export const ALL_METHODS = ['password_otp', 'sim', 'usb', 'vnpost', 'register_mobile', 'register_bhxh'] as const;

function parsePluginDownloads(raw: string | undefined): Config['usbPluginDownloads'] {
  if (!raw?.trim()) return [];
  return raw.split(',').map((part) => {
    const [os, url] = part.split(/=(.*)/s).map((x) => x.trim());
    if (os !== 'windows' && os !== 'macos' && os !== 'linux') throw new ConfigError('USB_PLUGIN_DOWNLOADS', `unknown operating system "${os}" (windows, macos, linux)`);
    if (!url || !/^https:\/\/[^\s]+$/.test(url)) throw new ConfigError('USB_PLUGIN_DOWNLOADS', `the ${os} download must be an https URL`);
    return { os, url };
  });
}

export function loadConfig(env: Env = process.env): Config {
  const mode = oneOf(env, 'MODE', ['sandbox', 'production'] as const, 'sandbox');
  const port = int(env, 'PORT', 3000, 0, 65535);
  const host = env.HOST || '127.0.0.1';
  const issuer = env.ISSUER || `http://localhost:${port}`;
  try {
    const u = new URL(issuer);
    if (u.search || u.hash) throw new Error('no query or fragment');
  } catch {
    throw new ConfigError('ISSUER', `not a valid URL: "${issuer}"`);
  }
  const methods = (env.METHODS || ALL_METHODS.join(',')).split(',').map((s) => s.trim()).filter(Boolean);
  const ceilings: Record<string, 2 | 3> = {};
  for (const [k, v] of Object.entries(env)) {
    const m = /^CEILING_([A-Z0-9_]+)$/.exec(k);
    if (!m || v === undefined) continue;
    if (v !== '2' && v !== '3') throw new ConfigError(k, `expected 2 or 3, got "${v}"`);
    ceilings[m[1]!.toLowerCase()] = Number(v) as 2 | 3;
  }
  const cfg: Config = {
    mode,
    sandbox: bool(env, 'SANDBOX', mode === 'sandbox'),
    issuer: issuer.replace(/\/$/, ''),
    port,
    host,
    databaseUrl: env.DATABASE_URL || undefined,
    dataDir: env.DATA_DIR || path.resolve('data'),
    embeddedDbPort: env.EMBEDDED_DB_PORT ? int(env, 'EMBEDDED_DB_PORT', 0, 0, 65535) : undefined,
    cookieKeys: env.COOKIE_KEYS ? env.COOKIE_KEYS.split(',').map((s) => s.trim()).filter(Boolean) : EXAMPLE_SECRETS.cookieKeys,
    keyEncryptionSecret: env.KEY_ENCRYPTION_SECRET || EXAMPLE_SECRETS.keyEncryptionSecret,
    otpSecret: env.OTP_SECRET || EXAMPLE_SECRETS.otpSecret,
    pairwiseSalt: env.PAIRWISE_SALT || EXAMPLE_SECRETS.pairwiseSalt,
    captcha: bool(env, 'CAPTCHA', true),
    trustProxy: bool(env, 'TRUST_PROXY', false),
    placeHeader: env.PLACE_HEADER?.trim().toLowerCase() || undefined,
    auditRetentionDays: int(env, 'AUDIT_RETENTION_DAYS', 730, 90, 36_500),
    metricsToken: env.METRICS_TOKEN || undefined,
    closedAccountRetentionDays: int(env, 'CLOSED_ACCOUNT_RETENTION_DAYS', 730, 30, 36_500),
    methods,
    ceilings,
    smsGateway: oneOf(env, 'SMS_GATEWAY', ['sandbox', 'http'] as const, mode === 'sandbox' ? 'sandbox' : 'http'),
    smsUrl: env.SMS_URL || undefined,
    smsToken: env.SMS_TOKEN || undefined,
    smsTimeoutMs: int(env, 'SMS_TIMEOUT_MS', 5000),
    smsRetries: int(env, 'SMS_RETRIES', 2, 0, 10),
    emailGateway: oneOf(env, 'EMAIL_GATEWAY', ['sandbox', 'smtp'] as const, mode === 'sandbox' ? 'sandbox' : 'smtp'),
    smtpUrl: env.SMTP_URL || undefined,
    emailFrom: env.EMAIL_FROM?.trim() || 'DVC ID <no-reply@dichvucong.gov.vn>',
    emailTimeoutMs: int(env, 'EMAIL_TIMEOUT_MS', 10_000),
    carrierConnector: oneOf(env, 'CARRIER_CONNECTOR', ['sandbox', 'http'] as const, mode === 'sandbox' ? 'sandbox' : 'http'),
    bhxhConnector: oneOf(env, 'BHXH_CONNECTOR', ['sandbox', 'http'] as const, mode === 'sandbox' ? 'sandbox' : 'http'),
    carrierUrl: env.CARRIER_URL || undefined,
    carrierToken: env.CARRIER_TOKEN || undefined,
    bhxhUrl: env.BHXH_URL || undefined,
    bhxhToken: env.BHXH_TOKEN || undefined,
    connectorTimeoutMs: int(env, 'CONNECTOR_TIMEOUT_MS', 5000),
    connectorRetries: int(env, 'CONNECTOR_RETRIES', 1, 0, 10),
    registrationMaxPerIp: int(env, 'REGISTRATION_MAX_PER_IP', 30),
    mssConnector: oneOf(env, 'MSS_CONNECTOR', ['sandbox', 'http'] as const, mode === 'sandbox' ? 'sandbox' : 'http'),
    mssUrl: env.MSS_URL || undefined,
    mssToken: env.MSS_TOKEN || undefined,
    trustAnchorsFile: env.TRUST_ANCHORS_FILE || undefined,
    usbAgentUrl: (env.USB_AGENT_URL || 'http://127.0.0.1:14588').replace(/\/$/, ''),
    usbPluginDownloads: parsePluginDownloads(env.USB_PLUGIN_DOWNLOADS),
    vnpostIssuer: env.VNPOST_ISSUER || undefined,
    vnpostClientId: env.VNPOST_CLIENT_ID || undefined,
    vnpostClientSecret: env.VNPOST_CLIENT_SECRET || undefined,
    vnpostClientPrivateKeyFile: env.VNPOST_CLIENT_PRIVATE_KEY_FILE || undefined,
    vnpostClientKeyId: env.VNPOST_CLIENT_KEY_ID || undefined,
    vnpostAcrMap: acrMap(env),
    vnpostCreateAccounts: bool(env, 'VNPOST_CREATE_ACCOUNTS', true),
    otpTtlSeconds: int(env, 'OTP_TTL_SECONDS', 300),
    otpMaxAttempts: int(env, 'OTP_MAX_ATTEMPTS', 5),
    otpResendCooldownSeconds: int(env, 'OTP_RESEND_COOLDOWN_SECONDS', 60, 0),
    loginWindowSeconds: int(env, 'LOGIN_WINDOW_SECONDS', 900, 60, 86_400),
    loginMaxFailuresPerAccount: int(env, 'LOGIN_MAX_FAILURES_PER_ACCOUNT', 5, 1, 100),
    loginMaxFailuresPerIp: int(env, 'LOGIN_MAX_FAILURES_PER_IP', 100),
    loginMaxFailuresPerDevice: int(env, 'LOGIN_MAX_FAILURES_PER_DEVICE', 10, 1, 100),
    loginMaxConsecutiveFailures: int(env, 'LOGIN_MAX_CONSECUTIVE_FAILURES', 100, 1, 100),
    loginFailureMemoryDays: int(env, 'LOGIN_FAILURE_MEMORY_DAYS', 90, 1, 3650),
    loginLockNoticeSeconds: int(env, 'LOGIN_LOCK_NOTICE_SECONDS', 86_400, 60, 30 * 86_400),
    deviceCookieDays: int(env, 'DEVICE_COOKIE_DAYS', 180, 1, 400),
    smsMaxPerPhone: int(env, 'SMS_MAX_PER_PHONE', 10),
    smsMaxPerIp: int(env, 'SMS_MAX_PER_IP', 30),
    smsMaxPerIdentity: int(env, 'SMS_MAX_PER_IDENTITY', 5, 1, 1000),
    smsBudgetPerHour: int(env, 'SMS_BUDGET_PER_HOUR', 20_000),
    outboxPollMs: int(env, 'OUTBOX_POLL_MS', 500, 50, 60_000),
    outboxMaxAttempts: int(env, 'OUTBOX_MAX_ATTEMPTS', 6, 1, 50),
    outboxRetryBaseMs: int(env, 'OUTBOX_RETRY_BASE_MS', 2000, 10, 300_000),
    registrationInitialAccessToken: env.REGISTRATION_INITIAL_ACCESS_TOKEN || undefined,
    allowLoopbackFetch: bool(env, 'ALLOW_LOOPBACK_FETCH', mode === 'sandbox'),
    asyncCommitTokens: bool(env, 'ASYNC_COMMIT_TOKENS', true),
    clientCacheSeconds: int(env, 'CLIENT_CACHE_SECONDS', 30, 0, 3600),
    sandboxDir: env.SANDBOX_DIR || path.resolve('config/sandbox'),
    logLevel: oneOf(env, 'LOG_LEVEL', ['info', 'silent'] as const, 'info'),
  };
  validate(cfg);
  return cfg;
}

function validate(cfg: Config): void {
  for (const m of cfg.methods) {
    if (!(ALL_METHODS as readonly string[]).includes(m)) throw new ConfigError('METHODS', `unknown method "${m}" (known: ${ALL_METHODS.join(', ')})`);
  }
  if (cfg.metricsToken !== undefined && cfg.metricsToken.length < 16) throw new ConfigError('METRICS_TOKEN', 'use at least 16 characters');
  if (cfg.smsGateway === 'http' && !cfg.smsUrl) throw new ConfigError('SMS_URL', 'required when SMS_GATEWAY=http');
  if (cfg.emailGateway === 'smtp' && !cfg.smtpUrl) throw new ConfigError('SMTP_URL', 'required when EMAIL_GATEWAY=smtp');
  if (cfg.smtpUrl && !isSmtpUrl(cfg.smtpUrl)) throw new ConfigError('SMTP_URL', 'expected smtp://host[:port] or smtps://host[:port] (credentials as user:pass@)');
  // A display name and one address whose domain has a dot: the Message-IDs are built on that domain.
  if (!/^(?:[^<>@]*<[^\s<>@]+@[^\s<>@]+\.[^\s<>@]+>|[^\s<>@]+@[^\s<>@]+\.[^\s<>@]+)$/.test(cfg.emailFrom)) throw new ConfigError('EMAIL_FROM', `expected "Name <address>" or an address, got "${cfg.emailFrom}"`);
  if (cfg.carrierConnector === 'http' && !cfg.carrierUrl) throw new ConfigError('CARRIER_URL', 'required when CARRIER_CONNECTOR=http');
  if (cfg.bhxhConnector === 'http' && !cfg.bhxhUrl) throw new ConfigError('BHXH_URL', 'required when BHXH_CONNECTOR=http');
  if (cfg.mssConnector === 'http' && !cfg.mssUrl) throw new ConfigError('MSS_URL', 'required when MSS_CONNECTOR=http');
  if (cfg.trustAnchorsFile && !existsSync(cfg.trustAnchorsFile)) throw new ConfigError('TRUST_ANCHORS_FILE', `no such file: ${cfg.trustAnchorsFile}`);
  if (!/^https?:\/\/(127\.0\.0\.1|localhost|\[::1\])(:\d+)?$/.test(cfg.usbAgentUrl)) throw new ConfigError('USB_AGENT_URL', 'must be a loopback http(s) origin');
  if (cfg.vnpostClientPrivateKeyFile && !existsSync(cfg.vnpostClientPrivateKeyFile)) throw new ConfigError('VNPOST_CLIENT_PRIVATE_KEY_FILE', `no such file: ${cfg.vnpostClientPrivateKeyFile}`);
  if (cfg.cookieKeys.some((k) => k.length < 32)) throw new ConfigError('COOKIE_KEYS', 'each key needs at least 32 characters');
  if (cfg.loginLockNoticeSeconds < cfg.loginWindowSeconds) throw new ConfigError('LOGIN_LOCK_NOTICE_SECONDS', 'must be at least LOGIN_WINDOW_SECONDS (one notice per lock at most)');
  if (cfg.loginMaxFailuresPerAccount > cfg.loginMaxConsecutiveFailures) throw new ConfigError('LOGIN_MAX_FAILURES_PER_ACCOUNT', 'must not exceed LOGIN_MAX_CONSECUTIVE_FAILURES');
  if (cfg.mode !== 'production') return;
  // Production refuses everything that is only safe on a laptop.
  if (cfg.smsGateway === 'sandbox') throw new ConfigError('SMS_GATEWAY', 'the sandbox gateway is not allowed in production mode');
  if (cfg.emailGateway === 'sandbox') throw new ConfigError('EMAIL_GATEWAY', 'the sandbox gateway is not allowed in production mode');
  if (cfg.carrierConnector === 'sandbox') throw new ConfigError('CARRIER_CONNECTOR', 'the sandbox carrier is not allowed in production mode');
  if (cfg.bhxhConnector === 'sandbox') throw new ConfigError('BHXH_CONNECTOR', 'the sandbox BHXH registry is not allowed in production mode');
  if (cfg.mssConnector === 'sandbox') throw new ConfigError('MSS_CONNECTOR', 'the sandbox mobile-signature service is not allowed in production mode');
  if (cfg.methods.includes('vnpost') && !(cfg.vnpostIssuer && cfg.vnpostClientId && (cfg.vnpostClientSecret || cfg.vnpostClientPrivateKeyFile))) throw new ConfigError('VNPOST_ISSUER', 'VNPOST_ISSUER, VNPOST_CLIENT_ID and VNPOST_CLIENT_SECRET or VNPOST_CLIENT_PRIVATE_KEY_FILE are required in production mode (or remove vnpost from METHODS)');
  if (!cfg.captcha) throw new ConfigError('CAPTCHA', 'captcha cannot be turned off in production mode');
  if (cfg.sandbox) throw new ConfigError('SANDBOX', 'sandbox helpers are not allowed in production mode');
  if (cfg.allowLoopbackFetch) throw new ConfigError('ALLOW_LOOPBACK_FETCH', 'not allowed in production mode');
  if (cfg.cookieKeys.some((k) => EXAMPLE_SECRETS.cookieKeys.includes(k))) throw new ConfigError('COOKIE_KEYS', 'the example secret is not allowed in production mode');
  const same: [keyof typeof EXAMPLE_SECRETS, string][] = [['keyEncryptionSecret', 'KEY_ENCRYPTION_SECRET'], ['otpSecret', 'OTP_SECRET'], ['pairwiseSalt', 'PAIRWISE_SALT']];
  for (const [k, name] of same) {
    if (cfg[k] === EXAMPLE_SECRETS[k]) throw new ConfigError(name, 'the example secret is not allowed in production mode');
  }
  if (!cfg.issuer.startsWith('https://')) throw new ConfigError('ISSUER', 'must be https in production mode');
}

/** Reads a JSON file from the sandbox folder (test identities). */
export function readSandboxJson<T>(cfg: Config, file: string): T {
  const p = path.join(cfg.sandboxDir, file);
  if (!existsSync(p)) throw new ConfigError('SANDBOX_DIR', `missing ${p}`);
  return JSON.parse(readFileSync(p, 'utf8')) as T;
}
