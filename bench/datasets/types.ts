// The benchmark's Matrix and Dataset types, with row views, row selection and the held-out split over a Matrix.
import type { Metric } from '../../lambda/core/types';
import { permutation } from '../prng';

export type { Metric };

/**
 * A row-major matrix of float32 values: `rows` vectors of `dim` components each, packed in one
 * `Float32Array` (`data.length === rows * dim`).
 */
export interface Matrix {
  readonly rows: number;
  readonly dim: number;
  readonly data: Float32Array;
}

/** A benchmark data set: the vectors to index (`base`) and the query vectors (`queries`). */
export interface Dataset {
  /** Short name, used in file names: `fashion-mnist`, `minilm`, ... */
  readonly name: string;
  /** Metric under which neighbours are exact (the ground truth's metric). */
  readonly metric: Metric;
  /** Vector dimension (same for base and queries). */
  readonly dim: number;
  readonly base: Matrix;
  readonly queries: Matrix;
  /** Where the data came from (paths), for the report. */
  readonly source: string;
}

/** Row `i` of `m` as a view (no copy). @throws RangeError when `i` is out of range. */
export function row(m: Matrix, i: number): Float32Array {
  if (!Number.isInteger(i) || i < 0 || i >= m.rows) throw new RangeError(`row ${i} is outside 0..${m.rows - 1}`);
  return m.data.subarray(i * m.dim, (i + 1) * m.dim);
}

/** The first `n` rows of `m` (a view, no copy). `n` larger than `m.rows` keeps every row. */
export function headRows(m: Matrix, n: number | undefined): Matrix {
  if (n === undefined || n >= m.rows) return m;
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`row count must be a positive integer, got ${n}`);
  return { rows: n, dim: m.dim, data: m.data.subarray(0, n * m.dim) };
}

/** Copies the listed rows of `m` into a new matrix, in the listed order. */
export function pickRows(m: Matrix, indices: readonly number[]): Matrix {
  const data = new Float32Array(indices.length * m.dim);
  indices.forEach((r, j) => data.set(row(m, r), j * m.dim));
  return { rows: indices.length, dim: m.dim, data };
}

/**
 * Splits rows into held-out queries and a base by one seeded permutation: the first `holdout`
 * rows of the permutation are the queries, the rest the base in permutation order, so the first N
 * base rows (`size`) are a uniform random sample, not the N most frequent words.
 */
export function holdoutSplit(all: Matrix, holdout: number, seed: number): { base: Matrix; queries: Matrix; queryRows: number[] } {
  if (holdout >= all.rows) throw new RangeError(`cannot hold out ${holdout} of ${all.rows} rows`);
  const perm = permutation(all.rows, seed);
  const queryRows = perm.slice(0, holdout);
  return { base: pickRows(all, perm.slice(holdout)), queries: pickRows(all, queryRows), queryRows };
}
