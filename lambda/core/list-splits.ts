// When a k-means list (bucket layout 3) is full and how it is cut in two: the list size, which
// lists a writer counts, and the cut of a full list's members.
import { listRows, ListSplit, splitList } from './lists';
import { xoshiroUniform } from './prng';
import { Metric } from './types';
import { TRAINING_ITERATIONS } from './list-training';

/**
 * Entries a list holds before it splits. The exploration grew its lists with this cap (Fashion-MNIST
 * 0.959 at 60.5 read units, GloVe-100 0.952 at 323: BENCHMARKS.md, "k-means lists").
 */
export const DEFAULT_LIST_SIZE = 1000;

/**
 * How many times, on average, a list is counted while it fills: a writer counts a list it appended
 * `appended` entries to with chance `appended x SPLIT_CHECKS_PER_LIST / listSize` (`countsList`),
 * so a list splits within about 1/8 of its size past full, and a count (a Query billed for the
 * whole list) is paid about 8 times per list size of entries written, not once per write.
 */
export const SPLIT_CHECKS_PER_LIST = 8;

/**
 * Whether a writer counts list `list`, to which it appended `appended` entries: always when they
 * make up 1/SPLIT_CHECKS_PER_LIST of the list size, else with that share as chance, drawn from
 * `salt` (e.g. the write's first id), so that a retry of the same write counts the same lists.
 */
export function countsList(list: number, appended: number, listSize: number, salt: number): boolean {
  const chance = (appended * SPLIT_CHECKS_PER_LIST) / listSize;
  return chance >= 1 || xoshiroUniform((salt ^ Math.imul(list + 1, 0x9e3779b1)) >>> 0)() < chance;
}

/** The cut of a full list: its members' sides (true: moves to the new list) and the two centroids. */
export interface ListCut {
  /** per member, in the order given: whether it moves to the new list (the smaller side) */
  readonly moves: boolean[];
  /** the centroid of the members that stay */
  readonly kept: Float32Array;
  /** the centroid of the members that move */
  readonly moved: Float32Array;
}

/**
 * Cuts a full list in two by 2-means over its members' vectors (`splitList`, seeded with `seed`
 * so a retry cuts the same way); the smaller side moves to the new list, so the split copies and
 * deletes as few entries as it can.
 * @returns undefined when the members cannot be cut (fewer than 2, or all equal)
 * @throws RangeError for vectors not all of one dimension, or metric `dot`
 */
export function cutList(vectors: readonly Float32Array[], metric: Metric, seed: number): ListCut | undefined {
  if (vectors.length < 2) return undefined;
  const { rows, dim } = listRows(vectors, metric);
  const split: ListSplit | undefined = splitList(rows, dim, metric, Array.from(vectors, (_, r) => r), { iterations: TRAINING_ITERATIONS, random: xoshiroUniform(seed) });
  if (!split) return undefined;
  const ones = split.side.reduce((s, v) => s + v, 0);
  const movingSide = ones <= vectors.length - ones ? 1 : 0;
  const centroid = (side: number) => split.halves.centroids.slice(side * dim, (side + 1) * dim);
  return { moves: Array.from(split.side, (s) => s === movingSide), kept: centroid(1 - movingSide), moved: centroid(movingSide) };
}
