// The original-layout system: loads it into DynamoDB once per hyperplane seed and runs the queries against each.
import { row } from '../datasets/types';
import { distance } from '../distance';
import { ORIGINAL_DEFAULTS, OriginalParams } from '../original/hashing';
import { OriginalLayout } from '../original/layout';
import { ensureOriginalTables, originalTableNames } from '../original/tables';
import { log, progress } from '../progress';
import { mean } from '../recall';
import { QueryRecord, recallOf, SystemRun } from '../summary';
import { RunContext } from './context';

export interface OriginalRunOptions {
  /** Layout parameters other than the seed. @default 6 tables of 8..18 bits */
  readonly params?: Partial<Omit<OriginalParams, 'seed'>>;
  /**
   * Hyperplane seeds: the layout is built and queried once per seed and the figures averaged,
   * as the reference figures (mean of 3 seeds): one seed's recall and read units vary a lot.
   * @default [1, 2, 3]
   */
  readonly seeds?: readonly number[];
  /** Candidate BatchGetItem calls in flight (see {@link OriginalLayout.fetchConcurrency}). @default 1 */
  readonly fetchConcurrency?: number;
  /** Run only the first N queries. @default all */
  readonly queries?: number;
}

/**
 * Loads the data set into the original whiplash layout on DynamoDB, once per hyperplane seed (the
 * vector table is shared, each seed has its own bucket table), and runs the first
 * `opts.queries` queries against each.
 * @returns the run (records of every seed, `q` numbering the query) and the vector table, which
 *   the exact-scan system reads.
 */
export async function runOriginal(ctx: RunContext, opts: OriginalRunOptions = {}): Promise<{ run: SystemRun; vectorTable: string }> {
  const { dataset: ds } = ctx;
  const seeds = opts.seeds && opts.seeds.length > 0 ? opts.seeds : [1, 2, 3];
  const nq = Math.min(ds.queries.rows, opts.queries ?? ds.queries.rows);
  const fc = Math.max(1, opts.fetchConcurrency ?? 1);
  const queries: QueryRecord[] = [];
  const perSeed: string[] = [];
  let seconds = 0;
  let vectorTable = '';
  let params: OriginalParams = ORIGINAL_DEFAULTS;
  for (const [si, seed] of seeds.entries()) {
    params = { ...ORIGINAL_DEFAULTS, ...opts.params, seed };
    const tables = originalTableNames(ctx.tablePrefix, seed);
    vectorTable = tables.vectors;
    await ensureOriginalTables(ctx.client, tables);
    const layout = new OriginalLayout(ctx.client, tables, ds.dim, ds.metric, params, fc);

    const t0 = performance.now();
    let bar: ReturnType<typeof progress> | undefined;
    let phase = '';
    const loaded = await layout.load(ds.base, {
      vectors: si === 0,
      onProgress: (p, done, total) => {
        if (p !== phase) {
          bar?.stop();
          phase = p;
          bar = progress(`original seed ${seed}: load ${p}`, total);
        }
        bar?.update(done);
      },
    });
    bar?.stop();
    const s = (performance.now() - t0) / 1000;
    if (si === 0) {
      seconds = s;
    }
    log(`original seed ${seed}: ${si === 0 ? `${ds.base.rows} vectors and ` : ''}${loaded.bucketItems} bucket items (largest ${loaded.largestBucket} ids) in ${s.toFixed(1)} s`);

    const mine: QueryRecord[] = [];
    const qbar = progress(`original seed ${seed}: queries`, nq);
    for (let q = 0; q < nq; q++) {
      const t = performance.now();
      const res = await layout.query(row(ds.queries, q), ctx.k);
      mine.push({ q, ids: res.ids, ms: performance.now() - t, ...res.stats, reranked: res.stats.candidates });
      qbar.update(q + 1);
    }
    qbar.stop();
    const recall = mean(mine.map((r, i) => recallOf(ctx.gt, r, i, ctx.k, (qq, id) => distance(ds.metric, row(ds.queries, qq), row(ds.base, id)))));
    perSeed.push(`seed ${seed}: recall@${ctx.k} ${recall.toFixed(3)}, ${mean(mine.map((r) => r.candidates)).toFixed(0)} candidates, ${mean(mine.map((r) => r.readUnits)).toFixed(0)} read units`);
    queries.push(...mine);
  }
  return {
    vectorTable,
    run: {
      system: 'original',
      label: seeds.length > 1 ? `original whiplash layout (mean of ${seeds.length} seeds)` : `original whiplash layout (seed ${seeds[0]})`,
      settings: {
        nPlanes: params.nPlanes,
        bitStart: params.bitStart,
        bitScaleFactor: params.bitScaleFactor,
        seeds,
        tableBits: Array.from({ length: params.nPlanes }, (_, t) => Math.trunc(params.bitStart + t * params.bitScaleFactor)),
        vectorEncoding: 'float32 bytes (B)',
        fetchConcurrency: fc,
      },
      // Write units of a bulk load are not the original's insert path: left out of the figures.
      ingest: { vectors: ds.base.rows, seconds },
      queries,
      notes: [
        "original: 6 tables of 8..18 bits in one shared bucket key space (base36 of the code), one item per bucket holding a string set of ids; every candidate's full vector (float32 bytes, as the original stored it) fetched with BatchGetItem, 100 keys per call; exact re-rank with the data set's metric.",
        `original: ${perSeed.join('; ')}.`,
        `original: round trips count the original's sequential calls (1 bucket BatchGetItem + one per 100 candidates)${fc > 1 ? `; the benchmark ran ${fc} candidate fetches in flight, so its latency is lower than the original's` : ''}. The per-request read of its metadata item (30-50 read units) is not counted.`,
        "original: its ingest here is a bulk load (each bucket item written once), not the original's one-ADD-per-insert path, so its ingest rate and write units are not the original's.",
      ],
    },
  };
}
