// k-means lists (IVF) over a data set's rows for bench/explore/ivf-sweep.ts: lists trained once, or
// grown from a first batch by splitting full lists, as a store could grow them without re-indexing.
import { Metric } from '../../lambda/core/types';
import { Matrix } from '../datasets/types';
import { distance } from '../distance';
import { log } from '../progress';
import { mulberry32 } from '../prng';

/** Rows of `m` as k-means sees them: unit vectors under cosine, as they are otherwise. */
export function clusteringSpace(m: Matrix, metric: Metric): Float32Array {
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
export function centroidScores(x: Float32Array, xo: number, c: Float32Array, cNorm2: Float32Array, k: number, dim: number, metric: Metric, out: Float32Array): void {
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

/** Lists that stay as trained: k-means over the first S vectors, every vector in its nearest centroid's list. */
export function trainedLists(x: Float32Array, dim: number, N: number, metric: Metric, K: number, S: number, iterations: number, seed: number): Layout {
  const { centroids, norms } = kMeans(x, dim, Math.min(S, N), K, iterations, metric, seed);
  const lists: number[][] = Array.from({ length: K }, () => []);
  const scores = new Float32Array(K);
  for (let r = 0; r < N; r++) {
    centroidScores(x, r * dim, centroids, norms, K, dim, metric, scores);
    lists[argmax(scores)].push(r);
  }
  return { centroids, norms, lists, splits: 0, movedEntries: [], splitReads: [] };
}

/** Unit length under cosine (centroids stay on the sphere), unchanged otherwise. */
function normalised(v: Float64Array, metric: Metric): Float32Array {
  let s = 0;
  for (const a of v) s += a * a;
  const scale = metric === 'cosine' && s > 0 ? 1 / Math.sqrt(s) : 1;
  return Float32Array.from(v, (a) => a * scale);
}

function dot(x: Float32Array, xo: number, c: Float32Array): number {
  let s = 0;
  for (let j = 0; j < c.length; j++) s += x[xo + j] * c[j];
  return s;
}

/**
 * Lists as a store would grow them without ever re-indexing: K0 centroids trained on the first S
 * vectors, then the vectors arrive in order, each appended to its nearest centroid's list; a list
 * that reaches `cap` entries splits in two by 2-means over its members (seeded with a member and the
 * member farthest from it; `iterations` Lloyd rounds). The split keeps the larger half in place and
 * moves the other half to a new list: each split records the members it read and the entries it moved.
 */
export function grownLists(x: Float32Array, dim: number, N: number, metric: Metric, K0: number, S: number, cap: number, iterations: number, seed: number): Layout {
  const trained = kMeans(x, dim, Math.min(S, N), K0, iterations, metric, seed);
  const cs: Float32Array[] = Array.from({ length: K0 }, (_, i) => trained.centroids.slice(i * dim, (i + 1) * dim));
  const ns: number[] = Array.from(trained.norms);
  const lists: number[][] = Array.from({ length: K0 }, () => []);
  const rand = mulberry32(seed + 1);
  const score = (r: number, i: number) => (metric === 'cosine' ? dot(x, r * dim, cs[i]) : 2 * dot(x, r * dim, cs[i]) - ns[i]);
  const movedEntries: number[][] = [];
  const splitReads: number[][] = [];
  for (let r = 0; r < N; r++) {
    let best = 0;
    let bestScore = score(r, 0);
    for (let i = 1; i < cs.length; i++) {
      const s = score(r, i);
      if (s > bestScore) [best, bestScore] = [i, s];
    }
    const list = lists[best];
    list.push(r);
    if (list.length < cap) continue;
    // 2-means over the full list's members: a member at random and the member farthest from it
    const a = list[Math.floor(rand() * list.length)];
    let b = list[0];
    let far = -Infinity;
    for (const m of list) {
      const d = distance(metric, x.subarray(a * dim, (a + 1) * dim), x.subarray(m * dim, (m + 1) * dim));
      if (d > far) [b, far] = [m, d];
    }
    const two: Float32Array[] = [x.slice(a * dim, (a + 1) * dim), x.slice(b * dim, (b + 1) * dim)];
    let side = new Uint8Array(list.length);
    for (let it = 0; it < iterations; it++) {
      const twoNorms = two.map((c) => c.reduce((s, v) => s + v * v, 0));
      const s2 = (m: number, c: number) => (metric === 'cosine' ? dot(x, m * dim, two[c]) : 2 * dot(x, m * dim, two[c]) - twoNorms[c]);
      side = Uint8Array.from(list, (m) => Number(s2(m, 1) > s2(m, 0)));
      const sums = [new Float64Array(dim), new Float64Array(dim)];
      const counts = [0, 0];
      list.forEach((m, i) => {
        counts[side[i]]++;
        for (let j = 0; j < dim; j++) sums[side[i]][j] += x[m * dim + j];
      });
      if (counts[0] === 0 || counts[1] === 0) break;
      for (const c of [0, 1]) two[c] = normalised(sums[c].map((v) => v / counts[c]), metric);
    }
    const ones = side.reduce((s, v) => s + v, 0);
    if (ones === 0 || ones === list.length) continue; // identical members: the list stays whole
    const stay = ones * 2 > list.length ? 1 : 0;
    const kept = list.filter((_, i) => side[i] === stay);
    const moved = list.filter((_, i) => side[i] !== stay);
    splitReads.push([...list]);
    movedEntries.push(moved);
    lists[best] = kept;
    cs[best] = two[stay];
    ns[best] = cs[best].reduce((s, v) => s + v * v, 0);
    lists.push(moved);
    cs.push(two[1 - stay]);
    ns.push(cs[cs.length - 1].reduce((s, v) => s + v * v, 0));
  }
  const centroids = new Float32Array(cs.length * dim);
  cs.forEach((c, i) => centroids.set(c, i * dim));
  return { centroids, norms: Float32Array.from(ns), lists, splits: splitReads.length, movedEntries, splitReads };
}

/** A list layout: centroids (row-major) with their squared norms, each list's base rows, and the splits that made it. */
export interface Layout {
  readonly centroids: Float32Array;
  readonly norms: Float32Array;
  readonly lists: number[][];
  readonly splits: number;
  /** per split, the rows whose entries moved to the new list (a delete and a put each) */
  readonly movedEntries: number[][];
  /** per split, the rows whose vector items it read to cluster the full list */
  readonly splitReads: number[][];
}
