// The real SMS gateway: JSON POST {to, text} with a bearer token and an idempotency key.
import { postJson, UpstreamError } from '../../shared/http-client.ts';
import type { SmsGateway, SmsMessage } from './port.ts';
import { SmsUnavailableError } from './port.ts';

export interface HttpSmsOptions { url: string; token?: string | undefined; timeoutMs: number; retries: number }

export class HttpSmsGateway implements SmsGateway {
  readonly kind = 'http';
  constructor(private readonly opts: HttpSmsOptions) {}

  async send(msg: SmsMessage): Promise<void> {
    try {
      await postJson({
        upstream: 'sms',
        url: this.opts.url,
        body: { to: msg.to, text: msg.text },
        headers: this.opts.token ? { authorization: `Bearer ${this.opts.token}` } : {},
        timeoutMs: this.opts.timeoutMs,
        retries: this.opts.retries,
        idempotencyKey: msg.idempotencyKey,
      });
    } catch (e) {
      throw new SmsUnavailableError(e instanceof UpstreamError ? e.message : 'SMS gateway error');
    }
  }
}
