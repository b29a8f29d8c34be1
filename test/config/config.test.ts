import assert from 'node:assert/strict';
import { loadConfig } from '../../src/config/index.ts';
import { PROD_OK, refuses } from './production-env.ts';

describe('configuration', () => {
  it('sandbox defaults need no set-up', () => {
    const c = loadConfig({});
    assert.equal(c.mode, 'sandbox');
    assert.equal(c.sandbox, true);
    assert.equal(c.databaseUrl, undefined);
    assert.equal(c.smsGateway, 'sandbox');
  });

  it('production with real settings starts, with sandbox helpers off', () => {
    const c = loadConfig(PROD_OK);
    assert.equal(c.sandbox, false);
    assert.equal(c.allowLoopbackFetch, false);
  });

  it('production refuses sandbox connectors, helpers, example secrets, captcha off and http issuers — naming the key', () => {
    refuses({ ...PROD_OK, SMS_GATEWAY: 'sandbox' }, 'SMS_GATEWAY');
    refuses({ ...PROD_OK, SANDBOX: 'on' }, 'SANDBOX');
    refuses({ ...PROD_OK, CARRIER_CONNECTOR: 'sandbox' }, 'CARRIER_CONNECTOR');
    refuses({ ...PROD_OK, BHXH_CONNECTOR: 'sandbox' }, 'BHXH_CONNECTOR');
    refuses({ ...PROD_OK, MSS_CONNECTOR: 'sandbox' }, 'MSS_CONNECTOR');
    const { VNPOST_ISSUER: _v, ...noVnpost } = PROD_OK;
    refuses(noVnpost, 'VNPOST_ISSUER');
    refuses({ VNPOST_ACR_MAP: '{"x":4}' }, 'VNPOST_ACR_MAP');
    refuses({ ...PROD_OK, CAPTCHA: 'off' }, 'CAPTCHA');
    refuses({ ...PROD_OK, ALLOW_LOOPBACK_FETCH: 'on' }, 'ALLOW_LOOPBACK_FETCH');
    const { COOKIE_KEYS: _c, ...noCookie } = PROD_OK;
    refuses(noCookie, 'COOKIE_KEYS');
    const { OTP_SECRET: _o, ...noOtp } = PROD_OK;
    refuses(noOtp, 'OTP_SECRET');
    const { KEY_ENCRYPTION_SECRET: _k, ...noKek } = PROD_OK;
    refuses(noKek, 'KEY_ENCRYPTION_SECRET');
    refuses({ ...PROD_OK, ISSUER: 'http://id.example.gov.vn' }, 'ISSUER');
  });

  it('invalid values stop start-up with the key named', () => {
    refuses({ PORT: 'eighty' }, 'PORT');
    refuses({ CAPTCHA: 'maybe' }, 'CAPTCHA');
    refuses({ METHODS: 'password_otp,telepathy' }, 'METHODS');
    refuses({ CEILING_PASSWORD_OTP: '4' }, 'CEILING_PASSWORD_OTP');
    refuses({ ISSUER: 'not a url' }, 'ISSUER');
    refuses({ SMS_GATEWAY: 'http' }, 'SMS_URL');
    refuses({ COOKIE_KEYS: 'short' }, 'COOKIE_KEYS');
  });
});
