// The stored form of a vector's sketch: how its bits are spent per direction (or, split, per
// subspace coordinate), the level each code stands for, and the bytes a bucket entry holds.

/**
 * A sketch gives a vector one code per sketch direction r_j (`hasher.ts`): its sign, or (prngVersion
 * 2, from twice the dimension) its sign and magnitude (`sketchLayout`). The codes stand for levels
 * l_j (`sketchLevel`) and define x̂ = sum_j l_j r_j, whose gain x̂·ŷ and angle error are stored
 * with the sketch, beside |y| and c·y, for the asymmetric estimate of RaBitQ (Gao & Long, SIGMOD
 * 2024; `sketch-estimator.ts`). Their extended RaBitQ (SIGMOD 2025) spends more bits per direction
 * too, there with a searched codebook, here a Lloyd-Max quantizer per direction. Collections of
 * prngVersion 1 keep one sign bit per direction (Charikar, STOC 2002) and store no gain or error.
 * From prngVersion 3 a collection with a hashing subspace splits its sketch (`SplitSketchLayout`).
 */

/** What a bucket entry stores of a vector's sketch (`packSketch`, `unpackSketch`). */
export interface StoredSketch {
  /** Sketch, sketchBits / 8 bytes: one code per direction (`sketchLayout`, `sketchLevel`). */
  readonly sketch: Uint8Array;
  /** |y|, y = x' - c */
  readonly norm: number;
  /** c·y; absent from a Euclidean collection's split sketch, whose distance does not use it (`packSketch`). */
  readonly offset?: number;
  /** prngVersion 2: the sketch's gain x̂·ŷ (see the module comment); absent in version 1. */
  readonly gain?: number;
  /**
   * prngVersion 2: the standard error of the sketch's angle estimate, in radians; absent in version 1.
   * A split sketch: the standard error of its coordinates' part of the cosine, per unit of the
   * query's norm in the subspace (|a - â| / sqrt(K)).
   */
  readonly error?: number;
  /** A split sketch (`splitSketchLayout`): the coordinates' scale max_j |a_j| (float32). */
  readonly scale?: number;
  /** A split sketch: the residual's weight |r|² / x̂_r·r (float32; 0 for no residual). */
  readonly weight?: number;
  /** A split sketch: the standard error of the residual's part of the cosine, per unit of the query's residual norm. */
  readonly residualError?: number;
}

/**
 * A split sketch (prngVersion 3, collections with a hashing subspace, `subspace.ts`): ŷ = P^T a + r,
 * a the K coordinates of ŷ on the subspace's rows P and r the residual orthogonal to them. The
 * first `coordinateBytes` bytes hold each a_j at `bitsPerCoordinate` bits (`coordinateCode`,
 * scaled by the vector's largest |a_j|); the rest hold the signs of r along `directions`
 * directions orthonormal within the residual space, RaBitQ's estimate for the residual (Gao & Long,
 * SIGMOD 2024). Where the data's variance lies in few directions, the coordinates carry most of
 * ŷ at a few bits each and the signs only what is left, so at equal bits the cosine errs far
 * less than signs spread over the whole space (BENCHMARKS.md, "Split sketches").
 */
export interface SplitSketchLayout {
  /** K: the subspace's rows. */
  readonly coordinates: number;
  /** Bits of each coordinate's code (`SPLIT_COORDINATE_BITS`). */
  readonly bitsPerCoordinate: number;
  /** Bytes the coordinates' codes take, padded to a whole byte. */
  readonly coordinateBytes: number;
  /** Residual directions, one sign bit each, in the sketch's remaining bits. */
  readonly directions: number;
}

/** Bits per coordinate a split sketch tries, most first: on Fashion-MNIST and MiniLM 6 and 5 estimate alike, 4 errs more. */
export const SPLIT_COORDINATE_BITS = [6, 5, 4] as const;

/**
 * The split layout of a sketch of `sketchBits` for a subspace of `coordinates` rows: the most bits
 * per coordinate (`SPLIT_COORDINATE_BITS`) that leave at least a quarter of the bits to the
 * residual's signs; undefined when even 4 bits do not, and the sketch keeps whole-space directions.
 */
export function splitSketchLayout(sketchBits: number, coordinates: number): SplitSketchLayout | undefined {
  for (const bitsPerCoordinate of SPLIT_COORDINATE_BITS) {
    const coordinateBytes = Math.ceil((coordinates * bitsPerCoordinate) / 8);
    const directions = sketchBits - 8 * coordinateBytes;
    if (directions >= sketchBits / 4) return { coordinates, bitsPerCoordinate, coordinateBytes, directions };
  }
  return undefined;
}

/** The code of coordinate `a` (|a| <= scale) at `bits` bits: its cell among 2^bits equal cells of [-scale, scale]. */
export function coordinateCode(bits: number, a: number, scale: number): number {
  const cells = 2 ** bits;
  if (!(scale > 0)) return 0;
  return Math.max(0, Math.min(cells - 1, Math.floor(((a / scale + 1) * cells) / 2)));
}

/** The level a coordinate's code stands for: the midpoint of its cell, scale ((2 code + 1) / 2^bits - 1). Linear in the code's bits. */
export function coordinateLevel(bits: number, code: number, scale: number): number {
  return scale * ((2 * code + 1) / 2 ** bits - 1);
}

/**
 * How a sketch of `sketchBits` spends its bits for vectors of `dimension`: from prngVersion 2 and
 * twice the dimension on, 2 bits per direction (sign and magnitude, `sketchLevel`), whose
 * quantized vector is closer to the vector than signs alone (cosine 0.94 against 0.80: Lloyd-Max
 * quantizers of a normal), so at equal bits its angle error is smaller; below that, and always in
 * version 1, one sign bit per direction.
 * @returns the number of sketch directions and the bits of each one's code
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
export const TWO_BIT = { threshold: 0.9816, low: 0.4528, high: 1.51 } as const;

/** The level a direction's code stands for: 1 bit, -1 or 1; 2 bits (sign, magnitude), ±low or ±high. */
export function sketchLevel(bitsPerDirection: 1 | 2, code: number): number {
  if (bitsPerDirection === 1) return code ? 1 : -1;
  const magnitude = code & 1 ? TWO_BIT.high : TWO_BIT.low;
  return code & 2 ? magnitude : -magnitude;
}

/**
 * `x` as bfloat16 (the upper 16 bits of its float32, rounded to nearest even): float32's range
 * with a relative error of at most 2^-8, far below the sketch's own error in the angle.
 */
function toBfloat16(x: number): number {
  const bits = new Uint32Array(new Float32Array([x]).buffer)[0];
  return ((bits + 0x7fff + ((bits >>> 16) & 1)) >>> 16) & 0xffff;
}

/** One scratch word for `fromBfloat16`: a search unpacks thousands of entries, and typed arrays per call cost a garbage collection. */
const bfloat16Scratch = new DataView(new ArrayBuffer(4));

function fromBfloat16(h: number): number {
  bfloat16Scratch.setUint32(0, h << 16);
  return bfloat16Scratch.getFloat32(0);
}

/**
 * Bytes of a packed sketch (`packSketch`) of prngVersion 2: the sketch, three bfloat16s and a
 * float32; split (`splitSketchLayout`): the sketch, four bfloat16s and two float32s, or three
 * bfloat16s without the offset c·y (`withOffset` false: a Euclidean collection's).
 */
export function packedSketchBytes(sketchBits: number, split = false, withOffset = true): number {
  return sketchBits / 8 + (split ? (withOffset ? SPLIT_TRAILER : SPLIT_TRAILER_NO_OFFSET) : 10);
}

const SPLIT_TRAILER = 16;
const SPLIT_TRAILER_NO_OFFSET = 14;

/**
 * Packs a sketch into the bytes a bucket entry stores, little-endian: the sketch, then |y| and
 * c·y as bfloat16; from prngVersion 2 also the error (bfloat16) and the gain (float32: a
 * relative error of 2^-8 in the gain would move the estimate of a near-duplicate by degrees);
 * a split sketch instead both errors (bfloat16), the scale and the weight (float32, likewise),
 * and leaves c·y out when the encoding has none (Euclidean: every query reads every entry it
 * reaches, so 2 bytes less of each is 2 bytes less read). `packedSketchBytes(sketchBits, split,
 * withOffset)` bytes, 6 fewer in version 1.
 */
export function packSketch(e: StoredSketch): Uint8Array {
  const split = e.scale !== undefined;
  const v2 = !split && e.gain !== undefined && e.error !== undefined;
  const n = e.sketch.length;
  if (!split && e.offset === undefined) throw new RangeError('only a split sketch may leave out its offset');
  const withOffset = e.offset !== undefined;
  const out = new Uint8Array(n + (split ? (withOffset ? SPLIT_TRAILER : SPLIT_TRAILER_NO_OFFSET) : v2 ? 10 : 4));
  out.set(e.sketch, 0);
  const view = new DataView(out.buffer);
  view.setUint16(n, toBfloat16(e.norm), true);
  let at = n + 2;
  if (withOffset) {
    view.setUint16(at, toBfloat16(e.offset!), true);
    at += 2;
  }
  if (split) {
    view.setUint16(at, toBfloat16(e.error!), true);
    view.setUint16(at + 2, toBfloat16(e.residualError!), true);
    view.setFloat32(at + 4, e.scale!, true);
    view.setFloat32(at + 8, e.weight!, true);
  } else if (v2) {
    view.setUint16(at, toBfloat16(e.error!), true);
    view.setFloat32(at + 2, e.gain!, true);
  }
  return out;
}

/**
 * Inverse of `packSketch` for sketches of `sketchBits` (values to their stored precision).
 * @throws Error when the length is none of the formats'
 */
export function unpackSketch(b: Uint8Array, sketchBits: number): StoredSketch {
  const n = sketchBits / 8;
  const trailer = b.byteLength - n;
  if (trailer !== 4 && trailer !== 10 && trailer !== SPLIT_TRAILER_NO_OFFSET && trailer !== SPLIT_TRAILER) {
    throw new Error(`a packed sketch of ${sketchBits} bits has ${n + 4}, ${n + 10}, ${n + SPLIT_TRAILER_NO_OFFSET} or ${n + SPLIT_TRAILER} bytes, got ${b.byteLength}`);
  }
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const sketch = b.subarray(0, n);
  const norm = fromBfloat16(view.getUint16(n, true));
  if (trailer === SPLIT_TRAILER || trailer === SPLIT_TRAILER_NO_OFFSET) {
    // both split formats end in the errors (bfloat16), the scale and the weight (float32): 12 bytes
    const at = b.byteLength - 12;
    return {
      sketch,
      norm,
      offset: trailer === SPLIT_TRAILER ? fromBfloat16(view.getUint16(n + 2, true)) : undefined,
      error: fromBfloat16(view.getUint16(at, true)),
      residualError: fromBfloat16(view.getUint16(at + 2, true)),
      scale: view.getFloat32(at + 4, true),
      weight: view.getFloat32(at + 8, true),
    };
  }
  const offset = fromBfloat16(view.getUint16(n + 2, true));
  if (trailer === 4) return { sketch, norm, offset };
  return { sketch, norm, offset, error: fromBfloat16(view.getUint16(n + 4, true)), gain: view.getFloat32(n + 6, true) };
}
