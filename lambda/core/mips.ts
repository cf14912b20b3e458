// The maximum-inner-product transform of dot collections: the lift of stored vectors and queries
// into dimension + 1 where the angle orders candidates by inner product, and the norm it scales by.

/**
 * Random-hyperplane LSH sees angles, so under the `dot` metric a vector of large norm at a wide
 * angle (often the best inner product) would rarely share a bucket with the query. The simple-LSH
 * transform (Neyshabur & Srebro, "On symmetric and asymmetric LSHs for inner product search",
 * ICML 2015; Bachrach et al., RecSys 2014 for the same lift with an unnormalised query) maps a
 * stored vector x of |x| <= U to P(x) = [x / U, sqrt(1 - |x|² / U²)] and a query q to
 * Q(q) = [q / |q|, 0]. Both are unit vectors and P(x)·Q(q) = x·q / (U |q|): for one query the
 * angle between them orders stored vectors exactly by inner product, so the index's hash codes,
 * probes, sketch estimate and plan (all made for angles) serve `dot` as they serve `cosine`.
 *
 * U is the largest norm of a collection's first batch, fixed with its centre (`hasher.ts`), so
 * stored codes never change. A later vector longer than U is lifted as if its norm were U
 * (P(x) = [x / |x|, 0]): its bucket follows its direction only, and the exact re-rank still
 * scores it by its true inner product.
 */

/** The norm U of the lift: the largest norm among `vectors` (1 if all are zero). */
export function mipsNormOf(vectors: readonly Float32Array[]): number {
  let max = 0;
  for (const v of vectors) {
    let s = 0;
    for (let i = 0; i < v.length; i++) s += v[i] * v[i];
    max = Math.max(max, s);
  }
  return max > 0 ? Math.sqrt(max) : 1;
}

/** P(x) = [x / U, sqrt(1 - |x|² / U²)], or [x / |x|, 0] when |x| > U: a unit vector of x.length + 1 values. */
export function liftStored(x: Float32Array, mipsNorm: number): Float32Array {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i] * x[i];
  const n = Math.sqrt(s);
  const scale = n > mipsNorm ? n : mipsNorm;
  const out = new Float32Array(x.length + 1);
  if (scale === 0) {
    out[x.length] = 1;
    return out;
  }
  for (let i = 0; i < x.length; i++) out[i] = x[i] / scale;
  out[x.length] = n > mipsNorm ? 0 : Math.sqrt(Math.max(0, 1 - s / (mipsNorm * mipsNorm)));
  return out;
}

/** Q(q) = [q / |q|, 0]: a unit vector of q.length + 1 values (all zero for a zero query). */
export function liftQuery(q: Float32Array): Float32Array {
  let s = 0;
  for (let i = 0; i < q.length; i++) s += q[i] * q[i];
  const n = Math.sqrt(s);
  const out = new Float32Array(q.length + 1);
  if (n > 0) for (let i = 0; i < q.length; i++) out[i] = q[i] / n;
  return out;
}
