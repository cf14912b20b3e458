// How a collection in k-means lists (bucket layout 3) starts: how many lists its first batch
// trains, and the nprobe at which that batch, queried against itself, reaches the recall target.
import { CALIBRATION_K } from './list-calibration';
import { Lists, listOrder, listRows, meanCoverageNprobe, nearestList, trainLists } from './lists';
import { xoshiroUniform } from './prng';
import { Metric } from './types';
import { dot, squaredL2 } from './vector';

/** The most lists a first batch trains: later lists come from splits of full ones. */
export const MAX_FIRST_LISTS = 16;

/**
 * Training rows per first list: k-means on fewer rows per centroid places centroids on single
 * rows. With the first batch's usual 500 rows, 15 lists (the exploration grew its lists from 8-16
 * trained on 500 vectors: BENCHMARKS.md, "k-means lists").
 */
export const TRAINING_ROWS_PER_LIST = 32;

/** Lloyd iterations of the first training (as the exploration ran it). */
export const TRAINING_ITERATIONS = 10;

/** How many lists a first batch of `rows` vectors trains: 1 to `MAX_FIRST_LISTS`. */
export const firstListCount = (rows: number): number => Math.max(1, Math.min(MAX_FIRST_LISTS, Math.floor(rows / TRAINING_ROWS_PER_LIST)));

/** The first lists of a collection and the mean nprobe its queries start with (`queryNprobe`). */
export interface FirstLists {
  readonly lists: Lists;
  readonly nprobe: number;
}

/**
 * Trains the first lists on a collection's first batch (`vectors`, as written) with k-means
 * seeded by `seed` (`xoshiroUniform`, so a retry of the same batch trains the same lists), and
 * picks the mean nprobe at which the batch's own vectors, each queried against the others, find
 * `recallTarget` of their exact 10 nearest neighbours in the lists they read (`meanCoverageNprobe`).
 * Under cosine the lists compare unit vectors (`listSpace`).
 * @throws RangeError for an empty batch, vectors not all of one dimension, or metric `dot`
 *   (k-means lists need a metric space: `mips.ts` lifts dot-product vectors first)
 */
export function trainFirstLists(vectors: readonly Float32Array[], metric: Metric, recallTarget: number, seed: number): FirstLists {
  if (vectors.length === 0) throw new RangeError('training needs at least one vector');
  const { rows, dim } = listRows(vectors, metric);
  const lists = trainLists(rows, dim, metric, firstListCount(vectors.length), { iterations: TRAINING_ITERATIONS, random: xoshiroUniform(seed) });
  return { lists, nprobe: batchNprobe(lists, rows, recallTarget) };
}

/**
 * The mean nprobe at which each row of `rows` (list space), queried against the other rows, finds
 * `recallTarget` of its exact nearest neighbours (up to 10) in the lists it reads first; 1 for a
 * batch of one row.
 */
function batchNprobe(lists: Lists, rows: Float32Array, recallTarget: number): number {
  const { dim } = lists;
  const n = rows.length / dim;
  const k = Math.min(CALIBRATION_K, n - 1);
  if (k < 1) return 1;
  const home = Int32Array.from({ length: n }, (_, r) => nearestList(lists, rows, r * dim));
  const ranks: number[][] = [];
  const d = new Float64Array(n);
  for (let q = 0; q < n; q++) {
    for (let r = 0; r < n; r++) d[r] = lists.metric === 'cosine' ? -dot(rows, rows, q * dim, r * dim, dim) : squaredL2(rows, rows, q * dim, r * dim, dim);
    const neighbours = Array.from({ length: n }, (_, r) => r)
      .filter((r) => r !== q)
      .sort((a, b) => d[a] - d[b] || a - b)
      .slice(0, k);
    const rankOf = new Int32Array(lists.count);
    listOrder(lists, rows, q * dim).forEach((list, rank) => (rankOf[list] = rank));
    ranks.push(neighbours.map((r) => rankOf[home[r]]));
  }
  return meanCoverageNprobe(ranks, lists.count, recallTarget, k);
}
