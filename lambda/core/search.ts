// The search as pure steps: check the request, plan the buckets to read, rank the candidates by
// sketch and choose what to re-rank, exact top-k. The store and the benchmark's cost model both run these.
import { findProbability } from './collision';
import { compileFilter, Predicate } from './filter';
import { IndexTerm, indexTerms } from './filter-index';
import { Hasher, QueryEncoding } from './hasher';
import { checkTopK } from './params';
import { INDEX_PARAM_BOUNDS, MAX_BUCKET_ENTRIES_PER_QUERY, MAX_BUCKET_READ_ENTRIES } from './limits';
import { ValidationError } from './errors';
import { PlanAtSize, PlanTable, queryShape, QueryShape } from './planner';
import { DataProfile, PROFILE_MAX_SAMPLE, profileOf } from './profile';
import { RERANK_CONFIDENCE, selectFromSorted, sortByEstimate } from './rerank';
import { AngleEstimate, SketchEstimator } from './sketch-estimator';
import { unpackSketch } from './sketch-format';
import { IndexParams, Metadata, MetadataConfiguration, Metric, QueryRequest } from './types';
import { nonFilterableKeys } from './metadata';
import { distance, norm, toFloat32 } from './vector';

/** What a search needs to know of its collection. */
export interface SearchTarget {
  readonly dimension: number;
  readonly metric: Metric;
  readonly index: IndexParams;
  /** The collection's hasher; absent, or without a centre, until its first write. */
  readonly hasher?: Hasher;
  /** The collection's query plans (stored, or calibrated by its queries); absent until it was profiled. */
  readonly plans?: PlanTable | PlanAtSize;
  /** The collection's vector count as last known; the plan's depth follows it. */
  readonly vectorCount: number;
}

/** A search request whose every field was checked. */
export interface CheckedSearch {
  readonly query: Float32Array;
  readonly topK: number;
  /** The compiled metadata filter, if any. */
  readonly predicate?: Predicate;
  /** The filter's terms that the filter index answers (`indexTerms`); absent or empty: none. */
  readonly indexTerms?: readonly IndexTerm[];
  /** Per-query override of the probes; absent: the collection's. */
  readonly probes?: number;
  /** Per-query override of the re-rank cap; absent: the collection's. */
  readonly rerank?: number;
}

/**
 * Checks a search request against its collection: the vector's dimension and values, top-k, the
 * filter, and the probes and re-rank overrides (`INDEX_PARAM_BOUNDS`).
 * @throws ValidationError naming the field and the rule
 */
export function checkSearch(target: Pick<SearchTarget, 'dimension' | 'metric'> & { metadataConfiguration?: MetadataConfiguration }, request: QueryRequest): CheckedSearch {
  const topK = checkTopK(request.topK);
  const query = toFloat32(request.vector, target.dimension, 'vector', target.metric);
  const predicate = request.filter === undefined ? undefined : compileFilter(request.filter, 'filter', nonFilterableKeys(target));
  const terms = request.filter === undefined ? [] : indexTerms(request.filter);
  const probes = request.probes === undefined ? undefined : checkBound(request.probes, 'probes');
  const rerank = request.rerank === undefined ? undefined : checkBound(request.rerank, 'rerank');
  return { query, topK, predicate, ...(terms.length > 0 ? { indexTerms: terms } : {}), probes, rerank };
}

function checkBound(v: unknown, field: 'probes' | 'rerank'): number {
  const [lo, hi] = INDEX_PARAM_BOUNDS[field];
  if (typeof v !== 'number' || !Number.isInteger(v) || v < lo || v > hi) throw new ValidationError(field, `must be an integer between ${lo} and ${hi}`);
  return v;
}

/** What one query reads and how it ranks: the output of {@link planSearch}. */
export interface SearchPlan extends CheckedSearch {
  readonly metric: Metric;
  readonly sketchBits: number;
  readonly hashTables: number;
  /** Bucket depth and probes per hash table, and the recall the plan predicts. */
  readonly shape: QueryShape;
  /** The most vectors re-ranked exactly: the override or the collection's, at least top-k. */
  readonly rerankCap: number;
  /** The query's codes, margins and sketch projections; absent when nothing was ever written. */
  readonly encoding?: QueryEncoding;
}

/**
 * Plans one query: the bucket depth and probes for the collection's size (`queryShape`), the
 * re-rank cap, and the query's encoding, from which the store lays out its bucket reads
 * (`bucketReadPlan`).
 */
export function planSearch(target: SearchTarget, search: CheckedSearch): SearchPlan {
  const shape = queryShape(target.index, target.plans, target.vectorCount, search.probes);
  const rerankCap = Math.max(search.topK, search.rerank ?? target.index.rerank);
  const encoding = target.hasher?.centre ? target.hasher.encodeQuery(search.query) : undefined;
  return { ...search, metric: target.metric, sketchBits: target.index.sketchBits, hashTables: target.index.hashTables, shape, rerankCap, encoding };
}

/**
 * The most entries each of a query's `reads` bucket reads returns (its DynamoDB Query `Limit`,
 * one page): `MAX_BUCKET_READ_ENTRIES`, less when the reads would together exceed
 * `MAX_BUCKET_ENTRIES_PER_QUERY`. A read that reaches it (or DynamoDB's 1 MB page) is cut: the
 * query keeps its first entries in key order and counts it in `truncatedReads`.
 */
export function bucketReadLimit(reads: number): number {
  return Math.max(1, Math.min(MAX_BUCKET_READ_ENTRIES, Math.floor(MAX_BUCKET_ENTRIES_PER_QUERY / Math.max(1, reads))));
}

/**
 * The most entries each of a query's `reads` list reads returns in k-means lists: its share of
 * `MAX_BUCKET_ENTRIES_PER_QUERY`. A list is read whole up to it, page after page of DynamoDB's
 * 1 MB (a list grows past its list size until a writer splits it, and `MAX_BUCKET_READ_ENTRIES`
 * would cut the entries of a large list size's every list).
 */
export function listReadLimit(reads: number): number {
  return Math.max(1, Math.floor(MAX_BUCKET_ENTRIES_PER_QUERY / Math.max(1, reads)));
}

/** A candidate: its key (the store's id, the model's row) and its sketch estimate with bounds. */
export type Candidate<K> = AngleEstimate & { readonly key: K };

/**
 * The distinct candidates of one query, in the order their bucket entries arrive, each with its
 * sketch estimate, and how many bucket entries of each arrived. An entry whose metadata fails the
 * filter is left out.
 */
export class CandidateSet<K> {
  private readonly byKey = new Map<K, Candidate<K>>();
  /** Entries that arrived per candidate: one per hash table that holds it in a bucket read. */
  private readonly arrivals = new Map<K, number>();
  private readonly estimator: SketchEstimator;
  /** The candidates by estimate, sorted once for both `finalists` and `foundShare`; dropped by `add`. */
  private sorted?: Candidate<K>[];

  constructor(private readonly plan: SearchPlan) {
    if (!plan.encoding) throw new Error('a search with no encoding has no candidates');
    this.estimator = new SketchEstimator(plan.metric, plan.encoding);
  }

  get size(): number {
    return this.byKey.size;
  }

  has(key: K): boolean {
    return this.byKey.has(key);
  }

  /**
   * Adds a bucket entry's vector unless it is already a candidate or its metadata fails the filter.
   * @param packedSketch the entry's `packSketch` bytes
   * @param metadataJson the entry's metadata as JSON, if it has any
   */
  add(key: K, packedSketch: Uint8Array, metadataJson?: string): void {
    const before = this.arrivals.get(key);
    if (before !== undefined) {
      this.arrivals.set(key, before + 1);
      return;
    }
    const { predicate } = this.plan;
    if (predicate && !predicate(metadataJson ? (JSON.parse(metadataJson) as Metadata) : {})) return;
    this.byKey.set(key, { key, ...this.estimator.withBounds(unpackSketch(packedSketch, this.plan.sketchBits), RERANK_CONFIDENCE) });
    this.arrivals.set(key, 1);
    this.sorted = undefined;
  }

  /**
   * The bucket entries of a candidate that arrived: the hash tables whose reads held it (a vector
   * lies in one bucket per table, and a query reads distinct buckets), which calibrates the
   * collision model (`table-hits.ts`); 0 for a key that is not a candidate.
   */
  arrivalsOf(key: K): number {
    return this.arrivals.get(key) ?? 0;
  }

  private byEstimate(): Candidate<K>[] {
    this.sorted ??= sortByEstimate([...this.byKey.values()]);
    return this.sorted;
  }

  /** The candidates whose full vectors the exact re-rank fetches (`selectForRerank`), best estimate first. */
  finalists(): K[] {
    return selectFromSorted(this.byEstimate(), this.plan.topK, this.plan.rerankCap).map((c) => c.key);
  }

  /**
   * The predicted share of the query's top-k among the candidates that the bucket reads found,
   * for a filtered query whose top-k lie farther out than the plan's unfiltered neighbours: the
   * mean, over the top-k candidates by estimate, of the probability that the query's hash tables
   * find a vector at its estimated angle (`findProbability` at the query's depth and probes). The
   * filter's true top-k lie no farther than these, so each was found at least that likely.
   * Undefined with fewer than top-k candidates.
   */
  foundShare(): number | undefined {
    const best = this.byEstimate().slice(0, this.plan.topK);
    if (best.length < this.plan.topK) return undefined;
    const { depth, probes, extraProbes } = this.plan.shape;
    return best.reduce((s, c) => s + findProbability(c.angle, depth, probes, this.plan.hashTables, 1, extraProbes), 0) / best.length;
  }
}

/** A fetched finalist, as the exact re-rank takes it. */
export interface Fetched {
  readonly id: string;
  readonly vector: Float32Array;
  /** Its metadata; needed when the search has a filter. */
  readonly metadata?: Metadata;
}

/**
 * The exact top-k of the fetched finalists: those that pass the filter, by distance under the
 * metric, ties broken by id.
 */
export function exactTopK<T extends Fetched>(plan: SearchPlan, fetched: Iterable<T>): (T & { distance: number; score: number })[] {
  const prepared = { vector: plan.query, norm: norm(plan.query) };
  const ranked: (T & { distance: number; score: number })[] = [];
  for (const f of fetched) {
    if (plan.predicate && !plan.predicate(f.metadata ?? {})) continue;
    ranked.push({ ...f, ...distance(plan.metric, prepared, f.vector) });
  }
  ranked.sort((a, b) => a.distance - b.distance || (a.id < b.id ? -1 : 1));
  return ranked.slice(0, plan.topK);
}

/**
 * The data profile of a collection's first batch, as the planner takes it: at most
 * PROFILE_MAX_SAMPLE vectors as the hash codes see them (`Hasher.hashView`); with a hashing
 * subspace, each one's neighbours chosen in the whole space (`profileOf`).
 */
export function sampleProfile(hasher: Hasher, vectors: readonly Float32Array[]): DataProfile {
  const sample = vectors.slice(0, PROFILE_MAX_SAMPLE);
  return profileOf(
    sample.map((v) => hasher.hashView(v)),
    hasher.subspace ? sample.map((v) => hasher.centredUnit(v)) : undefined,
  );
}
