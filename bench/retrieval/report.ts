// The result shape of `npm run bench:retrieval` (bench/results/retrieval.json), its read-unit ratio
// check and its BENCHMARKS.md section (bench/results/retrieval.md).
import type { Filter, IndexParams } from '../../lambda/core/types';
import type { MachineInfo } from '../lambda/machine';

/** Most read units per query a collection with non-filterable texts may take, as a multiple of the same run without them. */
export const READ_UNIT_RATIO_TARGET = 1.1;

/** One collection as ingested. */
export interface RetrievalCollection {
  readonly name: string;
  /** What its metadata holds. */
  readonly description: string;
  readonly nonFilterableKeys: string[];
  readonly vectors: number;
  /** UTF-8 bytes of each vector's metadata as JSON: mean and largest. */
  readonly metadataBytes: { mean: number; max: number };
  /** Texts that did not fit whole in the metadata limit and were cut. */
  readonly textsCut: number;
  readonly writeUnits: number;
  readonly writeUnitsPerVector: number;
  readonly seconds: number;
  readonly index: IndexParams;
  readonly queryPlan: unknown;
}

/** The figures of one collection, one filter and one `includeMetadata` over every query. */
export interface RetrievalConfiguration {
  readonly collection: string;
  /** Name of the filter (`none` for unfiltered queries). */
  readonly filter: string;
  readonly includeMetadata: boolean;
  readonly queries: number;
  /** Mean recall@k against the exact top-k among the base rows the filter keeps. */
  readonly recall: number;
  /** Mean read units per query: the store's QueryStats, and the benchmark's meter on the client. */
  readonly readUnits: number;
  readonly meteredReadUnits: number;
  readonly roundTrips: number;
  readonly maxRoundTrips: number;
  readonly entriesRead: number;
  readonly candidates: number;
  readonly reranked: number;
  /** Share of queries the store ranked on its exact path (the filter index's matches, fetched whole). */
  readonly exactPath: number;
  readonly p50Ms: number;
  /** Results, over all queries, whose filterable metadata fails the filter (0 expected). */
  readonly filterViolations: number;
  /** With includeMetadata: mean read units per query above the same query without it. */
  readonly extraReadUnits?: number;
  /** With includeMetadata: mean UTF-8 bytes of the metadata returned per query, and results whose metadata differs from what was written. */
  readonly returnedMetadataBytes?: number;
  readonly metadataMismatches?: number;
  /** Against the `bare` collection, same filter, without metadata: read units per query over bare's, and queries with the same ids in the same order. */
  readonly readUnitRatio?: number;
  readonly sameResultsAsBare?: number;
}

/** A filter of the run and how many base rows pass it. */
export interface RetrievalFilter {
  readonly name: string;
  readonly filter?: Filter;
  readonly matching: number;
}

/** Read units per query of a collection over `bare`'s, without includeMetadata, pooled over every filter. */
export interface RatioCheck {
  readonly collection: string;
  readonly ratio: number;
  /** The worst ratio of any one filter. */
  readonly worst: number;
  readonly met: boolean;
}

/** What `npm run bench:retrieval` writes to bench/results/retrieval.json. */
export interface RetrievalResult {
  readonly kind: 'retrieval';
  readonly command: string;
  readonly date: string;
  readonly commit: string;
  readonly machine: MachineInfo;
  readonly engine: string;
  readonly data: { name: string; source: string; metric: string; dim: number; base: number; queries: number };
  readonly k: number;
  readonly seed: number;
  readonly batchSize: number;
  readonly filters: RetrievalFilter[];
  readonly collections: RetrievalCollection[];
  readonly configurations: RetrievalConfiguration[];
  readonly ratios: RatioCheck[];
}

/**
 * Read units per query of `collection` over `bare`'s, without includeMetadata: pooled over every
 * filter (mean of all its queries over the mean of bare's) and the worst single filter.
 * @returns undefined when either has no such configuration
 */
export function ratioCheck(configs: readonly RetrievalConfiguration[], collection: string, bare = 'bare'): RatioCheck | undefined {
  const of = (c: string) => configs.filter((x) => x.collection === c && !x.includeMetadata);
  const mine = of(collection);
  const base = of(bare);
  if (mine.length === 0 || base.length === 0) return undefined;
  const total = (xs: readonly RetrievalConfiguration[]) => xs.reduce((s, x) => s + x.readUnits * x.queries, 0);
  const ratio = total(mine) / total(base);
  const worst = Math.max(
    ...mine.map((m) => {
      const b = base.find((x) => x.filter === m.filter);
      return b ? m.readUnits / b.readUnits : NaN;
    }),
  );
  return { collection, ratio, worst, met: ratio <= READ_UNIT_RATIO_TARGET && worst <= READ_UNIT_RATIO_TARGET };
}

const num = (v: number | undefined, digits: number) => (v === undefined || Number.isNaN(v) ? '-' : v.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }));
const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;

/** The filter as written in a query, short. */
export function filterText(f: RetrievalFilter): string {
  return f.filter === undefined ? 'none' : `\`${JSON.stringify(f.filter)}\``;
}

/** The BENCHMARKS.md section of a retrieval result. */
export function retrievalMarkdown(r: RetrievalResult): string {
  const filterOf = new Map(r.filters.map((f) => [f.name, f]));
  const ingestHead = ['collection', 'metadata', 'non-filterable keys', 'metadata bytes / vector (mean / max)', 'texts cut to fit', 'write units / vector'];
  const ingestRows = r.collections.map((c) => [
    c.name,
    c.description,
    c.nonFilterableKeys.length === 0 ? '-' : c.nonFilterableKeys.join(', '),
    `${num(c.metadataBytes.mean, 0)} / ${num(c.metadataBytes.max, 0)}`,
    `${c.textsCut} / ${c.vectors}`,
    num(c.writeUnitsPerVector, 1),
  ]);
  const head = ['collection', 'filter (base rows kept)', 'includeMetadata', `recall@${r.k}`, 'read units / query', 'over bare', 'extra read units for metadata', 'round trips (mean / max)', 'bucket entries / query', 'exact path'];
  const rows = r.configurations.map((c) => {
    const f = filterOf.get(c.filter);
    return [
      c.collection,
      `${c.filter}${f ? ` (${f.matching})` : ''}`,
      c.includeMetadata ? 'true' : 'false',
      num(c.recall, 3),
      num(c.readUnits, 1),
      c.readUnitRatio === undefined ? '-' : `${num(c.readUnitRatio, 3)}`,
      c.extraReadUnits === undefined ? '-' : `+${num(c.extraReadUnits, 1)}`,
      `${num(c.roundTrips, 2)} / ${c.maxRoundTrips}`,
      num(c.entriesRead, 0),
      `${Math.round(100 * c.exactPath)} %`,
    ];
  });
  const ratioLines = r.ratios.map(
    (x) =>
      `- \`${x.collection}\` / \`bare\`, read units per query without includeMetadata: ${num(x.ratio, 3)} over every filter, at worst ${num(x.worst, 3)} for one filter (target <= ${READ_UNIT_RATIO_TARGET.toFixed(2)}): **${x.met ? 'MET' : 'NOT MET'}**.`,
  );
  const violations = r.configurations.reduce((s, c) => s + c.filterViolations, 0);
  const mismatches = r.configurations.reduce((s, c) => s + (c.metadataMismatches ?? 0), 0);
  const unequal = r.configurations.filter((c) => c.sameResultsAsBare !== undefined && c.sameResultsAsBare < c.queries);
  const disagree = r.configurations.filter((c) => Math.abs(c.readUnits - c.meteredReadUnits) > 1e-6 * Math.max(1, c.meteredReadUnits));
  return [
    '## Retrieval with non-filterable texts (MiniLM)',
    '',
    '```sh',
    r.command,
    '```',
    '',
    `Measured ${r.date} at commit \`${r.commit}\` on ${r.engine}, ${r.machine.cpus} cores (load average ${r.machine.loadAverage.join(' / ')}), Node ${r.machine.node}. ` +
      `Data: the ${r.data.base} base rows of the all-MiniLM-L6-v2 embeddings of the Fiori docs (${r.data.dim}-d, ${r.data.metric}; \`${r.data.source}\`) and their records' \`category\` (string) and \`wordCount\` (number) as filterable metadata; ` +
      `the ${r.data.queries} held-out rows as queries, top ${r.k}. Three collections through \`WhiplashStore\`, default index settings, seed ${r.seed}, the same upsert batches of ${r.batchSize}. ` +
      `Recall@${r.k} is against the exact top ${r.k} by brute force among the base rows the filter keeps (bench/ground-truth.ts, the filter by the store's \`compileFilter\`). ` +
      'Read units are the store\'s QueryStats (ReturnConsumedCapacity TOTAL); write units, the benchmark\'s meter on the client over the whole ingest.',
    '',
    line(ingestHead),
    line(ingestHead.map(() => '---')),
    ...ingestRows.map(line),
    '',
    `Filters: ${r.filters.map((f) => `${f.name} = ${filterText(f)}`).join('; ')}.`,
    '',
    line(head),
    line(head.map(() => '---')),
    ...rows.map(line),
    '',
    '`over bare`: read units per query over `bare`\'s under the same filter. `extra read units for metadata`: over the same query without includeMetadata. ' +
      '`bucket entries / query`: the store\'s `entriesRead`. `exact path`: share of the queries the store ranked through the filter index (every match fetched) rather than through the buckets. ' +
      'A collection\'s rows run in the order shown, and from its 64th observed unfiltered query on it follows plans calibrated by its own queries (README, "Calibration by the collection\'s own queries"): a later row may read buckets differently from an earlier one of the same collection (e.g. with includeMetadata after without); rows at the same place in each collection\'s order compare like with like.',
    '',
    ...ratioLines,
    `- Checks: ${violations} results outside their filter; ${mismatches} results returned with metadata other than was written; ` +
      (unequal.length === 0 ? 'every query without includeMetadata returned the same ids, in the same order, as on `bare`; ' : `${unequal.map((c) => `${c.collection} ${c.filter} ${c.sameResultsAsBare}/${c.queries}`).join(', ')} queries returned the same ids as on \`bare\`; `) +
      (disagree.length === 0 ? "the store's read units equal the meter's on every configuration." : `the store's read units differ from the meter's on ${disagree.map((c) => `${c.collection} ${c.filter}${c.includeMetadata ? ' with metadata' : ''}`).join(', ')}.`),
    '',
  ].join('\n');
}
