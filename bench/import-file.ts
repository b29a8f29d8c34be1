// Writes an import file of N valid accounts for measuring `accounts import` (README "Bulk import"):
//   npx tsx bench/import-file.ts 1000000 /tmp/accounts.jsonl
// Rows carry ready-made hashes (one per legacy type, rotating): the import never hashes a password.
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import bcrypt from 'bcryptjs';
import { hash as argon2Hash } from '@node-rs/argon2';
import { PROVINCE_CODES } from '../src/identity/identifiers/index.ts';

const n = Number(process.argv[2] ?? 1_000_000);
const out = createWriteStream(process.argv[3] ?? 'accounts.jsonl');
const provinces = [...PROVINCE_CODES];
const hashes = [bcrypt.hashSync('Bench-Password-1!', 10), await argon2Hash('Bench-Password-1!', { algorithm: 1 }),
  '$pbkdf2-sha256$i=310000,l=32$c2FsdHNhbHRzYWx0$Y2h1YWR1b2NrZXRxdWFjaHVhZHVvY2tldHF1YTAxMjM'];
for (let i = 0; i < n; i++) {
  // CCCD: province, gender/century 0 (male, 19xx), year 80..99, a serial unique per (province, year).
  const year = 80 + (i % 20);
  const serial = Math.floor(i / 20) % 1_000_000;
  const province = provinces[Math.floor(i / 20 / 1_000_000) % provinces.length]!;
  const line = JSON.stringify({
    subject_type: 'citizen', level: 2, proof: i % 2 ? 'bhxh' : 'mobile_subscriber', full_name: `Nguyễn Văn Thử ${i}`,
    birthdate: `01/06/19${year}`, cccd: `${province}0${year}${String(serial).padStart(6, '0')}`,
    phone: `091${String(i % 10_000_000).padStart(7, '0')}`, email: i % 3 ? undefined : `nguoi${i}@example.vn`,
    status: 'active', created_at: '2020-05-01T00:00:00Z', password_hash: hashes[i % hashes.length],
  });
  if (!out.write(`${line}\n`)) await once(out, 'drain');
}
out.end();
await once(out, 'finish');
