// `npx tsx bench/explore/first-plans.ts`: the plan a collection's first queries follow (from its first batch's
// profile) against the plan their true neighbour angles call for, and a run of queries as the store calibrates it.
/**
 * The cost model (`WhiplashModel`, the store's own steps) indexes the data set with a first batch of
 * 500, as the store. Part 1 takes the queries' exact 10 nearest neighbours, measures their angles
 * where the codes see them (`Hasher.anglesFrom`), and plans for those angles (`planForAngles`): the
 * plan a perfect prediction would make. Beside it, the profile's plan (`planQuery`) with what it
 * predicts and what the collision model gives it on the true angles. Part 2 runs the queries in
 * order, each following the plans the queries before it calibrated (`calibration: 'store'`), and
 * reports them by calibration step (`CALIBRATION_MIN_QUERIES` x 2^k). Prints markdown.
 * `--pricing-batches N` prices bucket reads from the mean pair angles of the first N runs of 500
 * base vectors instead of the first batch's (`bench/explore/bucket-pricing.ts` shows how they vary).
 */
import { Command } from 'commander';
import { CALIBRATION_MIN_QUERIES } from '../../lambda/core/calibration';
import { resolveIndexParams } from '../../lambda/core/params';
import { bucketReadUnits, planForAngles, planQuery, recallAtAngles } from '../../lambda/core/planner';
import { addToAngleHistogram, ANGLE_BINS, PROFILE_MAX_SAMPLE, PROFILE_NEIGHBOURS, profileOf } from '../../lambda/core/profile';
import { DATASET_NAMES, DatasetName, loadDataset, row } from '../datasets';
import { groundTruth } from '../ground-truth';
import { StoreItems } from '../model/store-layout';
import { WhiplashModel } from '../model/whiplash-model';
import { BENCH_PROJECT, collectionName } from '../systems/context';

const opts = new Command()
  .description("A collection's first plan against the one its queries' true neighbours call for, and the calibrated run by step")
  .option('--dataset <name>', `data set (${DATASET_NAMES.join(', ')})`, 'fashion-mnist')
  .option('--size <n>', 'first N base vectors (default: all)', Number)
  .option('--queries <n>', 'queries, in the data set\'s order', Number, 300)
  .option('--seed <n>', 'hyperplane seed', Number, 1)
  .option('--pricing-batches <n>', 'price bucket reads from the mean pair angles of this many runs of 500 base vectors', Number, 1)
  .parse()
  .opts<{ dataset: DatasetName; size?: number; queries: number; seed: number; pricingBatches: number }>();

const ds = loadDataset(opts.dataset, { size: opts.size, queries: opts.queries });
const gt = groundTruth(ds, PROFILE_NEIGHBOURS);
const params = resolveIndexParams(undefined, 'index', ds.dim);
const model = new WhiplashModel(ds.base, ds.metric, params, opts.seed, new StoreItems(params, ds.dim, BENCH_PROJECT, collectionName(ds)), 500);
if (!model.profile) throw new Error('the first batch is too small to profile');
const { profile, entryBytes } = model.profile;
if (opts.pricingBatches > 1) {
  // before the first query: the model plans lazily from this profile
  const mean = new Float64Array(ANGLE_BINS);
  for (let b = 0; b < opts.pricingBatches; b++) {
    const batch = Array.from({ length: PROFILE_MAX_SAMPLE }, (_, i) => model.hasher.hashView(row(ds.base, b * PROFILE_MAX_SAMPLE + i)));
    profileOf(batch).pairAngles.forEach((w, k) => (mean[k] += w / opts.pricingBatches));
  }
  profile.pairAngles.set(mean);
}
const N = ds.base.rows;
const Q = ds.queries.rows;
const truthOf = (q: number) => Array.from(gt.ids.subarray(q * gt.k, q * gt.k + PROFILE_NEIGHBOURS));

// Part 1: the queries' true neighbour angles where the codes see them
const truth = new Float64Array(ANGLE_BINS);
for (let q = 0; q < Q; q++) {
  const angles = model.hasher.anglesFrom(row(ds.queries, q), truthOf(q).map((r) => row(ds.base, r)));
  for (const a of angles) addToAngleHistogram(truth, (a * 180) / Math.PI, 1 / (PROFILE_NEIGHBOURS * Q));
}
const o = { hashTables: params.hashTables, partitionBits: params.partitionBits, recallTarget: params.recallTarget, entryBytes };
const meanAngle = (hist: Float64Array) => hist.reduce((s, w, b) => s + w * b, 0);
console.log(`${ds.name}, ${N.toLocaleString('en-US')} vectors, ${Q} queries${model.hasher.subspace ? `, codes in a subspace of ${model.hasher.subspace.length / ds.dim} dimensions` : ''}${opts.pricingBatches > 1 ? `, bucket reads priced from ${opts.pricingBatches} batches of ${PROFILE_MAX_SAMPLE}` : ''}\n`);
console.log('| plan from | depth, probes | predicted recall | collision model on the true angles | predicted bucket read units |');
console.log('| --- | --- | ---: | ---: | ---: |');
const fromTruth = planForAngles(profile, truth, N, o);
const fromProfile = planQuery(profile, N, o);
for (const [label, p] of [[`the queries' true neighbours (mean ${meanAngle(truth).toFixed(1)}°)`, fromTruth], ["the first batch's profile", fromProfile]] as const) {
  console.log(`| ${label} | ${p.depth}, ${p.probes} | ${p.recall.toFixed(3)} | ${recallAtAngles(truth, p.depth, p.probes, params.hashTables).toFixed(3)} | ${bucketReadUnits(profile, N, p.depth, p.probes, o).toFixed(1)} |`);
}

// Part 2: the queries in order, as the store calibrates them
console.log('\n| queries | plans followed (depth, probes: predicted recall x queries) | recall@10 | read units (buckets + fetches) |');
console.log('| --- | --- | ---: | ---: |');
let from = 0;
let total = { recall: 0, units: 0 };
while (from < Q) {
  const to = from === 0 ? Math.min(Q, CALIBRATION_MIN_QUERIES) : Math.min(Q, 2 * from);
  const plans = new Map<string, number>();
  let recall = 0;
  let buckets = 0;
  let fetches = 0;
  for (let q = from; q < to; q++) {
    const t = truthOf(q);
    const m = model.query(row(ds.queries, q), { topK: PROFILE_NEIGHBOURS, truth: t });
    recall += m.ids.slice(0, PROFILE_NEIGHBOURS).filter((r) => t.includes(r)).length / PROFILE_NEIGHBOURS;
    buckets += m.bucketReadUnits;
    fetches += m.fetchReadUnits;
    const key = `${m.depth}, ${m.probes}: ${m.expectedRecall?.toFixed(3) ?? '-'}`;
    plans.set(key, (plans.get(key) ?? 0) + 1);
  }
  const n = to - from;
  total = { recall: total.recall + recall, units: total.units + buckets + fetches };
  console.log(`| ${from + 1}-${to} | ${[...plans].map(([k, c]) => `${k} x ${c}`).join('; ')} | ${(recall / n).toFixed(3)} | ${((buckets + fetches) / n).toFixed(1)} (${(buckets / n).toFixed(1)} + ${(fetches / n).toFixed(1)}) |`);
  from = to;
}
console.log(`| all ${Q} | | ${(total.recall / Q).toFixed(3)} | ${(total.units / Q).toFixed(1)} |`);
