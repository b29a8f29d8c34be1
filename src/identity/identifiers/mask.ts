// Masking for display: enough to recognise one's own number, not enough to learn someone else's.

/** Keeps the first 3 and last 3 characters. Six or fewer would show everything, so all are starred. */
export function maskId(value: string): string {
  if (value.length <= 6) return '*'.repeat(value.length);
  return `${value.slice(0, 3)}${'*'.repeat(value.length - 6)}${value.slice(-3)}`;
}
