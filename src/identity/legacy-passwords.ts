// Password hashes brought in from the portal we replace (docs/account-import.md): recognised by their
// encoding, verified with maintained libraries (bcryptjs, node:crypto, @node-rs/argon2), and replaced
// by our argon2id at the first login that proves the password.
import { createHash, pbkdf2, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import { verify as argon2Verify } from '@node-rs/argon2';
import bcrypt from 'bcryptjs';

const pbkdf2Async = promisify(pbkdf2);

export type LegacyHashType = 'bcrypt' | 'pbkdf2-sha256' | 'argon2' | 'sha256-salted';
/** What a password credential's `hashType` says: ours, or the legacy encoding it still holds. */
export type HashType = 'argon2id' | LegacyHashType;

/** Salted SHA-256 is fast to brute-force: the policy may force a reset instead of an upgrade. */
export const WEAK_HASH_TYPES: ReadonlySet<LegacyHashType> = new Set(['sha256-salted']);

const B64 = /^[A-Za-z0-9+/.]+={0,2}$/;
const BCRYPT = /^\$2[aby]\$(0[4-9]|[12]\d|3[01])\$[./A-Za-z0-9]{53}$/;
const ARGON2 = /^\$argon2(id|i|d)\$(v=\d+\$)?m=\d+,t=\d+,p=\d+\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$/;
// PHC ($pbkdf2-sha256$i=N,l=L$salt$hash, standard base64 unpadded) and passlib ($pbkdf2-sha256$N$salt$hash, '.' for '+').
const PBKDF2_PHC = /^\$pbkdf2-sha256\$(?:i=(\d+)(?:,l=(\d+))?|(\d+))\$([A-Za-z0-9+/.]+)\$([A-Za-z0-9+/.]+)$/;
// Django: pbkdf2_sha256$N$salt$hash (salt as text, hash standard base64).
const PBKDF2_DJANGO = /^pbkdf2_sha256\$(\d+)\$([^$]+)\$([A-Za-z0-9+/]+={0,2})$/;
const SHA256_SALTED = /^\$sha256-salted\$([0-9a-f]{2,128})\$([0-9a-f]{64})$/;
const MAX_PBKDF2_ITERATIONS = 10_000_000;

/** The legacy type of an imported hash string, or undefined when it is none we can verify. */
export function legacyHashType(hash: string): LegacyHashType | undefined {
  if (BCRYPT.test(hash)) return 'bcrypt';
  if (ARGON2.test(hash)) return 'argon2';
  const p = PBKDF2_PHC.exec(hash);
  if (p) return iterationsOk(Number(p[1] ?? p[3])) && B64.test(p[4]!) && B64.test(p[5]!) ? 'pbkdf2-sha256' : undefined;
  const d = PBKDF2_DJANGO.exec(hash);
  if (d) return iterationsOk(Number(d[1])) ? 'pbkdf2-sha256' : undefined;
  if (SHA256_SALTED.test(hash)) return 'sha256-salted';
  return undefined;
}

const iterationsOk = (n: number) => Number.isInteger(n) && n >= 1 && n <= MAX_PBKDF2_ITERATIONS;
const b64 = (s: string) => Buffer.from(s.replace(/\./g, '+'), 'base64');

function same(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && a.length > 0 && timingSafeEqual(a, b);
}

async function verifyPbkdf2(hash: string, pw: string): Promise<boolean> {
  const p = PBKDF2_PHC.exec(hash);
  if (p) {
    const expected = b64(p[5]!);
    const got = await pbkdf2Async(Buffer.from(pw, 'utf8'), b64(p[4]!), Number(p[1] ?? p[3]), Number(p[2] ?? expected.length), 'sha256');
    return same(got, expected);
  }
  const d = PBKDF2_DJANGO.exec(hash)!;
  const expected = Buffer.from(d[3]!, 'base64');
  return same(await pbkdf2Async(Buffer.from(pw, 'utf8'), Buffer.from(d[2]!, 'utf8'), Number(d[1]), expected.length, 'sha256'), expected);
}

/** Verifies a password against an imported hash; false for a wrong password or an unknown encoding. */
export async function verifyLegacyPassword(hash: string, pw: string): Promise<boolean> {
  try {
    switch (legacyHashType(hash)) {
      case 'bcrypt': return await bcrypt.compare(pw, hash);
      case 'argon2': return await argon2Verify(hash, pw);
      case 'pbkdf2-sha256': return await verifyPbkdf2(hash, pw);
      case 'sha256-salted': {
        const [, salt, digest] = SHA256_SALTED.exec(hash)!;
        const got = createHash('sha256').update(Buffer.from(salt!, 'hex')).update(pw, 'utf8').digest();
        return same(got, Buffer.from(digest!, 'hex'));
      }
      default: return false;
    }
  } catch {
    return false;
  }
}
