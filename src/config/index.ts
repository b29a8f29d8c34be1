// Configuration: one documented object of defaults, overridden by environment variables.
// Like oidc-provider's defaults.js, the comments here ARE the reference (README links to this file).
import { createHmac } from 'node:crypto';
import { readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { isLoopbackHost } from './loopback.ts';
import { secretWeakness } from './secret-strength.ts';

export type Mode = 'sandbox' | 'production';

export interface Config {
  /** MODE — `sandbox` (default for `npm start`: sandbox connectors, test accounts, SMS and email outbox pages)
   *  or `production` (refuses to start with sandbox connectors, example secrets or captcha off). */
  mode: Mode;
  /** SANDBOX — turn sandbox helpers on in production mode explicitly (for a staging site). Default: on in sandbox mode. */
  sandbox: boolean;
  /** ISSUER — the public https URL of the provider, exactly as integrators will see it. In production mode
   *  https and not this machine (localhost, 127.0.0.0/8, ::1). The database remembers the issuer it was
   *  first started with: a node with another one refuses to start (`npm run cli -- issuer set <url>` changes it). */
  issuer: string;
  /** PORT / HOST — where to listen. */
  port: number;
  host: string;
  /** DATABASE_URL — PostgreSQL connection string. Unset: embedded PGlite in DATA_DIR (zero set-up, one node
   *  only: refused in production mode). */
  databaseUrl: string | undefined;
  /** DATA_DIR — folder of the embedded database. One process opens it: the running server, which serves it to
   *  the CLI and psql on the Unix socket DATA_DIR/.s.PGSQL.5432 (`psql -h DATA_DIR -U postgres postgres`). */
  dataDir: string;
  /** EMBEDDED_DB_PORT — serve the embedded database on 127.0.0.1:<port> instead of the Unix socket (0 = any free
   *  port; the CLI finds it in DATA_DIR/lock.json). No password: any local user can reach a port, only the
   *  folder's owner the socket. Unset: the socket. */
  embeddedDbPort: number | undefined;
  /** COOKIE_KEYS — comma-separated secrets for signed cookies (first signs, all verify: rotate by prepending).
   *  Each at least 32 characters. In production mode every secret we generate (COOKIE_KEYS, KEY_ENCRYPTION_SECRET,
   *  OTP_SECRET, PAIRWISE_SALT, REGISTRATION_INITIAL_ACCESS_TOKEN, METRICS_TOKEN) must carry at least 32 bytes of
   *  entropy — hex and base64(url) text counts as the bytes it decodes to, other text as its UTF-8 bytes — use
   *  at least 8 different characters, not be a short pattern repeated, and differ from every other one.
   *  Make them with `openssl rand -base64 32`. */
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
  /** METRICS_TOKEN — enables GET /metrics (Prometheus text format) for a scraper sending `Authorization: Bearer <token>`; off when unset.
   *  At least 16 characters; in production mode a secret like COOKIE_KEYS (32 bytes, distinct). */
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
  /** SMS_URL / SMS_TOKEN — the HTTP gateway: JSON POST {to, text} with a bearer token and an Idempotency-Key header.
   *  Every connector URL (SMS_URL, CARRIER_URL, BHXH_URL, MSS_URL, VNPOST_ISSUER) must be an http(s) URL; in
   *  production mode https (bearer tokens and personal data travel on it) and not this machine. */
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
  /** REGISTRATION_MAX_PER_IP — registry checks (registration, forgot password) allowed per IP per hour.
   *  Production bounds 5..10,000; every throttle, budget and cooldown has its bounds in PRODUCTION_LIMITS (below). */
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
  /** OTP_TTL_SECONDS / OTP_MAX_ATTEMPTS / OTP_RESEND_COOLDOWN_SECONDS — SMS one-time codes (production bounds:
   *  60..600 s, 1..10, 30..600 s — PRODUCTION_LIMITS). */
  otpTtlSeconds: number;
  otpMaxAttempts: number;
  otpResendCooldownSeconds: number;
  /** Password guessing (README "Throttling policy"; src/identity/login-throttle.ts). LOGIN_WINDOW_SECONDS — the
   *  window of the per-account, per-device and per-IP budgets below (900: a lock lasts at most 15 minutes).
   *  Production bounds of these keys: PRODUCTION_LIMITS. */
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
   *  puts many people behind one address, a toll fraudster needs many numbers). Production bounds 1..50, 5..10,000. */
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
  /** SIM_PUSH_MAX_PER_PHONE within SIM_PUSH_PHONE_WINDOW_SECONDS — signing requests pushed to one phone (by
   *  anyone): each one buzzes the person's phone and approving any of them signs in whoever started it. */
  simPushMaxPerPhone: number;
  simPushPhoneWindowSeconds: number;
  /** SIM_PUSH_MAX_PER_IP — SIM pushes per client address per hour (sized for carrier-grade NAT; each anonymous
   *  push also costs a proof-of-work). */
  simPushMaxPerIp: number;
  /** SIM_PUSH_MAX_PER_INTERACTION — SIM pushes one login/registration may start (retyped number, timeout). */
  simPushMaxPerInteraction: number;
  /** SIM_PUSH_HOURLY_BUDGET — SIM pushes per hour across every node and phone (a paid call each): past it,
   *  SIM signing says "busy, try later"; metrics dvc_sim_push_budget_used / dvc_sim_push_hourly_budget. */
  simPushHourlyBudget: number;
  /** ALTCHA_HMAC_KEY — signs ALTCHA proof-of-work challenges (at least 32 characters). Default: derived from OTP_SECRET. */
  altchaHmacKey: string;
  /** ALTCHA_COST / ALTCHA_MAX_NUMBER — proof-of-work of the ALTCHA check (the accessible captcha, and the proof
   *  before an anonymous SIM push): PBKDF2-SHA-256 iterations per try, and the highest try number; the server
   *  draws the answer between half of it and it, so a solver runs about 3/4 × MAX_NUMBER × COST iterations. */
  altchaCost: number;
  altchaMaxNumber: number;
  /** REGISTRATION_INITIAL_ACCESS_TOKEN — enables RFC 7591 dynamic registration, guarded by this token
   *  (in production mode a secret like COOKIE_KEYS: 32 bytes, distinct). */
  registrationInitialAccessToken: string | undefined;
  /** ALLOW_LOOPBACK_FETCH — let the provider call 127.0.0.1 (client jwks_uri, back-channel logout). Sandbox/tests only. */
  allowLoopbackFetch: boolean;
  /** ASYNC_COMMIT_TOKENS — oidc-provider models (tokens, sessions) written with PostgreSQL's asynchronous
   *  commit: much faster token endpoint; a database crash may lose the last instants of tokens (see src/db/knex.ts). */
  asyncCommitTokens: boolean;
  /** REDIS_URL — `redis://[user:password@]host:6379[/db]` or `rediss://…` (TLS): short-lived state in Redis instead
   *  of the database — rate-limit counters and oidc-provider's interactions, pushed authorization requests,
   *  replay-detection entries and authorization codes (docs/operations.md, "Redis"). Sessions, grants, tokens,
   *  clients and everything else stay in the database. Redis down: those requests answer 503 (fail closed) and
   *  /readyz says so. Unset: everything in the database. */
  redisUrl: string | undefined;
  /** REDIS_PREFIX — prefix of every key we write, so that several deployments can share one Redis (`dvc:`). */
  redisPrefix: string;
  /** CLIENT_CACHE_SECONDS — how long a node keeps a relying party's metadata before re-reading it (0 = always read). */
  clientCacheSeconds: number;
  /** SANDBOX_DIR — seeded test identities. */
  sandboxDir: string;
  /** IMPORT_WEAK_HASH_POLICY — imported accounts whose password hash is weak (salted SHA-256, see
   *  docs/account-import.md): `reset` (default) refuses the right password with a message leading to "forgot
   *  password"; `upgrade` accepts it once and replaces the hash with argon2id like the other legacy types. */
  importWeakHashPolicy: 'reset' | 'upgrade';
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

/** Production bounds [min, max] of every throttle, budget and cooldown: a value outside them is a set-up
 *  mistake an attacker profits from (or one that locks people out). Sandbox mode takes any value
 *  0..10,000,000 (the tests drive thousands of requests from one address, without cooldowns). */
export const PRODUCTION_LIMITS = {
  /** an SMS can take a minute to arrive; NIST SP 800-63B wants out-of-band codes valid 10 minutes at most */
  OTP_TTL_SECONDS: [60, 600],
  OTP_MAX_ATTEMPTS: [1, 10],
  OTP_RESEND_COOLDOWN_SECONDS: [30, 600],
  /** NIST SP 800-63B §5.2.2: at most 100 consecutive failures per account */
  LOGIN_MAX_FAILURES_PER_ACCOUNT: [3, 100],
  /** per address: carrier-grade NAT puts thousands of people behind one */
  LOGIN_MAX_FAILURES_PER_IP: [10, 10_000],
  LOGIN_WINDOW_SECONDS: [60, 86_400],
  LOGIN_MAX_FAILURES_PER_DEVICE: [3, 100],
  LOGIN_MAX_CONSECUTIVE_FAILURES: [10, 100],
  /** forgetting the consecutive count sooner lets slow guessing go on past NIST's 100 */
  LOGIN_FAILURE_MEMORY_DAYS: [30, 3650],
  /** the "password login locked" SMS: at most one an hour, so guessing cannot flood the owner's phone */
  LOGIN_LOCK_NOTICE_SECONDS: [3600, 30 * 86_400],
  SMS_MAX_PER_PHONE: [1, 50],
  SMS_MAX_PER_IP: [5, 10_000],
  /** one identity's codes across every phone: a registry match must not pay for codes to many numbers */
  SMS_MAX_PER_IDENTITY: [1, 20],
  /** every node together, per clock hour: what a toll-fraud wave can cost at most */
  SMS_BUDGET_PER_HOUR: [100, 1_000_000],
  REGISTRATION_MAX_PER_IP: [5, 10_000],
  /** each push buzzes the person's phone, and approving any one signs in whoever started it */
  SIM_PUSH_MAX_PER_PHONE: [1, 20],
  SIM_PUSH_PHONE_WINDOW_SECONDS: [300, 86_400],
  SIM_PUSH_MAX_PER_IP: [5, 10_000],
  SIM_PUSH_MAX_PER_INTERACTION: [1, 10],
  /** a paid call to the signature service each */
  SIM_PUSH_HOURLY_BUDGET: [10, 1_000_000],
} as const satisfies Record<string, readonly [number, number]>;

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

/** A throttle, budget or cooldown (its production bounds are in PRODUCTION_LIMITS). */
function limit(env: Env, mode: Mode, key: keyof typeof PRODUCTION_LIMITS, dflt: number, anyMin = 1, anyMax = 10_000_000): number {
  const n = int(env, key, dflt, 0);
  // The production bounds lie inside the any-mode ones (anyMin..anyMax).
  const [min, max] = mode === 'production' ? PRODUCTION_LIMITS[key] : [anyMin, anyMax];
  if (n < min || n > max) throw new ConfigError(key, `must be within ${min}..${max}${mode === 'production' ? ' in production mode' : ''}, got ${n}`);
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

function isRedisUrl(v: string): boolean {
  try {
    const u = new URL(v);
    return (u.protocol === 'redis:' || u.protocol === 'rediss:') && u.hostname !== '' && /^(\/\d{0,2})?$/.test(u.pathname);
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
  const issuer = checkIssuer(env.ISSUER || `http://localhost:${port}`, mode);
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
    issuer,
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
    registrationMaxPerIp: limit(env, mode, 'REGISTRATION_MAX_PER_IP', 30),
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
    otpTtlSeconds: limit(env, mode, 'OTP_TTL_SECONDS', 300),
    otpMaxAttempts: limit(env, mode, 'OTP_MAX_ATTEMPTS', 5),
    otpResendCooldownSeconds: limit(env, mode, 'OTP_RESEND_COOLDOWN_SECONDS', 60, 0),
    loginWindowSeconds: limit(env, mode, 'LOGIN_WINDOW_SECONDS', 900, 60, 86_400),
    loginMaxFailuresPerAccount: limit(env, mode, 'LOGIN_MAX_FAILURES_PER_ACCOUNT', 5, 1, 100),
    loginMaxFailuresPerIp: limit(env, mode, 'LOGIN_MAX_FAILURES_PER_IP', 100),
    loginMaxFailuresPerDevice: limit(env, mode, 'LOGIN_MAX_FAILURES_PER_DEVICE', 10, 1, 100),
    loginMaxConsecutiveFailures: limit(env, mode, 'LOGIN_MAX_CONSECUTIVE_FAILURES', 100, 1, 100),
    loginFailureMemoryDays: limit(env, mode, 'LOGIN_FAILURE_MEMORY_DAYS', 90, 1, 3650),
    loginLockNoticeSeconds: limit(env, mode, 'LOGIN_LOCK_NOTICE_SECONDS', 86_400, 60, 30 * 86_400),
    deviceCookieDays: int(env, 'DEVICE_COOKIE_DAYS', 180, 1, 400),
    smsMaxPerPhone: limit(env, mode, 'SMS_MAX_PER_PHONE', 10),
    smsMaxPerIp: limit(env, mode, 'SMS_MAX_PER_IP', 30),
    smsMaxPerIdentity: limit(env, mode, 'SMS_MAX_PER_IDENTITY', 5, 1, 1000),
    smsBudgetPerHour: limit(env, mode, 'SMS_BUDGET_PER_HOUR', 20_000),
    outboxPollMs: int(env, 'OUTBOX_POLL_MS', 500, 50, 60_000),
    outboxMaxAttempts: int(env, 'OUTBOX_MAX_ATTEMPTS', 6, 1, 50),
    outboxRetryBaseMs: int(env, 'OUTBOX_RETRY_BASE_MS', 2000, 10, 300_000),
    simPushMaxPerPhone: limit(env, mode, 'SIM_PUSH_MAX_PER_PHONE', 5, 1, 1000),
    simPushPhoneWindowSeconds: limit(env, mode, 'SIM_PUSH_PHONE_WINDOW_SECONDS', 900, 60, 86_400),
    simPushMaxPerIp: limit(env, mode, 'SIM_PUSH_MAX_PER_IP', 60),
    simPushMaxPerInteraction: limit(env, mode, 'SIM_PUSH_MAX_PER_INTERACTION', 3, 1, 100),
    simPushHourlyBudget: limit(env, mode, 'SIM_PUSH_HOURLY_BUDGET', 5000),
    altchaHmacKey: env.ALTCHA_HMAC_KEY || createHmac('sha256', env.OTP_SECRET || EXAMPLE_SECRETS.otpSecret).update('altcha').digest('base64url'),
    altchaCost: int(env, 'ALTCHA_COST', 5000, 100, 1_000_000),
    altchaMaxNumber: int(env, 'ALTCHA_MAX_NUMBER', 1000, 10, 1_000_000),
    registrationInitialAccessToken: env.REGISTRATION_INITIAL_ACCESS_TOKEN || undefined,
    allowLoopbackFetch: bool(env, 'ALLOW_LOOPBACK_FETCH', mode === 'sandbox'),
    asyncCommitTokens: bool(env, 'ASYNC_COMMIT_TOKENS', true),
    clientCacheSeconds: int(env, 'CLIENT_CACHE_SECONDS', 30, 0, 3600),
    redisUrl: env.REDIS_URL || undefined,
    redisPrefix: env.REDIS_PREFIX ?? 'dvc:',
    sandboxDir: env.SANDBOX_DIR || path.resolve('config/sandbox'),
    importWeakHashPolicy: oneOf(env, 'IMPORT_WEAK_HASH_POLICY', ['reset', 'upgrade'] as const, 'reset'),
    logLevel: oneOf(env, 'LOG_LEVEL', ['info', 'silent'] as const, 'info'),
  };
  validate(cfg);
  return cfg;
}

/** ISSUER's rules (also for `npm run cli -- issuer set`): the normalised issuer, or a ConfigError. */
export function checkIssuer(value: string, mode: Mode): string {
  let u: URL;
  try {
    u = new URL(value);
    if (u.search || u.hash || !/^https?:$/.test(u.protocol)) throw new Error('no query or fragment');
  } catch {
    throw new ConfigError('ISSUER', `not a valid http(s) URL without query or fragment: "${value}"`);
  }
  if (mode === 'production') {
    if (u.protocol !== 'https:') throw new ConfigError('ISSUER', 'must be https in production mode');
    if (isLoopbackHost(u.hostname)) throw new ConfigError('ISSUER', `must be a public name, not this machine (${u.hostname}), in production mode`);
  }
  return value.replace(/\/$/, '');
}

/** Connector URLs: parseable http(s) everywhere; https and not this machine in production mode. */
function checkConnectorUrls(cfg: Config): void {
  const urls: [string, string | undefined][] = [['SMS_URL', cfg.smsUrl], ['CARRIER_URL', cfg.carrierUrl], ['BHXH_URL', cfg.bhxhUrl], ['MSS_URL', cfg.mssUrl], ['VNPOST_ISSUER', cfg.vnpostIssuer]];
  for (const [key, value] of urls) {
    if (value === undefined) continue;
    let u: URL;
    try {
      u = new URL(value);
      if (!/^https?:$/.test(u.protocol)) throw new Error('not http(s)');
    } catch {
      throw new ConfigError(key, `not a valid http(s) URL: "${value}"`);
    }
    if (cfg.mode !== 'production') continue;
    if (u.protocol !== 'https:') throw new ConfigError(key, 'must be https in production mode (a bearer token and personal data travel on it)');
    if (isLoopbackHost(u.hostname)) throw new ConfigError(key, `must not point at this machine (${u.hostname}) in production mode`);
  }
}

/** Production: every secret we generate is strong (secret-strength.ts) and none equals another. */
function checkSecrets(cfg: Config): void {
  const secrets: [key: string, what: string, value: string][] = [
    ...cfg.cookieKeys.map((k, i): [string, string, string] => ['COOKIE_KEYS', cfg.cookieKeys.length > 1 ? `key ${i + 1}` : 'the key', k]),
    ['KEY_ENCRYPTION_SECRET', 'the secret', cfg.keyEncryptionSecret], ['OTP_SECRET', 'the secret', cfg.otpSecret], ['PAIRWISE_SALT', 'the salt', cfg.pairwiseSalt],
  ];
  if (cfg.registrationInitialAccessToken !== undefined) secrets.push(['REGISTRATION_INITIAL_ACCESS_TOKEN', 'the token', cfg.registrationInitialAccessToken]);
  if (cfg.metricsToken !== undefined) secrets.push(['METRICS_TOKEN', 'the token', cfg.metricsToken]);
  const seen = new Map<string, string>();
  for (const [key, what, value] of secrets) {
    const weak = secretWeakness(value);
    if (weak) throw new ConfigError(key, `${what} ${weak} (a production-mode rule)`);
    const twin = seen.get(value);
    if (twin) throw new ConfigError(key, `${what} equals ${twin}: every secret must be distinct in production mode`);
    seen.set(value, what.startsWith('key ') ? `${key} ${what}` : key);
  }
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
  checkConnectorUrls(cfg);
  if (cfg.redisUrl && !isRedisUrl(cfg.redisUrl)) throw new ConfigError('REDIS_URL', 'expected redis://host[:port][/db] or rediss://host[:port][/db] (credentials as user:pass@)');
  if (!/^[\x21-\x7e]{1,64}$/.test(cfg.redisPrefix)) throw new ConfigError('REDIS_PREFIX', 'expected 1..64 printable characters without spaces (e.g. dvc:)');
  if (cfg.vnpostClientPrivateKeyFile && !existsSync(cfg.vnpostClientPrivateKeyFile)) throw new ConfigError('VNPOST_CLIENT_PRIVATE_KEY_FILE', `no such file: ${cfg.vnpostClientPrivateKeyFile}`);
  if (cfg.altchaHmacKey.length < 32) throw new ConfigError('ALTCHA_HMAC_KEY', 'use at least 32 characters');
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
  checkSecrets(cfg);
  if (!cfg.databaseUrl) throw new ConfigError('DATABASE_URL', 'required in production mode (the embedded database is for one node and a laptop)');
}

/** Reads a JSON file from the sandbox folder (test identities). */
export function readSandboxJson<T>(cfg: Config, file: string): T {
  const p = path.join(cfg.sandboxDir, file);
  if (!existsSync(p)) throw new ConfigError('SANDBOX_DIR', `missing ${p}`);
  return JSON.parse(readFileSync(p, 'utf8')) as T;
}
