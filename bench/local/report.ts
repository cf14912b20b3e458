// The result shape of `npm run bench:local` (bench/results/local-disk.json) and its BENCHMARKS.md section
// (bench/results/local-disk.md).
import { DEFAULT_INSTANCES } from '../../lib/local/server';
import type { MachineInfo } from '../lambda/machine';

/** Matches asked for per search, and the k of recall@k. */
export const TOP_K = 10;

/** Issue #17's targets for local mode on disk with default options: import rate and search latency. */
export const LOCAL_DISK_TARGETS = { importVectorsPerSecond: 60, searchP50Ms: 150 } as const;

/** What `npm run bench:local` writes to bench/results/local-disk.json. */
export interface LocalDiskResult {
  readonly measuredAt: string;
  readonly commit: string;
  readonly command: string;
  readonly machine: MachineInfo;
  readonly source: string;
  readonly vectors: number;
  readonly dim: number;
  readonly metric: string;
  /** The CLI's `import` defaults the run used: vectors per request and requests in flight. */
  readonly importDefaults: { batchSize: number; concurrency: number };
  /** Wall time of the CLI's `import` process, its start included. */
  readonly importSeconds: number;
  readonly importVectorsPerSecond: number;
  /** Bytes of DynamoDB Local's files after the import and the searches (`du -sb`). */
  readonly diskBytes: number;
  /** Of them, SQLite's write-ahead log (`<db>-wal`); absent in results from before it. */
  readonly walBytes?: number;
  readonly queries: number;
  /** Means per query: recall@k against the exact neighbours, and read units and round trips from the X-Whiplash-Stats header. */
  readonly recall: number;
  readonly readUnits: number;
  readonly roundTrips: number;
  /** Search latency over HTTP, in milliseconds. */
  readonly latencyMs: { p50: number; p90: number; p99: number; max: number };
}

/** The BENCHMARKS.md section of a local-disk result (kept in bench/results/local-disk.md). */
export function localDiskMarkdown(r: LocalDiskResult): string {
  const f = (x: number, d = 1) => x.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d });
  return [
    `## Local mode on disk: Fashion-MNIST ${r.vectors.toLocaleString('en-US')} through the HTTP API with default options`,
    '',
    '```sh',
    r.command,
    '```',
    '',
    // run.ts leaves the server's instances at their default, so the default is what was measured
    `Measured ${r.measuredAt} at commit \`${r.commit}\`: the server of \`npm start\` (DynamoDB Local on disk, ${DEFAULT_INSTANCES} instances per function), ` +
      `the CLI's \`whiplash import\` of an fvecs file with its defaults (${r.importDefaults.batchSize} vectors per request, ${r.importDefaults.concurrency} in flight), ` +
      `then ${r.queries} sequential top-${TOP_K} searches over HTTP with held-out queries. ${r.machine.cpus} cores (load average ${r.machine.loadAverage.join(' / ')} at the end), Node ${r.machine.node}. Data: \`${r.source}\`.`,
    '',
    '| step | result |',
    '| --- | --- |',
    `| import of ${r.vectors.toLocaleString('en-US')} x ${r.dim} (CLI process start included) | ${f(r.importSeconds)} s, ${f(r.importVectorsPerSecond)} vectors per second |`,
    `| DynamoDB Local's files after the import and the searches | ${f(r.diskBytes / 2 ** 20)} MiB (${f(r.diskBytes / r.vectors, 0)} bytes per vector${r.walBytes === undefined ? '' : `; of them the write-ahead log ${f(r.walBytes / 2 ** 20)} MiB`}) |`,
    `| search p50 / p90 / p99 / max | ${f(r.latencyMs.p50, 0)} / ${f(r.latencyMs.p90, 0)} / ${f(r.latencyMs.p99, 0)} / ${f(r.latencyMs.max, 0)} ms |`,
    `| recall@${TOP_K}, read units, round trips per query | ${f(r.recall, 3)}, ${f(r.readUnits)}, ${f(r.roundTrips, 2)} |`,
    '',
    `Against #17's targets: import ${f(r.importVectorsPerSecond)} vectors per second (target at least ${LOCAL_DISK_TARGETS.importVectorsPerSecond}): ` +
      `**${r.importVectorsPerSecond >= LOCAL_DISK_TARGETS.importVectorsPerSecond ? 'met' : 'not met'}**; search p50 ${f(r.latencyMs.p50, 0)} ms (target at most ${LOCAL_DISK_TARGETS.searchP50Ms}): ` +
      `**${r.latencyMs.p50 <= LOCAL_DISK_TARGETS.searchP50Ms ? 'met' : 'not met'}**. The load average above says how much else shared the cores; latencies and rates are relative to it.`,
    '',
  ].join('\n');
}
