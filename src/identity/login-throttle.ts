// Password-guessing limits (README "Throttling policy"). Every counter is keyed on what it protects:
// the resolved account (so every identifier and spelling of it shares one budget), the normalised
// identifier when no account has it (so an unknown ID behaves exactly like a known one), the client's
// address (IPv6 by its /64) or the device cookie's nonce. Attempts are counted before the password is
// checked (atomic upserts), so parallel requests on any node cannot get past a limit; a refused
// attempt gives its counts back, and a success gives back the address's count (only failures count
// there: carrier-grade NAT puts thousands of honest people behind one address).
import ipaddr from 'ipaddr.js';
import type { Config } from '../config/index.ts';
import type { Db } from '../db/knex.ts';
import { pseudonym } from '../shared/digest.ts';
import { hit, hitAll, settle, type Counter } from '../shared/rate-limit.ts';
import { findAccountByIdentifier, type Account } from './accounts.ts';
import { parseMst, parsePersonalId } from './identifiers/index.ts';

export type ThrottlePolicy = Pick<Config,
  | 'otpSecret' | 'loginWindowSeconds' | 'loginMaxFailuresPerAccount' | 'loginMaxFailuresPerIp' | 'loginMaxFailuresPerDevice'
  | 'loginMaxConsecutiveFailures' | 'loginFailureMemoryDays' | 'loginLockNoticeSeconds'>;

/** Who a login name designates: the account when there is one (read whole: the step needs it), and the key of its counters. */
export interface LoginSubject { accountId: string | undefined; account: Account | undefined; key: string }

/** A login name as typed → the identifier it spells (every spelling the parsers accept gives one value). */
function legalId(username: string): { type: 'cccd' | 'cmnd' | 'mst'; value: string } | undefined {
  const person = parsePersonalId(username);
  if (person.ok) return person.value;
  const mst = parseMst(username);
  return mst.ok ? { type: 'mst', value: mst.value } : undefined;
}

/** A login name (CCCD, CMND or tax code, as typed) → its subject; null when it is no identifier at all. */
export async function loginSubject(db: Db, secret: string, username: string): Promise<LoginSubject | null> {
  const id = legalId(username);
  if (!id) return null;
  const account = await findAccountByIdentifier(db, id.type, id.value);
  return { accountId: account?.id, account, key: account ? accountKey(secret, account.id) : pseudonym(secret, `${id.type}:${id.value}`) };
}

export const accountKey = (secret: string, accountId: string) => pseudonym(secret, `account:${accountId}`);

/** The address as a limit should see it: IPv4 (also when mapped into IPv6), or the IPv6 /64 one subscriber gets. */
export function ipKey(ip: string): string {
  if (!ipaddr.isValid(ip)) return ip;
  const a = ipaddr.process(ip);
  return a.kind() === 'ipv4' ? a.toString() : `${ipaddr.IPv6.networkAddressFromCIDR(`${a.toString()}/64`).toString()}/64`;
}

const keys = (subject: string, ip: string, nonce: string | undefined) => ({
  window: `login:acct:${subject}`,
  consecutive: `login:fail:${subject}`,
  ip: `login:ip:${ipKey(ip)}`,
  device: nonce ? `login:dev:${nonce}` : undefined,
  notice: `login:notice:${subject}`,
});

/** Why an attempt was not checked: which limit it met. */
export type Refusal = 'disabled' | 'account' | 'ip' | 'device';

/** An admitted attempt: its counts, taken up front; settle it with recordSuccess or recordFailure. */
export interface Ticket { keys: ReturnType<typeof keys>; trusted: boolean; consecutive: number; inWindow: number }

/**
 * Counts one password attempt, or refuses it. From a device with a valid device cookie for this
 * account, only that device's budget applies (failures elsewhere cannot lock it out; its own failures
 * still count towards the consecutive total). From anywhere else: the account's consecutive total,
 * its per-window budget and the address's failures.
 */
export async function admitGuess(db: Db, p: ThrottlePolicy, subject: LoginSubject, ip: string, deviceNonce?: string): Promise<{ ok: true; ticket: Ticket } | { ok: false; reason: Refusal }> {
  const k = keys(subject.key, ip, deviceNonce);
  const w = p.loginWindowSeconds;
  // Every counter this attempt may spend, in one round trip; a refused attempt gives them all back. Its
  // counts are visible to parallel attempts only for that round trip, and only ever refuse more.
  const taken: Counter[] = [
    { key: k.consecutive, seconds: p.loginFailureMemoryDays * 86_400, sliding: true },
    ...(k.device ? [{ key: k.device, seconds: w }] : [{ key: k.window, seconds: w }, { key: k.ip, seconds: w }]),
  ];
  const [consecutive = 0, inWindow = 0, fromIp = 0] = await hitAll(db, taken);
  let reason: Refusal | undefined;
  if (k.device) {
    if (inWindow > p.loginMaxFailuresPerDevice) reason = 'device';
  } else if (consecutive > p.loginMaxConsecutiveFailures) reason = 'disabled';
  else if (inWindow > p.loginMaxFailuresPerAccount) reason = 'account';
  else if (fromIp > p.loginMaxFailuresPerIp) reason = 'ip';
  if (!reason) return { ok: true, ticket: { keys: k, trusted: !!k.device, consecutive, inWindow } };
  await settle(db, { release: taken.map((c) => c.key) });
  return { ok: false, reason };
}

/** The password was right: failures stop being consecutive, and the address gets its count back (one round trip). */
export async function recordSuccess(db: Db, p: ThrottlePolicy, t: Ticket): Promise<void> {
  // A remembered device may sign in while password login is disabled for everyone else; that does
  // not re-enable it (only a password reset does), so it only gives back its own count.
  const consecutive = t.consecutive <= p.loginMaxConsecutiveFailures ? 'reset' : 'release';
  const reset = consecutive === 'reset' ? [t.keys.consecutive] : [];
  const release = consecutive === 'release' ? [t.keys.consecutive] : [];
  if (t.keys.device) reset.push(t.keys.device);
  else { reset.push(t.keys.window); release.push(t.keys.ip); }
  await settle(db, { reset, release });
}

/**
 * The password was wrong (the counts stand). Says whether this failure is the one that locked the
 * account: 'disabled' (the consecutive total reached, until a password reset) or 'window' (the
 * per-window budget of untrusted clients spent).
 */
export function lockedBy(p: ThrottlePolicy, t: Ticket): 'disabled' | 'window' | undefined {
  if (t.consecutive === p.loginMaxConsecutiveFailures) return 'disabled';
  if (!t.trusted && t.inWindow === p.loginMaxFailuresPerAccount) return 'window';
  return undefined;
}

/** Whether to tell the person by SMS about this lock: always when disabled, else once per notice period. */
export async function lockNoticeDue(db: Db, p: ThrottlePolicy, t: Ticket, lock: 'disabled' | 'window'): Promise<boolean> {
  return lock === 'disabled' || (await hit(db, t.keys.notice, p.loginLockNoticeSeconds)) === 1;
}

/** After a password reset: the account's password-guessing counters start from nothing. */
export async function clearPasswordThrottle(db: Db, secret: string, accountId: string): Promise<void> {
  const k = keys(accountKey(secret, accountId), '', undefined);
  await settle(db, { reset: [k.consecutive, k.window] });
}
