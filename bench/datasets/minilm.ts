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
 * Which rows of the embeddings {@link loadMiniLm} holds out as queries and which it keeps as the
 * base, in the order of its matrices: row `i` of its base is row `baseRows[i]` of the file (and of
 * records.jsonl, {@link loadMiniLmRecords}).
 * @param rows rows in the file
 * @param opts.holdout @default 100
 * @param opts.seed @default 42
 */
export function miniLmSplit(rows: number, opts: { holdout?: number; seed?: number } = {}): { queryRows: number[]; baseRows: number[] } {
  const queryRows = permutation(rows, opts.seed ?? 42).slice(0, opts.holdout ?? 100);
  const held = new Set(queryRows);
  return { queryRows, baseRows: Array.from({ length: rows }, (_, i) => i).filter((i) => !held.has(i)) };
}

/** The fields of a records.jsonl line the benchmarks use (the file has more). */
export interface MiniLmRecord {
  readonly id: string;
  /** The chunk's text, from about 100 bytes to hundreds of KB. */
  readonly content: string;
  readonly category: string;
  readonly wordCount: number;
}

/** The records of `@sap-ux/fiori-docs-embeddings` (records.jsonl), one per embedding, in the file's row order. */
export function loadMiniLmRecords(): MiniLmRecord[] {
  const file = path.join(path.dirname(miniLmFile()), 'records.jsonl');
  return readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as MiniLmRecord);
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
  const { queryRows, baseRows } = miniLmSplit(all.rows, opts);
  return {
    name: 'minilm',
    metric: 'cosine',
    dim: MINILM_DIM,
    base: headRows(pickRows(all, baseRows), opts.size),
    queries: headRows(pickRows(all, queryRows), opts.queries),
    source: file,
  };
}
