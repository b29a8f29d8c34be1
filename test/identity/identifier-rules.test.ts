// Identifier validators (DESIGN.md §4).
import assert from 'node:assert/strict';
import {
  parseCccd, cccdInfo, parseCmnd, parsePersonalId, parseBhxh, parseMst, parsePhone, maskPhone, maskId,
  parseDateVn, formatDateVn, namesMatch, normaliseName, parseEmail,
} from '../../src/identity/identifiers/index.ts';

const err = (r: { ok: boolean; error?: string }) => (r.ok ? 'ok' : r.error);

describe('identifiers', () => {
  describe('CCCD', () => {
    it('accepts the design example and reads province, gender and birth year', () => {
      assert.deepEqual(parseCccd('020093001656'), { ok: true, value: '020093001656' });
      assert.deepEqual(cccdInfo('020093001656'), { province: '020', gender: 'male', birthYear: 1993 });
      assert.deepEqual(cccdInfo('079185000123'), { province: '079', gender: 'female', birthYear: 1985 });
      assert.deepEqual(cccdInfo('001203000001'), { province: '001', gender: 'male', birthYear: 2003 });
      assert.deepEqual(cccdInfo('001310000001'), { province: '001', gender: 'female', birthYear: 2010 });
    });
    it('rejects unknown provinces, wrong length, letters, centuries not issued yet', () => {
      assert.equal(err(parseCccd('097093001656')), 'province');
      assert.equal(err(parseCccd('003093001656')), 'province');
      assert.equal(err(parseCccd('02009300165')), 'format');
      assert.equal(err(parseCccd('02009300165a')), 'format');
      assert.equal(err(parseCccd('020493001656')), 'format');
      assert.equal(err(parseCccd('   ')), 'required');
      assert.equal(err(parseCccd('020093\u0000001656')), 'format');
    });
    it('must agree with the date of birth, across centuries', () => {
      assert.equal(err(parseCccd('020093001656', '1993-07-01')), 'ok');
      assert.equal(err(parseCccd('020093001656', '1994-07-01')), 'birth_year_mismatch');
      assert.equal(err(parseCccd('020293001656', '1993-07-01')), 'birth_year_mismatch');
      assert.equal(err(parseCccd('020205001656', '2005-01-01')), 'ok');
      assert.equal(err(parseCccd('020305001656', '2005-01-01')), 'ok');
    });
    it('tolerates spaces and dots typed by people', () => {
      assert.deepEqual(parseCccd(' 020 093 001 656 '), { ok: true, value: '020093001656' });
    });
  });

  it('CMND and the personal-ID dispatcher', () => {
    assert.equal(err(parseCmnd('023456789')), 'ok');
    assert.equal(err(parseCmnd('02345678')), 'format');
    assert.deepEqual(parsePersonalId('023456789'), { ok: true, value: { type: 'cmnd', value: '023456789' } });
    assert.deepEqual(parsePersonalId('020093001656'), { ok: true, value: { type: 'cccd', value: '020093001656' } });
    assert.equal(err(parsePersonalId('0200930016')), 'format');
  });

  it('BHXH: 10 digits, or the 15-character card whose last 10 are the code', () => {
    assert.deepEqual(parseBhxh('0123456789'), { ok: true, value: '0123456789' });
    assert.deepEqual(parseBhxh('dn4010123456789'), { ok: true, value: '0123456789' });
    assert.deepEqual(parseBhxh('DN 401 0123456789'), { ok: true, value: '0123456789' });
    assert.equal(err(parseBhxh('DN6010123456789')), 'format', 'benefit level is 1–5');
    assert.equal(err(parseBhxh('012345678')), 'format');
  });

  it('MST: check digit, 13-digit branch form, invalid remainders', () => {
    for (const ok of ['0100109106', '0100233488', '0314409058']) assert.equal(err(parseMst(ok)), 'ok', ok);
    assert.equal(err(parseMst('0100109107')), 'check_digit');
    assert.deepEqual(parseMst('0100109106-001'), { ok: true, value: '0100109106-001' });
    assert.deepEqual(parseMst('0100109106001'), { ok: true, value: '0100109106-001' });
    assert.equal(err(parseMst('0100109106-000')), 'format');
    assert.equal(err(parseMst('010010910')), 'format');
  });

  describe('phone', () => {
    it('normalises every usual spelling to E.164', () => {
      for (const p of ['0912345228', '84912345228', '+84912345228', '091 234 5228', '091.234.5228', '+84 91-234-5228']) {
        assert.deepEqual(parsePhone(p), { ok: true, value: '+84912345228' }, p);
      }
    });
    it('accepts each carrier prefix group and refuses landlines and unknown prefixes', () => {
      for (const prefix of ['032', '039', '086', '096', '098', '081', '085', '088', '091', '094', '070', '076', '079', '089', '090', '093', '052', '056', '058', '092', '059', '099', '087', '055']) {
        assert.equal(err(parsePhone(`${prefix}1234567`)), 'ok', prefix);
      }
      assert.equal(err(parsePhone('0241234567')), 'not_mobile');
      assert.equal(err(parsePhone('0951234567')), 'not_mobile');
      assert.equal(err(parsePhone('091234522')), 'format');
      assert.equal(err(parsePhone('phone')), 'format');
    });
    it('masks as the seed shows it', () => {
      assert.equal(maskPhone('+84912345228'), '091****228');
      assert.equal(maskId('001099012345'), '001******345');
    });
  });

  it('dates typed as dd/mm/yyyy', () => {
    const now = new Date('2026-11-22T00:00:00Z');
    assert.deepEqual(parseDateVn('20/03/1995', now), { ok: true, value: '1995-03-20' });
    assert.deepEqual(parseDateVn('1/2/2000', now), { ok: true, value: '2000-02-01' });
    assert.equal(err(parseDateVn('29/02/2000', now)), 'ok');
    assert.equal(err(parseDateVn('29/02/2001', now)), 'date_invalid');
    assert.equal(err(parseDateVn('31/04/1990', now)), 'date_invalid');
    assert.equal(err(parseDateVn('01/01/1899', now)), 'date_invalid');
    assert.equal(err(parseDateVn('01/01/2027', now)), 'date_future');
    assert.equal(err(parseDateVn('1995-03-20', now)), 'format');
    assert.equal(formatDateVn('1995-03-20'), '20/03/1995');
  });

  describe('Vietnamese names', () => {
    it('match across case, spacing and Unicode composition', () => {
      assert.ok(namesMatch('Nguyễn Văn An', 'NGUYỄN  VĂN AN'));
      assert.ok(namesMatch('Nguyễn Văn An', 'Nguyễn Văn An'.normalize('NFD')));
      assert.ok(namesMatch('đặng thị thu hà', 'ĐẶNG THỊ THU HÀ'));
      assert.equal(normaliseName('  Trần   Thị\u00a0Bích   Ngọc '), 'Trần Thị Bích Ngọc');
    });
    it('never strip diacritics: different marks are different names', () => {
      assert.ok(!namesMatch('Nguyen Van An', 'Nguyễn Văn An'));
      assert.ok(!namesMatch('Lê Văn Tám', 'Lệ Văn Tám'));
      assert.ok(!namesMatch('Đặng Văn Lâm', 'Dặng Văn Lâm'));
    });
  });

  it('email', () => {
    assert.deepEqual(parseEmail(' An.Nguyen@Example.VN '), { ok: true, value: 'An.Nguyen@example.vn' });
    assert.equal(err(parseEmail('no-at-sign')), 'format');
    assert.equal(err(parseEmail(`${'a'.repeat(250)}@x.vn`)), 'format');
  });
});
