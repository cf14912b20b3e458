// `npx tsx bench/explore/sketch-compare.ts`: how many full vectors the re-rank fetches, and how much of the
// true top 10 it keeps, with whole-space sketches (prngVersion 2) against split sketches (3) in a hashing subspace.
/**
 * Per data set and sketch length: each query's `--candidates` nearest vectors (exact, the data
 * set's metric) are its candidates, the hardest case for a sketch (all are close). Both Hashers
 * take the hashing subspace of the first 500 rows (`frameOf`, as a first write of 500), the same
 * seed and the same codes; only the sketch differs. For each, the store's own steps estimate every
 * candidate from its packed sketch (`SketchEstimator.withBounds` at `RERANK_CONFIDENCE`) and choose
 * the vectors to fetch (`selectForRerank`, top 10, the default `rerank`). Prints markdown.
 */
import { Command } from 'commander';
import { frameOf, Hasher } from '../../lambda/core/hasher';
import { DEFAULT_INDEX_PARAMS, resolveIndexParams } from '../../lambda/core/params';
import { RERANK_CONFIDENCE, selectForRerank } from '../../lambda/core/rerank';
import { SketchEstimator } from '../../lambda/core/sketch-estimator';
import { packSketch, StoredSketch, unpackSketch } from '../../lambda/core/sketch-format';
import { DATASET_NAMES, DatasetName, loadDataset, row } from '../datasets';
import { distance } from '../distance';

const list = (v: string) => v.split(',').map((s) => s.trim()).filter(Boolean);
const opts = new Command()
  .description('Re-rank fetches and top-10 kept: whole-space sketches (prngVersion 2) against split sketches (3) in a hashing subspace')
  .option('--datasets <list>', `data sets (${DATASET_NAMES.join(', ')})`, list, ['minilm', 'fashion-mnist'])
  .option('--queries <n>', 'queries per data set', Number, 100)
  .option('--candidates <n>', 'nearest vectors taken as each query\'s candidates', Number, 3000)
  .option('--sketch-bits <list>', 'sketch lengths (default: the data set\'s default)', (v) => list(v).map(Number))
  .option('--seed <n>', 'hyperplane seed', Number, 1)
  .parse()
  .opts<{ datasets: DatasetName[]; queries: number; candidates: number; sketchBits?: number[]; seed: number }>();

console.log('| data set | sketch bits | sketch | subspace coordinates (bits each) | full vectors fetched / query | true top 10 kept |');
console.log('|---|---:|---|---|---:|---:|');
for (const name of opts.datasets) {
  const ds = loadDataset(name, { queries: opts.queries });
  const frame = frameOf(Array.from({ length: Math.min(500, ds.base.rows) }, (_, i) => row(ds.base, i)), ds.metric);
  const nearest = Array.from({ length: ds.queries.rows }, (_, q) => {
    const d = Float64Array.from({ length: ds.base.rows }, (_, i) => distance(ds.metric, row(ds.queries, q), row(ds.base, i)));
    return Int32Array.from({ length: ds.base.rows }, (_, i) => i)
      .sort((a, b) => d[a] - d[b])
      .slice(0, Math.min(opts.candidates, ds.base.rows));
  });
  for (const bits of opts.sketchBits ?? [resolveIndexParams(undefined, 'index', ds.dim).sketchBits]) {
    const params = resolveIndexParams({ sketchBits: bits }, 'index', ds.dim);
    for (const version of [2, 3]) {
      const hasher = new Hasher(ds.dim, ds.metric, params, opts.seed, version, frame.centre, frame.mipsNorm, frame.subspace);
      const sketches = new Map<number, StoredSketch>();
      const sketchOf = (i: number) => {
        let s = sketches.get(i);
        if (!s) sketches.set(i, (s = unpackSketch(packSketch(hasher.encode(row(ds.base, i))), bits)));
        return s;
      };
      let fetched = 0;
      let kept = 0;
      nearest.forEach((candidates, q) => {
        const estimator = new SketchEstimator(ds.metric, hasher.encodeQuery(row(ds.queries, q)));
        const estimates = Array.from(candidates, (id) => ({ id, ...estimator.withBounds(sketchOf(id), RERANK_CONFIDENCE) }));
        const chosen = selectForRerank(estimates, 10, DEFAULT_INDEX_PARAMS.rerank);
        const top = new Set(candidates.slice(0, 10));
        fetched += chosen.length;
        kept += chosen.filter((c) => top.has(c.id)).length / Math.min(10, candidates.length);
      });
      const split = hasher.split ? `${hasher.split.coordinates} (${hasher.split.bitsPerCoordinate})` : '-';
      const sketch = hasher.split ? 'split' : frame.subspace ? 'whole space' : 'whole space (no subspace)';
      console.log(`| ${ds.name} | ${bits} | ${sketch} | ${split} | ${(fetched / nearest.length).toFixed(1)} | ${(kept / nearest.length).toFixed(3)} |`);
    }
  }
}
