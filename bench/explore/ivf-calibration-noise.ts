// How far the recall of a calibrated nprobe strays from the recall target, by the number of
// calibration queries a setting rests on: lists grown and settled as a store's, windows resampled.
/**
 * `npx tsx bench/explore/ivf-calibration-noise.ts --help`. Nothing here changes the store. Lists are
 * grown on the whole base and settled on `--warm` served queries as a store's instance settles them
 * (`calibratedLists`). Every other served query then reads wide at the settled nprobe's width
 * (`calibrationWidth`), through `ListsModel`, and keeps the list ranks of its top 10 as the store
 * keeps them. For each window size, `--draws` windows are drawn with replacement from those wide
 * reads (a bootstrap: a window is a sample of the collection's queries); each window's setting
 * (`calibratedShare`, and the same with no margin) prices the first `--queries` queries with
 * `queryNprobe`, scored by recall@10 against the exact top 10. The spread of that recall is the
 * calibration's own sampling error: the measured queries are the same for every window. Also
 * printed: the share of exact neighbours the wide reads missed, against `referenceMiss`'s estimate;
 * and the store's margin (`windowMargin`: the standard error of the window's own per-query found
 * shares at the setting with no margin, at least `calibrationMargin`) beside the margin of as many
 * independent neighbours (`calibrationMargin`, the store's until the window's own replaced it).
 */
import { Command } from 'commander';
import { calibratedShare, calibrationWidth, CalibrationQuery, referenceMiss, windowMargin } from '../../lambda/core/list-calibration';
import { calibrationMargin, sampleStandardDeviation as sd } from '../../lambda/core/sampling-margin';
import { nprobeOf, queryNprobe } from '../../lambda/core/nprobe';
import { int, intList } from '../../lib/cli/parse';
import { DATASET_NAMES, DatasetName, loadDataset } from '../datasets';
import { headRows, Matrix, row } from '../datasets/types';
import { distance } from '../distance';
import { exactTopK } from '../ground-truth';
import { mulberry32 } from '../prng';
import { log } from '../progress';
import { mean, recallAgainst } from '../recall';
import { calibratedLists, listOfRows, listsParams, wideRead } from '../systems/lists-model';

const rowsFrom = (m: Matrix, from: number, to: number): Matrix => ({ rows: to - from, dim: m.dim, data: m.data.subarray(from * m.dim, to * m.dim) });

async function main(): Promise<void> {
  const o = new Command()
    .name('ivf-calibration-noise')
    .description('Issue #17: the spread of the recall a calibrated nprobe reaches, by the calibration queries it rests on')
    .option('--dataset <name>', `data set (${DATASET_NAMES.join(', ')})`, 'fashion-mnist')
    .option('--queries <n>', 'queries measured: the data set\'s first', int(1), 300)
    .option('--warm <n>', 'served queries that settle the lists\' nprobe first, the data set\'s after the measured ones', int(8), 1024)
    .option('--pool <n>', 'served queries read wide after those, the data set\'s next (at most what it has)', int(1), 8192)
    .option('--windows <list>', 'calibration queries per setting', intList(1), [128, 256, 512, 1024, 2048])
    .option('--draws <n>', 'windows drawn for each size', int(2), 200)
    .option('--seed <n>', 'k-means seed and the draws\' seed', int(0), 1)
    .parse()
    .opts<{ dataset: DatasetName; queries: number; warm: number; pool: number; windows: number[]; draws: number; seed: number }>();
  const ds = loadDataset(o.dataset, { queries: o.queries + o.warm + o.pool, log });
  const { metric, base } = ds;
  const params = listsParams({}, ds.dim);
  const target = params.recallTarget;
  const measured = headRows(ds.queries, o.queries);
  const warm = rowsFrom(ds.queries, o.queries, Math.min(ds.queries.rows, o.queries + o.warm));
  const pool = rowsFrom(ds.queries, o.queries + warm.rows, ds.queries.rows);
  if (pool.rows === 0) throw new Error(`${o.dataset} has ${ds.queries.rows} queries: none left after ${o.queries} measured and ${warm.rows} to warm up`);
  const { model, lists: K, nprobe } = calibratedLists(ds, base.rows, warm, { params, seed: o.seed });
  const width = calibrationWidth(nprobe, K);
  // each measured query's recall@10 at the whole nprobes settings give it, computed once each
  const gt = exactTopK(base, measured, 10, metric);
  const recallAt = Array.from({ length: o.queries }, () => new Map<number, number>());
  const recall = (q: number, n: number): number => {
    let r = recallAt[q].get(n);
    if (r === undefined) {
      const query = row(measured, q);
      recallAt[q].set(n, (r = recallAgainst(gt, q, model.query(query, { topK: 10, nprobe: n }).ids, 10, (id) => distance(metric, query, row(base, id)))));
    }
    return r;
  };
  const recallOf = (share: number): number => mean(recallAt.map((_, q) => recall(q, queryNprobe(nprobeOf(share, K), row(measured, q)))));
  log(`${pool.rows} served queries read wide (${width} lists), and their exact top 10`);
  const poolGt = exactTopK(base, pool, 10, metric);
  const listOf = listOfRows(model.layout.members, base.rows);
  const wide: CalibrationQuery[] = [];
  let missed = 0;
  for (let i = 0; i < pool.rows; i++) {
    const { read, rank } = wideRead(model, listOf, row(pool, i), width);
    wide.push(read);
    missed += poolGt.ids.subarray(i * 10, i * 10 + 10).filter((r) => rank[listOf[r]] >= width).length / 10;
  }
  console.log(`${ds.name}: ${base.rows} vectors in ${K} lists, nprobe settled at ${nprobe.toFixed(2)} (recall@10 ${recallOf(nprobe / K).toFixed(4)} on the ${o.queries} measured queries); ${pool.rows} wide reads of ${width} lists missed ${(missed / pool.rows).toFixed(4)} of the exact top 10, referenceMiss estimates ${referenceMiss(wide, K).toFixed(4)}`);
  console.log(`calibration queries | mean margin | mean nprobe | recall@10 mean | sd | below ${target - 0.01} | above ${target + 0.01} | no margin: recall@10 mean | sd | below | above | independent neighbours' margin | mean nprobe | recall@10 mean | sd | below | above`);
  const random = mulberry32(o.seed);
  for (const size of o.windows) {
    const withMargin: number[] = [];
    const storeMargins: number[] = [];
    const noMargin: number[] = [];
    const nprobes: number[] = [];
    const neighbourRecall: number[] = [];
    const neighbourNprobes: number[] = [];
    for (let d = 0; d < o.draws; d++) {
      const window = Array.from({ length: size }, () => wide[Math.floor(random() * wide.length)]);
      storeMargins.push(windowMargin(window, K, target));
      const share = calibratedShare(window, K, target);
      nprobes.push(nprobeOf(share, K));
      withMargin.push(recallOf(share));
      const bare = calibratedShare(window, K, target, 0);
      noMargin.push(recallOf(bare));
      const neighbours = calibratedShare(window, K, target, calibrationMargin(size, target));
      neighbourNprobes.push(nprobeOf(neighbours, K));
      neighbourRecall.push(recallOf(neighbours));
    }
    const off = (v: number[]) => `${v.filter((x) => x < target - 0.01).length} | ${v.filter((x) => x > target + 0.01).length}`;
    console.log(`${size} | ${mean(storeMargins).toFixed(4)} | ${mean(nprobes).toFixed(2)} | ${mean(withMargin).toFixed(4)} | ${sd(withMargin).toFixed(4)} | ${off(withMargin)} | ${mean(noMargin).toFixed(4)} | ${sd(noMargin).toFixed(4)} | ${off(noMargin)} | ${calibrationMargin(size, target).toFixed(4)} | ${mean(neighbourNprobes).toFixed(2)} | ${mean(neighbourRecall).toFixed(4)} | ${sd(neighbourRecall).toFixed(4)} | ${off(neighbourRecall)}`);
  }
  console.log(`(${o.draws} windows drawn per size; below and above count the windows whose setting lands more than 0.01 from the target ${target})`);
}

void main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
