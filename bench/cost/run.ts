// `npm run bench:cost`: dollars per query, month of storage and vector written, and monthly bills for three workloads.
/**
 * `npm run bench:cost`: dollars per million queries, per month of storage and per million writes,
 * and the monthly bill of three workloads (100k vectors and 10k queries a month; 1M and 1M; 10M and
 * 10M; 768-d), for Whiplash (DynamoDB on-demand + Lambda + API Gateway REST), the original whiplash
 * layout, Amazon S3 Vectors, DynamoDB's own vector search, turbopuffer, Upstash Vector and Pinecone
 * serverless, from the units measured in bench/results/*.json, a measured ingest (stored bytes and
 * write units per vector) and the published prices of bench/cost/prices.ts. Writes
 * bench/results/cost.json and cost.md.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { Command } from 'commander';
import { logger } from '../../lambda/api/logger';
import { collectionIndexParams } from '../../lambda/core/params';
import type { IndexParams } from '../../lambda/core/types';
import { REPO_ROOT } from '../datasets/fashion-mnist';
import { gitCommit, machine } from '../lambda/machine';
import { deployedFunctions } from './construct-functions';
import { createdLike, pickAnchor, pickExponent, readMeasurements } from './inputs';
import { functionMemoryMb, scaleReadUnits, ScalingRule, serverlessQueryCost } from './model';
import { PRICES } from './prices';
import { costMarkdown, CostResult } from './report';
import { denseVectorItemBytes, measureStorage } from './storage';
import { costRows, CostInputs } from './table';
import { monthlyBill, parseWorkloads, WORKLOADS } from './workloads';

const opts = new Command()
  .description('Cost model in dollars from the measured units (bench/results/*.json) and published prices')
  .option('--workloads <list>', 'workloads to price, vectors:queries-a-month, comma-separated', WORKLOADS.map((w) => `${w.vectors}:${w.queriesPerMonth}`).join(','))
  .option('--dim <n>', 'vector dimension of the priced collections', '768')
  .option('--id-bytes <n>', 'id length assumed for every system', '8')
  .option('--storage-sample <n>', 'Fashion-MNIST vectors to ingest for the stored-bytes and write-unit measurement (k-means lists split only once their first lists fill: all 60,000 by default)', '60000')
  .option('--data-dir <dir>', 'Fashion-MNIST directory (default ../shared/datasets/fashion-mnist)')
  .option('--results <dir>', 'where the measured results are read and cost.json / cost.md go', path.join(REPO_ROOT, 'bench', 'results'))
  .parse()
  .opts<{ workloads: string; dim: string; idBytes: string; storageSample: string; dataDir?: string; results: string }>();

async function main(): Promise<void> {
  // The code under measurement is what was loaded at start: name the commit now, not after a run others may commit during.
  const commit = gitCommit();
  logger.setLogLevel('ERROR');
  const dim = Number(opts.dim);
  const idBytes = Number(opts.idBytes);
  const workloads = parseWorkloads(opts.workloads);
  const sizes = workloads.map((w) => w.vectors);
  const { systems, exponents } = readMeasurements(opts.results, ['cost.json']);
  const whiplash = pickAnchor(systems.filter((s) => s.isDefault));
  const original = pickAnchor(systems.filter((s) => s.system === 'original' && (!whiplash || s.base === whiplash.base)));
  if (!whiplash || !original) throw new Error(`no Fashion-MNIST result with Whiplash defaults and the original layout in ${opts.results}: run \`npm run bench\` first`);
  const exponent = pickExponent(exponents, 'whiplash', whiplash?.file, whiplash?.dataset);
  const originalExponent = pickExponent(exponents, 'original', original?.file, original?.dataset);
  const rule: ScalingRule = exponent
    ? { kind: 'power', exponent: exponent.value, why: `the fitted exponent in bench/results/${exponent.file} at ${exponent.path}` }
    : {
        kind: 'constant',
        why: 'no fitted exponent in bench/results yet; the index reads buckets at a depth chosen from the collection size (about log2(N / bucketSize) code bits), so the candidates per probe, and the read units, stay about the same as N grows: an assumption, not a measurement',
      };
  process.stdout.write(`whiplash: ${whiplash.readUnits.toFixed(1)} RU/query from ${whiplash.file} (${whiplash.commit}); original: ${original.readUnits.toFixed(1)} from ${original.file}; rule: ${rule.kind}\n`);

  const functions = deployedFunctions();
  // The ingest runs with the index settings whose read units are priced, so every figure is of one configuration.
  const like = createdLike(whiplash);
  const storage = await measureStorage(Number(opts.storageSample), opts.dataDir, like.index, like.indexMethod);
  process.stdout.write(`storage: ${storage.bytesPerVector.toFixed(0)} billed bytes and ${storage.writeUnitsPerVector.toFixed(2)} write units per vector (${storage.vectors} x ${storage.dim})\n`);

  const inputs: CostInputs = {
    dim,
    idBytes,
    whiplash: { readUnits: whiplash.readUnits, base: whiplash.base, p50Ms: whiplash.p50Ms, rule },
    original: {
      readUnits: original.readUnits,
      base: original.base,
      p50Ms: original.p50Ms,
      rule: originalExponent
        ? { kind: 'power', exponent: originalExponent.value, why: `the fitted exponent in bench/results/${originalExponent.file} at ${originalExponent.path}` }
        : { kind: 'linear', why: 'no fitted exponent in bench/results; fixed bit counts: its buckets, and so its candidates, grow in proportion to N' },
    },
    storage,
    vectorItemBytes: denseVectorItemBytes(dim, idBytes, whiplash.index as Partial<IndexParams> | undefined),
    queryMemoryMb: functionMemoryMb(functions, 'query'),
    writeMemoryMb: functionMemoryMb(functions, 'write'),
  };
  const sensitivityExponent = 0.5;
  const result: CostResult = {
    kind: 'cost',
    command: `npm run bench:cost${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`,
    date: new Date().toISOString(),
    commit,
    machine: machine(),
    dim,
    idBytes,
    prices: PRICES,
    inputs: {
      whiplash,
      original,
      rule,
      exponent,
      originalExponent,
      otherExponents: exponents.filter((e) => e !== exponent && /read/i.test(e.path) && !/original|exact|hnsw/i.test(e.path)),
      storage,
      vectorItemBytes: inputs.vectorItemBytes,
      functions,
      otherWhiplash: systems.filter((s) => (s.isDefault || s.isModelDefault) && s !== whiplash),
      currentDefaults: { ...collectionIndexParams(undefined, whiplash.dim, whiplash.indexMethod) },
      modelStorage: pickAnchor(systems.filter((s) => s.system === 'model' && typeof s.storedBytesPerVector === 'number')),
    },
    sizes: sizes.map((vectors) => ({ vectors, rows: costRows(vectors, inputs, PRICES) })),
    workloads: workloads.map((w) => ({ ...w, bills: costRows(w.vectors, inputs, PRICES).map((row) => ({ system: row.system, label: row.label, fails: row.fails, bill: monthlyBill(row, w) })) })),
    sensitivity:
      rule.kind === 'constant'
        ? {
            exponent: sensitivityExponent,
            perMillionQueries: Object.fromEntries(
              sizes.map((n) => [
                String(n),
                serverlessQueryCost(scaleReadUnits(whiplash.readUnits, whiplash.base, n, { kind: 'power', exponent: sensitivityExponent, why: 'sensitivity' }).readUnits, whiplash.p50Ms, inputs.queryMemoryMb, PRICES).total,
              ]),
            ),
          }
        : undefined,
  };
  mkdirSync(opts.results, { recursive: true });
  writeFileSync(path.join(opts.results, 'cost.json'), `${JSON.stringify(result, null, 2)}\n`);
  writeFileSync(path.join(opts.results, 'cost.md'), costMarkdown(result));
  for (const w of result.workloads) {
    for (const b of w.bills)
      process.stdout.write(
        `${w.vectors} vectors, ${w.queriesPerMonth} queries: ${b.label}: $${b.bill.month.toFixed(2)}${b.bill.monthHigh === undefined ? '' : `-${b.bill.monthHigh.toFixed(2)}`} a month, ingest $${b.bill.ingest.toFixed(2)}${b.fails ? ' (fails)' : ''}\n`,
      );
  }
  process.stdout.write(`wrote ${path.join(opts.results, 'cost.json')} and cost.md\n`);
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
