// Identifier parsing and normalisation (DESIGN.md §4), module by module.
import assert from 'node:assert/strict';
import {
  MOBILE_PREFIXES, PROVINCE_CODES, cccdInfo, formatDateVn, maskId, maskPhone, mstCheckDigit, namesMatch, normaliseName,
  parseBhxh, parseCccd, parseCmnd, parseDateVn, parseEmail, parseMst, parsePersonalId, parsePhone, type Parsed,
} from '../../src/identity/identifiers/index.ts';

/** 'ok' or the error code, so that a failing assertion says which rule fired. */
const outcome = (r: Parsed<unknown>): string => (r.ok ? 'ok' : r.error);

describe('identifiers', () => {
  describe('common input hygiene', () => {
    const parsers: Array<[string, (s: string) => Parsed<unknown>]> = [
      ['parseCccd', (s) => parseCccd(s)], ['parseCmnd', parseCmnd], ['parsePersonalId', (s) => parsePersonalId(s)],
      ['parseBhxh', parseBhxh], ['parseMst', parseMst], ['parsePhone', parsePhone], ['parseDateVn', (s) => parseDateVn(s)],
      ['parseEmail', parseEmail],
    ];
    it('empty or whitespace-only input is "required" for every parser', () => {
      for (const [name, parse] of parsers) {
        for (const blank of ['', ' ', '   ', '\u00a0', '\u3000']) assert.equal(outcome(parse(blank)), 'required', `${name}(${JSON.stringify(blank)})`);
      }
    });
    it('NUL and other control characters are "format" for every parser, even around a valid value', () => {
      const valid: Record<string, string> = {
        parseCccd: '020093001656', parseCmnd: '023456789', parsePersonalId: '020093001656', parseBhxh: '0123456789',
        parseMst: '0100109106', parsePhone: '0912345228', parseDateVn: '20/03/1995', parseEmail: 'an@example.vn',
      };
      for (const [name, parse] of parsers) {
        const v = valid[name]!;
        assert.equal(outcome(parse(v)), 'ok', name);
        for (const c of ['\u0000', '\t', '\n', '\r', '\u001b', '\u007f', '\u0085']) {
          assert.equal(outcome(parse(`${v}${c}`)), 'format', `${name} + U+${c.charCodeAt(0).toString(16)}`);
          assert.equal(outcome(parse(`${c}${v}`)), 'format', `U+${c.charCodeAt(0).toString(16)} + ${name}`);
        }
        assert.equal(outcome(parse('\u0000')), 'format', `${name}(NUL)`);
      }
    });
  });

  describe('CCCD', () => {
    it('accepts the DESIGN example and reads province, gender and birth year from it', () => {
      assert.deepEqual(parseCccd('020093001656'), { ok: true, value: '020093001656' });
      assert.deepEqual(cccdInfo('020093001656'), { province: '020', gender: 'male', birthYear: 1993 });
    });
    it('rejects the DESIGN counter-example (no province 097) and other unknown provinces', () => {
      assert.deepEqual(parseCccd('097093001656'), { ok: false, error: 'province' });
      for (const p of ['000', '003', '005', '013', '097', '099', '100', '999']) assert.equal(outcome(parseCccd(`${p}093001656`)), 'province', p);
    });
    it('accepts every one of the 63 province codes', () => {
      assert.equal(PROVINCE_CODES.size, 63);
      for (const p of PROVINCE_CODES) assert.equal(outcome(parseCccd(`${p}093001656`)), 'ok', p);
    });
    it('reads gender and century from G: 0/1 for 19xx, 2/3 for 20xx, even = male', () => {
      assert.deepEqual(cccdInfo('079085000123'), { province: '079', gender: 'male', birthYear: 1985 });
      assert.deepEqual(cccdInfo('079185000123'), { province: '079', gender: 'female', birthYear: 1985 });
      assert.deepEqual(cccdInfo('001203000001'), { province: '001', gender: 'male', birthYear: 2003 });
      assert.deepEqual(cccdInfo('001310000001'), { province: '001', gender: 'female', birthYear: 2010 });
      assert.deepEqual(cccdInfo('001200000001'), { province: '001', gender: 'male', birthYear: 2000 });
      assert.deepEqual(cccdInfo('001099000001'), { province: '001', gender: 'male', birthYear: 1999 });
      assert.deepEqual(cccdInfo('001100000001'), { province: '001', gender: 'female', birthYear: 1900 });
    });
    it('rejects G = 4..9 (births in 2100 and later: not issued yet)', () => {
      for (const g of ['4', '5', '6', '7', '8', '9']) assert.equal(outcome(parseCccd(`020${g}93001656`)), 'format', `G=${g}`);
      for (const g of ['0', '1', '2', '3']) assert.equal(outcome(parseCccd(`020${g}93001656`)), 'ok', `G=${g}`);
    });
    it('rejects wrong lengths and non-digits', () => {
      for (const bad of ['02009300165', '0200930016567', '02009300165a', 'O20093001656', '020093001656x', '+20093001656', '020-093-001-656', '０２００９３００１６５６']) {
        assert.equal(outcome(parseCccd(bad)), 'format', bad);
      }
    });
    it('accepts surrounding spaces and digit groups separated by spaces or dots', () => {
      for (const typed of ['  020093001656  ', ' 020 093 001 656 ', '020.093.001.656', '\u00a0020093001656']) {
        assert.deepEqual(parseCccd(typed), { ok: true, value: '020093001656' }, typed);
      }
    });
    it('must agree with the date of birth typed, across centuries', () => {
      assert.equal(outcome(parseCccd('020093001656', '1993-07-01')), 'ok');
      assert.equal(outcome(parseCccd('020193001656', '1993-12-31')), 'ok');
      assert.equal(outcome(parseCccd('020093001656', '1994-07-01')), 'birth_year_mismatch');
      assert.equal(outcome(parseCccd('020093001656', '2093-07-01')), 'birth_year_mismatch', 'G=0 is 19xx');
      // G = 2/3: born in the 2000s.
      assert.equal(outcome(parseCccd('020205001656', '2005-01-01')), 'ok');
      assert.equal(outcome(parseCccd('020305001656', '2005-01-01')), 'ok');
      assert.equal(outcome(parseCccd('020200001656', '2000-02-29')), 'ok');
      assert.equal(outcome(parseCccd('020205001656', '1905-01-01')), 'birth_year_mismatch', 'G=2 is 20xx');
      assert.equal(outcome(parseCccd('020293001656', '1993-07-01')), 'birth_year_mismatch');
      assert.equal(outcome(parseCccd('020099001656', '2000-01-01')), 'birth_year_mismatch', 'the 1999/2000 boundary');
      assert.equal(outcome(parseCccd('020299001656', '1999-12-31')), 'birth_year_mismatch');
    });
    it('checks the number before the birthdate, and refuses a birthdate that is not ISO', () => {
      assert.equal(outcome(parseCccd('097093001656', '1993-07-01')), 'province');
      assert.equal(outcome(parseCccd('020093001656', '01/07/1993')), 'date_invalid');
      assert.equal(outcome(parseCccd('020093001656', '')), 'ok', 'an empty birthdate is "not given"');
    });
    it('cccdInfo refuses anything but a normalised CCCD', () => {
      assert.throws(() => cccdInfo('020 093 001 656'), TypeError);
      assert.throws(() => cccdInfo('023456789'), TypeError);
    });
  });

  describe('CMND and the personal-ID dispatcher', () => {
    it('CMND is exactly 9 digits', () => {
      assert.deepEqual(parseCmnd(' 023456789 '), { ok: true, value: '023456789' });
      assert.deepEqual(parseCmnd('023 456 789'), { ok: true, value: '023456789' });
      for (const bad of ['02345678', '0234567890', '02345678a', 'abcdefghi']) assert.equal(outcome(parseCmnd(bad)), 'format', bad);
    });
    it('12 digits follow the CCCD rules, 9 the CMND rule, anything else is "format"', () => {
      assert.deepEqual(parsePersonalId('023456789'), { ok: true, value: { type: 'cmnd', value: '023456789' } });
      assert.deepEqual(parsePersonalId(' 020 093 001 656 '), { ok: true, value: { type: 'cccd', value: '020093001656' } });
      assert.deepEqual(parsePersonalId('020093001656', '1993-01-01'), { ok: true, value: { type: 'cccd', value: '020093001656' } });
      assert.deepEqual(parsePersonalId('020093001656', '1992-01-01'), { ok: false, error: 'birth_year_mismatch' });
      assert.deepEqual(parsePersonalId('023456789', '1992-01-01'), { ok: true, value: { type: 'cmnd', value: '023456789' } }, 'a CMND carries no birth year');
      assert.deepEqual(parsePersonalId('097093001656'), { ok: false, error: 'province' });
      assert.deepEqual(parsePersonalId('020493001656'), { ok: false, error: 'format' });
      for (const bad of ['0200930016', '02345678', '0200930016561', 'B12345678', '0100109106']) {
        assert.equal(outcome(parsePersonalId(bad)), 'format', bad);
      }
      assert.equal(outcome(parsePersonalId('')), 'required');
    });
  });

  describe('BHXH', () => {
    it('accepts the 10-digit code', () => {
      assert.deepEqual(parseBhxh('0123456789'), { ok: true, value: '0123456789' });
      assert.deepEqual(parseBhxh(' 01 2345 6789 '), { ok: true, value: '0123456789' });
    });
    it('takes the last 10 of the old 15-character health-insurance card, any case, with spaces', () => {
      assert.deepEqual(parseBhxh('DN4010123456789'), { ok: true, value: '0123456789' });
      assert.deepEqual(parseBhxh('dn4010123456789'), { ok: true, value: '0123456789' });
      assert.deepEqual(parseBhxh('Gd 4 79 7923456789'), { ok: true, value: '7923456789' });
      assert.deepEqual(parseBhxh('  HS 1 01 0199887766  '), { ok: true, value: '0199887766' });
      for (const level of ['1', '2', '3', '4', '5']) assert.equal(outcome(parseBhxh(`TE${level}010123456789`)), 'ok', level);
    });
    it('rejects malformed codes and cards', () => {
      for (const bad of ['012345678', '01234567890', 'DN6010123456789', 'DN0010123456789', 'D14010123456789', 'DN401012345678', 'DN40101234567890', 'DN4A10123456789', 'ĐN4010123456789']) {
        assert.equal(outcome(parseBhxh(bad)), 'format', bad);
      }
    });
  });

  describe('MST', () => {
    it('accepts the DESIGN examples', () => {
      for (const mst of ['0100109106', '0100233488', '0314409058']) assert.deepEqual(parseMst(mst), { ok: true, value: mst });
    });
    it('rejects every other check digit for those bases', () => {
      for (const good of ['0100109106', '0100233488', '0314409058']) {
        for (let c = 0; c <= 9; c++) {
          const candidate = `${good.slice(0, 9)}${c}`;
          if (candidate !== good) assert.equal(outcome(parseMst(candidate)), 'check_digit', candidate);
        }
      }
    });
    it('S mod 11 = 1 gives check digit 9 and S mod 11 = 10 gives 0: both valid', () => {
      // 0100109089: S = 320, S mod 11 = 1 → C = 9.  0100109000: S = 208, S mod 11 = 10 → C = 0.
      assert.equal(mstCheckDigit('010010908'), 9);
      assert.deepEqual(parseMst('0100109089'), { ok: true, value: '0100109089' });
      assert.equal(mstCheckDigit('010010900'), 0);
      assert.deepEqual(parseMst('0100109000'), { ok: true, value: '0100109000' });
    });
    it('S mod 11 = 0 would need a check digit of 10: no code on that base is valid', () => {
      // 010010904: S = 231 = 21 × 11.
      assert.equal(mstCheckDigit('010010904'), undefined);
      for (let c = 0; c <= 9; c++) assert.equal(outcome(parseMst(`010010904${c}`)), 'check_digit', String(c));
    });
    it('13-digit branch form: dashed or not, stored dashed; branch 000 and bad parents refused', () => {
      assert.deepEqual(parseMst('0100109106-001'), { ok: true, value: '0100109106-001' });
      assert.deepEqual(parseMst('0100109106001'), { ok: true, value: '0100109106-001' });
      assert.deepEqual(parseMst(' 0100109106 - 999 '), { ok: true, value: '0100109106-999' });
      assert.deepEqual(parseMst('0314409058-123'), { ok: true, value: '0314409058-123' });
      assert.equal(outcome(parseMst('0100109106-000')), 'format');
      assert.equal(outcome(parseMst('0100109106000')), 'format');
      assert.equal(outcome(parseMst('0100109107-001')), 'check_digit');
      assert.equal(outcome(parseMst('0100109107001')), 'check_digit');
    });
    it('rejects other shapes', () => {
      for (const bad of ['010010910', '01001091060', '0100109106-01', '0100109106-0001', '0100109106--001', '0100109106/001', 'MST0100109106', '01001091O6']) {
        assert.equal(outcome(parseMst(bad)), 'format', bad);
      }
    });
  });

  describe('phone', () => {
    it('normalises every usual spelling to E.164', () => {
      for (const typed of [
        '0912345228', '84912345228', '+84912345228', '0084912345228', '091 234 5228', '091.234.5228', '091-234-5228',
        '+84 91 234 52 28', '+84-91-234-5228', '(+84) 912 345 228', ' 0912345228 ', '+84 0912345228', '84 091 234 5228',
      ]) {
        assert.deepEqual(parsePhone(typed), { ok: true, value: '+84912345228' }, typed);
      }
    });
    it('accepts every prefix of every carrier group in DESIGN.md', () => {
      const expected = {
        Viettel: ['032', '033', '034', '035', '036', '037', '038', '039', '086', '096', '097', '098'],
        Vinaphone: ['081', '082', '083', '084', '085', '088', '091', '094'],
        MobiFone: ['070', '076', '077', '078', '079', '089', '090', '093'],
        Vietnamobile: ['052', '056', '058', '092'],
        Gmobile: ['059', '099'],
        Itelecom: ['087'],
        Reddi: ['055'],
      };
      assert.deepEqual(MOBILE_PREFIXES, expected);
      for (const [carrier, prefixes] of Object.entries(expected)) {
        for (const prefix of prefixes) {
          assert.deepEqual(parsePhone(`${prefix}1234567`), { ok: true, value: `+84${prefix.slice(1)}1234567` }, `${carrier} ${prefix}`);
          assert.equal(outcome(parsePhone(`+84${prefix.slice(1)}7654321`)), 'ok', `${carrier} +84 ${prefix}`);
        }
      }
    });
    it('agrees with the practical pattern of DESIGN.md over every 0xy prefix', () => {
      const practical = /^(?:\+?84|0)(3[2-9]|5[25689]|7[06-9]|8[1-9]|9[0-46-9])\d{7}$/;
      for (let p = 0; p < 100; p++) {
        const n = `0${String(p).padStart(2, '0')}1234567`;
        assert.equal(outcome(parsePhone(n)), practical.test(n) ? 'ok' : 'not_mobile', n);
      }
    });
    it('well-formed non-mobile numbers are "not_mobile": unassigned prefixes and landlines', () => {
      for (const n of ['0951234567', '0301234567', '0511234567', '0711234567', '0801234567', '0121234567', '0001234567', '+84951234567', '02412345678', '0283 822 1234', '+84 24 1234 5678']) {
        assert.equal(outcome(parsePhone(n)), 'not_mobile', n);
      }
    });
    it('garbage is "format"', () => {
      for (const n of ['phone', '091234522', '09123452281', '01212345678', '912345228', '+85912345228', '+8491234522a', '0912 345 22x', '++84912345228', '+84+912345228', '0912/345/228', '1900 1234']) {
        assert.equal(outcome(parsePhone(n)), 'format', n);
      }
    });
    it('masks in national form, first 3 and last 3 visible', () => {
      assert.equal(maskPhone('+84912345228'), '091****228');
      assert.equal(maskPhone('+84321234567'), '032****567');
      assert.equal(maskPhone('0912345228'), '091****228', 'tolerates a national number');
      assert.equal(maskPhone(''), '');
    });
  });

  it('maskId keeps the first 3 and last 3, stars between; short values are all stars', () => {
    assert.equal(maskId('001099012345'), '001******345');
    assert.equal(maskId('023456789'), '023***789');
    assert.equal(maskId('0100109106'), '010****106');
    assert.equal(maskId('0100109106-001'), '010********001');
    assert.equal(maskId('1234567'), '123*567');
    assert.equal(maskId('123456'), '******');
    assert.equal(maskId(''), '');
  });

  describe('dates', () => {
    const now = new Date('2026-11-22T05:00:00Z');
    it('dd/mm/yyyy and d/m/yyyy → ISO', () => {
      assert.deepEqual(parseDateVn('20/03/1995', now), { ok: true, value: '1995-03-20' });
      assert.deepEqual(parseDateVn('1/2/2000', now), { ok: true, value: '2000-02-01' });
      assert.deepEqual(parseDateVn(' 01/01/1900 ', now), { ok: true, value: '1900-01-01' });
      assert.deepEqual(parseDateVn('20-03-1995', now), { ok: true, value: '1995-03-20' });
      assert.deepEqual(parseDateVn('20.03.1995', now), { ok: true, value: '1995-03-20' });
    });
    it('only real calendar dates', () => {
      assert.equal(outcome(parseDateVn('29/02/2000', now)), 'ok', '2000 is a leap year');
      assert.equal(outcome(parseDateVn('29/02/2004', now)), 'ok');
      for (const bad of ['29/02/2001', '29/02/1900', '31/02/2000', '30/02/2000', '31/04/1990', '31/06/1990', '31/09/1990', '31/11/1990', '32/01/1990', '00/01/1990', '01/00/1990', '01/13/1990']) {
        assert.equal(outcome(parseDateVn(bad, now)), 'date_invalid', bad);
      }
    });
    it('years before 1900 are refused', () => {
      assert.equal(outcome(parseDateVn('31/12/1899', now)), 'date_invalid');
      assert.equal(outcome(parseDateVn('01/01/0001', now)), 'date_invalid');
    });
    it('future dates are refused; today is accepted, in Vietnam time', () => {
      assert.equal(outcome(parseDateVn('22/11/2026', now)), 'ok');
      assert.equal(outcome(parseDateVn('23/11/2026', now)), 'date_future');
      assert.equal(outcome(parseDateVn('01/01/2027', now)), 'date_future');
      // 18:00 UTC on the 22nd is already 01:00 on the 23rd in Hà Nội.
      assert.equal(outcome(parseDateVn('23/11/2026', new Date('2026-11-22T18:00:00Z'))), 'ok');
      assert.equal(outcome(parseDateVn('23/11/2026', new Date('2026-11-22T16:59:59Z'))), 'date_future');
      const today = new Date(Date.now() + 7 * 3600 * 1000);
      const typed = `${today.getUTCDate()}/${today.getUTCMonth() + 1}/${today.getUTCFullYear()}`;
      assert.equal(outcome(parseDateVn(typed)), 'ok', 'defaults to the current time');
    });
    it('other shapes are "format"', () => {
      for (const bad of ['1995-03-20', '20/03/95', '20/03', '20031995', '20/03-1995', '20 / 03 / 1995', 'ngày 20/03/1995', '020/03/1995', '20/03/19955']) {
        assert.equal(outcome(parseDateVn(bad, now)), 'format', bad);
      }
    });
    it('formatDateVn turns ISO back into dd/mm/yyyy', () => {
      assert.equal(formatDateVn('1995-03-20'), '20/03/1995');
      assert.equal(formatDateVn('2000-02-29'), '29/02/2000');
      assert.equal(formatDateVn('1995-03-20T00:00:00.000Z'), '20/03/1995');
      assert.equal(formatDateVn('not a date'), 'not a date');
      const r = parseDateVn('5/7/1988', now);
      assert.ok(r.ok);
      assert.equal(formatDateVn(r.value), '05/07/1988');
    });
  });

  describe('Vietnamese names', () => {
    const nfd = (s: string) => s.normalize('NFD');
    it('normaliseName: NFC, trimmed, single spaces; case and diacritics as typed', () => {
      assert.equal(normaliseName('  Trần   Thị\u00a0Bích \t Ngọc '), 'Trần Thị Bích Ngọc');
      assert.equal(normaliseName(nfd('Nguyễn Văn An')), 'Nguyễn Văn An');
      assert.notEqual(nfd('Nguyễn Văn An'), 'Nguyễn Văn An', 'the NFD form really is different code points');
      assert.equal(normaliseName('NGUYỄN văn AN'), 'NGUYỄN văn AN');
      assert.equal(normaliseName('Đặng\u200b Thị\u202e Lan'), 'Đặng Thị Lan', 'zero-width and bidi characters dropped');
      assert.equal(normaliseName('Lê\u0000Văn'), 'Lê Văn');
      assert.equal(normaliseName('   '), '');
    });
    it('match across case, spacing and Unicode composition', () => {
      assert.ok(namesMatch('Nguyễn Văn An', 'NGUYỄN  VĂN AN'));
      assert.ok(namesMatch('Nguyễn Văn An', nfd('Nguyễn Văn An')));
      assert.ok(namesMatch(nfd('NGUYỄN VĂN AN'), ' nguyễn văn an '));
      assert.ok(namesMatch('đặng thị thu hà', 'ĐẶNG THỊ THU HÀ'));
      assert.ok(namesMatch(nfd('Đặng Thị Thu Hà'), 'ĐẶNG   THỊ THU HÀ'));
      assert.ok(namesMatch('Trương Thị Ngọc Ánh', 'TRƯƠNG THỊ NGỌC ÁNH'));
      assert.ok(namesMatch('Phạm Quỳnh Hương', nfd('PHẠM QUỲNH HƯƠNG')));
      // Combining marks typed one by one in a non-canonical order (dot below after circumflex).
      assert.ok(namesMatch('Lệ', 'Le\u0302\u0323'));
    });
    it('never strip diacritics: different marks are different names', () => {
      assert.ok(!namesMatch('Nguyen Van An', 'Nguyễn Văn An'));
      assert.ok(!namesMatch('NGUYEN VAN AN', 'Nguyễn Văn An'));
      assert.ok(!namesMatch('Lê Văn Tám', 'Lệ Văn Tám'));
      assert.ok(!namesMatch('Lê', 'Le'));
      assert.ok(!namesMatch('Đặng Văn Lâm', 'Dặng Văn Lâm'));
      assert.ok(!namesMatch('Đặng', 'Dang'));
      assert.ok(!namesMatch('ĐẶNG', 'DẶNG'));
      assert.ok(!namesMatch('Thư', 'Thu'));
      assert.ok(!namesMatch('Hà', 'Hạ'));
      assert.ok(!namesMatch('Nguyễn Văn An', 'Nguyễn Văn Anh'));
      assert.ok(!namesMatch('Nguyễn Văn An', 'Nguyễn VănAn'));
    });
    it('old and new tone placement (Hòa/Hoà, Thúy/Thuý, Khỏe/Khoẻ) are the same name; the tone still counts', () => {
      assert.ok(namesMatch('Nguyễn Thị Thùy', 'NGUYỄN THỊ THUỲ'));
      assert.ok(namesMatch('Lê Văn Hòa', 'Lê Văn Hoà'));
      assert.ok(namesMatch('Trần Thị Thúy', nfd('Trần Thị Thuý')));
      assert.ok(namesMatch('Võ Thụy Khỏe', 'Võ Thuỵ Khoẻ'));
      assert.ok(namesMatch('Hoàng', 'HOÀNG'));
      assert.ok(!namesMatch('Hòa', 'Hoa'));
      assert.ok(!namesMatch('Hòa', 'Hóa'));
      assert.ok(!namesMatch('Thùy', 'Thúy'));
      assert.ok(!namesMatch('Của', 'Cuả'), '"ua" has one placement only: not rewritten');
      assert.ok(!namesMatch('Hoặc', 'Hoạc'), 'vowel marks (breve) stay significant');
    });
  });

  describe('email', () => {
    it('trims and lower-cases the domain only', () => {
      assert.deepEqual(parseEmail(' An.Nguyen@Example.VN '), { ok: true, value: 'An.Nguyen@example.vn' });
      assert.deepEqual(parseEmail('an+dvc@sub.mail.gov.vn'), { ok: true, value: 'an+dvc@sub.mail.gov.vn' });
      assert.deepEqual(parseEmail('o\'brien@xn--vd-sga.vn'), { ok: true, value: 'o\'brien@xn--vd-sga.vn' });
    });
    it('refuses malformed addresses', () => {
      for (const bad of [
        'no-at-sign', '@example.vn', 'an@', 'an@localhost', 'an@@example.vn', 'an@exa mple.vn', 'an nguyen@example.vn', '.an@example.vn',
        'an.@example.vn', 'a..n@example.vn', 'an@-example.vn', 'an@example-.vn', 'an@example..vn', 'an@example.vn.', 'an@1.2.3.4',
        'an@[127.0.0.1]', 'nguyễn@example.vn', 'an@ví-dụ.vn', '"an"@example.vn', 'an@example.vn<script>',
      ]) {
        assert.equal(outcome(parseEmail(bad)), 'format', bad);
      }
    });
    it('at most 254 characters in all, 64 in the local part', () => {
      assert.equal(outcome(parseEmail(`${'a'.repeat(64)}@${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(58)}.vn`)), 'ok', 'exactly 254');
      assert.equal(outcome(parseEmail(`${'a'.repeat(64)}@${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(59)}.vn`)), 'format', '255');
      assert.equal(outcome(parseEmail(`${'a'.repeat(65)}@example.vn`)), 'format');
      assert.equal(outcome(parseEmail(`${'a'.repeat(64)}@example.vn`)), 'ok');
    });
  });
});
