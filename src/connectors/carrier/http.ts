// Real carrier check: JSON POST {phone, idNumber, fullName, birthdate} → {result: "match"|"mismatch"|"not_found"}.
import { postJson, UpstreamError } from '../../shared/http-client.ts';
import { ConnectorUnavailableError } from '../unavailable.ts';
import type { CarrierPort, SubscriberQuery, SubscriberVerdict } from './port.ts';

export interface HttpConnectorOptions { url: string; token?: string | undefined; timeoutMs: number; retries: number }

export class HttpCarrier implements CarrierPort {
  readonly kind = 'http';
  constructor(private readonly o: HttpConnectorOptions) {}

  async checkSubscriber(q: SubscriberQuery): Promise<SubscriberVerdict> {
    let r: { result?: unknown };
    try {
      r = await postJson<{ result?: unknown }>({ upstream: 'carrier', url: this.o.url, body: q, headers: this.o.token ? { authorization: `Bearer ${this.o.token}` } : {}, timeoutMs: this.o.timeoutMs, retries: this.o.retries });
    } catch (e) {
      throw new ConnectorUnavailableError('carrier', e instanceof UpstreamError ? e.message : 'error');
    }
    if (r.result === 'match' || r.result === 'mismatch' || r.result === 'not_found') return r.result;
    throw new ConnectorUnavailableError('carrier', 'unexpected answer');
  }
}
