// Sandbox mobile-signature service: requests wait in the database until someone approves them on
// the simulated phone (/sandbox/phone) with the SIM's PIN; then the subscriber's sandbox key really
// signs. Any node can answer a status query. A new request to a SIM supersedes its pending one.
import { randomUUID } from 'node:crypto';
import type { Db } from '../../db/knex.ts';
import { importKeys, signWith } from '../../certificates/sandbox-ca.ts';
import { x509 } from '../../certificates/x509.ts';
import { ConnectorUnavailableError } from '../unavailable.ts';
import type { MobileSignaturePort, SignatureRequest, SignatureStatus } from './port.ts';

export const SANDBOX_MSS_TIMEOUT_SECONDS = 120;
const MAX_PIN_ATTEMPTS = 3;

export interface SandboxSimSubscriber { phone: string; pin: string; profile: string; label: string }

interface Row { id: string; phone: string; dtbs: string; display: string; state: string; signature: string | null; pin_attempts: number; expires_at: string | Date }

export class SandboxMobileSignature implements MobileSignaturePort {
  readonly kind = 'sandbox';
  constructor(private readonly db: Db, private readonly subscribers: SandboxSimSubscriber[], private readonly unavailable: string[]) {}

  async request(r: SignatureRequest): Promise<{ transactionId: string }> {
    if (this.unavailable.includes(r.phone)) throw new ConnectorUnavailableError('mobile-signature', 'sandbox outage number');
    const sub = this.subscribers.find((s) => s.phone === r.phone);
    const state = !sub ? 'not_a_signing_sim' : sub.profile === 'pin_blocked' ? 'pin_blocked' : 'pending';
    const id = randomUUID();
    // One outstanding request per SIM, as a signing service keeps it: the phone shows only the newest.
    await this.db('sandbox_mss_requests').where({ phone: r.phone, state: 'pending' }).update({ state: 'superseded' });
    await this.db('sandbox_mss_requests').insert({
      id, phone: r.phone, dtbs: Buffer.from(r.dataToBeSigned).toString('base64'), display: r.displayText, state,
      expires_at: new Date(Date.now() + SANDBOX_MSS_TIMEOUT_SECONDS * 1000),
    });
    return { transactionId: id };
  }

  async status(transactionId: string): Promise<SignatureStatus> {
    const row = (await this.db('sandbox_mss_requests').where({ id: transactionId }).first()) as Row | undefined;
    if (!row) return { state: 'error' };
    if (row.state === 'pending') return new Date(row.expires_at).getTime() < Date.now() ? { state: 'expired' } : { state: 'pending' };
    if (row.state === 'signed') {
      const pki = await this.db('sandbox_pki').where({ id: `sim:${row.phone}` }).first('cert_pem');
      return { state: 'signed', signature: new Uint8Array(Buffer.from(row.signature!, 'base64')), certificateChain: [pki.cert_pem as string] };
    }
    if (row.state === 'superseded') return { state: 'expired' };
    return { state: row.state as 'refused' | 'pin_blocked' | 'not_a_signing_sim' };
  }

  // --- the simulated phone ---

  async pending(phone: string): Promise<{ id: string; display: string; expiresAt: string }[]> {
    const rows = (await this.db('sandbox_mss_requests').where({ phone, state: 'pending' }).andWhere('expires_at', '>', this.db.fn.now()).orderBy('created_at', 'desc')) as Row[];
    return rows.map((r) => ({ id: r.id, display: r.display, expiresAt: new Date(r.expires_at).toISOString() }));
  }

  /** The person confirms and types the PIN on the phone. */
  async approve(id: string, pin: string): Promise<'signed' | 'wrong_pin' | 'pin_blocked' | 'not_pending'> {
    const row = (await this.db('sandbox_mss_requests').where({ id, state: 'pending' }).andWhere('expires_at', '>', this.db.fn.now()).first()) as Row | undefined;
    const sub = row && this.subscribers.find((s) => s.phone === row.phone);
    if (!row || !sub) return 'not_pending';
    if (pin !== sub.pin) {
      const attempts = row.pin_attempts + 1;
      const blocked = attempts >= MAX_PIN_ATTEMPTS;
      await this.db('sandbox_mss_requests').where({ id }).update({ pin_attempts: attempts, ...(blocked ? { state: 'pin_blocked' } : {}) });
      return blocked ? 'pin_blocked' : 'wrong_pin';
    }
    const pki = await this.db('sandbox_pki').where({ id: `sim:${row.phone}` }).first();
    const keys = await importKeys(pki.key_pkcs8 as string, new x509.X509Certificate(pki.cert_pem as string));
    const signature = await signWith(keys, new Uint8Array(Buffer.from(row.dtbs, 'base64')));
    const n = await this.db('sandbox_mss_requests').where({ id, state: 'pending' }).update({ state: 'signed', signature: Buffer.from(signature).toString('base64') });
    return n === 1 ? 'signed' : 'not_pending';
  }

  async refuse(id: string): Promise<boolean> {
    return (await this.db('sandbox_mss_requests').where({ id, state: 'pending' }).update({ state: 'refused' })) === 1;
  }
}
