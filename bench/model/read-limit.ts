// `npx tsx bench/model/read-limit.ts`: bucket entries the store's queries read per query and per bucket read, beside the read limit, through the cost model.
/**
 * Runs the cost model (`WhiplashModel`, the store's own search steps) over a data set's queries
 * at default index settings and at more probes, and reports the bucket entries read per query and
 * how many reads reached their limit (`bucketReadLimit`): the planner's queries should read far
 * below `MAX_BUCKET_ENTRIES_PER_QUERY` and cut no read. Writes bench/results/read-limit.md.
 */
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { Command } from 'commander';
import { MAX_BUCKET_ENTRIES_PER_QUERY, MAX_BUCKET_READ_ENTRIES } from '../../lambda/core/limits';
import { DATASET_NAMES, DatasetName, loadDataset } from '../datasets';
import { REPO_ROOT } from '../datasets/fashion-mnist';
import { row } from '../datasets/types';
import { exactTopK } from '../ground-truth';
import { buildWhiplashModel } from '../systems/model';
import { gitCommit } from '../lambda/machine';

const opts = new Command()
  .description('Bucket entries read per query through the cost model, beside the read limit')
  .option('--datasets <list>', `data sets (${DATASET_NAMES.join(', ')})`, 'minilm,fashion-mnist')
  .option('--queries <n>', 'queries per data set', '100')
  .option('--probes <list>', 'probes overrides measured besides the plan', '4')
  .option('--out <file>', 'Markdown section', path.join(REPO_ROOT, 'bench', 'results', 'read-limit.md'))
  .parse()
  .opts<{ datasets: string; queries: string; probes: string; out: string }>();

function main(): void {
  const commit = gitCommit();
  const rows: string[] = [];
  for (const name of opts.datasets.split(',') as DatasetName[]) {
    const ds = loadDataset(name, { queries: Number(opts.queries) });
    const gt = exactTopK(ds.base, ds.queries, 10, ds.metric);
    const model = buildWhiplashModel(ds, undefined, 1);
    for (const point of [{}, ...opts.probes.split(',').map((p) => ({ probes: Number(p) }))]) {
      let entries = 0;
      let maxEntries = 0;
      let reads = 0;
      let truncated = 0;
      let found = 0;
      let foundUncut = 0;
      for (let q = 0; q < ds.queries.rows; q++) {
        const truth = gt.ids.subarray(q * gt.k, q * gt.k + 10);
        const m = model.query(row(ds.queries, q), { topK: 10, ...point, truth });
        found += m.truthInCandidates!;
        foundUncut += model.query(row(ds.queries, q), { topK: 10, ...point, truth, readLimit: Number.MAX_SAFE_INTEGER }).truthInCandidates!;
        entries += m.entriesRead;
        maxEntries = Math.max(maxEntries, m.entriesRead);
        reads += m.bucketReads;
        truncated += m.truncatedReads;
      }
      const n = ds.queries.rows;
      const line = `| ${ds.name} | ${ds.base.rows.toLocaleString('en-US')} | ${'probes' in point ? `probes=${point.probes}` : 'plan'} | ${(reads / n).toFixed(0)} | ${(entries / n).toFixed(0)} | ${maxEntries} | ${(entries / reads).toFixed(1)} | ${truncated} | ${(found / (10 * n)).toFixed(3)} | ${(foundUncut / (10 * n)).toFixed(3)} |`;
      process.stdout.write(line + '\n');
      rows.push(line);
    }
  }
  const md = [
    '## Bucket entries read per query, beside the read limit (cost model)',
    '',
    '```sh',
    `npx tsx bench/model/read-limit.ts --datasets ${opts.datasets} --queries ${opts.queries} --probes ${opts.probes}`,
    '```',
    '',
    `Measured ${new Date().toISOString()} at commit \`${commit}\`, default index settings, seed 1, top 10. Each bucket read returns at most ${MAX_BUCKET_READ_ENTRIES.toLocaleString('en-US')} entries (less when a query makes more than ${MAX_BUCKET_ENTRIES_PER_QUERY / MAX_BUCKET_READ_ENTRIES} reads) and a query at most ${MAX_BUCKET_ENTRIES_PER_QUERY.toLocaleString('en-US')} (\`bucketReadLimit\`); "cut reads" counts reads that reached it over all queries. The last two columns: share of the exact top 10 among the candidates with the limit and with none: what the cut costs. The model runs the store's own steps and equals DynamoDB Local query by query (\`test/bench/model.test.ts\`, also with a bucket crowded past the limit).`,
    '',
    '| data set | vectors | probes | bucket reads / query | entries read / query | most in one query | entries / read | cut reads | top 10 among candidates | the same, no limit |',
    '|---|---:|---|---:|---:|---:|---:|---:|---:|---:|',
    ...rows,
    '',
  ].join('\n');
  writeFileSync(opts.out, md);
  process.stdout.write('\n' + md);
}

main();
