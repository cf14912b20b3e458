// Where a store's calibrated nprobe lands, and why: a collection in k-means lists run as the
// benchmark runs it, then its lists, window and share read back and priced by the lists model.
/**
 * `npx tsx bench/explore/ivf-store-calibration.ts --help`. Nothing here changes the store. The
 * store ingests the base and serves the benchmark's warm-up (`servedQueries` of the queries after
 * the measured ones) and the measured queries, on DynamoDB Local, as `npm run bench` does. Its
 * lists, its calibration window and the share the window set are then read back, and the lists
 * model (`ListsModel`, equal to the store query by query) prices, at that share:
 * - the measured queries (the benchmark's recall) and the distinct warm-up queries (those the window
 *   sampled): a gap between the two is the measured set's own draw, not the calibration's;
 * - the window's own estimate (its share of found results at the setting, and that times one less
 *   `referenceMiss`), against what the window aimed at;
 * - every distinct warm-up query read wide at the store's width: the neighbours wide reads missed
 *   against `referenceMiss`'s estimate, and the share that all of them set;
 * - the measured queries the store itself read wide (one in `RECALIBRATION_EVERY`), and its recall without them;
 * - recall@10 at each whole nprobe, measured and warm-up queries, and at the setting with every
 *   query reading the mix in proportion (against the queries `queryNprobe` picks).
 */
import { Command } from 'commander';
import { calibratedShare, calibrationWidth, CalibrationQuery, foundShares, referenceMiss, windowMargin } from '../../lambda/core/list-calibration';
import { nprobeOf, queryNprobe } from '../../lambda/core/nprobe';
import { storeClient } from '../../lambda/store/store-client';
import { int } from '../../lib/cli/parse';
import { LOCAL_CLIENT_CONFIG, startDynamoDBLocal } from '../../lib/local/dynamodb-local';
import { DEFAULT_WARM_QUERIES } from '../benchmark';
import { DATASET_NAMES, DatasetName, headRows, loadDataset, Matrix, row } from '../datasets';
import { distance } from '../distance';
import { exactTopK, GroundTruth } from '../ground-truth';
import { log } from '../progress';
import { mean, recallAgainst } from '../recall';
import { listOfRows, listsModelOf, listsParams, wideRead } from '../systems/lists-model';
import { runWhiplash, whiplashLists, whiplashWindow } from '../systems/whiplash';
import { servedQueries } from '../warm-up';

async function main(): Promise<void> {
  const o = new Command()
    .name('ivf-store-calibration')
    .description("Issue #17: a store's calibrated nprobe against its own window, on its own lists")
    .option('--dataset <name>', `data set (${DATASET_NAMES.join(', ')})`, 'mnist-digits')
    .option('--queries <n>', "queries measured: the data set's first", int(1), 300)
    .option('--warm-queries <n>', 'warm-up queries, served from those after the measured ones', int(1), DEFAULT_WARM_QUERIES)
    .option('--seed <n>', "the collection's seed", int(1), 1)
    .option('--ingest-concurrency <n>', 'upsert calls in flight', int(1), 2)
    .parse()
    .opts<{ dataset: DatasetName; queries: number; warmQueries: number; seed: number; ingestConcurrency: number }>();
  const loaded = loadDataset(o.dataset, { queries: o.queries + o.warmQueries, log });
  const ds = { ...loaded, queries: headRows(loaded.queries, o.queries) };
  const pool: Matrix = { rows: loaded.queries.rows - o.queries, dim: ds.dim, data: loaded.queries.data.subarray(o.queries * ds.dim) };
  if (pool.rows === 0) throw new Error(`${ds.name} has ${loaded.queries.rows} queries: none left after the ${o.queries} measured`);
  const { base, metric } = ds;
  const gt = exactTopK(base, ds.queries, 10, metric);
  const poolGt = exactTopK(base, pool, 10, metric);

  const ddb = await startDynamoDBLocal({ engine: 'java' });
  let store;
  try {
    const newClient = () => storeClient({ ...LOCAL_CLIENT_CONFIG, endpoint: ddb.endpoint });
    const ctx = { client: newClient(), newClient, dataset: ds, gt, k: 10, tablePrefix: `explore${Date.now().toString(36)}-` };
    const [run] = await runWhiplash(ctx, { warm: servedQueries(pool, o.warmQueries), seed: o.seed, ingestConcurrency: o.ingestConcurrency });
    store = { run, layout: await whiplashLists(ctx), window: await whiplashWindow(ctx) };
    ctx.client.destroy();
  } finally {
    await ddb.stop();
  }
  const { run, layout, window } = store;
  if (!layout || layout.share === undefined) throw new Error('the collection is not in calibrated k-means lists');
  const params = listsParams({}, ds.dim);
  const target = params.recallTarget;
  const model = listsModelOf(ds, params, o.seed, layout);
  const K = layout.lists.count;
  const nprobe = nprobeOf(layout.share, K);

  const recallOf = (queries: Matrix, truth: GroundTruth, n: (q: number) => number): number =>
    mean(Array.from({ length: queries.rows }, (_, q) => {
      const query = row(queries, q);
      return recallAgainst(truth, q, model.query(query, { topK: 10, nprobe: n(q) }).ids, 10, (id) => distance(metric, query, row(base, id)));
    }));
  const atShare = (share: number) => (queries: Matrix) => (q: number) => queryNprobe(nprobeOf(share, K), row(queries, q));
  const storeRecalls = run.queries.map((r, q) => recallAgainst(gt, q, r.ids, 10, (id) => distance(metric, row(ds.queries, q), row(base, id))));
  const storeRecall = mean(storeRecalls);
  // the measured queries the store read wide (more lists than any narrow read of the setting)
  const wideMeasured = run.queries.map((r, q) => (r.probes! > Math.ceil(nprobe) ? q : -1)).filter((q) => q >= 0);

  const miss = referenceMiss(window, K);
  const margin = windowMargin(window, K, target);
  const found = mean(foundShares(window, nprobe));
  const widths = new Map<number, number>();
  window.forEach((q) => widths.set(q.width, (widths.get(q.width) ?? 0) + 1));
  console.log(`${ds.name}, seed ${o.seed}: ${base.rows} vectors in ${K} lists; share ${layout.share.toFixed(4)} (mean nprobe ${nprobe.toFixed(2)}) set on ${window.length} calibration queries (widths ${[...widths].sort((a, b) => a[0] - b[0]).map(([w, c]) => `${w}: ${c}`).join(', ')}); the window's own setting ${nprobeOf(calibratedShare(window, K, target), K).toFixed(2)}`);
  console.log(`window: aim ${target} + margin ${margin.toFixed(4)} over 1 - referenceMiss ${miss.toFixed(4)} = ${Math.min(1, (target + margin) / (1 - miss)).toFixed(4)}; found at the setting ${found.toFixed(4)}, estimated recall ${(found * (1 - miss)).toFixed(4)}`);
  console.log(`recall@10 at the setting: store on the ${ds.queries.rows} measured ${storeRecall.toFixed(4)} (${wideMeasured.length} of them read wide; the others alone ${mean(storeRecalls.filter((_, q) => !wideMeasured.includes(q))).toFixed(4)}); model on the measured ${recallOf(ds.queries, gt, atShare(layout.share)(ds.queries)).toFixed(4)}, on the ${pool.rows} warm-up queries ${recallOf(pool, poolGt, atShare(layout.share)(pool)).toFixed(4)}`);

  const width = calibrationWidth(nprobe, K);
  const listOf = listOfRows(layout.members, base.rows);
  const wide: CalibrationQuery[] = [];
  let missed = 0;
  for (let i = 0; i < pool.rows; i++) {
    const { read, rank } = wideRead(model, listOf, row(pool, i), width);
    wide.push(read);
    missed += Array.from(poolGt.ids.subarray(i * 10, i * 10 + 10)).filter((r) => rank[listOf[r]] >= width).length / 10;
  }
  const all = calibratedShare(wide, K, target);
  console.log(`found at the setting: the window ${found.toFixed(4)}, every warm-up query ${mean(foundShares(wide, nprobe)).toFixed(4)}`);
  console.log(`every warm-up query read wide (${width} lists): missed ${(missed / pool.rows).toFixed(4)} of the exact top 10, referenceMiss estimates ${referenceMiss(wide, K).toFixed(4)}; their setting ${nprobeOf(all, K).toFixed(2)}: recall@10 on the measured ${recallOf(ds.queries, gt, atShare(all)(ds.queries)).toFixed(4)}, on the warm-up queries ${recallOf(pool, poolGt, atShare(all)(pool)).toFixed(4)}`);
  console.log('whole nprobe | recall@10 measured | warm-up');
  const curve = Array.from({ length: Math.min(K, Math.ceil(2 * nprobe)) }, (_, i) => [recallOf(ds.queries, gt, () => i + 1), recallOf(pool, poolGt, () => i + 1)]);
  curve.forEach(([m, w], i) => console.log(`${i + 1} | ${m.toFixed(4)} | ${w.toFixed(4)}`));
  // the recall a fraction f of all queries reading one list more would give, against the queries `queryNprobe` picks
  const whole = Math.floor(nprobe);
  const f = nprobe - whole;
  const mix = (j: number) => (whole < K ? (1 - f) * curve[whole - 1][j] + f * curve[whole][j] : curve[whole - 1][j]);
  console.log(`at the setting, every query reading ${whole} lists and the fraction ${f.toFixed(2)} one more in proportion: measured ${mix(0).toFixed(4)}, warm-up ${mix(1).toFixed(4)}`);
}

void main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
