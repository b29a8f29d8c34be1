// The SMS gateway port: core code only sees this.
export interface SmsMessage {
  to: string; // E.164
  text: string;
  /** Same key → the gateway sends once even when we retry. */
  idempotencyKey: string;
  /** Useless after this instant (an expired code): the outbox gives it up rather than send it late. */
  notAfter?: Date | undefined;
}

export interface SmsGateway {
  readonly kind: 'sandbox' | 'http';
  send(msg: SmsMessage): Promise<void>;
}

export class SmsUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SmsUnavailableError';
  }
}
