// Tests bucket layout 3 (k-means lists) against DynamoDB Local: the first batch trains the lists,
// full lists split, every vector has one entry in a list a query can read, queries read nprobe lists
// and find real neighbours, nprobe calibrates on served queries; edits, concurrent writers and
// readers, failed first batches and failed splits (fault proxy) keep the entries exact; the purge.
import { ValidationError } from '../../lambda/core/errors';
import { MAX_BUCKET_READ_ENTRIES } from '../../lambda/core/limits';
import { CALIBRATION_EVERY, CalibrationSampler, FIRST_CALIBRATION_QUERIES, QUERIES_TO_FIRST_SETTING } from '../../lambda/core/list-calibration';
import { decodeCalibrationWindow, keyItem } from '../../lambda/store/records';
import { CapacityMeter } from '../../lambda/store/batch';
import { CollectionStore } from '../../lambda/store/collections';
import { ListCalibration } from '../../lambda/store/list-calibration';
import { WhiplashStore } from '../../lambda/store/store';
import { GetItemCommand, PutItemCommand, QueryCommand } from '@aws-sdk/client-dynamodb';
import { calibrationWindowKey, centroidPartition, counterKey, listPartition } from '../../lambda/store/key-format';
import { holdGate, untilHeld, useFaultyStore } from '../support/faulty-store';
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

  /** The lists of collection `name` of project 'p' as its counter holds them now (`lc`); undefined before the first are trained. */
  const listCount = async (name: string): Promise<number | undefined> => {
    const lc = (await db.client.send(new GetItemCommand({ TableName: db.tables.metadata, Key: keyItem(counterKey('p', name)), ConsistentRead: true }))).Item?.lc?.N;
    return lc === undefined ? undefined : Number(lc);
  };

  it('refuses an unknown index method (in the words of the HTTP schema\'s check), and lists under the dot metric', async () => {
    await expect(store.createCollection('p', { name: 'bad', dimension: 4, indexMethod: 'hnsw' as never })).rejects.toMatchObject({ field: 'indexMethod', rule: 'must be one of "lsh", "ivf"' });
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
    // THEN they read only some of the lists, one Query each (all but one in 16, which calibrate), and find most true neighbours
    expect(Math.min(...planned.reads)).toBeLessThan(15);
    expect(planned.recall).toBeGreaterThanOrEqual(0.9);
    // AND reading every list finds at least as many
    const all = await recallAt10(store, 'docs', base, { probes: 64 });
    expect(all.reads.every((r) => r === 15)).toBe(true);
    expect(all.recall).toBeGreaterThanOrEqual(planned.recall);
  }, 120_000);

  it('answers filtered queries with matches only, and a selective filter with its exact top-k', async () => {
    // GIVEN the collection of the test above, its vectors tagged with their source document
    const sourceOf = new Map(base.map((i) => [data.ids[i], data.sources[i]]));
    const membersOf = (source: string) => base.filter((i) => data.sources[i] === source);
    const bySize = [...new Set(base.map((i) => data.sources[i]))].sort((a, b) => membersOf(b).length - membersOf(a).length);
    const broad = bySize[0];
    const selective = bySize.find((s) => membersOf(s).length >= 10 && membersOf(s).length <= 30)!;
    for (const q of queries.slice(0, 10)) {
      // WHEN queries ask for the nearest chunks of the largest source, and of one with 10-30 chunks
      const wide = await store.query('p', 'docs', { vector: data.vectors[q], topK: 10, filter: { source: broad }, includeMetadata: true });
      const narrow = await store.query('p', 'docs', { vector: data.vectors[q], topK: 10, filter: { source: selective } });
      // THEN every result matches its filter, and the selective one's are its exact nearest
      expect(wide.matches.length).toBe(10);
      expect(wide.matches.every((m) => sourceOf.get(m.id) === broad && m.metadata?.source === broad)).toBe(true);
      const members = membersOf(selective);
      expect(narrow.matches.map((m) => m.id)).toEqual(exactTopK(members.map((i) => data.vectors[i]), data.vectors[q], 10).map((j) => data.ids[members[j]]));
    }
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

  it('grows by splitting full lists, and every vector stays in exactly one list a query can read', async () => {
    // GIVEN a collection in lists of at most 64 entries: a first batch of 320 vectors (10 lists), then 50 at a time
    await store.createCollection('p', { name: 'grown', dimension: data.dimension, indexMethod: 'ivf', listSize: 64, seed: 5 });
    await store.upsert('p', 'grown', rowsOf(base.slice(0, 320)));
    for (let b = 320; b < base.length; b += 50) await store.upsert('p', 'grown', rowsOf(base.slice(b, b + 50)));
    // THEN the lists the first batch trained have split
    const all = await store.query('p', 'grown', { vector: data.vectors[queries[0]], topK: 10, probes: 64 });
    expect(all.stats.bucketReads).toBeGreaterThan(12);
    expect(all.stats.candidates).toBe(base.length);
    // AND each vector has one entry, in its list or one split off it since its write
    const scan = await scanCollection(db.client, db.tables, await store.getCollection('p', 'grown'));
    expect(scan.ids).toHaveLength(base.length);
    expect(scan.orphans).toEqual([]);
    expect(scan.missing).toEqual([]);
    // AND held-out queries still find their neighbours with the nprobe the lists grew to
    const planned = await recallAt10(store, 'grown', base);
    expect(planned.recall).toBeGreaterThanOrEqual(0.9);
    expect(Math.min(...planned.reads)).toBeLessThan(all.stats.bucketReads);
    // WHEN vectors written before the splits are replaced and deleted
    await store.upsert('p', 'grown', base.slice(0, 30).map((i, k) => ({ id: data.ids[i], vector: Array.from(data.vectors[base[400 + k]]) })));
    await store.deleteVectors('p', 'grown', base.slice(30, 60).map((i) => data.ids[i]));
    // THEN their moved entries go too, and a repair finds nothing to fix
    const after = await scanCollection(db.client, db.tables, await store.getCollection('p', 'grown'));
    expect(after.ids).toHaveLength(base.length - 30);
    expect(after.orphans).toEqual([]);
    expect(after.missing).toEqual([]);
    expect(await store.repairCollection('p', 'grown')).toMatchObject({ vectorCount: base.length - 30, orphansRemoved: 0, entriesRestored: 0 });
  });

  it('calibrates its nprobe on the queries it serves: fewer lists read, recall near the target', async () => {
    // GIVEN a collection grown by splits from a first batch too small to choose an nprobe (one list, read whole)
    await store.createCollection('p', { name: 'calibrated', dimension: data.dimension, indexMethod: 'ivf', listSize: 64, seed: 5 });
    for (let b = 0; b < base.length; b += 50) await store.upsert('p', 'calibrated', rowsOf(base.slice(b, b + 50)));
    const listsRead = async (instance = new WhiplashStore(db)) => (await instance.query('p', 'calibrated', { vector: data.vectors[queries[0]], topK: 10 })).stats.bucketReads;
    const usual = await listsRead();
    // WHEN one instance serves the queries of a first setting (the collection's own vectors), one in each block of
    // FIRST_CALIBRATION_EVERY after its first read wide, until the query after them has joined them to the collection's window
    const serving = new WhiplashStore(db);
    const served: number[] = [];
    const calibratedBy = async () => (await store.getCollection('p', 'calibrated')).queryPlan.calibratedBy;
    let another: number | undefined;
    while (served.length <= QUERIES_TO_FIRST_SETTING && (await calibratedBy()) === undefined) {
      // (and another instance's query just before the earliest the join can come: after the eighth block's first query)
      if (served.length === QUERIES_TO_FIRST_SETTING - 1) another = await listsRead();
      served.push((await serving.query('p', 'calibrated', { vector: data.vectors[base[served.length]], topK: 10 })).stats.bucketReads);
    }
    // THEN that took the queries whose last block held the eighth wide one, and the one after it
    expect(served.length).toBeGreaterThanOrEqual(QUERIES_TO_FIRST_SETTING);
    expect(served.length).toBeLessThanOrEqual(QUERIES_TO_FIRST_SETTING + 1);
    // AND until then the lists were read whole (the share of its first batch's one list), by the other instance too
    expect(served).toEqual(Array(served.length).fill(usual));
    expect(another).toBe(usual);
    expect(usual).toBeGreaterThan(8);
    // AND a description and a listing show a mean nprobe below all the lists, calibrated on those queries
    const fresh = new WhiplashStore(db);
    const { queryPlan } = await fresh.getCollection('p', 'calibrated');
    expect(queryPlan).toMatchObject({ calibratedBy: FIRST_CALIBRATION_QUERIES });
    const mean = queryPlan.probes;
    expect(mean).toBeLessThan(usual);
    expect((await store.listCollections('p')).find((c) => c.name === 'calibrated')?.queryPlan).toEqual(queryPlan);
    // AND another instance reads the whole number below that mean or one more, with recall near the target
    const after = await recallAt10(fresh, 'calibrated', base);
    const unwide = after.reads.filter((r) => r <= Math.ceil(mean));
    expect(unwide.filter((r) => r !== Math.floor(mean) && r !== Math.ceil(mean))).toEqual([]);
    expect(unwide.length).toBeGreaterThan(after.reads.length / 2);
    expect(after.recall).toBeGreaterThanOrEqual(0.9);
    // AND so does the instance that calibrated (at the mean the wide queries of the other instance's
    // answers have set since, as they joined the window), from the query after one that read the counter:
    // of its next 2 x CALIBRATION_EVERY, after the first, at most the 3 blocks they reach read wide
    const now = (await fresh.getCollection('p', 'calibrated')).queryPlan;
    expect(now.calibratedBy).toBeGreaterThan(FIRST_CALIBRATION_QUERIES);
    const next = [];
    for (const q of queries.slice(0, 2 * CALIBRATION_EVERY)) next.push((await serving.query('p', 'calibrated', { vector: data.vectors[q], topK: 10 })).stats.bucketReads);
    expect(next.slice(1).filter((r) => r <= Math.ceil(now.probes)).length).toBeGreaterThanOrEqual(2 * CALIBRATION_EVERY - 1 - 3);
    // AND while the window fills, an instance's first query does not read wide (a cold start's), and then one in
    // each block of CALIBRATION_EVERY does, no longer one in FIRST_CALIBRATION_EVERY
    const reads = [];
    for (let i = 0; i < 2 * CALIBRATION_EVERY; i++) reads.push((await new WhiplashStore(db).query('p', 'calibrated', { vector: data.vectors[base[i]], topK: 10 })).stats.bucketReads);
    expect(reads.filter((r) => r > Math.ceil(now.probes))).toHaveLength(0);
    const newcomer = new WhiplashStore(db);
    const wide = [];
    for (let i = 0; i < 1 + 2 * CALIBRATION_EVERY; i++) wide.push((await newcomer.query('p', 'calibrated', { vector: data.vectors[base[i]], topK: 10 })).stats.bucketReads);
    const blockOf = (i: number) => Math.floor((i - 1) / CALIBRATION_EVERY);
    expect(wide.flatMap((r, i) => (r > Math.ceil(now.probes) ? [blockOf(i)] : []))).toEqual([0, 1]);
  }, 240_000);

  it('pools the wide queries of every instance in the collection\'s window, joins that meet included', async () => {
    // GIVEN a collection in lists and two instances that serve it
    await store.createCollection('p', { name: 'pooled', dimension: data.dimension, indexMethod: 'ivf', listSize: 64, seed: 6 });
    for (let b = 0; b < base.length; b += 100) await store.upsert('p', 'pooled', rowsOf(base.slice(b, b + 100)));
    const [a, b] = [new WhiplashStore(db), new WhiplashStore(db)];
    const serve = async (instance: WhiplashStore, n: number, from: number) => {
      for (let i = 0; i < n; i++) await instance.query('p', 'pooled', { vector: data.vectors[base[(from + i) % base.length]], topK: 10 });
    };
    const calibratedBy = async () => (await store.getCollection('p', 'pooled')).queryPlan.calibratedBy;
    // WHEN the first serves the queries of a first setting (one in each block of FIRST_CALIBRATION_EVERY after its first reads wide), and the query that joins them
    await serve(a, QUERIES_TO_FIRST_SETTING + 1, 0);
    expect(await calibratedBy()).toBe(FIRST_CALIBRATION_QUERIES);
    // AND the second, which never served the collection, its first query, as many blocks of CALIBRATION_EVERY
    // as it takes to gather a join's worth (one in each reads wide while the window fills), and the query that joins them
    const filling = 1 + CALIBRATION_EVERY * FIRST_CALIBRATION_QUERIES;
    await serve(b, filling + 1, QUERIES_TO_FIRST_SETTING + 1);
    // THEN the window holds the wide queries of both
    expect(await calibratedBy()).toBe(2 * FIRST_CALIBRATION_QUERIES);
    // WHEN two more instances serve queries in step: the collection's seed places their wide reads alike, so that
    // each gathers its join's worth with the same query, and both join at once, in their next
    const [c, d] = [new WhiplashStore(db), new WhiplashStore(db)];
    for (let i = 0; i < filling + 1; i++) await Promise.all([serve(c, 1, 100 + i), serve(d, 1, 200 + i)]);
    // AND each serves one query more (which joins again what a join that lost the race gave back)
    await serve(c, 1, 300);
    await serve(d, 1, 301);
    // THEN the window holds them all: neither join overwrote the other's
    expect(await calibratedBy()).toBe(4 * FIRST_CALIBRATION_QUERIES);
    const { uid } = await store.getCollection('p', 'pooled');
    const item = (await db.client.send(new GetItemCommand({ TableName: db.tables.metadata, Key: keyItem(calibrationWindowKey(uid)), ConsistentRead: true }))).Item!;
    const window = decodeCalibrationWindow(item.w.B!);
    expect(window).toHaveLength(4 * FIRST_CALIBRATION_QUERIES);
    expect(window.every((q) => q.ranks.length === 10 && q.ranks.every((r) => r < q.width))).toBe(true);
  }, 240_000);

  it('lands one of two joins that read the same window, and gives the other\'s queries back for a later join', async () => {
    // GIVEN a collection in lists, and the calibrations of two instances, each with a join's worth of wide queries
    await store.createCollection('p', { name: 'raced', dimension: data.dimension, indexMethod: 'ivf', seed: 8 });
    await store.upsert('p', 'raced', rowsOf(base.slice(0, 200)));
    const state = await new CollectionStore(db.client, db.tables).load('p', 'raced', true);
    const lists = state.lists!.lists.count;
    const [one, two] = [new ListCalibration(db.client, db.tables), new ListCalibration(db.client, db.tables)];
    for (let i = 0; i < FIRST_CALIBRATION_QUERIES; i++) {
      one.observe(state, lists, Array(10).fill(0));
      two.observe(state, lists, Array(10).fill(Math.min(1, lists - 1)));
    }
    // WHEN both read the window before either writes it
    const meter = new CapacityMeter();
    const first = await one.prepareJoin(state, meter);
    const second = await two.prepareJoin(state, meter);
    expect(meter.readUnits).toBeGreaterThan(0);
    // THEN the first join lands and the second does not
    expect(await one.join(state, first!)).toMatchObject({ calibratedOn: FIRST_CALIBRATION_QUERIES });
    expect(await two.join(state, second!)).toBeUndefined();
    // AND the second instance's next join holds its queries again, and lands on top of the first's
    const again = await two.prepareJoin(state, meter);
    expect(again).toMatchObject({ version: 1, held: first!.fresh, fresh: second!.fresh });
    expect(await two.join(state, again!)).toMatchObject({ calibratedOn: 2 * FIRST_CALIBRATION_QUERIES });
    expect((await store.getCollection('p', 'raced')).queryPlan.calibratedBy).toBe(2 * FIRST_CALIBRATION_QUERIES);
  });

  it('starts again a window whose bytes do not decode, instead of refusing every join', async () => {
    // GIVEN a collection in lists whose window item holds bytes this encoding cannot read (cut inside a number)
    await store.createCollection('p', { name: 'unreadable', dimension: data.dimension, indexMethod: 'ivf', seed: 9 });
    await store.upsert('p', 'unreadable', rowsOf(base.slice(0, 200)));
    const state = await new CollectionStore(db.client, db.tables).load('p', 'unreadable', true);
    const key = keyItem(calibrationWindowKey(state.config.uid));
    await db.client.send(new PutItemCommand({ TableName: db.tables.metadata, Item: { ...key, v: { N: '3' }, w: { B: Uint8Array.from([0x80]) } } }));
    // AND an instance with a join's worth of wide queries
    const calibration = new ListCalibration(db.client, db.tables);
    for (let i = 0; i < FIRST_CALIBRATION_QUERIES; i++) calibration.observe(state, state.lists!.lists.count, Array(10).fill(0));
    // WHEN it joins them
    const pending = await calibration.prepareJoin(state, new CapacityMeter());
    // THEN it reads the window as empty, at the version the item holds
    expect(pending).toMatchObject({ version: 3, held: [] });
    // AND its join lands: the window holds its queries alone, one version on
    expect(await calibration.join(state, pending!)).toMatchObject({ calibratedOn: FIRST_CALIBRATION_QUERIES });
    const item = (await db.client.send(new GetItemCommand({ TableName: db.tables.metadata, Key: key, ConsistentRead: true }))).Item!;
    expect(item.v.N).toBe('4');
    expect(decodeCalibrationWindow(item.w.B!)).toEqual(pending!.fresh);
  });

  it('makes an instance that holds an older centroid set read again after a split, so it misses no vector', async () => {
    // GIVEN two instances; the reader has cached the collection's lists
    const reader = new WhiplashStore(db);
    await store.createCollection('p', { name: 'moving', dimension: data.dimension, indexMethod: 'ivf', listSize: 64, seed: 9 });
    await store.upsert('p', 'moving', rowsOf(base.slice(0, 40)));
    const before = await reader.query('p', 'moving', { vector: data.vectors[queries[1]], topK: 10, probes: 64 });
    expect(before.stats.bucketReads).toBe(1);
    // WHEN the writer fills the lists until they split
    await store.upsert('p', 'moving', rowsOf(base.slice(40, 300)));
    // THEN the reader's next query, planned with the old set, reads again with the new one and finds every vector
    const after = await reader.query('p', 'moving', { vector: data.vectors[queries[1]], topK: 10, probes: 64 });
    expect(after.stats.candidates).toBe(300);
    expect(after.stats.bucketReads).toBeGreaterThan(1);
    expect(after.stats.roundTrips).toBeGreaterThan(before.stats.roundTrips);
  });

  it('reads a list of more than MAX_BUCKET_READ_ENTRIES entries whole', async () => {
    // GIVEN one list (a first batch of 20 vectors) of list size 2,000 that grows to more entries than one bucket read returns
    await store.createCollection('p', { name: 'large', dimension: data.dimension, indexMethod: 'ivf', listSize: 2000, seed: 3 });
    await store.upsert('p', 'large', rowsOf(base.slice(0, 20)));
    const copies = base.slice(0, MAX_BUCKET_READ_ENTRIES + 200 - base.length).map((i) => ({ id: `copy-${data.ids[i]}`, vector: Array.from(data.vectors[i]) }));
    const rest = [...rowsOf(base.slice(20)), ...copies];
    for (let b = 0; b < rest.length; b += 100) await store.upsert('p', 'large', rest.slice(b, b + 100));
    // WHEN it is queried
    const { stats } = await store.query('p', 'large', { vector: data.vectors[queries[0]], topK: 10 });
    // THEN the query read every entry of the list, uncut
    expect(stats.bucketReads).toBe(1);
    expect(stats.entriesRead).toBe(MAX_BUCKET_READ_ENTRIES + 200);
    expect(stats.candidates).toBe(MAX_BUCKET_READ_ENTRIES + 200);
    expect(stats.truncatedReads).toBe(0);
  });

  it('splits under three concurrent writers while a reader queries, and no acknowledged vector is ever missing from a read', async () => {
    // GIVEN three writing instances and a reading one, and a collection in lists of at most 48 entries
    const writers = [store, new WhiplashStore(db), new WhiplashStore(db)];
    const reader = new WhiplashStore(db);
    await store.createCollection('p', { name: 'busy', dimension: data.dimension, indexMethod: 'ivf', listSize: 48, seed: 4 });
    await store.upsert('p', 'busy', rowsOf(base.slice(0, 64)));
    let acknowledged = 64;
    let writing = true;
    // WHEN the writers add the rest, 20 vectors a batch, while the reader reads every list again and again
    const writes = Promise.all(
      writers.map(async (w, k) => {
        for (let b = 64 + k * 20; b < base.length; b += 60) {
          const batch = rowsOf(base.slice(b, b + 20));
          await w.upsert('p', 'busy', batch);
          acknowledged += batch.length;
        }
      }),
    ).finally(() => (writing = false));
    const short: number[] = [];
    let reads = 0;
    while (writing) {
      const before = acknowledged;
      const { stats } = await reader.query('p', 'busy', { vector: data.vectors[queries[reads % queries.length]], topK: 10, probes: 64 });
      if (stats.candidates < before) short.push(before - stats.candidates);
      reads++;
    }
    await writes;
    // THEN every read found at least every vector acknowledged before it began
    expect(reads).toBeGreaterThan(5);
    expect(short).toEqual([]);
    // AND after a repair (splits that lost their switch to another leave copies) each vector has one entry
    await store.repairCollection('p', 'busy');
    const scan = await scanCollection(db.client, db.tables, await store.getCollection('p', 'busy'));
    expect(scan.ids).toHaveLength(base.length);
    expect(scan.orphans).toEqual([]);
    expect(scan.missing).toEqual([]);
    expect((await reader.query('p', 'busy', { vector: data.vectors[queries[0]], topK: 10, probes: 64 })).stats.bucketReads).toBeGreaterThan(6);
  });

  it('refuses a list size out of bounds or without lists', async () => {
    await expect(store.createCollection('p', { name: 'bad', dimension: 4, indexMethod: 'ivf', listSize: 8 })).rejects.toThrow(/listSize.*between 16 and 10000/);
    await expect(store.createCollection('p', { name: 'bad', dimension: 4, indexMethod: 'lsh', listSize: 100 })).rejects.toThrow(/listSize.*'ivf' only/);
    await expect(store.createCollection('p', { name: 'bad', dimension: 4, metric: 'dot', listSize: 100 })).rejects.toThrow(/listSize.*'ivf' only/);
    await expect(store.createCollection('p', { name: 'bad', dimension: 4, indexMethod: 'ivf', index: { bucketSize: 8 } })).rejects.toThrow(/index\.bucketSize.*'lsh' only/);
  });

  it('leaves nothing of a dropped collection after the purge', async () => {
    // GIVEN a collection in lists with vectors
    const before = await countItems(db.client, db.tables);
    await store.createCollection('p', { name: 'gone', dimension: data.dimension, indexMethod: 'ivf' });
    await store.upsert('p', 'gone', rowsOf(base.slice(0, 100)));
    // AND queries that set its nprobe, so that it has a calibration window
    for (let i = 0; i <= QUERIES_TO_FIRST_SETTING; i++) await store.query('p', 'gone', { vector: data.vectors[queries[i]], topK: 10 });
    expect((await store.getCollection('p', 'gone')).queryPlan.calibratedBy).toBe(FIRST_CALIBRATION_QUERIES);
    // AND the copy of a split that stopped before its switch, in the list after its lists
    const { uid } = await store.getCollection('p', 'gone');
    const lists = (await listCount('gone'))!;
    const copy = (await db.client.send(new QueryCommand({ TableName: db.tables.buckets, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': { S: listPartition(uid, 0) } }, Limit: 1 }))).Items![0];
    await db.client.send(new PutItemCommand({ TableName: db.tables.buckets, Item: { ...copy, pk: { S: listPartition(uid, lists) } } }));
    // WHEN it is dropped and the purge runs
    await store.deleteCollection('p', 'gone');
    while ((await store.purgeDropped()).remaining);
    // THEN its vectors, entries (the copy included), centroid items and window are gone (the claim of its uid stays)
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

    it('a split whose collection is dropped and purged before its switch takes its copies back: nothing of it outlives the purge', async () => {
      // GIVEN 3 lists of at most 64 entries
      const before = await countItems(db.client, db.tables);
      const name = 'split-dropped';
      await store.createCollection('p', { name, dimension: data.dimension, indexMethod: 'ivf', listSize: 64, seed: 2 });
      await store.upsert('p', name, rowsOf(base.slice(0, 100)));
      // AND a batch that overfills them, whose split holds its switch (after copying entries to a new list) until released
      const { released, release } = holdGate();
      let phase: 'write' | 'written' | 'split' = 'write';
      through.proxy.setPolicy((op) => {
        if (op === 'TransactWriteItems' && phase === 'write') phase = 'written';
        else if (op === 'Query' && phase === 'written') phase = 'split';
        return phase === 'split' && op === 'TransactWriteItems' ? { kind: 'hold', until: released } : { kind: 'pass' };
      });
      const seen = through.proxy.stats.faults.hold;
      const writing = through.store.upsert('p', name, rowsOf(base.slice(100, 250)));
      await untilHeld(through.proxy, seen);
      // WHEN the collection is dropped and purged meanwhile, and then the switch goes through
      await store.deleteCollection('p', name);
      while ((await store.purgeDropped()).remaining);
      release();
      // THEN the write is acknowledged (it landed before the drop)
      await expect(writing).resolves.toEqual({ upserted: 150 });
      // AND the tables hold nothing of the collection but the claim of its uid
      const after = await countItems(db.client, db.tables);
      expect(after).toEqual({ ...before, metadata: before.metadata + 1 });
    });

    it.each([
      ['a split switched', 100, 3],
      ['the first batch trained the lists', 0, undefined],
    ] as const)('a drop that read the lists before %s goes round again, so the purge deletes every list', async (_, first, lists) => {
      // GIVEN a collection in lists of at most 64 entries (with `first` vectors: 3 lists, or none yet)
      const before = await countItems(db.client, db.tables);
      const name = `dropped-${first}`;
      await store.createCollection('p', { name, dimension: data.dimension, indexMethod: 'ivf', listSize: 64, seed: 2 });
      if (first > 0) await store.upsert('p', name, rowsOf(base.slice(0, first)));
      expect(await listCount(name)).toBe(lists);
      // AND a drop whose transaction waits, after it read the collection, until released
      const { released, release } = holdGate();
      let armed = 1;
      through.proxy.setPolicy((op) => (op === 'TransactWriteItems' && armed-- === 1 ? { kind: 'hold', until: released } : { kind: 'pass' }));
      const seen = through.proxy.stats.faults.hold;
      const dropping = through.store.deleteCollection('p', name);
      await untilHeld(through.proxy, seen);
      // WHEN another instance's write changes the lists meanwhile (they split, or the first are trained)
      await store.upsert('p', name, rowsOf(base.slice(first, first + 150)));
      expect(await listCount(name)).toBeGreaterThan(lists ?? 0);
      // AND the drop's transaction goes through, and the purge runs
      release();
      await dropping;
      while ((await store.purgeDropped()).remaining);
      // THEN the tables hold nothing of the collection but the claim of its uid
      const after = await countItems(db.client, db.tables);
      expect(after).toEqual({ ...before, metadata: before.metadata + 1 });
    });

    it('a query whose list reads fail after its join took the gathered queries gives them back to the next query\'s join', async () => {
      // GIVEN a collection in lists, and an instance that has served the queries of a first setting, up to its eighth wide one
      // (a sampler of the collection's seed places them as the instance's does)
      await store.createCollection('p', { name: 'lost-join', dimension: data.dimension, indexMethod: 'ivf', seed: 10 });
      await store.upsert('p', 'lost-join', rowsOf(base.slice(0, 200)));
      const serve = (i: number) => through.store.query('p', 'lost-join', { vector: data.vectors[base[i]], topK: 10 });
      const twin = new CalibrationSampler(10);
      for (let i = 0, gathered = 0; gathered < FIRST_CALIBRATION_QUERIES; i++) {
        if (twin.wide(undefined)) gathered++;
        await serve(i);
      }
      expect((await store.getCollection('p', 'lost-join')).queryPlan.calibratedBy).toBeUndefined();
      // WHEN its next query, which joins them, reads the window but its list reads fail
      let reads = 0;
      through.proxy.setPolicy((op) => (op === 'GetItem' ? (reads++, { kind: 'pass' }) : op === 'Query' ? { kind: 'server-error', status: 500 } : { kind: 'pass' }));
      await expect(serve(100)).rejects.toThrow();
      expect(reads).toBe(1);
      expect((await store.getCollection('p', 'lost-join')).queryPlan.calibratedBy).toBeUndefined();
      // AND it serves one query more
      through.proxy.setPolicy(() => ({ kind: 'pass' }));
      await serve(101);
      // THEN that query's join holds them: the setting rests on the queries gathered before the failure
      expect((await store.getCollection('p', 'lost-join')).queryPlan.calibratedBy).toBe(FIRST_CALIBRATION_QUERIES);
    });

    it.each([
      ['its copy fails', 'BatchWriteItem', 1, 'server-error'],
      ['the answer to its switch is lost', 'TransactWriteItems', 1, 'drop-after'],
      ['its delete fails after the switch', 'BatchWriteItem', 2, 'server-error'],
    ] as const)('a split that fails (%s) hides no vector, and a retry and a repair leave one entry per vector', async (_, operation, nth, kind) => {
      // GIVEN 3 lists of at most 64 entries, and a batch that overfills them, whose split fails once at `operation`
      const name = `split-${kind}-${nth}`;
      await store.createCollection('p', { name, dimension: data.dimension, indexMethod: 'ivf', listSize: 64, seed: 2 });
      await store.upsert('p', name, rowsOf(base.slice(0, 100)));
      // (the batch's items land with the counter in TransactWriteItems calls; the first Query after them is the split's count)
      let phase: 'write' | 'written' | 'split' = 'write';
      let left = nth;
      through.proxy.setPolicy((op) => {
        if (op === 'TransactWriteItems' && phase === 'write') phase = 'written';
        else if (op === 'Query' && phase === 'written') phase = 'split';
        return phase === 'split' && op === operation && left-- === 1 ? (kind === 'drop-after' ? { kind } : { kind, status: 500 }) : { kind: 'pass' };
      });
      const batch = rowsOf(base.slice(100, 250));
      await expect(through.store.upsert('p', name, batch)).rejects.toThrow();
      // THEN every vector written is in a list that a query reading every list finds, from either instance
      for (const s of [store, through.store]) {
        const { stats } = await s.query('p', name, { vector: data.vectors[queries[2]], topK: 10, probes: 64 });
        expect(stats.candidates).toBe(250);
      }
      // WHEN the client sends the batch again, and an administrator repairs the collection
      through.proxy.setPolicy(() => ({ kind: 'pass' }));
      await through.store.upsert('p', name, batch);
      await store.repairCollection('p', name);
      // THEN each vector has exactly one entry, and the lists did split
      const scan = await scanCollection(db.client, db.tables, await store.getCollection('p', name));
      expect(scan.ids).toHaveLength(250);
      expect(scan.orphans).toEqual([]);
      expect(scan.missing).toEqual([]);
      expect((await store.query('p', name, { vector: data.vectors[queries[2]], topK: 10, probes: 64 })).stats.bucketReads).toBeGreaterThan(3);
    });
  });
});
