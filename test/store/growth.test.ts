// Tests that a growing collection reads deeper buckets and a smaller share of itself, without re-indexing.
import { WhiplashStore } from '../../lambda/store/store';
import { loadMiniLm } from '../support/minilm';
import { useTestTables } from '../support/tables';

/**
 * The index adapts as a collection grows: the bucket depth a query reads follows
 * log2(N / bucketSize), so the share of the collection a query reads falls as N grows,
 * with no re-indexing (the same stored codes serve every depth).
 */
describe('a growing collection', () => {
  const db = useTestTables();

  it('reads deeper buckets and a smaller share of the collection as it grows', async () => {
    const data = loadMiniLm();
    const store = new WhiplashStore(db);
    await store.createProject({ projectId: 'grow' });
    await store.createCollection('grow', { name: 'c', dimension: data.dimension, seed: 5, index: { partitionBits: 2, bucketSize: 8, probes: 4 } });
    const queries = [3, 77, 151, 299, 411, 555, 640, 700];
    const steps: { n: number; depth: number; share: number }[] = [];
    let n = 0;
    for (const target of [64, 256, 778]) {
      const rows = data.vectors.slice(n, target).map((v, i) => ({ id: `r${n + i}`, vector: v }));
      for (let i = 0; i < rows.length; i += 500) await store.upsert('grow', 'c', rows.slice(i, i + 500));
      n = target;
      let candidates = 0;
      let depth = 0;
      for (const q of queries) {
        const { stats } = await store.query('grow', 'c', { vector: data.vectors[q], topK: 10 });
        candidates += stats.candidates;
        depth = stats.depth;
      }
      steps.push({ n, depth, share: candidates / queries.length / n });
    }
    // depth = round(log2(N / 8)), at least partitionBits
    expect(steps.map((s) => s.depth)).toEqual([3, 5, 7]);
    expect(steps[1].share).toBeLessThan(steps[0].share);
    expect(steps[2].share).toBeLessThan(steps[1].share);
  }, 600_000);
});
