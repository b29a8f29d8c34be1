// Real BHXH registry: JSON POST {bhxhCode} → {found: false} | {found: true, idNumber, fullName, birthdate}.
import { postJson, UpstreamError } from '../../shared/http-client.ts';
import { ConnectorUnavailableError } from '../unavailable.ts';
import type { HttpConnectorOptions } from '../carrier/http.ts';
import type { BhxhPort, InsuredPerson } from './port.ts';

interface Answer { found?: unknown; idNumber?: unknown; fullName?: unknown; birthdate?: unknown }

export class HttpBhxh implements BhxhPort {
  readonly kind = 'http';
  constructor(private readonly o: HttpConnectorOptions) {}

  async lookup(bhxhCode: string): Promise<InsuredPerson | undefined> {
    let r: Answer;
    try {
      r = await postJson<Answer>({ upstream: 'bhxh', url: this.o.url, body: { bhxhCode }, headers: this.o.token ? { authorization: `Bearer ${this.o.token}` } : {}, timeoutMs: this.o.timeoutMs, retries: this.o.retries });
    } catch (e) {
      throw new ConnectorUnavailableError('bhxh', e instanceof UpstreamError ? e.message : 'error');
    }
    if (r.found === false) return undefined;
    if (r.found === true && typeof r.idNumber === 'string' && typeof r.fullName === 'string' && typeof r.birthdate === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(r.birthdate)) {
      return { bhxhCode, idNumber: r.idNumber, fullName: r.fullName, birthdate: r.birthdate };
    }
    throw new ConnectorUnavailableError('bhxh', 'unexpected answer');
  }
}
