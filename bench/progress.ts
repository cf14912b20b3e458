// Progress bars and log lines on stderr for long benchmark steps.
import { Presets, SingleBar } from 'cli-progress';

/** A progress display: a cli-progress bar on a terminal, a log line every 10 % otherwise. */
export interface Progress {
  update(done: number): void;
  stop(): void;
}

/** Writes a line to stderr (the table and results go to stdout). */
export function log(msg: string): void {
  process.stderr.write(`[bench] ${msg}\n`);
}

export function progress(label: string, total: number): Progress {
  if (process.stderr.isTTY) {
    const bar = new SingleBar({ format: `${label.padEnd(28)} {bar} {value}/{total} {percentage}% eta {eta_formatted}`, stream: process.stderr, hideCursor: true }, Presets.shades_classic);
    bar.start(total, 0);
    return { update: (d) => bar.update(d), stop: () => bar.stop() };
  }
  let shown = 0;
  const t0 = Date.now();
  return {
    update(done) {
      const tenth = Math.floor((done / Math.max(1, total)) * 10);
      if (tenth > shown) {
        shown = tenth;
        log(`${label}: ${done}/${total} (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
      }
    },
    stop() {},
  };
}
