import { row } from '../datasets/types';
import { ORIGINAL_DEFAULTS, OriginalParams } from '../original/hashing';
import { OriginalLayout } from '../original/layout';
import { ensureOriginalTables, originalTableNames } from '../original/tables';
import { log, progress } from '../progress';
import { QueryRecord, SystemRun } from '../summary';
import { RunContext } from './context';

/**
 * Loads the data set into the original whiplash layout on DynamoDB and runs the first
 * `opts.queries` queries (default: all).
 * @returns the run, and the layout (its vector table serves the exact-scan system).
 */
export async function runOriginal(ctx: RunContext, opts: { params?: Partial<OriginalParams>; fetchConcurrency?: number; queries?: number } = {}): Promise<{ run: SystemRun; layout: OriginalLayout }> {
  const params: OriginalParams = { ...ORIGINAL_DEFAULTS, ...opts.params };
  const tables = originalTableNames(ctx.tablePrefix);
  await ensureOriginalTables(ctx.client, tables);
  const { dataset: ds } = ctx;
  const layout = new OriginalLayout(ctx.client, tables, ds.dim, ds.metric, params, opts.fetchConcurrency ?? 1);

  const t0 = performance.now();
  let bar: ReturnType<typeof progress> | undefined;
  let phase = '';
  const loaded = await layout.load(ds.base, {
    onProgress: (p, done, total) => {
      if (p !== phase) {
        bar?.stop();
        phase = p;
        bar = progress(`original: load ${p}`, total);
      }
      bar?.update(done);
    },
  });
  bar?.stop();
  const seconds = (performance.now() - t0) / 1000;
  log(`original: ${ds.base.rows} vectors, ${loaded.bucketItems} bucket items (largest ${loaded.largestBucket} ids) in ${seconds.toFixed(1)} s`);

  const queries: QueryRecord[] = [];
  const nq = Math.min(ds.queries.rows, opts.queries ?? ds.queries.rows);
  const qbar = progress('original: queries', nq);
  for (let q = 0; q < nq; q++) {
    const t = performance.now();
    const res = await layout.query(row(ds.queries, q), ctx.k);
    queries.push({ ids: res.ids, ms: performance.now() - t, ...res.stats, reranked: res.stats.candidates });
    qbar.update(q + 1);
  }
  qbar.stop();
  const fc = layout.fetchConcurrency;
  return {
    layout,
    run: {
      system: 'original',
      label: 'original whiplash layout',
      settings: { ...params, tables: Array.from({ length: params.nPlanes }, (_, t) => params.bitStart + t * params.bitScaleFactor).join(','), vectorEncoding: 'float32 bytes (B)', fetchConcurrency: fc },
      ingest: { vectors: ds.base.rows, seconds, writeUnits: loaded.writeUnits },
      queries,
      notes: [
        'original: 6 tables of 8..18 bits in one shared bucket key space (base36 of the code), one item per bucket holding a string set of ids; every candidate\'s full vector (float32 bytes, as the original stored it) fetched with BatchGetItem, 100 keys per call; exact re-rank with the data set\'s metric.',
        `original: round trips count the original's sequential calls (1 bucket BatchGetItem + one per 100 candidates)${fc > 1 ? `; the benchmark ran ${fc} candidate fetches in flight, so its latency is lower than the original's` : ''}. The per-request read of its metadata item (30-50 read units) is not counted.`,
        'original: its ingest here is a bulk load (each bucket item written once), not the original\'s one-ADD-per-insert path, so its ingest rate and write units are not the original\'s.',
      ],
    },
  };
}
