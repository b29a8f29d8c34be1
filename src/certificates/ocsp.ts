// Revocation by OCSP (RFC 6960) where the certificate names a responder, using PeculiarVentures'
// ASN.1 schemas: a CertID request over HTTP POST, a response signed by the issuer or by a responder
// the issuer delegated (id-kp-OCSPSigning), fresh, about this certificate. Cached per node until
// nextUpdate (five minutes at most).
import { createHash } from 'node:crypto';
import { AsnConvert, OctetString } from '@peculiar/asn1-schema';
import { AlgorithmIdentifier, Certificate } from '@peculiar/asn1-x509';
import { BasicOCSPResponse, CertID, OCSPRequest, OCSPResponse, OCSPResponseStatus, Request, TBSRequest, id_kp_OCSPSigning, id_pkix_ocsp_basic } from '@peculiar/asn1-ocsp';
import { x509 } from './x509.ts';
import { verifySignature, type RevocationChecker } from './verify.ts';

const SHA1 = '1.3.14.3.2.26';
const SKEW_MS = 5 * 60_000;

export type OcspFetcher = (url: string, body: Uint8Array) => Promise<Uint8Array>;

export const httpOcspFetcher: OcspFetcher = async (url, body) => {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/ocsp-request' }, body, signal: AbortSignal.timeout(5000) });
  if (!res.ok) throw new Error(`OCSP ${res.status}`);
  return new Uint8Array(await res.arrayBuffer());
};

const sha1 = (b: ArrayBuffer | Uint8Array) => new Uint8Array(createHash('sha1').update(new Uint8Array(b)).digest());

export function ocspUrls(cert: x509.X509Certificate): string[] {
  return (cert.getExtension(x509.AuthorityInfoAccessExtension)?.ocsp ?? []).filter((g) => g.type === 'url').map((g) => g.value);
}

/** The CertID that names `cert` (hashes of its issuer's name and key, and its serial). */
export function certIdFor(cert: x509.X509Certificate, issuer: x509.X509Certificate): CertID {
  const c = AsnConvert.parse(cert.rawData, Certificate);
  const i = AsnConvert.parse(issuer.rawData, Certificate);
  return new CertID({
    hashAlgorithm: new AlgorithmIdentifier({ algorithm: SHA1, parameters: null }),
    issuerNameHash: new OctetString(sha1(AsnConvert.serialize(c.tbsCertificate.issuer))),
    issuerKeyHash: new OctetString(sha1(i.tbsCertificate.subjectPublicKeyInfo.subjectPublicKey)),
    serialNumber: c.tbsCertificate.serialNumber,
  });
}

const same = (a: ArrayBuffer | Uint8Array, b: ArrayBuffer | Uint8Array) => Buffer.from(new Uint8Array(a)).equals(Buffer.from(new Uint8Array(b)));

export function sameCertId(a: CertID, b: CertID): boolean {
  return same(a.serialNumber, b.serialNumber) && same(a.issuerNameHash.buffer, b.issuerNameHash.buffer) && same(a.issuerKeyHash.buffer, b.issuerKeyHash.buffer);
}

export function ocspRequest(id: CertID): Uint8Array {
  return new Uint8Array(AsnConvert.serialize(new OCSPRequest({ tbsRequest: new TBSRequest({ requestList: [new Request({ reqCert: id })] }) })));
}

export class OcspRevocationChecker implements RevocationChecker {
  private readonly cache = new Map<string, { revoked: boolean; until: number }>();
  constructor(private readonly fetcher: OcspFetcher = httpOcspFetcher) {}

  async isRevoked(cert: x509.X509Certificate, issuer: x509.X509Certificate, now = new Date()): Promise<boolean> {
    const url = ocspUrls(cert)[0];
    if (!url) throw new Error('no OCSP responder');
    const key = `${issuer.subject}|${cert.serialNumber}`;
    const hit = this.cache.get(key);
    if (hit && hit.until > Date.now()) return hit.revoked;
    const id = certIdFor(cert, issuer);
    const res = AsnConvert.parse(await this.fetcher(url, ocspRequest(id)), OCSPResponse);
    if (res.responseStatus !== OCSPResponseStatus.successful || res.responseBytes?.responseType !== id_pkix_ocsp_basic) throw new Error('OCSP unsuccessful');
    const basic = AsnConvert.parse(res.responseBytes.response, BasicOCSPResponse);
    await this.checkSigner(basic, issuer, now);
    const single = basic.tbsResponseData.responses.find((r) => sameCertId(r.certID, id));
    if (!single) throw new Error('OCSP response is about another certificate');
    if (single.thisUpdate.getTime() > now.getTime() + SKEW_MS) throw new Error('OCSP response from the future');
    if (single.nextUpdate && single.nextUpdate.getTime() < now.getTime() - SKEW_MS) throw new Error('OCSP response is stale');
    if (single.certStatus.unknown !== undefined) throw new Error('OCSP status unknown');
    const revoked = single.certStatus.revoked !== undefined;
    this.cache.set(key, { revoked, until: Math.min(single.nextUpdate?.getTime() ?? Date.now(), Date.now() + SKEW_MS) });
    return revoked;
  }

  /** Signed by the issuer, or by a certificate the issuer issued for OCSP signing. */
  private async checkSigner(basic: BasicOCSPResponse, issuer: x509.X509Certificate, now: Date): Promise<void> {
    const tbs = new Uint8Array(basic.tbsResponseDataRaw ?? AsnConvert.serialize(basic.tbsResponseData));
    const signature = new Uint8Array(basic.signature);
    if (await verifySignature(issuer, tbs, signature)) return;
    for (const c of basic.certs ?? []) {
      const delegate = new x509.X509Certificate(AsnConvert.serialize(c));
      const eku = delegate.getExtension(x509.ExtendedKeyUsageExtension);
      const delegated = eku?.usages.includes(id_kp_OCSPSigning) && delegate.issuer === issuer.subject
        && (await delegate.verify({ publicKey: issuer.publicKey, signatureOnly: true }))
        && delegate.notBefore <= now && delegate.notAfter >= now;
      if (delegated && (await verifySignature(delegate, tbs, signature))) return;
    }
    throw new Error('OCSP response not signed by the issuer or its delegate');
  }
}

/** OCSP where the certificate names a responder (falling back to its CRL when the responder fails), else the CRL. */
export class OcspThenCrl implements RevocationChecker {
  constructor(private readonly ocsp: RevocationChecker, private readonly crl: RevocationChecker) {}

  async isRevoked(cert: x509.X509Certificate, issuer: x509.X509Certificate): Promise<boolean> {
    if (!ocspUrls(cert).length) return this.crl.isRevoked(cert, issuer);
    try {
      return await this.ocsp.isRevoked(cert, issuer);
    } catch (e) {
      if (!cert.getExtension(x509.CRLDistributionPointsExtension)) throw e;
      return this.crl.isRevoked(cert, issuer);
    }
  }
}
