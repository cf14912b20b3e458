// Import progress: a bar on a terminal, plain lines otherwise, or nothing; rate and ETA over this run only.
import { Presets, SingleBar } from 'cli-progress';

/** How import progress is shown: a bar on a terminal, plain lines otherwise, or nothing. */
export type ProgressMode = 'auto' | 'bar' | 'plain' | 'none';

/** Progress of a job measured in bytes of input, reported with a count of vectors. */
export interface Progress {
  /** `done` bytes of `total` are already done (e.g. by an earlier run), with `rows` vectors. */
  start(total: number, done: number, rows: number): void;
  update(done: number, rows: number): void;
  stop(): void;
}

const fmtBytes = (n: number): string =>
  n >= 1e9 ? `${(n / 1e9).toFixed(1)} GB` : n >= 1e6 ? `${(n / 1e6).toFixed(1)} MB` : n >= 1e3 ? `${(n / 1e3).toFixed(1)} kB` : `${n} B`;

const fmtSeconds = (s: number): string =>
  !Number.isFinite(s) ? '?' : s >= 3600 ? `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m` : s >= 60 ? `${Math.floor(s / 60)}m${String(Math.round(s % 60)).padStart(2, '0')}s` : `${Math.round(s)}s`;

/** Rate (vectors/s) and ETA measured over this run only, not over rows an earlier run did. */
class Meter {
  private t0 = Date.now();
  private rows0 = 0;
  private done0 = 0;
  reset(done: number, rows: number): void {
    this.t0 = Date.now();
    this.rows0 = rows;
    this.done0 = done;
  }
  rate(rows: number): number {
    const s = (Date.now() - this.t0) / 1000;
    return s > 0 ? (rows - this.rows0) / s : 0;
  }
  eta(done: number, total: number): number {
    const s = (Date.now() - this.t0) / 1000;
    const bps = s > 0 ? (done - this.done0) / s : 0;
    return bps > 0 ? (total - done) / bps : Infinity;
  }
}

/** A cli-progress bar with rate and ETA. */
function barProgress(stream: NodeJS.WritableStream, label: string): Progress {
  const meter = new Meter();
  let total = 0;
  const bar = new SingleBar(
    {
      stream,
      format: `${label} {bar} {percentage}% | {rows} vectors | {rate} vectors/s | ETA {eta_text}`,
      hideCursor: true,
      noTTYOutput: true,
      notTTYSchedule: 1000,
    },
    Presets.shades_classic,
  );
  const payload = (done: number, rows: number) => ({ rows, rate: Math.round(meter.rate(rows)), eta_text: fmtSeconds(meter.eta(done, total)) });
  return {
    start(t, done, rows) {
      total = t;
      meter.reset(done, rows);
      bar.start(Math.max(t, 1), done, payload(done, rows));
    },
    update(done, rows) {
      bar.update(done, payload(done, rows));
    },
    stop() {
      bar.stop();
    },
  };
}

/** One plain line at most every `intervalMs`, and a last one at the end: for logs and pipes. */
function plainProgress(stream: NodeJS.WritableStream, label: string, intervalMs = 1000): Progress {
  const meter = new Meter();
  let total = 0;
  let last = 0;
  let state = { done: 0, rows: 0 };
  const line = () => {
    const { done, rows } = state;
    const pct = total > 0 ? Math.floor((100 * done) / total) : 100;
    stream.write(`${label}: ${rows} vectors, ${pct}% of ${fmtBytes(total)}, ${Math.round(meter.rate(rows))} vectors/s, ETA ${fmtSeconds(meter.eta(done, total))}\n`);
  };
  return {
    start(t, done, rows) {
      total = t;
      state = { done, rows };
      meter.reset(done, rows);
      last = Date.now();
    },
    update(done, rows) {
      state = { done, rows };
      if (Date.now() - last >= intervalMs) {
        last = Date.now();
        line();
      }
    },
    stop() {
      line();
    },
  };
}

const silent: Progress = { start() {}, update() {}, stop() {} };

/** Picks the display: `auto` is a bar when `stream` is a terminal, plain lines otherwise. */
export function createProgress(mode: ProgressMode, stream: NodeJS.WritableStream & { isTTY?: boolean }, label: string): Progress {
  const m = mode === 'auto' ? (stream.isTTY ? 'bar' : 'plain') : mode;
  return m === 'bar' ? barProgress(stream, label) : m === 'plain' ? plainProgress(stream, label) : silent;
}
