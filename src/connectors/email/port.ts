// The email port: core code only sees this.
export interface EmailMessage {
  to: string; // an address parsed by parseEmail
  subject: string;
  text: string; // plain text only: no HTML to sanitise, nothing for a filter to call suspicious
  /** Same key → the same message: the sandbox stores it once, SMTP gives it the same Message-ID. */
  idempotencyKey: string;
}

export interface EmailGateway {
  readonly kind: 'sandbox' | 'smtp';
  send(msg: EmailMessage): Promise<void>;
}

export class EmailUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EmailUnavailableError';
  }
}
