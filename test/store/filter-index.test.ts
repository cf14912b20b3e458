// Tests selective filters through the filter index on real data (the MiniLM embeddings npm ci
// installs, and their metadata): every match up to top-k, in exact order, where the buckets alone
// nominate too few; and the index's write protocol: replace, delete, PATCH, failures between
// steps, purge, repair.
import { BatchWriteItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { logger } from '../../lambda/api/logger';
import type { Filter, QueryResult } from '../../lambda/core/types';
import { collectionKey, filterPartition, filterSortKey, vectorKey } from '../../lambda/store/key-format';
import { keyItem } from '../../lambda/store/records';
import { WhiplashStore } from '../../lambda/store/store';
import { scanCollection } from '../support/invariants';
import { exactTopK, loadMiniLm } from '../support/minilm';
import { useFaultyStore } from '../support/faulty-store';
import { testClient, useTestTables } from '../support/tables';

const data = loadMiniLm();
const vec = (i: number) => Array.from(data.vectors[i]);
const metadataOf = (i: number) => ({ source: data.sources[i], wordCount: data.wordCounts[i] });

/** The exact cosine top-k among the records `keep` accepts: ids, best first. */
function exactFiltered(q: Float32Array, keep: (i: number) => boolean, k: number): string[] {
  const rows = data.vectors.map((_, i) => i).filter(keep);
  return exactTopK(rows.map((i) => data.vectors[i]), q, k).map((j) => data.ids[rows[j]]);
}

describe.each(['ivf', 'lsh'] as const)('selective filters on real data (indexMethod %s)', (indexMethod) => {
  const db = useTestTables();
  let store: WhiplashStore;
  const bySource = new Map<string, number[]>();
  data.sources.forEach((s, i) => bySource.set(s, [...(bySource.get(s) ?? []), i]));
  const singles = [...bySource].filter(([, rows]) => rows.length === 1).map(([s]) => s);

  beforeAll(async () => {
    logger.setLogLevel('ERROR');
    store = new WhiplashStore(db);
    await store.createProject({ projectId: 'p' });
    // a fixed seed: which queries the buckets serve well enough depends on the hyperplanes, and
    // with codes in the hashing subspace few of them do under a filter matching half (below)
    await store.createCollection('p', { name: 'docs', dimension: data.dimension, seed: 1, indexMethod });
    const rows = data.ids.map((id, i) => ({ id, vector: vec(i), metadata: metadataOf(i) }));
    for (let b = 0; b < rows.length; b += 500) await store.upsert('p', 'docs', rows.slice(b, b + 500));
  });

  const search = (i: number, filter: Filter, topK = 10): Promise<QueryResult> => store.query('p', 'docs', { vector: vec(i), topK, filter });

  it('a filter matching one vector of 778 (0.13 %) returns it; one matching two returns both in exact order', async () => {
    // GIVEN: the documents with a single chunk in the collection
    expect(singles.length).toBeGreaterThanOrEqual(2);
    for (const source of singles) {
      // WHEN: a search far from it asks for its document
      const { matches, stats } = await search(0, { source });
      // THEN: it comes back, found through the index
      expect(matches.map((m) => m.id)).toEqual([data.ids[bySource.get(source)![0]]]);
      expect(stats).toMatchObject({ path: 'exact', indexReads: 1, reranked: 1 });
    }
    const two = singles.slice(0, 2);
    const { matches } = await search(5, { source: { $in: two } });
    expect(matches.map((m) => m.id)).toEqual(exactFiltered(data.vectors[5], (i) => two.includes(data.sources[i]), 10));
  });

  it('a numeric range matching 12 vectors (1.5 %) returns the exact top 10 for every query, where the buckets alone nominate fewer than 10', async () => {
    // GIVEN: the chunks of fewer than 40 words
    const keep = (i: number) => data.wordCounts[i] < 40;
    expect(data.wordCounts.filter((w) => w < 40)).toHaveLength(12);
    let short = 0;
    for (let i = 3; i < data.vectors.length; i += 39) {
      // WHEN
      const { matches, stats } = await search(i, { wordCount: { $lt: 40 } });
      // THEN: all 10, the exact ones, in order
      expect(matches.map((m) => m.id)).toEqual(exactFiltered(data.vectors[i], keep, 10));
      expect(stats.path).toBe('exact');
      if (stats.candidates < 10) short++;
    }
    // the bucket path alone could not have returned 10 for these queries: its candidates that pass are fewer
    expect(short).toBeGreaterThan(0);
  });

  it('a filter matching half of the collection keeps the recall target: where the buckets likely missed its top 10, the query ranks its matches exactly', async () => {
    // GIVEN: a word-count range that about half of the chunks fall in, unrelated to where the query lies
    // (under a filter matching a fifth, the buckets are predicted to miss some of every query's top 10)
    const sorted = [...data.wordCounts].sort((a, b) => a - b);
    const [lo, hi] = [sorted[Math.floor(sorted.length * 0.25)], sorted[Math.floor(sorted.length * 0.75)]];
    const keep = (i: number) => data.wordCounts[i] >= lo && data.wordCounts[i] < hi;
    const matching = data.wordCounts.filter((_, i) => keep(i)).length;
    expect(matching / data.vectors.length).toBeGreaterThan(0.4);
    expect(matching / data.vectors.length).toBeLessThan(0.6);
    let found = 0;
    let total = 0;
    const paths = new Set<string>();
    for (let i = 1; i < data.vectors.length; i += 19) {
      // WHEN
      const { matches, stats } = await search(i, { wordCount: { $gte: lo, $lt: hi } });
      // THEN: recall@10 against the exact filtered top 10
      const truth = new Set(exactFiltered(data.vectors[i], keep, 10));
      found += matches.filter((m) => truth.has(m.id)).length;
      total += truth.size;
      paths.add(stats.path);
    }
    expect(found / total).toBeGreaterThanOrEqual(0.95);
    // in hash tables some queries needed the exact path, others were sure enough of the buckets; in
    // lists the matches cost fewer fetches than the re-rank of the lists' candidates
    expect([...paths].sort()).toEqual(indexMethod === 'lsh' ? ['buckets', 'exact'] : ['exact']);
  });

  it('combines indexed terms, checks the rest of the filter on each vector, and leaves unindexable filters to the buckets', async () => {
    const source = 'local-sapui5';
    const filter = { $and: [{ source }, { wordCount: { $lt: 100 } }], wordCount: { $ne: 43 } };
    const keep = (i: number) => data.sources[i] === source && data.wordCounts[i] < 100 && data.wordCounts[i] !== 43;
    const { matches, stats } = await search(7, filter, 5);
    expect(matches.map((m) => m.id)).toEqual(exactFiltered(data.vectors[7], keep, 5));
    expect(stats).toMatchObject({ path: 'exact', indexReads: 2 });
    const none = await search(7, { source: { $ne: source } });
    expect(none.stats).toMatchObject({ path: 'buckets', indexReads: 0, indexEntriesRead: 0 });
    expect(none.matches).toHaveLength(10);
    expect((await search(7, { wordCount: { $gt: 5, $lt: 5 } })).matches).toEqual([]);
  });
});

describe('the filter index under writes', () => {
  const db = useTestTables();
  const through = useFaultyStore(db);
  let store: WhiplashStore;

  beforeAll(async () => {
    logger.setLogLevel('ERROR');
    store = new WhiplashStore(db);
    await store.createProject({ projectId: 'p' });
    await store.createCollection('p', { name: 'w', dimension: data.dimension });
    await store.upsert('p', 'w', Array.from({ length: 40 }, (_, i) => ({ id: `v${i}`, vector: vec(i), metadata: { n: i, tag: i % 2 ? 'odd' : 'even' } })));
  });
  const ids = async (filter: Filter) => (await store.query('p', 'w', { vector: vec(0), topK: 50, filter })).matches.map((m) => m.id).sort();
  async function clean(): Promise<void> {
    const scan = await scanCollection(testClient(), db.tables, await store.getCollection('p', 'w'));
    expect(scan).toMatchObject({ orphans: [], missing: [], unsettled: [] });
  }

  it('a replace that changes the metadata moves the vector from the old value to the new, and a delete takes it out', async () => {
    await store.upsert('p', 'w', [{ id: 'v1', vector: vec(1), metadata: { n: 1001, tag: ['odd', 'moved'] } }]);
    expect(await ids({ n: 1 })).toEqual([]);
    expect(await ids({ n: 1001 })).toEqual(['v1']);
    expect(await ids({ tag: 'moved' })).toEqual(['v1']);
    await clean();
    await store.deleteVectors('p', 'w', ['v1']);
    expect(await ids({ n: 1001 })).toEqual([]);
    await clean();
  });

  it('a metadata update (PATCH) moves the vector between values; merging a null removes the key', async () => {
    await store.updateMetadata('p', 'w', 'v2', { metadata: { n: 2002 } });
    expect(await ids({ n: 2002 })).toEqual(['v2']);
    expect(await ids({ n: 2 })).toEqual([]);
    expect(await ids({ tag: 'even', n: { $lt: 10 } })).toEqual(['v0', 'v4', 'v6', 'v8']);
    await store.updateMetadata('p', 'w', 'v2', { metadata: { tag: null } });
    expect(await ids({ tag: 'even', n: { $gte: 2002 } })).toEqual([]);
    await store.updateMetadata('p', 'w', 'v2', { metadata: { tag: 'even', n: 2 }, merge: false });
    expect(await ids({ tag: 'even', n: { $lt: 10 } })).toEqual(['v0', 'v2', 'v4', 'v6', 'v8']);
    await clean();
  });

  it('concurrent metadata updates of one id, with values that recur, leave one version indexed and nothing else', async () => {
    // GIVEN: four updates of v9 at once (each loses at most three races: no 503), two by two the same metadata
    const updates = [0, 1, 2, 3].map((k) => ({ n: k % 2 ? 9 : 9009, tag: ['odd', `k${k % 2}`] }));
    // WHEN
    await Promise.all(updates.map((metadata) => store.updateMetadata('p', 'w', 'v9', { metadata, merge: false })));
    // THEN: the version that won is found by each of its values, the other by none
    const [stored] = await store.getVectors('p', 'w', ['v9']);
    const other = stored.metadata.n === 9 ? 9009 : 9;
    expect(await ids({ n: stored.metadata.n as number, tag: `k${stored.metadata.n === 9 ? 1 : 0}` })).toEqual(['v9']);
    expect(await ids({ n: other })).toEqual([]);
    await clean();
  });

  it.each([
    ['before the item is written', 'TransactWriteItems|PutItem'],
    ['after the item is written, before the old entries go', 'BatchWriteItem'],
  ])('a replace that fails %s and is retried leaves no missing and no orphaned entry', async (_, ops) => {
    // GIVEN: the next write call of these operations fails (DynamoDB never sees it)
    const failing = new Set(ops.split('|'));
    let armed = ops === 'BatchWriteItem' ? 2 : 1; // the first BatchWriteItem puts the new entries
    through.proxy.setPolicy((op) => (failing.has(op) && --armed === 0 ? { kind: 'server-error', status: 500 } : { kind: 'pass' }));
    const write = [{ id: 'v3', vector: vec(3), metadata: { n: 3003 } }];
    // WHEN: the replace fails, and the client sends it again
    await expect(through.store.upsert('p', 'w', write)).rejects.toThrow();
    through.proxy.setPolicy(() => ({ kind: 'pass' }));
    await through.store.upsert('p', 'w', write);
    // THEN
    expect(await ids({ n: 3003 })).toEqual(['v3']);
    expect(await ids({ n: 3 })).toEqual([]);
    await clean();
    await store.upsert('p', 'w', [{ id: 'v3', vector: vec(3), metadata: { n: 3, tag: 'odd' } }]);
  });

  it('a delete that fails after its tombstone, retried, removes every entry; the purge removes the rest', async () => {
    let armed = 1;
    through.proxy.setPolicy((op) => (op === 'BatchWriteItem' && --armed === 0 ? { kind: 'server-error', status: 500 } : { kind: 'pass' }));
    await expect(through.store.deleteVectors('p', 'w', ['v5'])).rejects.toThrow();
    through.proxy.setPolicy(() => ({ kind: 'pass' }));
    await through.store.deleteVectors('p', 'w', ['v5']);
    expect(await ids({ n: 5 })).toEqual([]);
    await clean();
    const info = await store.getCollection('p', 'w');
    await store.deleteCollection('p', 'w');
    while ((await store.purgeDropped()).remaining);
    expect((await scanCollection(testClient(), db.tables, info)).items).toBe(0);
  });
});

describe('repairing the filter index', () => {
  const db = useTestTables();
  let store: WhiplashStore;

  beforeAll(async () => {
    logger.setLogLevel('ERROR');
    store = new WhiplashStore(db);
    await store.createProject({ projectId: 'p' });
    await store.createCollection('p', { name: 'r', dimension: data.dimension, indexMethod: 'lsh' });
    // a collection as made before the filter index and bucket layout 2 (in hash tables): its config has neither flag
    await db.client.send(new UpdateItemCommand({ TableName: db.tables.metadata, Key: keyItem(collectionKey('p', 'r')), UpdateExpression: 'REMOVE fi, bl' }));
    store = new WhiplashStore(db);
    await store.upsert('p', 'r', Array.from({ length: 20 }, (_, i) => ({ id: `v${i}`, vector: vec(i), metadata: { n: i } })));
  });

  it('removes orphaned entries and indexes an item written before the filter index', async () => {
    // GIVEN: an entry no item holds, and an item without its version and entries (as written before the index)
    const info = await store.getCollection('p', 'r');
    const orphan = { pk: { S: filterPartition(info.uid, 'n') }, sk: { S: filterSortKey('n', 99, 'ghost', new Uint8Array(8)) } };
    const legacy = (await scanCollection(db.client, db.tables, info)).filterEntries.filter((e) => e.sk.includes('v7'));
    expect(legacy).toHaveLength(1);
    await db.client.send(
      new BatchWriteItemCommand({
        RequestItems: { [db.tables.buckets]: [{ PutRequest: { Item: orphan } }, ...legacy.map((e) => ({ DeleteRequest: { Key: { pk: { S: e.pk }, sk: { S: e.sk } } } }))] },
      }),
    );
    const key = vectorKey(info.uid, 'v7');
    await db.client.send(new UpdateItemCommand({ TableName: db.tables.vectors, Key: { pk: { S: key.pk }, sk: { S: key.sk } }, UpdateExpression: 'REMOVE f' }));
    const damaged = await scanCollection(db.client, db.tables, info);
    expect(damaged.orphans).toHaveLength(1);
    // WHEN
    const report = await store.repairCollection('p', 'r');
    // THEN
    expect(report).toMatchObject({ vectorCount: 20, orphansRemoved: 1, filterIndexed: 1 });
    expect(await scanCollection(db.client, db.tables, info)).toMatchObject({ orphans: [], missing: [], unsettled: [] });
    expect((await store.query('p', 'r', { vector: vec(0), topK: 5, filter: { n: 7 } })).matches.map((m) => m.id)).toEqual(['v7']);
  });
});
