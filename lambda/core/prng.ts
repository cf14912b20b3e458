// The pinned, versioned PRNG (xoshiro128** and Box-Muller normals) that regenerates a collection's hyperplanes
// from its seed.
/**
 * The pinned, versioned pseudo-random generator that regenerates a collection's hyperplanes from
 * its seed. Hyperplanes are never stored: a collection keeps `seed` and `prngVersion`, and every
 * handler rebuilds the same planes. Changing anything here changes every collection's hash codes,
 * so a new generator must get a new version number and the old one must stay.
 *
 * Version 1: xoshiro128** (Blackman & Vigna, "Scrambled linear pseudorandom number generators",
 * 2018) seeded through splitmix32; standard normals by the Box-Muller transform.
 *
 * Version 2: the same normals; the Hasher orthonormalizes the sketch directions in blocks and
 * sketches carry their gain and error (`hasher.ts`). Hash codes are those of version 1.
 *
 * Version 3: the same normals; a collection with a hashing subspace gets a split sketch (its
 * subspace coordinates and the residual's signs, `splitSketchLayout` in `sketch-format.ts`).
 * Without one, as version 2.
 */
export const PRNG_VERSION = 3;

/** Versions this code regenerates (`fillGaussian`, `Hasher`). */
export const PRNG_VERSIONS: readonly number[] = [1, 2, 3];

function splitmix32(state: number): () => number {
  let s = state >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/** xoshiro128**: returns uint32 values. */
export function xoshiro128ss(seed: number): () => number {
  const sm = splitmix32(seed);
  let a = sm();
  let b = sm();
  let c = sm();
  let d = sm();
  return () => {
    const result = Math.imul(rotl(Math.imul(b, 5), 7), 9) >>> 0;
    const t = b << 9;
    c ^= a;
    d ^= b;
    b ^= c;
    a ^= d;
    c ^= t;
    d = rotl(d, 11);
    return result;
  };
}

/** Uniform values in [0, 1) from xoshiro128** seeded with `seed` (k-means seeding, sampled choices). */
export function xoshiroUniform(seed: number): () => number {
  const next = xoshiro128ss(seed);
  return () => next() / 2 ** 32;
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/**
 * Fills `out` with standard normal samples (mean 0, variance 1) from the version-`version`
 * generator seeded with `seed`.
 * @throws Error for an unknown version
 */
export function fillGaussian(out: Float32Array, seed: number, version: number = PRNG_VERSION): Float32Array {
  if (!PRNG_VERSIONS.includes(version)) throw new Error(`unknown PRNG version ${version}`);
  const next = xoshiro128ss(seed);
  // uniform in (0, 1]: never 0, so log() is finite
  const uniform = () => (next() + 1) / 4294967296;
  for (let i = 0; i < out.length; i += 2) {
    const r = Math.sqrt(-2 * Math.log(uniform()));
    const theta = 2 * Math.PI * uniform();
    out[i] = r * Math.cos(theta);
    if (i + 1 < out.length) out[i + 1] = r * Math.sin(theta);
  }
  return out;
}
