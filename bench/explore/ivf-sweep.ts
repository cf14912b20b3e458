// Explores issue #17's "index layout" item with a partition the LSH index does not have: one k-means
// list per vector (IVF), priced with the store's own entry, sketch, re-rank and read-unit functions.
/**
 * `npx tsx bench/explore/ivf-sweep.ts --help`. Nothing here changes the store. For each number of
 * lists K and training sample S it clusters the first S base vectors with k-means
 * (`lambda/core/lists.ts`: spherical under cosine, Lloyd iterations from K distinct sample rows),
 * assigns every base vector to its nearest centroid, and lays the lists out as the buckets table
 * would if a list were a bucket: one bucket entry per vector (the store's `bucketEntryItem`, with the
 * collection's sketch), a list read whole as the store reads one, in Query pages of at most 1 MB
 * (`queryReadUnits`; the tables of bench/results/ivf-exploration.md were
 * priced in calls of at most 1,000 entries, as the store then read a bucket). A query reads its `nprobe`
 * nearest lists, keeps every entry as a candidate (`CandidateSet`, the store's sketch estimate),
 * fetches the finalists' vector items (`finalists`, `exactTopK`) and is scored by recall@10 against
 * the exact top 10. Prints one row per (K, S, nprobe): recall@10, read units (list reads + re-rank
 * fetches), entries read, the share of the collection read, and write units and bytes stored per
 * vector (one entry and the vector item, no metadata).
 *
 * With `--grow <cap>` the lists grow as a store would grow them without re-indexing: K lists trained
 * on the first S vectors, then every vector in arrival order to its nearest centroid, and a list that
 * reaches `cap` entries splits in two (2-means over its members); the splits' reads and moved
 * entries are priced per vector written.
 *
 * It also picks the nprobe a store could choose by itself for the index's `recallTarget`
 * (`coverageNprobe` of `lambda/core/lists.ts`, by recall@10's own rule) and measures the queries at
 * it: from `--calibrate <n>` stored vectors used as queries, or with `--observed <n>` from n of the
 * data set's own queries, observed as a store observes its queries and left out of the measured
 * ones; their neighbours exact, or with `--reference-lists <w>` those found in their first w lists,
 * as a store would find them. With `--margins` each query reads the lists within a margin of its
 * nearest one instead; `--sketch-bits` and `--rerank` change the entries' sketch and the re-rank cap.
 *
 * This is a lower bound on what such a layout would cost: without `--grow` the centroids stay fixed
 * however the collection grows, and reading the centroids themselves (K x dim float32) is not priced
 * (they would be read once per warm instance, as the hashing subspace is).
 */
import { writeFileSync } from 'node:fs';
import { Command } from 'commander';
import { readUnits, writeUnits } from '../../lambda/core/capacity';
import { frameOf, Hasher } from '../../lambda/core/hasher';
import { resolveIndexParams } from '../../lambda/core/params';
import { PRNG_VERSION } from '../../lambda/core/prng';
import { listOrder, Lists, listScores } from '../../lambda/core/lists';
import { dot } from '../../lambda/core/vector';
import { CandidateSet, exactTopK, planSearch } from '../../lambda/core/search';
import { packSketch } from '../../lambda/core/sketch-format';
import { int, intList, positiveNumber } from '../../lib/cli/parse';
import { DYNAMO_ITEM_OVERHEAD } from '../cost/model';
import { DATASET_NAMES, DatasetName, loadDataset } from '../datasets';
import { row } from '../datasets/types';
import { distance } from '../distance';
import { groundTruth } from '../ground-truth';
import { StoreItems } from '../model/store-layout';
import { queryReadUnits } from '../model/whiplash-model';
import { log } from '../progress';
import { recallAgainst } from '../recall';
import { mulberry32 } from '../prng';
import { BENCH_PROJECT, collectionName } from '../systems/context';
import { CalibrationQuery, calibratedNprobe } from './ivf-calibration';
import { clusteringSpace, grownLists, trainedLists } from './ivf-lists';

const ints = intList(1);

/** Per margin (ascending), how many of a query's lists (in `order`) lie within (1 + margin) x its nearest list's squared distance. */
function marginNprobes(index: Lists, x: Float32Array, xo: number, order: Int32Array, margins: readonly number[]): number[] {
  const scores = listScores(index, x, xo);
  const norm2 = dot(x, x, xo, xo, index.dim);
  // squared distances from the scores: 2 - 2 x·c on the unit sphere, |x|² - (2 x·c - |c|²) otherwise
  const d2 = (list: number) => (index.metric === 'cosine' ? 2 - 2 * scores[list] : norm2 - scores[list]);
  const nearest = Math.max(d2(order[0]), 1e-12);
  let n = 1;
  return margins.map((m) => {
    while (n < order.length && d2(order[n]) <= (1 + m) * nearest) n++;
    return n;
  });
}

async function main(): Promise<void> {
  const o = new Command()
    .name('ivf-sweep')
    .description('Issue #17: recall@10 and read/write cost of a k-means list layout (IVF), priced with the store\'s own entry and read-unit functions')
    .option('--dataset <name>', `data set (${DATASET_NAMES.join(', ')})`, 'glove-100')
    .option('--size <n>', 'first N base vectors (default: all)', int(1))
    .option('--queries <n>', 'queries', int(1), 300)
    .option('--lists <list>', 'numbers of lists K', ints, [256, 1024])
    .option('--train <list>', 'training sample sizes S (the first S base vectors; S >= K)', ints, [20000])
    .option('--nprobe <list>', 'lists read per query', (v) => ints(v).sort((a, b) => a - b), [1, 2, 4, 8, 16, 32, 64, 128, 256])
    .option('--iterations <n>', 'k-means iterations', int(1), 12)
    .option('--grow <cap>', 'grow the lists instead: K lists trained on the first S vectors, then a list that reaches cap entries splits in two (2-means)', int(2))
    .option('--calibrate <n>', 'also choose nprobe for the index\'s recallTarget from n stored vectors used as queries (0: do not)', int(0), 200)
    .option('--margins <list>', 'instead of a fixed nprobe, read every list whose centroid lies within (1 + margin) x the nearest centroid\'s squared distance (comma-separated margins)', (v) => v.split(',').map((m) => positiveNumber(m)).sort((a, b) => a - b))
    .option('--reference-lists <n>', 'calibrate against the neighbours in each calibration query\'s first n lists (a wide read) instead of the exact ones', int(1))
    .option('--observed <n>', 'calibrate on the first n of the data set\'s queries instead (measured: the next --queries)', int(0), 0)
    .option('--seed <n>', 'hyperplane (sketch) and k-means seed', int(0), 1)
    .option('--sketch-bits <n>', 'sketch bits of the entries (default: the store\'s for the dimension)', int(1))
    .option('--rerank <n>', 'the most vectors re-ranked per query (default: the store\'s)', int(1))
    .option('--out <file>', 'also write the points as JSON')
    .parse()
    .opts<{ dataset: DatasetName; size?: number; queries: number; lists: number[]; train: number[]; nprobe: number[]; iterations: number; grow?: number; calibrate: number; observed: number; referenceLists?: number; margins?: number[]; seed: number; sketchBits?: number; rerank?: number; out?: string }>();
  const k = 10;
  const ds = loadDataset(o.dataset, { size: o.size, queries: o.observed + o.queries, log });
  const N = ds.base.rows;
  const dim = ds.dim;
  log(`${ds.name}: ${N} x ${dim} (${ds.metric}), ${ds.queries.rows} queries`);
  const gt = groundTruth(ds, k, { log });

  // The collection's sketch as the store makes it (its first 500 vectors fix the frame), and each vector's entry and item sizes.
  const params = resolveIndexParams({ ...(o.sketchBits === undefined ? {} : { sketchBits: o.sketchBits }), ...(o.rerank === undefined ? {} : { rerank: o.rerank }) }, 'index', dim);
  log(`sketch ${params.sketchBits} bits, at most ${params.rerank} re-ranked`);
  const items = new StoreItems(params, dim, BENCH_PROJECT, collectionName(ds));
  const first = Array.from({ length: Math.min(500, N) }, (_, i) => row(ds.base, i));
  const frame = frameOf(first, ds.metric);
  const hasher = new Hasher(dim, ds.metric, params, o.seed, PRNG_VERSION, frame.centre, frame.mipsNorm, frame.subspace);
  const packedBytes = hasher.packedSketchBytes;
  const packed = new Uint8Array(N * packedBytes);
  const entryBytes = new Float64Array(N);
  const vectorBytes = new Float64Array(N);
  for (let r = 0; r < N; r++) {
    const e = hasher.encode(row(ds.base, r));
    const p = packSketch(e);
    packed.set(p, r * packedBytes);
    // an entry in "table 0" carries code digits in its sort key, which a list entry would not need: a slight overestimate
    entryBytes[r] = items.bucketEntryBytes(0, e.codes[0], String(r), p);
    vectorBytes[r] = items.vectorItemBytes(String(r), row(ds.base, r));
    if ((r + 1) % 50000 === 0) log(`encoded ${r + 1}/${N}`);
  }
  const meanOf = (f: (r: number) => number) => Array.from({ length: N }, (_, r) => f(r)).reduce((s, v) => s + v, 0) / N;
  // the vector item's counted transaction bills it twice
  const writeUnitsPerVector = meanOf((r) => writeUnits(entryBytes[r]) + 2 * writeUnits(vectorBytes[r]));
  const storedBytes = meanOf((r) => entryBytes[r] + DYNAMO_ITEM_OVERHEAD + vectorBytes[r] + DYNAMO_ITEM_OVERHEAD);
  // what bench/cost needs to carry these figures to another dimension and id length (`whiplashWriteUnitsPerVector`, `whiplashBytesPerVector`)
  const perVector = { vectorItemBytes: meanOf((r) => vectorBytes[r]), vectorItemWriteUnits: meanOf((r) => writeUnits(vectorBytes[r])), entryBytes: meanOf((r) => entryBytes[r]), idBytes: meanOf((r) => String(r).length) };
  log(`entries ${perVector.entryBytes.toFixed(1)} bytes, vector items ${perVector.vectorItemBytes.toFixed(1)}; ${writeUnitsPerVector.toFixed(2)} WCU and ${storedBytes.toFixed(0)} bytes stored per vector`);

  const x = clusteringSpace(ds.base, ds.metric);
  const qx = clusteringSpace(ds.queries, ds.metric);
  const points: object[] = [];
  let calibration: CalibrationQuery[] | undefined;
  const calibrationRand = mulberry32(o.seed + 2);
  // a centroid item: the float32 centroid and a few bytes of keys
  const centroidWriteUnits = writeUnits(dim * 4 + 64);
  console.log('K0 | K | S | nprobe | recall@10 | RU | list RU | fetch RU | Query calls | entries read | share of N | top10 in candidates | re-ranked | WCU/vector | split WCU/vector | split RU/vector | bytes/vector | list sizes (min / median / max)');
  for (const K0 of o.lists) {
    for (const S of o.train) {
      const t0 = performance.now();
      const layout = o.grow === undefined
        ? trainedLists(x, dim, N, ds.metric, K0, S, o.iterations, o.seed)
        : grownLists(x, dim, N, ds.metric, K0, S, o.grow, o.iterations, o.seed);
      const { lists } = layout;
      const K = lists.length;
      // a split queries the full list's entries, reads their vector items, moves a half (delete and put) and writes two centroids
      let splitWriteUnits = 0;
      let splitReadUnits = 0;
      layout.splitReads.forEach((members, i) => {
        splitReadUnits += queryReadUnits(members.map((r) => entryBytes[r])).units + members.reduce((u, r) => u + readUnits(vectorBytes[r]), 0);
        splitWriteUnits += layout.movedEntries[i].reduce((u, r) => u + 2 * writeUnits(entryBytes[r]), 0) + 2 * centroidWriteUnits;
      });
      // a list's entries lie in sort-key order (the id as a string); only their sizes matter to the pages
      const listCost = lists.map((l) => queryReadUnits(l.map((r) => entryBytes[r])));
      const sizes = lists.map((l) => l.length).sort((a, b) => a - b);
      const sizeText = `${sizes[0]} / ${sizes[K >> 1]} / ${sizes[K - 1]}`;
      log(`K0=${K0} K=${K} S=${S}${o.grow === undefined ? '' : `, ${layout.splits} splits at ${o.grow}`}: clustered and assigned in ${((performance.now() - t0) / 1000).toFixed(1)} s; list sizes ${sizeText}`);
      calibration ??= o.observed > 0
        ? Array.from({ length: o.observed }, (_, q) => ({ query: row(ds.queries, q), x: qx, row: q, self: -1 }))
        : Array.from({ length: o.calibrate }, () => Math.floor(calibrationRand() * N)).map((r) => ({ query: row(ds.base, r), x, row: r, self: r }));
      const reference = o.referenceLists ?? 'exact';
      const calibrated = calibration.length > 0 ? calibratedNprobe(ds.base, ds.metric, layout, calibration, params.recallTarget, reference) : undefined;
      if (calibrated !== undefined) log(`K0=${K0} K=${K} S=${S}: nprobe ${calibrated} calibrated for recall@10 ${params.recallTarget} on ${calibration.length} ${o.observed > 0 ? 'observed queries' : 'stored vectors'}, neighbours ${reference === 'exact' ? 'exact' : `from their first ${reference} lists`}`);
      const nprobes = [...new Set([...o.nprobe, ...(calibrated === undefined ? [] : [calibrated])])].sort((a, b) => a - b);
      // the settings swept: fixed nprobes, or margins that give each query its own nprobe
      const settings: readonly number[] = o.margins ?? nprobes;
      const acc = settings.map(() => ({ recall: 0, listRu: 0, fetchRu: 0, calls: 0, entries: 0, truth: 0, reranked: 0, lists: 0 }));
      for (let q = o.observed; q < ds.queries.rows; q++) {
        const query = row(ds.queries, q);
        const order = listOrder(layout.index, qx, q * dim);
        const budgets = o.margins === undefined ? nprobes : marginNprobes(layout.index, qx, q * dim, order, o.margins);
        const plan = planSearch({ dimension: dim, metric: ds.metric, index: params, hasher, vectorCount: N }, { query, topK: k });
        const truth = Array.from(gt.ids.subarray(q * gt.k, q * gt.k + k));
        // one candidate set grows list by list; each nprobe of the sweep re-ranks what it holds then
        const candidates = new CandidateSet<number>(plan);
        let read = 0;
        budgets.forEach((nprobe, i) => {
          const a = acc[i];
          a.lists += Math.min(nprobe, K);
          for (; read < Math.min(nprobe, K); read++) {
            const list = order[read];
            for (const r of lists[list]) candidates.add(r, packed.subarray(r * packedBytes, (r + 1) * packedBytes));
          }
          for (const list of order.slice(0, read)) {
            a.listRu += listCost[list].units;
            a.calls += listCost[list].pages;
            a.entries += lists[list].length;
          }
          const finalists = candidates.finalists();
          a.fetchRu += readUnits(items.counterItemBytes(N)) + finalists.reduce((s, r) => s + readUnits(vectorBytes[r]), 0);
          const ids = exactTopK(plan, finalists.map((r) => ({ r, id: String(r), vector: row(ds.base, r) }))).map((m) => m.r);
          a.recall += recallAgainst(gt, q, ids, k, (id) => distance(ds.metric, query, row(ds.base, id)));
          a.truth += truth.filter((r) => candidates.has(r)).length / k;
          a.reranked += finalists.length;
        });
      }
      settings.forEach((setting, i) => {
        const Q = ds.queries.rows - o.observed;
        const a = acc[i];
        const nprobe = a.lists / Q;
        const p = {
          K0, K, S: Math.min(S, N), grow: o.grow, sketchBits: params.sketchBits, rerankCap: params.rerank, margin: o.margins === undefined ? undefined : setting, nprobe, calibrated: o.margins === undefined && setting === calibrated, recall: a.recall / Q, readUnits: (a.listRu + a.fetchRu) / Q, listReadUnits: a.listRu / Q, fetchReadUnits: a.fetchRu / Q,
          queryCalls: a.calls / Q, entriesRead: a.entries / Q, shareRead: a.entries / Q / N, truthInCandidates: a.truth / Q, reranked: a.reranked / Q,
          writeUnits: writeUnitsPerVector, splitWriteUnits: splitWriteUnits / N, splitReadUnits: splitReadUnits / N, storedBytes, ...perVector, listSizes: sizeText,
        };
        points.push(p);
        console.log([K0, K, p.S, `${o.margins === undefined ? nprobe : `${nprobe.toFixed(1)} (margin ${setting})`}${p.calibrated ? ' (calibrated)' : ''}`, p.recall.toFixed(3), p.readUnits.toFixed(1), p.listReadUnits.toFixed(1), p.fetchReadUnits.toFixed(1), p.queryCalls.toFixed(1), Math.round(p.entriesRead), p.shareRead.toFixed(4), p.truthInCandidates.toFixed(3), p.reranked.toFixed(1), p.writeUnits.toFixed(2), p.splitWriteUnits.toFixed(2), p.splitReadUnits.toFixed(2), Math.round(p.storedBytes), sizeText].join(' | '));
      });
    }
  }
  if (o.out) writeFileSync(o.out, JSON.stringify({ dataset: ds.name, rows: N, queries: ds.queries.rows - o.observed, observed: o.observed, seed: o.seed, points }, null, 1));
}

void main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
