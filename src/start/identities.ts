// The sandbox test identities, read from config/sandbox/*.json on every request: the start page
// shows what the sandbox connectors actually use, so it can never drift from the files.
import { readSandboxJson, type Config } from '../config/index.ts';
import { formatDateVn } from '../identity/identifiers/date.ts';

/** One row: who it is, what it is for, and the values to type (label key → value). */
export interface IdentityRow { who: string; note?: string; values: [string, string][] }
export interface IdentityTable { titleKey: string; leadKey?: string; rows: IdentityRow[] }

interface AccountsFile { accounts: { label: string; subjectType: string; level: number; fullName?: string; organisationName?: string; cccd?: string; cmnd?: string; mst?: string; phone: string; password: string }[] }
interface Subject { cn: string; o?: string; uids?: string[] }
interface SimFile { subscribers: { phone: string; pin: string; subject: Subject; label: string }[]; notASigningSimExample?: string; unavailable?: string[] }
interface UsbFile { tokens: { name: string; pin: string; subject: Subject; label: string }[] }
interface CarrierFile { subscribers: { phone: string; idNumber?: string; fullName?: string; birthdate?: string; note: string }[]; notFoundExample?: string; unavailable?: string[] }
interface BhxhFile { people: { bhxhCode: string; idNumber?: string; fullName?: string; birthdate?: string; note: string }[]; notFoundExample?: string; unavailable?: string[] }
interface VnpostFile { users: { username: string; password: string; name?: string; label: string }[] }

/** +84912345228 → 0912345228, as a person types it. */
const local = (phone: string) => (phone.startsWith('+84') ? `0${phone.slice(3)}` : phone);
const subjectOf = (s: Subject) => [s.cn, s.o, ...(s.uids ?? [])].filter(Boolean).join(', ');
const present = (values: [string, string | undefined][]) => values.filter((v): v is [string, string] => !!v[1]);

export function sandboxIdentities(cfg: Config): IdentityTable[] {
  const accounts = readSandboxJson<AccountsFile>(cfg, 'accounts.json');
  const sim = readSandboxJson<SimFile>(cfg, 'sim.json');
  const usb = readSandboxJson<UsbFile>(cfg, 'usb.json');
  const carrier = readSandboxJson<CarrierFile>(cfg, 'carrier.json');
  const bhxh = readSandboxJson<BhxhFile>(cfg, 'bhxh.json');
  const vnpost = readSandboxJson<VnpostFile>(cfg, 'vnpost.json');
  const outage = (numbers: string[] | undefined, show = local): IdentityRow[] =>
    (numbers ?? []).map((n) => ({ who: '—', note: 'service unavailable', values: [['start.id.phone_or_code', show(n)]] }));
  return [
    {
      titleKey: 'start.ids.accounts', leadKey: 'start.ids.accounts.lead',
      rows: accounts.accounts.map((a) => ({
        who: a.organisationName ?? a.fullName ?? '', note: a.label,
        values: present([['start.id.username', a.cccd ?? a.mst], ['start.id.cmnd', a.cmnd], ['start.id.password', a.password], ['start.id.phone', local(a.phone)], ['start.id.level', String(a.level)]]),
      })),
    },
    {
      titleKey: 'start.ids.sim', leadKey: 'start.ids.sim.lead',
      rows: [
        ...sim.subscribers.map((s) => ({ who: subjectOf(s.subject), note: s.label, values: [['start.id.phone', local(s.phone)], ['start.id.pin', s.pin]] as [string, string][] })),
        ...(sim.notASigningSimExample ? [{ who: '—', note: 'not a signing SIM', values: [['start.id.phone', local(sim.notASigningSimExample)]] as [string, string][] }] : []),
        ...outage(sim.unavailable),
      ],
    },
    {
      titleKey: 'start.ids.usb', leadKey: 'start.ids.usb.lead',
      rows: usb.tokens.map((t) => ({ who: subjectOf(t.subject), note: t.label, values: [['start.id.token', t.name], ['start.id.pin', t.pin]] })),
    },
    {
      titleKey: 'start.ids.carrier', leadKey: 'start.ids.carrier.lead',
      rows: [
        ...carrier.subscribers.map((p) => ({ who: p.fullName ?? '—', note: p.note, values: present([['start.id.phone', local(p.phone)], ['start.id.id_number', p.idNumber], ['start.id.birthdate', p.birthdate && formatDateVn(p.birthdate)]]) })),
        ...(carrier.notFoundExample ? [{ who: '—', note: 'number not found', values: [['start.id.phone', local(carrier.notFoundExample)]] as [string, string][] }] : []),
        ...outage(carrier.unavailable),
      ],
    },
    {
      titleKey: 'start.ids.bhxh', leadKey: 'start.ids.bhxh.lead',
      rows: [
        ...bhxh.people.map((p) => ({ who: p.fullName ?? '—', note: p.note, values: present([['start.id.bhxh', p.bhxhCode], ['start.id.id_number', p.idNumber], ['start.id.birthdate', p.birthdate && formatDateVn(p.birthdate)]]) })),
        ...(bhxh.notFoundExample ? [{ who: '—', note: 'not found', values: [['start.id.bhxh', bhxh.notFoundExample]] as [string, string][] }] : []),
        ...outage(bhxh.unavailable, (c) => c),
      ],
    },
    {
      titleKey: 'start.ids.vnpost', leadKey: 'start.ids.vnpost.lead',
      rows: vnpost.users.map((u) => ({ who: u.name ?? u.username, note: u.label, values: [['start.id.username', u.username], ['start.id.password', u.password]] })),
    },
  ];
}
