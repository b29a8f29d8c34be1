import assert from 'node:assert/strict';
import { describeDevice } from '../../src/shared/device.ts';

describe('device names for people', () => {
  it('names the browser, system and kind of device, in either language', () => {
    const android = 'Mozilla/5.0 (Linux; Android 14; SM-A546E) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Mobile Safari/537.36';
    assert.equal(describeDevice(android, 'vi'), 'Chrome 120 trên Android 14 (điện thoại)');
    assert.equal(describeDevice(android, 'en'), 'Chrome 120 on Android 14 (phone)');
    const windows = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0';
    assert.match(describeDevice(windows, 'vi'), /^Microsoft Edge 131 trên Windows .*\(máy tính\)$/);
  });

  it('shows an unknown agent as it came, and a missing one as an unknown device', () => {
    assert.equal(describeDevice('Phone browser', 'vi'), 'Phone browser');
    assert.equal(describeDevice(null, 'en'), 'Unknown device');
    assert.equal(describeDevice('', 'vi'), 'Thiết bị không rõ');
  });
});
