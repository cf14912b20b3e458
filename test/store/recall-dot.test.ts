// Tests recall@10 under the dot metric on real embeddings whose norms vary, and that dot collections settled before the lift keep hashing x itself.
import { UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { centreOf } from '../../lambda/core/hasher';
import { vectorToBytes } from '../../lambda/core/vector';
import { collectionKey } from '../../lambda/store/key-format';
import { WhiplashStore } from '../../lambda/store/store';
import { exactTopK, loadMiniLm } from '../support/minilm';
import { useTestTables } from '../support/tables';

/**
 * Maximum inner product search on real data: the all-MiniLM-L6-v2 embeddings of the Fiori docs,
 * each scaled by ln(1 + its chunk's word count) (a per-document prior, as a retrieval or
 * recommendation score multiplies in; norms spread about fourfold). The top-10 by inner product
 * then differs from the top-10 by cosine, so an index that hashes angles only misses the long
 * vectors at wider angles. 100 held-out unit embeddings are the queries.
 */
describe('recall under the dot metric', () => {
  const db = useTestTables();
  const data = loadMiniLm();
  const weighted = data.vectors.map((v, i) => v.map((x) => x * Math.log1p(data.wordCounts[i])));
  const queryRows = data.vectors.map((_, i) => i).filter((i) => i % 7 === 3).slice(0, 100);
  const baseRows = data.vectors.map((_, i) => i).filter((i) => !queryRows.includes(i));
  const base = baseRows.map((r) => weighted[r]);
  let liftedRecall = 1;

  async function recallOf(store: WhiplashStore, project: string): Promise<{ recall: number; expected: number }> {
    let hits = 0;
    let expected = 0;
    for (const qi of queryRows) {
      const truth = new Set(exactTopK(base, data.vectors[qi], 10, undefined, 'dot').map((i) => data.ids[baseRows[i]]));
      const { matches, stats } = await store.query(project, 'mips', { vector: data.vectors[qi], topK: 10 });
      hits += matches.filter((m) => truth.has(m.id)).length;
      expected += stats.expectedRecall ?? 0;
    }
    return { recall: hits / (10 * queryRows.length), expected: expected / queryRows.length };
  }

  async function fill(store: WhiplashStore, project: string): Promise<void> {
    await store.createProject({ projectId: project });
    await store.createCollection(project, { name: 'mips', dimension: data.dimension, metric: 'dot', seed: 7 });
    for (let i = 0; i < baseRows.length; i += 500) {
      await store.upsert(project, 'mips', baseRows.slice(i, i + 500).map((r) => ({ id: data.ids[r], vector: weighted[r] })));
    }
  }

  it('reaches recall@10 >= 0.9 by inner product at default settings, near the planned recall', async () => {
    // GIVEN the real embeddings with their weights in a dot collection, and their exact top-10 by inner product
    const store = new WhiplashStore(db);
    await fill(store, 'dot');
    // sanity: the weights make the inner product's top-10 differ from the cosine top-10
    const q = data.vectors[queryRows[0]];
    const byCosine = new Set(exactTopK(base, q, 10));
    expect(exactTopK(base, q, 10, undefined, 'dot').filter((i) => byCosine.has(i)).length).toBeLessThan(10);
    // WHEN the index answers the held-out queries
    const { recall, expected } = await recallOf(store, 'dot');
    liftedRecall = recall;
    // THEN recall@10 by inner product is high and the plan's promise holds
    expect(recall).toBeGreaterThanOrEqual(0.9);
    expect(Math.abs(recall - expected)).toBeLessThan(0.05);
  }, 600_000);

  it('keeps answering a dot collection settled before the lift, hashing x itself', async () => {
    // GIVEN a dot collection whose centre was settled before the lift existed: a centre of the
    // vectors themselves (dimension values) and no mipsNorm on its config item
    const store = new WhiplashStore(db);
    await store.createProject({ projectId: 'legacy' });
    await store.createCollection('legacy', { name: 'mips', dimension: data.dimension, metric: 'dot', seed: 7 });
    const key = collectionKey('legacy', 'mips');
    const oldCentre = centreOf(baseRows.slice(0, 500).map((r) => weighted[r]), 'dot');
    await db.client.send(
      new UpdateItemCommand({ TableName: db.tables.metadata, Key: { pk: { S: key.pk }, sk: { S: key.sk } }, UpdateExpression: 'SET centre = :c', ExpressionAttributeValues: { ':c': { B: vectorToBytes(oldCentre) } } }),
    );
    // WHEN a fresh instance writes and queries it
    const fresh = new WhiplashStore(db);
    for (let i = 0; i < baseRows.length; i += 500) {
      await fresh.upsert('legacy', 'mips', baseRows.slice(i, i + 500).map((r) => ({ id: data.ids[r], vector: weighted[r] })));
    }
    const { recall } = await recallOf(fresh, 'legacy');
    // THEN it answers as before the lift: by angle, so its recall by inner product is lower than the lifted collection's
    expect(recall).toBeGreaterThan(0.2);
    expect(recall).toBeLessThan(liftedRecall);
  }, 600_000);
});
