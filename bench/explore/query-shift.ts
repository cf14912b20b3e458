// Measures the planner's calibration by observed queries (lambda/core/calibration.ts) through the cost model:
// GloVe words searched with held-out words (queries like the stored vectors) and with two-word phrases (unlike them).
/**
 * `npx tsx bench/explore/query-shift.ts --help`. The base is a uniform sample of GloVe 6B 100d
 * words (`bench/datasets/glove.ts`), or its most frequent words, shuffled (`--base frequent`) or in
 * rank order (`--base ranked`: the first batch, which the profile measures, is the most frequent
 * words, unlike the rest). Two query sets: held-out words, as `npm run bench` uses, and
 * two-word phrases taken from the SAP Fiori docs' texts (`@sap-ux/fiori-docs-embeddings`), each
 * the sum of its two unit word vectors, as a short query is often embedded. A phrase's nearest
 * words need not lie as far from it as a word's from another word, which the first batch's
 * profile measures, and a first batch need not look like the rest (`--base ranked`). For each set,
 * `--calibrate` queries drawn at random are observed as the store observes them
 * (`WhiplashModel.observe`); then `--queries` others run with the profile's plans and with the
 * plans calibrated by the observed ones, with recall@10 against the exact neighbours and read units.
 * `--base fashion-mnist` runs Fashion-MNIST's held-out test images the same way, to see what the
 * calibration does to queries like the stored vectors.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import type { QueryAngles } from '../../lambda/core/calibration';
import { loadDataset } from '../datasets';
import { fetchGloveJson, GLOVE_SEED, loadGlove, readGloveMatrix, WinkEmbeddings } from '../datasets/glove';
import { holdoutSplit } from '../datasets/types';
import { loadMiniLmRecords } from '../datasets/minilm';
import { Dataset, Matrix, pickRows, row } from '../datasets/types';
import { int } from '../../lib/cli/parse';
import { distance } from '../distance';
import { exactTopK } from '../ground-truth';
import { mulberry32, permutation } from '../prng';
import { log } from '../progress';
import { mean, recallAgainst } from '../recall';
import { buildWhiplashModel } from '../systems/model';
import { probesCell } from '../systems/probes-text';

const positiveInt = int(1);

const opts = new Command()
  .description('Recall@10 and read units of the profile-planned and the query-calibrated plans, for queries like and unlike the stored vectors (cost model, GloVe)')
  .option('--size <n>', 'base words', positiveInt, 100_000)
  .addOption(new Option('--base <kind>', "which words: 'sample', a uniform sample (as npm run bench); 'frequent', the most frequent (GloVe's row order) less the held-out ones, shuffled; 'ranked', the same in rank order, so the first batch is the most frequent words; 'fashion-mnist': Fashion-MNIST's 60,000 training images instead, its test images as queries (no phrases)").choices(['sample', 'frequent', 'ranked', 'fashion-mnist']).default('sample'))
  .option('--calibrate <n>', 'queries observed before the calibrated plans are measured', positiveInt, 200)
  .option('--queries <n>', 'queries measured per plan', positiveInt, 300)
  .option('--seed <n>', 'hyperplane seed', positiveInt, 1)
  .option('--out <file>', 'markdown report (default: bench/results/query-shift-<base>.md)')
  .parse()
  .opts<{ size: number; base: 'sample' | 'frequent' | 'ranked' | 'fashion-mnist'; calibrate: number; queries: number; seed: number; out?: string }>();

/** Two-word phrases of the Fiori docs' texts whose words GloVe knows, in text order, each once; the sum of the two unit word vectors. */
function phraseQueries(count: number): Matrix {
  const all = readGloveMatrix(undefined, log);
  const wink = JSON.parse(readFileSync(fetchGloveJson(undefined, log), 'utf8')) as WinkEmbeddings;
  const rowOf = new Map<string, number>(Object.entries(wink.vectors).map(([w, v]) => [w, v[wink.wordIndex]]));
  // function words make phrases that say little ("of the")
  const stop = new Set('a an and are as at be by can for from in is it of on or that the this to use with you your'.split(' '));
  const phrases: [number, number][] = [];
  const seen = new Set<string>();
  for (const r of loadMiniLmRecords()) {
    const words = r.content.toLowerCase().split(/[^a-z]+/).filter(Boolean);
    for (let i = 0; i + 1 < words.length; i++) {
      const [a, b] = [words[i], words[i + 1]];
      const ra = rowOf.get(a);
      const rb = rowOf.get(b);
      if (a === b || stop.has(a) || stop.has(b) || ra === undefined || rb === undefined || seen.has(`${a} ${b}`)) continue;
      seen.add(`${a} ${b}`);
      phrases.push([ra, rb]);
    }
  }
  // a seeded sample spread over the texts
  const rand = mulberry32(7);
  const picked = Array.from({ length: count }, () => phrases[Math.floor(rand() * phrases.length)]);
  const dim = all.dim;
  const data = new Float32Array(count * dim);
  picked.forEach(([a, b], i) => {
    const va = row(all, a);
    const vb = row(all, b);
    const na = Math.hypot(...va);
    const nb = Math.hypot(...vb);
    for (let j = 0; j < dim; j++) data[i * dim + j] = va[j] / na + vb[j] / nb;
  });
  return { rows: count, dim, data };
}

/**
 * The `size + holdout` most frequent GloVe words, `holdout` of them held out as queries by a seeded
 * permutation; the rest, the base, shuffled by it too, or in rank order (`ranked`).
 */
function frequentWords(size: number, holdout: number, ranked: boolean): Dataset {
  const all = readGloveMatrix(undefined, log);
  const top: Matrix = { rows: size + holdout, dim: all.dim, data: all.data.subarray(0, (size + holdout) * all.dim) };
  const { base, queries, queryRows } = holdoutSplit(top, holdout, GLOVE_SEED);
  const held = new Set(queryRows);
  const inRankOrder = () => pickRows(top, Array.from({ length: top.rows }, (_, r) => r).filter((r) => !held.has(r)));
  return { name: 'glove-100-frequent', metric: 'cosine', dim: all.dim, base: ranked ? inRankOrder() : base, queries, source: 'GloVe 6B 100d, most frequent words' };
}

/** Seed of the split of a query set into observed and measured queries. */
const QUERY_SPLIT_SEED = 11;

const slice = (m: Matrix, from: number, to: number): Matrix => ({ rows: to - from, dim: m.dim, data: m.data.subarray(from * m.dim, to * m.dim) });

function main(): void {
  const total = opts.calibrate + opts.queries;
  const fashion = opts.base === 'fashion-mnist';
  const glove = fashion
    ? loadDataset('fashion-mnist', { queries: total })
    : opts.base === 'sample'
      ? loadGlove({ size: opts.size, log })
      : frequentWords(opts.size, total, opts.base === 'ranked');
  if (glove.queries.rows < total) throw new Error(`${glove.name} holds out ${glove.queries.rows} queries; --calibrate + --queries is ${total}`);
  const sets: { name: string; queries: Matrix }[] = fashion
    ? [{ name: 'held-out test images', queries: slice(glove.queries, 0, total) }]
    : [
        { name: 'held-out words', queries: slice(glove.queries, 0, total) },
        { name: 'two-word phrases', queries: phraseQueries(total) },
      ];
  const model = buildWhiplashModel(glove, undefined, opts.seed);
  const lines = [
    `| queries | plans | bucket depth, probes | predicted recall | recall@10 | read units |`,
    `| --- | --- | --- | --- | --- | --- |`,
  ];
  for (const set of sets) {
    // observed and measured queries drawn at random from the same set (a file's order may not be random)
    const shuffled = pickRows(set.queries, permutation(total, QUERY_SPLIT_SEED));
    const calibration = slice(shuffled, 0, opts.calibrate);
    const measured = slice(shuffled, opts.calibrate, total);
    const ds: Dataset = { ...glove, queries: measured };
    log(`${set.name}: exact neighbours of ${measured.rows} queries`);
    const gt = exactTopK(glove.base, measured, 10, glove.metric);
    let observed: QueryAngles | undefined;
    for (let q = 0; q < calibration.rows; q++) {
      const v = row(calibration, q);
      observed = model.observe(observed, v, model.query(v, { topK: 10, calibration: 'off' }));
    }
    for (const [plans, o] of [
      ['profile', 'off'],
      [`calibrated by ${observed!.queries} queries`, observed!],
    ] as const) {
      const recall: number[] = [];
      const units: number[] = [];
      let shape = '';
      let predicted = NaN;
      for (let q = 0; q < measured.rows; q++) {
        const v = row(measured, q);
        const m = model.query(v, { topK: 10, calibration: o });
        recall.push(recallAgainst(gt, q, m.ids, 10, (id) => distance(ds.metric, v, row(glove.base, id))));
        units.push(m.readUnits);
        shape = `${m.depth}, ${probesCell(m)}`;
        predicted = m.expectedRecall ?? NaN;
      }
      lines.push(`| ${set.name} | ${plans} | ${shape} | ${predicted.toFixed(3)} | ${mean(recall).toFixed(3)} | ${mean(units).toFixed(1)} |`);
      log(lines[lines.length - 1]);
    }
  }
  const command = `npx tsx bench/explore/query-shift.ts ${process.argv.slice(2).join(' ')}`.trim();
  const which = { sample: 'a uniform sample of its words', frequent: 'its most frequent words, shuffled', ranked: 'its most frequent words in rank order', 'fashion-mnist': '' }[opts.base];
  const intro = fashion
    ? [
        `## Plans calibrated by observed queries: Fashion-MNIST ${glove.base.rows.toLocaleString('en-US')}`,
        '',
        `Fashion-MNIST, ${glove.base.rows.toLocaleString('en-US')} training images (cost model, default index, seed ${opts.seed}); its test images as queries. ${opts.calibrate} of them, drawn at random, are observed as the store observes them; ${opts.queries} more are measured with the profile's plans and with the calibrated ones. Command: \`${command}\`.`,
      ]
    : undefined;
  const report = [
    ...(intro ?? [
    `## Plans calibrated by observed queries: GloVe, ${which}`,
    '',
    `GloVe 6B 100d, ${glove.base.rows.toLocaleString('en-US')} base words (${which}; cost model, default index, seed ${opts.seed}). Queries: held-out words, and two-word phrases of the Fiori docs' texts (the sum of the two unit word vectors). ${opts.calibrate} queries of each set, drawn at random, are observed as the store observes them; ${opts.queries} more are measured with the profile's plans and with the calibrated ones. Command: \`${command}\`.`,
    ]),
    '',
    ...lines,
    '',
  ].join('\n');
  writeFileSync(opts.out ?? `bench/results/query-shift-${opts.base}.md`, report);
  process.stdout.write(`\n${report}`);
}

main();
