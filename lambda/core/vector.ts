// Vector checks and arithmetic: conversion to float32, dot products, norms, distances under each
// metric, and the little-endian byte layout the vectors table stores.
import { ValidationError } from './errors';
import { Metric } from './types';

/**
 * Checks a vector and converts it to float32.
 * @param field name of the field for error messages, e.g. `vectors[3].vector`
 * @throws ValidationError when it is not an array of `dimension` finite numbers, or all zeros
 *   under the cosine metric
 */
export function toFloat32(value: unknown, dimension: number, field: string, metric?: Metric): Float32Array {
  if (!Array.isArray(value) && !(value instanceof Float32Array) && !(value instanceof Float64Array)) {
    throw new ValidationError(field, 'must be an array of numbers');
  }
  const arr = value as ArrayLike<unknown>;
  if (arr.length !== dimension) {
    throw new ValidationError(field, `must have ${dimension} dimensions (got ${arr.length})`);
  }
  const out = new Float32Array(dimension);
  let nonZero = false;
  for (let i = 0; i < dimension; i++) {
    const x = arr[i];
    if (typeof x !== 'number') throw new ValidationError(`${field}[${i}]`, 'must be a number');
    if (!Number.isFinite(x)) throw new ValidationError(`${field}[${i}]`, 'must be a finite number (no NaN or Infinity)');
    if (Math.abs(x) > 3.4e38) throw new ValidationError(`${field}[${i}]`, 'must fit in float32 (|x| <= 3.4e38)');
    out[i] = x;
    if (x !== 0) nonZero = true;
  }
  if (metric === 'cosine' && !nonZero) throw new ValidationError(field, 'must not be all zeros under the cosine metric');
  return out;
}

/**
 * The dot product of `n` values of `a` from `ao` and of `b` from `bo` (by default the whole of `a`),
 * so that rows of a packed matrix need no copy.
 */
export function dot(a: Float32Array, b: Float32Array, ao = 0, bo = 0, n = a.length - ao): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += a[ao + i] * b[bo + i];
  return s;
}

export function norm(a: Float32Array): number {
  return Math.sqrt(dot(a, a));
}

/** The squared Euclidean distance between `n` values of `a` from `ao` and of `b` from `bo` (by default the whole of `a`). */
export function squaredL2(a: Float32Array, b: Float32Array, ao = 0, bo = 0, n = a.length - ao): number {
  let s = 0;
  for (let i = 0; i < n; i++) {
    const d = a[ao + i] - b[bo + i];
    s += d * d;
  }
  return s;
}

/** A copy scaled to unit length (the zero vector stays zero). */
export function normalized(a: Float32Array): Float32Array {
  const n = norm(a);
  const out = new Float32Array(a.length);
  if (n > 0) for (let i = 0; i < a.length; i++) out[i] = a[i] / n;
  return out;
}

/** A query prepared once for exact distances: the vector and its norm. */
export interface PreparedQuery {
  readonly vector: Float32Array;
  readonly norm: number;
}

/**
 * Exact distance and score of `x` to a prepared query under `metric`.
 * cosine: distance 1 - cos, score cos; euclidean: distance L2, score -L2; dot: distance -dot, score dot.
 */
export function distance(metric: Metric, q: PreparedQuery, x: Float32Array): { distance: number; score: number } {
  switch (metric) {
    case 'cosine': {
      const nx = norm(x);
      const cos = nx === 0 || q.norm === 0 ? 0 : dot(q.vector, x) / (q.norm * nx);
      return { distance: 1 - cos, score: cos };
    }
    case 'euclidean': {
      const d = Math.sqrt(squaredL2(q.vector, x));
      return { distance: d, score: -d };
    }
    case 'dot': {
      const s = dot(q.vector, x);
      return { distance: -s, score: s };
    }
  }
}

/** float32 vector to little-endian bytes (what the vectors table stores). */
export function vectorToBytes(v: Float32Array): Uint8Array {
  const out = new Uint8Array(v.length * 4);
  const view = new DataView(out.buffer);
  for (let i = 0; i < v.length; i++) view.setFloat32(i * 4, v[i], true);
  return out;
}

/** Little-endian bytes back to a float32 vector. */
export function bytesToVector(b: Uint8Array): Float32Array {
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const out = new Float32Array(b.byteLength / 4);
  for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(i * 4, true);
  return out;
}
