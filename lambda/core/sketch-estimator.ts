// Candidates' angles and distances to a query, estimated from their stored sketches: the
// asymmetric estimate of prngVersion 2 and the Hamming estimate of version 1.
import type { Encoding, QueryEncoding } from './hasher';
import { coordinateLevel, sketchLevel, SplitSketchLayout, StoredSketch } from './sketch-format';
import { Metric } from './types';

/**
 * From the sketch stored with a candidate's bucket entry (`sketch-format.ts`) the query estimates
 * its distance, and fetches only the best `rerank` full vectors.
 *
 * prngVersion 2: a vector's codes along the sketch directions r_j stand for levels l_j
 * (`sketchLevel`) and define x̂ = sum_j l_j r_j; the query's side is exact (r_j·ŷ_q,
 * `QueryEncoding.sketchProjections`), and it estimates cos(y_q, y_x) as x̂·ŷ_q / x̂·ŷ_x, where the
 * gain x̂·ŷ_x = sum_j l_j (r_j·ŷ_x) is stored with the sketch. This asymmetric estimator is the
 * one of RaBitQ (Gao & Long, SIGMOD 2024, with their x̄·o correction); its error in the angle is
 * |x̂ - (x̂·ŷ_x) ŷ_x| / (x̂·ŷ_x sqrt(D - 1)) for a residual direction uniform around ŷ_x, also
 * stored. From the same sign bits it estimates the angle to near neighbours with less error than
 * their Hamming estimate. Collections of prngVersion 1 keep Gaussian directions, one sign bit each,
 * and the Hamming estimate (Charikar, STOC 2002).
 *
 * A split sketch (`splitSketchLayout`) estimates cos(y_q, y_x) = a_q·a_x + r_q·r_x as a_q·â_x
 * (its coordinates' levels) plus weight x̂_r·ŷ_q (RaBitQ on the residual), with standard error
 * sqrt((error |a_q|)² + (residualError |r_q|)²) in the cosine; bounds are taken on the cosine.
 */

const POPCOUNT = new Uint8Array(256).map((_, i) => {
  let c = 0;
  for (let v = i; v; v >>= 1) c += v & 1;
  return c;
});

/** Hamming distance between two sketches of equal length. */
export function hamming(a: Uint8Array, b: Uint8Array): number {
  let h = 0;
  for (let i = 0; i < a.length; i++) h += POPCOUNT[a[i] ^ b[i]];
  return h;
}

/**
 * The angle between y_q and y_x estimated from their sign sketches by Hamming distance h:
 * pi * h / bits (Charikar 2002), with standard error pi * sqrt(p (1 - p) / bits), p = h / bits
 * (h is binomial), floored at the error of one bit. The estimate of prngVersion 1 sketches.
 * @returns angle and standard error, in radians
 */
export function hammingAngle(q: Uint8Array, sketch: Uint8Array): { angle: number; stdError: number } {
  const bits = sketch.length * 8;
  const p = hamming(q, sketch) / bits;
  return { angle: Math.PI * p, stdError: Math.PI * Math.sqrt(Math.max(p * (1 - p), 1 / bits) / bits) };
}

/**
 * The distance a candidate of centred norm `norm` and offset c·y (absent only where Euclidean
 * sketches leave it out) would have at `angle` to the
 * query (smaller is closer; increasing in the angle). y_q·y_x = |y_q| |y_x| cos(angle).
 * Euclidean: |y_q|^2 + |y_x|^2 - 2 y_q·y_x. Cosine and dot: -(y_q·y_x + c·y_x), which orders
 * candidates as -(q·x) does.
 */
export function distanceAtAngle(metric: Metric, q: Encoding, norm: number, offset: number | undefined, angle: number): number {
  const inner = q.norm * norm * Math.cos(Math.min(Math.PI, Math.max(0, angle)));
  return metric === 'euclidean' ? q.norm * q.norm + norm * norm - 2 * inner : -(inner + (offset ?? 0));
}

/** A sketch estimate of a candidate's distance with bounds `z` standard errors of the angle either side. */
export interface DistanceEstimate {
  readonly est: number;
  readonly lower: number;
  readonly upper: number;
}

/** A distance estimate with the estimated angle (radians, in the hash frame) it derives from. */
export interface AngleEstimate extends DistanceEstimate {
  readonly angle: number;
}

/**
 * One query's estimator of candidates' angles and distances from their stored sketches. Built
 * once per query: for the asymmetric estimate (module comment) it tabulates x̂·ŷ_q for every
 * byte value at every byte of the sketch, so a candidate costs sketchBits / 8 table lookups.
 */
export class SketchEstimator {
  private readonly table: Float64Array;
  /** A split sketch: sum_j a_q,j (2^-bits - 1), the part of a_q·â_x that does not depend on the codes, and |a_q|, |r_q|. */
  private readonly splitQuery?: { readonly layout: SplitSketchLayout; readonly constant: number; readonly coordinateNorm: number; readonly residualNorm: number };

  constructor(
    readonly metric: Metric,
    private readonly q: QueryEncoding,
  ) {
    if (q.split) {
      this.table = splitTable(q.sketchProjections, q.split, q.sketch.length);
      const a = q.sketchProjections.subarray(q.split.directions);
      const held = a.reduce((s, v) => s + v * v, 0);
      const constant = a.reduce((s, v) => s + v * coordinateLevel(q.split!.bitsPerCoordinate, 0, 1), 0);
      this.splitQuery = { layout: q.split, constant, coordinateNorm: Math.sqrt(held), residualNorm: Math.sqrt(Math.max(0, 1 - held)) };
      return;
    }
    const a = q.sketchProjections;
    const bytes = q.sketch.length;
    const bitsPerDirection = (bytes * 8) / a.length;
    if (bitsPerDirection !== 1 && bitsPerDirection !== 2) throw new Error(`a sketch of ${bytes * 8} bits cannot hold ${a.length} directions`);
    const perByte = 8 / bitsPerDirection;
    const mask = (1 << bitsPerDirection) - 1;
    this.table = new Float64Array(bytes * 256);
    for (let b = 0; b < bytes; b++) {
      for (let v = 0; v < 256; v++) {
        let sum = 0;
        for (let k = 0; k < perByte; k++) sum += sketchLevel(bitsPerDirection, (v >> (8 - bitsPerDirection * (k + 1))) & mask) * a[b * perByte + k];
        this.table[b * 256 + v] = sum;
      }
    }
  }

  /**
   * The angle between y_q and y_x and its standard error, in radians: asymmetric for a sketch
   * with a gain, Hamming (`hammingAngle`) for one of prngVersion 1.
   * @throws Error when the sketch's length is not the query's
   */
  angle(s: StoredSketch): { angle: number; stdError: number } {
    if (s.sketch.length !== this.q.sketch.length) throw new Error(`sketch has ${s.sketch.length} bytes, the query's ${this.q.sketch.length}`);
    if (this.splitQuery) {
      const { cos, stdError } = this.splitCosine(s);
      // the delta method: d angle = d cos / sin(angle), the sine floored at the cosine's own error
      return { angle: Math.acos(clampCos(cos)), stdError: stdError / Math.max(Math.sqrt(1 - clampCos(cos) ** 2), stdError) };
    }
    if (s.gain === undefined || s.error === undefined) return hammingAngle(this.q.sketch, s.sketch);
    let dot = 0;
    const t = this.table;
    const sk = s.sketch;
    for (let b = 0; b < sk.length; b++) dot += t[(b << 8) | sk[b]];
    return { angle: Math.acos(Math.min(1, Math.max(-1, dot / s.gain))), stdError: s.error };
  }

  /** The estimated distance of a candidate (`distanceAtAngle` at `angle`). */
  estimate(s: StoredSketch): number {
    return distanceAtAngle(this.metric, this.q, s.norm, s.offset, this.angle(s).angle);
  }

  /**
   * cos(y_q, y_x) of a split sketch and its standard error (module comment).
   * @throws Error when the sketch is not split
   */
  private splitCosine(s: StoredSketch): { cos: number; stdError: number } {
    const split = this.splitQuery!;
    if (s.scale === undefined || s.weight === undefined || s.error === undefined || s.residualError === undefined) throw new Error('the collection has split sketches, this one is not');
    const t = this.table;
    const sk = s.sketch;
    const bytes = split.layout.coordinateBytes;
    let coordinates = split.constant;
    for (let b = 0; b < bytes; b++) coordinates += t[(b << 8) | sk[b]];
    let residual = 0;
    for (let b = bytes; b < sk.length; b++) residual += t[(b << 8) | sk[b]];
    return { cos: s.scale * coordinates + s.weight * residual, stdError: Math.hypot(s.error * split.coordinateNorm, s.residualError * split.residualNorm) };
  }

  /** The estimated distance with bounds at the angle +- `z` standard errors (of a split sketch: at the cosine +- `z` errors), and the angle. */
  withBounds(s: StoredSketch, z: number): AngleEstimate {
    if (this.splitQuery) {
      const { cos, stdError } = this.splitCosine(s);
      const at = (c: number) => distanceAtAngle(this.metric, this.q, s.norm, s.offset, Math.acos(clampCos(c)));
      return { angle: Math.acos(clampCos(cos)), est: at(cos), lower: at(cos + z * stdError), upper: at(cos - z * stdError) };
    }
    const { angle, stdError } = this.angle(s);
    return {
      angle,
      est: distanceAtAngle(this.metric, this.q, s.norm, s.offset, angle),
      lower: distanceAtAngle(this.metric, this.q, s.norm, s.offset, angle - z * stdError),
      upper: distanceAtAngle(this.metric, this.q, s.norm, s.offset, angle + z * stdError),
    };
  }
}

const clampCos = (c: number) => Math.min(1, Math.max(-1, c));

/**
 * The per-byte table of a split sketch's estimate: for the coordinates' bytes, each set bit adds
 * its place value's share of a coordinate's level (`coordinateLevel` is linear in the code:
 * scale (2 code + 1) / 2^bits - scale), 2^(place + 1) / 2^bits a_q,j, the scale applied per
 * candidate; for the residual's bytes, each bit its sign (±1) times r_j·ŷ_q.
 */
function splitTable(projections: Float32Array, layout: SplitSketchLayout, bytes: number): Float64Array {
  const { coordinates: k, bitsPerCoordinate: bits, coordinateBytes, directions: m } = layout;
  const a = projections.subarray(m, m + k);
  const table = new Float64Array(bytes * 256);
  const bitValue = (bit: number, set: boolean): number => {
    if (bit < 8 * coordinateBytes) {
      if (!set || bit >= k * bits) return 0;
      return (2 ** (bits - (bit % bits)) / 2 ** bits) * a[Math.floor(bit / bits)];
    }
    const j = bit - 8 * coordinateBytes;
    return j < m ? sketchLevel(1, Number(set)) * projections[j] : 0;
  };
  // Each byte's 256 sums from its 8 bits: a value's sum is that of the value without its lowest
  // set bit plus that bit's change from clear to set (a query builds the table: 48 x 256 lookups
  // at 384 bits instead of 8 times as many terms).
  const change = new Float64Array(8);
  for (let b = 0; b < bytes; b++) {
    let clear = 0;
    for (let i = 0; i < 8; i++) {
      const off = bitValue(8 * b + i, false);
      clear += off;
      change[7 - i] = bitValue(8 * b + i, true) - off; // bit i of the byte is its (7 - i)-th lowest
    }
    const row = b * 256;
    table[row] = clear;
    for (let v = 1; v < 256; v++) table[row + v] = table[row + (v & (v - 1))] + change[31 - Math.clz32(v & -v)];
  }
  return table;
}
