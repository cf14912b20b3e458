// Loads the MiniLM embeddings of the Fiori docs for the tests, and an exact cosine top-k as ground truth.
import { readFileSync } from 'node:fs';
import * as path from 'node:path';

/**
 * The all-MiniLM-L6-v2 sentence embeddings of the SAP Fiori docs (npm package
 * `@sap-ux/fiori-docs-embeddings`, installed by `npm ci`): 778 x 384 float32, unit norm.
 * Real data for recall tests; each record gets its source (id prefix) as metadata, and its chunk's
 * word count (`wordCount` in records.jsonl), which the dot tests use as a real per-record weight,
 * and its text, which the metadata tests keep as non-filterable metadata.
 */
export interface MiniLm {
  readonly dimension: number;
  readonly ids: string[];
  readonly vectors: Float32Array[];
  readonly sources: string[];
  readonly wordCounts: number[];
  /** Each chunk's text (`content` in records.jsonl, up to hundreds of KB). */
  readonly texts: string[];
}

let cached: MiniLm | undefined;

export function loadMiniLm(): MiniLm {
  if (cached) return cached;
  const dir = path.join(path.dirname(require.resolve('@sap-ux/fiori-docs-embeddings/package.json')), 'data', 'embeddings');
  const meta = JSON.parse(readFileSync(path.join(dir, 'metadata.json'), 'utf8')) as { dimensions: number; totalVectors: number };
  const buf = readFileSync(path.join(dir, 'embeddings.bin'));
  const records = readFileSync(path.join(dir, 'records.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { id: string; wordCount: number; content: string });
  const d = meta.dimensions;
  const vectors: Float32Array[] = [];
  for (let i = 0; i < meta.totalVectors; i++) {
    const v = new Float32Array(d);
    for (let j = 0; j < d; j++) v[j] = buf.readFloatLE((i * d + j) * 4);
    vectors.push(v);
  }
  const ids = records.map((r) => r.id);
  const sources = ids.map((id) => id.replace(/-\d+-chunk-\d+$/, ''));
  cached = { dimension: d, ids, vectors, sources, wordCounts: records.map((r) => r.wordCount), texts: records.map((r) => r.content) };
  return cached;
}

/** Exact top-k by cosine similarity, by inner product under 'dot', or by Euclidean distance (brute force), for ground truth. */
export function exactTopK(base: Float32Array[], q: Float32Array, k: number, exclude?: number, metric: 'cosine' | 'dot' | 'euclidean' = 'cosine'): number[] {
  const nq = Math.hypot(...q);
  const scored = base.map((v, i) => {
    let s = 0;
    if (metric === 'euclidean') {
      for (let j = 0; j < v.length; j++) s -= (v[j] - q[j]) ** 2;
      return { i, s };
    }
    for (let j = 0; j < v.length; j++) s += v[j] * q[j];
    return { i, s: metric === 'dot' ? s : s / (Math.hypot(...v) * nq) };
  });
  return scored
    .filter((x) => x.i !== exclude)
    .sort((a, b) => b.s - a.s)
    .slice(0, k)
    .map((x) => x.i);
}

/** The MiniLM embeddings packed row-major into one Float32Array (`rows` x `dim`), as the k-means lists take them. */
export function loadMiniLmMatrix(): { rows: number; dim: number; data: Float32Array } {
  const m = loadMiniLm();
  const data = new Float32Array(m.vectors.length * m.dimension);
  m.vectors.forEach((v, i) => data.set(v, i * m.dimension));
  return { rows: m.vectors.length, dim: m.dimension, data };
}
