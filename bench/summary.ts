// Per-query records of a system's run and their summary: mean recall, candidates, read units, round trips, latency percentiles.
import type { QueryResult } from '../lambda/core/types';
import type { GroundTruth } from './ground-truth';
import type { CapacityMeter } from './meter';
import { mean, percentile, recallAgainst } from './recall';

/** What one query returned and cost, in any system. */
export interface QueryRecord {
  /** Query number (row of the query set) when records are not in query order, e.g. several seeds. @default the record's index */
  readonly q?: number;
  /** Base row numbers, nearest first. */
  readonly ids: number[];
  readonly candidates: number;
  /** Read capacity units reported by DynamoDB (ReturnConsumedCapacity: TOTAL). */
  readonly readUnits: number;
  /** Sequential DynamoDB round trips. */
  readonly roundTrips: number;
  /** Wall time of the query in this process against DynamoDB Local, milliseconds. */
  readonly ms: number;
  /** Bytes of items read, when the system can tell. */
  readonly bytesRead?: number;
  /** Candidates whose full vector was fetched for exact re-rank, when the system tells. */
  readonly reranked?: number;
  /** Read units counted by the benchmark's own meter on the client (see `meter.ts`), when attached. */
  readonly meteredReadUnits?: number;
  /** DynamoDB calls made, when metered. */
  readonly calls?: number;
  /** The store's `probes`: per hash table, or in k-means lists the lists read (nprobe), when the system tells. */
  readonly probes?: number;
}

/**
 * The record of one Whiplash query: the store's own stats beside what the benchmark's meter
 * counted on the client during it, and its wall time.
 */
export function storeQueryRecord(res: QueryResult, meter: Pick<CapacityMeter, 'readUnits' | 'calls'>, ms: number): QueryRecord {
  return {
    ids: res.matches.map((m) => Number(m.id)),
    candidates: res.stats.candidates,
    readUnits: res.stats.readUnits,
    roundTrips: res.stats.roundTrips,
    reranked: res.stats.reranked,
    probes: res.stats.probes,
    meteredReadUnits: meter.readUnits,
    calls: meter.calls,
    ms,
  };
}

/** Ingest of the base vectors into a system. */
export interface IngestRecord {
  readonly vectors: number;
  readonly seconds: number;
  /** Write capacity units, when the system reports them. */
  readonly writeUnits?: number;
}

/** One system's run over the data set's queries. */
export interface SystemRun {
  /** `whiplash`, `original`, `exact`. */
  readonly system: string;
  /** Label of the row in the table, e.g. `whiplash probes=8 rerank=200`. */
  readonly label: string;
  /** Settings that decide the figures (index parameters, overrides, seeds). */
  readonly settings: Record<string, unknown>;
  readonly ingest?: IngestRecord;
  readonly queries: QueryRecord[];
  /** Free-form remarks shown under the table (how a figure was obtained). */
  readonly notes?: string[];
}

/** Whether a run or summary used the default settings: no per-query or index overrides. */
export const hasDefaultSettings = (r: { readonly settings: Record<string, unknown> }): boolean =>
  Object.keys((r.settings.overrides as object | undefined) ?? {}).length === 0;

/** The figures of one system, averaged over the queries. */
export interface Summary {
  readonly system: string;
  readonly label: string;
  readonly settings: Record<string, unknown>;
  /** Distinct queries (a system run with several seeds has more records than queries). */
  readonly queries: number;
  /** Mean recall@k over the queries. */
  readonly recall: number;
  readonly k: number;
  readonly candidates: number;
  readonly readUnits: number;
  readonly roundTrips: number;
  readonly maxRoundTrips: number;
  readonly bytesRead?: number;
  readonly reranked?: number;
  /** Mean read units per query by the benchmark's own meter, to check `readUnits`. */
  readonly meteredReadUnits?: number;
  /** Mean DynamoDB calls per query. */
  readonly calls?: number;
  readonly p50Ms: number;
  readonly p95Ms: number;
  readonly ingestVectorsPerSecond?: number;
  readonly writeUnitsPerVector?: number;
  readonly notes?: string[];
}

/** recall@k of one record (query `r.q`, or `index` when absent). */
export function recallOf(gt: GroundTruth, r: QueryRecord, index: number, k: number, distanceOf: (q: number, id: number) => number): number {
  const q = r.q ?? index;
  return recallAgainst(gt, q, r.ids, k, (id) => distanceOf(q, id));
}

/** Mean figures of a run; recall@k against `gt` with distances from `distanceOf(q, id)`. */
export function summarise(run: SystemRun, gt: GroundTruth, k: number, distanceOf: (q: number, id: number) => number): Summary {
  const qs = run.queries;
  const optionalMean = (f: (r: QueryRecord) => number | undefined): number | undefined => {
    const vals = qs.map(f).filter((v): v is number => v !== undefined);
    return vals.length === qs.length && vals.length > 0 ? mean(vals) : undefined;
  };
  return {
    system: run.system,
    label: run.label,
    settings: run.settings,
    queries: new Set(qs.map((r, i) => r.q ?? i)).size,
    k,
    recall: mean(qs.map((r, i) => recallOf(gt, r, i, k, distanceOf))),
    // null: NaN that went through JSON (a system that cannot count candidates, e.g. HNSW)
    candidates: mean(qs.map((r) => r.candidates ?? NaN)),
    readUnits: mean(qs.map((r) => r.readUnits)),
    roundTrips: mean(qs.map((r) => r.roundTrips)),
    maxRoundTrips: Math.max(...qs.map((r) => r.roundTrips)),
    bytesRead: optionalMean((r) => r.bytesRead),
    reranked: optionalMean((r) => r.reranked),
    meteredReadUnits: optionalMean((r) => r.meteredReadUnits),
    calls: optionalMean((r) => r.calls),
    p50Ms: percentile(qs.map((r) => r.ms ?? NaN), 50),
    p95Ms: percentile(qs.map((r) => r.ms ?? NaN), 95),
    ingestVectorsPerSecond: run.ingest && run.ingest.seconds > 0 ? run.ingest.vectors / run.ingest.seconds : undefined,
    writeUnitsPerVector: run.ingest?.writeUnits !== undefined ? run.ingest.writeUnits / run.ingest.vectors : undefined,
    notes: run.notes,
  };
}
