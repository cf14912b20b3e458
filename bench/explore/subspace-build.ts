// `npx tsx bench/explore/subspace-build.ts`: what fixing the hashing subspace costs a collection's first
// write, and how many subspace iterations its span needs, on real data sets (lambda/core/subspace.ts).
/**
 * Per data set: the dimensions the store keeps (`frameOf` on the first 500 rows, as a first batch
 * of 500), the time that takes, and the variance the leading directions hold after 3 to 40
 * subspace iterations (the store runs 10). Then the time of `frameOf` on 500 rows of each of the
 * `--dimensions` (Gaussian rows: their variance is spread, so the whole space is kept, but the
 * iterations run over the most directions allowed, the worst case). Prints markdown.
 */
import { Command } from 'commander';
import { centredVector, centreOf, frameOf } from '../../lambda/core/hasher';
import { fillGaussian } from '../../lambda/core/prng';
import { maxSubspaceDirections, principalDirections, SUBSPACE_MAX_SAMPLE, SUBSPACE_VARIANCE_SHARE } from '../../lambda/core/subspace';
import { DATASET_NAMES, DatasetName, loadDataset, row } from '../datasets';

const list = (v: string) => v.split(',').map((s) => s.trim()).filter(Boolean);
const opts = new Command()
  .description('Hashing subspace: dimensions kept, first-write time and iteration convergence per data set')
  .option('--datasets <list>', `data sets (${DATASET_NAMES.join(', ')})`, list, ['fashion-mnist', 'minilm', 'glove-100'])
  .option('--dimensions <list>', 'dimensions timed on Gaussian rows', list, ['384', '768', '1536', '4096'])
  .option('--iterations <list>', 'subspace iterations compared', list, ['3', '5', '10', '20', '40'])
  .parse()
  .opts<{ datasets: DatasetName[]; dimensions: string[]; iterations: string[] }>();

const timed = <T>(f: () => T): [T, number] => {
  const t0 = performance.now();
  const out = f();
  return [out, performance.now() - t0];
};

console.log('| data set | dimension | kept by the store | frameOf ms | ' + opts.iterations.map((i) => `held after ${i}`).join(' | ') + ' |');
console.log('|---|---:|---:|---:|' + opts.iterations.map(() => '---:').join('|') + '|');
for (const name of opts.datasets) {
  const ds = loadDataset(name, { size: SUBSPACE_MAX_SAMPLE, queries: 1 });
  const first = Array.from({ length: Math.min(SUBSPACE_MAX_SAMPLE, ds.base.rows) }, (_, i) => row(ds.base, i));
  const [frame, ms] = timed(() => frameOf(first, ds.metric));
  const centre = centreOf(first, ds.metric);
  const centred = first.map((x) => centredVector(x, ds.metric, 'stored', centre));
  const total = centred.reduce((s, x) => s + x.reduce((a, v) => a + v * v, 0), 0) / centred.length;
  const most = maxSubspaceDirections(ds.dim);
  const kept = frame.subspace ? frame.subspace.length / ds.dim : undefined;
  const held = opts.iterations.map((it) => {
    const { variances } = principalDirections(centred, most, Number(it));
    const share = (k: number) => variances.subarray(0, k).reduce((a, v) => a + v, 0) / total;
    return kept ? `${share(kept).toFixed(4)}` : `${share(most).toFixed(3)} (all ${most})`;
  });
  console.log(`| ${ds.name} | ${ds.dim} | ${kept ?? `whole space (${most} directions hold ${held[held.length - 1].split(' ')[0]})`} | ${ms.toFixed(0)} | ${held.join(' | ')} |`);
}
console.log(`\nVariance share the store asks for: ${SUBSPACE_VARIANCE_SHARE}.\n`);
console.log('| dimension | directions iterated | frameOf ms (500 Gaussian rows) |');
console.log('|---:|---:|---:|');
for (const d of opts.dimensions.map(Number)) {
  const rows = Array.from({ length: SUBSPACE_MAX_SAMPLE }, (_, i) => fillGaussian(new Float32Array(d), i + 1));
  const [, ms] = timed(() => frameOf(rows, 'cosine'));
  console.log(`| ${d} | ${maxSubspaceDirections(d)} | ${ms.toFixed(0)} |`);
}
