import { execFileSync } from 'node:child_process';
import * as os from 'node:os';
import * as path from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { IndexParams } from '../lambda/core/types';
import { DynamoDBLocalHandle, LOCAL_CLIENT_CONFIG, startDynamoDBLocal } from '../lib/local/dynamodb-local';
import { DatasetName, loadDataset, Metric, row } from './datasets';
import { REPO_ROOT } from './datasets/fashion-mnist';
import { distance } from './distance';
import { groundTruth, groundTruthKey } from './ground-truth';
import { ORIGINAL_DEFAULTS } from './original/hashing';
import { OriginalLayout } from './original/layout';
import { ensureOriginalTables, originalTableNames } from './original/tables';
import { log, progress } from './progress';
import { BenchResult, checkTarget } from './report';
import { summarise, SystemRun } from './summary';
import { cachedRun } from './systems/cache';
import { RunContext } from './systems/context';
import { runExact } from './systems/exact';
import { runOriginal } from './systems/original';
import { runWhiplash, SweepPoint } from './systems/whiplash';

export const SYSTEMS = ['whiplash', 'original', 'exact'] as const;
export type SystemName = (typeof SYSTEMS)[number];

/** `--quick`: sizes that finish in a few minutes on 2 cores. */
export const QUICK = { size: 10000, queries: 100 };

/** Everything a benchmark run needs; the CLI (`run.ts`) documents each option. */
export interface BenchOptions {
  readonly dataset: DatasetName;
  readonly dataDir?: string;
  readonly base?: string;
  readonly queryFile?: string;
  readonly metric?: Metric;
  /** First N base vectors. @default all (`--quick`: 10,000) */
  readonly size?: number;
  /** First N queries. @default 300 (`--quick`: 100) */
  readonly queries?: number;
  readonly quick?: boolean;
  readonly k: number;
  readonly systems: readonly SystemName[];
  /** Whiplash index parameters at creation; any makes the run not "default settings". */
  readonly index?: Partial<IndexParams>;
  readonly probes?: number[];
  readonly rerank?: number[];
  readonly seed: number;
  readonly ingestConcurrency: number;
  readonly originalConcurrency: number;
  /** @default min(queries, 100) */
  readonly originalQueries?: number;
  readonly originalSeeds: number[];
  readonly endpoint?: string;
  readonly cache: boolean;
}

/** The sweep: the defaults first, then every combination of the listed overrides. */
export function sweepPoints(probes?: number[], rerank?: number[]): SweepPoint[] {
  const points: SweepPoint[] = [{}];
  if (!probes && !rerank) return points;
  for (const p of probes ?? [undefined]) {
    for (const r of rerank ?? [undefined]) {
      points.push({ ...(p !== undefined ? { probes: p } : {}), ...(r !== undefined ? { rerank: r } : {}) });
    }
  }
  return points;
}

/**
 * Short commit of the repository, `+uncommitted` when code that decides the figures differs from
 * it: the core, the store, DynamoDB Local's launcher and the benchmark (not its results).
 */
export function gitCommit(): string {
  try {
    const sha = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: REPO_ROOT, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'lambda/core', 'lambda/store', 'lib/local/dynamodb-local.ts', 'bench', ':!bench/results'], { cwd: REPO_ROOT, encoding: 'utf8' }).trim();
    return dirty ? `${sha}+uncommitted` : sha;
  } catch {
    return 'unknown';
  }
}

/**
 * Loads the data set, computes (or reads) the exact ground truth, starts DynamoDB Local (in
 * memory; stopped in `finally` and on SIGINT) unless `endpoint` is given, runs each system, and
 * returns the figures.
 * @param command the command line, recorded in the result
 */
export async function runBenchmark(o: BenchOptions, command: string): Promise<BenchResult> {
  const commit = gitCommit(); // the code measured is the code at the start
  const size = o.size ?? (o.quick ? QUICK.size : undefined);
  const queryCount = o.queries ?? (o.quick ? QUICK.queries : 300);
  const originalQueries = Math.min(queryCount, o.originalQueries ?? 100);

  const ds = loadDataset(o.dataset, { dataDir: o.dataDir, size, queries: queryCount, baseFile: o.base, queryFile: o.queryFile, metric: o.metric });
  log(`${ds.name}: ${ds.base.rows} x ${ds.dim} base, ${ds.queries.rows} queries, ${ds.metric}, from ${ds.source}`);
  const gtK = Math.max(o.k, 10);
  const gtBar = progress('ground truth', ds.queries.rows);
  const gt = groundTruth(ds, gtK, { onProgress: (d) => gtBar.update(d), log });
  gtBar.stop();

  let ddb: DynamoDBLocalHandle | undefined;
  const onSigint = () => {
    log('interrupted: stopping DynamoDB Local');
    void (ddb?.stop() ?? Promise.resolve()).finally(() => process.exit(130));
  };
  process.once('SIGINT', onSigint);
  const runs: SystemRun[] = [];
  let engine = `DynamoDB at ${o.endpoint}`;
  try {
    let endpoint = o.endpoint;
    if (!endpoint) {
      ddb = await startDynamoDBLocal({ engine: 'java' });
      endpoint = ddb.endpoint;
      engine = 'DynamoDB Local (java, in memory)';
      log(`DynamoDB Local at ${endpoint}`);
    }
    const newClient = () => new DynamoDBClient({ ...LOCAL_CLIENT_CONFIG, endpoint });
    const client = newClient();
    const ctx: RunContext = { client, newClient, dataset: ds, gt, k: o.k, tablePrefix: `bench${Date.now().toString(36)}-` };
    if (o.systems.includes('whiplash')) {
      runs.push(...(await runWhiplash(ctx, { index: o.index, seed: o.seed, ingestConcurrency: o.ingestConcurrency, sweep: sweepPoints(o.probes, o.rerank) })));
    }
    const refKey = groundTruthKey(ds, gtK);
    let vectorTable: string | undefined;
    if (o.systems.includes('original')) {
      const key = `original-${refKey}-s${o.originalSeeds.join('.')}-q${originalQueries}`;
      runs.push(
        await cachedRun(key, o.cache, async () => {
          const { run, vectorTable: vt } = await runOriginal(ctx, { seeds: o.originalSeeds, fetchConcurrency: o.originalConcurrency, queries: originalQueries });
          vectorTable = vt;
          return run;
        }, log),
      );
    }
    if (o.systems.includes('exact')) {
      runs.push(
        await cachedRun(`exact-${refKey}`, o.cache, async () => {
          if (!vectorTable) {
            // Exact without a fresh original run: load just the vector items of the original format.
            const tables = originalTableNames(`${ctx.tablePrefix}x-`);
            await ensureOriginalTables(client, tables);
            await new OriginalLayout(client, tables, ds.dim, ds.metric, ORIGINAL_DEFAULTS).load(ds.base, { buckets: false });
            vectorTable = tables.vectors;
          }
          return runExact(ctx, vectorTable);
        }, log),
      );
    }
    client.destroy();
  } finally {
    await ddb?.stop();
    process.removeListener('SIGINT', onSigint);
  }

  const distanceOf = (q: number, id: number) => distance(ds.metric, row(ds.queries, q), row(ds.base, id));
  const systems = runs.map((r) => summarise(r, gt, o.k, distanceOf));
  // The target compares Whiplash and the original on the queries both ran (the original runs fewer).
  const common = (r: SystemRun) => summarise({ ...r, queries: r.queries.filter((x, i) => (x.q ?? i) < originalQueries) }, gt, o.k, distanceOf);
  const wlDefault = runs.find((r) => r.system === 'whiplash' && Object.keys((r.settings.overrides as object | undefined) ?? {}).length === 0);
  const orig = runs.find((r) => r.system === 'original');
  const overridden = o.index !== undefined && Object.keys(o.index).length > 0;
  return {
    dataset: {
      name: ds.name,
      source: path.relative(REPO_ROOT, ds.source) || ds.source,
      metric: ds.metric,
      dim: ds.dim,
      base: ds.base.rows,
      queries: ds.queries.rows,
      // Full size: no --size, or a --size beyond the data set's rows.
      fullSize: size === undefined || ds.base.rows < size,
    },
    k: o.k,
    command,
    date: new Date().toISOString(),
    commit,
    engine,
    // Latencies and ingest rates depend on what else runs: the load average says how busy it was.
    machine: { cpus: os.cpus().length, node: process.versions.node, loadAverage: os.loadavg().map((l) => Math.round(l * 10) / 10) },
    systems,
    target: !overridden && wlDefault && orig ? checkTarget(ds.name, ds.base.rows, common(wlDefault), common(orig)) : undefined,
  };
}
