// Loads a benchmark data set by name, and reads a matrix from any supported file format chosen by its extension.
import * as path from 'node:path';
import { loadFashionMnist } from './fashion-mnist';
import { loadGlove } from './glove';
import { readIdx } from './idx';
import { readJsonl } from './jsonl';
import { loadMiniLm } from './minilm';
import { loadMnistDigits } from './mnist-digits';
import { readNpy } from './npy';
import { Dataset, headRows, Matrix, Metric } from './types';
import { readVecs } from './vecs';

export * from './types';

/** Data sets the benchmark knows by name (`mnist-digits` is kept aside: no constant is tuned on it). `files` reads `--base` and `--query-file` in any supported format. */
export const DATASET_NAMES = ['fashion-mnist', 'glove-100', 'minilm', 'mnist-digits', 'files'] as const;
export type DatasetName = (typeof DATASET_NAMES)[number];

/**
 * Reads a matrix from a file, choosing the reader by extension: `.idx`/`-ubyte`(`.gz`) IDX,
 * `.npy`, `.fvecs`/`.ivecs`/`.bvecs`, `.jsonl`/`.ndjson`.
 * @throws Error for an unknown extension.
 */
export function readMatrix(file: string, maxRows?: number): Matrix {
  const f = file.replace(/\.gz$/, '');
  if (/(\.idx\d?|-ubyte)$/.test(f)) return readIdx(file, maxRows);
  if (f.endsWith('.npy')) return headRows(readNpy(file), maxRows);
  if (/\.(f|i|b)vecs$/.test(f)) return readVecs(file, maxRows);
  if (/\.(jsonl|ndjson)$/.test(f)) return readJsonl(file, { maxRows });
  throw new Error(`${file}: unknown format (use IDX, .npy, .fvecs/.ivecs/.bvecs or .jsonl)`);
}

export interface LoadOptions {
  /** Directory of the data set's files (Fashion-MNIST). */
  readonly dataDir?: string;
  /** First N base vectors. */
  readonly size?: number;
  /** First N queries. */
  readonly queries?: number;
  /** `files` only: base and query files, and the metric. */
  readonly baseFile?: string;
  readonly queryFile?: string;
  readonly metric?: Metric;
  /** Progress messages (e.g. fetching GloVe). */
  readonly log?: (msg: string) => void;
}

/**
 * Loads a data set by name.
 * @throws Error when files are missing, or `files` is used without `baseFile`/`queryFile`.
 */
export function loadDataset(name: DatasetName, opts: LoadOptions = {}): Dataset {
  switch (name) {
    case 'fashion-mnist':
      return loadFashionMnist({ dir: opts.dataDir, size: opts.size, queries: opts.queries });
    case 'glove-100':
      return loadGlove({ size: opts.size, queries: opts.queries, log: opts.log });
    case 'minilm':
      return loadMiniLm({ size: opts.size, queries: opts.queries });
    case 'mnist-digits':
      return loadMnistDigits({ size: opts.size, queries: opts.queries, log: opts.log });
    case 'files': {
      if (!opts.baseFile || !opts.queryFile) throw new Error('--dataset files needs --base and --query-file');
      const base = readMatrix(opts.baseFile, opts.size);
      const queries = readMatrix(opts.queryFile, opts.queries);
      if (base.dim !== queries.dim) throw new Error(`base dimension ${base.dim} differs from query dimension ${queries.dim}`);
      const stem = path.basename(opts.baseFile).replace(/\..*$/, '');
      return { name: stem, metric: opts.metric ?? 'euclidean', dim: base.dim, base, queries, source: `${opts.baseFile} + ${opts.queryFile}` };
    }
    default:
      throw new Error(`unknown data set ${String(name)} (one of ${DATASET_NAMES.join(', ')})`);
  }
}
