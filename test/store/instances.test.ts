// Tests two store instances over one set of tables, as two Lambda instances with their own caches:
// a collection dropped or re-created by one is never written or read through the other's stale cache.
import { NotFoundError, ValidationError } from '../../lambda/core/errors';
import { WhiplashStore } from '../../lambda/store/store';
import { countItems, useTestTables } from '../support/tables';

const v4 = (i: number) => [1, i, i * i, 1 - i];
const v8 = (i: number) => [...v4(i), i, 2, 3, 4];

describe('two store instances over one set of tables', () => {
  const db = useTestTables();
  let a: WhiplashStore;
  let b: WhiplashStore;

  beforeAll(async () => {
    a = new WhiplashStore(db);
    b = new WhiplashStore(db);
    await a.createProject({ projectId: 'p' });
  });

  it('a collection re-created with another dimension by B is the one A writes, reads and searches', async () => {
    // GIVEN: A created c as 4-d, wrote to it and holds it in its cache
    await a.createCollection('p', { name: 'c', dimension: 4 });
    await a.upsert('p', 'c', [0, 1, 2].map((i) => ({ id: `old${i}`, vector: v4(i) })));
    // WHEN: B drops c and re-creates it as 8-d
    await b.deleteCollection('p', 'c');
    await b.createCollection('p', { name: 'c', dimension: 8 });

    // THEN: A answers for the new collection: a 4-d vector is refused, an 8-d one is written
    await expect(a.upsert('p', 'c', [{ id: 'x', vector: v4(9) }])).rejects.toThrow(/must have 8 dimensions/);
    await expect(a.upsert('p', 'c', [{ id: 'new0', vector: v8(1) }])).resolves.toEqual({ upserted: 1 });
    // the dropped collection's items are not readable through A
    await expect(a.getVectors('p', 'c', ['old0', 'new0'])).resolves.toEqual([expect.objectContaining({ id: 'new0' })]);
    expect((await a.listIds('p', 'c')).ids).toEqual(['new0']);
    const hits = await a.query('p', 'c', { vector: v8(1), topK: 10 });
    expect(hits.matches.map((m) => m.id)).toEqual(['new0']);
    await expect(a.query('p', 'c', { vector: v4(1), topK: 10 })).rejects.toBeInstanceOf(ValidationError);
    expect((await b.getCollection('p', 'c')).vectorCount).toBe(1);
  });

  it('a write through A into a collection B dropped is refused and leaves nothing behind', async () => {
    // GIVEN: A holds d in its cache
    await a.createCollection('p', { name: 'd', dimension: 4 });
    await a.upsert('p', 'd', [{ id: 'keep', vector: v4(1) }]);
    // WHEN: B drops d, the purge runs, and then A writes to d
    await b.deleteCollection('p', 'd');
    await b.purgeDropped();
    const before = await countItems(db.client, db.tables);
    const write = a.upsert('p', 'd', [0, 1, 2].map((i) => ({ id: `late${i}`, vector: v4(i) })));
    // THEN: nothing is acknowledged, reads answer 404, and no item of the write is left
    await expect(write).rejects.toBeInstanceOf(NotFoundError);
    await expect(a.getVectors('p', 'd', ['keep'])).rejects.toBeInstanceOf(NotFoundError);
    await expect(a.deleteVectors('p', 'd', ['keep'])).rejects.toBeInstanceOf(NotFoundError);
    await b.purgeDropped();
    expect(await countItems(db.client, db.tables)).toEqual(before);
  });

  it('a search through A of a collection B dropped answers 404', async () => {
    await a.createCollection('p', { name: 'e', dimension: 4 });
    await a.upsert('p', 'e', [{ id: 'one', vector: v4(1) }]);
    await expect(a.query('p', 'e', { vector: v4(1) })).resolves.toMatchObject({ matches: [expect.objectContaining({ id: 'one' })] });
    await b.deleteCollection('p', 'e');
    await expect(a.query('p', 'e', { vector: v4(1) })).rejects.toBeInstanceOf(NotFoundError);
    await expect(a.listIds('p', 'e')).rejects.toBeInstanceOf(NotFoundError);
  });
});
