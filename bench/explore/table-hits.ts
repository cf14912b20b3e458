// `npx tsx bench/explore/table-hits.ts`: how often a collection's own hyperplanes put the queries' true neighbours in
// the buckets the queries read, against the collision model, and the model scaled by the hits it sees per hash table.
/**
 * The collision model (`lambda/core/collision.ts`) gives the chance that one hash table finds a
 * vector at angle θ, averaged over random hyperplanes. A collection has one draw of them, shared by
 * all its queries. For each plan (depth, probes), each query's true 10 nearest neighbours are
 * encoded with the collection's hasher (the cost model's, `WhiplashModel`) and checked against the
 * query's own probe sequence in every hash table (`probeSequence`), as the store reads them. Printed
 * per plan:
 * - the share found in at least one table, simulated and predicted (`findProbability` at each
 *   neighbour's angle);
 * - hits per table, simulated over predicted: a per-collection ratio a store could observe;
 * - the find share predicted again with each table's probability scaled by that ratio.
 * Prints markdown.
 */
import { Command } from 'commander';
import { findProbability, tableHitProbability } from '../../lambda/core/collision';
import { probeSequence } from '../../lambda/core/multiprobe';
import { CODE_BITS, resolveIndexParams } from '../../lambda/core/params';
import { PROFILE_MAX_SAMPLE, PROFILE_NEIGHBOURS } from '../../lambda/core/profile';
import { DATASET_NAMES, DatasetName, loadDataset, row } from '../datasets';
import { groundTruth } from '../ground-truth';
import { StoreItems } from '../model/store-layout';
import { WhiplashModel } from '../model/whiplash-model';
import { BENCH_PROJECT, collectionName } from '../systems/context';

const plansOf = (v: string) => v.split(',').map((x) => x.split(':').map(Number) as [number, number]);
const opts = new Command()
  .description("The share of true neighbours a collection's own hyperplanes find, against the collision model")
  .option('--dataset <name>', `data set (${DATASET_NAMES.join(', ')})`, 'glove-100')
  .option('--size <n>', 'first N base vectors (default: all)', Number)
  .option('--queries <n>', "queries, in the data set's order", Number, 300)
  .option('--plans <list>', 'depth:probes pairs', plansOf, plansOf('9:24,10:12,12:12,11:64,14:4'))
  .option('--seed <n>', 'hyperplane seed', Number, 1)
  .parse()
  .opts<{ dataset: DatasetName; size?: number; queries: number; plans: [number, number][]; seed: number }>();

const ds = loadDataset(opts.dataset, { size: opts.size, queries: opts.queries });
const gt = groundTruth(ds, PROFILE_NEIGHBOURS);
const params = resolveIndexParams(undefined, 'index', ds.dim);
const model = new WhiplashModel(ds.base, ds.metric, params, opts.seed, new StoreItems(params, ds.dim, BENCH_PROJECT, collectionName(ds)), PROFILE_MAX_SAMPLE);
const { hasher } = model;
const L = params.hashTables;
const Q = ds.queries.rows;

// each query's encoding, and its neighbours' codes and angles where the codes see them
const queries = Array.from({ length: Q }, (_, q) => {
  const ids = Array.from(gt.ids.subarray(q * gt.k, q * gt.k + PROFILE_NEIGHBOURS));
  return {
    encoding: hasher.encodeQuery(row(ds.queries, q)),
    codes: ids.map((r) => hasher.encode(row(ds.base, r)).codes),
    angles: hasher.anglesFrom(row(ds.queries, q), ids.map((r) => row(ds.base, r))),
  };
});

console.log(`${ds.name}, ${ds.base.rows.toLocaleString('en-US')} vectors, ${Q} queries, ${L} hash tables, hyperplane seed ${opts.seed}\n`);
console.log('| depth, probes | found: simulated | predicted | hits per table: simulated / predicted | found: predicted with that ratio |');
console.log('| --- | ---: | ---: | ---: | ---: |');
for (const [depth, probes] of opts.plans) {
  let found = 0;
  let predicted = 0;
  let hits = 0;
  let predictedHits = 0;
  const perTable: number[] = [];
  for (const { encoding, codes, angles } of queries) {
    const read = Array.from({ length: L }, (_, t) => new Set(probeSequence(encoding.codes[t], encoding.margins.subarray(t * CODE_BITS, (t + 1) * CODE_BITS), depth, probes).map((c) => c >>> (CODE_BITS - depth))));
    codes.forEach((code, i) => {
      let tables = 0;
      for (let t = 0; t < L; t++) if (read[t].has(code[t] >>> (CODE_BITS - depth))) tables++;
      found += tables > 0 ? 1 : 0;
      hits += tables;
      const p = tableHitProbability(angles[i], depth, probes);
      predicted += findProbability(angles[i], depth, probes, L);
      predictedHits += L * p;
      perTable.push(p);
    });
  }
  const n = perTable.length;
  const ratio = hits / predictedHits;
  const scaled = perTable.reduce((s, p) => s + 1 - Math.pow(1 - Math.min(1, ratio * p), L), 0) / n;
  console.log(`| ${depth}, ${probes} | ${(found / n).toFixed(3)} | ${(predicted / n).toFixed(3)} | ${ratio.toFixed(3)} | ${scaled.toFixed(3)} |`);
}
