// Errors shown to people: a status, a message key, and whether the detail may be shown.
export class AppError extends Error {
  constructor(readonly status: number, readonly messageKey: string, readonly expose = true) {
    super(messageKey);
  }
}

const E = (status: number, key: string) => () => new AppError(status, key);
export const NotFound = E(404, 'error.not_found');
export const SessionExpired = E(400, 'error.session_expired');
export const CsrfFailed = E(403, 'error.csrf');
