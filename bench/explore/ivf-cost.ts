// Prices the k-means list layout that ivf-sweep measured as bench:cost prices the store today: the
// same workloads, prices, functions and cost model, with the layout's read and write units in place.
/**
 * `npx tsx bench/explore/ivf-cost.ts --points <ivf-sweep --out file> --exponent <x>`. A projection
 * for #17, not a measurement of the store: the store does not have this layout. It takes the
 * calibrated point of an `ivf-sweep --out` run (read units per query, write units per vector with
 * its splits', bytes stored), grows its read units with N as `N^exponent` (ivf-sweep's growth fit;
 * a flag, so the figure stays in the command and in BENCHMARKS.md), and everything else measured
 * from `bench/results/cost.json` (the query function's p50 scaled by read units as bench:cost does,
 * the write batch's duration, the deployed functions' memory, the dense vector item). Then
 * `costRows` and `monthlyBill`, as bench:cost runs them, price both layouts and the peers for the
 * cost section's workloads: steady months and the ingest. Writes bench/results/ivf-projected-cost.md
 * (rendered into BENCHMARKS.md).
 * Left out, as in ivf-sweep: reading the centroids once per warm instance and after each split.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { Command } from 'commander';
import { positiveNumber } from '../../lib/cli/parse';
import { REPO_ROOT } from '../datasets/fashion-mnist';
import { gitCommit } from '../lambda/machine';
import { usd, type CostResult } from '../cost/report';
import { PRICES } from '../cost/prices';
import { functionMemoryMb, whiplashBytesPerVector, whiplashWriteUnitsPerVector } from '../cost/model';
import { costRows, CostInputs, CostRow } from '../cost/table';
import { monthlyBill, standing, Workload } from '../cost/workloads';

/** The fields of an ivf-sweep point this projection reads. */
interface IvfPoint {
  readonly K: number;
  readonly nprobe: number;
  readonly calibrated: boolean;
  readonly recall: number;
  readonly readUnits: number;
  readonly writeUnits: number;
  readonly splitWriteUnits: number;
  readonly splitReadUnits: number;
  readonly storedBytes: number;
  readonly vectorItemBytes?: number;
  readonly vectorItemWriteUnits?: number;
  readonly idBytes?: number;
}

interface IvfRun {
  readonly dataset: string;
  readonly rows: number;
  readonly observed: number;
  readonly points: readonly IvfPoint[];
}

const opts = new Command()
  .name('ivf-cost')
  .description('Issue #17: monthly bills of the cost section\'s workloads with the k-means list layout that ivf-sweep measured, priced as bench:cost prices the store')
  .requiredOption('--points <file>', 'an `ivf-sweep --out` file with a calibrated point (run with --grow, and --observed / --reference-lists as a store would calibrate)')
  .requiredOption('--exponent <x>', 'read units per query grow as N^x (ivf-sweep\'s growth fit)', positiveNumber)
  .option('--cost <file>', 'bench:cost\'s result, for everything else measured', path.join(REPO_ROOT, 'bench', 'results', 'cost.json'))
  .option('--out <file>', 'the markdown written', path.join(REPO_ROOT, 'bench', 'results', 'ivf-projected-cost.md'))
  .parse()
  .opts<{ points: string; exponent: number; cost: string; out: string }>();

const monthText = (row: CostRow, w: Workload) => {
  const b = monthlyBill(row, w);
  if (row.fails) return 'cannot serve';
  return b.monthHigh === undefined ? usd(b.month) : `${usd(b.month)}-${usd(b.monthHigh)}`;
};
const ingestText = (row: CostRow, w: Workload) => usd(monthlyBill(row, w).ingest);

function main(): void {
  const commit = gitCommit();
  const run = JSON.parse(readFileSync(opts.points, 'utf8')) as IvfRun;
  const point = run.points.find((p) => p.calibrated);
  if (!point) throw new Error(`${opts.points} has no calibrated point: run ivf-sweep with --calibrate or --observed`);
  if (point.vectorItemBytes === undefined || point.vectorItemWriteUnits === undefined || point.idBytes === undefined) throw new Error(`${opts.points} predates the per-vector item sizes: run ivf-sweep again`);
  const cost = JSON.parse(readFileSync(opts.cost, 'utf8')) as CostResult;
  const { inputs } = cost;
  const lsh: CostInputs = {
    dim: cost.dim,
    idBytes: cost.idBytes,
    whiplash: { readUnits: inputs.whiplash.readUnits, base: inputs.whiplash.base, p50Ms: inputs.whiplash.p50Ms, rule: inputs.rule },
    original: {
      readUnits: inputs.original.readUnits,
      base: inputs.original.base,
      p50Ms: inputs.original.p50Ms,
      rule: inputs.originalExponent ? { kind: 'power', exponent: inputs.originalExponent.value, why: 'fitted' } : undefined,
    },
    storage: inputs.storage,
    vectorItemBytes: inputs.vectorItemBytes,
    queryMemoryMb: functionMemoryMb(inputs.functions, 'query'),
    writeMemoryMb: functionMemoryMb(inputs.functions, 'write'),
  };
  const ivf: CostInputs = {
    ...lsh,
    // the query function's duration scales with read units, as bench:cost scales it with N
    whiplash: {
      readUnits: point.readUnits,
      base: run.rows,
      p50Ms: inputs.whiplash.p50Ms * (point.readUnits / inputs.whiplash.readUnits),
      rule: { kind: 'power', exponent: opts.exponent, why: 'ivf-sweep\'s growth fit (--exponent)' },
    },
    storage: {
      ...inputs.storage,
      bytesPerVector: point.storedBytes,
      idBytes: point.idBytes,
      itemsPerVector: 2,
      vectorItemBytes: point.vectorItemBytes,
      vectorItemWriteUnits: point.vectorItemWriteUnits,
      writeUnitsPerVector: point.writeUnits + point.splitWriteUnits,
      readUnitsPerVector: (inputs.storage.readUnitsPerVector ?? 0) + point.splitReadUnits,
    },
  };
  const workloads = cost.workloads.map((w): Workload => ({ vectors: w.vectors, queriesPerMonth: w.queriesPerMonth }));
  const rowsAt = workloads.map((w) => ({ lsh: costRows(w.vectors, lsh, PRICES), ivf: costRows(w.vectors, ivf, PRICES) }));
  const listsLabel = 'Whiplash with k-means lists (projected)';
  // Whiplash today, with lists, then the peers (costRows' order; the original layout left out), one column per workload
  const systems: { label: string; at: (i: number) => CostRow }[] = [
    { label: 'Whiplash today (hash tables)', at: (i) => rowsAt[i].lsh[0] },
    { label: listsLabel, at: (i) => rowsAt[i].ivf[0] },
    ...rowsAt[0].lsh.slice(2).map((r, s) => ({ label: r.label, at: (i: number) => rowsAt[i].lsh[s + 2] })),
  ];
  const table = (title: string, cell: (row: CostRow, w: Workload) => string) => [
    `| ${title} | ${workloads.map((w) => `${w.vectors.toLocaleString('en-US')} vectors, ${w.queriesPerMonth.toLocaleString('en-US')} queries`).join(' | ')} |`,
    `| --- | ${workloads.map(() => '---').join(' | ')} |`,
    ...systems.map((sys) => `| ${sys.label} | ${workloads.map((w, i) => cell(sys.at(i), w)).join(' | ')} |`),
  ];
  const places = workloads.map((w, i) => {
    const bills = rowsAt[i].ivf.filter((r) => r.system !== 'original').map((r) => ({ system: r.system, label: r.system === 'whiplash' ? listsLabel : r.label, fails: r.fails, bill: monthlyBill(r, w) }));
    const st = standing(bills, 'whiplash');
    return `${w.vectors.toLocaleString('en-US')} / ${w.queriesPerMonth.toLocaleString('en-US')}: place ${st.place} of ${st.order.length} (cheapest: ${st.order[0].label})`;
  });
  const perQuery = workloads.map((w, i) => `${w.vectors.toLocaleString('en-US')}: ${rowsAt[i].lsh[0].readUnits!.toFixed(0)} -> ${rowsAt[i].ivf[0].readUnits!.toFixed(0)}`);
  const md = [
    '## What k-means lists would cost: a projection (#17, not the store)',
    '',
    '```sh',
    `npx tsx bench/explore/ivf-cost.ts ${process.argv.slice(2).join(' ')}`,
    '```',
    '',
    `Computed ${new Date().toISOString()} at commit \`${commit}\` from \`${path.relative(REPO_ROOT, opts.points)}\` (${run.dataset}, ${run.rows.toLocaleString('en-US')} vectors, nprobe ${point.nprobe} of ${point.K} lists calibrated on ${run.observed} observed queries: recall@10 ${point.recall.toFixed(3)} at ${point.readUnits.toFixed(1)} read units per query) and \`bench/results/cost.json\` (\`${cost.commit}\`). ` +
      `Read units grow as N^${opts.exponent}. Per vector written: ${(point.writeUnits + point.splitWriteUnits).toFixed(2)} write units with splits and ${point.storedBytes.toFixed(0)} bytes stored as measured; ` +
      `at ${cost.dim}-d with the dense vector item, as bench:cost carries today's layout over, ${whiplashWriteUnitsPerVector(ivf.storage, ivf.vectorItemBytes).toFixed(2)} write units (today ${whiplashWriteUnitsPerVector(lsh.storage, lsh.vectorItemBytes).toFixed(2)}) and ${whiplashBytesPerVector(ivf.storage, ivf.vectorItemBytes, ivf.idBytes).toFixed(0)} bytes (today ${whiplashBytesPerVector(lsh.storage, lsh.vectorItemBytes, lsh.idBytes).toFixed(0)}). ` +
      'Same prices, workloads and functions as the cost section; a steady month (storage and queries, or a plan\'s minimum). Reading the centroids is not priced.',
    '',
    ...table('system', monthText),
    '',
    // writing every vector once is not monthly: bench:cost shows it apart, and so does this
    ...table('ingest (every vector written once)', ingestText),
    '',
    `- Read units per query, hash tables -> lists: ${perQuery.join('; ')}.`,
    `- Where the lists would stand among the point-priced systems (a range-priced one, DynamoDB's SearchVectors, is left out): ${places.join('; ')}.`,
    '',
  ].join('\n');
  writeFileSync(opts.out, md);
  process.stdout.write(md);
}

main();
