// A concurrency battery on DynamoDB Local: several store instances upserting and deleting the same
// ids at once, a collection dropped and re-created under writes, and batches failing part way and
// retried; after each run the tables are scanned for orphans, missing entries and a wrong count.
import { NotFoundError, ServiceUnavailableError, ValidationError } from '../../lambda/core/errors';
import type { CollectionInfo } from '../../lambda/core/types';
import { WhiplashStore } from '../../lambda/store/store';
import { randomFaults, seededRandom } from '../reliability/ddb-fault-proxy';
import { scanCollection } from '../support/invariants';
import { loadMiniLm } from '../support/minilm';
import { holdGate, useFaultyStore } from '../support/faulty-store';
import { testClient, useTestTables } from '../support/tables';

const data = loadMiniLm();
const vec = (i: number) => Array.from(data.vectors[i % data.vectors.length]);

describe('many store instances over one set of tables', () => {
  const db = useTestTables();
  let stores: WhiplashStore[];

  beforeAll(async () => {
    stores = Array.from({ length: 3 }, () => new WhiplashStore(db));
    await stores[0].createProject({ projectId: 'p' });
  });

  it('concurrent upserts and deletes of the same ids leave no orphan, no missing entry and an exact count', async () => {
    // GIVEN: a collection and 24 ids that twelve workers on three instances write and delete at once,
    // 16 times each: enough for writers of one id to meet again and again
    await stores[0].createCollection('p', { name: 'race', dimension: 384 });
    const ids = Array.from({ length: 24 }, (_, i) => `id${i}`);
    const rnd = seededRandom(7);
    const pick = () => ids.filter(() => rnd() < 0.4);
    // WHEN
    await Promise.all(
      Array.from({ length: 12 }, async (_, w) => {
        const store = stores[w % stores.length];
        for (let round = 0; round < 16; round++) {
          const some = pick();
          if (some.length === 0) continue;
          if (rnd() < 0.65) await store.upsert('p', 'race', some.map((id) => ({ id, vector: vec(Math.floor(rnd() * 700)), metadata: { w, round } })));
          else await store.deleteVectors('p', 'race', some);
        }
      }),
    );
    // THEN
    const info = await stores[1].getCollection('p', 'race');
    const scan = await scanCollection(db.client, db.tables, info);
    expect(scan.orphans).toEqual([]);
    expect(scan.missing).toEqual([]);
    expect(scan.unsettled).toEqual([]);
    expect(info.vectorCount).toBe(scan.ids.length);
    expect((await stores[2].getVectors('p', 'race', ids)).map((v) => v.id).sort()).toEqual(scan.ids);
  });

  it('a collection dropped and re-created while writes are in flight keeps the invariants and leaves nothing of the old one', async () => {
    // GIVEN: a writer on instance 0 upserting batches in a loop
    await stores[0].createCollection('p', { name: 'churn', dimension: 384 });
    const dead: CollectionInfo[] = [];
    let stop = false;
    const writer = (async () => {
      for (let i = 0; !stop; i++) {
        try {
          await stores[0].upsert('p', 'churn', Array.from({ length: 20 }, (_, j) => ({ id: `v${(i * 7 + j) % 60}`, vector: vec(i * 20 + j) })));
        } catch (err) {
          // the collection was gone or changed for a moment: refused, nothing acknowledged
          if (!(err instanceof NotFoundError || err instanceof ValidationError)) throw err;
        }
      }
    })();
    // WHEN: instance 1 drops and re-creates it three times
    for (let k = 0; k < 3; k++) {
      await new Promise((r) => setTimeout(r, 150));
      dead.push(await stores[1].getCollection('p', 'churn'));
      await stores[1].deleteCollection('p', 'churn');
      await stores[1].createCollection('p', { name: 'churn', dimension: 384 });
    }
    await new Promise((r) => setTimeout(r, 150));
    stop = true;
    await writer;
    while ((await stores[2].purgeDropped()).remaining);
    // THEN: the live collection is consistent, and nothing is left of the dropped ones
    const info = await stores[2].getCollection('p', 'churn');
    const scan = await scanCollection(db.client, db.tables, info);
    expect(scan).toMatchObject({ orphans: [], missing: [], unsettled: [] });
    expect(info.vectorCount).toBe(scan.ids.length);
    for (const d of dead) expect((await scanCollection(db.client, db.tables, d)).items).toBe(0);
  });
});

/**
 * Fresh tables with project `p`, a store through a fault proxy (`through.store`) and one on a
 * direct client (`clean()`), for the tests of one `describe` block.
 */
function useProxiedAndDirectStores() {
  const db = useTestTables();
  const through = useFaultyStore(db);
  const ctx = {} as { clean: WhiplashStore };
  beforeAll(async () => {
    ctx.clean = new WhiplashStore({ client: testClient(), tables: db.tables });
    await ctx.clean.createProject({ projectId: 'p' });
  });
  return { db, through, clean: () => ctx.clean };
}

describe('batches failing part way, then retried', () => {
  const { db, through, clean: direct } = useProxiedAndDirectStores();
  let clean: WhiplashStore;

  beforeAll(async () => {
    clean = direct();
    await clean.createCollection('p', { name: 'f', dimension: 384 });
  });

  /** Polls `check` until it holds (at most 10 s). */
  async function until(check: () => Promise<boolean>): Promise<void> {
    for (let i = 0; i < 200 && !(await check()); i++) await new Promise((r) => setTimeout(r, 50));
  }

  /** Retries a request until it is acknowledged, as a client does after a 503 or a lost connection. */
  async function untilDone<T>(op: () => Promise<T>): Promise<{ result: T; failures: number }> {
    for (let failures = 0; ; failures++) {
      try {
        return { result: await op(), failures };
      } catch (err) {
        if (err instanceof NotFoundError || err instanceof ValidationError) throw err;
        if (failures > 200) throw err;
        expect(err instanceof ServiceUnavailableError || err instanceof Error).toBe(true);
      }
    }
  }

  it('replaces and deletes that fail between their steps and are retried leave every entry of a live item and nothing else', async () => {
    // GIVEN: writes through a proxy that drops connections after DynamoDB applied the request,
    // answers 500/503 or throttles, on about one write call in forty
    const writes = new Set(['BatchWriteItem', 'PutItem', 'UpdateItem', 'DeleteItem', 'TransactWriteItems']);
    const faults = randomFaults(11, { 'drop-after': 0.012, 'server-error': 0.008, throttle: 0.005 });
    through.proxy.setPolicy((op) => (writes.has(op) ? faults(op) : { kind: 'pass' }));
    const ids = Array.from({ length: 40 }, (_, i) => `r${i}`);
    let failures = 0;
    // WHEN: each id is written, replaced by another vector, and half of them deleted, each call retried until acknowledged
    for (let round = 0; round < 2; round++) {
      for (let b = 0; b < ids.length; b += 10) {
        // metadata that changes between rounds and repeats across ids: filter index entries move too
        const batch = ids.slice(b, b + 10).map((id, j) => ({ id, vector: vec(round * 300 + b + j), metadata: { round, part: (b + j) % 3, tags: [`r${round}`, 'all'] } }));
        failures += (await untilDone(() => through.store.upsert('p', 'f', batch))).failures;
      }
    }
    failures += (await untilDone(() => through.store.deleteVectors('p', 'f', ids.slice(0, 20)))).failures;
    through.proxy.setPolicy(() => ({ kind: 'pass' }));
    // THEN: some calls did fail, and yet the tables hold exactly the acknowledged state
    expect(failures).toBeGreaterThan(0);
    const info = await clean.getCollection('p', 'f');
    const scan = await scanCollection(db.client, db.tables, info);
    expect(scan).toMatchObject({ orphans: [], missing: [], unsettled: [] });
    expect(scan.ids).toEqual(ids.slice(20).sort());
    // the count is exact without a repair: an item became live or stopped being live only together with its count
    expect(info.vectorCount).toBe(20);
    const report = await clean.repairCollection('p', 'f');
    expect(report).toMatchObject({ vectorCount: 20, orphansRemoved: 0, settled: 0, finishedDeletes: 0 });
    expect((await clean.getCollection('p', 'f')).vectorCount).toBe(20);
    const stored = await clean.getVectors('p', 'f', ids);
    expect(stored.map((v) => v.id).sort()).toEqual(ids.slice(20).sort());
    for (const v of stored) expect(v.vector[0]).toBeCloseTo(vec(300 + ids.indexOf(v.id))[0], 5);
  });

  it('a request whose counted write landed but whose answer was lost is retried without counting twice or missing a count', async () => {
    // GIVEN: a proxy that drops the connection after DynamoDB applied the first write that makes
    // items live or not (a transaction; a PutItem or UpdateItem of the protocol before it)
    await clean.createCollection('p', { name: 'g', dimension: 384 });
    const armed = { on: true, ops: ['TransactWriteItems', 'PutItem'] };
    through.proxy.setPolicy((op) => (armed.on && armed.ops.includes(op) ? ((armed.on = false), { kind: 'drop-after' }) : { kind: 'pass' }));
    const batch = Array.from({ length: 30 }, (_, i) => ({ id: `g${i}`, vector: vec(900 + i) }));
    // WHEN: an upsert fails after its items and their count landed, and is retried
    await expect(through.store.upsert('p', 'g', batch)).rejects.toThrow();
    expect(armed.on).toBe(false);
    await through.store.upsert('p', 'g', batch);
    // THEN: each vector is counted once
    expect((await clean.getCollection('p', 'g')).vectorCount).toBe(30);
    // WHEN: a delete fails the same way after its tombstones and their count landed, and is retried
    Object.assign(armed, { on: true, ops: ['TransactWriteItems', 'UpdateItem'] });
    await expect(through.store.deleteVectors('p', 'g', batch.slice(0, 12).map((v) => v.id))).rejects.toThrow();
    expect(armed.on).toBe(false);
    const retried = await through.store.deleteVectors('p', 'g', batch.slice(0, 12).map((v) => v.id));
    // THEN: the retry finishes the deletes (found: the failed call acknowledged nothing) and they are counted once
    expect(retried.notFound).toEqual([]);
    const info = await clean.getCollection('p', 'g');
    expect(info.vectorCount).toBe(18);
    expect(await scanCollection(db.client, db.tables, info)).toMatchObject({ orphans: [], missing: [], unsettled: [] });
    expect((await clean.repairCollection('p', 'g')).vectorCount).toBe(18);
  });

  it("a replace's cleanup never deletes the entries a concurrent write of the replaced vector has just written", async () => {
    // GIVEN: id x holds vector A; a replace by vector B whose cleanup (the BatchWriteItem calls
    // after its item's PutItem) is held back by the proxy
    await clean.createCollection('p', { name: 'z', dimension: 384 });
    const [A, B] = [vec(40), vec(41)];
    await clean.upsert('p', 'z', [{ id: 'x', vector: A }]);
    await through.store.getCollection('p', 'z'); // warm: the held call is the replace's own
    let held = 0;
    let itemWritten = false;
    through.proxy.setPolicy((op) => {
      if (op === 'PutItem') itemWritten = true;
      return op === 'BatchWriteItem' && itemWritten ? (held++, { kind: 'delay', ms: 1500 }) : { kind: 'pass' };
    });
    const replace = through.store.upsert('p', 'z', [{ id: 'x', vector: B }]);
    // WHEN: while that cleanup waits, another instance writes A again (a client's retry of the old
    // write, say): it rewrites entries under A's codes and replaces B
    await until(async () => (await clean.getVectors('p', 'z', ['x']))[0]?.vector[0] === Float32Array.from(B)[0]);
    await clean.upsert('p', 'z', [{ id: 'x', vector: A }]);
    await replace;
    through.proxy.setPolicy(() => ({ kind: 'pass' }));
    // THEN: x holds A with every one of its entries, and a search for A finds it
    expect(held).toBeGreaterThan(0);
    const info = await clean.getCollection('p', 'z');
    expect(await scanCollection(db.client, db.tables, info)).toMatchObject({ ids: ['x'], orphans: [], missing: [], unsettled: [] });
    expect((await clean.query('p', 'z', { vector: A, topK: 1 })).matches.map((m) => m.id)).toEqual(['x']);
  });
});

describe('a write that another request overwrites while it runs', () => {
  const { db, through, clean: direct } = useProxiedAndDirectStores();
  let clean: WhiplashStore;

  beforeAll(() => {
    clean = direct();
  });

  /**
   * Runs `request` through the proxy with its first `op` call held until `other`, on the direct
   * client, has answered: `other` lands between `request`'s read and its conditional write.
   * Resolves with `request`'s answer and its calls of `op`.
   */
  async function overtaken<T>(op: string, request: () => Promise<T>, other: () => Promise<unknown>): Promise<{ answer: T; calls: number }> {
    let calls = 0;
    const { released, release } = holdGate();
    through.proxy.setPolicy((o) => (o === op && calls++ === 0 ? { kind: 'hold', until: released } : { kind: 'pass' }));
    try {
      const running = request();
      for (let waited = 0; calls === 0; waited += 10) {
        if (waited > 20_000) throw new Error(`the request made no ${op} call`);
        await new Promise((r) => setTimeout(r, 10));
      }
      await other().finally(release);
      return { answer: await running, calls };
    } finally {
      release();
      through.proxy.setPolicy(() => ({ kind: 'pass' }));
    }
  }

  async function expectConsistent(name: string, ids: string[], count: number): Promise<void> {
    const info = await clean.getCollection('p', name);
    expect(await scanCollection(db.client, db.tables, info)).toMatchObject({ ids, orphans: [], missing: [], unsettled: [] });
    expect(info.vectorCount).toBe(count);
  }

  it('a replace overwritten by another instance is acknowledged without a retry, and leaves none of its entries', async () => {
    // GIVEN: x holds A; a replace by B whose conditional write is held while another instance writes C
    await clean.createCollection('p', { name: 'r', dimension: 384 });
    const [A, B, C] = [vec(50), vec(51), vec(52)];
    await clean.upsert('p', 'r', [{ id: 'x', vector: A, metadata: { v: 'A' } }]);
    await through.store.getCollection('p', 'r'); // warm: the held call is the replace's own
    // WHEN
    const { answer, calls } = await overtaken('PutItem', () => through.store.upsert('p', 'r', [{ id: 'x', vector: B, metadata: { v: 'B' } }]), () => clean.upsert('p', 'r', [{ id: 'x', vector: C, metadata: { v: 'C' } }]));
    // THEN: the replace is acknowledged as ordered before C, which it did not retry over: x holds C, with its entries only
    expect(answer).toEqual({ upserted: 1 });
    expect(calls).toBe(1);
    const [x] = await clean.getVectors('p', 'r', ['x']);
    expect(Array.from(x.vector)).toEqual(Array.from(Float32Array.from(C)));
    expect(x.metadata).toEqual({ v: 'C' });
    await expectConsistent('r', ['x'], 1);
    expect((await clean.query('p', 'r', { vector: B, topK: 1, filter: { v: 'B' } })).matches).toEqual([]);
  });

  it('a replace overwritten by the same vector and metadata keeps the entries both wrote, which are the live version', async () => {
    // GIVEN: x holds A; two instances write the same D over it (same version: same entries)
    await clean.createCollection('p', { name: 's', dimension: 384 });
    const [A, D] = [vec(60), vec(61)];
    await clean.upsert('p', 's', [{ id: 'x', vector: A }]);
    await through.store.getCollection('p', 's');
    // WHEN: the one through the proxy is overtaken by the other
    const { answer } = await overtaken('PutItem', () => through.store.upsert('p', 's', [{ id: 'x', vector: D, metadata: { k: 1 } }]), () => clean.upsert('p', 's', [{ id: 'x', vector: D, metadata: { k: 1 } }]));
    // THEN: its cleanup spared the live version's entries
    expect(answer).toEqual({ upserted: 1 });
    await expectConsistent('s', ['x'], 1);
    expect((await clean.query('p', 's', { vector: D, topK: 1, filter: { k: 1 } })).matches.map((m) => m.id)).toEqual(['x']);
  });

  it('a creation overwritten by another creation of the same id counts the vector once', async () => {
    // GIVEN: no item y in a collection whose first write (which trains its lists, a transaction too) is done;
    // a creation (a counted transaction) held while another instance creates y
    await clean.createCollection('p', { name: 'c', dimension: 384 });
    await clean.upsert('p', 'c', [{ id: 'w', vector: vec(69) }]);
    await through.store.getCollection('p', 'c');
    // WHEN
    const { answer, calls } = await overtaken('TransactWriteItems', () => through.store.upsert('p', 'c', [{ id: 'y', vector: vec(70) }]), () => clean.upsert('p', 'c', [{ id: 'y', vector: vec(71) }]));
    // THEN
    expect(answer).toEqual({ upserted: 1 });
    expect(calls).toBe(1);
    expect((await clean.getVectors('p', 'c', ['y']))[0].vector[0]).toBe(Float32Array.from(vec(71))[0]);
    await expectConsistent('c', ['w', 'y'], 2);
  });

  it('a delete overwritten by a replace is acknowledged, and the replace stands', async () => {
    // GIVEN: x holds A; a delete whose tombstone (a counted transaction) is held while another instance replaces x by C
    await clean.createCollection('p', { name: 'd', dimension: 384 });
    const [A, C] = [vec(80), vec(81)];
    await clean.upsert('p', 'd', [{ id: 'x', vector: A }]);
    await through.store.getCollection('p', 'd');
    // WHEN
    const { answer, calls } = await overtaken('TransactWriteItems', () => through.store.deleteVectors('p', 'd', ['x']), () => clean.upsert('p', 'd', [{ id: 'x', vector: C }]));
    // THEN: the delete found x and is ordered before the replace, which it did not retry over
    expect(answer).toEqual({ deleted: 1, notFound: [] });
    expect(calls).toBe(1);
    expect((await clean.getVectors('p', 'd', ['x']))[0].vector[0]).toBe(Float32Array.from(C)[0]);
    await expectConsistent('d', ['x'], 1);
  });
});
