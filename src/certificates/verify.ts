// Verifying a signed challenge ourselves, never trusting a signing service's word: the signature
// over our exact bytes with the certificate's key; a path from the certificate through the given
// intermediates to a configured trust anchor (a CA is known by path building, not by its name);
// validity of every certificate on the path; a key usage that allows signatures; revocation.
import { webcrypto } from 'node:crypto';
import { x509 } from './x509.ts';
import { parseSubject, type CertIdentity } from './subject.ts';

export type VerifyError = 'signature_invalid' | 'expired' | 'not_yet_valid' | 'key_usage' | 'untrusted' | 'broken_chain' | 'revoked' | 'revocation_unavailable' | 'subject' | 'malformed';

export interface RevocationChecker {
  /** Whether `cert` (issued by `issuer`) is revoked now; throws when that cannot be known. */
  isRevoked(cert: x509.X509Certificate, issuer: x509.X509Certificate): Promise<boolean>;
}

export interface VerifyInput {
  data: Uint8Array; // exactly what was to be signed
  signature: Uint8Array;
  chain: string[]; // PEM or base64 DER; the signer's certificate first
  anchors: x509.X509Certificate[];
  revocation: RevocationChecker;
  now?: Date;
}

export type VerifyResult =
  | { ok: true; certificate: x509.X509Certificate; identity: CertIdentity }
  | { ok: false; error: VerifyError };

type VerifyAlg = Parameters<typeof webcrypto.subtle.verify>[0];
type ImportAlg = Parameters<typeof webcrypto.subtle.importKey>[2];

function algorithmFor(cert: x509.X509Certificate): { verify: VerifyAlg; import: ImportAlg } | undefined {
  const alg = cert.publicKey.algorithm as { name: string; namedCurve?: string };
  if (alg.name === 'ECDSA') return { verify: { name: 'ECDSA', hash: 'SHA-256' }, import: { name: 'ECDSA', namedCurve: alg.namedCurve! } };
  if (alg.name === 'RSASSA-PKCS1-v1_5') return { verify: { name: 'RSASSA-PKCS1-v1_5' }, import: { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' } };
  return undefined;
}

/** ECDSA signatures arrive raw (r||s, WebCrypto) or DER (most HSMs and SIMs): accept both. */
function ecdsaRaw(sig: Uint8Array, size: number): Uint8Array {
  if (sig.length === size * 2) return sig;
  const fromDer = new x509.AsnEcSignatureFormatter().toWebSignature({ name: 'ECDSA', namedCurve: size === 32 ? 'P-256' : size === 48 ? 'P-384' : 'P-521' } as never, sig);
  return fromDer ? new Uint8Array(fromDer) : sig;
}

export async function verifySignature(cert: x509.X509Certificate, data: Uint8Array, signature: Uint8Array): Promise<boolean> {
  const alg = algorithmFor(cert);
  if (!alg) return false;
  try {
    const key = await webcrypto.subtle.importKey('spki', cert.publicKey.rawData, alg.import, false, ['verify']);
    const curve = (cert.publicKey.algorithm as { namedCurve?: string }).namedCurve;
    const sig = curve ? ecdsaRaw(signature, curve === 'P-256' ? 32 : curve === 'P-384' ? 48 : 66) : signature;
    return await webcrypto.subtle.verify(alg.verify, key, sig, data);
  } catch {
    return false;
  }
}

function parse(c: string): x509.X509Certificate {
  return new x509.X509Certificate(c.includes('-----BEGIN') ? c : Buffer.from(c, 'base64'));
}

export async function verifySignedChallenge(input: VerifyInput): Promise<VerifyResult> {
  const now = input.now ?? new Date();
  let chain: x509.X509Certificate[];
  try {
    chain = input.chain.map(parse);
  } catch {
    return { ok: false, error: 'malformed' };
  }
  const leaf = chain[0];
  if (!leaf) return { ok: false, error: 'malformed' };
  if (!(await verifySignature(leaf, input.data, input.signature))) return { ok: false, error: 'signature_invalid' };

  // Build the path upwards: each issuer must have signed the certificate below it.
  const path: x509.X509Certificate[] = [leaf];
  let anchor: x509.X509Certificate | undefined;
  for (let cur = leaf; path.length < 8;) {
    anchor = await findIssuer(cur, input.anchors);
    if (anchor) break;
    const next = await findIssuer(cur, chain.slice(1));
    if (!next) return { ok: false, error: chain.length > path.length ? 'broken_chain' : 'untrusted' };
    path.push(next);
    cur = next;
  }
  if (!anchor) return { ok: false, error: 'untrusted' };

  for (const c of [...path, anchor]) {
    if (c.notAfter.getTime() < now.getTime()) return { ok: false, error: 'expired' };
    if (c.notBefore.getTime() > now.getTime()) return { ok: false, error: 'not_yet_valid' };
  }
  for (const issuer of path.slice(1)) {
    const bc = issuer.getExtension(x509.BasicConstraintsExtension);
    if (!bc?.ca) return { ok: false, error: 'broken_chain' };
  }
  const ku = leaf.getExtension(x509.KeyUsagesExtension);
  if (!ku || !(ku.usages & (x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.nonRepudiation))) return { ok: false, error: 'key_usage' };

  const issuers = [...path.slice(1), anchor];
  for (let i = 0; i < path.length; i++) {
    try {
      if (await input.revocation.isRevoked(path[i]!, issuers[i]!)) return { ok: false, error: 'revoked' };
    } catch {
      return { ok: false, error: 'revocation_unavailable' };
    }
  }
  const subject = parseSubject(leaf);
  if (!subject.ok) return { ok: false, error: 'subject' };
  return { ok: true, certificate: leaf, identity: subject.identity };
}

async function findIssuer(cert: x509.X509Certificate, candidates: x509.X509Certificate[]): Promise<x509.X509Certificate | undefined> {
  for (const c of candidates) {
    if (c.subject !== cert.issuer) continue;
    try {
      if (await cert.verify({ publicKey: c.publicKey, signatureOnly: true })) return c;
    } catch {
      // not this one
    }
  }
  return undefined;
}
