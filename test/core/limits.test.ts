// Holds the JSON schemas, the core's checks and the SDK to the one set of limits in
// `lambda/core/limits.ts`: each schema bound equals its constant, and each check accepts the bound and refuses one past it.
import { BODY_SCHEMAS, JsonSchema, QUERY_SCHEMAS } from '../../lambda/api/json-schemas';
import { validateBody, validateQuery } from '../../lambda/api/validate';
import { ValidationError } from '../../lambda/core/errors';
import {
  COLLECTION_NAME_PATTERN,
  INDEX_PARAM_BOUNDS,
  LIST_SIZE_BOUNDS,
  MAX_BUCKET_ENTRIES_PER_QUERY,
  MAX_BUCKET_READ_ENTRIES,
  MAX_DELETE_BATCH,
  MAX_DIMENSION,
  MAX_GET_BATCH,
  MAX_ID_BYTES,
  MAX_LIST_LIMIT,
  MAX_FILTERABLE_METADATA_BYTES,
  MAX_METADATA_BYTES,
  MAX_NON_FILTERABLE_KEYS,
  MAX_METADATA_KEY_LENGTH,
  MAX_METADATA_KEYS,
  MAX_PROJECT_NAME_LENGTH,
  MAX_TOP_K,
  MAX_UPSERT_BATCH,
  PROJECT_ID_PATTERN,
  RECALL_TARGET_BOUNDS,
  SEED_BOUNDS,
  TIER_NAME_PATTERN,
} from '../../lambda/core/limits';
import { checkMetadata, checkMetadataConfiguration } from '../../lambda/core/metadata';
import { checkCollectionName, checkDimension, checkId, checkListSize, checkProjectId, checkProjectName, checkSeed, checkTopK, resolveIndexParams } from '../../lambda/core/params';
import type { VectorInput } from '../../lambda/core/types';
import { bucketReadLimit } from '../../lambda/core/search';
import { API_MAX_BATCH, upsertInChunks } from '../../lib/client/batch';

const BOUND_KEYWORDS = ['minimum', 'maximum', 'minItems', 'maxItems', 'minLength', 'maxLength', 'pattern'] as const;

/** Every bounded field of `schema`, by path (`vectors[].id`), with its bound keywords. */
function boundedFields(schema: JsonSchema, path: string, out: Record<string, Record<string, unknown>> = {}): Record<string, Record<string, unknown>> {
  const own = Object.fromEntries(BOUND_KEYWORDS.filter((k) => schema[k] !== undefined).map((k) => [k, schema[k]]));
  if (Object.keys(own).length > 0) out[path] = own;
  for (const [key, sub] of Object.entries((schema.properties ?? {}) as Record<string, JsonSchema>)) boundedFields(sub, `${path}.${key}`, out);
  if (typeof schema.items === 'object') boundedFields(schema.items as JsonSchema, `${path}[]`, out);
  if (typeof schema.additionalProperties === 'object') boundedFields(schema.additionalProperties as JsonSchema, `${path}.*`, out);
  for (const sub of (schema.anyOf ?? []) as JsonSchema[]) boundedFields(sub, `${path}|`, out);
  return out;
}

const range = ([lo, hi]: readonly [number, number]) => ({ minimum: lo, maximum: hi });

/** The longest string a `^x[...]{0,n}$` pattern admits: n + 1. */
function patternMaxLength(pattern: string): number {
  const m = /\{0,(\d+)\}\$$/.exec(pattern);
  if (!m) throw new Error(`no length bound in ${pattern}`);
  return Number(m[1]) + 1;
}

function refusal(fn: () => unknown): ValidationError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ValidationError) return err;
    throw err;
  }
  throw new Error('was accepted');
}

describe('the JSON schemas state the limits of lambda/core/limits.ts', () => {
  test('every bounded field of every body and query schema, and nothing else, is bounded by its constant', () => {
    // GIVEN the schemas the API validates against (and publishes in the OpenAPI document)
    const found: Record<string, Record<string, unknown>> = {};
    for (const [op, schema] of Object.entries({ ...BODY_SCHEMAS, ...QUERY_SCHEMAS })) boundedFields(schema as JsonSchema, op, found);
    // THEN each bound is the constant the core checks (a new bounded field must be added here)
    const vector = { minItems: 1, maxItems: MAX_DIMENSION };
    const id = { minLength: 1, maxLength: MAX_ID_BYTES };
    const dimension = { minimum: 1, maximum: MAX_DIMENSION };
    expect(found).toEqual({
      'createProject.name': { minLength: 1, maxLength: MAX_PROJECT_NAME_LENGTH },
      'createProject.projectId': { pattern: PROJECT_ID_PATTERN },
      'createCollection.name': { pattern: COLLECTION_NAME_PATTERN },
      'createCollection.collection_name': { pattern: COLLECTION_NAME_PATTERN },
      'createCollection.n_features': dimension,
      'createCollection.dimension': dimension,
      ...Object.fromEntries(Object.entries(INDEX_PARAM_BOUNDS).map(([k, b]) => [`createCollection.index.${k}`, range(b)])),
      'createCollection.index.recallTarget': range(RECALL_TARGET_BOUNDS),
      'createCollection.listSize': range(LIST_SIZE_BOUNDS),
      'createCollection.seed': range(SEED_BOUNDS),
      'createCollection.metadataConfiguration.nonFilterableMetadataKeys': { minItems: 1, maxItems: MAX_NON_FILTERABLE_KEYS },
      'createCollection.metadataConfiguration.nonFilterableMetadataKeys[]': { minLength: 1, maxLength: MAX_METADATA_KEY_LENGTH },
      'upsertItem.id': id,
      'upsertItem.vector': vector,
      'upsertBatch.vectors': { maxItems: MAX_UPSERT_BATCH },
      'upsertBatch.vectors[].id': id,
      'upsertBatch.vectors[].vector': vector,
      'search.query': vector,
      'search.limit': { minimum: 1, maximum: MAX_TOP_K },
      'search.probes': range(INDEX_PARAM_BOUNDS.probes),
      'search.rerank': range(INDEX_PARAM_BOUNDS.rerank),
      'listItems.limit': { minimum: 1, maximum: MAX_LIST_LIMIT },
      'listItems.cursor': { minLength: 1 },
      'listItems.prefix': id,
      'search.id': id,
      'getItems.ids': { minItems: 1, maxItems: MAX_GET_BATCH },
      'getItems.ids[]': id,
      'deleteItems.ids': { minItems: 1, maxItems: MAX_DELETE_BATCH },
      'deleteItems.ids[]': id,
      'deleteByFilter.cursor': { minLength: 1 },
      'createProject.tier': { pattern: TIER_NAME_PATTERN },
      'setProjectTier.tier': { pattern: TIER_NAME_PATTERN },
    });
  });
});

describe('schema and core accept each bound and refuse one past it', () => {
  const collection = (extra: object) => ({ name: 'c', n_features: 3, ...extra });
  const search = (extra: object) => ({ query: [1], ...extra });

  /** [case, inclusive bounds, the core's check, the schema, a body carrying the value, the field ajv names] */
  type NumericCase = [string, readonly [number, number], (v: number) => unknown, JsonSchema, (v: number) => object, string];
  const numeric: NumericCase[] = [
    ['dimension', [1, MAX_DIMENSION], (v) => checkDimension(v), BODY_SCHEMAS.createCollection, (v) => ({ name: 'c', n_features: v }), 'n_features'],
    ['top-k', [1, MAX_TOP_K], (v) => checkTopK(v), BODY_SCHEMAS.search, (v) => search({ limit: v }), 'limit'],
    ['seed', SEED_BOUNDS, (v) => checkSeed(v), BODY_SCHEMAS.createCollection, (v) => collection({ seed: v }), 'seed'],
    ['listSize', LIST_SIZE_BOUNDS, (v) => checkListSize(v, true), BODY_SCHEMAS.createCollection, (v) => collection({ indexMethod: 'ivf', listSize: v }), 'listSize'],
    ...Object.entries(INDEX_PARAM_BOUNDS).map(
      ([k, b]): NumericCase => [`index.${k}`, b, (v) => resolveIndexParams({ [k]: v }, 'index', 3), BODY_SCHEMAS.createCollection, (v) => collection({ index: { [k]: v } }), `index.${k}`],
    ),
    // The per-query overrides: the store checks them against the same INDEX_PARAM_BOUNDS entries.
    ['search probes', INDEX_PARAM_BOUNDS.probes, (v) => resolveIndexParams({ probes: v }), BODY_SCHEMAS.search, (v) => search({ probes: v }), 'probes'],
    ['search rerank', INDEX_PARAM_BOUNDS.rerank, (v) => resolveIndexParams({ rerank: v }), BODY_SCHEMAS.search, (v) => search({ rerank: v }), 'rerank'],
  ];

  test.each(numeric)('%s: %j', (_name, [lo, hi], check, schema, body, field) => {
    for (const v of [lo, hi]) {
      expect(() => check(v)).not.toThrow();
      expect(() => validateBody(schema, body(v))).not.toThrow();
    }
    for (const v of [lo - 1, hi + 1]) {
      expect(refusal(() => check(v)).rule).toMatch(/between/);
      expect(refusal(() => validateBody(schema, body(v))).field).toBe(field);
    }
  });

  test('recallTarget: both bounds accepted, a little past either refused', () => {
    const [lo, hi] = RECALL_TARGET_BOUNDS;
    for (const v of [lo, hi]) {
      expect(resolveIndexParams({ recallTarget: v }).recallTarget).toBe(v);
      expect(() => validateBody(BODY_SCHEMAS.createCollection, collection({ index: { recallTarget: v } }))).not.toThrow();
    }
    for (const v of [lo - 0.001, hi + 0.001]) {
      expect(refusal(() => resolveIndexParams({ recallTarget: v })).field).toBe('index.recallTarget');
      expect(refusal(() => validateBody(BODY_SCHEMAS.createCollection, collection({ index: { recallTarget: v } }))).field).toBe('index.recallTarget');
    }
  });

  test('list page size: the schema admits 1 to MAX_LIST_LIMIT', () => {
    expect(validateQuery(QUERY_SCHEMAS.listItems, { limit: String(MAX_LIST_LIMIT) })).toEqual({ limit: MAX_LIST_LIMIT });
    expect(refusal(() => validateQuery(QUERY_SCHEMAS.listItems, { limit: String(MAX_LIST_LIMIT + 1) })).field).toBe('limit');
    expect(refusal(() => validateQuery(QUERY_SCHEMAS.listItems, { limit: '0' })).field).toBe('limit');
  });

  test('batch size: the schema admits MAX_UPSERT_BATCH vectors and refuses one more', () => {
    const vectors = (n: number) => Array.from({ length: n }, (_, i) => ({ id: `v${i}`, vector: [1] }));
    expect(() => validateBody(BODY_SCHEMAS.upsertBatch, { vectors: vectors(MAX_UPSERT_BATCH) })).not.toThrow();
    expect(refusal(() => validateBody(BODY_SCHEMAS.upsertBatch, { vectors: vectors(MAX_UPSERT_BATCH + 1) })).field).toBe('vectors');
  });

  test.each([
    ['project id', PROJECT_ID_PATTERN, checkProjectId, BODY_SCHEMAS.createProject, (v: string) => ({ name: 'p', projectId: v }), 'projectId'],
    ['collection name', COLLECTION_NAME_PATTERN, checkCollectionName, BODY_SCHEMAS.createCollection, (v: string) => ({ name: v, n_features: 3 }), 'name'],
  ] as const)('%s: the pattern is the core\'s, and its length bound is the one the message states', (_name, pattern, check, schema, body, field) => {
    const max = patternMaxLength(pattern);
    for (const v of ['a', 'a'.repeat(max)]) {
      expect(check(v)).toBe(v);
      expect(() => validateBody(schema, body(v))).not.toThrow();
    }
    for (const v of ['a'.repeat(max + 1), '-a', 'a/b']) {
      expect(refusal(() => check(v)).rule).toContain(`1-${max} characters`);
      expect(refusal(() => validateBody(schema, body(v))).field).toBe(field);
    }
  });

  test('project name: at most MAX_PROJECT_NAME_LENGTH characters in both', () => {
    const ok = 'n'.repeat(MAX_PROJECT_NAME_LENGTH);
    const long = ok + 'n';
    expect(checkProjectName(ok)).toBe(ok);
    expect(checkProjectName(undefined)).toBeUndefined();
    expect(() => validateBody(BODY_SCHEMAS.createProject, { name: ok, projectId: 'p' })).not.toThrow();
    expect(refusal(() => checkProjectName(long)).rule).toBe(`must be a string of at most ${MAX_PROJECT_NAME_LENGTH} characters`);
    expect(refusal(() => validateBody(BODY_SCHEMAS.createProject, { name: long, projectId: 'p' })).field).toBe('name');
  });

  test('id: the schema bounds characters by MAX_ID_BYTES, the core bounds UTF-8 bytes and has the last word', () => {
    const item = (id: string) => ({ id, vector: [1] });
    // ASCII: one byte per character, so both draw the line at the same place
    expect(checkId('x'.repeat(MAX_ID_BYTES))).toHaveLength(MAX_ID_BYTES);
    expect(() => validateBody(BODY_SCHEMAS.upsertItem, item('x'.repeat(MAX_ID_BYTES)))).not.toThrow();
    expect(refusal(() => checkId('x'.repeat(MAX_ID_BYTES + 1))).rule).toBe(`must be at most ${MAX_ID_BYTES} bytes in UTF-8`);
    expect(refusal(() => validateBody(BODY_SCHEMAS.upsertItem, item('x'.repeat(MAX_ID_BYTES + 1)))).field).toBe('id');
    // Two bytes per character: within the schema's character bound, refused by the core's byte bound
    const wide = 'é'.repeat(MAX_ID_BYTES);
    expect(() => validateBody(BODY_SCHEMAS.upsertItem, item(wide))).not.toThrow();
    expect(() => checkId(wide)).toThrow(ValidationError);
    // The schema never refuses an id the core accepts
    const half = 'é'.repeat(MAX_ID_BYTES / 2);
    expect(checkId(half)).toBe(half);
    expect(() => validateBody(BODY_SCHEMAS.upsertItem, item(half))).not.toThrow();
  });
});

describe('the core checks metadata against its limits', () => {
  const keys = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, 1]));

  test('at most MAX_METADATA_KEYS keys', () => {
    expect(Object.keys(checkMetadata(keys(MAX_METADATA_KEYS)))).toHaveLength(MAX_METADATA_KEYS);
    expect(refusal(() => checkMetadata(keys(MAX_METADATA_KEYS + 1))).rule).toBe(`must have at most ${MAX_METADATA_KEYS} keys`);
  });

  test('keys of at most MAX_METADATA_KEY_LENGTH characters', () => {
    expect(() => checkMetadata({ ['k'.repeat(MAX_METADATA_KEY_LENGTH)]: 1 })).not.toThrow();
    expect(refusal(() => checkMetadata({ ['k'.repeat(MAX_METADATA_KEY_LENGTH + 1)]: 1 })).rule).toBe(`key must be 1-${MAX_METADATA_KEY_LENGTH} characters`);
  });

  const pad = (bytes: number) => ({ s: 'x'.repeat(bytes - JSON.stringify({ s: '' }).length) });

  test('filterable keys: at most MAX_FILTERABLE_METADATA_BYTES as JSON', () => {
    expect(JSON.stringify(pad(MAX_FILTERABLE_METADATA_BYTES))).toHaveLength(MAX_FILTERABLE_METADATA_BYTES);
    expect(() => checkMetadata(pad(MAX_FILTERABLE_METADATA_BYTES))).not.toThrow();
    const refused = refusal(() => checkMetadata(pad(MAX_FILTERABLE_METADATA_BYTES + 1)));
    expect(refused.rule).toMatch(new RegExp(`^filterable keys must be at most ${MAX_FILTERABLE_METADATA_BYTES} bytes as JSON \\(got ${MAX_FILTERABLE_METADATA_BYTES + 1}\\).*nonFilterableMetadataKeys`));
  });

  test('with non-filterable keys: at most MAX_METADATA_BYTES in all, the filterable part still within its limit', () => {
    const nonFilterable = new Set(['s']);
    expect(() => checkMetadata(pad(MAX_METADATA_BYTES), 'metadata', nonFilterable)).not.toThrow();
    expect(refusal(() => checkMetadata(pad(MAX_METADATA_BYTES + 1), 'metadata', nonFilterable)).rule).toMatch(new RegExp(`^must be at most ${MAX_METADATA_BYTES} bytes as JSON`));
    const filterable = { t: 'y'.repeat(MAX_FILTERABLE_METADATA_BYTES), s: 'short' };
    expect(refusal(() => checkMetadata(filterable, 'metadata', nonFilterable)).rule).toMatch(/^filterable keys must be at most/);
  });

  test('a collection declares 1 to MAX_NON_FILTERABLE_KEYS distinct non-filterable keys', () => {
    const keyList = (n: number) => Array.from({ length: n }, (_, i) => `k${i}`);
    expect(checkMetadataConfiguration({ nonFilterableMetadataKeys: keyList(MAX_NON_FILTERABLE_KEYS) })?.nonFilterableMetadataKeys).toHaveLength(MAX_NON_FILTERABLE_KEYS);
    expect(checkMetadataConfiguration(undefined)).toBeUndefined();
    for (const bad of [keyList(0), keyList(MAX_NON_FILTERABLE_KEYS + 1), 'text', [1]]) {
      expect(() => checkMetadataConfiguration({ nonFilterableMetadataKeys: bad })).toThrow(/metadataConfiguration\.nonFilterableMetadataKeys/);
    }
    expect(refusal(() => checkMetadataConfiguration({ nonFilterableMetadataKeys: ['a', 'b', 'a'] })).rule).toBe('duplicates metadataConfiguration.nonFilterableMetadataKeys[0] "a"');
    // the request schema states the same bounds
    const schema = BODY_SCHEMAS.createCollection;
    expect(() => validateBody(schema, { name: 'c', dimension: 2, metadataConfiguration: { nonFilterableMetadataKeys: keyList(MAX_NON_FILTERABLE_KEYS) } })).not.toThrow();
    expect(() => validateBody(schema, { name: 'c', dimension: 2, metadataConfiguration: { nonFilterableMetadataKeys: keyList(MAX_NON_FILTERABLE_KEYS + 1) } })).toThrow(ValidationError);
    expect(() => validateBody(schema, { name: 'c', dimension: 2, metadataConfiguration: { nonFilterableMetadataKeys: [] } })).toThrow(ValidationError);
  });
});

describe('the SDK', () => {
  test('caps a batch request at MAX_UPSERT_BATCH vectors, even when asked for more', async () => {
    expect(API_MAX_BATCH).toBe(MAX_UPSERT_BATCH);
    const items: VectorInput[] = Array.from({ length: MAX_UPSERT_BATCH + 1 }, (_, i) => ({ id: `v${i}`, vector: [1] }));
    const sizes: number[] = [];
    await upsertInChunks(items, async (chunk) => void sizes.push(chunk.length), { batchSize: MAX_UPSERT_BATCH * 2, maxBatchBytes: Number.MAX_SAFE_INTEGER });
    expect(sizes).toEqual([MAX_UPSERT_BATCH, 1]);
  });
});

describe('bucket entries read per query', () => {
  test('each read returns at most MAX_BUCKET_READ_ENTRIES, and all reads of a query at most MAX_BUCKET_ENTRIES_PER_QUERY, for every hashTables x probes', () => {
    expect(bucketReadLimit(1)).toBe(MAX_BUCKET_READ_ENTRIES);
    const mostReads = INDEX_PARAM_BOUNDS.hashTables[1] * (INDEX_PARAM_BOUNDS.probes[1] + 1);
    for (let reads = 1; reads <= mostReads; reads++) {
      const limit = bucketReadLimit(reads);
      expect(limit).toBeGreaterThanOrEqual(1);
      expect(limit).toBeLessThanOrEqual(MAX_BUCKET_READ_ENTRIES);
      expect(limit * reads).toBeLessThanOrEqual(MAX_BUCKET_ENTRIES_PER_QUERY);
    }
    // the total binds only when a query makes many reads
    expect(bucketReadLimit(mostReads)).toBeLessThan(MAX_BUCKET_READ_ENTRIES);
  });
});

