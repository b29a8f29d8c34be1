// The trust store: root CAs from TRUST_ANCHORS_FILE (a PEM bundle), plus the sandbox CA in sandbox mode.
import { readFileSync } from 'node:fs';
import { x509 } from './x509.ts';
import type { RevocationChecker } from './verify.ts';

export interface CertificateTrust { anchors: x509.X509Certificate[]; revocation: RevocationChecker }

export function readPemBundle(file: string): x509.X509Certificate[] {
  const pem = readFileSync(file, 'utf8');
  return (pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? []).map((b) => new x509.X509Certificate(b));
}
