// What one ALTCHA attempt costs a bot, measured: a script solving challenges made at the configured
// cost (ALTCHA_COST, ALTCHA_MAX_NUMBER from the environment, else the defaults) with altcha-lib's own
// solver on one core, in Node (native PBKDF2, the fastest a script gets without a GPU farm).
//   npm run bench:altcha [-- <challenges>]
import { solveChallenge, verifySolution } from 'altcha-lib';
import { deriveKey } from 'altcha-lib/algorithms/pbkdf2';
import { loadConfig } from '../src/config/index.ts';
import { keySignatureSecret, newAltchaChallenge } from '../src/web/captcha.ts';

const cfg = loadConfig();
const n = Number(process.argv[2] ?? 20);
const opts = { hmacKey: cfg.altchaHmacKey, cost: cfg.altchaCost, maxNumber: cfg.altchaMaxNumber };
const solve: number[] = [];
const create: number[] = [];
const verify: number[] = [];
let tries = 0;
for (let i = 0; i < n; i++) {
  let t = performance.now();
  const challenge = await newAltchaChallenge(opts);
  create.push(performance.now() - t);
  t = performance.now();
  const solution = await solveChallenge({ challenge, deriveKey, timeout: 0 });
  solve.push(performance.now() - t);
  if (!solution) throw new Error('not solved');
  tries += solution.counter + 1;
  t = performance.now();
  const { verified } = await verifySolution({ challenge, solution, deriveKey, hmacSignatureSecret: opts.hmacKey, hmacKeySignatureSecret: keySignatureSecret(opts.hmacKey) });
  verify.push(performance.now() - t);
  if (!verified) throw new Error('not verified');
}
const sorted = (a: number[]) => [...a].sort((x, y) => x - y);
const pct = (a: number[], p: number) => sorted(a)[Math.min(a.length - 1, Math.floor((p / 100) * a.length))]!;
const mean = (a: number[]) => a.reduce((x, y) => x + y, 0) / a.length;
console.log(`ALTCHA PBKDF2/SHA-256, cost ${opts.cost} iterations per try, answer drawn in [${Math.ceil(opts.maxNumber / 2)}, ${opts.maxNumber}]; ${n} challenges, one core`);
console.log(`bot, per attempt: mean ${mean(solve).toFixed(0)} ms, median ${pct(solve, 50).toFixed(0)} ms, p90 ${pct(solve, 90).toFixed(0)} ms; ${Math.round(tries / n)} tries = ${((tries / n) * opts.cost / 1e6).toFixed(2)} M PBKDF2 iterations`);
console.log(`server, per attempt: create ${mean(create).toFixed(2)} ms, verify ${mean(verify).toFixed(2)} ms`);
console.log(`one core buys a bot about ${(3600_000 / mean(solve)).toFixed(0)} attempts per hour`);
