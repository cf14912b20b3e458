// The filter index as pure rules: which metadata values it holds, which terms of a filter it can
// answer, and when a query ranks the vectors it names exactly instead of searching the buckets.
import { MAX_FILTER_INDEX_MATCHES, MAX_FILTER_INDEX_READS } from './limits';
import { Filter, Metadata } from './types';

/**
 * The filter index's version in a collection's config (`CollectionConfig.filterIndex`): set when
 * every vector of the collection has its entries, so that queries may trust the index.
 */
export const FILTER_INDEX_VERSION = 1;

/** A metadata value the index holds one entry for: a scalar, or one element of a list of strings. */
export type IndexedValue = string | number | boolean;

/**
 * The (key, value) pairs the filter index holds for a vector's filterable metadata (its
 * non-filterable keys never reach here: `splitMetadata`): each scalar, and each distinct element of
 * a list of strings (a filter's `$eq`/`$in` on a list means "contains").
 */
export function indexedValues(metadata: Metadata): [string, IndexedValue][] {
  const out: [string, IndexedValue][] = [];
  for (const [key, value] of Object.entries(metadata)) {
    if (Array.isArray(value)) for (const s of new Set(value)) out.push([key, s]);
    else out.push([key, value]);
  }
  return out;
}

/** One bound of a numeric range term. */
export interface RangeBound {
  readonly value: number;
  readonly inclusive: boolean;
}

/**
 * A term of a filter's top-level conjunction that the index answers: every vector the filter
 * matches has an index entry the term's reads return (and maybe some it does not match).
 * - `values`: the key equals (or, on a list, contains) one of them (`$eq`, a short `$in`);
 * - `lower`/`upper`: the key is a number within the bounds (`$gt $gte $lt $lte`).
 */
export type IndexTerm =
  | { readonly key: string; readonly values: readonly IndexedValue[] }
  | { readonly key: string; readonly lower?: RangeBound; readonly upper?: RangeBound };

/** Index reads (DynamoDB Query calls) a term takes: one per value, one for a range. */
export const termReads = (t: IndexTerm): number => ('values' in t ? t.values.length : 1);

const isScalar = (v: unknown): v is IndexedValue =>
  typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v));

/** The indexable terms of one key's condition (`{"$gte": 3, "$lt": 9}`, `"drama"`, ...). */
function keyTerms(key: string, cond: unknown): IndexTerm[] {
  if (isScalar(cond)) return [{ key, values: [cond] }];
  if (typeof cond !== 'object' || cond === null || Array.isArray(cond)) return [];
  const terms: IndexTerm[] = [];
  let lower: RangeBound | undefined;
  let upper: RangeBound | undefined;
  for (const [op, arg] of Object.entries(cond)) {
    if (op === '$eq' && isScalar(arg)) terms.push({ key, values: [arg] });
    else if (op === '$in' && Array.isArray(arg) && arg.length > 0 && arg.every(isScalar)) terms.push({ key, values: [...new Set(arg)] });
    else if ((op === '$gt' || op === '$gte') && typeof arg === 'number' && Number.isFinite(arg)) {
      // two lower bounds: the tighter one
      if (!lower || arg > lower.value || (arg === lower.value && op === '$gt')) lower = { value: arg, inclusive: op === '$gte' };
    } else if ((op === '$lt' || op === '$lte') && typeof arg === 'number' && Number.isFinite(arg)) {
      if (!upper || arg < upper.value || (arg === upper.value && op === '$lt')) upper = { value: arg, inclusive: op === '$lte' };
    }
  }
  if (lower || upper) terms.push({ key, ...(lower ? { lower } : {}), ...(upper ? { upper } : {}) });
  return terms;
}

/**
 * The terms of `filter`'s top-level conjunction (its keys, and the filters of a top-level `$and`,
 * recursively) that the index answers, on filterable keys; `$or`, `$ne`, `$nin` and `$exists`
 * are left to the full filter. Cheapest first (fewest reads), and only as many as
 * `MAX_FILTER_INDEX_READS` reads allow. The filter must have been checked (`compileFilter`).
 */
export function indexTerms(filter: Filter): IndexTerm[] {
  const all: IndexTerm[] = [];
  const walk = (f: Filter) => {
    for (const [key, cond] of Object.entries(f)) {
      if (key === '$and' && Array.isArray(cond)) for (const sub of cond) walk(sub as Filter);
      else if (!key.startsWith('$')) all.push(...keyTerms(key, cond));
    }
  };
  walk(filter);
  all.sort((a, b) => termReads(a) - termReads(b));
  const chosen: IndexTerm[] = [];
  let reads = 0;
  for (const t of all) {
    if (reads + termReads(t) > MAX_FILTER_INDEX_READS) continue;
    chosen.push(t);
    reads += termReads(t);
  }
  return chosen;
}

/**
 * A bucket path that nominates fewer filtered candidates than this many times top-k is taken as
 * unlikely to return k good matches: the re-rank picks the best of its candidates, and with
 * barely k of them it keeps whatever the buckets happened to hold.
 */
export const BUCKET_MATCH_MARGIN = 2;

/** What {@link chooseSearchPath} weighs. */
export interface PathChoice {
  /**
   * Distinct vectors the filter index names for the filter (the intersection of its terms'
   * matches), when at least one term was read whole; undefined when the filter has no indexable
   * term or every term matched more than `MAX_FILTER_INDEX_MATCHES`.
   */
  readonly indexMatches?: number;
  readonly topK: number;
  /** Candidates of the bucket path that pass the filter: counted (the store) or expected ({@link expectedBucketMatches}). */
  readonly bucketMatches: number;
  /** Vectors the bucket path would fetch for its exact re-rank. */
  readonly bucketFetches: number;
  /**
   * The predicted share of the filter's top-k that the bucket reads found (`CandidateSet.foundShare`);
   * undefined: not weighed (the model, which does not read buckets).
   */
  readonly foundShare?: number;
  /** The collection's recall target, which `foundShare` must reach. */
  readonly recallTarget?: number;
  /** The most vectors the query may fetch for its re-rank (`SearchPlan.rerankCap`): what the exact path may fetch to keep the target. */
  readonly rerankCap?: number;
}

/**
 * The path of a filtered query: `exact` fetches every vector the filter index names and ranks
 * them exactly (all matches, exact order); `buckets` re-ranks the buckets' filtered candidates.
 * Exact when the index named at most `MAX_FILTER_INDEX_MATCHES` vectors and either fetching them
 * costs no more than the bucket path's re-rank, or the buckets nominated too few matches to
 * return top-k (fewer than `BUCKET_MATCH_MARGIN` x top-k), or they are predicted to have found
 * less than the recall target of the filter's top-k (a filter's matches lie farther from the
 * query than its unfiltered neighbours, which the plan aims at) and the exact path fetches no
 * more than the re-rank cap; the buckets otherwise.
 */
export function chooseSearchPath(c: PathChoice): 'exact' | 'buckets' {
  if (c.indexMatches === undefined || c.indexMatches > MAX_FILTER_INDEX_MATCHES) return 'buckets';
  if (c.indexMatches <= c.bucketFetches) return 'exact';
  if (c.bucketMatches < BUCKET_MATCH_MARGIN * c.topK) return 'exact';
  const short = c.foundShare !== undefined && c.recallTarget !== undefined && c.foundShare < c.recallTarget;
  return short && c.rerankCap !== undefined && c.indexMatches <= c.rerankCap ? 'exact' : 'buckets';
}

/**
 * Filtered candidates a bucket path is expected to find, for a model that has not read the
 * buckets: its candidates times the filter's share of the collection.
 */
export function expectedBucketMatches(candidates: number, matches: number, vectorCount: number): number {
  return vectorCount <= 0 ? 0 : (candidates * Math.min(matches, vectorCount)) / vectorCount;
}
