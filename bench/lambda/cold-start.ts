// Runs a handler bundle in a fresh `node` process and reads back its start-up, module init, first and warm request times.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { APIGatewayProxyEvent } from 'aws-lambda';

/**
 * The script a fresh `node` process runs (plain JavaScript, no loader, so nothing but Node itself
 * starts before it): it requires the bundle (module initialization), calls `handler` once (the first
 * request, which builds the SDK client and reads the environment: `lazy(depsFromEnv)`), then `warm`
 * more times, and prints one line `BENCH_RESULT {json}`.
 * - `bootMs`: `performance.now()` when the script starts, i.e. ms since the process's time origin.
 * - `initMs`: `require(bundle)`. `firstMs`: the first request. `warmMs`: each later request.
 */
export const CHILD_SCRIPT = `
const bootMs = performance.now();
const [bundle] = process.argv.slice(1);
const events = JSON.parse(require('fs').readFileSync(process.env.BENCH_EVENTS_FILE, 'utf8'));
const warm = Number(process.env.BENCH_WARM || '0');
(async () => {
  const a = performance.now();
  const mod = require(bundle);
  const initMs = performance.now() - a;
  const b = performance.now();
  const first = await mod.handler(events[0], { awsRequestId: 'cold' });
  const firstMs = performance.now() - b;
  const warmMs = [];
  const statuses = [first.statusCode];
  for (let i = 0; i < warm; i++) {
    const c = performance.now();
    const r = await mod.handler(events[(i + 1) % events.length], { awsRequestId: 'warm-' + i });
    warmMs.push(performance.now() - c);
    statuses.push(r.statusCode);
  }
  process.stdout.write('\\nBENCH_RESULT ' + JSON.stringify({ bootMs, initMs, firstMs, warmMs, statuses, firstBody: first.body.slice(0, 300) }) + '\\n');
})().catch((err) => { process.stderr.write(String(err && err.stack || err)); process.exit(1); });
`;

/** What one fresh process measured. */
export interface ColdStartRun {
  readonly bootMs: number;
  readonly initMs: number;
  readonly firstMs: number;
  readonly warmMs: number[];
  /** HTTP status of every answer, first request first. */
  readonly statuses: number[];
  readonly firstBody: string;
  /** Wall time from spawn to exit, as the parent saw it. */
  readonly processMs: number;
}

/** Parses the child's `BENCH_RESULT` line out of its stdout (handler logs may surround it). @throws Error when absent. */
export function parseChildResult(stdout: string): Omit<ColdStartRun, 'processMs'> {
  const line = stdout.split('\n').reverse().find((l) => l.startsWith('BENCH_RESULT '));
  if (!line) throw new Error(`the child printed no BENCH_RESULT line; stdout ends: ${stdout.slice(-500)}`);
  return JSON.parse(line.slice('BENCH_RESULT '.length)) as Omit<ColdStartRun, 'processMs'>;
}

/**
 * Runs the bundle once in a fresh `node` process with `env` as its whole environment (plus PATH):
 * events[0] is the first request, the rest (cycled) the `warm` later ones.
 * @throws Error when the process fails or prints no result.
 */
export async function coldStartOnce(bundle: string, env: Record<string, string>, events: readonly APIGatewayProxyEvent[], warm: number): Promise<ColdStartRun> {
  // The events go through a file: the environment has a size limit (E2BIG).
  const dir = mkdtempSync(path.join(os.tmpdir(), 'whiplash-cold-'));
  const eventsFile = path.join(dir, 'events.json');
  writeFileSync(eventsFile, JSON.stringify(events));
  const t0 = performance.now();
  const child = spawn(process.execPath, ['-e', CHILD_SCRIPT, bundle], {
    env: { PATH: process.env.PATH ?? '', ...env, BENCH_EVENTS_FILE: eventsFile, BENCH_WARM: String(warm) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  const processMs = performance.now() - t0;
  rmSync(dir, { recursive: true, force: true });
  if (code !== 0) throw new Error(`cold-start child exited with ${code}: ${err.slice(-1000)}`);
  return { ...parseChildResult(out), processMs };
}
