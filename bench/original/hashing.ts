// The original Python whiplash's hyperplane hashing and base36 bucket keys, reproduced with its defects.
import { gaussian, mulberry32 } from '../prng';

/**
 * The index of the original Python whiplash, reproduced faithfully, defects included:
 * `n_planes` hash tables of `bit_start + t * bit_scale_factor` random-hyperplane bits
 * (6 tables of 8, 10, ..., 18 bits by default), planes drawn from N(0, 1) with no centring of
 * the data, a bit is 1 when the projection is >= 0, the first plane is the most significant bit,
 * and the bucket key is `base36(int(bits, 2))` with no table number in it: buckets of different
 * tables share one key space and collide (the 8-bit code 00000011 and the 10-bit code
 * 0000000011 are the same bucket `3`).
 */
export interface OriginalParams {
  /** @default 6 */
  readonly nPlanes: number;
  /** @default 8 */
  readonly bitStart: number;
  /** @default 2 */
  readonly bitScaleFactor: number;
  /** Seed of the hyperplanes (the original used numpy's unseeded `np.random.randn`). */
  readonly seed: number;
}

export const ORIGINAL_DEFAULTS: OriginalParams = { nPlanes: 6, bitStart: 8, bitScaleFactor: 2, seed: 1 };

/** Bits of table `t`: `int(bit_start + t * bit_scale_factor)`, as the original's `plane_to_bit_count`. */
export function bitCount(p: OriginalParams, t: number): number {
  return Math.trunc(p.bitStart + t * p.bitScaleFactor);
}

/** The original's bucket key for one table: base36 (upper case, as numpy's `base_repr`) of the code read as a binary number. */
export function bucketKeyOfBits(bits: string): string {
  return parseInt(bits, 2).toString(36).toUpperCase();
}

/** Random hyperplanes of every table, and the bucket keys they give a vector. */
export class OriginalHasher {
  /** planes[t] is `bits x dim`, row-major: one hyperplane per row. */
  readonly planes: Float64Array[];

  constructor(
    readonly dim: number,
    readonly params: OriginalParams = ORIGINAL_DEFAULTS,
  ) {
    const normal = gaussian(mulberry32(params.seed));
    this.planes = Array.from({ length: params.nPlanes }, (_, t) => {
      const m = new Float64Array(bitCount(params, t) * dim);
      for (let i = 0; i < m.length; i++) m[i] = normal();
      return m;
    });
  }

  /** The code of `v` in table `t` as a string of 0/1, first plane first. */
  bits(v: ArrayLike<number>, t: number): string {
    const planes = this.planes[t];
    const n = planes.length / this.dim;
    let s = '';
    for (let j = 0; j < n; j++) {
      let dot = 0;
      const o = j * this.dim;
      for (let i = 0; i < this.dim; i++) dot += v[i] * planes[o + i];
      s += dot >= 0 ? '1' : '0';
    }
    return s;
  }

  /** The bucket key of `v` in every table, table 0 first (keys may repeat: the shared key space). */
  bucketKeys(v: ArrayLike<number>): string[] {
    return this.planes.map((_, t) => bucketKeyOfBits(this.bits(v, t)));
  }
}
