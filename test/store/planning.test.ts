// Tests query planning of hash tables in the store on DynamoDB Local: profiling and the hashing subspace at the first large batch,
// stored plans, fixed parameters; and that a listing describes each collection, in hash tables or k-means lists, as it is described alone.
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { bucketDepth } from '../../lambda/core/multiprobe';
import { UNPROFILED } from '../../lambda/core/params';
import { PROFILE_MIN_SAMPLE } from '../../lambda/core/profile';
import { SUBSPACE_MIN_SAMPLE } from '../../lambda/core/subspace';
import { collectionKey } from '../../lambda/store/key-format';
import { keyItem } from '../../lambda/store/records';
import { WhiplashStore } from '../../lambda/store/store';
import { loadMiniLm } from '../support/minilm';
import { useTestTables } from '../support/tables';

const data = loadMiniLm();
const rows = (from: number, to: number) => data.vectors.slice(from, to).map((v, i) => ({ id: data.ids[from + i], vector: Array.from(v) }));

/** The store's query planner of hash tables, end to end: profile at the first large batch, plans stored with the config. */
describe('query planning (hash tables) against DynamoDB Local', () => {
  const db = useTestTables();
  let store: WhiplashStore;

  beforeAll(async () => {
    store = new WhiplashStore(db);
    await store.createProject({ projectId: 'plans' });
  });

  it('uses the UNPROFILED shape until a batch of PROFILE_MIN_SAMPLE vectors arrives, then the plan', async () => {
    // GIVEN a collection that got a batch one vector short of a profile
    await store.createCollection('plans', { name: 'small-first', dimension: data.dimension, seed: 1, indexMethod: 'lsh' });
    await store.upsert('plans', 'small-first', rows(0, PROFILE_MIN_SAMPLE - 1));
    const before = await store.getCollection('plans', 'small-first');
    // THEN it reads buckets of UNPROFILED.bucketSize with UNPROFILED.probes, and predicts nothing
    expect(before.queryPlan).toEqual({ depth: bucketDepth(PROFILE_MIN_SAMPLE - 1, UNPROFILED.bucketSize, 4), probes: UNPROFILED.probes, extraProbes: 0, profiled: false, hashDimensions: data.dimension });
    const q1 = await store.query('plans', 'small-first', { vector: data.vectors[5] });
    expect(q1.stats).toMatchObject({ depth: before.queryPlan.depth, probes: UNPROFILED.probes });
    expect(q1.stats.expectedRecall).toBeUndefined();

    // WHEN a batch of 300 arrives
    await store.upsert('plans', 'small-first', rows(PROFILE_MIN_SAMPLE - 1, PROFILE_MIN_SAMPLE + 299));
    // THEN the collection has a plan that expects the recall target, which queries follow and report
    const after = await store.getCollection('plans', 'small-first');
    expect(after.queryPlan.profiled).toBe(true);
    expect(after.queryPlan.expectedRecall).toBeGreaterThanOrEqual(0.95);
    const q2 = await store.query('plans', 'small-first', { vector: data.vectors[5] });
    expect(q2.stats).toMatchObject({ depth: after.queryPlan.depth, probes: after.queryPlan.probes, extraProbes: after.queryPlan.extraProbes, expectedRecall: after.queryPlan.expectedRecall });
    expect(q2.matches[0].id).toBe(data.ids[5]);
    // and a per-query probes override wins, without a prediction
    const q3 = await store.query('plans', 'small-first', { vector: data.vectors[5], probes: 9 });
    expect(q3.stats).toMatchObject({ probes: 9, extraProbes: 0 });
    expect(q3.stats.expectedRecall).toBeUndefined();
  });

  it('stores the plans with the collection: a fresh process plans the same, and concurrent first writers agree', async () => {
    // GIVEN two first batches written at once
    await store.createCollection('plans', { name: 'race', dimension: data.dimension, seed: 2, indexMethod: 'lsh' });
    await Promise.all([store.upsert('plans', 'race', rows(0, 200)), store.upsert('plans', 'race', rows(200, 400))]);
    // WHEN this store and a fresh one describe the collection
    const mine = await store.getCollection('plans', 'race');
    const fresh = await new WhiplashStore(db).getCollection('plans', 'race');
    // THEN they read the same stored plan
    expect(mine.queryPlan.profiled).toBe(true);
    expect(fresh.queryPlan).toEqual(mine.queryPlan);
    expect(mine.vectorCount).toBe(400);
  });

  it('hashes in the subspace its first large batch fixed, and a fresh process hashes the same', async () => {
    // GIVEN a collection whose first batch is large and one whose first batch is small
    await store.createCollection('plans', { name: 'sub', dimension: data.dimension, seed: 5, indexMethod: 'lsh' });
    await store.upsert('plans', 'sub', rows(0, 300));
    await store.createCollection('plans', { name: 'nosub', dimension: data.dimension, seed: 5, indexMethod: 'lsh' });
    await store.upsert('plans', 'nosub', rows(0, SUBSPACE_MIN_SAMPLE - 1));
    await store.upsert('plans', 'nosub', rows(SUBSPACE_MIN_SAMPLE - 1, 300));
    // THEN the first holds K x dimension float32 rows in its config item, the second none
    const subspace = async (name: string) => (await db.client.send(new GetItemCommand({ TableName: db.tables.metadata, Key: keyItem(collectionKey('plans', name)) }))).Item?.subspace?.B;
    const rowsHeld = (await subspace('sub'))!.byteLength / (4 * data.dimension);
    expect(Number.isInteger(rowsHeld) && rowsHeld >= 1 && rowsHeld <= data.dimension / 4).toBe(true);
    expect(await subspace('nosub')).toBeUndefined();
    // and the descriptions say so, read alone and listed
    expect((await store.getCollection('plans', 'sub')).queryPlan.hashDimensions).toBe(rowsHeld);
    expect((await store.getCollection('plans', 'nosub')).queryPlan.hashDimensions).toBe(data.dimension);
    const listed = await new WhiplashStore(db).listCollections('plans');
    expect(listed.find((c) => c.name === 'sub')!.queryPlan.hashDimensions).toBe(rowsHeld);
    // WHEN a fresh process queries the first
    const q = { vector: data.vectors[7], topK: 10 };
    const [mine, fresh] = [await store.query('plans', 'sub', q), await new WhiplashStore(db).query('plans', 'sub', q)];
    // THEN it reads the same buckets and finds the same neighbours
    expect(fresh.stats).toMatchObject({ depth: mine.stats.depth, probes: mine.stats.probes, candidates: mine.stats.candidates });
    expect(fresh.matches.map((m) => m.id)).toEqual(mine.matches.map((m) => m.id));
    expect(mine.matches[0].id).toBe(data.ids[7]);
  });

  it('picks up plans another process made, through the query’s second round trip', async () => {
    // GIVEN a process that cached an unprofiled collection
    await store.createCollection('plans', { name: 'elsewhere', dimension: data.dimension, seed: 4, indexMethod: 'lsh' });
    await store.upsert('plans', 'elsewhere', rows(0, 50));
    expect((await store.query('plans', 'elsewhere', { vector: data.vectors[1] })).stats.expectedRecall).toBeUndefined();
    // WHEN another process writes a batch large enough to profile
    await new WhiplashStore(db).upsert('plans', 'elsewhere', rows(50, 350));
    // THEN the first process's next query reads the plans with its counter, and the one after follows them
    const first = await store.query('plans', 'elsewhere', { vector: data.vectors[1] });
    expect(first.stats.roundTrips).toBe(2);
    const second = await store.query('plans', 'elsewhere', { vector: data.vectors[1] });
    const plan = (await store.getCollection('plans', 'elsewhere')).queryPlan;
    expect(second.stats).toMatchObject({ depth: plan.depth, probes: plan.probes, expectedRecall: plan.expectedRecall, roundTrips: 2 });
  });

  it('keeps an index’s fixed bucketSize and probes, and plans for its recall target', async () => {
    await store.createCollection('plans', { name: 'fixed', dimension: data.dimension, seed: 3, indexMethod: 'lsh', index: { bucketSize: 16, probes: 1 } });
    await store.upsert('plans', 'fixed', rows(0, 300));
    expect((await store.getCollection('plans', 'fixed')).queryPlan).toMatchObject({ depth: bucketDepth(300, 16, 4), probes: 1, profiled: true });

    await store.createCollection('plans', { name: 'cheap', dimension: data.dimension, seed: 3, indexMethod: 'lsh', index: { recallTarget: 0.6 } });
    await store.upsert('plans', 'cheap', rows(0, 300));
    const cheap = (await store.getCollection('plans', 'cheap')).queryPlan;
    const usual = (await store.getCollection('plans', 'race')).queryPlan;
    expect(cheap.expectedRecall).toBeGreaterThanOrEqual(0.6);
    expect(cheap.expectedRecall!).toBeLessThan(usual.expectedRecall!);
  });

  it('lists every collection as it describes it alone, without reading their hashing subspaces', async () => {
    // GIVEN the collections above, and one with non-filterable metadata keys in k-means lists (the default)
    await store.createCollection('plans', { name: 'split', dimension: data.dimension, seed: 6, metadataConfiguration: { nonFilterableMetadataKeys: ['text'] } });
    await store.upsert('plans', 'split', rows(0, 150));
    // WHEN a fresh process lists them
    const fresh = new WhiplashStore(db);
    const listed = await fresh.listCollections('plans');
    // THEN each equals its description read alone
    expect(listed.length).toBeGreaterThanOrEqual(7);
    for (const c of listed) expect(c).toEqual(await fresh.getCollection('plans', c.name));
    expect(listed.find((c) => c.name === 'split')).toMatchObject({ indexMethod: 'ivf', metadataConfiguration: { nonFilterableMetadataKeys: ['text'] } });
  });

  it('rejects a recall target outside 0.5..0.999 and creates nothing', async () => {
    for (const recallTarget of [1, 0.2, Number.NaN]) {
      await expect(store.createCollection('plans', { name: 'bad', dimension: 3, index: { recallTarget } })).rejects.toThrow(/index.recallTarget must be a number between 0.5 and 0.999/);
    }
    await expect(store.getCollection('plans', 'bad')).rejects.toThrow(/not found/);
  });
});
