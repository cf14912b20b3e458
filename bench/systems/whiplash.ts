// The Whiplash system: ingests the base vectors through WhiplashStore and runs every query at each sweep point.
import type { CollectionInfo, IndexParams, VectorInput } from '../../lambda/core/types';
import { ensureTables } from '../../lambda/store/local-tables';
import { prefixedTableNames } from '../../lambda/store/table-definitions';
import { WhiplashStore } from '../../lambda/store/store';
import { Matrix, row } from '../datasets/types';
import { attachCapacityMeter } from '../meter';
import { log, progress } from '../progress';
import { QueryRecord, storeQueryRecord, SystemRun } from '../summary';
import { BENCH_PROJECT, collectionName, RunContext } from './context';
import { readStoreLists, readStoreWindow } from './store-lists';
import type { ListsLayout } from '../model/lists-model';
import type { CalibrationQuery } from '../../lambda/core/list-calibration';
import { probesText } from './probes-text';
import { mapLimit } from '../../lambda/core/concurrency';

/** Per-query overrides of one sweep point (absent: the collection's own setting). */
export interface SweepPoint {
  readonly probes?: number;
  readonly rerank?: number;
  /** Cost model only: the plans the store would make for this recall target (`planTableForIndex`). */
  readonly recallTarget?: number;
}

export interface WhiplashRunOptions {
  /** Index parameters at collection creation (absent: the store's defaults). */
  readonly index?: Partial<IndexParams>;
  /** How the index groups vectors: random-hyperplane hash tables, or k-means lists (the store's `indexMethod`). @default the store's */
  readonly indexMethod?: 'lsh' | 'ivf';
  /** With `indexMethod` 'ivf': entries a list holds before it splits. @default the store's */
  readonly listSize?: number;
  /**
   * Base vectors (evenly spaced) the collection serves as queries before the measured ones, when
   * there is no `warm`: what a collection in k-means lists calibrates its nprobe on. @default 0
   */
  readonly warmQueries?: number;
  /** The warm-up queries, every row served in order (the benchmark's `servedQueries`); absent: `warmQueries` base vectors. */
  readonly warm?: Matrix;
  /** Hyperplane seed. @default 1 */
  readonly seed?: number;
  /** Vectors per `upsert` call (the API's batch limit is 500). @default 500 */
  readonly batchSize?: number;
  /** `upsert` calls in flight. @default 1 */
  readonly ingestConcurrency?: number;
  /** Query settings to measure on the same collection; the first `{}` is the default settings. @default [{}] */
  readonly sweep?: readonly SweepPoint[];
}

/**
 * Whiplash through its store (`WhiplashStore`, the same code the Lambda handlers run): creates a
 * collection, upserts the base vectors (row i gets id `String(i)`), then runs every query at each
 * sweep point, recording the store's own `QueryStats`.
 */
export async function runWhiplash(ctx: RunContext, opts: WhiplashRunOptions = {}): Promise<SystemRun[]> {
  const { dataset: ds } = ctx;
  const client = ctx.newClient();
  const meter = attachCapacityMeter(client);
  const tables = whiplashTables(ctx);
  await ensureTables(client, tables);
  const store = new WhiplashStore({ client, tables });
  await store.createProject({ projectId: BENCH_PROJECT, name: 'benchmark' });
  const name = collectionName(ds);
  const method = { ...(opts.indexMethod ? { indexMethod: opts.indexMethod } : {}), ...(opts.listSize === undefined ? {} : { listSize: opts.listSize }) };
  await store.createCollection(BENCH_PROJECT, { name, dimension: ds.dim, metric: ds.metric, index: opts.index, seed: opts.seed ?? 1, ...method });

  const batchSize = opts.batchSize ?? 500;
  const batches: VectorInput[][] = [];
  for (let i = 0; i < ds.base.rows; i += batchSize) {
    const batch: VectorInput[] = [];
    for (let j = i; j < Math.min(ds.base.rows, i + batchSize); j++) batch.push({ id: String(j), vector: row(ds.base, j) });
    batches.push(batch);
  }
  const bar = progress('whiplash: upsert', ds.base.rows);
  let done = 0;
  meter.reset();
  const t0 = performance.now();
  const upsert = async (batch: VectorInput[]) => {
    await store.upsert(BENCH_PROJECT, name, batch);
    done += batch.length;
    bar.update(done);
  };
  // The first batch alone: the store derives collection-wide state (the centre) from its first
  // upsert, so racing batches would make runs with the same seed differ.
  if (batches.length > 0) await upsert(batches[0]);
  await mapLimit(batches.slice(1), opts.ingestConcurrency ?? 1, upsert);
  bar.stop();
  const seconds = (performance.now() - t0) / 1000;
  const writeUnits = meter.writeUnits;
  const warm = opts.warm ? opts.warm.rows : Math.min(opts.warmQueries ?? 0, ds.base.rows);
  // the warm-up's read units: in k-means lists, what filling the calibration window costs
  meter.reset();
  if (warm > 0) {
    const wbar = progress(`whiplash: warm-up queries (${opts.warm ? 'the data set\'s queries after the measured ones' : 'base vectors'})`, warm);
    for (let i = 0; i < warm; i++) {
      const vector = opts.warm ? row(opts.warm, i) : row(ds.base, Math.floor((i * ds.base.rows) / warm));
      await store.query(BENCH_PROJECT, name, { vector, topK: ctx.k });
      wbar.update(i + 1);
    }
    wbar.stop();
  }
  const warmReadUnits = warm > 0 ? meter.readUnits / warm : undefined;
  const info = await store.getCollection(BENCH_PROJECT, name);
  log(`whiplash: ${ds.base.rows} vectors in ${seconds.toFixed(1)} s (${(ds.base.rows / seconds).toFixed(0)} vectors/s); index ${JSON.stringify(info.index)}`);

  const runs: SystemRun[] = [];
  // a recall target is fixed at creation: the store cannot sweep it per query (the cost model can)
  const perQuery = (opts.sweep ?? []).filter((p) => p.recallTarget === undefined);
  const sweep = perQuery.length > 0 ? perQuery : [{}];
  for (const point of sweep) {
    const label = ['whiplash', ...Object.entries(point).map(([k, v]) => `${k}=${v}`)].join(' ');
    const queries: QueryRecord[] = [];
    const qbar = progress(`${label}: queries`, ds.queries.rows);
    for (let q = 0; q < ds.queries.rows; q++) {
      meter.reset();
      const t = performance.now();
      const res = await store.query(BENCH_PROJECT, name, { vector: row(ds.queries, q), topK: ctx.k, ...point });
      const ms = performance.now() - t;
      queries.push(storeQueryRecord(res, meter, ms));
      qbar.update(q + 1);
    }
    qbar.stop();
    const storeRu = queries.reduce((a, r) => a + r.readUnits, 0);
    const meteredRu = queries.reduce((a, r) => a + (r.meteredReadUnits ?? 0), 0);
    const agree = Math.abs(storeRu - meteredRu) <= 1e-6 * Math.max(1, meteredRu);
    runs.push({
      system: 'whiplash',
      label: Object.keys(point).length === 0 ? 'whiplash (defaults)' : label,
      settings: { index: info.index, queryPlan: info.queryPlan, seed: info.seed, overrides: point, batchSize, ingestConcurrency: opts.ingestConcurrency ?? 1, ...indexOf(info, opts), ...(warm > 0 ? { warmQueries: warm, warmFrom: opts.warm ? 'queries' : 'base', warmReadUnits } : {}) },
      ingest: { vectors: ds.base.rows, seconds, writeUnits },
      queries,
      notes: [
        agree
          ? `${label}: the store's reported read units equal those the benchmark's own meter counted on every DynamoDB call of the client (ReturnConsumedCapacity TOTAL): ${(meteredRu / queries.length).toFixed(1)} per query.`
          : `${label}: MISMATCH: the store reported ${(storeRu / queries.length).toFixed(1)} read units per query, the benchmark's own meter on the client counted ${(meteredRu / queries.length).toFixed(1)}.`,
        info.indexMethod === 'ivf'
          ? `whiplash: k-means lists of up to ${info.listSize} vectors; at ${info.vectorCount.toLocaleString('en-US')} vectors a query reads ${info.queryPlan.probes} lists on average (nprobe, calibrated on the queries served${warm > 0 ? ', the warm-up included' : ''}; ${info.queryPlan.calibratedBy ?? 0} wide queries in its calibration window${warmReadUnits === undefined ? '' : `, filled by the ${warm.toLocaleString('en-US')} warm-up queries at ${warmReadUnits.toFixed(1)} read units each`}).`
          : `whiplash: the store's query plan at ${info.vectorCount.toLocaleString('en-US')} vectors${info.queryPlan.profiled ? " (from the first batch's data profile)" : ' (no profile: too small a first batch)'}: bucket depth ${info.queryPlan.depth}, ${probesText(info.queryPlan)}${info.queryPlan.expectedRecall !== undefined ? `, expected share of the top 10 among the candidates ${info.queryPlan.expectedRecall}` : ''}.`,
        `whiplash: through WhiplashStore (the code the Lambda handlers run); candidates, full vectors, read units and round trips are the store's own QueryStats (read units summed from ReturnConsumedCapacity TOTAL). Ingest: upsert batches of ${batchSize}, ${opts.ingestConcurrency ?? 1} in flight; write units counted by the benchmark's meter on the client.`,
      ],
    });
  }
  client.destroy();
  return runs;
}

/**
 * What a run's settings record of its index method: the collection's (`indexMethod`, with lists
 * `listSize`) and whether the run chose it (`indexMethodGiven`) or took the store's default.
 */
function indexOf(info: CollectionInfo, opts: WhiplashRunOptions) {
  return { indexMethod: info.indexMethod, ...(info.listSize === undefined ? {} : { listSize: info.listSize }), indexMethodGiven: opts.indexMethod !== undefined || opts.listSize !== undefined };
}

/** The tables of `runWhiplash`'s store in a run context. */
const whiplashTables = (ctx: RunContext) => prefixedTableNames(`${ctx.tablePrefix}wl-`);

/**
 * The k-means lists the collection of `runWhiplash` holds after its run (its tables stay until
 * the run's DynamoDB stops), for the lists cost model; undefined when it is in hash tables.
 */
export function whiplashLists(ctx: RunContext): Promise<ListsLayout | undefined> {
  return readStoreLists(ctx.client, whiplashTables(ctx), BENCH_PROJECT, collectionName(ctx.dataset));
}

/** The calibration window of the collection of `runWhiplash` after its run (`readStoreWindow`). */
export function whiplashWindow(ctx: RunContext): Promise<readonly CalibrationQuery[]> {
  return readStoreWindow(ctx.client, whiplashTables(ctx), BENCH_PROJECT, collectionName(ctx.dataset));
}
