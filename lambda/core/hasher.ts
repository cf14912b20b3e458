// The hyperplanes of one collection, regenerated from its seed, and the encoding of vectors and
// queries with them: hash codes, sketch codes, the sketch's gain and error; and the centre.
import { CODE_BITS } from './params';
import { coordinateCode, coordinateLevel, packedSketchBytes, sketchLayout, sketchLevel, SplitSketchLayout, splitSketchLayout, StoredSketch, TWO_BIT } from './sketch-format';
import { liftQuery, liftStored, mipsNormOf } from './mips';
import { planesFor, projectCodePlanes, splitPlanes } from './planes';
import { hashingSubspace, SUBSPACE_MAX_SAMPLE, SUBSPACE_MIN_SAMPLE } from './subspace';
import { dot, normalized } from './vector';
import { IndexParams, Metric } from './types';

/**
 * Random-hyperplane LSH (SimHash; Charikar, "Similarity estimation techniques from rounding
 * algorithms", STOC 2002) whose codes' prefixes are the buckets of an LSH Forest (Bawa, Condie &
 * Ganesan, WWW 2005; the depth a query reads and its probes: `multiprobe.ts`).
 *
 * Every vector is hashed relative to the collection's centre `c` (cosine: of the unit vectors):
 * y = x' - c. Each of the L hash tables gives y a CODE_BITS-bit code (one bit per hyperplane, the
 * sign of w·y; with a hashing subspace, `subspace.ts`, the w are Gaussian within its span). A
 * separate set of `sketchBits` directions gives each vector a sketch, stored with its bucket
 * entries with |y| and c·y (`sketch-format.ts`): from it the query estimates every candidate's
 * distance (`sketch-estimator.ts`) and fetches only the best `rerank` full vectors.
 *
 * The sketch (prngVersion 2): the directions are orthonormal in blocks of `dimension` (Gram-Schmidt
 * on the Gaussian rows), and the query's side is exact. A vector's codes along the directions
 * r_j (its signs, or from twice the dimension sign and magnitude: `sketchLayout`) stand for
 * levels l_j and define x̂ = sum_j l_j r_j. Stored with the sketch for the asymmetric estimate of
 * RaBitQ (Gao & Long, SIGMOD 2024) are the gain x̂·ŷ_x = sum_j l_j (r_j·ŷ_x) and the estimate's
 * error in the angle, |x̂ - (x̂·ŷ_x) ŷ_x| / (x̂·ŷ_x sqrt(D - 1)) for a residual direction uniform
 * around ŷ_x. Collections of prngVersion 1 keep Gaussian directions, one sign bit each, and no
 * gain or error (the Hamming estimate, Charikar 2002).
 *
 * The split sketch (prngVersion 3 with a hashing subspace, `splitSketchLayout`): ŷ's coordinates
 * on the subspace's rows, a few bits each, and the signs of its residual along directions
 * orthonormal within the residual space (the seed's Gaussian sketch rows with the subspace
 * projected out). Stored with it: the coordinates' scale and error, the residual's weight
 * |r|² / x̂_r·r and its error (`sketch-format.ts`).
 */

/** What the index stores of one vector: its hash codes and its sketch. */
export interface Encoding extends StoredSketch {
  /** One CODE_BITS-bit code per hash table, most significant bit first. */
  readonly codes: Uint32Array;
}

/** A query's encoding: codes, per-bit margins for probing, sketch. */
export interface QueryEncoding extends Encoding {
  /** |w·y| for every code bit of every table (L x CODE_BITS), the margin of each bit. */
  readonly margins: Float32Array;
  /**
   * r_j·ŷ_q for every sketch direction (`sketchLayout`): the query's exact side of the sketch. For
   * a split sketch, the residual directions' and then the K subspace coordinates of ŷ_q.
   */
  readonly sketchProjections: Float32Array;
  /** The split sketch's layout, when the collection's sketch is split. */
  readonly split?: SplitSketchLayout;
}

/** The hyperplanes of one collection, regenerated from its seed. Pure and immutable. */
export class Hasher {
  readonly hashTables: number;
  readonly sketchBits: number;
  /** Sketch directions and bits per direction (`sketchLayout`; a split sketch's residual directions, one bit each). */
  readonly layout: { readonly directions: number; readonly bitsPerDirection: 1 | 2 };
  /** The dimension the hyperplanes live in: `dimension`, or dimension + 1 under the lift (`mips.ts`). */
  readonly space: number;
  /** The split sketch's layout (prngVersion 3 with a subspace, when `splitSketchLayout` allows one); undefined: whole-space directions. */
  readonly split?: SplitSketchLayout;
  private readonly planes: Float32Array;

  constructor(
    readonly dimension: number,
    readonly metric: Metric,
    params: Pick<IndexParams, 'hashTables' | 'sketchBits'>,
    readonly seed: number,
    readonly prngVersion: number,
    /** The centre c (of the lifted vectors under the lift); zero when undefined. */
    readonly centre?: Float32Array,
    /** The norm U of the maximum-inner-product lift (`mips.ts`); only under `dot`, none for no lift. */
    readonly mipsNorm?: number,
    /**
     * K x `space` orthonormal rows (`subspace.ts`): when given, the hash codes' hyperplanes are
     * Gaussian within their span (the seed's Gaussian rows projected onto it); from prngVersion 3
     * the sketch is split (`splitSketchLayout`).
     */
    readonly subspace?: Float32Array,
  ) {
    this.hashTables = params.hashTables;
    this.sketchBits = params.sketchBits;
    if (mipsNorm !== undefined && metric !== 'dot') throw new Error(`a mipsNorm applies to the dot metric only, not ${metric}`);
    if (mipsNorm !== undefined && !(mipsNorm > 0)) throw new Error(`mipsNorm must be positive, got ${mipsNorm}`);
    this.space = mipsNorm === undefined ? dimension : dimension + 1;
    if (centre && centre.length !== this.space) throw new Error(`centre has ${centre.length} dimensions, expected ${this.space}`);
    if (subspace && (subspace.length === 0 || subspace.length % this.space !== 0)) {
      throw new Error(`subspace must hold whole rows of ${this.space} dimensions, got ${subspace.length} values`);
    }
    this.split = subspace && prngVersion >= 3 ? splitSketchLayout(params.sketchBits, subspace.length / this.space) : undefined;
    this.layout = this.split ? { directions: this.split.directions, bitsPerDirection: 1 } : sketchLayout(this.space, params.sketchBits, prngVersion);
    const codeRows = params.hashTables * CODE_BITS;
    const planes = planesFor(this.space, codeRows, this.layout.directions, seed, prngVersion, !this.split);
    if (!subspace) this.planes = planes;
    else if (!this.split) this.planes = projectCodePlanes(planes, codeRows, this.space, subspace);
    else this.planes = splitPlanes(planes, codeRows, this.space, subspace);
  }

  /** Bytes of this hasher's packed sketches (`packedSketchBytes`). */
  get packedSketchBytes(): number {
    return packedSketchBytes(this.sketchBits, this.split !== undefined, this.storesOffset);
  }

  /**
   * Whether stored sketches carry the offset c·y: all but a Euclidean collection's split sketches
   * (a Euclidean distance does not use it; split sketches, new since prngVersion 3, leave it out).
   */
  private get storesOffset(): boolean {
    return this.split === undefined || this.metric !== 'euclidean';
  }

  /** Whether sketches carry a gain and error (prngVersion 2 and later). */
  private get asymmetric(): boolean {
    return this.prngVersion >= 2;
  }

  /** x' - c: the vector the hyperplanes see (`centredVector`). */
  private centred(x: Float32Array, side: 'stored' | 'query'): Float32Array {
    return centredVector(x, this.metric, side, this.centre, this.mipsNorm);
  }

  /** (x' - c) / |x' - c| of a stored vector in the whole space: the direction the sketch sees, and the hash codes too without a subspace. */
  centredUnit(x: Float32Array): Float32Array {
    return normalized(this.centred(x, 'stored'));
  }

  /**
   * The unit vector the hash codes see of a stored vector: `centredUnit`, or with a subspace its
   * projection onto the subspace's rows (K dimensions), normalised. Its angles are the ones the
   * collision model (`collision.ts`) prices.
   */
  hashView(x: Float32Array): Float32Array {
    return this.viewOf(this.centred(x, 'stored'));
  }

  /** y normalised, or with a subspace P·y normalised. */
  private viewOf(y: Float32Array): Float32Array {
    const s = this.subspace;
    if (!s) return normalized(y);
    const d = this.space;
    const out = new Float32Array(s.length / d);
    for (let j = 0; j < out.length; j++) {
      let t = 0;
      for (let i = 0; i < d; i++) t += s[j * d + i] * y[i];
      out[j] = t;
    }
    return normalized(out);
  }

  /**
   * The angles in radians between a query and stored vectors as the hash codes see them (each
   * lifted and centred, `centred`, and projected onto the subspace if any, `hashView`): the
   * angles the collision model (`collision.ts`) prices.
   * @throws RangeError when a vector's length is not the collection's dimension
   */
  anglesFrom(query: Float32Array, stored: readonly Float32Array[]): number[] {
    const wrong = [query, ...stored].find((x) => x.length !== this.dimension);
    if (wrong) throw new RangeError(`vectors of dimension ${this.dimension} expected, got ${wrong.length}`);
    const q = this.viewOf(this.centred(query, 'query'));
    return stored.map((x) => {
      const v = this.hashView(x);
      let s = 0;
      for (let i = 0; i < q.length; i++) s += q[i] * v[i];
      return Math.acos(Math.max(-1, Math.min(1, s)));
    });
  }

  private project(x: Float32Array, side: 'stored' | 'query'): { projections: Float32Array; norm: number; offset: number } {
    const y = this.centred(x, side);
    const d = this.space;
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
    const { projections, norm, offset } = this.project(x, 'stored');
    if (this.split) return { codes: this.codesOf(projections), norm, ...(this.storesOffset ? { offset } : {}), ...this.splitSketch(projections, norm, this.split) };
    const codes = this.sketchCodes(projections, norm);
    return { codes: this.codesOf(projections), sketch: this.sketchOf(codes), norm, offset, ...this.sketchGain(projections, codes, norm) };
  }

  /** Encodes a query: like `encode`, plus every code bit's margin for multi-probe and the exact sketch projections. */
  encodeQuery(x: Float32Array): QueryEncoding {
    const { projections, norm, offset } = this.project(x, 'query');
    const margins = new Float32Array(this.hashTables * CODE_BITS);
    for (let i = 0; i < margins.length; i++) margins[i] = Math.abs(projections[i]);
    const sketchProjections = projections.slice(this.hashTables * CODE_BITS);
    if (norm > 0) for (let j = 0; j < sketchProjections.length; j++) sketchProjections[j] /= norm;
    if (this.split) {
      const { sketch } = this.splitSketch(projections, norm, this.split);
      return { codes: this.codesOf(projections), sketch, norm, offset, margins, sketchProjections, split: this.split };
    }
    const sketch = this.sketchOf(this.sketchCodes(projections, norm));
    return { codes: this.codesOf(projections), sketch, norm, offset, margins, sketchProjections };
  }

  /**
   * The split sketch of y (|y| = norm) from its projections: the residual directions' r_j·y, then
   * the subspace coordinates' (module comment; `sketch-format.ts` for the stored fields).
   */
  private splitSketch(projections: Float32Array, norm: number, split: SplitSketchLayout): Omit<StoredSketch, 'norm' | 'offset'> {
    const { coordinates: k, bitsPerCoordinate: bits, coordinateBytes, directions: m } = split;
    const sketch = new Uint8Array(this.sketchBits / 8);
    if (norm === 0) return { sketch, scale: 0, weight: 0, error: 1, residualError: 1 };
    const base = this.hashTables * CODE_BITS;
    const a = Float64Array.from(projections.subarray(base + m, base + m + k), (v) => v / norm);
    const scale = a.reduce((s, v) => Math.max(s, Math.abs(v)), 0);
    let held = 0;
    let quantization = 0;
    for (let j = 0; j < k; j++) {
      const code = coordinateCode(bits, a[j], scale);
      for (let b = 0; b < bits; b++) if ((code >> (bits - 1 - b)) & 1) setBit(sketch, j * bits + b);
      quantization += (a[j] - coordinateLevel(bits, code, scale)) ** 2;
      held += a[j] * a[j];
    }
    // |ŷ|² = |a|² + |r|²; the signs of r_j·ŷ = r_j·r, directions orthonormal within each block of the residual space
    const residual = Math.max(0, 1 - held);
    const d = this.space - k;
    const levels = new Float64Array(m);
    let gain = 0;
    for (let j = 0; j < m; j++) {
      const p = projections[base + j] / norm;
      levels[j] = p >= 0 ? 1 : -1;
      if (p >= 0) setBit(sketch, 8 * coordinateBytes + j);
      gain += levels[j] * p;
    }
    const error = Math.sqrt(quantization / k);
    if (!(residual > 0) || !(gain > 0)) return { sketch, scale, weight: 0, error, residualError: 0 };
    const r = Math.sqrt(residual);
    return { sketch, scale, weight: residual / gain, error, residualError: r * angleError(this.squaredNormOf(base, levels, d), gain / r, d) };
  }

  /**
   * |x̂|² for x̂ = sum_j levels_j r_(first + j), the rows orthonormal in blocks of `rank`: within
   * one block sum_j levels_j²; across blocks x̂ is summed here.
   */
  private squaredNormOf(first: number, levels: Float64Array, rank: number): number {
    if (levels.length <= rank) return levels.reduce((s, l) => s + l * l, 0);
    const d = this.space;
    const xhat = new Float64Array(d);
    for (let j = 0; j < levels.length; j++) {
      const o = (first + j) * d;
      for (let i = 0; i < d; i++) xhat[i] += levels[j] * this.planes[o + i];
    }
    return xhat.reduce((s, v) => s + v * v, 0);
  }

  /** Each sketch direction's code (`sketchLevel`): its sign, and with 2 bits whether |r_j·y| passes the threshold. */
  private sketchCodes(projections: Float32Array, norm: number): Uint8Array {
    const base = this.hashTables * CODE_BITS;
    const { directions, bitsPerDirection } = this.layout;
    const codes = new Uint8Array(directions);
    const threshold = (TWO_BIT.threshold * norm) / Math.sqrt(this.space);
    for (let j = 0; j < directions; j++) {
      const p = projections[base + j];
      codes[j] = bitsPerDirection === 1 ? Number(p >= 0) : (Number(p >= 0) << 1) | Number(Math.abs(p) > threshold);
    }
    return codes;
  }

  /** Gain x̂·ŷ and angle error of the sketch (module comment), x̂ = sum_j level_j r_j, from the projections of y (|y| = norm). */
  private sketchGain(projections: Float32Array, codes: Uint8Array, norm: number): { gain?: number; error?: number } {
    if (!this.asymmetric) return {};
    const base = this.hashTables * CODE_BITS;
    const d = this.space;
    const { directions, bitsPerDirection } = this.layout;
    if (norm === 0) return { gain: 1, error: Math.PI / 2 };
    const levels = Float64Array.from(codes.subarray(0, directions), (c) => sketchLevel(bitsPerDirection, c));
    let gain = 0;
    for (let j = 0; j < directions; j++) gain += levels[j] * projections[base + j];
    gain /= norm;
    return { gain, error: angleError(this.squaredNormOf(base, levels, d), gain, d) };
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

/**
 * RaBitQ's standard error of the angle estimate, |x̂ - g ŷ| / (g sqrt(D - 1)), for a sketch vector x̂
 * with |x̂|² = `squared` and gain g = x̂·ŷ in D dimensions (Gao & Long, SIGMOD 2024; module comment).
 */
function angleError(squared: number, gain: number, dimension: number): number {
  return Math.sqrt(Math.max(0, squared - gain * gain)) / (gain * Math.sqrt(Math.max(1, dimension - 1)));
}

/** Sets bit `bit` of `bytes`, most significant bit of each byte first. */
function setBit(bytes: Uint8Array, bit: number): void {
  bytes[bit >> 3] |= 0x80 >> (bit & 7);
}

/**
 * x' - c: a vector as a collection's hyperplanes see it. x' is x lifted under `dot` with a norm U
 * (`mips.ts`: stored and query vectors differently), unit under cosine, x itself otherwise; c is
 * the centre (none: zero). A new array.
 */
export function centredVector(x: Float32Array, metric: Metric, side: 'stored' | 'query', centre?: Float32Array, mipsNorm?: number): Float32Array {
  const base = mipsNorm !== undefined ? (side === 'stored' ? liftStored(x, mipsNorm) : liftQuery(x)) : metric === 'cosine' ? normalized(x) : Float32Array.from(x);
  if (centre) for (let i = 0; i < base.length; i++) base[i] -= centre[i];
  return base;
}

/**
 * The centre a collection hashes around: the mean of the vectors of its first write as the
 * hyperplanes see them (for cosine unit-length, under the lift of norm `mipsNorm` lifted). Fixed
 * once set, so codes never change under a stored vector.
 */
export function centreOf(vectors: readonly Float32Array[], metric: Metric, mipsNorm?: number): Float32Array {
  const d = vectors[0].length + (mipsNorm === undefined ? 0 : 1);
  const c = new Float32Array(d);
  for (const v of vectors) {
    const x = mipsNorm !== undefined ? liftStored(v, mipsNorm) : metric === 'cosine' ? normalized(v) : v;
    for (let i = 0; i < d; i++) c[i] += x[i];
  }
  for (let i = 0; i < d; i++) c[i] /= vectors.length;
  return c;
}

/** What a collection's first write fixes of its hashing: the centre, under `dot` the lift's norm, and the hashing subspace. */
export interface HashFrame {
  readonly centre: Float32Array;
  /** The norm U of the maximum-inner-product lift (`mips.ts`); only under `dot`. */
  readonly mipsNorm?: number;
  /** K x space orthonormal rows the hash codes are taken in (`subspace.ts`); absent: the whole space. */
  readonly subspace?: Float32Array;
}

/**
 * The frame of a collection whose first write is `vectors`: under `dot` lifted by their largest
 * norm; under cosine and Euclidean, with the hashing subspace of the batch when it has one
 * (`hashingSubspace`: at least SUBSPACE_MIN_SAMPLE vectors whose variance lies in few directions).
 * The lift keeps the whole space: the angles it makes equivalent to inner products do not survive
 * a projection.
 */
export function frameOf(vectors: readonly Float32Array[], metric: Metric): HashFrame {
  const mipsNorm = metric === 'dot' ? mipsNormOf(vectors) : undefined;
  const centre = centreOf(vectors, metric, mipsNorm);
  if (metric === 'dot' || vectors.length < SUBSPACE_MIN_SAMPLE) return { centre, mipsNorm };
  const subspace = hashingSubspace(vectors.slice(0, SUBSPACE_MAX_SAMPLE).map((v) => centredVector(v, metric, 'stored', centre)));
  return subspace ? { centre, subspace } : { centre };
}
