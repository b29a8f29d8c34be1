// Structured one-line JSON logs. Callers never pass personal numbers (use pseudonym()).
export interface Logger {
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

// Last line of defence: anything that looks like an ID, tax or phone number, or an email address, is masked.
const PERSONAL = /(?<!\d)(\+?84|0)?\d{9,13}(?!\d)/g;
const EMAIL = /[\p{L}\p{N}._%+-]+@([\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)+)/gu;
export function redact(s: string): string {
  return s.replace(EMAIL, (_m, domain: string) => `***@${domain}`).replace(PERSONAL, (m) => `${m.slice(0, 2)}***${m.slice(-2)}`);
}

export function createLogger(level: 'info' | 'silent'): Logger {
  const write = (lvl: string, msg: string, fields?: Record<string, unknown>) => {
    if (level === 'silent' && lvl !== 'error') return;
    const line = JSON.stringify({ t: new Date().toISOString(), level: lvl, msg, ...fields });
    (lvl === 'error' ? process.stderr : process.stdout).write(`${redact(line)}\n`);
  };
  return { info: (m, f) => write('info', m, f), warn: (m, f) => write('warn', m, f), error: (m, f) => write('error', m, f) };
}
