// How a store could choose nprobe for ivf-sweep's lists from queries it has seen (or its own vectors):
// the neighbours recall@10's own rule counts, found exactly or by a wide read, for `coverageNprobe`.
import { coverageNprobe, listOrder } from '../../lambda/core/lists';
import { Metric } from '../../lambda/core/types';
import { Matrix, row } from '../datasets/types';
import { distance } from '../distance';
import { RECALL_EPSILON } from '../recall';
import { Layout } from './ivf-lists';

/** A calibration query: the vector, its row in a list-space matrix, and its own base row when it is a stored vector (-1 otherwise). */
export interface CalibrationQuery {
  readonly query: Float32Array;
  readonly x: Float32Array;
  readonly row: number;
  readonly self: number;
}

/**
 * The rows of `rows` (default: every base row) within `RECALL_EPSILON` of the query's 10th nearest
 * among them, its own row left out: the rows recall@10 counts as neighbours, if `rows` held them all.
 */
export function acceptableRows(m: Matrix, metric: Metric, q: CalibrationQuery, rows?: readonly number[]): number[] {
  const ids = rows ?? Array.from({ length: m.rows }, (_, r) => r);
  const d = Float64Array.from(ids, (r) => (r === q.self ? Infinity : distance(metric, q.query, row(m, r))));
  const tenth = d.slice().sort()[Math.min(9, d.length - 1)];
  return ids.filter((_, i) => d[i] <= tenth + RECALL_EPSILON);
}

const exactCache = new WeakMap<CalibrationQuery, number[]>();

/**
 * The smallest nprobe at which the calibration queries' mean recall@10 reaches `target`
 * (`coverageNprobe` of `lambda/core/lists.ts`), each query reading its lists in centroid order. The
 * rows it counts as a query's neighbours come from every base row (`reference` 'exact', brute
 * force), or as a store would find them, from the query's first `reference` lists (a wide read).
 */
export function calibratedNprobe(m: Matrix, metric: Metric, layout: Layout, queries: readonly CalibrationQuery[], target: number, reference: 'exact' | number = 'exact'): number {
  const { index, lists } = layout;
  const listOf = new Int32Array(lists.reduce((n, l) => n + l.length, 0));
  lists.forEach((l, i) => l.forEach((r) => (listOf[r] = i)));
  const neighbourRanks = queries.map((q) => {
    const order = listOrder(index, q.x, q.row * index.dim);
    const rankOf = new Int32Array(lists.length);
    order.forEach((list, rank) => (rankOf[list] = rank));
    let acceptable: number[];
    if (reference === 'exact') {
      acceptable = exactCache.get(q) ?? acceptableRows(m, metric, q);
      exactCache.set(q, acceptable);
    } else {
      acceptable = acceptableRows(m, metric, q, Array.from(order.subarray(0, reference)).flatMap((list) => lists[list]));
    }
    return acceptable.map((r) => rankOf[listOf[r]]);
  });
  return coverageNprobe(neighbourRanks, lists.length, target);
}
