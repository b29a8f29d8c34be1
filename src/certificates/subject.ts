// Identity from a Vietnamese signing certificate's subject: ID numbers sit in UID attributes as
// PREFIX:value (CCCD:, CMND:, MST:, HC:, MNS:, BHXH:), the name in CN, the organisation in O.
// Read from the decoded RDNs, never by splitting the DN string (names contain commas).
import { parseCccd, parseCmnd, parseMst } from '../identity/identifiers/index.ts';
import { maskId } from '../identity/identifiers/mask.ts';
import { UID_OID, x509 } from './x509.ts';

export type CertIdentity =
  | { kind: 'citizen'; idType: 'cccd' | 'cmnd'; idNumber: string; fullName: string }
  | { kind: 'enterprise'; taxCode: string; organisationName: string; fullName: string | undefined; personIdNumber: string | undefined };

export type SubjectResult = { ok: true; identity: CertIdentity } | { ok: false; error: 'no_identifier' | 'unknown_layout' | 'conflicting_identifiers' };

// The library names well-known attributes (CN, O) and leaves others as OIDs: accept both spellings.
const ALIASES: Record<string, string[]> = { [UID_OID]: ['UID'], '2.5.4.3': ['CN'], '2.5.4.10': ['O'] };

function values(cert: x509.X509Certificate, oid: string): string[] {
  const names = [oid, ...(ALIASES[oid] ?? [])];
  const out: string[] = [];
  for (const rdn of cert.subjectName.toJSON()) for (const [k, v] of Object.entries(rdn)) if (names.includes(k)) out.push(...v);
  return out.map((s) => s.normalize('NFC').trim());
}

export function parseSubject(cert: x509.X509Certificate): SubjectResult {
  const uids = values(cert, UID_OID);
  const ids: Record<string, string[]> = {};
  for (const u of uids) {
    const m = /^([A-Za-z]+):(.+)$/.exec(u);
    if (!m) return { ok: false, error: 'unknown_layout' };
    (ids[m[1]!.toUpperCase()] ??= []).push(m[2]!.trim());
  }
  const cn = values(cert, '2.5.4.3')[0];
  const org = values(cert, '2.5.4.10')[0];
  const one = (k: string) => {
    const v = [...new Set(ids[k] ?? [])];
    return v.length > 1 ? null : v[0];
  };
  const mstRaw = one('MST');
  const cccdRaw = one('CCCD');
  const cmndRaw = one('CMND');
  if (mstRaw === null || cccdRaw === null || cmndRaw === null) return { ok: false, error: 'conflicting_identifiers' };
  if (mstRaw !== undefined) {
    const mst = parseMst(mstRaw);
    if (!mst.ok || !(org || cn)) return { ok: false, error: 'unknown_layout' };
    const person = cccdRaw ? parseCccd(cccdRaw) : cmndRaw ? parseCmnd(cmndRaw) : undefined;
    if (person && !person.ok) return { ok: false, error: 'unknown_layout' };
    return { ok: true, identity: { kind: 'enterprise', taxCode: mst.value, organisationName: (org ?? cn)!, fullName: org ? cn : undefined, personIdNumber: person?.ok ? person.value : undefined } };
  }
  if (cccdRaw !== undefined || cmndRaw !== undefined) {
    if (!cn) return { ok: false, error: 'unknown_layout' };
    const r = cccdRaw !== undefined ? parseCccd(cccdRaw) : parseCmnd(cmndRaw!);
    if (!r.ok) return { ok: false, error: 'unknown_layout' };
    return { ok: true, identity: { kind: 'citizen', idType: cccdRaw !== undefined ? 'cccd' : 'cmnd', idNumber: r.value, fullName: cn } };
  }
  return { ok: false, error: Object.keys(ids).length ? 'unknown_layout' : 'no_identifier' };
}

/** What a person recognises a certificate by: holder, masked ID, issuer, validity. No raw DN. */
export interface CertificateSummary {
  holder: string;
  organisation: string | undefined;
  idKind: 'CCCD' | 'CMND' | 'MST' | undefined;
  idMasked: string | undefined;
  issuer: string;
  notBefore: string;
  notAfter: string;
  expired: boolean;
}

export function summariseCertificate(cert: x509.X509Certificate, now = new Date()): CertificateSummary {
  const parsed = parseSubject(cert);
  const issuerCn = cert.issuerName.getField('CN')[0] ?? cert.issuerName.getField('O')[0] ?? cert.issuer;
  const cn = values(cert, '2.5.4.3')[0];
  const org = values(cert, '2.5.4.10')[0];
  let idKind: CertificateSummary['idKind'];
  let idNumber: string | undefined;
  if (parsed.ok && parsed.identity.kind === 'citizen') { idKind = parsed.identity.idType === 'cccd' ? 'CCCD' : 'CMND'; idNumber = parsed.identity.idNumber; }
  if (parsed.ok && parsed.identity.kind === 'enterprise') { idKind = 'MST'; idNumber = parsed.identity.taxCode; }
  return {
    holder: cn ?? org ?? '—', organisation: cn && org ? org : undefined,
    idKind, idMasked: idNumber ? maskId(idNumber) : undefined,
    issuer: issuerCn.normalize('NFC'),
    notBefore: cert.notBefore.toISOString(), notAfter: cert.notAfter.toISOString(),
    expired: cert.notAfter.getTime() < now.getTime(),
  };
}

/** The same summary from stored DN strings (a linked credential keeps subject and issuer as text),
 *  parsed by the X.509 library, which knows quoting and escapes. */
export function summariseNames(subjectDn: string, issuerDn: string): { holder: string; id: string | undefined; issuer: string } {
  try {
    const subject = new x509.Name(subjectDn);
    const issuer = new x509.Name(issuerDn);
    const uid = [...subject.getField(UID_OID), ...subject.getField('UID')].map((u) => /^(CCCD|CMND|MST):(.+)$/i.exec(u.trim())).find((m) => m);
    return {
      holder: subject.getField('CN')[0] ?? subject.getField('O')[0] ?? '—',
      id: uid ? `${uid[1]!.toUpperCase()} ${maskId(uid[2]!.trim())}` : undefined,
      issuer: issuer.getField('CN')[0] ?? issuer.getField('O')[0] ?? '—',
    };
  } catch {
    return { holder: '—', id: undefined, issuer: '—' };
  }
}
