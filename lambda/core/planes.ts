// The hyperplanes of one collection regenerated from its seed: code rows and sketch rows, and their
// projections onto (codes) and off (a split sketch's residual) the collection's hashing subspace.
import { fillGaussian } from './prng';
import { orthonormalize } from './subspace';

/**
 * The planes of a split sketch: the code rows projected onto the subspace (`projectCodePlanes`),
 * the Gaussian sketch rows with the subspace projected out and then orthonormalized in blocks of
 * the residual space's dimension, and the subspace's K rows, whose projections are ŷ's coordinates.
 */
export function splitPlanes(planes: Float32Array, codeRows: number, d: number, subspace: Float32Array): Float32Array {
  const k = subspace.length / d;
  const sketchRows = planes.length / d - codeRows;
  const out = new Float32Array(planes.length + subspace.length);
  out.set(projectCodePlanes(planes, codeRows, d, subspace).subarray(0, codeRows * d));
  const residual = out.subarray(codeRows * d, (codeRows + sketchRows) * d);
  residual.set(planes.subarray(codeRows * d));
  for (let r = 0; r < sketchRows; r++) {
    const w = residual.subarray(r * d, (r + 1) * d);
    for (let j = 0; j < k; j++) {
      let t = 0;
      for (let i = 0; i < d; i++) t += subspace[j * d + i] * w[i];
      for (let i = 0; i < d; i++) w[i] -= t * subspace[j * d + i];
    }
  }
  orthonormalize(residual, d, d - k);
  out.set(subspace, (codeRows + sketchRows) * d);
  return out;
}

/**
 * A copy of `planes` whose first `codeRows` rows w are replaced by P^T P w, P the subspace's
 * orthonormal rows: a standard normal row projected onto the span is standard normal within it.
 */
export function projectCodePlanes(planes: Float32Array, codeRows: number, d: number, subspace: Float32Array): Float32Array {
  const out = Float32Array.from(planes);
  const k = subspace.length / d;
  const coefficients = new Float64Array(k);
  for (let r = 0; r < codeRows; r++) {
    const w = planes.subarray(r * d, (r + 1) * d);
    for (let j = 0; j < k; j++) {
      let t = 0;
      for (let i = 0; i < d; i++) t += subspace[j * d + i] * w[i];
      coefficients[j] = t;
    }
    const o = r * d;
    for (let i = 0; i < d; i++) {
      let t = 0;
      for (let j = 0; j < k; j++) t += coefficients[j] * subspace[j * d + i];
      out[o + i] = t;
    }
  }
  return out;
}

const planeCache = new Map<string, Float32Array>();
const PLANE_CACHE_SIZE = 16;

/**
 * (codeRows + sketchRows) x dimension standard normals from the pinned PRNG; from version 2 the
 * sketch rows are orthonormalized in blocks of `dimension` (`orthonormalize`), unless
 * `orthonormal` is false (a split sketch orthonormalizes them in the residual space). Cached
 * (LRU) per (dimension, rows, seed, version, orthonormal).
 */
export function planesFor(dimension: number, codeRows: number, sketchRows: number, seed: number, version: number, orthonormal: boolean): Float32Array {
  const key = `${dimension}:${codeRows}:${sketchRows}:${seed}:${version}:${orthonormal}`;
  let planes = planeCache.get(key);
  if (planes) {
    planeCache.delete(key);
  } else {
    planes = fillGaussian(new Float32Array((codeRows + sketchRows) * dimension), seed, version);
    if (version >= 2 && orthonormal) orthonormalize(planes.subarray(codeRows * dimension), dimension);
    if (planeCache.size >= PLANE_CACHE_SIZE) planeCache.delete(planeCache.keys().next().value as string);
  }
  planeCache.set(key, planes);
  return planes;
}
