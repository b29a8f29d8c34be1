// The portal names how a session signed in from its amr: every method gets its own words, and a
// password login is never called "social insurance" (registration methods share its amr).
import assert from 'node:assert/strict';
import { loadConfig } from '../../src/config/index.ts';
import { MethodRegistry } from '../../src/interaction/registry.ts';
import { methodNameOf, methodNamesByAmr } from '../../src/portal/activity.ts';

describe('portal: method names from amr', () => {
  const methods = new MethodRegistry(loadConfig({})).methods;
  const names = methodNamesByAmr(methods);

  it('each login method is named by its own label; registrations do not take over the password login', () => {
    for (const m of methods.filter((x) => x.purposes.includes('login'))) {
      assert.equal(methodNameOf(names, m.amr, 'vi'), m.label.vi, m.id);
      assert.equal(methodNameOf(names, m.amr, 'en'), m.label.en, m.id);
    }
    const pwd = methods.find((m) => m.id === 'password_otp')!;
    assert.doesNotMatch(methodNameOf(names, pwd.amr, 'vi'), /Bảo hiểm xã hội/);
  });

  it('the authenticator-app login and unknown values are words, never raw amr codes', () => {
    assert.equal(methodNameOf(names, ['pwd', 'otp', 'mfa'], 'vi'), 'Mật khẩu và ứng dụng xác thực');
    assert.doesNotMatch(methodNameOf(names, ['kba'], 'en'), /kba/);
    assert.equal(methodNameOf(names, undefined, 'vi'), '—');
  });
});
