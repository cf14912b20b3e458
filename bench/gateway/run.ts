// `npm run bench:gateway`: query latency through the local API gateway against the same query in process.
/**
 * `npm run bench:gateway`: query latency end to end through the local API gateway (HTTP, the same
 * Lambda handlers) against the same query in process (`WhiplashStore.query`), on real data against
 * DynamoDB Local; sequential requests. Writes bench/results/gateway.json and gateway.md.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { Command } from 'commander';
import { logger } from '../../lambda/api/logger';
import { localKeyId } from '../../lib/local/local-keys';
import { startLocalServer } from '../../lib/local/server';
import { REPO_ROOT } from '../datasets/fashion-mnist';
import { row } from '../datasets/types';
import { mean, percentile } from '../recall';
import { FIXTURE_COLLECTION, FIXTURE_PROJECT, FIXTURE_TABLE_PREFIX, startFixture } from '../lambda/fixture';
import { gitCommit, machine } from '../lambda/machine';
import { GatewayDatasetFigures, gatewayMarkdown, GatewayResult, latencySummary } from './report';
import { searchOverHttp } from './search-http';

const opts = new Command()
  .description('Query latency through the local gateway (HTTP) vs in process, sequential, against DynamoDB Local')
  .option('--dataset <list>', 'comma-separated: minilm (778 x 384, the default) and/or fashion-mnist (a subset)', 'minilm')
  .option('--size <n>', 'Fashion-MNIST base vectors', '5000')
  .option('--queries <n>', 'queries per data set (held out of the base)', '100')
  .option('--warmup <n>', 'warm-up queries per path, not counted', '5')
  .option('--data-dir <dir>', 'Fashion-MNIST directory (default ../shared/datasets/fashion-mnist)')
  .option('--out <dir>', 'where gateway.json and gateway.md go', path.join(REPO_ROOT, 'bench', 'results'))
  .parse()
  .opts<{ dataset: string; size: string; queries: string; warmup: string; dataDir?: string; out: string }>();

const TOP_K = 10;

async function measure(dataset: 'minilm' | 'fashion-mnist', queries: number, warmup: number): Promise<GatewayDatasetFigures & { engine: string }> {
  const fx = await startFixture({ dataset, size: Number(opts.size), queries, dir: opts.dataDir });
  const nq = fx.data.queries.rows;
  try {
    const keyValue = `wl-bench-${randomBytes(18).toString('base64url')}`;
    await fx.store.bindApiKey({ apiKeyId: localKeyId(keyValue), projectId: FIXTURE_PROJECT });
    const server = await startLocalServer({ port: 0, host: '127.0.0.1', dataDir: null, ddbEndpoint: fx.ddb.endpoint, tablePrefix: FIXTURE_TABLE_PREFIX, purgeIntervalMs: 0 });
    try {
      const target = { serverUrl: server.url, projectId: FIXTURE_PROJECT, collection: FIXTURE_COLLECTION, apiKey: keyValue };
      // Warm-up queries are base vectors (real data, not counted); measured ones are the held-out queries.
      const vectorOf = (q: number) => (q < 0 ? row(fx.data.base, -q - 1) : row(fx.data.queries, q));
      const viaHttp = (q: number) => searchOverHttp(target, vectorOf(q), TOP_K);
      const inProcess = async (q: number) => {
        const t = performance.now();
        const r = await fx.store.query(FIXTURE_PROJECT, FIXTURE_COLLECTION, { vector: vectorOf(q), topK: TOP_K, includeVector: false });
        const ms = performance.now() - t;
        return { ms, ids: r.matches.map((m) => m.id), readUnits: r.stats.readUnits };
      };
      for (let w = 0; w < warmup; w++) {
        await inProcess(-w - 1);
        await viaHttp(-w - 1);
      }
      const a: { ms: number; ids: string[]; readUnits: number }[] = [];
      const h: { ms: number; ids: string[]; readUnits: number; bytes: number }[] = [];
      for (let q = 0; q < nq; q++) {
        if (q % 2 === 0) {
          a.push(await inProcess(q));
          h.push(await viaHttp(q));
        } else {
          h.push(await viaHttp(q));
          a.push(await inProcess(q));
        }
      }
      const diffs = a.map((x, i) => h[i].ms - x.ms);
      const figures = {
        dataset,
        source: path.relative(REPO_ROOT, fx.data.source),
        vectors: fx.data.base.rows,
        dim: fx.data.dim,
        metric: fx.data.metric,
        loadSeconds: fx.loadSeconds,
        inProcess: latencySummary(a.map((x) => x.ms)),
        http: latencySummary(h.map((x) => x.ms)),
        overheadP50Ms: percentile(diffs, 50),
        overheadMeanMs: mean(diffs),
        sameResults: a.filter((x, i) => x.ids.join() === h[i].ids.join()).length,
        readUnitsInProcess: mean(a.map((x) => x.readUnits)),
        readUnitsHttp: mean(h.map((x) => x.readUnits)),
        responseBytes: mean(h.map((x) => x.bytes)),
        engine: `DynamoDB Local (${fx.ddb.engine}, in memory)`,
      };
      process.stdout.write(`${dataset}: in process p50 ${figures.inProcess.p50.toFixed(1)} ms, HTTP p50 ${figures.http.p50.toFixed(1)} ms, same top-k ${figures.sameResults}/${nq}\n`);
      return figures;
    } finally {
      await server.stop();
    }
  } finally {
    await fx.stop();
  }
}

async function main(): Promise<void> {
  // The code under measurement is what was loaded at start: name the commit now, not after a run others may commit during.
  const commit = gitCommit();
  logger.setLogLevel('ERROR');
  const queries = Number(opts.queries);
  const warmup = Number(opts.warmup);
  const names = opts.dataset.split(',').map((s) => s.trim());
  const datasets: GatewayDatasetFigures[] = [];
  let engine = '';
  for (const name of names) {
    if (name !== 'minilm' && name !== 'fashion-mnist') throw new Error(`--dataset: unknown ${name} (minilm, fashion-mnist)`);
    const { engine: e, ...d } = await measure(name, queries, warmup);
    engine = e;
    datasets.push(d);
  }
  const args = process.argv.slice(2);
  const result: GatewayResult = {
    kind: 'gateway',
    command: `npm run bench:gateway${args.length > 0 ? ` -- ${args.join(' ')}` : ''}`,
    date: new Date().toISOString(),
    commit,
    machine: machine(),
    engine,
    topK: TOP_K,
    warmup,
    datasets,
  };
  mkdirSync(opts.out, { recursive: true });
  writeFileSync(path.join(opts.out, 'gateway.json'), `${JSON.stringify(result, null, 2)}\n`);
  writeFileSync(path.join(opts.out, 'gateway.md'), gatewayMarkdown(result));
  process.stdout.write(`wrote ${path.join(opts.out, 'gateway.json')} and gateway.md\n`);
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
