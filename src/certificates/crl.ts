// Revocation by CRL: fetched from the certificate's distribution point, cached until its nextUpdate
// (at most an hour) per node. A CRL that cannot be fetched or verified fails closed.
import { x509 } from './x509.ts';
import type { RevocationChecker } from './verify.ts';

export type Fetcher = (url: string) => Promise<Uint8Array>;

export const httpFetcher: Fetcher = async (url) => {
  const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
  if (!res.ok) throw new Error(`CRL ${res.status}`);
  return new Uint8Array(await res.arrayBuffer());
};

export class CrlRevocationChecker implements RevocationChecker {
  private readonly cache = new Map<string, { crl: x509.X509Crl; until: number }>();
  constructor(private readonly fetcher: Fetcher = httpFetcher, private readonly maxAgeMs = 3600_000) {}

  async isRevoked(cert: x509.X509Certificate, issuer: x509.X509Certificate): Promise<boolean> {
    const dp = cert.getExtension(x509.CRLDistributionPointsExtension);
    const urls = (dp?.distributionPoints ?? []).flatMap((p) => p.distributionPoint?.fullName ?? []).map((n) => n.uniformResourceIdentifier).filter((u): u is string => !!u);
    // A certificate that names no CRL cannot be checked this way: refuse rather than assume.
    if (!urls.length) throw new Error('no CRL distribution point');
    const crl = await this.crlFor(urls[0]!, issuer);
    return crl.findRevoked(cert) !== null;
  }

  private async crlFor(url: string, issuer: x509.X509Certificate): Promise<x509.X509Crl> {
    const hit = this.cache.get(url);
    if (hit && hit.until > Date.now()) return hit.crl;
    const crl = new x509.X509Crl(await this.fetcher(url));
    if (!(await crl.verify({ publicKey: issuer.publicKey }))) throw new Error('CRL signature invalid');
    const next = crl.nextUpdate?.getTime() ?? Date.now();
    this.cache.set(url, { crl, until: Math.min(next, Date.now() + this.maxAgeMs) });
    return crl;
  }
}
