// Tests WhiplashStore on DynamoDB Local: projects, collections, items, filtered search, validation, drops, and a
// second store instance seeing deletions.
import { ConflictError, NotFoundError, ValidationError } from '../../lambda/core/errors';
import { DEFAULT_INDEX_PARAMS } from '../../lambda/core/params';
import { WhiplashStore } from '../../lambda/store/store';
import { loadMiniLm } from '../support/minilm';
import { countItems, useTestTables } from '../support/tables';

const data = loadMiniLm();
const vec = (i: number) => Array.from(data.vectors[i]);

describe('WhiplashStore against DynamoDB Local', () => {
  const db = useTestTables();
  let store: WhiplashStore;

  beforeAll(async () => {
    store = new WhiplashStore(db);
    await store.createProject({ projectId: 'acme', name: 'Acme' });
  });

  describe('projects and collections', () => {
    it('creates, gets, lists and rejects duplicates', async () => {
      await expect(store.getProject('acme')).resolves.toMatchObject({ projectId: 'acme', name: 'Acme' });
      await expect(store.createProject({ projectId: 'acme' })).rejects.toBeInstanceOf(ConflictError);
      await expect(store.getProject('nope')).rejects.toBeInstanceOf(NotFoundError);
      const c = await store.createCollection('acme', { name: 'docs', dimension: 384 });
      expect(c).toMatchObject({ name: 'docs', dimension: 384, metric: 'cosine', vectorCount: 0, prngVersion: 3 });
      await expect(store.createCollection('acme', { name: 'docs', dimension: 384 })).rejects.toBeInstanceOf(ConflictError);
      await expect(store.createCollection('nope', { name: 'docs', dimension: 384 })).rejects.toBeInstanceOf(NotFoundError);
      expect((await store.listCollections('acme')).map((x) => x.name)).toContain('docs');
      expect((await store.listProjects()).map((p) => p.projectId)).toContain('acme');
    });

    it('validates collection parameters', async () => {
      await expect(store.createCollection('acme', { name: 'x', dimension: 0 })).rejects.toThrow(/dimension must be between 1 and 4096/);
      await expect(store.createCollection('acme', { name: 'x', dimension: 4097 })).rejects.toThrow(/dimension must be between 1 and 4096/);
      await expect(store.createCollection('acme', { name: 'x/y', dimension: 3 })).rejects.toThrow(/name must be/);
      await expect(store.createCollection('acme', { name: 'x', dimension: 3, metric: 'manhattan' as never })).rejects.toMatchObject({ field: 'metric', rule: 'must be one of "cosine", "euclidean", "dot"' });
      await expect(store.createCollection('acme', { name: 'x', dimension: 3, index: { hashTables: 0 } })).rejects.toThrow(/index.hashTables must be between/);
    });

    it('binds API keys to projects', async () => {
      await store.bindApiKey({ apiKeyId: 'key-1', projectId: 'acme' });
      await expect(store.findApiKey('key-1')).resolves.toMatchObject({ projectId: 'acme' });
      expect((await store.listApiKeys('acme')).map((k) => k.apiKeyId)).toEqual(['key-1']);
      await store.unbindApiKey('key-1');
      await expect(store.findApiKey('key-1')).resolves.toBeUndefined();
    });
  });

  describe('items', () => {
    beforeAll(async () => {
      await store.createCollection('acme', { name: 'items', dimension: 384, seed: 3 });
    });

    it('round-trips upsert, get, list and delete', async () => {
      const batch = Array.from({ length: 120 }, (_, i) => ({ id: `doc-${i}`, vector: vec(i), metadata: { source: data.sources[i], n: i } }));
      await expect(store.upsert('acme', 'items', batch)).resolves.toEqual({ upserted: 120 });
      const [got] = await store.getVectors('acme', 'items', ['doc-7']);
      expect(got.id).toBe('doc-7');
      expect(got.metadata).toEqual({ source: data.sources[7], n: 7 });
      expect(Float32Array.from(got.vector)).toEqual(data.vectors[7]);
      expect(await store.getVectors('acme', 'items', ['doc-7', 'missing', 'doc-8'])).toHaveLength(2);

      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await store.listIds('acme', 'items', { limit: 17, cursor });
        expect(page.ids.length).toBeLessThanOrEqual(17);
        seen.push(...page.ids);
        cursor = page.cursor;
      } while (cursor);
      expect(seen.sort()).toEqual(batch.map((b) => b.id).sort());
      expect((await store.getCollection('acme', 'items')).vectorCount).toBe(120);

      await expect(store.deleteVectors('acme', 'items', ['doc-7', 'missing'])).resolves.toEqual({ deleted: 1, notFound: ['missing'] });
      expect(await store.getVectors('acme', 'items', ['doc-7'])).toEqual([]);
      expect((await store.getCollection('acme', 'items')).vectorCount).toBe(119);
    });

    it('finds an indexed vector as its own nearest neighbour, with id, distance, score, vector and metadata', async () => {
      const { matches, stats } = await store.query('acme', 'items', { vector: vec(20), topK: 5, includeVector: true, includeMetadata: true });
      expect(matches[0]).toMatchObject({ id: 'doc-20', metadata: { source: data.sources[20], n: 20 } });
      expect(matches[0].distance).toBeCloseTo(0, 5);
      expect(matches[0].score).toBeCloseTo(1, 5);
      expect(matches[0].vector).toHaveLength(384);
      expect(matches.map((m) => m.distance)).toEqual([...matches.map((m) => m.distance)].sort((a, b) => a - b));
      expect(stats.roundTrips).toBeLessThanOrEqual(2);
      expect(stats.readUnits).toBeGreaterThan(0);
    });

    it('never returns a deleted id', async () => {
      await store.deleteVectors('acme', 'items', ['doc-30']);
      const { matches } = await store.query('acme', 'items', { vector: vec(30), topK: 20 });
      expect(matches.map((m) => m.id)).not.toContain('doc-30');
    });

    it('replaces on upsert: no stale bucket entry surfaces and no entry is left behind', async () => {
      const before = await countItems(db.client, db.tables);
      // doc-40 moves to the vector of row 500 (far from row 40), with its metadata (so as many filter index entries)
      await store.upsert('acme', 'items', [{ id: 'doc-40', vector: vec(500), metadata: { source: data.sources[40], n: 40 } }]);
      const after = await countItems(db.client, db.tables);
      expect(after.buckets).toBe(before.buckets);
      expect(after.vectors).toBe(before.vectors);
      const old = await store.query('acme', 'items', { vector: vec(40), topK: 10 });
      const stale = old.matches.find((m) => m.id === 'doc-40');
      // if doc-40 shows up at all, it is with its new vector's true distance, never 0
      if (stale) expect(stale.distance).toBeGreaterThan(0.05);
      const fresh = await store.query('acme', 'items', { vector: vec(500), topK: 1 });
      expect(fresh.matches[0]).toMatchObject({ id: 'doc-40' });
      expect(fresh.matches[0].distance).toBeCloseTo(0, 5);
    });

    it('returns only matching items under a filter, and k of them when k exist', async () => {
      const filter = { source: 'local-btp-fiori-tools' };
      const matching = Array.from({ length: 120 }, (_, i) => i).filter((i) => data.sources[i] === filter.source && i !== 7 && i !== 30 && i !== 40);
      expect(matching.length).toBeGreaterThan(10);
      const { matches } = await store.query('acme', 'items', { vector: vec(0), topK: 10, filter, includeMetadata: true });
      expect(matches).toHaveLength(10);
      for (const m of matches) expect(m.metadata?.source).toBe(filter.source);
      // a range filter: only ids 10-14 qualify; the query's own vector is among them
      const numeric = await store.query('acme', 'items', { vector: vec(12), topK: 50, filter: { $and: [{ n: { $gte: 10 } }, { n: { $lt: 15 } }] } });
      expect(numeric.matches[0].id).toBe('doc-12');
      for (const m of numeric.matches) expect(['doc-10', 'doc-11', 'doc-12', 'doc-13', 'doc-14']).toContain(m.id);
    });

    it('rejects a bad batch whole, naming the item and the rule, and writes nothing', async () => {
      const before = await countItems(db.client, db.tables);
      const good = (i: number) => ({ id: `new-${i}`, vector: vec(200 + i) });
      const nan = vec(1);
      nan[17] = NaN;
      const cases: [unknown[], RegExp][] = [
        [[good(0), good(1), good(2), { id: 'bad', vector: nan }], /vectors\[3\]\.vector\[17\] must be a finite number/],
        [[good(0), { id: 'short', vector: [1, 2, 3] }], /vectors\[1\]\.vector must have 384 dimensions \(got 3\)/],
        [[good(0), { id: 'str', vector: vec(1).map(String) }], /vectors\[1\]\.vector\[0\] must be a number/],
        [[good(0), { id: '', vector: vec(1) }], /vectors\[1\]\.id must not be empty/],
        [[good(0), { id: 'x'.repeat(513), vector: vec(1) }], /vectors\[1\]\.id must be at most 512 bytes/],
        [[good(0), good(1), good(0)], /vectors\[2\]\.id duplicates vectors\[0\]\.id/],
        [[good(0), { id: 'm', vector: vec(1), metadata: { deep: { x: 1 } } }], /vectors\[1\]\.metadata\.deep must be/],
        [Array.from({ length: 501 }, (_, i) => good(i)), /vectors must have at most 500 items/],
        [[], /vectors must be a non-empty list/],
      ];
      for (const [batch, message] of cases) {
        const attempt = store.upsert('acme', 'items', batch as never);
        await expect(attempt).rejects.toBeInstanceOf(ValidationError);
        await expect(store.upsert('acme', 'items', batch as never)).rejects.toThrow(message);
      }
      expect(await countItems(db.client, db.tables)).toEqual(before);
      await expect(store.query('acme', 'items', { vector: vec(1), topK: 1001 })).rejects.toThrow(/topK must be between 1 and 1000/);
      await expect(store.query('acme', 'items', { vector: vec(1), filter: { n: { $gt: 'x' } } })).rejects.toThrow(/filter\.n\.\$gt/);
      await expect(store.listIds('acme', 'items', { cursor: 'garbage' })).rejects.toThrow(/cursor is not a cursor/);
    });

    it('rejects a cosine zero vector', async () => {
      await expect(store.upsert('acme', 'items', [{ id: 'z', vector: new Array(384).fill(0) }])).rejects.toThrow(/must not be all zeros/);
    });
  });

  it('works at 768 dimensions (the original could not create such a collection)', async () => {
    // real 768-d vectors: two consecutive MiniLM embeddings side by side
    const v768 = (i: number) => [...vec(i), ...vec(i + 1)];
    await store.createCollection('acme', { name: 'wide', dimension: 768, metric: 'euclidean' });
    await store.upsert('acme', 'wide', Array.from({ length: 60 }, (_, i) => ({ id: `w${i}`, vector: v768(i) })));
    const { matches } = await store.query('acme', 'wide', { vector: v768(12), topK: 3 });
    expect(matches[0].id).toBe('w12');
    expect(matches[0].distance).toBeCloseTo(0, 4);
  });

  it('drops a collection at once, frees its name, and purges its items later', async () => {
    await store.createCollection('acme', { name: 'gone', dimension: 384, metric: 'dot' });
    await store.upsert('acme', 'gone', Array.from({ length: 30 }, (_, i) => ({ id: `g${i}`, vector: vec(i) })));
    const before = await countItems(db.client, db.tables);
    await store.deleteCollection('acme', 'gone');
    await expect(store.query('acme', 'gone', { vector: vec(1) })).rejects.toBeInstanceOf(NotFoundError);
    // re-created under the same name: empty, nothing of the old one surfaces
    await store.createCollection('acme', { name: 'gone', dimension: 384, metric: 'dot' });
    await store.upsert('acme', 'gone', [{ id: 'fresh', vector: vec(3) }]);
    expect((await store.query('acme', 'gone', { vector: vec(1), topK: 10 })).matches.map((m) => m.id)).toEqual(['fresh']);
    let purged = 0;
    for (let done = false; !done; ) {
      const r = await store.purgeDropped({ maxItems: 100 });
      purged += r.purged;
      done = !r.remaining;
    }
    expect(purged).toBe(30 * (DEFAULT_INDEX_PARAMS.hashTables + 1));
    const after = await countItems(db.client, db.tables);
    expect(after.vectors).toBe(before.vectors - 30 + 1);
  });

  it('a second store instance (another Lambda) sees deletions through the counter check', async () => {
    await store.createCollection('acme', { name: 'shared', dimension: 384 });
    await store.upsert('acme', 'shared', [{ id: 'a', vector: vec(1) }]);
    const other = new WhiplashStore(db);
    await other.query('acme', 'shared', { vector: vec(1) }); // warms its cache
    await store.deleteCollection('acme', 'shared');
    await expect(other.query('acme', 'shared', { vector: vec(1) })).rejects.toBeInstanceOf(NotFoundError);
  });
});
