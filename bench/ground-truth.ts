// The exact top-k of every query by brute force, cached under bench/.cache/ as .ivecs and .fvecs.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { Dataset, Matrix, Metric } from './datasets/types';
import { encodeVecs, parseVecs } from './datasets/vecs';
import { distance } from './distance';

/** Exact top-k of every query: row-major `queries x k` ids (base row numbers) and distances, nearest first. */
export interface GroundTruth {
  readonly k: number;
  readonly queries: number;
  readonly ids: Int32Array;
  readonly distances: Float64Array;
}

/**
 * Brute-force exact top-k (the ground truth): every query against every base row, keeping the k
 * nearest in a small sorted buffer. Ties are broken by the lower row number. Cost:
 * `queries x rows x dim` multiply-adds (300 x 60,000 x 784 is about 14 G).
 *
 * @param onProgress called after each query with the number done.
 */
export function exactTopK(base: Matrix, queries: Matrix, k: number, metric: Metric, onProgress?: (done: number) => void): GroundTruth {
  if (base.dim !== queries.dim) throw new Error(`base dimension ${base.dim} differs from query dimension ${queries.dim}`);
  const kk = Math.min(k, base.rows);
  const ids = new Int32Array(queries.rows * k).fill(-1);
  const distances = new Float64Array(queries.rows * k).fill(Infinity);
  const dim = base.dim;
  const b = base.data;
  // For cosine, pre-compute norms so the inner loop is one dot product.
  const norms = new Float64Array(base.rows);
  if (metric === 'cosine') {
    for (let r = 0; r < base.rows; r++) {
      let s = 0;
      for (let j = r * dim, e = j + dim; j < e; j++) s += b[j] * b[j];
      norms[r] = Math.sqrt(s);
    }
  }
  const topD = new Float64Array(kk);
  const topI = new Int32Array(kk);
  for (let q = 0; q < queries.rows; q++) {
    const qv = queries.data.subarray(q * dim, (q + 1) * dim);
    let qn = 0;
    for (let j = 0; j < dim; j++) qn += qv[j] * qv[j];
    qn = Math.sqrt(qn);
    topD.fill(Infinity);
    topI.fill(-1);
    let worst = Infinity;
    for (let r = 0; r < base.rows; r++) {
      const o = r * dim;
      let d: number;
      if (metric === 'euclidean') {
        let s = 0;
        for (let j = 0; j < dim; j++) {
          const t = qv[j] - b[o + j];
          s += t * t;
        }
        d = s; // squared while ranking; sqrt below
      } else {
        let s = 0;
        for (let j = 0; j < dim; j++) s += qv[j] * b[o + j];
        d = metric === 'dot' ? -s : qn === 0 || norms[r] === 0 ? 1 : 1 - s / (qn * norms[r]);
      }
      if (d < worst) {
        let p = kk - 1;
        while (p > 0 && topD[p - 1] > d) {
          topD[p] = topD[p - 1];
          topI[p] = topI[p - 1];
          p--;
        }
        topD[p] = d;
        topI[p] = r;
        worst = topD[kk - 1];
      }
    }
    for (let i = 0; i < kk; i++) {
      ids[q * k + i] = topI[i];
      distances[q * k + i] = metric === 'euclidean' ? Math.sqrt(topD[i]) : topD[i];
    }
    onProgress?.(q + 1);
  }
  return { k, queries: queries.rows, ids, distances };
}

/** The cache directory (gitignored). */
export const CACHE_DIR = path.resolve(__dirname, '.cache');

/** A cache key from the data set's name, sizes, metric, k, and a digest of the vectors themselves. */
export function groundTruthKey(ds: Dataset, k: number): string {
  const h = createHash('sha256');
  h.update(Buffer.from(ds.base.data.buffer, ds.base.data.byteOffset, ds.base.data.byteLength));
  h.update(Buffer.from(ds.queries.data.buffer, ds.queries.data.byteOffset, ds.queries.data.byteLength));
  return `${ds.name}-n${ds.base.rows}-q${ds.queries.rows}-k${k}-${ds.metric}-${h.digest('hex').slice(0, 12)}`;
}

/**
 * The exact top-k of a data set, computed once and cached under `bench/.cache/` as `.ivecs`
 * (ids; `.fvecs` beside it holds the distances for other tools) keyed by {@link groundTruthKey}.
 * Distances are always recomputed from the ids with {@link distance}.
 */
export function groundTruth(ds: Dataset, k: number, opts: { cacheDir?: string; onProgress?: (done: number) => void; log?: (msg: string) => void } = {}): GroundTruth {
  const dir = opts.cacheDir ?? CACHE_DIR;
  const key = groundTruthKey(ds, k);
  const idsFile = path.join(dir, `${key}.ivecs`);
  const distFile = path.join(dir, `${key}.fvecs`);
  if (existsSync(idsFile)) {
    const cached = parseVecs(readFileSync(idsFile), 'ivecs');
    if (cached.rows === ds.queries.rows && cached.dim === k) {
      opts.log?.(`ground truth from cache ${path.relative(process.cwd(), idsFile)}`);
      const ids = Int32Array.from(cached.data);
      return { k, queries: cached.rows, ids, distances: recomputeDistances(ds, ids, k) };
    }
  }
  const t0 = Date.now();
  const gt = exactTopK(ds.base, ds.queries, k, ds.metric, opts.onProgress);
  opts.log?.(`ground truth: ${ds.queries.rows} queries x ${ds.base.rows} vectors in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(idsFile, encodeVecs({ rows: gt.queries, dim: k, data: Float32Array.from(gt.ids) }, 'ivecs'));
  writeFileSync(distFile, encodeVecs({ rows: gt.queries, dim: k, data: Float32Array.from(gt.distances) }, 'fvecs'));
  // Distances by the one `distance()` the recall check also uses, so ties compare exactly.
  return { ...gt, distances: recomputeDistances(ds, gt.ids, k) };
}

function recomputeDistances(ds: Dataset, ids: Int32Array, k: number): Float64Array {
  const out = new Float64Array(ids.length);
  for (let q = 0; q < ds.queries.rows; q++) {
    const qv = ds.queries.data.subarray(q * ds.dim, (q + 1) * ds.dim);
    for (let i = 0; i < k; i++) {
      const id = ids[q * k + i];
      out[q * k + i] = id < 0 ? Infinity : distance(ds.metric, qv, ds.base.data.subarray(id * ds.dim, (id + 1) * ds.dim));
    }
  }
  return out;
}
