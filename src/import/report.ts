// The report an operator keeps: one line per rejected row, and the count that proves nothing was lost.
import { writeFileSync } from 'node:fs';
import type { ImportResult } from './run.ts';

export function writeReport(file: string, r: ImportResult): void {
  const lines = ['line\treason', ...(r.rejections ?? []).map((x) => `${x.line}\t${x.reason}`)];
  writeFileSync(file, `${lines.join('\n')}\n`);
}

/** read = imported + already present + rejected, with each reason's count. */
export function summary(r: ImportResult, dryRun: boolean): string {
  const c = r.counts;
  const rejected = Object.values(c.rejected).reduce((a, b) => a + b, 0);
  const balanced = c.read === c.imported + c.already_present + rejected;
  const out = [
    `${dryRun ? 'dry run (nothing written): ' : ''}read ${c.read} = imported ${c.imported} + already present ${c.already_present} + rejected ${rejected}${balanced ? '' : '  (COUNTS DO NOT ADD UP)'}`,
    ...Object.entries(c.rejected).sort((a, b) => b[1] - a[1]).map(([reason, n]) => `  rejected ${reason}: ${n}`),
  ];
  if (r.resumedAfter) out.push(`resumed after line ${r.resumedAfter}`);
  return `${out.join('\n')}\n`;
}
