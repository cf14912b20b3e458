// Tests recall@10 against brute force on real embeddings at default settings (k-means lists) and in hash tables, collections of PRNG
// versions 1 and 2, and a Euclidean collection's sketches.
import { ScanCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { DEFAULT_INDEX_PARAMS } from '../../lambda/core/params';
import { collectionKey } from '../../lambda/store/key-format';
import { WhiplashStore } from '../../lambda/store/store';
import { exactTopK, loadMiniLm } from '../support/minilm';
import { useTestTables } from '../support/tables';

/**
 * Recall@10 against brute force on real sentence embeddings (all-MiniLM-L6-v2, 778 x 384), at
 * default index settings (k-means lists) and in hash tables at their defaults. 100 held-out rows
 * are the queries; the other 678 the collection.
 */
describe('recall on all-MiniLM-L6-v2 embeddings', () => {
  const db = useTestTables();
  let store: WhiplashStore;
  const data = loadMiniLm();
  // every 7th row is a query: a fixed, spread-out hold-out
  const queryRows = data.vectors.map((_, i) => i).filter((i) => i % 7 === 3).slice(0, 100);
  const baseRows = data.vectors.map((_, i) => i).filter((i) => !queryRows.includes(i));

  beforeAll(async () => {
    store = new WhiplashStore(db);
    await store.createProject({ projectId: 'recall' });
    // the default (k-means lists), and hash tables
    await store.createCollection('recall', { name: 'minilm', dimension: data.dimension, seed: 7 });
    await store.createCollection('recall', { name: 'tables', dimension: data.dimension, seed: 7, indexMethod: 'lsh' });
    for (const name of ['minilm', 'tables']) {
      for (let i = 0; i < baseRows.length; i += 500) {
        await store.upsert(
          'recall',
          name,
          baseRows.slice(i, i + 500).map((r) => ({ id: data.ids[r], vector: data.vectors[r] })),
        );
      }
    }
  }, 600_000);

  /** Recall@10 of the collection over the held-out queries, the most round trips one took, and the mean recall its plans expected. */
  async function measure(name: string) {
    // GIVEN the exact top-10 of each query among the indexed rows
    const base = baseRows.map((r) => data.vectors[r]);
    let hits = 0;
    let maxRoundTrips = 0;
    let expected = 0;
    for (const qi of queryRows) {
      const truth = new Set(exactTopK(base, data.vectors[qi], 10).map((i) => data.ids[baseRows[i]]));
      // WHEN the index answers the same query
      const { matches, stats } = await store.query('recall', name, { vector: data.vectors[qi], topK: 10 });
      hits += matches.filter((m) => truth.has(m.id)).length;
      maxRoundTrips = Math.max(maxRoundTrips, stats.roundTrips);
      expected += stats.expectedRecall ?? 0;
    }
    return { recall: hits / (10 * queryRows.length), maxRoundTrips, expected: expected / queryRows.length };
  }

  it('reaches recall@10 >= 0.9 at default settings (k-means lists), in at most 2 round trips', async () => {
    const { recall, maxRoundTrips } = await measure('minilm');
    // THEN recall@10 is high (a broken index scores far lower)
    expect((await store.getCollection('recall', 'minilm')).indexMethod).toBe('ivf');
    expect(recall).toBeGreaterThanOrEqual(0.9);
    expect(maxRoundTrips).toBeLessThanOrEqual(2);
  }, 600_000);

  it('in hash tables, reaches recall@10 >= 0.9 near what the query plan predicted, in at most 2 round trips', async () => {
    const { recall, maxRoundTrips, expected } = await measure('tables');
    // THEN recall@10 is high, near what the query plan predicted from the first batch's profile
    expect(recall).toBeGreaterThanOrEqual(0.9);
    expect(Math.abs(recall - expected)).toBeLessThan(0.05);
    expect(maxRoundTrips).toBeLessThanOrEqual(2);
    // AND its bucket entries hold split sketches (16 bytes after the codes): the collection hashes in a subspace
    const { uid } = await store.getCollection('recall', 'tables');
    const entries = await db.client.send(new ScanCommand({ TableName: db.tables.buckets, FilterExpression: 'begins_with(pk, :uid)', ExpressionAttributeValues: { ':uid': { S: uid } } }));
    expect(entries.Items![0].s.B!.byteLength).toBe(DEFAULT_INDEX_PARAMS.sketchBits / 8 + 16);
  }, 600_000);
});

/**
 * Collections of older PRNG versions keep their sketches: version 1 (written before sketches
 * carried a gain) Gaussian directions ranked by the Hamming estimate; version 2 (before split
 * sketches) whole-space directions although its codes are taken in a hashing subspace.
 */
describe.each([
  { version: 1, trailer: 4 },
  { version: 2, trailer: 10 },
])('a collection of prngVersion $version', ({ version, trailer }) => {
  const db = useTestTables();
  const data = loadMiniLm();

  it(`stores its version's sketches (${trailer} bytes after the codes) and still finds the nearest neighbours`, async () => {
    // GIVEN a collection whose stored config says the older prngVersion, as older code wrote it
    await new WhiplashStore(db).createProject({ projectId: 'legacy' });
    await new WhiplashStore(db).createCollection('legacy', { name: 'old', dimension: data.dimension, seed: 7, indexMethod: 'lsh' });
    const key = collectionKey('legacy', 'old');
    await db.client.send(
      new UpdateItemCommand({ TableName: db.tables.metadata, Key: { pk: { S: key.pk }, sk: { S: key.sk } }, UpdateExpression: 'SET prngVersion = :v', ExpressionAttributeValues: { ':v': { N: String(version) } } }),
    );
    // WHEN a fresh process writes 500 vectors and queries 50 of them
    const store = new WhiplashStore(db);
    await store.upsert('legacy', 'old', data.vectors.slice(0, 500).map((v, i) => ({ id: data.ids[i], vector: v })));
    let hits = 0;
    for (let qi = 0; qi < 50; qi++) {
      const truth = new Set(exactTopK(data.vectors.slice(0, 500), data.vectors[qi], 10).map((i) => data.ids[i]));
      const { matches } = await store.query('legacy', 'old', { vector: data.vectors[qi], topK: 10 });
      hits += matches.filter((m) => truth.has(m.id)).length;
    }
    // THEN its bucket entries hold that version's sketches, its codes see the hashing subspace, and recall@10 stays high
    const entry = await db.client.send(new ScanCommand({ TableName: db.tables.buckets, Limit: 1 }));
    expect(entry.Items![0].s.B!.byteLength).toBe(DEFAULT_INDEX_PARAMS.sketchBits / 8 + trailer);
    const described = await store.getCollection('legacy', 'old');
    expect(described.prngVersion).toBe(version);
    expect(described.queryPlan?.hashDimensions).toBeLessThan(data.dimension);
    expect(hits / 500).toBeGreaterThanOrEqual(0.9);
  }, 600_000);
});

/** A Euclidean collection's split sketches leave out the offset c·y, which its distance does not use (hash tables). */
describe('a Euclidean collection with a hashing subspace', () => {
  const db = useTestTables();
  const data = loadMiniLm();

  it('stores split sketches 2 bytes shorter than a cosine collection\'s (14 bytes after the codes) and finds the nearest neighbours', async () => {
    // GIVEN a Euclidean collection of 500 real embeddings
    const store = new WhiplashStore(db);
    await store.createProject({ projectId: 'euclid' });
    await store.createCollection('euclid', { name: 'e', dimension: data.dimension, metric: 'euclidean', seed: 7, indexMethod: 'lsh' });
    const base = data.vectors.slice(0, 500);
    await store.upsert('euclid', 'e', base.map((v, i) => ({ id: data.ids[i], vector: v })));
    // WHEN 50 held-out vectors are queried
    let hits = 0;
    for (let qi = 500; qi < 550; qi++) {
      const truth = new Set(exactTopK(base, data.vectors[qi], 10, undefined, 'euclidean').map((i) => data.ids[i]));
      const { matches } = await store.query('euclid', 'e', { vector: data.vectors[qi], topK: 10 });
      hits += matches.filter((m) => truth.has(m.id)).length;
    }
    // THEN its entries hold split sketches without the offset, its codes see a subspace, and recall@10 stays high
    const entry = await db.client.send(new ScanCommand({ TableName: db.tables.buckets, Limit: 1 }));
    expect(entry.Items![0].s.B!.byteLength).toBe(DEFAULT_INDEX_PARAMS.sketchBits / 8 + 14);
    expect((await store.getCollection('euclid', 'e')).queryPlan?.hashDimensions).toBeLessThan(data.dimension);
    expect(hits / 500).toBeGreaterThanOrEqual(0.9);
  }, 600_000);
});
