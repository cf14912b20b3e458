// Tests bucket layout 3 (k-means lists) against DynamoDB Local: the first batch trains the lists,
// every vector has one entry in its list, queries read nprobe lists and find real neighbours,
// upserts, deletes, concurrent first writers and a failed first batch keep the entries exact, and
// the purge removes all.
import { ValidationError } from '../../lambda/core/errors';
import { WhiplashStore } from '../../lambda/store/store';
import { QueryCommand } from '@aws-sdk/client-dynamodb';
import { centroidPartition } from '../../lambda/store/key-format';
import { useFaultyStore } from '../support/faulty-store';
import { scanCollection } from '../support/invariants';
import { exactTopK, loadMiniLm } from '../support/minilm';
import { countItems, useTestTables } from '../support/tables';

const data = loadMiniLm();
/** Every 10th vector is held out as a query; the rest are the collection. */
const queries = data.vectors.map((_, i) => i).filter((i) => i % 10 === 0);
const base = data.vectors.map((_, i) => i).filter((i) => i % 10 !== 0);
const rowsOf = (indices: readonly number[]) => indices.map((i) => ({ id: data.ids[i], vector: Array.from(data.vectors[i]), metadata: { source: data.sources[i] } }));

/** Mean recall@10 of the collection's answers to the held-out queries against exact search over `held`. */
async function recallAt10(store: WhiplashStore, name: string, held: readonly number[], opts: { probes?: number } = {}) {
  const vectors = held.map((i) => data.vectors[i]);
  let found = 0;
  const reads: number[] = [];
  for (const q of queries) {
    const { matches, stats } = await store.query('p', name, { vector: data.vectors[q], topK: 10, ...opts });
    const truth = new Set(exactTopK(vectors, data.vectors[q], 10).map((j) => data.ids[held[j]]));
    found += matches.filter((m) => truth.has(m.id)).length;
    reads.push(stats.bucketReads);
  }
  return { recall: found / (10 * queries.length), reads };
}

describe('bucket layout 3: k-means lists, against DynamoDB Local', () => {
  const db = useTestTables();
  let store: WhiplashStore;

  beforeAll(async () => {
    store = new WhiplashStore(db);
    await store.createProject({ projectId: 'p' });
  });

  it('refuses an unknown index method, and lists under the dot metric', async () => {
    await expect(store.createCollection('p', { name: 'bad', dimension: 4, indexMethod: 'hnsw' as never })).rejects.toThrow(/indexMethod.*'lsh' or 'ivf'/);
    await expect(store.createCollection('p', { name: 'bad', dimension: 4, metric: 'dot', indexMethod: 'ivf' })).rejects.toBeInstanceOf(ValidationError);
    await expect(store.listCollections('p')).resolves.toEqual([]);
  });

  it('trains lists on the first batch and finds the neighbours of held-out queries by reading a few lists', async () => {
    // GIVEN a collection in lists, written in two batches of real embeddings
    await store.createCollection('p', { name: 'docs', dimension: data.dimension, indexMethod: 'ivf', seed: 7 });
    await store.upsert('p', 'docs', rowsOf(base.slice(0, 500)));
    await store.upsert('p', 'docs', rowsOf(base.slice(500)));
    // THEN every vector has exactly one entry, in the list its item names
    const info = await store.getCollection('p', 'docs');
    const scan = await scanCollection(db.client, db.tables, info);
    expect(scan.ids).toHaveLength(base.length);
    expect(scan.orphans).toEqual([]);
    expect(scan.missing).toEqual([]);
    // WHEN the held-out queries search it with the nprobe the first batch chose
    const planned = await recallAt10(store, 'docs', base);
    // THEN they read only some of the lists, one Query each, and find most true neighbours
    const lists = Math.max(...planned.reads);
    expect(lists).toBeLessThan(15);
    expect(planned.recall).toBeGreaterThanOrEqual(0.9);
    // AND reading every list finds at least as many
    const all = await recallAt10(store, 'docs', base, { probes: 64 });
    expect(all.reads.every((r) => r === 15)).toBe(true);
    expect(all.recall).toBeGreaterThanOrEqual(planned.recall);
  });

  it('keeps one entry per live vector through replacements, metadata updates and deletes', async () => {
    // GIVEN a collection in lists
    await store.createCollection('p', { name: 'edits', dimension: data.dimension, indexMethod: 'ivf', seed: 3 });
    await store.upsert('p', 'edits', rowsOf(base.slice(0, 200)));
    // WHEN vectors are replaced by others (so most move to another list), updated and deleted
    await store.upsert('p', 'edits', base.slice(0, 50).map((i, k) => ({ id: data.ids[i], vector: Array.from(data.vectors[base[300 + k]]) })));
    await store.updateMetadata('p', 'edits', data.ids[base[60]], { metadata: { source: 'moved' } });
    const { deleted } = await store.deleteVectors('p', 'edits', base.slice(100, 120).map((i) => data.ids[i]));
    // THEN the entries are exactly those of the live versions
    const scan = await scanCollection(db.client, db.tables, await store.getCollection('p', 'edits'));
    expect(deleted).toBe(20);
    expect(scan.ids).toHaveLength(180);
    expect(scan.orphans).toEqual([]);
    expect(scan.missing).toEqual([]);
    expect(scan.unsettled).toEqual([]);
    // AND a replaced vector is found by its new value, a deleted one never
    const moved = await store.query('p', 'edits', { vector: data.vectors[base[300]], topK: 1 });
    expect(moved.matches[0].id).toBe(data.ids[base[0]]);
    const gone = await store.query('p', 'edits', { vector: data.vectors[base[100]], topK: 10, probes: 64 });
    expect(gone.matches.map((m) => m.id)).not.toContain(data.ids[base[100]]);
    // AND a repair finds nothing to fix
    expect(await store.repairCollection('p', 'edits')).toEqual({ vectorCount: 180, settled: 0, finishedDeletes: 0, orphansRemoved: 0, filterIndexed: 0, entriesRestored: 0 });
  });

  it('makes concurrent first writers of two instances agree on one set of lists', async () => {
    // GIVEN two instances and an empty collection in lists
    const other = new WhiplashStore(db);
    await store.createCollection('p', { name: 'race', dimension: data.dimension, indexMethod: 'ivf' });
    // WHEN both write a first batch at once
    await Promise.all([store.upsert('p', 'race', rowsOf(base.slice(0, 300))), other.upsert('p', 'race', rowsOf(base.slice(300, 600)))]);
    // THEN every vector sits in a list of the one centroid set, and a query reading every list finds each one
    const scan = await scanCollection(db.client, db.tables, await store.getCollection('p', 'race'));
    expect(scan.ids).toHaveLength(600);
    expect(scan.orphans).toEqual([]);
    expect(scan.missing).toEqual([]);
    for (const s of [store, other]) {
      const { stats } = await s.query('p', 'race', { vector: data.vectors[queries[0]], topK: 10, probes: 64 });
      expect(stats.candidates).toBe(600);
    }
  });

  it('leaves nothing of a dropped collection after the purge', async () => {
    // GIVEN a collection in lists with vectors
    const before = await countItems(db.client, db.tables);
    await store.createCollection('p', { name: 'gone', dimension: data.dimension, indexMethod: 'ivf' });
    await store.upsert('p', 'gone', rowsOf(base.slice(0, 100)));
    // WHEN it is dropped and the purge runs
    await store.deleteCollection('p', 'gone');
    while ((await store.purgeDropped()).remaining);
    // THEN its vectors, entries and centroid items are gone (the claim of its uid stays)
    const after = await countItems(db.client, db.tables);
    expect(after.vectors).toBe(before.vectors);
    expect(after.buckets).toBe(before.buckets);
    expect(after.metadata).toBe(before.metadata + 1);
  });

  describe('through a fault proxy', () => {
    const through = useFaultyStore(db);
    afterEach(() => through.proxy.setPolicy(() => ({ kind: 'pass' })));

    /** The centroid items of a collection, by its uid. */
    const centroidItemCount = async (uid: string) =>
      (await db.client.send(new QueryCommand({ TableName: db.tables.metadata, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': { S: centroidPartition(uid) } } }))).Count;

    it.each([
      ['the answer to its training is lost', 'TransactWriteItems', 'drop-after'],
      ['its first entries fail after the training', 'BatchWriteItem', 'server-error'],
    ] as const)('a first batch that fails (%s) acknowledges nothing, and its retry keeps one set of lists', async (_, operation, kind) => {
      // GIVEN a collection in lists whose first batch fails once at `operation`
      const name = `fault-${kind}`;
      await store.createCollection('p', { name, dimension: data.dimension, indexMethod: 'ivf' });
      let armed = 1;
      through.proxy.setPolicy((op) => (op === operation && armed-- === 1 ? (kind === 'drop-after' ? { kind } : { kind, status: 500 }) : { kind: 'pass' }));
      const batch = rowsOf(base.slice(0, 200));
      await expect(through.store.upsert('p', name, batch)).rejects.toThrow();
      // THEN nothing of it can be read
      expect((await store.getCollection('p', name)).vectorCount).toBe(0);
      expect((await store.query('p', name, { vector: data.vectors[base[0]], topK: 10, probes: 64 })).matches).toEqual([]);
      // WHEN the client sends it again
      through.proxy.setPolicy(() => ({ kind: 'pass' }));
      await through.store.upsert('p', name, batch);
      // THEN it holds the batch once, in lists of the one centroid set the first attempt trained
      const info = await store.getCollection('p', name);
      const scan = await scanCollection(db.client, db.tables, info);
      expect(scan.ids).toHaveLength(200);
      expect(scan.orphans).toEqual([]);
      expect(scan.missing).toEqual([]);
      expect(await centroidItemCount(info.uid)).toBe(6);
      expect((await store.query('p', name, { vector: data.vectors[base[0]], topK: 1 })).matches[0].id).toBe(data.ids[base[0]]);
    });
  });
});
