// What the support desk sees of an account: never a password, an OTP, a recovery code or a key —
// credentials by kind and date only, numbers masked, sessions and sign-ins by time and place.
import type { Db } from '../db/knex.ts';
import type { Account } from '../identity/accounts.ts';
import { credentialsOf } from '../identity/credentials.ts';
import { formatDateVn, maskId, maskPhone } from '../identity/identifiers/index.ts';
import type { AuthMethod } from '../interaction/method.ts';
import { describeDevice } from '../shared/device.ts';
import { vnDate, vnMinute } from '../shared/vn-time.ts';

type Lang = 'vi' | 'en';
const LEGAL = ['cccd', 'cmnd', 'mst', 'bhxh'];
const PROOF_ACTIONS = ['account.register', 'account.create', 'account.level_raised', 'account.activate', 'stepup'];

export async function accountView(db: Db, methods: AuthMethod[], a: Account, lang: Lang) {
  const kinds = new Map(methods.flatMap((m) => m.credentials ?? []).map((k) => [k.type, k]));
  const creds = await credentialsOf(db, a.id);
  const phone = a.identifiers.find((i) => i.type === 'phone' && i.primary);
  const proofs = await db('audit_events').where({ account_id: a.id, result: 'success' }).whereIn('action', PROOF_ACTIONS).orderBy('at').limit(10)
    .select('at', 'action', 'method', 'actor');
  const sessions = await db('oidc_models as m').leftJoin('session_meta as x', 'x.session_uid', db.raw("m.payload->>'uid'"))
    .where({ 'm.kind': 'Session', 'm.account_id': a.id }).andWhere('m.expires_at', '>', db.fn.now()).select('x.ip', 'x.user_agent', 'x.place', 'x.last_seen_at');
  const logins = await db('audit_events').where({ account_id: a.id, action: 'login' }).orderBy('at', 'desc').limit(10).select('at', 'method', 'result', 'ip', 'user_agent');
  return {
    id: a.id, status: a.status, level: a.level, subjectType: a.subjectType, fullName: a.fullName,
    birthdate: a.birthdate ? formatDateVn(a.birthdate) : '—', organisationName: a.organisationName,
    ids: a.identifiers.filter((i) => LEGAL.includes(i.type)).map((i) => ({ type: i.type.toUpperCase(), value: maskId(i.value) })),
    phone: phone ? maskPhone(phone.value) : undefined,
    proofs: proofs.map((p: { at: Date | string; action: string; method: string | null; actor: string | null }) => ({ at: vnDate(new Date(p.at)), action: p.action, method: p.method ?? '—', by: p.actor ?? '—' })),
    // Kind and date only: a credential's config (hashes, secrets, codes) never reaches a staff page.
    credentials: creds.filter((c) => c.type !== 'recovery_codes').map((c) => ({ id: c.id, label: kinds.get(c.type)?.label[lang] ?? c.type, since: vnDate(c.createdAt) })),
    sessions: sessions.map((s: { ip: string | null; user_agent: string | null; place: string | null; last_seen_at: Date | string | null }) => ({
      ip: s.ip ?? '—', device: describeDevice(s.user_agent, lang), place: s.place ?? '', lastSeen: s.last_seen_at ? vnMinute(new Date(s.last_seen_at)) : '—',
    })),
    logins: logins.map((l: { at: Date | string; method: string | null; result: string | null; ip: string | null; user_agent: string | null }) => ({
      at: vnMinute(new Date(l.at)), method: l.method ?? '—', result: l.result ?? '—', ip: l.ip ?? '—', device: describeDevice(l.user_agent, lang),
    })),
  };
}
