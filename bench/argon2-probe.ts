// argon2id verifies per second with DVC ID's own parameters (src/identity/passwords.ts), on the core
// bench/run.ts pins this process to: the physical limit of a password login on that core.
import { hashPassword, verifyPassword } from '../src/identity/passwords.ts';

const seconds = Number(process.argv[2] ?? 3);
const inFlight = Number(process.argv[3] ?? 1);
const stored = await hashPassword('Probe@2026-argon2');
await verifyPassword(stored, 'Probe@2026-argon2'); // warm-up
let done = 0;
// CPU as well as wall time: on a core that something else shares, verifies/s falls but CPU per verify does not.
const cpu0 = process.cpuUsage();
const deadline = performance.now() + seconds * 1000;
const start = performance.now();
await Promise.all(Array.from({ length: inFlight }, async () => {
  while (performance.now() < deadline) {
    if (!(await verifyPassword(stored, 'Probe@2026-argon2'))) throw new Error('argon2 verify failed');
    done++;
  }
}));
const cpu = process.cpuUsage(cpu0);
process.stdout.write(`${JSON.stringify({ perSecond: done / ((performance.now() - start) / 1000), cpuMs: (cpu.user + cpu.system) / 1000 / done })}\n`);
