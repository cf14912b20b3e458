// Explores issue #17's "index layout" item with a partition the LSH index does not have: one k-means
// list per vector (IVF), priced with the store's own entry, sketch, re-rank and read-unit functions.
/**
 * `npx tsx bench/explore/ivf-sweep.ts --help`. Nothing here changes the store. For each number of
 * lists K and training sample S it clusters the first S base vectors with k-means (spherical under
 * cosine: unit vectors, centroids renormalised; Lloyd 1982 iterations from K distinct sample rows),
 * assigns every base vector to its nearest centroid, and lays the lists out as the buckets table
 * would if a list were a bucket: one bucket entry per vector (the store's `bucketEntryItem`, with the
 * collection's sketch), a list read as DynamoDB Query calls of at most `MAX_BUCKET_READ_ENTRIES`
 * entries each (read in parallel, each a page priced by `readUnits`). A query reads its `nprobe`
 * nearest lists, keeps every entry as a candidate (`CandidateSet`, the store's sketch estimate),
 * fetches the finalists' vector items (`finalists`, `exactTopK`) and is scored by recall@10 against
 * the exact top 10. Prints one row per (K, S, nprobe): recall@10, read units (list reads + re-rank
 * fetches), entries read, the share of the collection read, and write units and bytes stored per
 * vector (one entry and the vector item, no metadata).
 *
 * This is a lower bound on what such a layout would cost: centroids stay fixed however the
 * collection grows (no split or re-assignment), and the centroids themselves (K x dim float32) are
 * not priced (they would be read once per instance, as the hashing subspace is).
 */
import { writeFileSync } from 'node:fs';
import { Command, InvalidArgumentError } from 'commander';
import { readUnits, writeUnits } from '../../lambda/core/capacity';
import { frameOf, Hasher } from '../../lambda/core/hasher';
import { MAX_BUCKET_READ_ENTRIES } from '../../lambda/core/limits';
import { resolveIndexParams } from '../../lambda/core/params';
import { PRNG_VERSION } from '../../lambda/core/prng';
import { CandidateSet, exactTopK, planSearch } from '../../lambda/core/search';
import { packSketch } from '../../lambda/core/sketch-format';
import { Metric } from '../../lambda/core/types';
import { DATASET_NAMES, DatasetName, loadDataset } from '../datasets';
import { Matrix, row } from '../datasets/types';
import { distance } from '../distance';
import { groundTruth } from '../ground-truth';
import { StoreItems } from '../model/store-layout';
import { log } from '../progress';
import { recallAgainst } from '../recall';
import { mulberry32 } from '../prng';
import { BENCH_PROJECT, collectionName } from '../systems/model';

const ints = (v: string) => {
  const xs = v.split(',').map((s) => Number(s.trim()));
  if (xs.some((n) => !Number.isInteger(n) || n < 1)) throw new InvalidArgumentError('must be a comma-separated list of positive integers');
  return xs;
};

/** Rows of `m` as k-means sees them: unit vectors under cosine, as they are otherwise. */
function clusteringSpace(m: Matrix, metric: Metric): Float32Array {
  if (metric !== 'cosine') return m.data;
  const out = new Float32Array(m.data.length);
  for (let r = 0; r < m.rows; r++) {
    let s = 0;
    for (let j = r * m.dim; j < (r + 1) * m.dim; j++) s += m.data[j] * m.data[j];
    const inv = s > 0 ? 1 / Math.sqrt(s) : 0;
    for (let j = r * m.dim; j < (r + 1) * m.dim; j++) out[j] = m.data[j] * inv;
  }
  return out;
}

/** Scores of `x` against every centroid, higher nearer: the dot product (cosine: unit vectors), or -|x - c|² + |x|² otherwise. */
function centroidScores(x: Float32Array, xo: number, c: Float32Array, cNorm2: Float32Array, k: number, dim: number, metric: Metric, out: Float32Array): void {
  for (let i = 0; i < k; i++) {
    let s = 0;
    const o = i * dim;
    for (let j = 0; j < dim; j++) s += x[xo + j] * c[o + j];
    out[i] = metric === 'cosine' ? s : 2 * s - cNorm2[i];
  }
}

function argmax(a: Float32Array): number {
  let best = 0;
  for (let i = 1; i < a.length; i++) if (a[i] > a[best]) best = i;
  return best;
}

/** k-means over the first `sample` rows of `x` (row-major, `dim` wide): K centroids. */
function kMeans(x: Float32Array, dim: number, sample: number, k: number, iterations: number, metric: Metric, seed: number): { centroids: Float32Array; norms: Float32Array } {
  if (k > sample) throw new RangeError(`${k} lists need at least as many training vectors, got ${sample}`);
  const rand = mulberry32(seed);
  const picks = new Set<number>();
  while (picks.size < k) picks.add(Math.floor(rand() * sample));
  const c = new Float32Array(k * dim);
  [...picks].forEach((r, i) => c.set(x.subarray(r * dim, (r + 1) * dim), i * dim));
  const norms = new Float32Array(k);
  const scores = new Float32Array(k);
  const assign = new Int32Array(sample);
  for (let it = 0; it < iterations; it++) {
    for (let i = 0; i < k; i++) {
      let s = 0;
      for (let j = i * dim; j < (i + 1) * dim; j++) s += c[j] * c[j];
      norms[i] = s;
    }
    for (let r = 0; r < sample; r++) {
      centroidScores(x, r * dim, c, norms, k, dim, metric, scores);
      assign[r] = argmax(scores);
    }
    const sums = new Float64Array(k * dim);
    const counts = new Int32Array(k);
    for (let r = 0; r < sample; r++) {
      counts[assign[r]]++;
      const o = assign[r] * dim;
      for (let j = 0; j < dim; j++) sums[o + j] += x[r * dim + j];
    }
    for (let i = 0; i < k; i++) {
      // an empty list restarts at a random training row
      if (counts[i] === 0) {
        const r = Math.floor(rand() * sample);
        c.set(x.subarray(r * dim, (r + 1) * dim), i * dim);
        continue;
      }
      let s = 0;
      for (let j = 0; j < dim; j++) s += (sums[i * dim + j] / counts[i]) ** 2;
      const scale = metric === 'cosine' && s > 0 ? 1 / Math.sqrt(s) : 1;
      for (let j = 0; j < dim; j++) c[i * dim + j] = (sums[i * dim + j] / counts[i]) * scale;
    }
    log(`k-means K=${k} S=${sample}: iteration ${it + 1}/${iterations}`);
  }
  for (let i = 0; i < k; i++) {
    let s = 0;
    for (let j = i * dim; j < (i + 1) * dim; j++) s += c[j] * c[j];
    norms[i] = s;
  }
  return { centroids: c, norms };
}

/** Read units of one list read: Query calls of at most MAX_BUCKET_READ_ENTRIES entries, one page each. */
function listReadUnits(entryBytes: readonly number[]): { units: number; calls: number } {
  let units = 0;
  let calls = 0;
  for (let i = 0; i < entryBytes.length || calls === 0; i += MAX_BUCKET_READ_ENTRIES) {
    let bytes = 0;
    for (let j = i; j < Math.min(entryBytes.length, i + MAX_BUCKET_READ_ENTRIES); j++) bytes += entryBytes[j];
    units += readUnits(bytes);
    calls++;
  }
  return { units, calls };
}

async function main(): Promise<void> {
  const o = new Command()
    .name('ivf-sweep')
    .description('Issue #17: recall@10 and read/write cost of a k-means list layout (IVF), priced with the store\'s own entry and read-unit functions')
    .option('--dataset <name>', `data set (${DATASET_NAMES.join(', ')})`, 'glove-100')
    .option('--size <n>', 'first N base vectors (default: all)', (v) => Number(v))
    .option('--queries <n>', 'queries', (v) => Number(v), 300)
    .option('--lists <list>', 'numbers of lists K', ints, [256, 1024])
    .option('--train <list>', 'training sample sizes S (the first S base vectors; S >= K)', ints, [20000])
    .option('--nprobe <list>', 'lists read per query', (v) => ints(v).sort((a, b) => a - b), [1, 2, 4, 8, 16, 32, 64, 128, 256])
    .option('--iterations <n>', 'k-means iterations', (v) => Number(v), 12)
    .option('--seed <n>', 'hyperplane (sketch) and k-means seed', (v) => Number(v), 1)
    .option('--out <file>', 'also write the points as JSON')
    .parse()
    .opts<{ dataset: DatasetName; size?: number; queries: number; lists: number[]; train: number[]; nprobe: number[]; iterations: number; seed: number; out?: string }>();
  const k = 10;
  const ds = loadDataset(o.dataset, { size: o.size, queries: o.queries, log });
  const N = ds.base.rows;
  const dim = ds.dim;
  log(`${ds.name}: ${N} x ${dim} (${ds.metric}), ${ds.queries.rows} queries`);
  const gt = groundTruth(ds, k, { log });

  // The collection's sketch as the store makes it (its first 500 vectors fix the frame), and each vector's entry and item sizes.
  const params = resolveIndexParams({}, 'index', dim);
  const items = new StoreItems(params, dim, BENCH_PROJECT, collectionName(ds));
  const first = Array.from({ length: Math.min(500, N) }, (_, i) => row(ds.base, i));
  const frame = frameOf(first, ds.metric);
  const hasher = new Hasher(dim, ds.metric, params, o.seed, PRNG_VERSION, frame.centre, frame.mipsNorm, frame.subspace);
  const packedBytes = hasher.packedSketchBytes;
  const packed = new Uint8Array(N * packedBytes);
  const entryBytes = new Float64Array(N);
  const vectorBytes = new Float64Array(N);
  let writeUnitsPerVector = 0;
  for (let r = 0; r < N; r++) {
    const e = hasher.encode(row(ds.base, r));
    const p = packSketch(e);
    packed.set(p, r * packedBytes);
    // an entry in "table 0" carries code digits in its sort key, which a list entry would not need: a slight overestimate
    entryBytes[r] = items.bucketEntryBytes(0, e.codes[0], String(r), p);
    vectorBytes[r] = items.vectorItemBytes(String(r), row(ds.base, r));
    writeUnitsPerVector += writeUnits(entryBytes[r]) + 2 * writeUnits(vectorBytes[r]); // the vector item's counted transaction bills it twice
    if ((r + 1) % 50000 === 0) log(`encoded ${r + 1}/${N}`);
  }
  writeUnitsPerVector /= N;
  let storedBytes = 0;
  for (let r = 0; r < N; r++) storedBytes += entryBytes[r] + 100 + vectorBytes[r] + 100;
  storedBytes /= N;
  log(`entries ${(entryBytes.reduce((s, b) => s + b, 0) / N).toFixed(1)} bytes, vector items ${(vectorBytes.reduce((s, b) => s + b, 0) / N).toFixed(1)}; ${writeUnitsPerVector.toFixed(2)} WCU and ${storedBytes.toFixed(0)} bytes stored per vector`);

  const x = clusteringSpace(ds.base, ds.metric);
  const qx = clusteringSpace(ds.queries, ds.metric);
  const points: object[] = [];
  console.log('K | S | nprobe | recall@10 | RU | list RU | fetch RU | Query calls | entries read | share of N | top10 in candidates | re-ranked | WCU/vector | bytes/vector | list sizes (min / median / max)');
  for (const K of o.lists) {
    for (const S of o.train) {
      const t0 = performance.now();
      const { centroids, norms } = kMeans(x, dim, Math.min(S, N), K, o.iterations, ds.metric, o.seed);
      const lists: number[][] = Array.from({ length: K }, () => []);
      const scores = new Float32Array(K);
      for (let r = 0; r < N; r++) {
        centroidScores(x, r * dim, centroids, norms, K, dim, ds.metric, scores);
        lists[argmax(scores)].push(r);
      }
      // a list's entries lie in sort-key order (the id as a string); only their sizes matter to the pages
      const listCost = lists.map((l) => listReadUnits(l.map((r) => entryBytes[r])));
      const sizes = lists.map((l) => l.length).sort((a, b) => a - b);
      const sizeText = `${sizes[0]} / ${sizes[K >> 1]} / ${sizes[K - 1]}`;
      log(`K=${K} S=${S}: clustered and assigned in ${((performance.now() - t0) / 1000).toFixed(1)} s; list sizes ${sizeText}`);
      const acc = o.nprobe.map(() => ({ recall: 0, listRu: 0, fetchRu: 0, calls: 0, entries: 0, truth: 0, reranked: 0 }));
      for (let q = 0; q < ds.queries.rows; q++) {
        const query = row(ds.queries, q);
        centroidScores(qx, q * dim, centroids, norms, K, dim, ds.metric, scores);
        const order = Array.from({ length: K }, (_, i) => i).sort((a, b) => scores[b] - scores[a]);
        const plan = planSearch({ dimension: dim, metric: ds.metric, index: params, hasher, vectorCount: N }, { query, topK: k });
        const truth = Array.from(gt.ids.subarray(q * gt.k, q * gt.k + k));
        // one candidate set grows list by list; each nprobe of the sweep re-ranks what it holds then
        const candidates = new CandidateSet<number>(plan);
        let read = 0;
        o.nprobe.forEach((nprobe, i) => {
          const a = acc[i];
          for (; read < Math.min(nprobe, K); read++) {
            const list = order[read];
            for (const r of lists[list]) candidates.add(r, packed.subarray(r * packedBytes, (r + 1) * packedBytes));
          }
          for (const list of order.slice(0, read)) {
            a.listRu += listCost[list].units;
            a.calls += listCost[list].calls;
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
      o.nprobe.forEach((nprobe, i) => {
        const Q = ds.queries.rows;
        const a = acc[i];
        const p = {
          K, S: Math.min(S, N), nprobe, recall: a.recall / Q, readUnits: (a.listRu + a.fetchRu) / Q, listReadUnits: a.listRu / Q, fetchReadUnits: a.fetchRu / Q,
          queryCalls: a.calls / Q, entriesRead: a.entries / Q, shareRead: a.entries / Q / N, truthInCandidates: a.truth / Q, reranked: a.reranked / Q,
          writeUnits: writeUnitsPerVector, storedBytes, listSizes: sizeText,
        };
        points.push(p);
        console.log([K, p.S, nprobe, p.recall.toFixed(3), p.readUnits.toFixed(1), p.listReadUnits.toFixed(1), p.fetchReadUnits.toFixed(1), p.queryCalls.toFixed(1), Math.round(p.entriesRead), p.shareRead.toFixed(4), p.truthInCandidates.toFixed(3), p.reranked.toFixed(1), p.writeUnits.toFixed(2), Math.round(p.storedBytes), sizeText].join(' | '));
      });
    }
  }
  if (o.out) writeFileSync(o.out, JSON.stringify({ dataset: ds.name, rows: N, queries: ds.queries.rows, seed: o.seed, points }, null, 1));
}

void main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
