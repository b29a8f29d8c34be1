// The email connector's keys: sandbox by default on a laptop, SMTP (and its URL) required in production.
import assert from 'node:assert/strict';
import { loadConfig } from '../../src/config/index.ts';
import { PROD_OK, refuses } from './production-env.ts';

describe('configuration: email', () => {
  it('sandbox mode keeps mail in the sandbox outbox, with the default sender', () => {
    const c = loadConfig({});
    assert.equal(c.emailGateway, 'sandbox');
    assert.equal(c.smtpUrl, undefined);
    assert.equal(c.emailFrom, 'DVC ID <no-reply@dichvucong.gov.vn>');
    assert.equal(c.emailTimeoutMs, 10_000);
  });

  it('production mode sends by SMTP', () => {
    const c = loadConfig({ ...PROD_OK, EMAIL_FROM: 'no-reply@id.example.gov.vn', EMAIL_TIMEOUT_MS: '3000' });
    assert.equal(c.emailGateway, 'smtp');
    assert.equal(c.smtpUrl, PROD_OK.SMTP_URL);
    assert.equal(c.emailFrom, 'no-reply@id.example.gov.vn');
    assert.equal(c.emailTimeoutMs, 3000);
  });

  it('production mode refuses the sandbox gateway, naming EMAIL_GATEWAY', () => {
    refuses({ ...PROD_OK, EMAIL_GATEWAY: 'sandbox' }, 'EMAIL_GATEWAY');
  });

  it('SMTP without SMTP_URL names SMTP_URL, in either mode', () => {
    refuses({ EMAIL_GATEWAY: 'smtp' }, 'SMTP_URL');
    const { SMTP_URL: _s, ...noSmtp } = PROD_OK;
    refuses(noSmtp, 'SMTP_URL');
  });

  it('invalid values stop start-up with the key named', () => {
    refuses({ EMAIL_GATEWAY: 'ses' }, 'EMAIL_GATEWAY');
    refuses({ EMAIL_GATEWAY: 'smtp', SMTP_URL: 'https://smtp.example' }, 'SMTP_URL');
    refuses({ EMAIL_GATEWAY: 'smtp', SMTP_URL: 'smtp.example:587' }, 'SMTP_URL');
    refuses({ EMAIL_FROM: 'DVC ID' }, 'EMAIL_FROM');
    refuses({ EMAIL_FROM: 'DVC ID <no-reply>' }, 'EMAIL_FROM');
    refuses({ EMAIL_TIMEOUT_MS: '0' }, 'EMAIL_TIMEOUT_MS');
  });
});
