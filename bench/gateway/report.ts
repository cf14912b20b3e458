// Latency summaries, the result shape of `npm run bench:gateway` and its BENCHMARKS.md section.
import type { MachineInfo } from '../lambda/machine';
import { mean, percentile } from '../recall';

/** Latency figures of one path, in milliseconds. */
export interface LatencySummary {
  readonly requests: number;
  readonly p50: number;
  readonly p95: number;
  readonly mean: number;
  readonly max: number;
}

/** p50, p95 (nearest rank, as bench/recall.ts `percentile`), mean and max of `ms`. @throws RangeError when `ms` is empty. */
export function latencySummary(ms: readonly number[]): LatencySummary {
  if (ms.length === 0) throw new RangeError('no latencies to summarise');
  return { requests: ms.length, p50: percentile(ms, 50), p95: percentile(ms, 95), mean: mean(ms), max: Math.max(...ms) };
}

/** Both paths on one data set. */
export interface GatewayDatasetFigures {
  readonly dataset: string;
  readonly source: string;
  readonly vectors: number;
  readonly dim: number;
  readonly metric: string;
  readonly loadSeconds: number;
  /** `WhiplashStore.query` called in this process (what `npm run bench` times). */
  readonly inProcess: LatencySummary;
  /** POST .../search over HTTP through the local API gateway and the query handler (a project key, as a client sends it). */
  readonly http: LatencySummary;
  /** p50 and mean of the per-query difference http - in process. */
  readonly overheadP50Ms: number;
  readonly overheadMeanMs: number;
  /** Queries whose top-k ids were the same on both paths. */
  readonly sameResults: number;
  /** Mean read units per query: the store's stats in process, and the X-Whiplash-Stats header over HTTP. */
  readonly readUnitsInProcess: number;
  readonly readUnitsHttp: number;
  /** Mean bytes of the HTTP answer body. */
  readonly responseBytes: number;
}

/** What `npm run bench:gateway` writes to bench/results/gateway.json. */
export interface GatewayResult {
  readonly kind: 'gateway';
  readonly command: string;
  readonly date: string;
  readonly commit: string;
  readonly machine: MachineInfo;
  readonly engine: string;
  readonly topK: number;
  readonly warmup: number;
  readonly datasets: GatewayDatasetFigures[];
}

const f = (x: number) => (x >= 100 ? x.toFixed(0) : x.toFixed(1));

/** The BENCHMARKS.md section of a gateway result (kept in bench/results/gateway.md). */
export function gatewayMarkdown(r: GatewayResult): string {
  return [
    '## End to end through the local gateway: query latency over HTTP vs in process',
    '',
    '```sh',
    r.command,
    '```',
    '',
    `Measured ${r.date} at commit \`${r.commit}\` on ${r.engine}, ${r.machine.cpus} cores, Node ${r.machine.node}, load average ${r.machine.loadAverage.join(' / ')} over 1 / 5 / 15 min at the end (latencies are relative). ` +
      `Sequential requests, one at a time (latency, not throughput), top-${r.topK}, vectors not returned; ${r.warmup} warm-up queries per path first (base vectors, not counted). Each query runs on both paths, alternating which goes first.`,
    '',
    '| data | vectors | in process p50 ms | p95 ms | HTTP p50 ms | p95 ms | overhead p50 ms (per query) | same top-k | read units / query (in process / header) | answer bytes |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...r.datasets.map(
      (d) =>
        `| ${d.dataset} (${d.dim}-d, ${d.metric}) | ${d.vectors.toLocaleString('en-US')} | ${f(d.inProcess.p50)} | ${f(d.inProcess.p95)} | ${f(d.http.p50)} | ${f(d.http.p95)} | ${f(d.overheadP50Ms)} | ${d.sameResults} / ${d.http.requests} | ${d.readUnitsInProcess.toFixed(1)} / ${d.readUnitsHttp.toFixed(1)} | ${d.responseBytes.toFixed(0)} |`,
    ),
    '',
    '- In process: `WhiplashStore.query` called directly, as `npm run bench` times it. HTTP: `fetch` (keep-alive) to `startLocalServer` (lib/local/server.ts) on 127.0.0.1 with a project API key: the gateway matches the route, checks the key (a metadata read) and the usage plan, builds the API Gateway proxy event and calls the query handler, which identifies the caller (another metadata read), validates the body with ajv, queries the store and serialises the answer. Handler logs at ERROR.',
    '- Client, gateway, handlers and DynamoDB Local run on the same machine; on AWS, API Gateway and Lambda add their own network hops and integration latency, which nothing here measures.',
    ...r.datasets.map((d) => `- ${d.dataset}: \`${d.source}\`; ${d.vectors.toLocaleString('en-US')} vectors loaded through WhiplashStore in ${d.loadSeconds.toFixed(1)} s; ${d.http.requests} queries held out of the base.`),
    '',
  ].join('\n');
}
