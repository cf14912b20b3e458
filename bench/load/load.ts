// `npm run bench:load`: a bounded load test of local mode with autocannon.
/**
 * Bounded load test of local mode (`npm run bench:load`): starts the local server in memory on
 * 127.0.0.1, loads the MiniLM embeddings of the Fiori docs through the API, then runs a mixed
 * workload (90 % top-10 search, 10 % single-vector upsert) with autocannon at a few concurrencies
 * for a fixed short time each. Writes bench/results/load.json and bench/results/load.md.
 *
 * Bounded: only 127.0.0.1, at most `--seconds` per concurrency and `--max-requests` per run.
 * Figures are relative: client, server and DynamoDB Local share this machine's cores.
 */
import { writeFileSync, mkdirSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import autocannon from 'autocannon';
import { Command } from 'commander';
import { logger } from '../../lambda/api/logger';
import { startLocalServer } from '../../lib/local/server';
import { loadMiniLm } from '../datasets/minilm';
import { row } from '../datasets/types';
import { mulberry32 } from '../prng';
import { gitCommit } from '../lambda/machine';

interface RunFigures {
  readonly connections: number;
  readonly seconds: number;
  readonly requests: number;
  readonly throughputRps: number;
  readonly latencyMs: { p50: number; p90: number; p99: number; max: number };
  readonly statusCounts: Record<string, number>;
  readonly searches: number;
  readonly upserts: number;
  /** Answers other than 2xx and the 429s a usage plan demands, plus connection errors and timeouts. */
  readonly errors: number;
}

const opts = new Command()
  .option('--connections <list>', 'comma-separated concurrencies', '1,4,16')
  .option('--seconds <n>', 'seconds per concurrency', '10')
  .option('--max-requests <n>', 'request cap per concurrency', '20000')
  .option('--out <dir>', 'where load.json and load.md go', path.join(__dirname, '..', 'results'))
  .parse()
  .opts<{ connections: string; seconds: string; maxRequests: string; out: string }>();

const fmt = (x: number, d = 1) => x.toFixed(d);

async function main(): Promise<void> {
  // The code under measurement is what was loaded at start: name the commit now, not after a run others may commit during.
  const commit = gitCommit();
  logger.setLogLevel('ERROR');
  const concurrencies = opts.connections.split(',').map(Number);
  const seconds = Number(opts.seconds);
  const maxRequests = Number(opts.maxRequests);
  const data = loadMiniLm({ holdout: 100 });
  const server = await startLocalServer({ port: 0, host: '127.0.0.1', dataDir: null, purgeIntervalMs: 0 });
  try {
    const headers = { 'content-type': 'application/json', 'x-api-key': server.adminKey };
    const post = async (p: string, body: unknown) => {
      const res = await fetch(server.url + p, { method: 'POST', headers, body: JSON.stringify(body) });
      if (!res.ok) throw new Error(`POST ${p}: ${res.status} ${await res.text()}`);
      return res.json();
    };
    const created = (await post('/projects', { name: 'load' })) as { apiKey: string };
    const key = created.apiKey;
    const C = '/projects/load/collections/docs';
    const projHeaders = { 'content-type': 'application/json', 'x-api-key': key };
    await fetch(server.url + '/projects/load/collections', { method: 'POST', headers: projHeaders, body: JSON.stringify({ name: 'docs', n_features: data.dim, metric: 'cosine' }) });
    const base = Array.from({ length: data.base.rows }, (_, i) => ({ id: `doc-${i}`, vector: Array.from(row(data.base, i)) }));
    const loadStart = Date.now();
    for (let i = 0; i < base.length; i += 100) {
      const res = await fetch(server.url + `${C}/items/batch`, { method: 'POST', headers: projHeaders, body: JSON.stringify({ vectors: base.slice(i, i + 100) }) });
      if (res.status !== 200) throw new Error(`load: ${res.status} ${await res.text()}`);
    }
    const loadSeconds = (Date.now() - loadStart) / 1000;
    process.stdout.write(`loaded ${base.length} x ${data.dim} MiniLM vectors in ${fmt(loadSeconds)} s\n`);

    // Pre-encoded bodies: the client's cost must not dominate the measurement.
    const searchBodies = Array.from({ length: data.queries.rows }, (_, i) => JSON.stringify({ query: Array.from(row(data.queries, i)), limit: 10, include_vector: false }));
    const upsertBodies = base.slice(0, 200).map((b, i) => JSON.stringify({ id: `upsert-${i}`, vector: b.vector.map((x) => x * 0.99) }));

    const runs: RunFigures[] = [];
    for (const connections of concurrencies) {
      let searches = 0;
      let upserts = 0;
      const rnd = mulberry32(connections * 7919);
      const result = await autocannon({
        url: server.url,
        connections,
        duration: seconds,
        amount: undefined,
        maxOverallRequests: maxRequests,
        timeout: 30,
        headers: projHeaders,
        requests: [
          {
            setupRequest: (req: Record<string, unknown>) => {
              if (rnd() < 0.9) {
                searches++;
                return { ...req, method: 'POST', path: `${C}/search`, body: searchBodies[Math.floor(rnd() * searchBodies.length)] };
              }
              upserts++;
              return { ...req, method: 'POST', path: `${C}/items`, body: upsertBodies[Math.floor(rnd() * upsertBodies.length)] };
            },
          },
        ],
      });
      const statusCounts: Record<string, number> = {};
      for (const [code, v] of Object.entries(result.statusCodeStats ?? {})) statusCounts[code] = Number((v as { count: number }).count);
      const bad = Object.entries(statusCounts).filter(([c]) => !c.startsWith('2') && c !== '429').reduce((s, [, n]) => s + n, 0);
      const figures: RunFigures = {
        connections,
        seconds: result.duration,
        requests: result.requests.total,
        throughputRps: result.requests.total / result.duration,
        latencyMs: { p50: result.latency.p50, p90: result.latency.p90, p99: result.latency.p99, max: result.latency.max },
        statusCounts,
        searches,
        upserts,
        errors: bad + result.errors + result.timeouts,
      };
      runs.push(figures);
      process.stdout.write(
        `c=${connections}: ${figures.requests} requests in ${fmt(figures.seconds)} s, ${fmt(figures.throughputRps)} req/s, p50 ${figures.latencyMs.p50} ms, p99 ${figures.latencyMs.p99} ms, statuses ${JSON.stringify(statusCounts)}, errors ${figures.errors}\n`,
      );
    }

    const out = {
      date: new Date().toISOString(),
      commit,
      tool: 'autocannon 8',
      workload: '90 % search (top-10, MiniLM query held out of the base) / 10 % single-vector upsert, pre-encoded bodies',
      dataset: { name: 'minilm (@sap-ux/fiori-docs-embeddings)', vectors: base.length, dim: data.dim, loadSeconds },
      machine: { cpus: os.cpus().length, loadAverage1m: os.loadavg()[0], node: process.version },
      setup: 'local server (same Lambda handlers behind the local gateway), DynamoDB Local in memory, all on 127.0.0.1',
      runs,
    };
    mkdirSync(opts.out, { recursive: true });
    writeFileSync(path.join(opts.out, 'load.json'), `${JSON.stringify(out, null, 2)}\n`);
    const md = [
      '## Load (local mode)',
      '',
      `${out.workload}; ${base.length} x ${data.dim} MiniLM vectors; ${seconds} s per concurrency (autocannon 8). ` +
        `Client, server and DynamoDB Local share ${out.machine.cpus} cores (1-minute load average ${fmt(out.machine.loadAverage1m)} at the end), so figures are relative. Run: \`npm run bench:load\`.`,
      '',
      '| connections | requests | req/s | p50 ms | p90 ms | p99 ms | max ms | 2xx | 429 | errors |',
      '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
      ...runs.map((r) => {
        const ok = Object.entries(r.statusCounts).filter(([c]) => c.startsWith('2')).reduce((s, [, n]) => s + n, 0);
        return `| ${r.connections} | ${r.requests} | ${fmt(r.throughputRps)} | ${r.latencyMs.p50} | ${r.latencyMs.p90} | ${r.latencyMs.p99} | ${r.latencyMs.max} | ${ok} | ${r.statusCounts['429'] ?? 0} | ${r.errors} |`;
      }),
      '',
      `Errors count every answer other than 2xx and 429, plus connection errors and timeouts. Measured ${out.date} at commit \`${out.commit}\`.`,
      '',
    ].join('\n');
    writeFileSync(path.join(opts.out, 'load.md'), md);
    process.stdout.write(`wrote ${path.join(opts.out, 'load.json')} and load.md\n`);
    if (runs.some((r) => r.errors > 0)) process.exitCode = 1;
  } finally {
    await server.stop();
  }
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
