// The `npm run bench` run itself: loads a data set and its exact ground truth, runs each system (Whiplash, the original
// layout, exact scan, HNSW, the cost models) and returns the figures with the target check, model validation and scaling fits.
import { execFileSync } from 'node:child_process';
import * as os from 'node:os';
import * as path from 'node:path';
import { storeClient } from '../lambda/store/store-client';
import { QUERIES_TO_FILL } from '../lambda/core/list-calibration';
import { queryNprobe } from '../lambda/core/nprobe';
import { checkIndexMethod } from '../lambda/core/params';
import type { IndexParams } from '../lambda/core/types';
import { DynamoDBLocalHandle, LOCAL_CLIENT_CONFIG, startDynamoDBLocal } from '../lib/local/dynamodb-local';
import { Dataset, DatasetName, headRows, loadDataset, Matrix, Metric, row } from './datasets';
import { REPO_ROOT } from './datasets/fashion-mnist';
import { distance } from './distance';
import { fitPowerLaw } from './fit';
import { GroundTruth, groundTruth, groundTruthKey } from './ground-truth';
import { ORIGINAL_DEFAULTS } from './original/hashing';
import { OriginalLayout } from './original/layout';
import { ensureOriginalTables, originalTableNames } from './original/tables';
import { clusteringSpace } from './explore/ivf-lists';
import type { ListsLayout } from './model/lists-model';
import { log, progress } from './progress';
import { BenchResult, checkTarget, ScalingPoint, ScalingResult } from './report';
import { hasDefaultSettings, summarise, SystemRun } from './summary';
import { cachedRun, cachedRuns } from './systems/cache';
import { RunContext } from './systems/context';
import { runExact } from './systems/exact';
import { runHnsw } from './systems/hnsw';
import { buildOriginalModels, buildWhiplashModel, runOriginalModel, runWhiplashModel } from './systems/model';
import { runOriginal } from './systems/original';
import { calibratedLists, listsModelOf, listsParams, runListsModel } from './systems/lists-model';
import { runWhiplash, SweepPoint, whiplashLists } from './systems/whiplash';
import { validate, Validation } from './validate';
import { servedQueries } from './warm-up';

/**
 * Systems: Whiplash on DynamoDB Local, the original whiplash layout, an exact scan, HNSW in
 * memory (hnswlib-node), and the cost models of Whiplash's and the original layout's query.
 */
export const SYSTEMS = ['whiplash', 'original', 'exact', 'hnsw', 'model', 'original-model'] as const;
/** Systems that need DynamoDB Local. */
const ON_DYNAMODB: readonly SystemName[] = ['whiplash', 'original', 'exact'];
export type SystemName = (typeof SYSTEMS)[number];

/** `--quick`: small sizes, for a short run. */
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
  /** Whiplash's index method; given, the run is not "default settings". @default the store's (`checkIndexMethod`: k-means lists for cosine and euclidean) */
  readonly indexMethod?: 'lsh' | 'ivf';
  /** With k-means lists: the list size; given, the run is not "default settings". @default the store's */
  readonly listSize?: number;
  /**
   * Queries Whiplash serves before the measured ones, as a collection in service has: k-means lists
   * calibrate their nprobe on them, hash tables their plans. @default DEFAULT_WARM_QUERIES from the
   * data set's queries after the measured ones (none when it has none)
   */
  readonly warmQueries?: number;
  /** What the warm-up queries are: base vectors (evenly spaced), or the data set's queries after the measured ones. @default 'queries' */
  readonly warmFrom?: 'base' | 'queries';
  readonly probes?: number[];
  /** Cost model only: sweep of the index's recall target (the plans re-made from the same profile). */
  readonly recallTargets?: number[];
  readonly rerank?: number[];
  readonly seed: number;
  readonly ingestConcurrency: number;
  readonly originalConcurrency: number;
  /** @default min(queries, 100) */
  readonly originalQueries?: number;
  readonly originalSeeds: number[];
  readonly endpoint?: string;
  readonly cache: boolean;
  /** HNSW efSearch values; the first is its reference point. @default [64, 10, 32, 128, 256] */
  readonly ef?: number[];
  /** Collection sizes (first N base vectors) at which the model systems also run, for the growth fit. */
  readonly scale?: number[];
}

/**
 * Warm-up queries by default: the most it takes one instance's wide reads to fill a collection's
 * calibration window of the lists (`QUERIES_TO_FILL`) and the one whose round trips join the last
 * of them, so that the measured queries meet the window full.
 */
export const DEFAULT_WARM_QUERIES = QUERIES_TO_FILL + 1;

/** HNSW's efSearch sweep: the 64 first, then the data sets README's other columns. */
export const DEFAULT_EF = [64, 10, 32, 128, 256];

/** The sweep: the defaults first, then every combination of the listed overrides, then each recall target (cost model only). */
export function sweepPoints(probes?: number[], rerank?: number[], recallTargets?: number[]): SweepPoint[] {
  const points: SweepPoint[] = [{}];
  if (probes || rerank) {
    for (const p of probes ?? [undefined]) {
      for (const r of rerank ?? [undefined]) {
        points.push({ ...(p !== undefined ? { probes: p } : {}), ...(r !== undefined ? { rerank: r } : {}) });
      }
    }
  }
  for (const t of recallTargets ?? []) points.push({ recallTarget: t });
  return points;
}

/**
 * Short commit of the repository, `+uncommitted` when code that decides the figures differs from
 * it: the core, the store, DynamoDB Local's launcher and this benchmark (not its results, nor the
 * cost, Lambda, gateway and load benchmarks beside it).
 */
export function gitCommit(): string {
  try {
    const sha = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: REPO_ROOT, encoding: 'utf8' }).trim();
    // Other benchmarks (cost, Lambda, gateway, load) and the cache do not decide these figures.
    const others = ['bench/results', 'bench/cost', 'bench/lambda', 'bench/gateway', 'bench/load'].map((p) => `:!${p}`);
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'lambda/core', 'lambda/store', 'lib/local/dynamodb-local.ts', 'bench', ...others], { cwd: REPO_ROOT, encoding: 'utf8' }).trim();
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

  // warm-up queries from the data set's queries are the ones after the measured ones
  const warmQueries = o.warmQueries ?? DEFAULT_WARM_QUERIES;
  const warmFromQueries = (o.warmFrom ?? 'queries') === 'queries' && warmQueries > 0 ? warmQueries : 0;
  const loaded = loadDataset(o.dataset, { dataDir: o.dataDir, size, queries: queryCount + warmFromQueries, baseFile: o.base, queryFile: o.queryFile, metric: o.metric, log });
  const ds = warmFromQueries > 0 ? { ...loaded, queries: headRows(loaded.queries, queryCount) } : loaded;
  const warm = warmFromQueries > 0 && loaded.queries.rows > ds.queries.rows ? { rows: loaded.queries.rows - ds.queries.rows, dim: ds.dim, data: loaded.queries.data.subarray(ds.queries.rows * ds.dim) } : undefined;
  if (warmFromQueries > 0 && !warm && o.warmQueries !== undefined) throw new Error(`${ds.name} has ${loaded.queries.rows} queries: the ${queryCount} measured leave none to warm up with`);
  if (warmFromQueries > 0 && !warm) log(`${ds.name} has no queries after the ${queryCount} measured: no warm-up`);
  if (warm && warmFromQueries > warm.rows) log(`${ds.name} has ${warm.rows} queries after the ${queryCount} measured: the ${warmFromQueries} warm-up queries serve them in rounds, each in another order`);
  // the queries the warm-up serves, in order: what a store in lists calibrates on
  const served = warm && servedQueries(warm, warmQueries);
  // the store's own choice of index for this data set and these settings
  const lists = checkIndexMethod(o.indexMethod, ds.metric, o.index) === 'ivf';
  const indexGiven = (o.index !== undefined && Object.keys(o.index).length > 0) || o.indexMethod !== undefined || o.listSize !== undefined;
  log(`${ds.name}: ${ds.base.rows} x ${ds.dim} base, ${ds.queries.rows} queries, ${ds.metric}, from ${ds.source}`);
  const gtK = Math.max(o.k, 10);
  const gt = truth(ds, gtK);
  const refKey = groundTruthKey(ds, gtK);

  const runs: SystemRun[] = [];
  let storeLists: ListsLayout | undefined;
  let engine = 'in process (no DynamoDB)';
  if (o.systems.some((s) => ON_DYNAMODB.includes(s))) {
    let ddb: DynamoDBLocalHandle | undefined;
    const onSigint = () => {
      log('interrupted: stopping DynamoDB Local');
      void (ddb?.stop() ?? Promise.resolve()).finally(() => process.exit(130));
    };
    process.once('SIGINT', onSigint);
    engine = `DynamoDB at ${o.endpoint}`;
    try {
      let endpoint = o.endpoint;
      if (!endpoint) {
        ddb = await startDynamoDBLocal({ engine: 'java' });
        endpoint = ddb.endpoint;
        engine = 'DynamoDB Local (java, in memory)';
        log(`DynamoDB Local at ${endpoint}`);
      }
      const newClient = () => storeClient({ ...LOCAL_CLIENT_CONFIG, endpoint });
      const client = newClient();
      const ctx: RunContext = { client, newClient, dataset: ds, gt, k: o.k, tablePrefix: `bench${Date.now().toString(36)}-` };
      if (o.systems.includes('whiplash')) {
        runs.push(...(await runWhiplash(ctx, { index: o.index, indexMethod: o.indexMethod, listSize: o.listSize, warmQueries: warmFromQueries > 0 ? 0 : warmQueries, warm: served, seed: o.seed, ingestConcurrency: o.ingestConcurrency, sweep: sweepPoints(o.probes, o.rerank, o.recallTargets) })));
        // the lists the model prices its queries on, read before DynamoDB Local stops
        if (lists && o.systems.includes('model')) storeLists = await whiplashLists(ctx);
      }
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
  }

  const ef = o.ef && o.ef.length > 0 ? o.ef : DEFAULT_EF;
  if (o.systems.includes('hnsw')) {
    const ctx = { dataset: ds, gt, k: o.k } as RunContext;
    runs.push(...(await cachedRuns(`hnsw-${refKey}-m16-efc200-ef${ef.join('.')}`, o.cache, async () => runHnsw(ctx, { ef }), log)));
  }

  const validations: Validation[] = [];
  const modelOf = !lists && (o.systems.includes('model') || (o.scale?.length ?? 0) > 0) ? buildWhiplashModel(ds, o.index, o.seed) : undefined;
  if (o.systems.includes('model')) {
    const real = runs.filter((r) => r.system === 'whiplash');
    const modelRuns = modelOf ? runWhiplashModel(ds, modelOf, o.k, sweepPoints(o.probes, o.rerank, o.recallTargets), ds.base.rows, gt) : listsModelRuns(ds, o, real, storeLists, served, gt);
    runs.push(...modelRuns);
    real.forEach((r, i) => validations.push(validate(r, modelRuns[i])));
  }
  const originalModels = o.systems.includes('original-model') || (o.scale?.length ?? 0) > 0 ? buildOriginalModels(ds, o.originalSeeds) : undefined;
  if (originalModels && o.systems.includes('original-model')) {
    const realOriginal = runs.find((r) => r.system === 'original');
    const run = runOriginalModel(ds, originalModels, o.k, realOriginal ? originalQueries : queryCount);
    runs.push(run);
    if (realOriginal) validations.push(validate(realOriginal, run));
  }

  let scaling: ScalingResult | undefined;
  if (o.scale && o.scale.length > 0 && (modelOf || lists) && originalModels) {
    if (lists && !served) throw new Error('--scale with k-means lists calibrates nprobe on served queries: it needs warm-up queries from the data set (--warm-from queries)');
    const space = lists ? clusteringSpace(ds.base, ds.metric) : undefined;
    const sizes = [...new Set([...o.scale.filter((n) => n < ds.base.rows), ds.base.rows])].sort((a, b) => a - b);
    const points: ScalingPoint[] = [];
    for (const n of sizes) {
      const sub: Dataset = { ...ds, base: headRows(ds.base, n) };
      const subGt = truth(sub, gtK);
      const dOf = (q: number, id: number) => distance(ds.metric, row(ds.queries, q), row(ds.base, id));
      const whiplashAt = modelOf ? runWhiplashModel(sub, modelOf, o.k, [{}], n)[0] : calibratedListsRuns(sub, n, served!, o, [{}], undefined, space)[0];
      for (const run of [whiplashAt, runOriginalModel(sub, originalModels, o.k, queryCount, n)]) {
        const s = summarise(run, subGt, o.k, dOf);
        points.push({ n, system: run.system, label: run.label, recall: s.recall, readUnits: s.readUnits, candidates: s.candidates, bytesRead: s.bytesRead ?? NaN, depth: run.settings.depth as number | undefined });
      }
      log(`scaling: ${n} vectors done`);
    }
    const fits = Object.fromEntries(
      [...new Set(points.map((p) => p.system))].map((system) => {
        const ps = points.filter((p) => p.system === system);
        return [system, { readUnits: fitPowerLaw(ps.map((p) => p.n), ps.map((p) => p.readUnits)), candidates: fitPowerLaw(ps.map((p) => p.n), ps.map((p) => p.candidates)) }];
      }),
    );
    scaling = { queries: ds.queries.rows, points, fits };
  }

  const distanceOf = (q: number, id: number) => distance(ds.metric, row(ds.queries, q), row(ds.base, id));
  const systems = runs.map((r) => summarise(r, gt, o.k, distanceOf));
  const recallOfLabel = (label: string) => systems.find((x) => x.label === label)?.recall;
  const validation = validations.map((v) => ({ ...v, measuredRecall: recallOfLabel(v.measured), modelRecall: recallOfLabel(v.model) }));
  // The target compares Whiplash and the original on the queries both ran (the original runs fewer).
  const commonQueries = measuredCommon(runs) ? originalQueries : queryCount;
  const common = (r: SystemRun) => summarise({ ...r, queries: r.queries.filter((x, i) => (x.q ?? i) < commonQueries) }, gt, o.k, distanceOf);
  // The target on measured figures where both ran on DynamoDB Local, else on the models.
  const measured = measuredCommon(runs);
  const wlDefault = runs.find((r) => r.system === (measured ? 'whiplash' : 'model') && hasDefaultSettings(r));
  const orig = runs.find((r) => r.system === (measured ? 'original' : 'original-model'));
  const overridden = indexGiven;
  // With index overrides the target is still checked, marked as not the default settings.
  const target = () => {
    const t = wlDefault && orig ? checkTarget(ds.name, ds.base.rows, common(wlDefault), common(orig), measured ? 'measured' : 'model') : undefined;
    return t && overridden ? { ...t, indexOverrides: { ...o.index, ...(o.indexMethod ? { indexMethod: o.indexMethod } : {}), ...(o.listSize === undefined ? {} : { listSize: o.listSize }) } } : t;
  };
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
    target: target(),
    settings: { seed: o.seed, index: o.index ?? {}, indexMethod: lists ? 'ivf' : 'lsh', ...(o.listSize === undefined ? {} : { listSize: o.listSize }), ...(indexGiven ? { indexGiven } : {}), probes: o.probes, rerank: o.rerank, recallTargets: o.recallTargets, originalSeeds: o.originalSeeds, ef: o.systems.includes('hnsw') ? ef : undefined, scale: o.scale },
    ...(validation.length > 0 ? { validation } : {}),
    ...(scaling ? { scaling } : {}),
  };
}

/**
 * The lists cost model's runs ('model') at the sweep points of `o`: on the store's own lists
 * (`storeLists`), each query at the nprobe the store's query read, when Whiplash ran; else on
 * lists grown and calibrated as a store's on the `served` queries. A recall target sweep does not
 * apply to lists (their nprobe is calibrated, not planned).
 * @throws Error when neither the store's lists nor served queries are there
 */
function listsModelRuns(ds: Dataset, o: BenchOptions, real: readonly SystemRun[], storeLists: ListsLayout | undefined, served: Matrix | undefined, gt: GroundTruth): SystemRun[] {
  const params = listsParams(o.index, ds.dim);
  const sweep = sweepPoints(o.probes, o.rerank);
  if (storeLists && real.length === sweep.length) {
    const model = listsModelOf(ds, params, o.seed, storeLists);
    const note = `priced on the store's own ${storeLists.lists.count} lists (read from DynamoDB Local after its run), each query at the nprobe the store's query read.`;
    return sweep.flatMap((point, i) => runListsModel(ds, model, o.k, [point], (q) => real[i].queries[q].probes!, note, gt));
  }
  if (!served) throw new Error('the lists model calibrates nprobe on served queries: run it with whiplash, or with warm-up queries from the data set (--warm-from queries)');
  return calibratedListsRuns(ds, ds.base.rows, served, o, sweep, gt);
}

/**
 * The lists model on the first `n` base vectors of `sub`, its lists grown and nprobe calibrated as a
 * store's on the `served` queries (`calibratedLists`), at each sweep point: the model system
 * without a store run, and each point of `--scale`.
 */
function calibratedListsRuns(sub: Dataset, n: number, served: Matrix, o: BenchOptions, sweep: readonly SweepPoint[], gt?: GroundTruth, space?: Float32Array): SystemRun[] {
  const c = calibratedLists(sub, n, served, { params: listsParams(o.index, sub.dim), seed: o.seed, listSize: o.listSize, space });
  const note = `${c.lists} lists grown and nprobe calibrated (mean ${c.nprobe.toFixed(2)}) as a store's, on ${served.rows} served queries (calibratedLists).`;
  return runListsModel(sub, c.model, o.k, sweep, (q) => queryNprobe(c.nprobe, row(sub.queries, q)), note, gt);
}

/** True when Whiplash (defaults) and the original layout both ran on DynamoDB Local: the target is then checked on them. */
function measuredCommon(runs: readonly SystemRun[]): boolean {
  return runs.some((r) => r.system === 'whiplash' && hasDefaultSettings(r)) && runs.some((r) => r.system === 'original');
}

/** The exact top-k of a data set, cached (see `groundTruth`), with a progress bar. */
function truth(ds: Dataset, k: number): GroundTruth {
  const bar = progress(`ground truth n=${ds.base.rows}`, ds.queries.rows);
  const gt = groundTruth(ds, k, { onProgress: (d) => bar.update(d), log });
  bar.stop();
  return gt;
}
