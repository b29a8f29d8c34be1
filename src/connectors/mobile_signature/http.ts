// Real mobile-signature service over JSON (ETSI TS 102 204 status names):
//   POST {url}/signature-requests {msisdn, dataToBeSigned (base64), dataToBeDisplayed} → {transactionId}
//   GET  {url}/signature-requests/{id} → {status, signature?, certificateChain?}
//   status: OUTSTANDING_TRANSACTION | SIGNATURE | USER_CANCEL | EXPIRED_TRANSACTION | PIN_BLOCKED
//           | NOT_A_SIGNING_SIM | INTERNAL_ERROR (anything else is treated as an error)
import { postJson, UpstreamError } from '../../shared/http-client.ts';
import { upstreamCalls } from '../../shared/metrics.ts';
import { ConnectorUnavailableError } from '../unavailable.ts';
import type { MobileSignaturePort, SignatureRequest, SignatureStatus } from './port.ts';

export interface HttpMssOptions { url: string; token?: string | undefined; timeoutMs: number; retries: number }

const MAP: Record<string, SignatureStatus['state']> = {
  OUTSTANDING_TRANSACTION: 'pending', USER_CANCEL: 'refused', EXPIRED_TRANSACTION: 'expired',
  PIN_BLOCKED: 'pin_blocked', NOT_A_SIGNING_SIM: 'not_a_signing_sim', INTERNAL_ERROR: 'error',
};

export class HttpMobileSignature implements MobileSignaturePort {
  readonly kind = 'http';
  constructor(private readonly o: HttpMssOptions) {}

  private headers(): Record<string, string> {
    return this.o.token ? { authorization: `Bearer ${this.o.token}` } : {};
  }

  async request(r: SignatureRequest): Promise<{ transactionId: string }> {
    try {
      const res = await postJson<{ transactionId?: unknown }>({
        upstream: 'mobile_signature', url: `${this.o.url}/signature-requests`, headers: this.headers(), timeoutMs: this.o.timeoutMs, retries: 0,
        body: { msisdn: r.phone, dataToBeSigned: Buffer.from(r.dataToBeSigned).toString('base64'), dataToBeDisplayed: r.displayText },
      });
      if (typeof res.transactionId !== 'string') throw new UpstreamError('no transactionId');
      return { transactionId: res.transactionId };
    } catch (e) {
      throw new ConnectorUnavailableError('mobile-signature', e instanceof Error ? e.message : 'error');
    }
  }

  async status(transactionId: string): Promise<SignatureStatus> {
    let body: { status?: unknown; signature?: unknown; certificateChain?: unknown };
    try {
      const res = await fetch(`${this.o.url}/signature-requests/${encodeURIComponent(transactionId)}`, { headers: { accept: 'application/json', ...this.headers() }, signal: AbortSignal.timeout(this.o.timeoutMs) });
      if (!res.ok) throw new Error(`status ${res.status}`);
      body = (await res.json()) as typeof body;
      upstreamCalls.inc({ upstream: 'mobile_signature', outcome: 'ok' });
    } catch (e) {
      upstreamCalls.inc({ upstream: 'mobile_signature', outcome: 'unavailable' });
      throw new ConnectorUnavailableError('mobile-signature', e instanceof Error ? e.message : 'error');
    }
    if (body.status === 'SIGNATURE') {
      if (typeof body.signature !== 'string' || !Array.isArray(body.certificateChain) || !body.certificateChain.every((c) => typeof c === 'string')) return { state: 'error' };
      return { state: 'signed', signature: new Uint8Array(Buffer.from(body.signature, 'base64')), certificateChain: body.certificateChain as string[] };
    }
    const state = typeof body.status === 'string' ? MAP[body.status] : undefined;
    return { state: state ?? 'error' } as SignatureStatus;
  }
}
