// The sandbox PKI (sandbox mode only): one sandbox CA and the SIM subscribers' certificates,
// generated at first start and kept in the database so every node signs and verifies alike.
import type { Config } from '../config/index.ts';
import { readSandboxJson } from '../config/index.ts';
import type { Db } from '../db/knex.ts';
import { SANDBOX_CA_NAME, SANDBOX_CA_ORG } from './messages.ts';
import { createCa, exportPrivateKey, importKeys, issue, issueCrl, ocspResponse, type Ca, type SubjectSpec } from '../certificates/sandbox-ca.ts';
import { x509 } from '../certificates/x509.ts';
import type { SandboxSimSubscriber } from '../connectors/mobile_signature/sandbox.ts';

export interface SimFile { subscribers: (SandboxSimSubscriber & { subject: SubjectSpec })[]; unavailable: string[] }
export interface UsbFile { tokens: { name: string; pin: string; profile: string; label: string; subject: SubjectSpec }[] }

export const crlUrlFor = (cfg: Config) => `${cfg.issuer}/sandbox/pki/ca.crl`;
export const ocspUrlFor = (cfg: Config) => `${cfg.issuer}/sandbox/pki/ocsp`;

async function loadCa(db: Db): Promise<Ca | undefined> {
  const row = await db('sandbox_pki').where({ id: 'ca' }).first();
  if (!row) return undefined;
  const cert = new x509.X509Certificate(row.cert_pem as string);
  return { cert, keys: await importKeys(row.key_pkcs8 as string, cert) };
}

const DAY = 86400_000;

export async function ensureSandboxPki(cfg: Config, db: Db): Promise<Ca> {
  const sims = readSandboxJson<SimFile>(cfg, 'sim.json');
  const usb = readSandboxJson<UsbFile>(cfg, 'usb.json');
  const holders = [
    ...sims.subscribers.map((s) => ({ id: `sim:${s.phone}`, profile: s.profile, subject: s.subject })),
    ...usb.tokens.map((t) => ({ id: `usb:${t.name}`, profile: t.profile, subject: t.subject })),
  ];
  await db.transaction(async (trx) => {
    await trx.raw('select pg_advisory_xact_lock(727002)');
    let ca = await loadCa(trx);
    if (!ca) {
      ca = await createCa(SANDBOX_CA_NAME, { o: SANDBOX_CA_ORG });
      await trx('sandbox_pki').insert({ id: 'ca', cert_pem: ca.cert.toString('pem'), key_pkcs8: await exportPrivateKey(ca.keys), meta: JSON.stringify({}) });
    }
    for (const s of holders) {
      if (await trx('sandbox_pki').where({ id: s.id }).first('id')) continue;
      const expired = s.profile === 'expired';
      const issued = await issue(ca, {
        subject: s.subject, crlUrl: crlUrlFor(cfg), ocspUrl: ocspUrlFor(cfg),
        ...(expired ? { notBefore: new Date(Date.now() - 400 * DAY), notAfter: new Date(Date.now() - DAY) } : {}),
      });
      await trx('sandbox_pki').insert({ id: s.id, cert_pem: issued.cert.toString('pem'), key_pkcs8: await exportPrivateKey(issued.keys), meta: JSON.stringify({ profile: s.profile, serial: issued.cert.serialNumber }) });
    }
  });
  return (await loadCa(db))!;
}

/** The sandbox USB tokens' contents, for the software agent (sandbox only: private keys!). */
export async function sandboxUsbTokens(cfg: Config, db: Db) {
  const usb = readSandboxJson<UsbFile>(cfg, 'usb.json');
  const rows = await db('sandbox_pki').where('id', 'like', 'usb:%');
  return usb.tokens.flatMap((t) => {
    const r = rows.find((x) => x.id === `usb:${t.name}`);
    return r ? [{ name: t.name, pin: t.pin, label: t.label, certificatePem: r.cert_pem as string, keyPkcs8: r.key_pkcs8 as string }] : [];
  });
}

async function revokedSerials(db: Db): Promise<string[]> {
  const rows = await db('sandbox_pki').whereNot({ id: 'ca' });
  return rows.map((r: { meta: { profile?: string; serial?: string } }) => r.meta)
    .filter((m) => m.profile === 'revoked' && m.serial).map((m) => m.serial!);
}

/** The sandbox CA's CRL: every certificate whose profile is "revoked". */
export async function sandboxCrl(db: Db): Promise<Uint8Array> {
  const ca = await loadCa(db);
  if (!ca) throw new Error('sandbox CA missing');
  return issueCrl(ca, await revokedSerials(db));
}

/** The sandbox CA's OCSP answer to a DER request. */
export async function sandboxOcsp(db: Db, request: Uint8Array): Promise<Uint8Array> {
  const ca = await loadCa(db);
  if (!ca) throw new Error('sandbox CA missing');
  const revoked = new Set((await revokedSerials(db)).map((s) => s.replace(/^0+/, '').toLowerCase()));
  return ocspResponse(ca, request, (serial) => revoked.has(serial.replace(/^0+/, '').toLowerCase()));
}
