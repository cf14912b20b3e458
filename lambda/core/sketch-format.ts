// The stored form of a vector's sketch: how its bits are spent per direction, the level each
// code stands for, and the bytes a bucket entry holds (`packSketch`, `unpackSketch`).

/**
 * A sketch gives a vector one code per sketch direction r_j (`hasher.ts`): its sign, or (prngVersion
 * 2, from twice the dimension) its sign and magnitude (`sketchLayout`). The codes stand for levels
 * l_j (`sketchLevel`) and define x̂ = sum_j l_j r_j, whose gain x̂·ŷ and angle error are stored
 * with the sketch, beside |y| and c·y, for the asymmetric estimate of RaBitQ (Gao & Long, SIGMOD
 * 2024; `sketch-estimator.ts`). Their extended RaBitQ (SIGMOD 2025) spends more bits per direction
 * too, there with a searched codebook, here a Lloyd-Max quantizer per direction. Collections of
 * prngVersion 1 keep one sign bit per direction (Charikar, STOC 2002) and store no gain or error.
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
export function packSketch(e: StoredSketch): Uint8Array {
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
