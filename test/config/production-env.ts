// A production environment that starts (every required key set), and a check that a key is refused.
import assert from 'node:assert/strict';
import { loadConfig, ConfigError } from '../../src/config/index.ts';

export const PROD_OK = {
  MODE: 'production', ISSUER: 'https://id.example.gov.vn', SMS_GATEWAY: 'http', SMS_URL: 'https://sms.example/send', SMTP_URL: 'smtp://mailer:secret@smtp.example:587',
  CARRIER_URL: 'https://carrier.example/check', BHXH_URL: 'https://bhxh.example/lookup', MSS_URL: 'https://mss.example',
  VNPOST_ISSUER: 'https://id.vnpost.example', VNPOST_CLIENT_ID: 'dvc', VNPOST_CLIENT_SECRET: 'secret',
  DATABASE_URL: 'postgres://dvc@db.example.gov.vn/dvc',
  // Made with `openssl rand -base64 32`: production mode wants 32 bytes of entropy, each secret different.
  COOKIE_KEYS: 'bGBqwLysOHeu+3DenAWVMS1DHHNFEDgfqvS698yqgK4=', KEY_ENCRYPTION_SECRET: 'PHCgS3aU6PevUSzkjrkHlqiihsyxdBakQ+1xUUYmkxY=',
  OTP_SECRET: 'X6U6qFcFsFoJwSzSACjRvYvsdMYWLi4gE2vlugfd2zQ=', PAIRWISE_SALT: 'qUb7hOmmp4z90K0iWNicZBelxlhlEJ6rniyQDlN0RWM=',
};

/** Another strong secret, distinct from the ones above. */
export const STRONG_SECRET = 'gD2hI2f7rNq/DYy9/2B9qC8kNoM3AYqhSbcdJsYQAB0=';

export function refuses(env: Record<string, string>, key: string): void {
  assert.throws(() => loadConfig(env), (e: unknown) => e instanceof ConfigError && e.key === key, `refuses ${key}`);
}
