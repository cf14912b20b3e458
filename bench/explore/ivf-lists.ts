// k-means lists (IVF) over a data set's rows for bench/explore/ivf-sweep.ts: lists trained once, or
// grown from a first batch by splitting full lists, as a store could grow them without re-indexing.
import { ListMetric, Lists, listSpace, nearestList, splitList, trainLists } from '../../lambda/core/lists';
import { Metric } from '../../lambda/core/types';
import { Matrix } from '../datasets/types';
import { mulberry32 } from '../prng';

/** A list layout: the lists' centroids, each list's base rows, and the splits that made it. */
export interface Layout {
  readonly index: Lists;
  readonly lists: number[][];
  readonly splits: number;
  /** per split, the rows whose entries moved to the new list (a delete and a put each) */
  readonly movedEntries: number[][];
  /** per split, the rows whose vector items it read to cluster the full list */
  readonly splitReads: number[][];
}

/** Rows of `m` as the lists compare them (`listSpace`). */
export function clusteringSpace(m: Matrix, metric: Metric): Float32Array {
  return listSpace(m.data, m.dim, metric);
}

/** Lists that stay as trained: k-means over the first S rows of `x` (list space), every row in its nearest centroid's list. */
export function trainedLists(x: Float32Array, dim: number, N: number, metric: Metric, K: number, S: number, iterations: number, seed: number): Layout {
  const index = trainLists(x.subarray(0, Math.min(S, N) * dim), dim, metric, K, { iterations, random: mulberry32(seed) });
  const lists: number[][] = Array.from({ length: K }, () => []);
  const scores = new Float32Array(K);
  for (let r = 0; r < N; r++) lists[nearestList(index, x, r * dim, scores)].push(r);
  return { index, lists, splits: 0, movedEntries: [], splitReads: [] };
}

/**
 * Lists as a store would grow them without ever re-indexing: K0 lists trained on the first S rows,
 * then the rows arrive in order, each appended to its nearest centroid's list; a list that reaches
 * `cap` entries splits in two (`splitList`). The split keeps the larger half in place and moves the
 * other half to a new list: each split records the members it read and the entries it moved.
 */
export function grownLists(x: Float32Array, dim: number, N: number, metric: Metric, K0: number, S: number, cap: number, iterations: number, seed: number): Layout {
  const trained = trainLists(x.subarray(0, Math.min(S, N) * dim), dim, metric, K0, { iterations, random: mulberry32(seed) });
  // room for twice the lists trained, doubled when the splits fill it (a split may move as little as one member, so no bound holds in advance)
  let room = 2 * K0;
  let centroids = new Float32Array(room * dim);
  let norms2 = new Float32Array(room);
  centroids.set(trained.centroids);
  norms2.set(trained.norms2);
  let index: Lists = trained;
  const view = (count: number): Lists => ({ metric: metric as ListMetric, dim, count, centroids: centroids.subarray(0, count * dim), norms2: norms2.subarray(0, count) });
  const lists: number[][] = Array.from({ length: K0 }, () => []);
  const random = mulberry32(seed + 1);
  const movedEntries: number[][] = [];
  const splitReads: number[][] = [];
  let scores = new Float32Array(room);
  for (let r = 0; r < N; r++) {
    const best = nearestList(index, x, r * dim, scores.subarray(0, index.count));
    const list = lists[best];
    list.push(r);
    if (list.length < cap) continue;
    const split = splitList(x, dim, metric, list, { iterations, random });
    if (split === undefined) continue; // identical members: the list stays whole
    const ones = split.side.reduce((s, v) => s + v, 0);
    const stay = ones * 2 > list.length ? 1 : 0;
    splitReads.push([...list]);
    const moved = list.filter((_, i) => split.side[i] !== stay);
    movedEntries.push([...moved]); // a copy: the new list's array grows with later appends
    lists[best] = list.filter((_, i) => split.side[i] === stay);
    lists.push(moved);
    const added = index.count;
    if (added >= room) {
      room *= 2;
      const c = new Float32Array(room * dim);
      c.set(centroids);
      const n2 = new Float32Array(room);
      n2.set(norms2);
      [centroids, norms2, scores] = [c, n2, new Float32Array(room)];
    }
    centroids.set(split.halves.centroids.subarray(stay * dim, (stay + 1) * dim), best * dim);
    norms2[best] = split.halves.norms2[stay];
    centroids.set(split.halves.centroids.subarray((1 - stay) * dim, (2 - stay) * dim), added * dim);
    norms2[added] = split.halves.norms2[1 - stay];
    index = view(added + 1);
  }
  return { index: { ...index, centroids: index.centroids.slice(), norms2: index.norms2.slice() }, lists, splits: splitReads.length, movedEntries, splitReads };
}
