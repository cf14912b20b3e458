// Tests metadata in two parts on real data (the MiniLM embeddings npm ci installs, with their chunks'
// texts): non-filterable keys stay out of bucket entries and re-ranked items, come back whole with
// the results, and follow every write of their vector (replace, PATCH, delete, purge), through
// failures between steps and concurrent writes.
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { logger } from '../../lambda/api/logger';
import { ValidationError } from '../../lambda/core/errors';
import { MAX_FILTERABLE_METADATA_BYTES, MAX_METADATA_BYTES } from '../../lambda/core/limits';
import type { CollectionInfo, Metadata } from '../../lambda/core/types';
import type { Item } from '../../lambda/store/batch';
import { WhiplashStore } from '../../lambda/store/store';
import { scanCollection } from '../support/invariants';
import { loadMiniLm } from '../support/minilm';
import { useFaultyStore } from '../support/faulty-store';
import { countItems, testClient, useTestTables } from '../support/tables';

const data = loadMiniLm();
const ROWS = 150;
const vec = (i: number) => Array.from(data.vectors[i]);

/** A chunk's filterable metadata and, cut to fit the 40 KiB limit, its text. */
function metadataOf(i: number): Metadata {
  const filterable = { source: data.sources[i], wordCount: data.wordCounts[i] };
  let text = data.texts[i];
  while (Buffer.byteLength(JSON.stringify({ ...filterable, text }), 'utf8') > MAX_METADATA_BYTES) text = text.slice(0, Math.floor(text.length * 0.9));
  return { ...filterable, text };
}

function refusal(p: Promise<unknown>): Promise<ValidationError> {
  return p.then(
    () => {
      throw new Error('was accepted');
    },
    (err: unknown) => {
      if (err instanceof ValidationError) return err;
      throw err;
    },
  );
}

describe('non-filterable metadata', () => {
  const db = useTestTables();
  let store: WhiplashStore;
  let info: CollectionInfo;
  const rows = Array.from({ length: ROWS }, (_, i) => ({ id: data.ids[i], vector: vec(i), metadata: metadataOf(i) }));

  const scanTable = async (TableName: string): Promise<Item[]> => {
    const items: Item[] = [];
    let ExclusiveStartKey: Item | undefined;
    do {
      const page = await db.client.send(new ScanCommand({ TableName, ExclusiveStartKey, ConsistentRead: true }));
      items.push(...(page.Items ?? []));
      ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey);
    return items;
  };

  beforeAll(async () => {
    logger.setLogLevel('ERROR');
    store = new WhiplashStore(db);
    await store.createProject({ projectId: 'p' });
    // GIVEN: a collection that keeps `text` apart, and its twin without texts, on the same seed
    info = await store.createCollection('p', { name: 'docs', dimension: data.dimension, seed: 7, metadataConfiguration: { nonFilterableMetadataKeys: ['text'] } });
    await store.createCollection('p', { name: 'bare', dimension: data.dimension, seed: 7 });
    for (let b = 0; b < ROWS; b += 100) {
      await store.upsert('p', 'docs', rows.slice(b, b + 100));
      await store.upsert('p', 'bare', rows.slice(b, b + 100).map((r) => ({ ...r, metadata: { source: r.metadata.source, wordCount: r.metadata.wordCount } })));
    }
  });

  it('describes the collection with its metadata configuration', async () => {
    expect((await store.getCollection('p', 'docs')).metadataConfiguration).toEqual({ nonFilterableMetadataKeys: ['text'] });
    expect((await store.getCollection('p', 'bare')).metadataConfiguration).toBeUndefined();
  });

  it('keeps the texts out of every bucket entry and vector item, in one payload item per vector', async () => {
    const texts = rows.map((r) => r.metadata.text as string);
    const holdsText = (i: Item) => i.m?.S !== undefined && (JSON.parse(i.m.S) as Metadata).text !== undefined;
    const vectors = (await scanTable(db.tables.vectors)).filter((i) => i.pk.S!.startsWith(`${info.uid}#`));
    expect(vectors).toHaveLength(ROWS);
    expect(vectors.filter(holdsText)).toEqual([]);
    const buckets = (await scanTable(db.tables.buckets)).filter((i) => i.pk.S!.startsWith(info.uid));
    expect(buckets.length).toBe(ROWS * info.index.hashTables);
    expect(buckets.filter(holdsText)).toEqual([]);
    const scan = await scanCollection(db.client, db.tables, info);
    expect(scan.payloads).toHaveLength(ROWS);
    expect(new Set(scan.payloads.map((p) => (JSON.parse(p.m.S!) as Metadata).text))).toEqual(new Set(texts));
    expect({ orphans: scan.orphans, missing: scan.missing, unsettled: scan.unsettled }).toEqual({ orphans: [], missing: [], unsettled: [] });
  });

  it('returns each result whole with includeMetadata, in a third round trip; without it, reads as the collection without texts does', async () => {
    // (at a given nprobe: without one, a collection's own queries calibrate it, reading wide one query in a few, and the two collections serve different counts)
    const read = { topK: 10, probes: 4 };
    for (const q of [3, 50, 120]) {
      // WHEN: the same query runs on both collections, with and without metadata
      const plain = await store.query('p', 'docs', { vector: vec(q), ...read });
      const bare = await store.query('p', 'bare', { vector: vec(q), ...read });
      const full = await store.query('p', 'docs', { vector: vec(q), ...read, includeMetadata: true });
      // THEN: the same results; the texts come back only when asked for, and cost no read of what ranks
      expect(plain.matches.map((m) => m.id)).toEqual(bare.matches.map((m) => m.id));
      expect(full.matches.map((m) => m.id)).toEqual(plain.matches.map((m) => m.id));
      expect(plain.matches.every((m) => m.metadata === undefined)).toBe(true);
      for (const m of full.matches) expect(m.metadata).toEqual(rows.find((r) => r.id === m.id)!.metadata);
      expect(plain.stats).toMatchObject({ roundTrips: 2, entriesRead: bare.stats.entriesRead, reranked: bare.stats.reranked });
      expect(plain.stats.readUnits).toBeLessThanOrEqual(bare.stats.readUnits * 1.1);
      expect(full.stats.roundTrips).toBe(3);
      expect(full.stats.readUnits).toBeGreaterThan(plain.stats.readUnits);
    }
  });

  it('returns the whole metadata from get and list', async () => {
    const ids = [rows[0].id, rows[7].id];
    const got = await store.getVectors('p', 'docs', ids);
    expect(got.map((v) => v.metadata)).toEqual([rows[0].metadata, rows[7].metadata]);
    const page = await store.listItems('p', 'docs', { limit: 20, includeMetadata: true });
    expect(page.vectors).toHaveLength(20);
    for (const v of page.vectors!) expect(v.metadata).toEqual(rows.find((r) => r.id === v.id)!.metadata);
  });

  it('refuses a filter on a non-filterable key, and metadata over either limit, naming the field; nothing changes', async () => {
    const before = await countItems(db.client, db.tables);
    const filterErr = await refusal(store.query('p', 'docs', { vector: vec(0), filter: { $or: [{ source: 'x' }, { text: { $exists: true } }] } }));
    expect(filterErr.field).toBe('filter.$or[1].text');
    expect(filterErr.rule).toMatch(/non-filterable/);
    expect((await refusal(store.deleteByFilter('p', 'docs', { text: 'a' }))).field).toBe('filter.text');
    const tooLarge = { ...rows[1].metadata, text: 'x'.repeat(MAX_METADATA_BYTES) };
    const total = await refusal(store.upsert('p', 'docs', [rows[0], { ...rows[1], metadata: tooLarge }]));
    expect(total.field).toBe('vectors[1].metadata');
    expect(total.rule).toMatch(new RegExp(`^must be at most ${MAX_METADATA_BYTES} bytes`));
    const wideFilterable = { ...rows[1].metadata, note: 'y'.repeat(MAX_FILTERABLE_METADATA_BYTES) };
    expect((await refusal(store.upsert('p', 'docs', [{ ...rows[1], metadata: wideFilterable }]))).rule).toMatch(/^filterable keys must be at most/);
    // a collection that declares no non-filterable key keeps every key filterable, within 2 KiB
    const bare = await refusal(store.upsert('p', 'bare', [{ ...rows[1] }]));
    expect(bare.rule).toMatch(/^filterable keys must be at most .*nonFilterableMetadataKeys/);
    expect((await refusal(store.updateMetadata('p', 'docs', rows[2].id, { metadata: { text: 'z'.repeat(MAX_METADATA_BYTES) } }))).field).toBe('metadata');
    expect(await countItems(db.client, db.tables)).toEqual(before);
  });

  it('a metadata update keeps the text it does not touch, replaces the one it sets, and leaves no stale payload', async () => {
    const [a, b] = [rows[10], rows[11]];
    // WHEN: a merge changes a filterable key only, and another sets a new text
    const kept = await store.updateMetadata('p', 'docs', a.id, { metadata: { wordCount: 1 } });
    const changed = await store.updateMetadata('p', 'docs', b.id, { metadata: { text: 'a new text' } });
    // THEN: both come back whole, from the update and from a read
    expect(kept.metadata).toEqual({ ...a.metadata, wordCount: 1 });
    expect(changed.metadata).toEqual({ ...b.metadata, text: 'a new text' });
    expect((await store.getVectors('p', 'docs', [a.id, b.id])).map((v) => v.metadata)).toEqual([kept.metadata, changed.metadata]);
    // a filter sees the new filterable value
    const found = await store.query('p', 'docs', { vector: vec(10), topK: 1, filter: { wordCount: 1 }, includeMetadata: true });
    expect(found.matches.map((m) => [m.id, m.metadata])).toEqual([[a.id, kept.metadata]]);
    // removing the text leaves no payload for the vector
    await store.updateMetadata('p', 'docs', b.id, { metadata: { text: null } });
    expect((await store.getVectors('p', 'docs', [b.id]))[0].metadata).toEqual({ source: b.metadata.source, wordCount: b.metadata.wordCount });
    const scan = await scanCollection(db.client, db.tables, info);
    expect(scan.payloads).toHaveLength(ROWS - 1);
    expect({ orphans: scan.orphans, missing: scan.missing, unsettled: scan.unsettled }).toEqual({ orphans: [], missing: [], unsettled: [] });
  });

  it('a replace and a delete take the old payloads with them; a dropped collection is purged of them', async () => {
    // WHEN: one vector is written again with another text, one is deleted
    await store.upsert('p', 'docs', [{ ...rows[20], metadata: { ...rows[20].metadata, text: 'replaced' } }]);
    await store.deleteVectors('p', 'docs', [rows[21].id]);
    // THEN: one payload per live vector with a text, each its current version's
    expect((await store.getVectors('p', 'docs', [rows[20].id]))[0].metadata.text).toBe('replaced');
    const scan = await scanCollection(db.client, db.tables, info);
    expect(scan.payloads).toHaveLength(ROWS - 2);
    expect({ orphans: scan.orphans, missing: scan.missing, unsettled: scan.unsettled }).toEqual({ orphans: [], missing: [], unsettled: [] });
    // and a dropped collection's purge leaves none of its items
    await store.deleteCollection('p', 'docs');
    while ((await store.purgeDropped()).remaining);
    expect((await scanCollection(db.client, db.tables, info)).items).toBe(0);
  });
});

describe('non-filterable metadata under failures and concurrent writes', () => {
  const db = useTestTables();
  const through = useFaultyStore(db);
  let store: WhiplashStore;
  let info: CollectionInfo;

  beforeAll(async () => {
    logger.setLogLevel('ERROR');
    store = new WhiplashStore(db);
    await store.createProject({ projectId: 'p' });
    info = await store.createCollection('p', { name: 'f', dimension: data.dimension, metadataConfiguration: { nonFilterableMetadataKeys: ['text', 'title'] } });
    await store.upsert('p', 'f', Array.from({ length: 40 }, (_, i) => ({ id: `v${i}`, vector: vec(i), metadata: { n: i, text: `text ${i}` } })));
  });
  async function clean(): Promise<void> {
    const scan = await scanCollection(testClient(), db.tables, info);
    expect(scan).toMatchObject({ orphans: [], missing: [], unsettled: [] });
  }
  const textOf = async (id: string) => (await store.getVectors('p', 'f', [id]))[0].metadata.text;

  it('a replace that fails before its item lands leaves the old text in place; its retry lands the new one and nothing else', async () => {
    // GIVEN: the write of the item fails (DynamoDB never sees it), after the new payload was put
    through.proxy.setPolicy((op) => (op === 'PutItem' ? { kind: 'server-error', status: 500 } : { kind: 'pass' }));
    const write = [{ id: 'v3', vector: vec(3), metadata: { n: 3, text: 'new text', title: 'a title' } }];
    await expect(through.store.upsert('p', 'f', write)).rejects.toThrow();
    through.proxy.setPolicy(() => ({ kind: 'pass' }));
    // THEN: readers see the old version whole, from get and from a search
    expect(await textOf('v3')).toBe('text 3');
    const before = await store.query('p', 'f', { vector: vec(3), topK: 1, includeMetadata: true });
    expect(before.matches[0].metadata).toEqual({ n: 3, text: 'text 3' });
    // WHEN: the client sends it again
    await through.store.upsert('p', 'f', write);
    // THEN: the new version, and no payload left of either attempt or of the old version
    expect((await store.getVectors('p', 'f', ['v3']))[0].metadata).toEqual(write[0].metadata);
    await clean();
  });

  it('a failed write that is never retried leaves a payload no read sees, which a repair removes', async () => {
    through.proxy.setPolicy((op) => (op === 'PutItem' ? { kind: 'server-error', status: 500 } : { kind: 'pass' }));
    await expect(through.store.upsert('p', 'f', [{ id: 'v4', vector: vec(4), metadata: { n: 4, text: 'never acknowledged' } }])).rejects.toThrow();
    through.proxy.setPolicy(() => ({ kind: 'pass' }));
    expect(await textOf('v4')).toBe('text 4');
    expect((await scanCollection(testClient(), db.tables, info)).orphans.length).toBeGreaterThan(0);
    const report = await store.repairCollection('p', 'f');
    expect(report.orphansRemoved).toBeGreaterThan(0);
    await clean();
    expect(await textOf('v4')).toBe('text 4');
  });

  it('concurrent writes of one vector with the same filterable metadata and different texts leave one version whole', async () => {
    // WHEN: four writes of v9 at once, equal but for the text (each may lose races and rebuild)
    const texts = [0, 1, 2, 3].map((k) => `text ${k} of v9`);
    await Promise.all(texts.map((text) => store.upsert('p', 'f', [{ id: 'v9', vector: vec(9), metadata: { n: 9, text } }])));
    // THEN: the stored text is one of them, the search returns the same, and no payload is left over
    const stored = await textOf('v9');
    expect(texts).toContain(stored);
    const found = await store.query('p', 'f', { vector: vec(9), topK: 1, includeMetadata: true });
    expect(found.matches[0]).toMatchObject({ id: 'v9', metadata: { n: 9, text: stored } });
    await clean();
  });
});
