// Issue #17's "read units growing sublinearly in N" for k-means lists: the lists grown to sizes
// n of a data set, nprobe calibrated as the store calibrates it, each size priced by `ListsModel`.
/**
 * `npx tsx bench/explore/ivf-scale.ts --help`. Nothing here changes the store. For each size n (the
 * first n base vectors) it grows lists and calibrates nprobe as a store would
 * (`calibratedLists`, on the data set's queries after the measured ones), then prices the first
 * `--queries` queries (those `npm run bench` measures) at that nprobe with `ListsModel` (equal to
 * DynamoDB Local query by query given the lists, test/bench/model.test.ts) and scores them by
 * recall@10 against the exact top 10 of the first n vectors. Prints one row per size and the
 * power-law fit of read units per query against n (`fitPowerLaw`). `npm run bench -- --scale`
 * fits the same growth for a collection in lists at default settings.
 */
import { writeFileSync } from 'node:fs';
import { Command } from 'commander';
import { queryNprobe } from '../../lambda/core/nprobe';
import { CALIBRATION_QUERIES, CALIBRATION_WINDOW } from '../../lambda/core/list-calibration';
import { DEFAULT_LIST_SIZE } from '../../lambda/core/list-splits';
import { int, intList } from '../../lib/cli/parse';
import { DATASET_NAMES, DatasetName, loadDataset } from '../datasets';
import { headRows, row } from '../datasets/types';
import { distance } from '../distance';
import { fitPowerLaw } from '../fit';
import { exactTopK } from '../ground-truth';
import { log } from '../progress';
import { recallAgainst } from '../recall';
import { calibratedLists, listsParams } from '../systems/lists-model';
import { clusteringSpace } from './ivf-lists';

async function main(): Promise<void> {
  const o = new Command()
    .name('ivf-scale')
    .description('Issue #17: read units per query of k-means lists against the collection size, nprobe calibrated as the store does, priced by ListsModel')
    .option('--dataset <name>', `data set (${DATASET_NAMES.join(', ')})`, 'glove-100')
    .option('--sizes <list>', 'collection sizes n (default: N/16, N/8, N/4, N/2, N)', intList(1))
    .option('--queries <n>', 'queries measured per size: the data set\'s first', int(1), 300)
    .option('--calibration-queries <n>', 'queries served wide before, the data set\'s after the measured ones', int(CALIBRATION_QUERIES), CALIBRATION_WINDOW)
    .option('--list-size <n>', 'entries a list holds before it splits', int(16), DEFAULT_LIST_SIZE)
    .option('--seed <n>', 'sketch and k-means seed', int(0), 1)
    .option('--out <file>', 'also write the points as JSON')
    .parse()
    .opts<{ dataset: DatasetName; sizes?: number[]; queries: number; calibrationQueries: number; listSize: number; seed: number; out?: string }>();
  const k = 10;
  const ds = loadDataset(o.dataset, { queries: o.queries + o.calibrationQueries, log });
  const N = ds.base.rows;
  const sizes = o.sizes ?? [16, 8, 4, 2, 1].map((d) => Math.floor(N / d));
  const params = listsParams({}, ds.dim);
  const space = clusteringSpace(ds.base, ds.metric);
  const measured = headRows(ds.queries, o.queries);
  const served = { rows: ds.queries.rows - o.queries, dim: ds.dim, data: ds.queries.data.subarray(o.queries * ds.dim) };
  const points: { n: number; lists: number; nprobe: number; share: number; settings: number; recall: number; readUnits: number; listReadUnits: number; entriesRead: number; reranked: number }[] = [];
  console.log('n | lists | nprobe | share | nprobe settings | recall@10 | RU / query | list RU | entries read | re-ranked');
  for (const n of sizes) {
    const t0 = performance.now();
    const base = headRows(ds.base, n);
    const { model, lists: K, share, nprobe, settings } = calibratedLists(ds, n, served, { params, seed: o.seed, listSize: o.listSize, space });
    const gt = exactTopK(base, measured, k, ds.metric);
    let recall = 0;
    let ru = 0;
    let listRu = 0;
    let entries = 0;
    let reranked = 0;
    for (let q = 0; q < o.queries; q++) {
      const query = row(measured, q);
      const m = model.query(query, { topK: k, nprobe: queryNprobe(nprobe, query) });
      recall += recallAgainst(gt, q, m.ids, k, (id) => distance(ds.metric, query, row(base, id)));
      ru += m.readUnits;
      listRu += m.bucketReadUnits;
      entries += m.entriesRead;
      reranked += m.reranked;
    }
    const Q = o.queries;
    const p = { n, lists: K, nprobe, share, settings, recall: recall / Q, readUnits: ru / Q, listReadUnits: listRu / Q, entriesRead: entries / Q, reranked: reranked / Q };
    points.push(p);
    log(`n=${n}: ${K} lists, nprobe set ${settings} times, ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    console.log(`${n} | ${K} | ${nprobe} | ${share.toFixed(4)} | ${settings} | ${p.recall.toFixed(3)} | ${p.readUnits.toFixed(1)} | ${p.listReadUnits.toFixed(1)} | ${p.entriesRead.toFixed(0)} | ${p.reranked.toFixed(1)}`);
  }
  const fit = points.length >= 2 ? fitPowerLaw(points.map((p) => p.n), points.map((p) => p.readUnits)) : undefined;
  if (fit) console.log(`read units per query ~ ${fit.coefficient.toPrecision(3)} x n^${fit.exponent.toFixed(3)} (r² ${fit.r2.toFixed(3)}, ${fit.points} sizes)`);
  if (o.out) writeFileSync(o.out, JSON.stringify({ dataset: ds.name, listSize: o.listSize, seed: o.seed, queries: o.queries, calibrationQueries: served, points, fit }, null, 2) + '\n');
}

void main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
