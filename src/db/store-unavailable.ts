// The short-lived store (Redis) did not answer: the request fails closed with a 503, never a 500
// and never a silent pass (a rate limiter that let requests through while Redis is down would be
// an attack: stop Redis, guess freely). An oidc-provider error, so that the protocol endpoints answer
// it themselves (JSON `temporarily_unavailable` or our error page); our own pages through the
// error boundary (src/web/error-boundary.ts).
import { errors } from 'oidc-provider';

export const STORE_UNAVAILABLE = 'DVC_STORE_UNAVAILABLE';

export class StoreUnavailableError extends errors.OIDCProviderError {
  readonly code = STORE_UNAVAILABLE;
  constructor(cause: unknown) {
    super(503, 'temporarily_unavailable', { cause });
    this.error_description = 'the session store is unavailable, try again in a moment';
    // Shown as itself (RFC 6749 §4.1.2.1 defines the code), on our page: never redirected to the client,
    // whose redirect cannot be retried by the person.
    this.expose = true;
    this.allow_redirect = false;
  }
}

// By code, not instanceof (a module loaded twice under a test runner would not share the class).
export function isStoreUnavailable(e: unknown): boolean {
  return (e as { code?: unknown } | null)?.code === STORE_UNAVAILABLE;
}
