// Tests the reproduction of the original whiplash: its hashing and bucket keys, and its layout's queries on DynamoDB Local.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { loadMiniLm } from '../../bench/datasets/minilm';
import { row } from '../../bench/datasets/types';
import { distance } from '../../bench/distance';
import { bitCount, bucketKeyOfBits, ORIGINAL_DEFAULTS, OriginalHasher } from '../../bench/original/hashing';
import { OriginalLayout } from '../../bench/original/layout';
import { dropOriginalTables, ensureOriginalTables, originalTableNames, OriginalTables } from '../../bench/original/tables';
import { testClient } from '../support/tables';

const ds = loadMiniLm({ queries: 10 });

describe('original whiplash hashing', () => {
  test('6 tables of 8, 10, ..., 18 bits by default', () => {
    const h = new OriginalHasher(ds.dim);
    expect(Array.from({ length: 6 }, (_, t) => bitCount(ORIGINAL_DEFAULTS, t))).toEqual([8, 10, 12, 14, 16, 18]);
    expect(Array.from({ length: 6 }, (_, t) => h.bits(row(ds.base, 0), t).length)).toEqual([8, 10, 12, 14, 16, 18]);
  });

  test('bucket keys are base36 of the code, upper case, with no table in them: tables collide (the defect kept on purpose)', () => {
    expect(bucketKeyOfBits('00000011')).toBe('3');
    expect(bucketKeyOfBits('0000000011')).toBe('3');
    expect(bucketKeyOfBits('111111111111111111')).toBe((2 ** 18 - 1).toString(36).toUpperCase());
    expect(bucketKeyOfBits('00100100')).toBe('10'); // 36
  });

  test('the same seed gives the same planes and keys; another seed gives others', () => {
    const v = row(ds.base, 5);
    expect(new OriginalHasher(ds.dim).bucketKeys(v)).toEqual(new OriginalHasher(ds.dim).bucketKeys(v));
    const other = new OriginalHasher(ds.dim, { ...ORIGINAL_DEFAULTS, seed: 2 });
    expect(other.planes[5]).not.toEqual(new OriginalHasher(ds.dim).planes[5]);
  });

  test('a bit is 1 when the projection on its plane is >= 0, the first plane the most significant', () => {
    const h = new OriginalHasher(2, { nPlanes: 1, bitStart: 2, bitScaleFactor: 0, seed: 1 });
    h.planes[0].set([1, 0, 0, -1]); // plane 0 = x axis, plane 1 = -y axis
    expect(h.bits([3, 5], 0)).toBe('10');
    expect(h.bits([-3, -5], 0)).toBe('01');
    expect(h.bits([0, 0], 0)).toBe('11');
    expect(h.bucketKeys([3, -5])).toEqual(['3']);
  });
});

describe('original whiplash layout on DynamoDB Local', () => {
  let client: DynamoDBClient;
  let tables: OriginalTables;
  let layout: OriginalLayout;
  let loaded: { writeUnits: number; bucketItems: number; largestBucket: number };

  beforeAll(async () => {
    client = testClient();
    tables = originalTableNames(`t${Date.now().toString(36)}-`);
    await ensureOriginalTables(client, tables);
    layout = new OriginalLayout(client, tables, ds.dim, ds.metric, ORIGINAL_DEFAULTS);
    loaded = await layout.load(ds.base);
  });

  afterAll(async () => {
    await dropOriginalTables(client, tables);
    client.destroy();
  });

  test('one bucket item per distinct key across all tables, fewer than 6 per vector because keys are shared', () => {
    const keys = new Set<string>();
    for (let i = 0; i < ds.base.rows; i++) layout.hasher.bucketKeys(row(ds.base, i)).forEach((k) => keys.add(k));
    expect(loaded.bucketItems).toBe(keys.size);
    expect(loaded.writeUnits).toBeGreaterThan(ds.base.rows);
  });

  test('a base vector as the query finds itself first (it is in all its own buckets)', async () => {
    const res = await layout.query(row(ds.base, 42), 10);
    expect(res.ids[0]).toBe(42);
  });

  test('results are the exact top-k of the union of the home buckets, and it pays for every candidate', async () => {
    const baseKeys = Array.from({ length: ds.base.rows }, (_, i) => layout.hasher.bucketKeys(row(ds.base, i)));
    for (let q = 0; q < 5; q++) {
      const query = row(ds.queries, q);
      const res = await layout.query(query, 10);
      const keys = new Set(layout.hasher.bucketKeys(query));
      // candidates: every base vector with a key equal to any of the query's keys (any table)
      const candidates = baseKeys.map((ks, i) => (ks.some((k) => keys.has(k)) ? i : -1)).filter((i) => i >= 0);
      expect(res.stats.candidates).toBe(candidates.length);
      const expected = candidates
        .map((i) => ({ i, d: distance('cosine', query, row(ds.base, i)) }))
        .sort((a, b) => a.d - b.d || a.i - b.i)
        .slice(0, 10)
        .map((x) => x.i);
      expect(res.ids).toEqual(expected);
      // one BatchGetItem of the buckets, then one per 100 candidates
      expect(res.stats.roundTrips).toBe(1 + Math.ceil(res.stats.candidates / 100));
      // 384 float32 = 1.5 KB per vector item: half a read unit each (eventually consistent), plus the buckets
      expect(res.stats.readUnits).toBeGreaterThanOrEqual(res.stats.candidates * 0.5);
    }
  });
});
