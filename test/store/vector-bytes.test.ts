// Tests how vector items hold their vectors (`vector-bytes.ts`): bit for bit back, deflated only
// when shorter, and read back through the store from DynamoDB Local either way.
import { randomBytes } from 'node:crypto';
import { deflateRawSync } from 'node:zlib';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import fc from 'fast-check';
import { vectorToBytes } from '../../lambda/core/vector';
import { vectorKey } from '../../lambda/store/key-format';
import { itemSize, vectorItem } from '../../lambda/store/layout';
import { WhiplashStore } from '../../lambda/store/store';
import { storedVectorBytes, vectorAttribute } from '../../lambda/store/vector-bytes';
import { loadMiniLm } from '../support/minilm';
import { useTestTables } from '../support/tables';

const data = loadMiniLm();

/** A MiniLM embedding quantized to steps of 1/64, as int8 embeddings stored as float32 are. */
const quantized = (v: Float32Array) => v.map((x) => Math.round(x * 64) / 64);

const roundTrip = (bytes: Uint8Array) => storedVectorBytes(vectorAttribute(bytes));

describe('vector bytes', () => {
  it('gives back every float32 vector bit for bit, NaN payloads, -0 and subnormals included (property)', () => {
    fc.assert(
      fc.property(fc.float32Array({ minLength: 1, maxLength: 300 }), fc.nat(3), (v, repeat) => {
        // a repeated vector deflates, a short one may not: both attributes are exercised
        const bytes = vectorToBytes(Float32Array.from({ length: v.length * (repeat + 1) }, (_, i) => v[i % v.length]));
        expect(Buffer.from(roundTrip(bytes)!).equals(Buffer.from(bytes))).toBe(true);
      }),
    );
  });

  it('deflates a vector of few distinct values, and keeps one that would not shrink as it is', () => {
    // GIVEN a quantized real embedding, a dense one, and bytes with nothing to deflate
    const q = vectorToBytes(quantized(data.vectors[0]));
    const noise = new Uint8Array(randomBytes(data.dimension * 4));
    // WHEN each is held as a vector item holds it
    const [qa, na] = [vectorAttribute(q), vectorAttribute(noise)];
    // THEN the quantized one is deflated to under half, the noise kept as `v`; both come back whole
    expect(qa.v).toBeUndefined();
    expect(qa.vz.B!.byteLength).toBeLessThan(q.byteLength / 2);
    expect(na).toEqual({ v: { B: noise } });
    expect(Buffer.from(storedVectorBytes(qa)!).equals(Buffer.from(q))).toBe(true);
    for (const v of data.vectors.slice(0, 50)) expect(Buffer.from(roundTrip(vectorToBytes(v))!).equals(Buffer.from(vectorToBytes(v)))).toBe(true);
  });

  it('reads a tombstone or a projection without the vector as no vector, and rejects a vz that is not float32 values', () => {
    expect(storedVectorBytes({ sk: { S: 'a' } })).toBeUndefined();
    const zeros = vectorAttribute(new Uint8Array(3000)).vz.B!;
    expect(() => storedVectorBytes({ vz: { B: deflateRawSync(new Uint8Array(3)) } })).toThrow(/not whole float32 values/);
    expect(storedVectorBytes({ vz: { B: zeros } })!.byteLength).toBe(3000);
  });
});

describe('vector items on DynamoDB Local', () => {
  const db = useTestTables();
  let store: WhiplashStore;

  beforeAll(async () => {
    store = new WhiplashStore(db);
    await store.createProject({ projectId: 'vb' });
  });

  it('stores quantized vectors deflated, in fewer write units, and gives them back exact through reads, lists and queries', async () => {
    // GIVEN a collection of quantized embeddings and one of dense ones
    const rows = Array.from({ length: 120 }, (_, i) => i);
    const info = await store.createCollection('vb', { name: 'q', dimension: data.dimension, metric: 'cosine', seed: 3 });
    const vectors = rows.map((r) => quantized(data.vectors[r]));
    // WHEN they are upserted
    await store.upsert('vb', 'q', rows.map((r, i) => ({ id: data.ids[r], vector: Array.from(vectors[i]) })));
    // THEN each item holds its vector deflated, in an item under 1 KB (one write unit, not two)
    const key = vectorKey(info.uid, data.ids[0]);
    const raw = (await db.client.send(new GetItemCommand({ TableName: db.tables.vectors, Key: { pk: { S: key.pk }, sk: { S: key.sk } } }))).Item!;
    expect(raw.v).toBeUndefined();
    expect(itemSize(raw)).toBeLessThanOrEqual(1024);
    const { vz, ...rest } = raw;
    expect(vz.B).toBeDefined();
    expect(itemSize({ ...rest, v: { B: vectorToBytes(vectors[0]) } })).toBeGreaterThan(1024);
    // AND reads, lists and queries give back the float32 values exactly
    const got = await store.getVectors('vb', 'q', rows.slice(0, 5).map((r) => data.ids[r]));
    expect(got.map((g) => g.vector)).toEqual(rows.slice(0, 5).map((_, i) => Array.from(vectors[i])));
    const page = await store.listItems('vb', 'q', { limit: 100, includeVector: true });
    expect(page.vectors).toHaveLength(100);
    for (const item of page.vectors!) expect(item.vector).toEqual(Array.from(vectors[rows.findIndex((r) => data.ids[r] === item.id)]));
    const { matches } = await store.query('vb', 'q', { vector: vectors[7], topK: 1, includeVector: true });
    expect(matches[0].id).toBe(data.ids[7]);
    expect(matches[0].vector).toEqual(Array.from(vectors[7]));
    // AND a metadata update writes the vector back unchanged
    const updated = await store.updateMetadata('vb', 'q', data.ids[7], { metadata: { tag: 'x' } });
    expect(updated.vector).toEqual(Array.from(vectors[7]));
    expect((await store.getVectors('vb', 'q', [data.ids[7]]))[0].vector).toEqual(Array.from(vectors[7]));
  });

  it('sizes a vector item as the store writes it', () => {
    const bytes = vectorToBytes(quantized(data.vectors[1]));
    const item = vectorItem('AAAAAAAA', 'id', bytes, new Uint32Array(8), undefined, new Uint8Array(8));
    expect(item.vz).toBeDefined();
    const { vz, ...rest } = item;
    expect(vz).toBeDefined();
    expect(itemSize(item)).toBeLessThan(itemSize({ ...rest, v: { B: bytes } }));
  });
});
