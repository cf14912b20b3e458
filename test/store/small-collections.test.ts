// Tests that a small collection's queries find every vector it holds, whatever its seed: in k-means
// lists (cosine, euclidean) a query reads every list; in hash tables (dot), at the shallowest
// bucket depth, one hash table whole (`bucketReadPlan`).
import { WhiplashStore } from '../../lambda/store/store';
import { exactTopK, loadMiniLm } from '../support/minilm';
import { useTestTables } from '../support/tables';

const data = loadMiniLm();

describe('small collections against DynamoDB Local', () => {
  const db = useTestTables();
  let store: WhiplashStore;

  beforeAll(async () => {
    store = new WhiplashStore(db);
    await store.createProject({ projectId: 'small' });
  });

  it('returns all of a 1- or 3-vector collection, nearest first, under every metric and many seeds', async () => {
    for (const metric of ['cosine', 'euclidean', 'dot'] as const) {
      for (const size of [1, 3]) {
        for (let seed = 1; seed <= 6; seed++) {
          // GIVEN a collection of `size` real embeddings
          const name = `${metric}-${size}-${seed}`;
          const rows = Array.from({ length: size }, (_, i) => (seed * 31 + i * 17) % data.vectors.length);
          await store.createCollection('small', { name, dimension: data.dimension, metric, seed });
          await store.upsert('small', name, rows.map((r) => ({ id: data.ids[r], vector: Array.from(data.vectors[r]) })));
          // WHEN queries far and near ask for more than it holds
          for (const q of [(seed * 7 + 400) % data.vectors.length, rows[0]]) {
            const { matches, stats } = await store.query('small', name, { vector: data.vectors[q], topK: 10 });
            // THEN every vector comes back, in exact order, from every list, or one hash table read whole
            const base = rows.map((r) => data.vectors[r]);
            expect(matches.map((m) => m.id)).toEqual(exactTopK(base, data.vectors[q], size, undefined, metric).map((j) => data.ids[rows[j]]));
            expect(stats.candidates).toBe(size);
            expect(stats.bucketReads).toBe(metric === 'dot' ? 16 : stats.probes);
          }
        }
      }
    }
  });
});
