// `npx tsx bench/explore/bucket-pricing.ts`: the planner's predicted bucket entries and read units per plan against
// what the cost model's queries read, and how much the prediction moves with the 500 vectors it is made from.
/**
 * The planner prices a plan's bucket reads from the first batch's pair angles (`expectedEntriesRead`,
 * `bucketReadUnits`). Part 1 runs the queries through the cost model (`WhiplashModel`, the store's
 * own steps) at fixed depths and probes (`atDepth`) and prints, per plan, the entries per hash table
 * and bucket read units predicted and read, beside the entries the same collision model predicts
 * from the queries' own angles to every vector (what the profile estimates from its sample). Part 2
 * profiles disjoint runs of 500 base vectors, as many first batches, and prints what each predicts.
 */
import { Command } from 'commander';
import { resolveIndexParams } from '../../lambda/core/params';
import { bucketReadUnits, expectedEntriesRead } from '../../lambda/core/planner';
import { addToAngleHistogram, ANGLE_BINS, profileOf, PROFILE_MAX_SAMPLE } from '../../lambda/core/profile';
import { DATASET_NAMES, DatasetName, loadDataset, row } from '../datasets';
import { StoreItems } from '../model/store-layout';
import { atDepth, WhiplashModel } from '../model/whiplash-model';
import { BENCH_PROJECT, collectionName } from '../systems/context';

const ints = (v: string) => v.split(',').map((x) => x.split(':').map(Number) as [number, number]);
const opts = new Command()
  .description("The planner's predicted bucket entries and read units against the cost model's, and their spread over first batches")
  .option('--dataset <name>', `data set (${DATASET_NAMES.join(', ')})`, 'fashion-mnist')
  .option('--queries <n>', "queries, in the data set's order", Number, 100)
  .option('--plans <list>', 'depth:probes pairs', ints, ints('12:0,14:0,16:0,12:1,13:1,13:2,14:2,14:3,15:3,15:5,16:4'))
  .option('--batches <n>', 'disjoint first batches of 500 profiled in part 2', Number, 12)
  .option('--batch-plans <list>', 'depth:probes pairs priced from each first batch in part 2', ints, ints('12:1,14:2,15:5'))
  .option('--seed <n>', 'hyperplane seed', Number, 1)
  .parse()
  .opts<{ dataset: DatasetName; queries: number; plans: [number, number][]; batches: number; batchPlans: [number, number][]; seed: number }>();

const ds = loadDataset(opts.dataset, { queries: opts.queries });
const params = resolveIndexParams(undefined, 'index', ds.dim);
const model = new WhiplashModel(ds.base, ds.metric, params, opts.seed, new StoreItems(params, ds.dim, BENCH_PROJECT, collectionName(ds)), PROFILE_MAX_SAMPLE);
if (!model.profile) throw new Error('the first batch is too small to profile');
const { profile, entryBytes } = model.profile;
const N = ds.base.rows;
const Q = ds.queries.rows;
const L = params.hashTables;

// the queries' angles to every vector where the codes see them: the pair angles the profile samples
const views = Array.from({ length: N }, (_, r) => model.hasher.hashView(row(ds.base, r)));
const toAll = new Float64Array(ANGLE_BINS);
for (let q = 0; q < Q; q++) {
  const v = model.hasher.hashView(row(ds.queries, q));
  for (const x of views) {
    let s = 0;
    for (let i = 0; i < v.length; i++) s += v[i] * x[i];
    addToAngleHistogram(toAll, (Math.acos(Math.max(-1, Math.min(1, s))) * 180) / Math.PI, 1 / (N * Q));
  }
}

console.log(`${ds.name}, ${N.toLocaleString('en-US')} vectors, ${Q} queries, ${L} hash tables, ${entryBytes.toFixed(1)} bytes per entry\n`);
console.log('| depth, probes | entries per table: predicted | from the queries\' angles | read | bucket read units: predicted | read | truncated reads per query |');
console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const [depth, probes] of opts.plans) {
  const view = atDepth(model, depth);
  let entries = 0;
  let units = 0;
  let truncated = 0;
  for (let q = 0; q < Q; q++) {
    const m = view.query(row(ds.queries, q), { topK: 10, probes, calibration: 'off' });
    if (m.depth !== depth || m.probes !== probes) throw new Error(`the model read ${m.depth}, ${m.probes} for ${depth}, ${probes}`);
    entries += m.entriesRead;
    units += m.bucketReadUnits;
    truncated += m.truncatedReads;
  }
  const cells = [
    `${depth}, ${probes}`,
    expectedEntriesRead(profile, N, depth, probes).toFixed(0),
    expectedEntriesRead({ pairAngles: toAll }, N, depth, probes).toFixed(0),
    (entries / Q / L).toFixed(0),
    bucketReadUnits(profile, N, depth, probes, { hashTables: L, entryBytes }).toFixed(1),
    (units / Q).toFixed(1),
    (truncated / Q).toFixed(2),
  ];
  console.log(`| ${cells.join(' | ')} |`);
}

console.log(`\n| first batch (base rows) | pair mass within 20° (per 10,000 pairs) | ${opts.batchPlans.map(([d, p]) => `entries per table at ${d}, ${p}`).join(' | ')} |`);
console.log(`| --- | ---: | ${opts.batchPlans.map(() => '---:').join(' | ')} |`);
for (let b = 0; b < opts.batches && (b + 1) * PROFILE_MAX_SAMPLE <= N; b++) {
  const pairAngles = profileOf(views.slice(b * PROFILE_MAX_SAMPLE, (b + 1) * PROFILE_MAX_SAMPLE)).pairAngles;
  const near = pairAngles.slice(0, 21).reduce((s, w) => s + w, 0);
  const cells = opts.batchPlans.map(([d, p]) => expectedEntriesRead({ pairAngles }, N, d, p).toFixed(0));
  console.log(`| ${b * PROFILE_MAX_SAMPLE}-${(b + 1) * PROFILE_MAX_SAMPLE - 1} | ${(near * 1e4).toFixed(1)} | ${cells.join(' | ')} |`);
}
