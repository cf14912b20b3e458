// Loads the all-MiniLM-L6-v2 embeddings of the Fiori docs as a Dataset with seeded held-out queries.
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { permutation } from '../prng';
import { headRows, Matrix, pickRows, Dataset } from './types';

/** all-MiniLM-L6-v2 output dimension. */
export const MINILM_DIM = 384;

/** Where `@sap-ux/fiori-docs-embeddings` keeps its float32 embeddings. */
export function miniLmFile(): string {
  const pkg = require.resolve('@sap-ux/fiori-docs-embeddings/package.json');
  return path.join(path.dirname(pkg), 'data', 'embeddings', 'embeddings.bin');
}

/** Parses raw little-endian float32 rows of dimension `dim`. @throws Error when the length is not a whole number of rows. */
export function parseFloat32Rows(buf: Uint8Array, dim: number): Matrix {
  if (buf.byteLength % (4 * dim) !== 0) throw new Error(`${buf.byteLength} bytes is not a whole number of ${dim}-dimensional float32 rows`);
  const rows = buf.byteLength / (4 * dim);
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const data = new Float32Array(rows * dim);
  for (let i = 0; i < data.length; i++) data[i] = view.getFloat32(i * 4, true);
  return { rows, dim, data };
}

/**
 * The all-MiniLM-L6-v2 sentence embeddings of the SAP Fiori docs (npm `@sap-ux/fiori-docs-embeddings`,
 * 778 x 384, unit norm, cosine). `holdout` rows chosen by a seeded permutation become the queries and
 * are left out of the base, so no query finds itself.
 *
 * @param opts.holdout number of held-out query rows. @default 100
 * @param opts.seed permutation seed. @default 42
 * @param opts.size keep only the first `size` base rows. @default every remaining row (678)
 * @param opts.queries keep only the first `queries` held-out rows. @default `holdout`
 */
export function loadMiniLm(opts: { holdout?: number; seed?: number; size?: number; queries?: number } = {}): Dataset {
  const file = miniLmFile();
  const all = parseFloat32Rows(readFileSync(file), MINILM_DIM);
  const holdout = opts.holdout ?? 100;
  const perm = permutation(all.rows, opts.seed ?? 42);
  const queryRows = perm.slice(0, holdout);
  const held = new Set(queryRows);
  const baseRows = Array.from({ length: all.rows }, (_, i) => i).filter((i) => !held.has(i));
  return {
    name: 'minilm',
    metric: 'cosine',
    dim: MINILM_DIM,
    base: headRows(pickRows(all, baseRows), opts.size),
    queries: headRows(pickRows(all, queryRows), opts.queries),
    source: file,
  };
}
