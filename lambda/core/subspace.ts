// The hashing subspace of a collection: the leading principal directions of its first batch, and
// the rule that decides whether its hash codes are taken there instead of in the whole space;
// and the Gram-Schmidt step both use.
import { PROFILE_MAX_SAMPLE, PROFILE_MIN_SAMPLE } from './profile';

/**
 * Why a subspace: random-hyperplane codes (SimHash) split the space evenly in every direction,
 * so a data set whose variance lies in a few directions spends most code bits on directions in
 * which neighbours hardly differ. Hyperplanes drawn inside the span of the first K principal
 * components (Gaussian in that span) give codes whose collision probability is 1 - θ_K/π, θ_K
 * the angle between the two vectors' projections: near neighbours stay together as before and
 * far vectors separate sooner. This is the PCA step of PCA-ITQ (Gong & Lazebnik, "Iterative
 * quantization", CVPR 2011) without its rotation, kept random so that multi-probe's margins and
 * the collision model (`collision.ts`) still hold. Only the hash codes use it: the sketch and
 * the exact re-rank stay in the whole space.
 */

/**
 * Modified Gram-Schmidt, in place, on consecutive blocks of `rank` rows of `dimension` values
 * (the last block may be shorter): rows of one block become orthonormal; blocks stay
 * independent. In float64. `rank` is at most that of the space the rows lie in.
 * @default rank `dimension`
 */
export function orthonormalize(rows: Float32Array, dimension: number, rank = dimension): void {
  const count = rows.length / dimension;
  for (let start = 0; start < count; start += rank) {
    const end = Math.min(count, start + rank);
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

/** Smallest first batch whose principal directions are trusted: the profile's own minimum sample. */
export const SUBSPACE_MIN_SAMPLE = PROFILE_MIN_SAMPLE;

/** Rows of the first batch the principal directions are computed from: those the profile measures. */
export const SUBSPACE_MAX_SAMPLE = PROFILE_MAX_SAMPLE;

/**
 * Share of the sample's variance the subspace must hold. The less it holds, the more true
 * neighbours differ in dropped directions the codes cannot see, and the less the first batch's
 * profile says of the neighbours' angles there: on Fashion-MNIST, 16 components (77 %) made the
 * planner miss its target, 32 (84 %) did not (BENCHMARKS.md, "Index layout exploration").
 */
export const SUBSPACE_VARIANCE_SHARE = 0.85;

/**
 * Most floats the subspace's rows may take (K x dimension): it is stored in the collection's
 * config item (at most 400 KB, https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ServiceQuotas.html#limits-items),
 * here 128 KB.
 */
export const SUBSPACE_MAX_FLOATS = 32768;

/** Subspace iterations: the span converges geometrically and only the span matters (convergence measured: BENCHMARKS.md, "Hashing in a subspace"). */
const ITERATIONS = 10;

/**
 * The first `k` principal directions of `rows` (already centred), by orthogonal (subspace)
 * iteration: k unit, mutually orthogonal rows of `rows[0].length`, leading first, and the variance
 * (mean squared projection) of the rows along each.
 * @throws RangeError when k is not between 1 and the dimension, or rows have unequal lengths
 */
export function principalDirections(rows: readonly Float32Array[], k: number, iterations = ITERATIONS): { directions: Float32Array; variances: Float64Array } {
  const d = rows[0]?.length ?? 0;
  if (!(k >= 1 && k <= d)) throw new RangeError(`k must be between 1 and ${d}, got ${k}`);
  if (rows.some((r) => r.length !== d)) throw new RangeError(`rows of ${d} dimensions expected`);
  // a fixed start: the same batch gives the same subspace on every instance
  let q = new Float32Array(k * d);
  for (let j = 0; j < k; j++) for (let i = 0; i < d; i++) q[j * d + i] = ((i * 7919 + j * 104729) % 1009) / 1009 - 0.5 + (i === j ? 1 : 0);
  orthonormalize(q, d);
  const proj = new Float64Array(k);
  for (let it = 0; it < iterations; it++) {
    const z = new Float64Array(k * d);
    for (const x of rows) {
      project(q, x, proj);
      for (let j = 0; j < k; j++) {
        const p = proj[j];
        const o = j * d;
        for (let i = 0; i < d; i++) z[o + i] += p * x[i];
      }
    }
    q = Float32Array.from(z);
    orthonormalize(q, d);
  }
  const held = new Float64Array(k);
  for (const x of rows) {
    project(q, x, proj);
    for (let j = 0; j < k; j++) held[j] += (proj[j] * proj[j]) / rows.length;
  }
  // directions of close variances converge in either order: sort them
  const order = Array.from(held.keys()).sort((a, b) => held[b] - held[a]);
  const directions = new Float32Array(k * d);
  order.forEach((j, r) => directions.set(q.subarray(j * d, (j + 1) * d), r * d));
  return { directions, variances: Float64Array.from(order, (j) => held[j]) };
}

/** out[j] = q_j · x for the k rows of q. */
function project(q: Float32Array, x: Float32Array, out: Float64Array): void {
  const d = x.length;
  for (let j = 0; j < out.length; j++) {
    let s = 0;
    const o = j * d;
    for (let i = 0; i < d; i++) s += q[o + i] * x[i];
    out[j] = s;
  }
}

/** The most directions a hashing subspace of `dimension` may have: a quarter of it, within SUBSPACE_MAX_FLOATS. */
export function maxSubspaceDirections(dimension: number): number {
  return Math.min(Math.floor(dimension / 4), Math.floor(SUBSPACE_MAX_FLOATS / dimension));
}

/**
 * The hashing subspace of a first batch, or undefined when the codes should stay in the whole
 * space: the fewest leading principal directions that hold SUBSPACE_VARIANCE_SHARE of the
 * variance of `centred` (the first batch as the hyperplanes see it, around its centre), if they
 * are at most `maxSubspaceDirections` (a quarter of the dimension, within SUBSPACE_MAX_FLOATS).
 * @param centred at least SUBSPACE_MIN_SAMPLE rows (fewer: undefined); the first SUBSPACE_MAX_SAMPLE are used
 * @returns K x dimension orthonormal rows, leading first
 */
export function hashingSubspace(centred: readonly Float32Array[]): Float32Array | undefined {
  if (centred.length < SUBSPACE_MIN_SAMPLE) return undefined;
  const rows = centred.slice(0, SUBSPACE_MAX_SAMPLE);
  const d = rows[0].length;
  const most = maxSubspaceDirections(d);
  if (most < 1) return undefined;
  let total = 0;
  for (const x of rows) for (let i = 0; i < d; i++) total += (x[i] * x[i]) / rows.length;
  if (!(total > 0)) return undefined;
  const { directions, variances } = principalDirections(rows, most);
  let held = 0;
  for (let k = 1; k <= most; k++) {
    held += variances[k - 1];
    if (held >= SUBSPACE_VARIANCE_SHARE * total) return directions.slice(0, k * d);
  }
  return undefined;
}
