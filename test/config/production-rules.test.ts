// Production mode refuses what an operator must not run with: one test per rule, each naming the key.
import assert from 'node:assert/strict';
import { loadConfig, ConfigError, PRODUCTION_LIMITS } from '../../src/config/index.ts';
import { secretBytes, secretWeakness } from '../../src/config/secret-strength.ts';
import { PROD_OK, STRONG_SECRET, refuses } from './production-env.ts';

/** The refusal's message, for checking it states the rule. */
function refusal(env: Record<string, string>, key: string): string {
  try {
    loadConfig(env);
  } catch (e) {
    assert.ok(e instanceof ConfigError, String(e));
    assert.equal(e.key, key, e.message);
    return e.message;
  }
  assert.fail(`${key} was accepted`);
}

const SECRET_KEYS = ['KEY_ENCRYPTION_SECRET', 'OTP_SECRET', 'PAIRWISE_SALT', 'COOKIE_KEYS', 'REGISTRATION_INITIAL_ACCESS_TOKEN', 'METRICS_TOKEN'] as const;

describe('production rules', () => {
  it('the shared production environment passes every rule', () => {
    const c = loadConfig({ ...PROD_OK, REGISTRATION_INITIAL_ACCESS_TOKEN: STRONG_SECRET });
    assert.equal(c.mode, 'production');
    assert.equal(c.registrationInitialAccessToken, STRONG_SECRET);
  });

  describe('secrets: at least 32 bytes of entropy', () => {
    it('a one-character secret is refused, for every secret we generate', () => {
      for (const key of SECRET_KEYS) {
        assert.match(refusal({ ...PROD_OK, [key]: 'x' }, key), /at least (32|16)/, key); // METRICS_TOKEN: 16 characters in any mode
      }
    });

    it('hex and base64 count as the bytes they decode to: 63 hex digits or 42 base64 characters are not enough', () => {
      assert.equal(secretBytes('ab'.repeat(32)), 32);
      refuses({ ...PROD_OK, OTP_SECRET: '9c1e5b7a3d2f80641fa9e3c7d5b2a8060e4c91f7b3d5a2e8c0f6b4d2a9e7c5d' }, 'OTP_SECRET'); // 63 digits: 31 bytes
      refuses({ ...PROD_OK, OTP_SECRET: '9'.repeat(70) }, 'OTP_SECRET');
      refuses({ ...PROD_OK, OTP_SECRET: '9c1e5b7a3d2f80641fa9e3c7d5b2a8060e4c91f7b3d5a2e8c0f6b4d2a9e7c5' }, 'OTP_SECRET'); // 31 bytes in hex
      assert.equal(secretBytes('9c1e5b7a3d2f80641fa9e3c7d5b2a8060e4c91f7b3d5a2e8c0f6b4d2a9e7c5'), 31);
      refuses({ ...PROD_OK, OTP_SECRET: STRONG_SECRET.slice(0, 42) }, 'OTP_SECRET'); // 31 bytes of base64
      const ok = loadConfig({ ...PROD_OK, OTP_SECRET: '9c1e5b7a3d2f80641fa9e3c7d5b2a8060e4c91f7b3d5a2e8c0f6b4d2a9e7c5d3' }); // 32 bytes in hex
      assert.equal(ok.otpSecret.length, 64);
    });

    it('a long phrase counts its UTF-8 bytes', () => {
      const phrase = 'Tôi yêu Hà Nội mùa thu, gió heo may về 2026!';
      assert.ok(secretBytes(phrase) >= 32);
      assert.equal(loadConfig({ ...PROD_OK, PAIRWISE_SALT: phrase }).pairwiseSalt, phrase);
      refuses({ ...PROD_OK, PAIRWISE_SALT: 'Hà Nội mùa thu!' }, 'PAIRWISE_SALT');
    });

    it('low variety is refused however long: one character, a short pattern repeated, few characters', () => {
      assert.match(refusal({ ...PROD_OK, KEY_ENCRYPTION_SECRET: 'k'.repeat(64) }, 'KEY_ENCRYPTION_SECRET'), /low variety/);
      assert.match(refusal({ ...PROD_OK, KEY_ENCRYPTION_SECRET: 'kek-'.repeat(16) }, 'KEY_ENCRYPTION_SECRET'), /low variety/);
      assert.match(refusal({ ...PROD_OK, KEY_ENCRYPTION_SECRET: 'Tr0ub4dor&3x'.repeat(4) }, 'KEY_ENCRYPTION_SECRET'), /pattern of 12 characters/);
      assert.match(refusal({ ...PROD_OK, COOKIE_KEYS: 'Xy7$pQ2!'.repeat(5) + 'Xy7' }, 'COOKIE_KEYS'), /pattern of 8 characters/, 'a partial tail is still a pattern');
      assert.match(refusal({ ...PROD_OK, OTP_SECRET: `${'x'.repeat(50)}yz` }, 'OTP_SECRET'), /fewer than 8 different/);
      assert.equal(secretWeakness(STRONG_SECRET), undefined);
    });

    it('every cookie key is checked, not only the first', () => {
      assert.match(refusal({ ...PROD_OK, COOKIE_KEYS: `${STRONG_SECRET},${'z'.repeat(40)}` }, 'COOKIE_KEYS'), /key 2/);
    });
  });

  describe('secrets: distinct', () => {
    it('two secrets equal to each other are refused, naming both', () => {
      const msg = refusal({ ...PROD_OK, OTP_SECRET: PROD_OK.KEY_ENCRYPTION_SECRET }, 'OTP_SECRET');
      assert.match(msg, /^config OTP_SECRET: .*equals KEY_ENCRYPTION_SECRET.*distinct/);
      refuses({ ...PROD_OK, PAIRWISE_SALT: PROD_OK.COOKIE_KEYS }, 'PAIRWISE_SALT');
      refuses({ ...PROD_OK, REGISTRATION_INITIAL_ACCESS_TOKEN: PROD_OK.OTP_SECRET }, 'REGISTRATION_INITIAL_ACCESS_TOKEN');
      refuses({ ...PROD_OK, METRICS_TOKEN: PROD_OK.PAIRWISE_SALT }, 'METRICS_TOKEN');
      assert.match(refusal({ ...PROD_OK, COOKIE_KEYS: `${STRONG_SECRET},${STRONG_SECRET}` }, 'COOKIE_KEYS'), /key 2 equals COOKIE_KEYS key 1/);
    });

    it('all secrets set to one value is refused', () => {
      refuses({ ...PROD_OK, COOKIE_KEYS: STRONG_SECRET, KEY_ENCRYPTION_SECRET: STRONG_SECRET, OTP_SECRET: STRONG_SECRET, PAIRWISE_SALT: STRONG_SECRET }, 'KEY_ENCRYPTION_SECRET');
    });
  });

  describe('connector URLs', () => {
    const CONNECTOR_URLS = ['SMS_URL', 'CARRIER_URL', 'BHXH_URL', 'MSS_URL', 'VNPOST_ISSUER'] as const;

    it('http:// is refused for every connector (bearer tokens and personal data in clear)', () => {
      for (const key of CONNECTOR_URLS) {
        assert.match(refusal({ ...PROD_OK, [key]: 'http://gateway.example.vn/api' }, key), /https/, key);
      }
    });

    it('this machine is refused for every connector, in every spelling', () => {
      const spellings = ['https://localhost/x', 'https://LOCALHOST./x', 'https://api.localhost/x', 'https://127.0.0.1:8443/x', 'https://127.1/x',
        'https://0x7f.0.0.1/x', 'https://2130706433/x', 'https://[::1]/x', 'https://[0:0:0:0:0:0:0:1]/x', 'https://[::ffff:127.0.0.1]/x', 'https://0.0.0.0/x'];
      for (const key of CONNECTOR_URLS) {
        for (const url of spellings) assert.match(refusal({ ...PROD_OK, [key]: url }, key), /this machine/, `${key}=${url}`);
      }
    });

    it('a connector URL that is not a URL is refused in any mode', () => {
      refuses({ SMS_GATEWAY: 'http', SMS_URL: 'sms.example/send' }, 'SMS_URL');
      refuses({ ...PROD_OK, BHXH_URL: 'ftp://bhxh.example/lookup' }, 'BHXH_URL');
      // Sandbox mode keeps loopback and http (tests and local fakes).
      assert.equal(loadConfig({ SMS_GATEWAY: 'http', SMS_URL: 'http://127.0.0.1:9/x' }).smsUrl, 'http://127.0.0.1:9/x');
    });
  });

  it('issuer: https://localhost, https://127.0.0.1 and other names of this machine are refused', () => {
    for (const issuer of ['https://localhost', 'https://localhost:8443', 'https://127.0.0.1', 'https://127.0.0.2', 'https://[::1]', 'https://id.localhost']) {
      assert.match(refusal({ ...PROD_OK, ISSUER: issuer }, 'ISSUER'), /not this machine/, issuer);
    }
    refuses({ ...PROD_OK, ISSUER: 'http://id.example.gov.vn' }, 'ISSUER');
    assert.equal(loadConfig({ ...PROD_OK, ISSUER: 'https://id.example.gov.vn/' }).issuer, 'https://id.example.gov.vn');
  });

  it('DATABASE_URL is required (the embedded database is for one node)', () => {
    const { DATABASE_URL: _d, ...noDb } = PROD_OK;
    assert.match(refusal(noDb, 'DATABASE_URL'), /required in production/);
    refuses({ ...PROD_OK, DATABASE_URL: '' }, 'DATABASE_URL');
    assert.equal(loadConfig({}).databaseUrl, undefined, 'sandbox mode keeps the zero set-up');
  });

  describe('throttle limits and cooldowns within their documented bounds', () => {
    it('every limit below its minimum and above its maximum is refused, naming the bounds', () => {
      for (const [key, [min, max]] of Object.entries(PRODUCTION_LIMITS)) {
        assert.match(refusal({ ...PROD_OK, [key]: String(max + 1) }, key), new RegExp(`${min}\\.\\.${max}`), key);
        if (min > 0) refuses({ ...PROD_OK, [key]: String(min - 1) }, key);
        assert.equal(loadConfig({ ...PROD_OK, [key]: String(min) }).mode, 'production', `${key}=${min} is allowed`);
        assert.equal(loadConfig({ ...PROD_OK, [key]: String(max) }).mode, 'production', `${key}=${max} is allowed`);
      }
    });

    it('the issue\'s examples: 10,000,000 failures per IP, a resend cooldown of 0', () => {
      refuses({ ...PROD_OK, LOGIN_MAX_FAILURES_PER_IP: '10000000' }, 'LOGIN_MAX_FAILURES_PER_IP');
      refuses({ ...PROD_OK, SMS_MAX_PER_PHONE: '10000000' }, 'SMS_MAX_PER_PHONE');
      refuses({ ...PROD_OK, OTP_RESEND_COOLDOWN_SECONDS: '0' }, 'OTP_RESEND_COOLDOWN_SECONDS');
    });

    it('the defaults are inside the bounds; sandbox mode takes the test bootstrap\'s values', () => {
      const c = loadConfig(PROD_OK);
      assert.equal(c.otpResendCooldownSeconds, 60);
      const sandbox = loadConfig({ LOGIN_MAX_FAILURES_PER_IP: '100000', SMS_MAX_PER_IP: '100000', SMS_MAX_PER_PHONE: '100000', OTP_RESEND_COOLDOWN_SECONDS: '0' });
      assert.equal(sandbox.otpResendCooldownSeconds, 0);
      assert.equal(sandbox.loginMaxFailuresPerIp, 100000);
    });
  });
});
