// Passwords: argon2id hashes, the seed's composition rule, and a block-list of common passwords.
import os from 'node:os';
import { hash, verify } from '@node-rs/argon2';
import pLimit from 'p-limit';
import { passwordChecks } from '../shared/metrics.ts';
import { legacyHashType, verifyLegacyPassword, type HashType } from './legacy-passwords.ts';

// The seed: at least 8 characters with lower case, upper case, digit and special character.
export type PasswordProblem = 'too_short' | 'needs_lower' | 'needs_upper' | 'needs_digit' | 'needs_special' | 'too_common' | 'too_long';

// Common passwords that satisfy the composition rule and so must be blocked by name.
const BLOCKED = new Set([
  'password@1', 'password@123', 'password1!', 'p@ssw0rd', 'p@ssword1', 'p@ssw0rd1', 'p@ssw0rd123', 'abc@1234', 'abcd@1234',
  'admin@123', 'admin@1234', 'qwerty@123', 'qwerty1!', 'welcome@1', 'welcome@123', 'matkhau@123', 'matkhau@1', 'matkhau123@',
  'vietnam@123', 'vietnam@1', 'hanoi@123', 'saigon@123', 'abc@12345', 'aa@123456', 'a@123456', 'a123456@', 'aa123456@',
  'zaq1@wsx', '1qaz@wsx', 'iloveyou@1', 'changeme@1', 'dichvucong@1', 'dichvucong@123', 'dvc@12345', 'abc123!@#', 'test@123',
]);

export function passwordProblems(pw: string): PasswordProblem[] {
  const p: PasswordProblem[] = [];
  if ([...pw].length < 8) p.push('too_short');
  if ([...pw].length > 128) p.push('too_long');
  if (!/\p{Ll}/u.test(pw)) p.push('needs_lower');
  if (!/\p{Lu}/u.test(pw)) p.push('needs_upper');
  if (!/\p{Nd}/u.test(pw)) p.push('needs_digit');
  if (!/[^\p{L}\p{Nd}]/u.test(pw)) p.push('needs_special');
  if (BLOCKED.has(pw.toLowerCase())) p.push('too_common');
  return p;
}

// Each hash holds 19 MiB while it runs on libuv's pool (4 threads). More hashes at once than this node has
// cores only wait there and add to the peak memory, not to throughput: the rest queue here. Backpressure of
// this process only; nothing is remembered across requests.
const argon2Gate = pLimit(Math.max(1, os.availableParallelism()));

/** Hashes running and waiting for the gate (tests, metrics). */
export function argon2Load(): { running: number; waiting: number; limit: number } {
  return { running: argon2Gate.activeCount, waiting: argon2Gate.pendingCount, limit: argon2Gate.concurrency };
}

// OWASP's argon2id baseline (19 MiB, 2 passes): a few tens of ms, fine for a login.
export function hashPassword(pw: string): Promise<string> {
  return argon2Gate(() => hash(pw.normalize('NFC'), { algorithm: 2, memoryCost: 19456, timeCost: 2, parallelism: 1 }));
}

export async function verifyPassword(stored: string, pw: string): Promise<boolean> {
  const legacy = legacyHashType(stored);
  passwordChecks.inc({ hash: stored.startsWith('$argon2id$') ? 'argon2id' : legacy ?? 'unknown' });
  if (legacy && legacy !== 'argon2') {
    // An imported hash: never cheaper than ours, so a fast legacy hash does not tell its account apart.
    const [ok] = await Promise.all([verifyLegacyPassword(stored, pw), burnPasswordTime(pw)]);
    return ok;
  }
  try {
    return await argon2Gate(() => verify(stored, pw.normalize('NFC')));
  } catch {
    return false;
  }
}

// Used when no account matches, so a wrong ID costs as much time as a wrong password.
let dummy: Promise<string> | undefined;
export async function burnPasswordTime(pw: string): Promise<void> {
  dummy ??= hashPassword('dummy-Password-1!');
  await verifyPassword(await dummy, pw);
}

/** The credential row that holds a password: type `password`, config { hash, changedAt }. */
export const PASSWORD_CREDENTIAL = 'password';
export interface PasswordConfig {
  hash: string;
  changedAt: string;
  /** Absent: argon2id made here. Imported accounts: the legacy type until the first login upgrades it. */
  hashType?: HashType;
  /** Set by the import; `upgradedFrom` once a login replaced the legacy hash. */
  importedAt?: string;
  upgradedFrom?: HashType;
}
