// A production environment that starts (every required key set), and a check that a key is refused.
import assert from 'node:assert/strict';
import { loadConfig, ConfigError } from '../../src/config/index.ts';

export const PROD_OK = {
  MODE: 'production', ISSUER: 'https://id.example.gov.vn', SMS_GATEWAY: 'http', SMS_URL: 'https://sms.example/send', SMTP_URL: 'smtp://mailer:secret@smtp.example:587',
  CARRIER_URL: 'https://carrier.example/check', BHXH_URL: 'https://bhxh.example/lookup', MSS_URL: 'https://mss.example',
  VNPOST_ISSUER: 'https://id.vnpost.example', VNPOST_CLIENT_ID: 'dvc', VNPOST_CLIENT_SECRET: 'secret',
  COOKIE_KEYS: 'k'.repeat(40), KEY_ENCRYPTION_SECRET: 'kek-'.repeat(10), OTP_SECRET: 'otp-'.repeat(10), PAIRWISE_SALT: 'salt-'.repeat(8),
};

export function refuses(env: Record<string, string>, key: string): void {
  assert.throws(() => loadConfig(env), (e: unknown) => e instanceof ConfigError && e.key === key, `refuses ${key}`);
}
