// Progress of a job counted in vectors (export, batch delete): a cli-progress bar on a terminal, plain lines otherwise, or nothing.
import { Presets, SingleBar } from 'cli-progress';
import type { Progress, ProgressMode } from './progress';

/**
 * A progress display of `total` vectors (0 when unknown: no percentage). `start(total, done)` and
 * `update(done)` take counts of vectors; the third argument of {@link Progress} is ignored.
 * @param mode `auto`: a bar when `stream` is a terminal, a plain line at most every `intervalMs` otherwise
 */
export function createCountProgress(mode: ProgressMode, stream: NodeJS.WritableStream & { isTTY?: boolean }, label: string, intervalMs = 1000): Progress {
  const m = mode === 'auto' ? (stream.isTTY ? 'bar' : 'plain') : mode;
  if (m === 'none') return { start() {}, update() {}, stop() {} };
  let t0 = Date.now();
  const rate = (done: number) => Math.round(done / Math.max(0.001, (Date.now() - t0) / 1000));
  if (m === 'bar') {
    const bar = new SingleBar(
      { stream, format: `${label} {bar} {percentage}% | {value}/{total} vectors | {rate} vectors/s | ETA {eta_formatted}`, hideCursor: true, noTTYOutput: true, notTTYSchedule: intervalMs },
      Presets.shades_classic,
    );
    return {
      start(total, done) {
        t0 = Date.now();
        bar.start(Math.max(total, 1), done, { rate: 0 });
      },
      update(done) {
        bar.update(done, { rate: rate(done) });
      },
      stop() {
        bar.stop();
      },
    };
  }
  let total = 0;
  let done = 0;
  let last = 0;
  const line = () => stream.write(`${label}: ${done}${total > 0 ? ` of ${total} vectors (${Math.floor((100 * done) / total)}%)` : ' vectors'}, ${rate(done)} vectors/s\n`);
  return {
    start(t, d) {
      total = t;
      done = d;
      t0 = last = Date.now();
    },
    update(d) {
      done = d;
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
