// A sandbox certificate authority (sandbox mode and tests only): issues citizen and enterprise
// signing certificates laid out like Vietnamese public CAs' (UID=CCCD:…, UID=MST:…), and CRLs.
import { createHash, webcrypto, randomBytes } from 'node:crypto';
import { AsnConvert, OctetString } from '@peculiar/asn1-schema';
import { AlgorithmIdentifier, Certificate } from '@peculiar/asn1-x509';
import {
  BasicOCSPResponse, CertStatus, KeyHash, OCSPRequest, OCSPResponse, OCSPResponseStatus, ResponderID, ResponseBytes, ResponseData,
  RevokedInfo, SingleResponse, id_pkix_ocsp_basic,
} from '@peculiar/asn1-ocsp';
import { UID_OID, x509 } from './x509.ts';

const EC = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
type Keys = { privateKey: webcrypto.CryptoKey; publicKey: webcrypto.CryptoKey };

export interface Ca { cert: x509.X509Certificate; keys: Keys }
export interface Issued { cert: x509.X509Certificate; keys: Keys }

export interface SubjectSpec {
  cn: string;
  o?: string | undefined;
  uids: string[]; // e.g. ['CCCD:001099012345'] or ['MST:0100109106', 'CCCD:…']
}

function name(s: SubjectSpec): never {
  return [
    { '2.5.4.6': [{ printableString: 'VN' }] },
    ...(s.o ? [{ '2.5.4.10': [{ utf8String: s.o }] }] : []),
    { '2.5.4.3': [{ utf8String: s.cn }] },
    ...s.uids.map((u) => ({ [UID_OID]: [{ utf8String: u }] })),
  ] as never;
}

const serial = () => `01${randomBytes(15).toString('hex')}`;

async function genKeys(): Promise<Keys> {
  return (await webcrypto.subtle.generateKey(EC, true, ['sign', 'verify'])) as Keys;
}

export async function createCa(cn: string, opts: { o?: string; notBefore?: Date; notAfter?: Date } = {}): Promise<Ca> {
  const keys = await genKeys();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(), name: name({ cn, o: opts.o ?? 'DVC ID Sandbox', uids: [] }), keys: keys as never, signingAlgorithm: EC,
    notBefore: opts.notBefore ?? new Date(Date.now() - 86400_000), notAfter: opts.notAfter ?? new Date(Date.now() + 10 * 365 * 86400_000),
    extensions: [new x509.BasicConstraintsExtension(true, 1, true), new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true)],
  });
  return { cert, keys };
}

export interface IssueOptions {
  subject: SubjectSpec;
  notBefore?: Date;
  notAfter?: Date;
  keyUsage?: number;
  crlUrl?: string | undefined;
  ocspUrl?: string | undefined;
  ca?: boolean;
}

export async function issue(issuer: Ca, o: IssueOptions): Promise<Issued> {
  const keys = await genKeys();
  const extensions: x509.Extension[] = [
    new x509.KeyUsagesExtension(o.keyUsage ?? (x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.nonRepudiation), true),
    new x509.BasicConstraintsExtension(o.ca ?? false, undefined, true),
  ];
  if (o.crlUrl) extensions.push(new x509.CRLDistributionPointsExtension([o.crlUrl]));
  if (o.ocspUrl) extensions.push(new x509.AuthorityInfoAccessExtension({ ocsp: o.ocspUrl }));
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serial(), subject: name(o.subject), issuer: issuer.cert.subjectName, publicKey: keys.publicKey as never, signingKey: issuer.keys.privateKey as never,
    signingAlgorithm: EC, notBefore: o.notBefore ?? new Date(Date.now() - 86400_000), notAfter: o.notAfter ?? new Date(Date.now() + 2 * 365 * 86400_000), extensions,
  });
  return { cert, keys };
}

export async function issueCrl(ca: Ca, revokedSerials: string[]): Promise<Uint8Array> {
  const crl = await x509.X509CrlGenerator.create({
    issuer: ca.cert.subjectName, signingKey: ca.keys.privateKey as never, signingAlgorithm: EC,
    thisUpdate: new Date(Date.now() - 60_000), nextUpdate: new Date(Date.now() + 3600_000),
    entries: revokedSerials.map((serialNumber) => ({ serialNumber, revocationDate: new Date(Date.now() - 60_000) })),
  });
  return new Uint8Array(crl.rawData);
}

/** Signs like a SIM or token would: ECDSA P-256 over the data with SHA-256 (raw r||s). */
export async function signWith(keys: Keys, data: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await webcrypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, keys.privateKey, data));
}

export async function exportPrivateKey(keys: Keys): Promise<string> {
  return Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey)).toString('base64');
}

export async function importKeys(pkcs8b64: string, cert: x509.X509Certificate): Promise<Keys> {
  const privateKey = await webcrypto.subtle.importKey('pkcs8', Buffer.from(pkcs8b64, 'base64'), EC, true, ['sign']);
  const publicKey = await webcrypto.subtle.importKey('spki', cert.publicKey.rawData, EC, true, ['verify']);
  return { privateKey, publicKey };
}

/** The sandbox CA's OCSP responder: answers each requested certificate good or revoked, signed by the CA. */
export async function ocspResponse(ca: Ca, requestDer: Uint8Array, isRevoked: (serialHex: string) => boolean): Promise<Uint8Array> {
  const req = AsnConvert.parse(requestDer, OCSPRequest);
  const now = Date.now();
  const responses = req.tbsRequest.requestList.map((r) => new SingleResponse({
    certID: r.reqCert,
    certStatus: isRevoked(Buffer.from(r.reqCert.serialNumber).toString('hex'))
      ? new CertStatus({ revoked: new RevokedInfo({ revocationTime: new Date(now - 3600_000) }) })
      : new CertStatus({ good: null }),
    thisUpdate: new Date(now - 60_000),
    nextUpdate: new Date(now + 300_000),
  }));
  const spki = AsnConvert.parse(ca.cert.rawData, Certificate).tbsCertificate.subjectPublicKeyInfo.subjectPublicKey;
  const tbs = new ResponseData({
    responderID: new ResponderID({ byKey: new KeyHash(createHash('sha1').update(new Uint8Array(spki)).digest()) }),
    producedAt: new Date(now), responses,
  });
  const raw = await webcrypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, ca.keys.privateKey, AsnConvert.serialize(tbs));
  const der = new x509.AsnEcSignatureFormatter().toAsnSignature({ name: 'ECDSA', namedCurve: 'P-256' } as never, raw)!;
  const basic = new BasicOCSPResponse({ tbsResponseData: tbs, signatureAlgorithm: new AlgorithmIdentifier({ algorithm: '1.2.840.10045.4.3.2' }), signature: der });
  return new Uint8Array(AsnConvert.serialize(new OCSPResponse({
    responseStatus: OCSPResponseStatus.successful,
    responseBytes: new ResponseBytes({ responseType: id_pkix_ocsp_basic, response: new OctetString(AsnConvert.serialize(basic)) }),
  })));
}
