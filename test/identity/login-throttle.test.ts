// Keys of the password-guessing limits: one per account whatever the spelling, one per subscriber address.
import assert from 'node:assert/strict';
import { ipKey } from '../../src/identity/login-throttle.ts';

describe('login throttle keys', () => {
  it('IPv4, also mapped into IPv6, is the address itself', () => {
    assert.equal(ipKey('203.0.113.7'), '203.0.113.7');
    assert.equal(ipKey('::ffff:203.0.113.7'), '203.0.113.7');
  });
  it('IPv6 counts per /64 (what one subscriber gets), however it is written', () => {
    const k = ipKey('2001:db8:1:2:aaaa::1');
    assert.equal(k, '2001:db8:1:2::/64');
    assert.equal(ipKey('2001:0db8:0001:0002:ffff:ffff:ffff:ffff'), k);
    assert.notEqual(ipKey('2001:db8:1:3::1'), k);
  });
  it('anything else is kept as it is', () => {
    assert.equal(ipKey('unknown'), 'unknown');
  });
});
