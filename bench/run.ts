// `npm run bench`: recall and read cost of Whiplash, the original layout, an exact scan and HNSW.
/**
 * `npm run bench`: recall and read cost of Whiplash against the original whiplash layout, an exact
 * scan and HNSW in memory, in one process, against one in-memory DynamoDB Local, plus the cost
 * models of both layouts' queries for sizes too large to load into it. See BENCHMARKS.md.
 * This file is the command line only; the run is `benchmark.ts`, the files `report.ts`.
 */
import * as path from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import type { IndexParams } from '../lambda/core/types';
import { BenchOptions, DEFAULT_WARM_QUERIES, QUICK, runBenchmark, SYSTEMS, SystemName } from './benchmark';
import { DATASET_NAMES } from './datasets';
import { log } from './progress';
import { markdownTable, RESULTS_DIR, writeReports, writeResult } from './report';
import { int, intList } from '../lib/cli/parse';

const positiveInt = int(1);
const counts = intList(0);

const INDEX_KEYS: readonly (keyof IndexParams)[] = ['hashTables', 'partitionBits', 'bucketSize', 'probes', 'recallTarget', 'sketchBits', 'rerank'];
function indexParams(value: string): Partial<IndexParams> {
  const out: Record<string, number> = {};
  for (const pair of value.split(',')) {
    const [k, v] = pair.split('=').map((s) => s.trim());
    if (!INDEX_KEYS.includes(k as keyof IndexParams)) throw new InvalidArgumentError(`${k} is not one of ${INDEX_KEYS.join(', ')}`);
    const n = Number(v);
    if (v === undefined || v === '' || !Number.isFinite(n) || n < 0) throw new InvalidArgumentError(`${k} must be a non-negative number`);
    out[k] = n;
  }
  return out as Partial<IndexParams>;
}

function fractionList(value: string): number[] {
  return value.split(',').map((v) => {
    const n = Number(v.trim());
    if (!(n > 0 && n < 1)) throw new InvalidArgumentError(`${v} is not a number between 0 and 1`);
    return n;
  });
}

function systemList(value: string): SystemName[] {
  const list = value.split(',').map((s) => s.trim());
  const bad = list.filter((s) => !SYSTEMS.includes(s as SystemName));
  if (bad.length > 0) throw new InvalidArgumentError(`unknown system ${bad.join(', ')} (one of ${SYSTEMS.join(', ')})`);
  return list as SystemName[];
}

async function main(argv: string[]): Promise<void> {
  const program = new Command()
    .name('npm run bench --')
    .description('Recall@10 and read cost of Whiplash, the original whiplash layout, an exact scan and HNSW (hnswlib-node), on DynamoDB Local and through cost models')
    .addOption(new Option('--dataset <name>', 'data set').choices(DATASET_NAMES as unknown as string[]).default('fashion-mnist'))
    .option('--data-dir <dir>', 'Fashion-MNIST directory (default: ../shared/datasets/fashion-mnist, then /usr/share/datasets/fashion-mnist)')
    .option('--base <file>', '--dataset files: base vectors (IDX, .npy, .fvecs/.bvecs, .jsonl)')
    .option('--query-file <file>', '--dataset files: query vectors, same formats')
    .addOption(new Option('--metric <metric>', '--dataset files: metric').choices(['euclidean', 'cosine', 'dot']))
    .option('--size <n>', `index only the first N base vectors (default: all; --quick: ${QUICK.size})`, positiveInt)
    .option('--queries <n>', `number of queries (default: 300; --quick: ${QUICK.queries})`, positiveInt)
    .option('--quick', `small run: --size ${QUICK.size} --queries ${QUICK.queries} unless given`)
    .option('--k <n>', 'top-k', positiveInt, 10)
    .option('--systems <list>', `comma-separated: ${SYSTEMS.join(',')}`, systemList, [...SYSTEMS])
    .option('--index <k=v,...>', `Whiplash index parameters at creation (${INDEX_KEYS.join(', ')}); the target is only checked without them`, indexParams)
    .addOption(new Option('--index-method <method>', "Whiplash's index, given (then not the default settings): lsh (hash tables) or ivf (k-means lists) (default: the store's, ivf for cosine and euclidean)").choices(['lsh', 'ivf']))
    .option('--list-size <n>', 'with k-means lists: entries a list holds before it splits (default: the store\'s; given, not the default settings)', positiveInt)
    .option('--warm-queries <n>', `Whiplash serves this many queries before the measured ones, as a collection in service has: what k-means lists calibrate their nprobe on (default: ${DEFAULT_WARM_QUERIES}; 0: none)`, int(0))
    .addOption(new Option('--warm-from <source>', 'the warm-up queries: base vectors (evenly spaced), or the data set\'s queries after the measured ones').choices(['base', 'queries']).default('queries'))
    .option('--probes <list>', 'sweep: per-query probes overrides (with ivf: lists read), e.g. 0,4,8', counts)
    .option('--rerank <list>', 'sweep: per-query re-rank overrides, e.g. 100,200,400', counts)
    .option('--recall-targets <list>', 'sweep (cost model only): the plans the store makes for these recall targets, e.g. 0.8,0.9', fractionList)
    .option('--seed <n>', 'hyperplane seed of Whiplash', positiveInt, 1)
    .option('--original-seeds <list>', 'hyperplane seeds of the original layout; its figures are the mean over them', counts, [1, 2, 3])
    .option('--ingest-concurrency <n>', 'Whiplash upsert calls (500 vectors each) in flight', positiveInt, 2)
    .option('--original-concurrency <n>', 'original layout: candidate BatchGetItem calls in flight (the original: 1; round trips are counted as sequential either way)', positiveInt, 4)
    .option('--original-queries <n>', 'original layout: run only the first N queries (default: at most 100; each original query fetches thousands of vectors)', positiveInt)
    .option('--ef <list>', 'hnsw: efSearch values, the first being its reference point (default: 64,10,32,128,256)', counts)
    .option('--scale <list>', 'also run the cost models (whiplash and original) on the first N base vectors for each N, and fit the growth of read units with N, e.g. 50000,150000', counts)
    .option('--endpoint <url>', 'use this DynamoDB endpoint instead of starting DynamoDB Local')
    .option('--no-cache', 're-measure the original layout and the exact scan even when bench/.cache/ holds their figures')
    .option('--no-save', 'do not write bench/results/*.json and BENCHMARKS.md')
    .option('--render', 'only re-write the plots and BENCHMARKS.md from bench/results/*.json, measuring nothing')
    .option('--out <file>', 'result file (default: bench/results/<dataset>[-n<size>].json)')
    .parse(argv);
  const o = program.opts<BenchOptions & { save: boolean; render?: boolean; out?: string }>();
  if (o.render) {
    writeReports();
    return;
  }
  const command = ['npm run bench', ...(argv.length > 2 ? ['--', ...argv.slice(2)] : [])].join(' ');
  const result = await runBenchmark(o, command);

  process.stdout.write(`\n${result.dataset.name}: ${result.dataset.base} vectors x ${result.dataset.dim}, ${result.dataset.queries} queries, k=${result.k}\n\n`);
  process.stdout.write(`${markdownTable(result.systems)}\n\n`);
  const t = result.target;
  if (t) {
    process.stdout.write(
      `target: ${t.text}\n  on the ${t.queries} queries both ran: recall@10 ${t.recall.toFixed(3)}, ${t.readUnits.toFixed(1)} read units against the original's ${t.originalReadUnits.toFixed(1)} (${t.readUnitRatio.toFixed(1)}x): ${t.met ? 'MET' : 'NOT MET'}${t.applies ? '' : ' (subset: indicative only)'}\n`,
    );
  }
  if (o.save) {
    const out = o.out ?? path.join(RESULTS_DIR, `${result.dataset.name}${result.dataset.fullSize ? '' : `-n${result.dataset.base}`}.json`);
    writeResult(result, out);
    writeReports();
    log(`wrote ${path.relative(process.cwd(), out)}, its plot and BENCHMARKS.md`);
  }
}

main(process.argv).catch((err: unknown) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
