import { CODE_BITS } from './params';
import { fillGaussian } from './prng';
import { dot, normalized } from './vector';
import { IndexParams, Metric } from './types';

/**
 * Random-hyperplane LSH (SimHash; Charikar, "Similarity estimation techniques from rounding
 * algorithms", STOC 2002) with LSH-Forest prefix buckets (Bawa, Condie & Ganesan, WWW 2005) and
 * query-directed multi-probe (Lv, Josephson, Wang, Charikar & Li, VLDB 2007).
 *
 * Every vector is hashed relative to the collection's centre `c` (cosine: of the unit vectors):
 * y = x' - c. Each of the L hash tables gives y a CODE_BITS-bit code (one bit per hyperplane, the
 * sign of w·y). A bucket is a prefix of that code: the query reads the prefix of depth
 * b = log2(N / bucketSize), so buckets keep their size as the collection grows, and nothing is
 * re-indexed. A separate set of `sketchBits` directions gives each vector a sign sketch, stored
 * with its bucket entries with |y| and c·y: from it the query estimates every candidate's distance
 * and fetches only the best `rerank` full vectors.
 *
 * The sketch (prngVersion 2): the directions are orthonormal in blocks of `dimension` (Gram-Schmidt
 * on the Gaussian rows), and the query's side is exact. A vector's codes along the directions
 * r_j (its signs, or from twice the dimension sign and magnitude: `sketchLayout`) stand for
 * levels l_j and define x̂ = sum_j l_j r_j; the query estimates cos(y_q, y_x) as
 * x̂·ŷ_q / x̂·ŷ_x, where the gain x̂·ŷ_x = sum_j l_j (r_j·ŷ_x) is stored with the sketch. This
 * asymmetric estimator is the one of RaBitQ (Gao & Long, SIGMOD 2024, with their x̄·o
 * correction; their extended RaBitQ, SIGMOD 2025, spends more bits per direction too, there with
 * a searched codebook, here a Lloyd-Max quantizer per direction); its error in the angle
 * is |x̂ - (x̂·ŷ_x) ŷ_x| / (x̂·ŷ_x sqrt(D - 1)) for a residual direction uniform around ŷ_x, also
 * stored. On GloVe-100 512 sign bits err by 1.96° at the 10 nearest neighbours where their
 * Hamming estimate errs by 3.75°. Collections of prngVersion 1 keep Gaussian directions, one
 * sign bit each, and the Hamming estimate (Charikar 2002).
 */

/** What a bucket entry stores of a vector's sketch (`packSketch`, `unpackSketch`). */
export interface StoredSketch {
  /** Sketch, sketchBits / 8 bytes: one code per direction (`sketchLayout`, `sketchLevel`). */
  readonly sketch: Uint8Array;
  /** |y|, y = x' - c */
  readonly norm: number;
  /** c·y */
  readonly offset: number;
  /** prngVersion 2: the sketch's gain x̂·ŷ (see the module comment); absent in version 1. */
  readonly gain?: number;
  /** prngVersion 2: the standard error of the sketch's angle estimate, in radians; absent in version 1. */
  readonly error?: number;
}

/** What the index stores of one vector: its hash codes and its sketch. */
export interface Encoding extends StoredSketch {
  /** One CODE_BITS-bit code per hash table, most significant bit first. */
  readonly codes: Uint32Array;
}

/** A query's encoding: codes, per-bit margins for probing, sketch. */
export interface QueryEncoding extends Encoding {
  /** |w·y| for every code bit of every table (L x CODE_BITS), the margin of each bit. */
  readonly margins: Float32Array;
  /** r_j·ŷ_q for every sketch direction (`sketchLayout`): the query's exact side of the sketch. */
  readonly sketchProjections: Float32Array;
}

/** The hyperplanes of one collection, regenerated from its seed. Pure and immutable. */
/**
 * How a sketch of `sketchBits` spends its bits for vectors of `dimension` (prngVersion 2): one
 * sign bit per direction below twice the dimension; from there 2 bits per direction (sign and
 * magnitude, `sketchLevel`), whose quantized vector is closer to the vector than signs alone
 * (cosine 0.94 against 0.80: Lloyd-Max quantizers of a normal), so at equal bits its angle error
 * is 1.5 times smaller. Version 1 sketches always hold one sign bit per direction.
 */
export function sketchLayout(dimension: number, sketchBits: number, prngVersion: number): { directions: number; bitsPerDirection: 1 | 2 } {
  const bitsPerDirection = prngVersion >= 2 && sketchBits >= 2 * dimension ? 2 : 1;
  return { directions: sketchBits / bitsPerDirection, bitsPerDirection };
}

/**
 * Lloyd-Max quantizer of a standard normal with 4 levels (Max, IRE Trans. Inf. Theory 1960):
 * threshold 0.9816, levels 0.4528 and 1.510, in units of the projection's standard deviation
 * |y| / sqrt(dimension) along a random direction.
 */
const TWO_BIT = { threshold: 0.9816, low: 0.4528, high: 1.51 } as const;

/** The level a direction's code stands for: 1 bit, -1 or 1; 2 bits (sign, magnitude), ±low or ±high. */
export function sketchLevel(bitsPerDirection: 1 | 2, code: number): number {
  if (bitsPerDirection === 1) return code ? 1 : -1;
  const magnitude = code & 1 ? TWO_BIT.high : TWO_BIT.low;
  return code & 2 ? magnitude : -magnitude;
}

/** The hyperplanes of one collection, regenerated from its seed. Pure and immutable. */
export class Hasher {
  readonly hashTables: number;
  readonly sketchBits: number;
  /** Sketch directions and bits per direction (`sketchLayout`). */
  readonly layout: { readonly directions: number; readonly bitsPerDirection: 1 | 2 };
  private readonly planes: Float32Array;

  constructor(
    readonly dimension: number,
    readonly metric: Metric,
    params: Pick<IndexParams, 'hashTables' | 'sketchBits'>,
    readonly seed: number,
    readonly prngVersion: number,
    /** The centre c; zero when undefined. */
    readonly centre?: Float32Array,
  ) {
    this.hashTables = params.hashTables;
    this.sketchBits = params.sketchBits;
    if (centre && centre.length !== dimension) throw new Error(`centre has ${centre.length} dimensions, expected ${dimension}`);
    this.layout = sketchLayout(dimension, params.sketchBits, prngVersion);
    this.planes = planesFor(dimension, params.hashTables * CODE_BITS, this.layout.directions, seed, prngVersion);
  }

  /** Whether sketches carry a gain and error (prngVersion 2 and later). */
  private get asymmetric(): boolean {
    return this.prngVersion >= 2;
  }

  /** x' - c: the vector the hyperplanes see. */
  private centred(x: Float32Array): Float32Array {
    const base = this.metric === 'cosine' ? normalized(x) : Float32Array.from(x);
    if (this.centre) for (let i = 0; i < base.length; i++) base[i] -= this.centre[i];
    return base;
  }

  /** (x' - c) / |x' - c|: the direction the hyperplanes see, which a data profile measures (`profile.ts`). */
  centredUnit(x: Float32Array): Float32Array {
    return normalized(this.centred(x));
  }

  private project(x: Float32Array): { projections: Float32Array; norm: number; offset: number } {
    const y = this.centred(x);
    const d = this.dimension;
    const rows = this.planes.length / d;
    const projections = new Float32Array(rows);
    const p = this.planes;
    for (let r = 0; r < rows; r++) {
      let s = 0;
      const o = r * d;
      for (let i = 0; i < d; i++) s += p[o + i] * y[i];
      projections[r] = s;
    }
    return { projections, norm: Math.sqrt(dot(y, y)), offset: this.centre ? dot(this.centre, y) : 0 };
  }

  /** Encodes a vector for storage. The caller has checked the dimension. */
  encode(x: Float32Array): Encoding {
    const { projections, norm, offset } = this.project(x);
    const codes = this.sketchCodes(projections, norm);
    return { codes: this.codesOf(projections), sketch: this.sketchOf(codes), norm, offset, ...this.sketchGain(projections, codes, norm) };
  }

  /** Encodes a query: like `encode`, plus every code bit's margin for multi-probe and the exact sketch projections. */
  encodeQuery(x: Float32Array): QueryEncoding {
    const { projections, norm, offset } = this.project(x);
    const margins = new Float32Array(this.hashTables * CODE_BITS);
    for (let i = 0; i < margins.length; i++) margins[i] = Math.abs(projections[i]);
    const sketchProjections = projections.slice(this.hashTables * CODE_BITS);
    if (norm > 0) for (let j = 0; j < sketchProjections.length; j++) sketchProjections[j] /= norm;
    const sketch = this.sketchOf(this.sketchCodes(projections, norm));
    return { codes: this.codesOf(projections), sketch, norm, offset, margins, sketchProjections };
  }

  /** Each sketch direction's code (`sketchLevel`): its sign, and with 2 bits whether |r_j·y| passes the threshold. */
  private sketchCodes(projections: Float32Array, norm: number): Uint8Array {
    const base = this.hashTables * CODE_BITS;
    const { directions, bitsPerDirection } = this.layout;
    const codes = new Uint8Array(directions);
    const threshold = (TWO_BIT.threshold * norm) / Math.sqrt(this.dimension);
    for (let j = 0; j < directions; j++) {
      const p = projections[base + j];
      codes[j] = bitsPerDirection === 1 ? Number(p >= 0) : (Number(p >= 0) << 1) | Number(Math.abs(p) > threshold);
    }
    return codes;
  }

  /**
   * Gain x̂·ŷ and angle error of the sketch (module comment), x̂ = sum_j level_j r_j, from the
   * projections of y (|y| = norm). Within one block of orthonormal directions
   * |x̂|² = sum_j level_j²; across blocks x̂ is summed here.
   */
  private sketchGain(projections: Float32Array, codes: Uint8Array, norm: number): { gain?: number; error?: number } {
    if (!this.asymmetric) return {};
    const base = this.hashTables * CODE_BITS;
    const d = this.dimension;
    const { directions, bitsPerDirection } = this.layout;
    if (norm === 0) return { gain: 1, error: Math.PI / 2 };
    const xhat = directions > d ? new Float64Array(d) : undefined;
    let gain = 0;
    let squared = 0;
    for (let j = 0; j < directions; j++) {
      const level = sketchLevel(bitsPerDirection, codes[j]);
      gain += level * projections[base + j];
      squared += level * level;
      if (xhat) {
        const o = (base + j) * d;
        for (let i = 0; i < d; i++) xhat[i] += level * this.planes[o + i];
      }
    }
    gain /= norm;
    if (xhat) squared = xhat.reduce((s, v) => s + v * v, 0);
    const residual = Math.sqrt(Math.max(0, squared - gain * gain));
    return { gain, error: residual / (gain * Math.sqrt(Math.max(1, d - 1))) };
  }

  private codesOf(projections: Float32Array): Uint32Array {
    const codes = new Uint32Array(this.hashTables);
    for (let t = 0; t < this.hashTables; t++) {
      let code = 0;
      for (let j = 0; j < CODE_BITS; j++) code = (code << 1) | (projections[t * CODE_BITS + j] >= 0 ? 1 : 0);
      codes[t] = code >>> 0;
    }
    return codes;
  }

  /** Packs the directions' codes, `bitsPerDirection` bits each, most significant bit first. */
  private sketchOf(codes: Uint8Array): Uint8Array {
    const b = this.layout.bitsPerDirection;
    const sketch = new Uint8Array(this.sketchBits / 8);
    for (let j = 0; j < codes.length; j++) {
      const bit = j * b;
      sketch[bit >> 3] |= codes[j] << (8 - b - (bit & 7));
    }
    return sketch;
  }
}

const planeCache = new Map<string, Float32Array>();
const PLANE_CACHE_SIZE = 16;

/**
 * (codeRows + sketchRows) x dimension standard normals from the pinned PRNG; from version 2 the
 * sketch rows are orthonormalized in blocks of `dimension` (`orthonormalize`). Cached (LRU) per
 * (dimension, rows, seed, version).
 */
function planesFor(dimension: number, codeRows: number, sketchRows: number, seed: number, version: number): Float32Array {
  const key = `${dimension}:${codeRows}:${sketchRows}:${seed}:${version}`;
  let planes = planeCache.get(key);
  if (planes) {
    planeCache.delete(key);
  } else {
    planes = fillGaussian(new Float32Array((codeRows + sketchRows) * dimension), seed, version);
    if (version >= 2) orthonormalize(planes.subarray(codeRows * dimension), dimension);
    if (planeCache.size >= PLANE_CACHE_SIZE) planeCache.delete(planeCache.keys().next().value as string);
  }
  planeCache.set(key, planes);
  return planes;
}

/**
 * Modified Gram-Schmidt, in place, on consecutive blocks of `dimension` rows (the last block may
 * be shorter): rows of one block become orthonormal; blocks stay independent. In float64.
 */
export function orthonormalize(rows: Float32Array, dimension: number): void {
  const count = rows.length / dimension;
  for (let start = 0; start < count; start += dimension) {
    const end = Math.min(count, start + dimension);
    const block = Float64Array.from(rows.subarray(start * dimension, end * dimension));
    for (let r = 0; r < end - start; r++) {
      const v = block.subarray(r * dimension, (r + 1) * dimension);
      for (let p = 0; p < r; p++) {
        const u = block.subarray(p * dimension, (p + 1) * dimension);
        let d = 0;
        for (let i = 0; i < dimension; i++) d += u[i] * v[i];
        for (let i = 0; i < dimension; i++) v[i] -= d * u[i];
      }
      let n = 0;
      for (let i = 0; i < dimension; i++) n += v[i] * v[i];
      n = Math.sqrt(n);
      for (let i = 0; i < dimension; i++) v[i] /= n;
    }
    rows.set(block, start * dimension);
  }
}

/**
 * The bucket depth (code prefix bits) a query reads: log2(N / bucketSize), rounded, at least
 * `partitionBits` (a bucket never spans partitions) and at most CODE_BITS.
 */
export function bucketDepth(vectorCount: number, bucketSize: number, partitionBits: number): number {
  const ideal = Math.round(Math.log2(Math.max(1, vectorCount) / bucketSize));
  return Math.min(CODE_BITS, Math.max(partitionBits, ideal));
}

/**
 * Query-directed probing (Lv et al. 2007, section 4.4): the home bucket of `code` at `depth`,
 * then up to `probes` buckets reached by flipping the bit sets of `perturbationSets`, cheapest
 * first. Only the `depth` leading bits matter.
 * @returns codes (CODE_BITS wide; bits below `depth` are irrelevant), home bucket first
 */
export function probeSequence(code: number, margins: ArrayLike<number>, depth: number, probes: number): number[] {
  const out = [code];
  for (const set of perturbationSets(margins, depth, probes)) {
    let flipped = code;
    for (const j of set) flipped ^= 1 << (CODE_BITS - 1 - j);
    out.push(flipped >>> 0);
  }
  return out;
}

/**
 * The `count` cheapest non-empty sets of the first `depth` bits, cheapest first, where a set costs
 * the sum of its bits' squared margins: the shift/expand enumeration of Lv et al. (2007,
 * section 4.4) over the bits sorted by margin, which yields every set in order of cost.
 * @returns bit positions (0 = most significant code bit) of each set
 */
export function perturbationSets(margins: ArrayLike<number>, depth: number, count: number): number[][] {
  const out: number[][] = [];
  if (count <= 0 || depth <= 0) return out;
  // bits sorted by margin, smallest first; z[i] = squared margin of the i-th cheapest bit
  const bits = Array.from({ length: depth }, (_, j) => j).sort((a, b) => margins[a] - margins[b]);
  const z = bits.map((j) => margins[j] * margins[j]);
  // min-heap of perturbation sets (sorted index lists into `bits`) by score
  type Set_ = { idx: number[]; score: number };
  const heap: Set_[] = [{ idx: [0], score: z[0] }];
  const push = (s: Set_) => {
    heap.push(s);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (heap[parent].score <= heap[i].score) break;
      [heap[parent], heap[i]] = [heap[i], heap[parent]];
      i = parent;
    }
  };
  const pop = (): Set_ => {
    const top = heap[0];
    const last = heap.pop()!;
    if (heap.length > 0) {
      heap[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < heap.length && heap[l].score < heap[m].score) m = l;
        if (r < heap.length && heap[r].score < heap[m].score) m = r;
        if (m === i) break;
        [heap[m], heap[i]] = [heap[i], heap[m]];
        i = m;
      }
    }
    return top;
  };
  while (out.length < count && heap.length > 0) {
    const s = pop();
    out.push(s.idx.map((i) => bits[i]));
    const last = s.idx[s.idx.length - 1];
    if (last + 1 < depth) {
      // shift: replace the last bit with the next one; expand: add the next one
      push({ idx: [...s.idx.slice(0, -1), last + 1], score: s.score - z[last] + z[last + 1] });
      push({ idx: [...s.idx, last + 1], score: s.score + z[last + 1] });
    }
  }
  return out;
}

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
 * The distance a candidate of centred norm `norm` and offset c·y would have at `angle` to the
 * query (smaller is closer; increasing in the angle). y_q·y_x = |y_q| |y_x| cos(angle).
 * Euclidean: |y_q|^2 + |y_x|^2 - 2 y_q·y_x. Cosine and dot: -(y_q·y_x + c·y_x), which orders
 * candidates as -(q·x) does.
 */
export function distanceAtAngle(metric: Metric, q: Encoding, norm: number, offset: number, angle: number): number {
  const inner = q.norm * norm * Math.cos(Math.min(Math.PI, Math.max(0, angle)));
  return metric === 'euclidean' ? q.norm * q.norm + norm * norm - 2 * inner : -(inner + offset);
}

/** A sketch estimate of a candidate's distance with bounds `z` standard errors of the angle either side. */
export interface DistanceEstimate {
  readonly est: number;
  readonly lower: number;
  readonly upper: number;
}

/**
 * One query's estimator of candidates' angles and distances from their stored sketches. Built
 * once per query: for the asymmetric estimate (module comment) it tabulates x̂·ŷ_q for every
 * byte value at every byte of the sketch, so a candidate costs sketchBits / 8 table lookups.
 */
export class SketchEstimator {
  private readonly table: Float64Array;

  constructor(
    readonly metric: Metric,
    private readonly q: QueryEncoding,
  ) {
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

  /** The estimated distance with bounds at the angle +- `z` standard errors. */
  withBounds(s: StoredSketch, z: number): DistanceEstimate {
    const { angle, stdError } = this.angle(s);
    return {
      est: distanceAtAngle(this.metric, this.q, s.norm, s.offset, angle),
      lower: distanceAtAngle(this.metric, this.q, s.norm, s.offset, angle - z * stdError),
      upper: distanceAtAngle(this.metric, this.q, s.norm, s.offset, angle + z * stdError),
    };
  }
}

/**
 * `x` as bfloat16 (the upper 16 bits of its float32, rounded to nearest even): float32's range
 * with a relative error of at most 2^-8, far below the sketch's own error in the angle.
 */
function toBfloat16(x: number): number {
  const bits = new Uint32Array(new Float32Array([x]).buffer)[0];
  return ((bits + 0x7fff + ((bits >>> 16) & 1)) >>> 16) & 0xffff;
}

function fromBfloat16(h: number): number {
  return new Float32Array(new Uint32Array([h << 16]).buffer)[0];
}

/** Bytes of a packed sketch (`packSketch`) of prngVersion 2: the sketch, three bfloat16s and a float32. */
export function packedSketchBytes(sketchBits: number): number {
  return sketchBits / 8 + 10;
}

/**
 * Packs a sketch into the bytes a bucket entry stores, little-endian: the sketch, then |y| and
 * c·y as bfloat16; from prngVersion 2 also the error (bfloat16) and the gain (float32: a
 * relative error of 2^-8 in the gain would move the estimate of a near-duplicate by degrees).
 * `packedSketchBytes(sketchBits)` bytes, 6 fewer in version 1.
 */
export function packSketch(e: Encoding): Uint8Array {
  const v2 = e.gain !== undefined && e.error !== undefined;
  const n = e.sketch.length;
  const out = new Uint8Array(n + (v2 ? 10 : 4));
  out.set(e.sketch, 0);
  const view = new DataView(out.buffer);
  view.setUint16(n, toBfloat16(e.norm), true);
  view.setUint16(n + 2, toBfloat16(e.offset), true);
  if (v2) {
    view.setUint16(n + 4, toBfloat16(e.error!), true);
    view.setFloat32(n + 6, e.gain!, true);
  }
  return out;
}

/**
 * Inverse of `packSketch` for sketches of `sketchBits` (values to their stored precision).
 * @throws Error when the length is neither version's
 */
export function unpackSketch(b: Uint8Array, sketchBits: number): StoredSketch {
  const n = sketchBits / 8;
  const trailer = b.byteLength - n;
  if (trailer !== 4 && trailer !== 10) throw new Error(`a packed sketch of ${sketchBits} bits has ${n + 4} or ${n + 10} bytes, got ${b.byteLength}`);
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const norm = fromBfloat16(view.getUint16(n, true));
  const offset = fromBfloat16(view.getUint16(n + 2, true));
  if (trailer === 4) return { sketch: b.subarray(0, n), norm, offset };
  return { sketch: b.subarray(0, n), norm, offset, error: fromBfloat16(view.getUint16(n + 4, true)), gain: view.getFloat32(n + 6, true) };
}

/**
 * The centre a collection hashes around: the mean of the (for cosine, unit-length) vectors of its
 * first write. Fixed once set, so codes never change under a stored vector.
 */
export function centreOf(vectors: readonly Float32Array[], metric: Metric): Float32Array {
  const d = vectors[0].length;
  const c = new Float32Array(d);
  for (const v of vectors) {
    const x = metric === 'cosine' ? normalized(v) : v;
    for (let i = 0; i < d; i++) c[i] += x[i];
  }
  for (let i = 0; i < d; i++) c[i] /= vectors.length;
  return c;
}
