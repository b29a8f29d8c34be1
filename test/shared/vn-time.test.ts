import assert from 'node:assert/strict';
import { vnDate, vnMinute } from '../../src/shared/vn-time.ts';

describe('Vietnam time for people', () => {
  it('is UTC+7, day first, across midnight and year ends', () => {
    assert.equal(vnMinute(new Date('2026-11-22T19:23:00Z')), '23/11/2026 02:23 (GMT+7)');
    assert.equal(vnDate(new Date('2026-12-31T17:00:00Z')), '01/01/2027');
    assert.equal(vnDate(new Date('2026-12-31T16:59:59Z')), '31/12/2026');
  });
});
