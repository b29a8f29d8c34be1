// Identity from a Vietnamese signing certificate's subject: ID numbers sit in UID attributes as
// PREFIX:value (CCCD:, CMND:, MST:, HC:, MNS:, BHXH:), the name in CN, the organisation in O.
// Read from the decoded RDNs, never by splitting the DN string (names contain commas).
import { parseCccd, parseCmnd, parseMst } from '../identity/identifiers/index.ts';
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
