/**
 * `npm run bench`: recall and read cost of Whiplash against the original whiplash layout and an
 * exact scan, in one process, against one in-memory DynamoDB Local. See BENCHMARKS.md.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { Command, InvalidArgumentError, Option } from 'commander';
import type { IndexParams } from '../lambda/core/types';
import { LOCAL_CLIENT_CONFIG, startDynamoDBLocal, DynamoDBLocalHandle } from '../lib/local/dynamodb-local';
import { DATASET_NAMES, DatasetName, loadDataset, Metric, row } from './datasets';
import { distance } from './distance';
import { groundTruth, groundTruthKey } from './ground-truth';
import { ORIGINAL_DEFAULTS } from './original/hashing';
import { OriginalLayout } from './original/layout';
import { ensureOriginalTables, originalTableNames } from './original/tables';
import { recallCostSvg } from './plot';
import { log, progress } from './progress';
import { BenchResult, checkTarget, markdownTable, renderBenchmarksMd } from './report';
import { summarise, Summary, SystemRun } from './summary';
import { cachedRun } from './systems/cache';
import { RunContext } from './systems/context';
import { runExact } from './systems/exact';
import { runOriginal } from './systems/original';
import { runWhiplash, SweepPoint } from './systems/whiplash';

const BENCH_DIR = __dirname;
const REPO_ROOT = path.resolve(BENCH_DIR, '..');
const SYSTEMS = ['whiplash', 'original', 'exact'] as const;
type SystemName = (typeof SYSTEMS)[number];

/** `--quick`: sizes that finish in a few minutes on 2 cores. */
const QUICK = { size: 10000, queries: 100 };

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('must be a positive integer');
  return n;
}

function intList(value: string): number[] {
  const list = value.split(',').map((s) => Number(s.trim()));
  if (list.some((n) => !Number.isInteger(n) || n < 0)) throw new InvalidArgumentError('must be a comma-separated list of non-negative integers');
  return list;
}

const INDEX_KEYS: readonly (keyof IndexParams)[] = ['hashTables', 'partitionBits', 'bucketSize', 'probes', 'sketchBits', 'rerank'];
function indexParams(value: string): Partial<IndexParams> {
  const out: Record<string, number> = {};
  for (const pair of value.split(',')) {
    const [k, v] = pair.split('=').map((s) => s.trim());
    if (!INDEX_KEYS.includes(k as keyof IndexParams)) throw new InvalidArgumentError(`${k} is not one of ${INDEX_KEYS.join(', ')}`);
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`${k} must be a non-negative integer`);
    out[k] = n;
  }
  return out as Partial<IndexParams>;
}

function systemList(value: string): SystemName[] {
  const list = value.split(',').map((s) => s.trim());
  const bad = list.filter((s) => !SYSTEMS.includes(s as SystemName));
  if (bad.length > 0) throw new InvalidArgumentError(`unknown system ${bad.join(', ')} (one of ${SYSTEMS.join(', ')})`);
  return list as SystemName[];
}

function gitCommit(): string {
  try {
    const sha = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: REPO_ROOT, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'lambda', 'lib', 'bench', ':!bench/results'], { cwd: REPO_ROOT, encoding: 'utf8' }).trim();
    return dirty ? `${sha}+uncommitted` : sha;
  } catch {
    return 'unknown';
  }
}

export interface BenchOptions {
  dataset: DatasetName;
  dataDir?: string;
  base?: string;
  queryFile?: string;
  metric?: Metric;
  size?: number;
  queries?: number;
  quick?: boolean;
  k: number;
  systems: SystemName[];
  index?: Partial<IndexParams>;
  probes?: number[];
  rerank?: number[];
  seed: number;
  ingestConcurrency: number;
  originalConcurrency: number;
  originalQueries?: number;
  originalSeeds: number[];
  endpoint?: string;
  save: boolean;
  render?: boolean;
  cache: boolean;
  out?: string;
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

const RESULTS_DIR = path.join(BENCH_DIR, 'results');

/** Re-writes every result's plot and BENCHMARKS.md from `bench/results/*.json`. */
function renderAll(): void {
  for (const f of readdirSync(RESULTS_DIR).filter((n) => n.endsWith('.json'))) {
    const r = JSON.parse(readFileSync(path.join(RESULTS_DIR, f), 'utf8')) as BenchResult;
    const title = `${r.dataset.name}: ${r.dataset.base.toLocaleString('en-US')} vectors, ${r.dataset.queries} queries`;
    writeFileSync(path.join(RESULTS_DIR, f.replace(/\.json$/, '.svg')), recallCostSvg(title, r.systems, r.k));
  }
  writeFileSync(path.join(REPO_ROOT, 'BENCHMARKS.md'), renderBenchmarksMd(RESULTS_DIR));
  log('wrote the plots in bench/results/ and BENCHMARKS.md');
}

async function main(argv: string[]): Promise<void> {
  const program = new Command()
    .name('npm run bench --')
    .description('Recall@10 and read cost of Whiplash, the original whiplash layout and an exact scan, on DynamoDB Local')
    .addOption(new Option('--dataset <name>', 'data set').choices(DATASET_NAMES as unknown as string[]).default('fashion-mnist'))
    .option('--data-dir <dir>', 'Fashion-MNIST directory (default: ../shared/datasets/fashion-mnist, then /usr/share/datasets/fashion-mnist)')
    .option('--base <file>', '--dataset files: base vectors (IDX, .npy, .fvecs/.bvecs, .jsonl)')
    .option('--query-file <file>', '--dataset files: query vectors, same formats')
    .addOption(new Option('--metric <metric>', '--dataset files: metric').choices(['euclidean', 'cosine', 'dot']))
    .option('--size <n>', 'index only the first N base vectors (default: all)', positiveInt)
    .option('--queries <n>', 'number of queries (default: 300; --quick: 100)', positiveInt)
    .option('--quick', `small run: --size ${QUICK.size} --queries ${QUICK.queries} unless given`)
    .option('--k <n>', 'top-k', positiveInt, 10)
    .option('--systems <list>', `comma-separated: ${SYSTEMS.join(',')}`, systemList, [...SYSTEMS])
    .option('--index <k=v,...>', `Whiplash index parameters at creation (${INDEX_KEYS.join(', ')})`, indexParams)
    .option('--probes <list>', 'sweep: per-query probes overrides, e.g. 0,4,8', intList)
    .option('--rerank <list>', 'sweep: per-query re-rank overrides, e.g. 100,200,400', intList)
    .option('--seed <n>', 'hyperplane seed of Whiplash', positiveInt, 1)
    .option('--original-seeds <list>', 'hyperplane seeds of the original layout; its figures are the mean over them', intList, [1, 2, 3])
    .option('--ingest-concurrency <n>', 'Whiplash upsert calls (500 vectors each) in flight', positiveInt, 2)
    .option('--original-concurrency <n>', "original layout: candidate BatchGetItem calls in flight (the original: 1; round trips are counted as sequential either way)", positiveInt, 4)
    .option('--original-queries <n>', 'original layout: run only the first N queries (default: at most 100; each original query fetches thousands of vectors)', positiveInt)
    .option('--endpoint <url>', 'use this DynamoDB endpoint instead of starting DynamoDB Local')
    .option('--no-cache', 're-measure the original layout and the exact scan even when bench/.cache/ holds their figures')
    .option('--no-save', 'do not write bench/results/*.json and BENCHMARKS.md')
    .option('--render', 'only re-write the plots and BENCHMARKS.md from bench/results/*.json, measuring nothing')
    .option('--out <file>', 'result file (default: bench/results/<dataset>[-n<size>].json)')
    .parse(argv);
  const o = program.opts<BenchOptions>();
  if (o.render) {
    renderAll();
    return;
  }
  const size = o.size ?? (o.quick ? QUICK.size : undefined);
  const queryCount = o.queries ?? (o.quick ? QUICK.queries : 300);
  const originalQueries = Math.min(queryCount, o.originalQueries ?? 100);

  const ds = loadDataset(o.dataset, { dataDir: o.dataDir, size, queries: queryCount, baseFile: o.base, queryFile: o.queryFile, metric: o.metric });
  log(`${ds.name}: ${ds.base.rows} x ${ds.dim} base, ${ds.queries.rows} queries, ${ds.metric}, from ${ds.source}`);
  const gtBar = progress('ground truth', ds.queries.rows);
  const gtK = Math.max(o.k, 10);
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
    let vectorTable: string | undefined;
    if (o.systems.includes('whiplash')) {
      runs.push(
        ...(await runWhiplash(ctx, { index: o.index, seed: o.seed, ingestConcurrency: o.ingestConcurrency, sweep: sweepPoints(o.probes, o.rerank) })),
      );
    }
    const refKey = groundTruthKey(ds, gtK);
    if (o.systems.includes('original')) {
      runs.push(
        await cachedRun(`original-${refKey}-s${o.originalSeeds.join('.')}-q${originalQueries}`, o.cache, async () => {
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
  const systems: Summary[] = runs.map((r) => summarise(r, gt, o.k, distanceOf));
  // Full size: no --size, or a --size beyond the data set's rows.
  const fullSize = size === undefined || ds.base.rows < size;
  const result: BenchResult = {
    dataset: { name: ds.name, source: path.relative(REPO_ROOT, ds.source) || ds.source, metric: ds.metric, dim: ds.dim, base: ds.base.rows, queries: ds.queries.rows, fullSize },
    k: o.k,
    command: ['npm run bench', ...(argv.length > 2 ? ['--', ...argv.slice(2)] : [])].join(' '),
    date: new Date().toISOString(),
    commit: gitCommit(),
    engine,
    machine: { cpus: os.cpus().length, node: process.versions.node },
    systems,
    target: checkTarget(ds.name, ds.base.rows, systems),
  };

  process.stdout.write(`\n${ds.name}: ${ds.base.rows} vectors x ${ds.dim}, ${ds.queries.rows} queries, k=${o.k}\n\n${markdownTable(systems)}\n\n`);
  if (result.target) {
    const t = result.target;
    process.stdout.write(`target: ${t.text}\n  recall@10 ${t.recall.toFixed(3)}, original/whiplash read units ${t.readUnitRatio.toFixed(1)}x: ${t.met ? 'MET' : 'NOT MET'}${t.applies ? '' : ' (subset: indicative only)'}\n`);
  }
  if (o.save) {
    const out = o.out ?? path.join(RESULTS_DIR, `${ds.name}${fullSize ? '' : `-n${ds.base.rows}`}.json`);
    mkdirSync(path.dirname(out), { recursive: true });
    writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
    writeFileSync(out.replace(/\.json$/, '') + '.svg', recallCostSvg(`${ds.name}: ${ds.base.rows.toLocaleString('en-US')} vectors, ${ds.queries.rows} queries`, systems, o.k));
    renderAll();
    log(`wrote ${path.relative(process.cwd(), out)}`);
  }
}

if (require.main === module) {
  main(process.argv).catch((err: unknown) => {
    process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  });
}
