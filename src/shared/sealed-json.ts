// Secrets at rest (signing keys, TOTP seeds): AES-256-GCM under a key derived from KEY_ENCRYPTION_SECRET.
// The derivation's labels are kept as first written: changing them would make stored blobs unreadable.
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

function kek(secret: string): Buffer {
  return Buffer.from(hkdfSync('sha256', secret, 'dvc-id', 'signing-key-encryption', 32));
}

export function encryptJson(secret: string, value: unknown): string {
  const iv = randomBytes(12);
  const c = createCipheriv('aes-256-gcm', kek(secret), iv);
  const body = Buffer.concat([c.update(JSON.stringify(value), 'utf8'), c.final()]);
  return [iv, c.getAuthTag(), body].map((b) => b.toString('base64url')).join('.');
}

export function decryptJson<T>(secret: string, blob: string): T {
  const [iv, tag, body] = blob.split('.').map((s) => Buffer.from(s, 'base64url'));
  if (!iv || !tag || !body) throw new Error('malformed encrypted key');
  const d = createDecipheriv('aes-256-gcm', kek(secret), iv);
  d.setAuthTag(tag);
  return JSON.parse(Buffer.concat([d.update(body), d.final()]).toString('utf8')) as T;
}
