// The device cookie (OWASP): only a value we signed, for that account, within its lifetime, is a device.
import assert from 'node:assert/strict';
import { deviceCookies } from '../../src/web/device-cookie.ts';

const A = '11111111-1111-4111-8111-111111111111';
const B = '22222222-2222-4222-8222-222222222222';
const opts = { keys: ['first-key-0123456789abcdef0123456789'], pseudonymSecret: 'pseudonym-secret', maxAgeDays: 30 };

describe('device cookie', () => {
  const d = deviceCookies(opts);

  it('a minted cookie is the device it names, with a fresh nonce each time', () => {
    const one = d.check(A, d.mint(A));
    const two = d.check(A, d.mint(A));
    assert.ok(one && two);
    assert.notEqual(one.nonce, two.nonce);
  });

  it("refuses another account's cookie, a changed signature, nonce or date, and junk", () => {
    const v = d.mint(A);
    assert.equal(d.check(B, v), undefined, 'bound to the account');
    const [nonce, issued, sig] = v.split('.') as [string, string, string];
    const flip = (s: string) => (s[0] === 'A' ? 'B' : 'A') + s.slice(1);
    assert.equal(d.check(A, `${nonce}.${issued}.${flip(sig)}`), undefined);
    assert.equal(d.check(A, `${flip(nonce)}.${issued}.${sig}`), undefined);
    assert.equal(d.check(A, `${nonce}.${Number(issued) + 1}.${sig}`), undefined);
    for (const junk of ['', 'x', `${v}.x`, `${nonce}..${sig}`, undefined]) assert.equal(d.check(A, junk), undefined);
  });

  it('expires after maxAgeDays; a cookie from the future is refused', () => {
    const now = Date.now();
    const v = d.mint(A, now);
    assert.ok(d.check(A, v, now + 29 * 86_400_000));
    assert.equal(d.check(A, v, now + 31 * 86_400_000), undefined);
    assert.equal(d.check(A, d.mint(A, now + 3_600_000), now), undefined);
  });

  it('key rotation: cookies signed with an older key still verify; unknown keys do not', () => {
    const old = d.mint(A);
    const rotated = deviceCookies({ ...opts, keys: ['second-key-0123456789abcdef012345678', ...opts.keys] });
    assert.ok(rotated.check(A, old));
    assert.equal(deviceCookies({ ...opts, keys: ['other-key-0123456789abcdef0123456789'] }).check(A, old), undefined);
  });

  it('names the account by a pseudonym, never its id', () => {
    assert.match(d.name(A), /^dvc\.dev\.[A-Za-z0-9_-]{16}$/);
    assert.ok(!d.name(A).includes(A.slice(0, 8)));
    assert.notEqual(d.name(A), d.name(B));
  });
});
