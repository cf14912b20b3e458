// The checks of names, ids, dimensions, top-k, seeds and index parameters against the limits of
// `limits.ts`, and the index defaults.
import { oneOfRule, ValidationError } from './errors';
import {
  COLLECTION_NAME_PATTERN,
  DEFAULT_TOP_K,
  INDEX_METHODS,
  INDEX_PARAM_BOUNDS,
  LIST_SIZE_BOUNDS,
  MAX_DIMENSION,
  MAX_ID_BYTES,
  MAX_SKETCH_BUILD_WORK,
  MAX_PROJECT_NAME_LENGTH,
  MAX_TOP_K,
  PROJECT_ID_PATTERN,
  RECALL_TARGET_BOUNDS,
  SEED_BOUNDS,
} from './limits';
import { DEFAULT_LIST_SIZE } from './list-splits';
import { PRNG_VERSION } from './prng';
import { sketchLayout } from './sketch-format';
import { IndexMethod, IndexParams, Metric } from './types';

/** Bits of each hash table's code that are stored; the deepest bucket a query can read. */
export const CODE_BITS = 24;

export const METRICS: readonly Metric[] = ['cosine', 'euclidean', 'dot'];

/**
 * Index defaults. `bucketSize` and `probes` are absent: the query planner chooses them for each
 * collection size from the collection's data profile, to reach `recallTarget`. Measured on
 * Fashion-MNIST 60k (Euclidean), GloVe-100 (cosine) and all-MiniLM-L6-v2 embeddings: BENCHMARKS.md.
 *
 * `hashTables` is 8: each table is one bucket entry (one write unit) per vector written, and the
 * planner makes up for fewer tables with more probes. The read units a query needs for a recall
 * move far less with L than the writes do ("Index layout exploration" and "Fewer hash tables by
 * default" in BENCHMARKS.md); collections keep the `hashTables` they were created with.
 */
export const DEFAULT_INDEX_PARAMS: IndexParams = {
  hashTables: 8,
  partitionBits: 4,
  recallTarget: 0.95,
  sketchBits: 384,
  rerank: 500,
};

/**
 * Bucket size and probes of a collection that has no data profile yet (no upsert batch of
 * PROFILE_MIN_SAMPLE vectors so far), unless its index sets them.
 */
export const UNPROFILED = { bucketSize: 8, probes: 2 } as const;

type IntegerParam = Exclude<keyof IndexParams, 'recallTarget'>;

/** `INDEX_PARAM_BOUNDS` typed by the parameters of `IndexParams`: fails to compile if one has no bounds. */
const INTEGER_PARAM_BOUNDS: Readonly<Record<IntegerParam, readonly [number, number]>> = INDEX_PARAM_BOUNDS;

function checkInt(value: unknown, field: string, [lo, hi]: readonly [number, number]): number {
  if (typeof value !== 'number' || !Number.isInteger(value)) throw new ValidationError(field, 'must be an integer');
  if (value < lo || value > hi) throw new ValidationError(field, `must be between ${lo} and ${hi}`);
  return value;
}

/**
 * The default sketch length for vectors of `dimension`: twice the dimension rounded up to a
 * multiple of 8, at most `DEFAULT_INDEX_PARAMS.sketchBits` (384). From twice the dimension the
 * sketch holds 2 bits per direction (`sketchLayout` in `sketch-format.ts`), whose angle error at that
 * length matches the sign bits of a higher dimension, in fewer bytes per bucket entry. At most
 * 384: with split sketches (`splitSketchLayout`) 384 bits read fewer units per query than 512 on
 * Fashion-MNIST, and whole-space sketches read the same at either (BENCHMARKS.md, "Split sketches").
 */
export function defaultSketchBits(dimension: number): number {
  return Math.min(DEFAULT_INDEX_PARAMS.sketchBits, Math.ceil((2 * dimension) / 8) * 8);
}

/**
 * The work of building a collection's sketch directions, as `Hasher` does on every cold instance:
 * modified Gram-Schmidt (`orthonormalize` in `subspace.ts`) on the `sketchLayout` directions in
 * blocks of `dimension` rows, one dot product and one update of `dimension` multiply-adds per pair
 * of rows in a block: the sum over blocks of m(m - 1)/2 x dimension. Build time grows with it
 * (BENCHMARKS.md, "Hasher build time"); the Gaussian rows themselves cost far less.
 */
export function sketchBuildWork(dimension: number, sketchBits: number): number {
  const { directions } = sketchLayout(dimension, sketchBits, PRNG_VERSION);
  let work = 0;
  for (let start = 0; start < directions; start += dimension) {
    const m = Math.min(dimension, directions - start);
    work += ((m * (m - 1)) / 2) * dimension;
  }
  return work;
}

/**
 * The largest `sketchBits` a collection of `dimension` may have: the largest multiple of 8 up to
 * `INDEX_PARAM_BOUNDS.sketchBits` such that it and every shorter sketch build within
 * `MAX_SKETCH_BUILD_WORK` (`sketchBuildWork`), in the dimension and in one more (the space of
 * `dot`'s lift, `mips.ts`), so that one rule holds for every metric. A prefix, so that the rule is
 * one number per dimension although the work drops where a sketch switches to 2 bits per direction.
 */
export function maxSketchBits(dimension: number): number {
  const [lo, hi] = INDEX_PARAM_BOUNDS.sketchBits;
  const fits = (bits: number) => Math.max(sketchBuildWork(dimension, bits), sketchBuildWork(dimension + 1, bits)) <= MAX_SKETCH_BUILD_WORK;
  let max = lo;
  for (let bits = lo; bits <= hi && fits(bits); bits += 8) max = bits;
  return max;
}

/**
 * Resolves index parameters against the defaults and checks their bounds. With `dimension`,
 * the default `sketchBits` is `defaultSketchBits(dimension)` and `sketchBits` is at most
 * `maxSketchBits(dimension)`.
 * @throws ValidationError naming the parameter, e.g. `index.hashTables must be between 1 and 32`
 */
export function resolveIndexParams(overrides: Partial<IndexParams> | undefined, field = 'index', dimension?: number): IndexParams {
  if (overrides !== undefined && (typeof overrides !== 'object' || overrides === null || Array.isArray(overrides))) {
    throw new ValidationError(field, 'must be an object');
  }
  const o = overrides ?? {};
  for (const key of Object.keys(o)) {
    if (!(key in INTEGER_PARAM_BOUNDS) && key !== 'recallTarget') throw new ValidationError(`${field}.${key}`, 'is not an index parameter');
  }
  const out: Record<string, number> = { ...DEFAULT_INDEX_PARAMS, ...(dimension === undefined ? {} : { sketchBits: defaultSketchBits(dimension) }) };
  for (const key of Object.keys(INTEGER_PARAM_BOUNDS) as IntegerParam[]) {
    const v = o[key];
    if (v !== undefined) out[key] = checkInt(v, `${field}.${key}`, INTEGER_PARAM_BOUNDS[key]);
  }
  if (o.recallTarget !== undefined) {
    const [lo, hi] = RECALL_TARGET_BOUNDS;
    if (typeof o.recallTarget !== 'number' || !(o.recallTarget >= lo && o.recallTarget <= hi)) {
      throw new ValidationError(`${field}.recallTarget`, `must be a number between ${lo} and ${hi}`);
    }
    out.recallTarget = o.recallTarget;
  }
  if (out.sketchBits % 8 !== 0) throw new ValidationError(`${field}.sketchBits`, 'must be a multiple of 8');
  if (dimension !== undefined && out.sketchBits > maxSketchBits(dimension)) {
    throw new ValidationError(
      `${field}.sketchBits`,
      `must be at most ${maxSketchBits(dimension)} for ${dimension} dimensions: building the sketch directions (Gram-Schmidt, sketchBits^2 x dimension / 2 multiply-adds per block of dimension directions) is limited to ${MAX_SKETCH_BUILD_WORK.toExponential()} multiply-adds per cold start`,
    );
  }
  if (out.partitionBits > CODE_BITS) throw new ValidationError(`${field}.partitionBits`, `must be at most ${CODE_BITS}`);
  return out as unknown as IndexParams;
}

const COLLECTION_NAME = new RegExp(COLLECTION_NAME_PATTERN);
const PROJECT_ID = new RegExp(PROJECT_ID_PATTERN);

/** Checks a collection name against `COLLECTION_NAME_PATTERN`. @throws ValidationError */
export function checkCollectionName(name: unknown, field = 'name'): string {
  if (typeof name !== 'string' || !COLLECTION_NAME.test(name)) {
    throw new ValidationError(field, 'must be 1-128 characters of letters, digits, ".", "_" or "-", starting with a letter or digit');
  }
  return name;
}

/** Checks a project id against `PROJECT_ID_PATTERN`. @throws ValidationError */
export function checkProjectId(id: unknown, field = 'projectId'): string {
  if (typeof id !== 'string' || !PROJECT_ID.test(id)) {
    throw new ValidationError(field, 'must be 1-64 characters of letters, digits, "_" or "-", starting with a letter or digit');
  }
  return id;
}

/**
 * Checks a project's display name: absent, or a string of at most `MAX_PROJECT_NAME_LENGTH`
 * characters (UTF-16 code units).
 * @throws ValidationError
 */
export function checkProjectName(name: unknown, field = 'name'): string | undefined {
  if (name !== undefined && (typeof name !== 'string' || name.length > MAX_PROJECT_NAME_LENGTH)) {
    throw new ValidationError(field, `must be a string of at most ${MAX_PROJECT_NAME_LENGTH} characters`);
  }
  return name;
}

export function checkDimension(d: unknown, field = 'dimension'): number {
  return checkInt(d, field, [1, MAX_DIMENSION]);
}

export function checkMetric(m: unknown, field = 'metric'): Metric {
  if (m === undefined) return 'cosine';
  if (typeof m !== 'string' || !METRICS.includes(m as Metric)) throw new ValidationError(field, oneOfRule(METRICS));
  return m as Metric;
}

/**
 * The index parameters that shape hash tables (`indexMethod` 'lsh'). A collection in k-means lists
 * has none: it reads lists (nprobe from its calibration) rather than buckets.
 */
export const HASH_TABLE_PARAMS = ['hashTables', 'partitionBits', 'bucketSize', 'probes'] as const;

/**
 * A create request's `indexMethod`: `ivf` (k-means lists) or `lsh` (random-hyperplane hash tables).
 * Lists need a metric space, so metric `dot` takes hash tables; so does a request whose `index`
 * sets a hash table parameter (`HASH_TABLE_PARAMS`), which says the client wants them, as the
 * original whiplash's clients and collections made before lists do.
 * @default 'ivf' for metrics cosine and euclidean; 'lsh' for metric dot or an `index` with a hash table parameter
 * @throws ValidationError for another value; `ivf` with metric `dot`; `ivf` with a hash table parameter (naming it)
 */
export function checkIndexMethod(method: unknown, metric: Metric, index?: unknown, field = 'indexMethod'): IndexMethod {
  const tableParam = HASH_TABLE_PARAMS.find((key) => typeof index === 'object' && index !== null && (index as Record<string, unknown>)[key] !== undefined);
  if (method === undefined) return metric === 'dot' || tableParam ? 'lsh' : 'ivf';
  if (method === 'lsh') return 'lsh';
  if (method !== 'ivf') throw new ValidationError(field, oneOfRule(INDEX_METHODS));
  if (metric === 'dot') throw new ValidationError(field, "'ivf' supports the cosine and euclidean metrics, not dot");
  if (tableParam) throw new ValidationError(`index.${tableParam}`, "applies to indexMethod 'lsh' only");
  return 'ivf';
}

/**
 * The index parameters a new collection keeps: `resolveIndexParams` against its dimension, and in
 * k-means lists (`method` 'ivf') one hash table, since there the hasher only sketches and its codes
 * go unused.
 * @throws ValidationError as `resolveIndexParams`
 */
export function collectionIndexParams(overrides: Partial<IndexParams> | undefined, dimension: number, method: IndexMethod): IndexParams {
  const resolved = resolveIndexParams(overrides, 'index', dimension);
  return method === 'ivf' ? { ...resolved, hashTables: 1 } : resolved;
}

/**
 * A create request's `listSize`, the list size of a collection in k-means lists (`lists`).
 * @default DEFAULT_LIST_SIZE with lists, none without
 * @throws ValidationError when it is not an integer in `LIST_SIZE_BOUNDS`, or given without lists
 */
export function checkListSize(size: unknown, lists: boolean, field = 'listSize'): number | undefined {
  if (!lists) {
    if (size !== undefined) throw new ValidationError(field, "applies to indexMethod 'ivf' only");
    return undefined;
  }
  return size === undefined ? DEFAULT_LIST_SIZE : checkInt(size, field, LIST_SIZE_BOUNDS);
}

export function checkTopK(k: unknown, field = 'topK'): number {
  if (k === undefined) return DEFAULT_TOP_K;
  return checkInt(k, field, [1, MAX_TOP_K]);
}

export function checkSeed(seed: unknown, field = 'seed'): number | undefined {
  if (seed === undefined) return undefined;
  return checkInt(seed, field, SEED_BOUNDS);
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Checks a vector id: a non-empty string of at most `MAX_ID_BYTES` (512) UTF-8 bytes without control characters,
 * and not "." or "..".
 * @throws ValidationError
 */
export function checkId(id: unknown, field = 'id'): string {
  if (typeof id !== 'string') throw new ValidationError(field, 'must be a string');
  if (id.length === 0) throw new ValidationError(field, 'must not be empty');
  if (Buffer.byteLength(id, 'utf8') > MAX_ID_BYTES) throw new ValidationError(field, `must be at most ${MAX_ID_BYTES} bytes in UTF-8`);
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(id)) throw new ValidationError(field, 'must not contain control characters');
  if (LONE_SURROGATE.test(id)) throw new ValidationError(field, 'must be well-formed Unicode (no lone surrogates)');
  // An id is also a URL path segment; URL parsers resolve these two (DELETE .../items/.. would reach the collection).
  if (id === '.' || id === '..') throw new ValidationError(field, 'must not be "." or ".." (URL path segments that HTTP clients resolve)');
  return id;
}
