// Finds and loads Fashion-MNIST's IDX files as a Dataset (training images the base, test images the queries); defines REPO_ROOT.
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { readIdx } from './idx';
import { Dataset } from './types';

/** The repository root (two levels above this file: bench/datasets/). */
export const REPO_ROOT = path.resolve(__dirname, '..', '..');

/**
 * Where Fashion-MNIST is looked for, in order, when no directory is given: the team's shared
 * data sets next to the repository, then Debian's package `dataset-fashion-mnist`.
 */
export const FASHION_MNIST_DIRS = [path.resolve(REPO_ROOT, '..', 'shared', 'datasets', 'fashion-mnist'), '/usr/share/datasets/fashion-mnist'];

const TRAIN = 'train-images-idx3-ubyte';
const TEST = 't10k-images-idx3-ubyte';

function findFile(dir: string, stem: string): string | undefined {
  return [`${stem}.gz`, stem].map((f) => path.join(dir, f)).find((f) => existsSync(f));
}

/**
 * Zalando's Fashion-MNIST (ann-benchmarks `fashion-mnist-784-euclidean`): 60,000 training images
 * as the base, the 10,000 test images as queries; 784 uint8 pixels each, as float32 0..255.
 * Metric: Euclidean.
 *
 * @param opts.dir directory holding `train-images-idx3-ubyte(.gz)` and `t10k-images-idx3-ubyte(.gz)`.
 *   @default the first of {@link FASHION_MNIST_DIRS} that holds them
 * @param opts.size read only the first `size` base vectors. @default 60000
 * @param opts.queries read only the first `queries` test images. @default 10000
 * @throws Error listing the directories tried when the files are not found.
 */
export function loadFashionMnist(opts: { dir?: string; size?: number; queries?: number } = {}): Dataset {
  const dirs = opts.dir ? [path.resolve(opts.dir)] : FASHION_MNIST_DIRS;
  for (const dir of dirs) {
    const train = findFile(dir, TRAIN);
    const test = findFile(dir, TEST);
    if (!train || !test) continue;
    const base = readIdx(train, opts.size);
    const queries = readIdx(test, opts.queries);
    return { name: 'fashion-mnist', metric: 'euclidean', dim: base.dim, base, queries, source: dir };
  }
  throw new Error(
    `Fashion-MNIST not found: looked for ${TRAIN}.gz and ${TEST}.gz in ${dirs.join(', ')}. ` +
      'Pass --data-dir, or install the Debian package dataset-fashion-mnist.',
  );
}
