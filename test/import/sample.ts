// The mixed import file of the tests: valid rows of both subject types with every legacy hash type,
// rows with each kind of error, duplicates inside the file and against an existing (sandbox) account.
import { createHash, pbkdf2Sync, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { hash as argon2Hash } from '@node-rs/argon2';
import bcrypt from 'bcryptjs';
import { startServer, type TestServer } from '../support/server.ts';

/** A suite's server and a folder for its import files, made before its tests and removed after. */
export function importSuite(prefix: string, use: (s: TestServer, dir: string) => void): void {
  let s: TestServer | undefined;
  let dir: string | undefined;
  before(async () => {
    s = await startServer();
    dir = mkdtempSync(path.join(tmpdir(), prefix));
    use(s, dir);
  });
  after(async () => {
    await s?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
}

export const OLD_PASSWORD = 'Cu-mat-khau-2019!';

export async function legacyHashes(pw = OLD_PASSWORD): Promise<Record<string, string>> {
  const salt = randomBytes(16);
  const sha = randomBytes(8);
  return {
    bcrypt2b: bcrypt.hashSync(pw, 4),
    bcrypt2y: bcrypt.hashSync(pw, 4).replace(/^\$2b\$/, '$2y$'),
    pbkdf2Phc: `$pbkdf2-sha256$i=1000,l=32$${salt.toString('base64').replace(/=+$/, '')}$${pbkdf2Sync(pw, salt, 1000, 32, 'sha256').toString('base64').replace(/=+$/, '')}`,
    pbkdf2Django: `pbkdf2_sha256$1200$s4ltTEXT$${pbkdf2Sync(pw, 's4ltTEXT', 1200, 32, 'sha256').toString('base64')}`,
    argon2i: await argon2Hash(pw, { algorithm: 1, memoryCost: 4096, timeCost: 2, parallelism: 1 }),
    sha256: `$sha256-salted$${sha.toString('hex')}$${createHash('sha256').update(sha).update(pw).digest('hex')}`,
  };
}

const citizen = (cccd: string, birthdate: string, phone: string, extra: Record<string, unknown> = {}) => ({
  subject_type: 'citizen', level: 2, proof: 'mobile_subscriber', full_name: 'Trần Thị Bình', birthdate, cccd, phone, created_at: '2019-03-04T08:00:00Z', ...extra,
});

/** The rows (as lines) and what the report must say about each rejected one. */
export async function mixedFile(file: string): Promise<{ lines: string[]; expected: { imported: number; already: number; report: string[] }; hashes: Record<string, string>; logins: Record<string, { username: string; phone: string }> }> {
  const h = await legacyHashes();
  const rows: (Record<string, unknown> | string)[] = [
    citizen('001085000101', '15/03/1985', '0912345101', { password_hash: h.bcrypt2b }), // 1
    citizen('001085000102', '1985-03-15', '+84 91 234 5102', { password_hash: h.bcrypt2y, email: 'binh@example.vn' }), // 2
    citizen('001185000103', '20/10/1985', '84912345103', { password_hash: h.pbkdf2Phc, full_name: 'Nguyễn Văn Cường'.normalize('NFD') }), // 3
    citizen('001085000104', '15/03/1985', '0912345104', { password_hash: h.pbkdf2Django, cmnd: '012345678', bhxh: 'HC4010123456789' }), // 4
    citizen('001085000105', '15/03/1985', '0912345105', { password_hash: h.argon2i, level: 3, proof: 'usb' }), // 5
    citizen('001085000106', '15/03/1985', '0912345106', { password_hash: h.sha256 }), // 6
    { subject_type: 'enterprise', level: 3, proof: 'usb', organisation_name: 'Công ty TNHH Nhập Khẩu', mst: '0100233488', phone: '0903123107', email: 'ketoan@example.vn', created_at: '2020-01-02', password_hash: h.bcrypt2b }, // 7
    citizen('097085000108', '15/03/1985', '0912345108'), // 8 no province 097
    citizen('001090000109', '15/03/1985', '0912345109'), // 9 birth year 1990 ≠ 1985
    { subject_type: 'enterprise', level: 2, proof: 'mobile_subscriber', organisation_name: 'Công ty Sai', mst: '0100109107', phone: '0903123110', created_at: '2020-01-02' }, // 10 check digit
    citizen('001085000111', '15/03/1985', '0123456111'), // 11 not a mobile number
    '{"subject_type": "citizen", ', // 12 broken JSON
    citizen('001085000113', '15/03/1985', '0912345113', { password_hash: '$md5$abcdef' }), // 13 unknown hash
    citizen('001085000114', '15/03/1985', '0912345114', { level: 3 }), // 14 level 3 from a phone check
    citizen('001085000101', '15/03/1985', '0912345115'), // 15 same CCCD as line 1
    citizen('001099012345', '12/05/1999', '0912345228'), // 16 the sandbox citizen: already present
    '', // 17 empty
    citizen('001085000118', '15/03/1985', '0912345118', { status: 'deleted' }), // 18
    citizen('001085000119', '15/03/1985', '0912345119', { created_at: '2999-01-01' }), // 19
    citizen('001085000120', '15/03/1985', '0912345120', { cmnd: '012345678' }), // 20 CMND of line 4
  ];
  const lines = rows.map((r) => (typeof r === 'string' ? r : JSON.stringify(r)));
  writeFileSync(file, `${lines.join('\n')}\n`);
  return {
    lines, hashes: h,
    expected: {
      imported: 7, already: 1,
      report: [
        '8\tcccd:province', '9\tcccd:birth_year_mismatch', '10\tmst:check_digit', '11\tphone:not_mobile', '12\tjson',
        '13\tpassword_hash:format', '14\tlevel:proof_too_weak', '15\tduplicate_in_file:line_1', '17\tempty_line',
        '18\tstatus:format', '19\tcreated_at:format', '20\tduplicate_in_file:line_4',
      ],
    },
    logins: {
      bcrypt2b: { username: '001085000101', phone: '+84912345101' }, bcrypt2y: { username: '001085000102', phone: '+84912345102' },
      pbkdf2Phc: { username: '001185000103', phone: '+84912345103' }, pbkdf2Django: { username: '001085000104', phone: '+84912345104' },
      argon2i: { username: '001085000105', phone: '+84912345105' }, sha256: { username: '001085000106', phone: '+84912345106' },
    },
  };
}

/** n valid citizen rows (CCCDs from `start` on), all carrying one bcrypt hash. */
export function bulkLines(n: number, start: number): string[] {
  const hash = '$2b$04$LQv3c1yqBWVHxkd0LHAkCOYz6TtxMQJqhN8/LewY5GyYIu5E3P5s6';
  return Array.from({ length: n }, (_, i) => JSON.stringify({
    subject_type: 'citizen', level: 2, proof: 'bhxh', full_name: `Lê Văn ${i}`, birthdate: '01/01/1990',
    cccd: `001090${String(start + i).padStart(6, '0')}`, phone: `091${String(1000000 + i).slice(-7)}`, created_at: '2018-06-01', password_hash: hash,
  }));
}
