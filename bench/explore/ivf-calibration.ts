// How a store could choose nprobe for ivf-sweep's lists from queries it has seen (or its own vectors):
// the smallest nprobe whose lists reach the recall target by recall@10's own rule.
import { Metric } from '../../lambda/core/types';
import { Matrix, row } from '../datasets/types';
import { distance } from '../distance';
import { RECALL_EPSILON } from '../recall';
import { listOrder } from '../../lambda/core/lists';
import { Layout } from './ivf-lists';

/** A calibration query: its row in a clustering-space matrix and every base row that counts as one of its 10 nearest (recall@10's tolerance). */
export interface CalibrationQuery {
  readonly x: Float32Array;
  readonly row: number;
  readonly acceptable: readonly number[];
}

/** By brute force, the base rows within `RECALL_EPSILON` of `query`'s 10th nearest base row (`self` left out: a stored vector used as a query). */
export function calibrationQuery(m: Matrix, metric: Metric, query: Float32Array, x: Float32Array, xRow: number, self = -1): CalibrationQuery {
  const d = new Float64Array(m.rows);
  for (let r = 0; r < m.rows; r++) d[r] = r === self ? Infinity : distance(metric, query, row(m, r));
  const tenth = d.slice().sort()[9];
  const acceptable: number[] = [];
  d.forEach((v, r) => {
    if (v <= tenth + RECALL_EPSILON) acceptable.push(r);
  });
  return { x, row: xRow, acceptable };
}

/**
 * The smallest nprobe at which the calibration queries' mean recall@10 reaches `target`, each query
 * reading its lists in centroid order: a query's recall at nprobe n is the share of 10 slots filled
 * by acceptable rows in its first n lists (what the re-rank then loses is not counted).
 */
export function coverageNprobe(layout: Layout, queries: readonly CalibrationQuery[], target: number): number {
  const { index, lists } = layout;
  const K = lists.length;
  const listOf = new Int32Array(lists.reduce((n, l) => n + l.length, 0));
  lists.forEach((l, i) => l.forEach((r) => (listOf[r] = i)));
  const slotsFilledAt = new Float64Array(K);
  for (const q of queries) {
    const rankOf = new Int32Array(K);
    listOrder(index, q.x, q.row * index.dim).forEach((list, rank) => (rankOf[list] = rank));
    const ranks = q.acceptable.map((r) => rankOf[listOf[r]]).sort((a, b) => a - b);
    for (const rank of ranks.slice(0, 10)) slotsFilledAt[rank]++;
  }
  let filled = 0;
  for (let n = 0; n < K; n++) {
    filled += slotsFilledAt[n];
    if (filled >= target * 10 * queries.length) return n + 1;
  }
  return K;
}
