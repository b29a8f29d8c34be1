// Progress of an import: a bar (rows, rate, time left) on a terminal, plain log lines otherwise.
import cliProgress from 'cli-progress';
import type { Progress } from './run.ts';

export function progressReporter(stream: NodeJS.WriteStream): { update(p: Progress): void; stop(): void } {
  const started = Date.now();
  if (stream.isTTY) {
    const bar = new cliProgress.SingleBar({
      stream, format: 'import [{bar}] {percentage}% | {rows} rows | {rate} rows/s | ETA {eta_formatted}', hideCursor: true,
    }, cliProgress.Presets.shades_classic);
    let begun = false;
    return {
      update(p) {
        const extra = { rows: p.linesRead, rate: Math.round(p.linesRead / Math.max(0.001, (Date.now() - started) / 1000)) };
        if (!begun) { bar.start(p.bytesTotal, p.bytesRead, extra); begun = true; } else bar.update(p.bytesRead, extra);
      },
      stop() { if (begun) bar.stop(); },
    };
  }
  let lastLog = 0;
  return {
    update(p) {
      // A line per committed batch at most every 2 s (the kill-and-resume test waits for the first).
      if (Date.now() - lastLog < 2000 && lastLog) return;
      lastLog = Date.now();
      const s = (Date.now() - started) / 1000;
      stream.write(`import: committed through line ${p.linesRead} (${Math.round((100 * p.bytesRead) / Math.max(1, p.bytesTotal))}%, ${Math.round(p.linesRead / Math.max(0.001, s))} rows/s)\n`);
    },
    stop() {},
  };
}
