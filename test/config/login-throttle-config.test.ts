// The password-guessing limits: documented defaults, and bounds that keep the policy coherent.
import assert from 'node:assert/strict';
import { ConfigError, loadConfig } from '../../src/config/index.ts';

const refusedKey = (env: Record<string, string>) => {
  try { loadConfig(env); } catch (e) { return e instanceof ConfigError ? e.key : String(e); }
  return undefined;
};

describe('configuration: password-guessing limits', () => {
  it('defaults: 5 per account and 100 failures per address per 15 minutes, 10 per device, 100 in a row', () => {
    const c = loadConfig({});
    assert.deepEqual(
      [c.loginMaxFailuresPerAccount, c.loginMaxFailuresPerIp, c.loginMaxFailuresPerDevice, c.loginWindowSeconds, c.loginMaxConsecutiveFailures, c.loginFailureMemoryDays, c.loginLockNoticeSeconds, c.deviceCookieDays],
      [5, 100, 10, 900, 100, 90, 86_400, 180]);
  });

  it('refuses more than NIST\'s 100 consecutive failures, a notice period shorter than a lock, a window budget above the consecutive one, and cookies beyond 400 days', () => {
    assert.equal(refusedKey({ LOGIN_MAX_CONSECUTIVE_FAILURES: '101' }), 'LOGIN_MAX_CONSECUTIVE_FAILURES');
    assert.equal(refusedKey({ LOGIN_WINDOW_SECONDS: '3600', LOGIN_LOCK_NOTICE_SECONDS: '600' }), 'LOGIN_LOCK_NOTICE_SECONDS');
    assert.equal(refusedKey({ LOGIN_MAX_FAILURES_PER_ACCOUNT: '20', LOGIN_MAX_CONSECUTIVE_FAILURES: '10' }), 'LOGIN_MAX_FAILURES_PER_ACCOUNT');
    assert.equal(refusedKey({ DEVICE_COOKIE_DAYS: '401' }), 'DEVICE_COOKIE_DAYS');
    assert.equal(refusedKey({ LOGIN_MAX_FAILURES_PER_DEVICE: '0' }), 'LOGIN_MAX_FAILURES_PER_DEVICE');
  });
});
