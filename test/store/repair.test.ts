// Tests the repair of a collection damaged as failed requests (or versions before the write
// protocol) left it: orphaned entries, a replace and a delete stopped part way, a wrong count;
// through the store and through the admin route, which needs the admin key.
import { BatchWriteItemCommand, GetItemCommand, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { createAdminHandler } from '../../lambda/api/handlers/admin';
import { logger } from '../../lambda/api/logger';
import { NotFoundError } from '../../lambda/core/errors';
import { Hasher } from '../../lambda/core/hasher';
import { packSketch } from '../../lambda/core/sketch-format';
import { counterKey, entryToken, vectorKey } from '../../lambda/store/key-format';
import { bucketEntryItem, bucketVersionToBytes } from '../../lambda/store/layout';
import { WhiplashStore } from '../../lambda/store/store';
import { LocalKeyIssuer } from '../../lib/local/local-keys';
import { scanCollection } from '../support/invariants';
import { loadMiniLm } from '../support/minilm';
import { useTestTables } from '../support/tables';

const data = loadMiniLm();
const vec = (i: number) => Array.from(data.vectors[i]);

describe('repairing a damaged collection', () => {
  const db = useTestTables();
  let store: WhiplashStore;

  beforeAll(async () => {
    logger.setLogLevel('ERROR');
    store = new WhiplashStore(db);
    await store.createProject({ projectId: 'p' });
  });

  /** Writes damage into the tables directly, as failures between a request's steps leave it. */
  async function damage(name: string): Promise<void> {
    const info = await store.getCollection('p', name);
    const hasher = new Hasher(info.dimension, info.metric, info.index, info.seed, info.prngVersion, Float32Array.from((await collectionCentre(name)) ?? []));
    const { uid } = info;
    const { partitionBits, hashTables } = info.index;
    // 1. orphans: the entries of a vector whose item was never written (an upsert stopped after step 1)
    const ghost = hasher.encode(Float32Array.from(vec(100)));
    const orphanEntries = Array.from({ length: hashTables }, (_, t) => bucketEntryItem(uid, partitionBits, t, ghost.codes[t], 'ghost', packSketch(ghost)));
    // 2. a replace stopped before its stale entries went: old entries of 'a1' (of some earlier version) and the record of them
    const old = hasher.encode(Float32Array.from(vec(101)));
    const oldToken = entryToken(Uint8Array.from([1, 2, 3]));
    const stale = Array.from({ length: hashTables }, (_, t) => bucketEntryItem(uid, partitionBits, t, old.codes[t], 'a1', packSketch(old), undefined, oldToken));
    for (let i = 0; i < orphanEntries.length + stale.length; i += 25) {
      const chunk = [...orphanEntries, ...stale].slice(i, i + 25);
      await db.client.send(new BatchWriteItemCommand({ RequestItems: { [db.tables.buckets]: chunk.map((Item) => ({ PutRequest: { Item } })) } }));
    }
    const a1 = vectorKey(uid, 'a1');
    await db.client.send(
      new UpdateItemCommand({ TableName: db.tables.vectors, Key: { pk: { S: a1.pk }, sk: { S: a1.sk } }, UpdateExpression: 'ADD o :o', ExpressionAttributeValues: { ':o': { BS: [bucketVersionToBytes({ codes: old.codes, token: oldToken })] } } }),
    );
    // 3. a delete stopped after its tombstone: 'a2' is marked, its entries still there
    const a2 = vectorKey(uid, 'a2');
    await db.client.send(new UpdateItemCommand({ TableName: db.tables.vectors, Key: { pk: { S: a2.pk }, sk: { S: a2.sk } }, UpdateExpression: 'SET t = :t', ExpressionAttributeValues: { ':t': { BOOL: true } } }));
    // 4. a live vector that lost 3 of its bucket entries (a concurrent write's cleanup deleted keys it had just rewritten)
    const lost = hasher.encode(Float32Array.from(vec(5)));
    const a5 = vectorKey(uid, 'a5');
    const a5Item = await db.client.send(new GetItemCommand({ TableName: db.tables.vectors, Key: { pk: { S: a5.pk }, sk: { S: a5.sk } } }));
    const lostKeys = [0, 1, 2].map((t) => bucketEntryItem(uid, partitionBits, t, lost.codes[t], 'a5', packSketch(lost), undefined, entryToken(a5Item.Item!.f.B!)));
    await db.client.send(new BatchWriteItemCommand({ RequestItems: { [db.tables.buckets]: lostKeys.map((e) => ({ DeleteRequest: { Key: { pk: e.pk, sk: e.sk } } })) } }));
    // 5. a count off by 7
    const counter = counterKey('p', name);
    await db.client.send(new PutItemCommand({ TableName: db.tables.metadata, Item: { pk: { S: counter.pk }, sk: { S: counter.sk }, uid: { S: uid }, n: { N: '17' } } }));
  }

  async function collectionCentre(name: string): Promise<number[] | undefined> {
    // the centre is set by the first write; read it back through a fresh store's view of the config
    const { GetItemCommand } = await import('@aws-sdk/client-dynamodb');
    const out = await db.client.send(new GetItemCommand({ TableName: db.tables.metadata, Key: { pk: { S: 'P#p' }, sk: { S: `C#${name}` } } }));
    const b = out.Item?.centre?.B;
    return b ? Array.from(new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength))) : undefined;
  }

  it('finishes stopped replaces and deletes, removes orphans and recounts, and a second run finds nothing', async () => {
    // GIVEN: a collection of 10 vectors in hash tables, damaged (lists-layout.test repairs lists)
    await store.createCollection('p', { name: 'hurt', dimension: 384, indexMethod: 'lsh' });
    await store.upsert('p', 'hurt', Array.from({ length: 10 }, (_, i) => ({ id: `a${i}`, vector: vec(i) })));
    await damage('hurt');
    const before = await scanCollection(db.client, db.tables, await store.getCollection('p', 'hurt'));
    expect(before.orphans.length).toBeGreaterThan(0);
    expect(before.unsettled.sort()).toEqual(['a1', 'a2']);
    expect(before.missing).toHaveLength(3);
    // WHEN
    const report = await store.repairCollection('p', 'hurt');
    // THEN: 9 live vectors (a2 was being deleted), nothing unsettled, no orphan, the count right
    expect(report).toMatchObject({ vectorCount: 9, settled: 1, finishedDeletes: 1, entriesRestored: 3 });
    expect(report.orphansRemoved).toBeGreaterThanOrEqual((await store.getCollection('p', 'hurt')).index.hashTables); // the ghost's entries at least
    const after = await scanCollection(db.client, db.tables, await store.getCollection('p', 'hurt'));
    expect(after).toMatchObject({ orphans: [], missing: [], unsettled: [] });
    expect(after.ids).toEqual(['a0', 'a1', 'a3', 'a4', 'a5', 'a6', 'a7', 'a8', 'a9']);
    expect((await store.getCollection('p', 'hurt')).vectorCount).toBe(9);
    const hits = await store.query('p', 'hurt', { vector: vec(1), topK: 3 });
    expect(hits.matches[0].id).toBe('a1');
    expect(await store.repairCollection('p', 'hurt')).toEqual({ vectorCount: 9, settled: 0, finishedDeletes: 0, orphansRemoved: 0, filterIndexed: 0, entriesRestored: 0 });
    await expect(store.repairCollection('p', 'nope')).rejects.toBeInstanceOf(NotFoundError);
  });

  it('is an admin route: the admin key repairs, a project key is refused', async () => {
    await store.createCollection('p', { name: 'route', dimension: 384 });
    await store.upsert('p', 'route', [{ id: 'x', vector: vec(3) }]);
    await store.bindApiKey({ apiKeyId: 'project-key', projectId: 'p' });
    const admin = createAdminHandler({ store, adminKeyId: 'admin-key', keyIssuer: new LocalKeyIssuer() });
    const event = (apiKeyId: string): APIGatewayProxyEvent =>
      ({
        resource: '/projects/{projectId}/collections/{collectionId}/repair',
        path: '/projects/p/collections/route/repair',
        httpMethod: 'POST',
        headers: {},
        multiValueHeaders: {},
        queryStringParameters: null,
        multiValueQueryStringParameters: null,
        pathParameters: { projectId: 'p', collectionId: 'route' },
        stageVariables: null,
        body: null,
        isBase64Encoded: false,
        requestContext: { requestId: 'r', identity: { apiKeyId } },
      }) as never;
    const ok = await admin(event('admin-key'));
    expect(ok.statusCode).toBe(200);
    expect(JSON.parse(ok.body)).toEqual({ vectorCount: 1, settled: 0, finishedDeletes: 0, orphansRemoved: 0, filterIndexed: 0, entriesRestored: 0 });
    expect((await admin(event('project-key'))).statusCode).toBe(403);
  });
});
