import { WhiplashStore } from '../../lambda/store/store';
import { exactTopK, loadMiniLm } from '../support/minilm';
import { useTestTables } from '../support/tables';

/**
 * Recall@10 against brute force on real sentence embeddings (all-MiniLM-L6-v2, 778 x 384),
 * at default index settings. 100 held-out rows are the queries; the other 678 the collection.
 */
describe('recall on all-MiniLM-L6-v2 embeddings', () => {
  const db = useTestTables();
  let store: WhiplashStore;
  const data = loadMiniLm();
  // every 7th row is a query: a fixed, spread-out hold-out
  const queryRows = data.vectors.map((_, i) => i).filter((i) => i % 7 === 3).slice(0, 100);
  const baseRows = data.vectors.map((_, i) => i).filter((i) => !queryRows.includes(i));

  beforeAll(async () => {
    store = new WhiplashStore(db);
    await store.createProject({ projectId: 'recall' });
    await store.createCollection('recall', { name: 'minilm', dimension: data.dimension, seed: 7 });
    for (let i = 0; i < baseRows.length; i += 500) {
      await store.upsert(
        'recall',
        'minilm',
        baseRows.slice(i, i + 500).map((r) => ({ id: data.ids[r], vector: data.vectors[r] })),
      );
    }
  }, 600_000);

  it('reaches recall@10 >= 0.9 at default settings, in at most 2 round trips', async () => {
    // GIVEN the exact top-10 of each query among the indexed rows
    const base = baseRows.map((r) => data.vectors[r]);
    let hits = 0;
    let maxRoundTrips = 0;
    let expected = 0;
    for (const qi of queryRows) {
      const truth = new Set(exactTopK(base, data.vectors[qi], 10).map((i) => data.ids[baseRows[i]]));
      // WHEN the index answers the same query
      const { matches, stats } = await store.query('recall', 'minilm', { vector: data.vectors[qi], topK: 10 });
      hits += matches.filter((m) => truth.has(m.id)).length;
      maxRoundTrips = Math.max(maxRoundTrips, stats.roundTrips);
      expected += stats.expectedRecall ?? 0;
    }
    const recall = hits / (10 * queryRows.length);
    // THEN recall@10 is high (a broken index scores far lower), near what the query plan
    // predicted from the first batch's profile, and the config stayed cached
    expect(recall).toBeGreaterThanOrEqual(0.9);
    expect(Math.abs(recall - expected / queryRows.length)).toBeLessThan(0.05);
    expect(maxRoundTrips).toBeLessThanOrEqual(2);
  }, 600_000);
});
