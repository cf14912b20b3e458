// k-means lists (an inverted file, IVF): training on a first batch, a vector's nearest lists, the
// 2-means split of a full list, and the nprobe that reaches a recall target. Pure steps of a
// candidate index layout, measured in BENCHMARKS.md.
/**
 * The steps of an inverted-file index over k-means lists (the coarse quantizer of Jégou, Douze &
 * Schmid, "Product quantization for nearest neighbor search", TPAMI 2011), kept pure so that a store
 * layout and the benchmark's cost model run the same code: Lloyd's k-means (Lloyd, "Least squares
 * quantization in PCM", 1982) from distinct sample rows, spherical under cosine (rows and centroids
 * of unit length, so the dot product orders them as the cosine distance does); a vector's lists
 * nearest first; a full list cut in two by 2-means over its members, seeded with a member and
 * the member farthest from it; and the nprobe at which calibration queries reach a recall target.
 * Rows are row-major `Float32Array`s in list space (`listSpace`).
 * Bucket layout 3 of the store keeps its entries in these lists (`lambda/store/list-layout.ts`);
 * `bench/explore/ivf-sweep.ts` prices them (BENCHMARKS.md, "k-means lists").
 */
import { Metric } from './types';
import { dot, normalized, squaredL2 } from './vector';

/** Metrics the lists compare vectors by. `dot` needs a lift to a metric space first (`mips.ts`). */
export type ListMetric = Exclude<Metric, 'dot'>;

/** A set of lists: `count` centroids of `dim` float32 each, row-major, and their squared norms. */
export interface Lists {
  readonly metric: ListMetric;
  readonly dim: number;
  readonly count: number;
  /** count x dim, row-major */
  readonly centroids: Float32Array;
  /** |centroid|², one per list */
  readonly norms2: Float32Array;
}

/** How k-means runs: Lloyd iterations, and a uniform random source in [0, 1) that picks seeds. */
export interface ClusteringOptions {
  /** Lloyd iterations (assignment, then update). */
  readonly iterations: number;
  /** uniform in [0, 1): the pinned generator of the caller, so that results repeat */
  readonly random: () => number;
}

function checkRows(rows: Float32Array, dim: number): number {
  if (!Number.isInteger(dim) || dim < 1) throw new RangeError(`dim must be a positive integer, got ${dim}`);
  if (rows.length % dim !== 0) throw new RangeError(`rows hold ${rows.length} values, not a whole number of ${dim}-dimensional rows`);
  return rows.length / dim;
}

function checkMetric(metric: Metric): ListMetric {
  if (metric === 'dot') throw new RangeError('k-means lists compare vectors by cosine or euclidean distance; lift dot-product vectors first');
  return metric;
}

/**
 * Rows as the lists compare them: under cosine each row scaled to unit length (a zero row stays
 * zero), a new array; under euclidean `rows` itself.
 * @throws RangeError when `rows` is not a whole number of `dim`-wide rows, or for `dot`
 */
export function listSpace(rows: Float32Array, dim: number, metric: Metric): Float32Array {
  const n = checkRows(rows, dim);
  if (checkMetric(metric) === 'euclidean') return rows;
  const out = new Float32Array(rows.length);
  for (let r = 0; r < n; r++) out.set(normalized(rows.subarray(r * dim, (r + 1) * dim)), r * dim);
  return out;
}

/**
 * Lists from stored centroids (row-major, list space): the store's centroid set as the pure steps take it.
 * @throws RangeError when `centroids` is not a whole number of `dim`-wide rows, or for `dot`
 */
export function listsFrom(metric: Metric, dim: number, centroids: Float32Array): Lists {
  checkRows(centroids, dim);
  return listsOf(checkMetric(metric), dim, centroids);
}

/**
 * Vectors given one by one as list-space rows (`listSpace`): packed row-major, and their dimension.
 * @throws RangeError for no vectors, vectors not all of one dimension, or metric `dot`
 */
export function listRows(vectors: readonly Float32Array[], metric: Metric): { rows: Float32Array; dim: number } {
  if (vectors.length === 0) throw new RangeError('no vectors');
  const dim = vectors[0].length;
  if (vectors.some((v) => v.length !== dim)) throw new RangeError(`vectors must all have ${dim} dimensions`);
  const packed = new Float32Array(vectors.length * dim);
  vectors.forEach((v, r) => packed.set(v, r * dim));
  return { rows: listSpace(packed, dim, metric), dim };
}

function listsOf(metric: ListMetric, dim: number, centroids: Float32Array): Lists {
  const count = centroids.length / dim;
  const norms2 = new Float32Array(count);
  for (let i = 0; i < count; i++) norms2[i] = dot(centroids, centroids, i * dim, i * dim, dim);
  return { metric, dim, count, centroids, norms2 };
}

/**
 * Scores of the row at `x[xo..xo+dim)` against every list, higher nearer: the dot product under
 * cosine (unit rows and centroids), `2 x·c - |c|²` under euclidean (`|x|²` less the squared distance).
 * @param out scores, one per list (allocated when absent)
 */
export function listScores(lists: Lists, x: Float32Array, xo = 0, out: Float32Array = new Float32Array(lists.count)): Float32Array {
  if (x.length - xo < lists.dim) throw new RangeError(`a row needs ${lists.dim} values from offset ${xo}, got ${x.length - xo}`);
  if (out.length < lists.count) throw new RangeError(`scores need room for ${lists.count} lists, got ${out.length}`);
  const { centroids, norms2, dim, count } = lists;
  for (let i = 0; i < count; i++) {
    const s = dot(x, centroids, xo, i * dim, dim);
    out[i] = lists.metric === 'cosine' ? s : 2 * s - norms2[i];
  }
  return out;
}

/** The list whose centroid is nearest the row at `x[xo..xo+dim)` (the first of equals). */
export function nearestList(lists: Lists, x: Float32Array, xo = 0, scores?: Float32Array): number {
  const s = listScores(lists, x, xo, scores);
  let best = 0;
  for (let i = 1; i < lists.count; i++) if (s[i] > s[best]) best = i;
  return best;
}

/** Every list, nearest the row at `x[xo..xo+dim)` first: the order a query reads them in. */
export function listOrder(lists: Lists, x: Float32Array, xo = 0): Int32Array {
  const s = listScores(lists, x, xo);
  return Int32Array.from({ length: lists.count }, (_, i) => i).sort((a, b) => s[b] - s[a] || a - b);
}

/** Mean of the rows assigned to each list (`counts[i]` of them, summed in `sums`), unit length under cosine. */
function updateCentroid(sums: Float64Array, count: number, dim: number, metric: ListMetric, out: Float32Array, oo: number): void {
  let s = 0;
  for (let j = 0; j < dim; j++) s += (sums[j] / count) ** 2;
  const scale = metric === 'cosine' && s > 0 ? 1 / Math.sqrt(s) : 1;
  for (let j = 0; j < dim; j++) out[oo + j] = (sums[j] / count) * scale;
}

/**
 * k lists trained by k-means on `rows` (list space, `listSpace`): centroids start at k distinct
 * rows drawn with `options.random`; a list left empty by an assignment restarts at a random row.
 * @throws RangeError when there are fewer rows than lists, or `k` < 1
 */
export function trainLists(rows: Float32Array, dim: number, metric: Metric, k: number, options: ClusteringOptions): Lists {
  const n = checkRows(rows, dim);
  const m = checkMetric(metric);
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`k must be a positive integer, got ${k}`);
  if (k > n) throw new RangeError(`${k} lists need at least as many training rows, got ${n}`);
  const { random } = options;
  const picks = new Set<number>();
  while (picks.size < k) picks.add(Math.floor(random() * n));
  const c = new Float32Array(k * dim);
  [...picks].forEach((r, i) => c.set(rows.subarray(r * dim, (r + 1) * dim), i * dim));
  let lists = listsOf(m, dim, c);
  const scores = new Float32Array(k);
  const assign = new Int32Array(n);
  for (let it = 0; it < options.iterations; it++) {
    for (let r = 0; r < n; r++) assign[r] = nearestList(lists, rows, r * dim, scores);
    const sums = new Float64Array(k * dim);
    const counts = new Int32Array(k);
    for (let r = 0; r < n; r++) {
      counts[assign[r]]++;
      const o = assign[r] * dim;
      for (let j = 0; j < dim; j++) sums[o + j] += rows[r * dim + j];
    }
    for (let i = 0; i < k; i++) {
      if (counts[i] === 0) {
        const r = Math.floor(random() * n);
        c.set(rows.subarray(r * dim, (r + 1) * dim), i * dim);
      } else {
        updateCentroid(sums.subarray(i * dim, (i + 1) * dim), counts[i], dim, m, c, i * dim);
      }
    }
    lists = listsOf(m, dim, c);
  }
  return lists;
}

/** A full list cut in two: the two centroids (`Lists` of 2) and each member's side, 0 or 1. */
export interface ListSplit {
  readonly halves: Lists;
  /** per member, in the order given: the index of its nearer half's centroid */
  readonly side: Uint8Array;
}

/**
 * A full list cut in two by 2-means over its `members` (row numbers of `rows`, list space):
 * seeded with a member drawn with `options.random` and the member farthest from it, then
 * `options.iterations` Lloyd iterations; each member's side is its nearer final centroid.
 * @returns undefined when the members cannot be cut (all equal)
 */
export function splitList(rows: Float32Array, dim: number, metric: Metric, members: readonly number[], options: ClusteringOptions): ListSplit | undefined {
  checkRows(rows, dim);
  const m = checkMetric(metric);
  if (members.length < 2) return undefined;
  const a = members[Math.floor(options.random() * members.length)];
  let b = a;
  let far = 0;
  for (const r of members) {
    const d = squaredL2(rows, rows, a * dim, r * dim, dim);
    if (d > far) [b, far] = [r, d];
  }
  if (far === 0) return undefined;
  const c = new Float32Array(2 * dim);
  c.set(rows.subarray(a * dim, (a + 1) * dim), 0);
  c.set(rows.subarray(b * dim, (b + 1) * dim), dim);
  let halves = listsOf(m, dim, c);
  const scores = new Float32Array(2);
  const assign = () => Uint8Array.from(members, (r) => nearestList(halves, rows, r * dim, scores));
  for (let it = 0; it < options.iterations; it++) {
    const side = assign();
    const sums = [new Float64Array(dim), new Float64Array(dim)];
    const counts = [0, 0];
    members.forEach((r, i) => {
      counts[side[i]]++;
      for (let j = 0; j < dim; j++) sums[side[i]][j] += rows[r * dim + j];
    });
    if (counts[0] === 0 || counts[1] === 0) break;
    for (const h of [0, 1]) updateCentroid(sums[h], counts[h], dim, m, c, h * dim);
    halves = listsOf(m, dim, c);
  }
  const side = assign();
  const ones = side.reduce((s, v) => s + v, 0);
  return ones === 0 || ones === members.length ? undefined : { halves, side };
}

/**
 * The smallest nprobe at which calibration queries reach a mean recall@k of `target`, reading their
 * lists nearest first. `neighbourRanks[q]` holds, for each row that query q's recall@k counts as a
 * neighbour, the rank (0 = nearest) of that row's list in q's `listOrder`; a query's recall at
 * nprobe n is the share of its k slots filled by those rows in its first n lists, as if the re-rank
 * lost nothing. Which rows count (exact neighbours, ties within a tolerance, or those found by a
 * wider read) is the caller's choice.
 * @param lists how many lists there are: the answer when even all of them fall short
 * @returns an nprobe from 1 to `lists`
 * @throws RangeError when `lists` or `k` is not a positive integer, there are no queries, `target` is
 *   not in [0, 1], or a rank is not in 0..lists-1
 */
export function coverageNprobe(neighbourRanks: readonly (readonly number[])[], lists: number, target: number, k = 10): number {
  return coverage(neighbourRanks, lists, target, k).whole;
}

/**
 * The mean nprobe at which calibration queries reach a mean recall@k of `target` (as
 * `coverageNprobe`), when a fraction f of the queries read n lists and the rest n - 1: with n the
 * smallest whole nprobe that reaches it, n - 1 + f for the f at which the slots filled reach the
 * target (recall is linear in f), and 1 at least (a query reads a list).
 * @returns a mean nprobe from 1 to `lists`, in (`coverageNprobe` - 1, `coverageNprobe`]
 * @throws RangeError as `coverageNprobe`
 */
export function meanCoverageNprobe(neighbourRanks: readonly (readonly number[])[], lists: number, target: number, k = 10): number {
  const { whole, fraction } = coverage(neighbourRanks, lists, target, k);
  return Math.max(1, whole - 1 + fraction);
}

/** `coverageNprobe` (`whole`) and the share of the slots its last list fills that the target needs (`fraction`, in (0, 1]; 1 when all lists fall short). */
function coverage(neighbourRanks: readonly (readonly number[])[], lists: number, target: number, k: number): { whole: number; fraction: number } {
  if (!Number.isInteger(lists) || lists < 1) throw new RangeError(`lists must be a positive integer, got ${lists}`);
  if (neighbourRanks.length === 0) throw new RangeError('calibration needs at least one query');
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`k must be a positive integer, got ${k}`);
  if (!(target >= 0 && target <= 1)) throw new RangeError(`target must be in [0, 1], got ${target}`);
  const slotsFilledAt = new Float64Array(lists);
  for (const ranks of neighbourRanks) {
    for (const r of ranks) if (!Number.isInteger(r) || r < 0 || r >= lists) throw new RangeError(`a list rank must be an integer in 0..${lists - 1}, got ${r}`);
    for (const r of [...ranks].sort((a, b) => a - b).slice(0, k)) slotsFilledAt[r]++;
  }
  const needed = target * k * neighbourRanks.length;
  let filled = 0;
  for (let n = 0; n < lists; n++) {
    if (filled + slotsFilledAt[n] >= needed) return { whole: n + 1, fraction: slotsFilledAt[n] > 0 ? (needed - filled) / slotsFilledAt[n] : 1 };
    filled += slotsFilledAt[n];
  }
  return { whole: lists, fraction: 1 };
}
