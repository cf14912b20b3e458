// The `npm run bench` result shape, the per-data-set targets, and the rendering of results into BENCHMARKS.md and SVG plots.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { DEFAULT_INDEX_PARAMS } from '../lambda/core/params';
import { REPO_ROOT } from './datasets/fashion-mnist';
import { recallCostSvg } from './plot';
import type { PowerFit } from './fit';
import { hasDefaultSettings, Summary } from './summary';
import type { Validation } from './validate';

/** Where result files go: `bench/results/<dataset>[-n<size>].json` and its `.svg` plot. */
export const RESULTS_DIR = path.join(REPO_ROOT, 'bench', 'results');

/** Everything one `npm run bench` run measured, as written to `bench/results/<name>.json`. */
export interface BenchResult {
  readonly dataset: { name: string; source: string; metric: string; dim: number; base: number; queries: number; fullSize: boolean };
  readonly k: number;
  /** The exact command line, to reproduce the run. */
  readonly command: string;
  /** ISO 8601 */
  readonly date: string;
  readonly commit: string;
  readonly engine: string;
  /** `loadAverage`: 1, 5 and 15 minute load averages at the end of the run. */
  readonly machine: { cpus: number; node: string; loadAverage?: number[] };
  readonly systems: Summary[];
  readonly target?: TargetCheck;
  /** The run's settings (seeds, index overrides, sweeps, HNSW efSearch, scaling sizes). */
  readonly settings?: Record<string, unknown>;
  /** Model against measurement, where both ran on the same data and queries. */
  readonly validation?: Validation[];
  readonly scaling?: ScalingResult;
}

/** One system's figures at one collection size (first `n` base vectors). */
export interface ScalingPoint {
  readonly n: number;
  readonly system: string;
  readonly label: string;
  readonly recall: number;
  readonly readUnits: number;
  readonly candidates: number;
  readonly bytesRead: number;
  /** Whiplash's bucket depth at this size. */
  readonly depth?: number;
}

/** Figures at several collection sizes and, per system, the power law read units and candidates follow in N. */
export interface ScalingResult {
  readonly queries: number;
  readonly points: ScalingPoint[];
  readonly fits: Record<string, { readUnits: PowerFit; candidates: PowerFit }>;
}

/** The core issue's target, checked on Whiplash's default settings against the original layout. */
export interface TargetCheck {
  readonly text: string;
  /** The queries both systems ran (the first N), over which the figures below are means. */
  readonly queries: number;
  /** Whiplash's recall@10 and read units per query, over those queries. */
  readonly recall: number;
  readonly readUnits: number;
  /** The original layout's read units per query, over the same queries. */
  readonly originalReadUnits: number;
  /** Original layout's read units per query over Whiplash's. */
  readonly readUnitRatio: number;
  readonly met: boolean;
  /** True when measured where the target is defined (the full data set). */
  readonly applies: boolean;
  /** `measured`: Whiplash and the original on DynamoDB Local; `model`: both through their cost models. */
  readonly basis?: 'measured' | 'model';
  /** The size the target is defined on. */
  readonly fullSize?: number;
  /** Index parameters the run created its collection with, when not the defaults the target is defined at. */
  readonly indexOverrides?: Record<string, number | string>;
}

/** Targets per data set: minimum recall@10 at default settings and minimum read-unit ratio to the original layout. */
export const TARGETS: Record<string, { recall: number; ratio: number; fullSize: number }> = {
  'fashion-mnist': { recall: 0.95, ratio: 20, fullSize: 60000 },
  'glove-100': { recall: 0.9, ratio: 4, fullSize: 340479 },
};

/**
 * Issue #17's cost targets at default settings on the full data sets: recall@10 at or above
 * `recall` with at most `readUnits` per query, and at most `storedRatio` times the float32
 * vector's bytes stored per vector (no metadata). Its write-unit target is priced by
 * `npm run bench:cost`, which bills transactions as DynamoDB does (DynamoDB Local under-reports them).
 */
export const COST_TARGETS: Record<string, { recall: number; readUnits: number; storedRatio: number; fullSize: number }> = {
  'fashion-mnist': { recall: 0.95, readUnits: 100, storedRatio: 2, fullSize: 60000 },
  'glove-100': { recall: 0.95, readUnits: 400, storedRatio: 2, fullSize: 340479 },
};

/**
 * Issue #17's promise on data that no benchmark's constants were tuned on (`mnist-digits`, kept
 * aside): at default settings on the full data set, recall@10 within `tolerance` of the
 * collection's `recallTarget`, above or below.
 */
export const HELD_OUT_TARGETS: Record<string, { tolerance: number; fullSize: number }> = {
  'mnist-digits': { tolerance: 0.01, fullSize: 9000 },
};

/** The line that checks `HELD_OUT_TARGETS` on a result's default-settings Whiplash; empty for other data sets and sizes. */
export function heldOutLine(r: BenchResult): string {
  const t = HELD_OUT_TARGETS[r.dataset.name];
  if (!t || r.dataset.base !== t.fullSize) return '';
  const wl = defaultWhiplash(r);
  if (!wl) return '';
  const target = (wl.settings.index as { recallTarget?: number } | undefined)?.recallTarget ?? DEFAULT_INDEX_PARAMS.recallTarget;
  const off = wl.recall - target;
  const verdict = Math.abs(off) <= t.tolerance + 1e-9 ? '**met**' : '**not met**';
  return `Recall target on data kept aside from tuning (#17; default settings, ${wl.label}): recall@10 ${wl.recall.toFixed(3)} against recallTarget ${target}, ${off >= 0 ? '+' : ''}${off.toFixed(3)} (target: within ${t.tolerance}): ${verdict}.\n`;
}

/** A result's summary of `system` at default settings, if it ran one. */
const defaultRun = (r: BenchResult, system: string): Summary | undefined => r.systems.find((s) => s.system === system && hasDefaultSettings(s));

/** Whiplash at default settings: measured on DynamoDB Local, else its cost model. */
const defaultWhiplash = (r: BenchResult): Summary | undefined => defaultRun(r, 'whiplash') ?? defaultRun(r, 'model');

/**
 * The line that checks #17's cost targets (`COST_TARGETS`) on a result's default-settings
 * Whiplash (measured on DynamoDB Local, else its cost model); empty for other data sets and sizes.
 */
export function costTargetLine(r: BenchResult): string {
  const t = COST_TARGETS[r.dataset.name];
  if (!t || r.dataset.base !== t.fullSize) return '';
  const wl = defaultWhiplash(r);
  const model = defaultRun(r, 'model');
  if (!wl) return '';
  const stored = model?.settings.storedBytesPerVector as number | undefined;
  const float32 = 4 * r.dataset.dim;
  const verdict = (ok: boolean) => (ok ? '**met**' : '**not met**');
  const read = `recall@10 ${wl.recall.toFixed(3)} at ${wl.readUnits.toFixed(1)} read units per query (target >= ${t.recall} at <= ${t.readUnits}): ${verdict(wl.recall >= t.recall && wl.readUnits <= t.readUnits)}`;
  const bytes =
    stored === undefined
      ? ''
      : `; ${stored.toLocaleString('en-US')} bytes stored per vector, ${(stored / float32).toFixed(2)}x the ${float32.toLocaleString('en-US')}-byte float32 vector (target <= ${t.storedRatio}x): ${verdict(stored <= t.storedRatio * float32)}`;
  return `Cost targets of #17 (default settings, ${wl.label}): ${read}${bytes}. Write units per vector: the cost section (\`npm run bench:cost\`).\n`;
}

/**
 * The original layout's reference figures on the full data sets (../shared/datasets/README.md:
 * its own code on DynamoDB Local and an exact simulation of it, 1000 queries, mean of 3 seeds).
 */
export const ORIGINAL_ANCHORS: Record<string, { base: number; recall: number; readUnits: number }> = {
  'fashion-mnist': { base: 60000, recall: 0.8, readUnits: 5700 },
  'glove-100': { base: 340479, recall: 0.195, readUnits: 3600 },
};

function anchorLine(r: BenchResult): string {
  const a = ORIGINAL_ANCHORS[r.dataset.name];
  const wl = defaultWhiplash(r);
  if (!a || !wl || r.dataset.base !== a.base) return '';
  return `Reference for the original layout (../shared/datasets/README.md, 1000 queries, mean of 3 seeds): recall@10 ${a.recall.toFixed(2)} at ~${a.readUnits.toLocaleString('en-US')} read units per query; against it Whiplash's ${wl.readUnits.toFixed(1)} is 1/${(a.readUnits / wl.readUnits).toFixed(1)}.\n`;
}

/**
 * Checks the data set's target (if it has one) on Whiplash's default settings against the
 * original layout, both summarised over the same queries.
 */
export function checkTarget(dataset: string, base: number, whiplash: Summary, original: Summary, basis: 'measured' | 'model' = 'measured'): TargetCheck | undefined {
  const t = TARGETS[dataset];
  if (!t) return undefined;
  const ratio = whiplash.readUnits > 0 ? original.readUnits / whiplash.readUnits : Infinity;
  return {
    text: `recall@10 >= ${t.recall} with at most 1/${t.ratio} of the original layout's read units per query (${dataset}, ${t.fullSize.toLocaleString('en-US')} vectors, default settings)`,
    queries: whiplash.queries,
    recall: whiplash.recall,
    readUnits: whiplash.readUnits,
    originalReadUnits: original.readUnits,
    readUnitRatio: ratio,
    met: whiplash.recall >= t.recall && ratio >= t.ratio,
    applies: base === t.fullSize,
    basis,
    fullSize: t.fullSize,
  };
}

const fmt = (v: number | undefined | null, digits = 1): string => (v === undefined || v === null || Number.isNaN(v) ? '-' : v.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }));

/** The figures as a Markdown table (also readable as plain text on a terminal). */
export function markdownTable(systems: readonly Summary[]): string {
  const head = ['system', 'queries', 'recall@10', 'candidates / query', 'full vectors / query', 'read units / query', 'KB read / query', 'round trips (mean / max)', 'p50 ms', 'p95 ms', 'ingest vectors/s', 'write units / vector'];
  const rows = systems.map((s) => [
    s.label,
    String(s.queries),
    fmt(s.recall, 3),
    fmt(s.candidates, 0),
    fmt(s.reranked, 0),
    fmt(s.readUnits, 1),
    fmt(s.bytesRead === undefined || s.bytesRead === null ? undefined : s.bytesRead / 1024, 1),
    `${fmt(s.roundTrips, s.roundTrips >= 10 ? 1 : 2)} / ${s.maxRoundTrips}`,
    fmt(s.p50Ms, s.p50Ms >= 100 ? 0 : 1),
    fmt(s.p95Ms, s.p95Ms >= 100 ? 0 : 1),
    fmt(s.ingestVectorsPerSecond, 0),
    fmt(s.writeUnitsPerVector, 1),
  ]);
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(head), line(head.map(() => '---')), ...rows.map(line)].join('\n');
}

function targetLine(t: TargetCheck | undefined): string {
  if (!t) return '';
  const verdict = t.met ? 'MET' : 'NOT MET';
  const where = t.applies ? '' : ` (a subset: indicative only; the target is defined on the full ${(t.fullSize ?? 60000).toLocaleString('en-US')} vectors)`;
  const how = t.basis === 'model' ? 'By the cost models of both (checked against DynamoDB Local in the "Cost model against DynamoDB Local" tables), on' : 'Measured on';
  const settings = t.indexOverrides ? ` With index parameters \`${JSON.stringify(t.indexOverrides)}\`, not the defaults the target is defined at: what a collection created with them would give.` : '';
  return `Target: ${t.text}. ${how} the ${t.queries} queries both ran: Whiplash recall@10 ${t.recall.toFixed(3)} at ${t.readUnits.toFixed(1)} read units per query; the original layout reads ${t.originalReadUnits.toFixed(1)}, ${t.readUnitRatio.toFixed(1)}x as many. **${verdict}**${where}.${settings}`;
}

/** The model beside the measurement, as a table. */
function validationLines(v: readonly Validation[] | undefined): string[] {
  if (!v || v.length === 0) return [];
  const head = ['measured', 'model', 'query runs', 'read units measured', 'read units model', 'difference', 'queries exact', 'same candidates and ids', 'recall measured', 'recall model', 'model as DynamoDB bills'];
  const rows = v.map((x) => [
    x.measured,
    x.model,
    String(x.queries),
    fmt(x.measuredReadUnits, 2),
    fmt(x.modelReadUnits, 2),
    `${(100 * x.relativeDifference).toFixed(2)} %`,
    `${x.exactQueries} / ${x.queries}`,
    `${x.sameResults} / ${x.queries}`,
    fmt(x.measuredRecall, 3),
    fmt(x.modelRecall, 3),
    fmt(x.modelBilledReadUnits, 2),
  ]);
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [
    '**Cost model against DynamoDB Local** (same data, same queries, query by query; a query run is one query, or one query at one seed of the original layout; DynamoDB Local bills a Query that finds nothing 0 units, DynamoDB half a unit: the last column is the model as DynamoDB bills it):',
    '',
    line(head),
    line(head.map(() => '---')),
    ...rows.map(line),
    '',
  ];
}

/** Figures at several sizes and the fitted growth, as a table. */
function scalingLines(s: ScalingResult | undefined): string[] {
  if (!s || s.points.length === 0) return [];
  const head = ['vectors', 'system', 'recall@10', 'candidates / query', 'read units / query', 'KB read / query', 'bucket depth'];
  const rows = s.points.map((p) => [p.n.toLocaleString('en-US'), p.label, fmt(p.recall, 3), fmt(p.candidates, 0), fmt(p.readUnits, 1), fmt(p.bytesRead / 1024, 1), p.depth === undefined ? '-' : String(p.depth)]);
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  const fits = Object.entries(s.fits).map(
    ([system, f]) =>
      `- ${s.points.find((p) => p.system === system)?.label ?? system}: read units per query grow as N^${f.readUnits.exponent.toFixed(3)} (least squares on log RU against log N over ${f.readUnits.points} sizes${f.readUnits.r2 === null || Number.isNaN(f.readUnits.r2) ? '' : `, r² ${f.readUnits.r2.toFixed(3)}`}); candidates as N^${f.candidates.exponent.toFixed(3)}.`,
  );
  return [`**Scaling** (the first N base vectors, ${s.queries} queries, default settings, through the cost models):`, '', line(head), line(head.map(() => '---')), ...rows.map(line), '', ...fits, ''];
}

/** One result as a BENCHMARKS.md section. */
export function renderSection(r: BenchResult, plot?: string): string {
  const notes = [...new Set(r.systems.flatMap((s) => s.notes ?? []))];
  return [
    `## ${r.dataset.name}: ${r.dataset.base.toLocaleString('en-US')} vectors x ${r.dataset.dim} (${r.dataset.metric}), ${r.dataset.queries} queries`,
    '',
    '```sh',
    r.command,
    '```',
    '',
    `Measured ${r.date} at commit \`${r.commit}\` on ${r.engine}, ${r.machine.cpus} cores${r.machine.loadAverage ? ` (load average ${r.machine.loadAverage.join(' / ')} over 1 / 5 / 15 min at the end: latencies and ingest rates are relative)` : ''}, Node ${r.machine.node}. Data: \`${r.dataset.source}\`.`,
    '',
    markdownTable(r.systems),
    '',
    ...r.systems.filter((s) => s.system === 'whiplash' || s.system === 'model').slice(0, 1).map((s) => `Whiplash settings: \`${JSON.stringify(s.settings)}\`.\n`),
    targetLine(r.target),
    '',
    costTargetLine(r),
    heldOutLine(r),
    anchorLine(r),
    ...validationLines(r.validation),
    ...scalingLines(r.scaling),
    ...(plot ? [`![recall@${r.k} against read units per query](${plot})`, ''] : []),
    ...notes.map((n) => `- ${n}`),
    '',
  ].join('\n');
}

/**
 * BENCHMARKS.md from every result file in `dir` (and its `.svg` plot, linked as `linkPrefix/<name>.svg`),
 * full-size runs first, then subsets, largest first (default index settings before overrides, then most queries first); then, verbatim, every `.md` section other
 * benchmarks keep in `dir` (e.g. `npm run bench:load`'s load.md).
 */
export function renderBenchmarksMd(dir: string, linkPrefix = 'bench/results'): string {
  const results = readResults(dir).map(({ file, result }) => {
    const svg = file.replace(/\.json$/, '.svg');
    return { ...result, plot: existsSync(path.join(dir, svg)) ? `${linkPrefix}/${svg}` : undefined };
  });
  // Default index settings before runs with index overrides of the same data.
  const overridden = (r: BenchResult) => Number(r.target?.indexOverrides !== undefined);
  results.sort((a, b) => a.dataset.name.localeCompare(b.dataset.name) || Number(b.dataset.fullSize) - Number(a.dataset.fullSize) || b.dataset.base - a.dataset.base || overridden(a) - overridden(b) || b.dataset.queries - a.dataset.queries);
  return [
    '# Benchmarks',
    '',
    'Written by `npm run bench` (bench/run.ts) from the result files in `bench/results/`; do not edit by hand.',
    'Every system runs in the same process on the same data and queries: Whiplash, the original layout and the exact scan against one in-memory DynamoDB Local; HNSW (hnswlib-node, in memory) reads no DynamoDB; the cost models (`whiplash (model)`, `original layout (model)`) compute the same queries in process with the code the store runs, for sizes too large to load into DynamoDB Local, and are checked against the measured systems where both ran.',
    '',
    '- **recall@10**: share of the 10 results within 1e-3 of the 10th exact neighbour\'s distance (ann-benchmarks\' rule), mean over the queries; exact neighbours by brute force (cached in `bench/.cache/`).',
    '- **candidates / query**: distinct vectors found in the buckets read. **full vectors / query**: candidates whose full vector was fetched for the exact re-rank.',
    '- **read units / query**: read capacity units DynamoDB Local reported with `ReturnConsumedCapacity: TOTAL` on every call, mean over the queries; for the models, the units DynamoDB bills for the items they read (4 KB per half unit per Query page or BatchGetItem item, at least half a unit). **KB read / query**: item sizes per AWS "Item sizes and formats", where the system knows them.',
    '- **round trips**: sequential DynamoDB calls a query waits for (calls in parallel count once).',
    '- **p50 / p95 ms**: query wall time in this process against DynamoDB Local on this machine (HNSW: `searchKnn` in memory): a relative figure, not a Lambda latency; none for the models.',
    '- **ingest vectors/s**: base vectors written per second of wall time, batches as noted.',
    '',
    'Usage: `npm run bench -- --help`. Quick run (about 2 minutes): `npm run bench -- --quick`.',
    '',
    ...results.map((r) => renderSection(r, r.plot)),
    // Sections other benchmarks keep as Markdown beside their JSON (e.g. `npm run bench:load`).
    ...(existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.md')).sort() : []).map((f) => `${readFileSync(path.join(dir, f), 'utf8').trim()}\n`),
  ].join('\n');
}

/** True for a `npm run bench` result; other tools may keep their own JSON in the same directory. */
export function isBenchResult(v: unknown): v is BenchResult {
  const r = v as Partial<BenchResult> | null;
  return typeof r === 'object' && r !== null && typeof r.dataset?.base === 'number' && Array.isArray(r.systems);
}

/** Every `npm run bench` result in `dir`, with its file name. */
export function readResults(dir: string): { file: string; result: BenchResult }[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .map((file) => ({ file, result: JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as unknown }))
    .filter((x): x is { file: string; result: BenchResult } => isBenchResult(x.result));
}

function plotTitle(r: BenchResult): string {
  return `${r.dataset.name}: ${r.dataset.base.toLocaleString('en-US')} vectors, ${r.dataset.queries} queries`;
}

/** Writes a result as JSON at `file`, and its plot beside it (`.svg`). */
export function writeResult(r: BenchResult, file: string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(r, null, 2)}\n`);
  writeFileSync(file.replace(/\.json$/, '') + '.svg', recallCostSvg(plotTitle(r), r.systems, r.k));
}

/** Re-writes the plot of every result in `dir` and BENCHMARKS.md from them. */
export function writeReports(dir = RESULTS_DIR, mdFile = path.join(REPO_ROOT, 'BENCHMARKS.md')): void {
  for (const { file, result } of readResults(dir)) {
    writeFileSync(path.join(dir, file.replace(/\.json$/, '.svg')), recallCostSvg(plotTitle(result), result.systems, result.k));
  }
  writeFileSync(mdFile, renderBenchmarksMd(dir));
}
