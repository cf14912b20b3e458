// Tests that one query's bucket reads stay bounded when many copies of one vector crowd a bucket, on real embeddings.
import { bucketReadLimit } from '../../lambda/core/search';
import { MAX_BUCKET_READ_ENTRIES } from '../../lambda/core/limits';
import { DEFAULT_INDEX_PARAMS } from '../../lambda/core/params';
import { WhiplashStore } from '../../lambda/store/store';
import { loadMiniLm } from '../support/minilm';
import { useTestTables } from '../support/tables';

/**
 * All copies of one vector share its hash code in every table, at every depth: they fill one
 * bucket per table however deep a query reads. Without a cap, a query near that vector would read
 * every copy through every table.
 */
describe('a bucket crowded by copies of one vector (all-MiniLM-L6-v2 embeddings)', () => {
  const db = useTestTables();
  let store: WhiplashStore;
  const data = loadMiniLm();
  const queryRows = data.vectors.map((_, i) => i).filter((i) => i % 7 === 3).slice(0, 100);
  const baseRows = data.vectors.map((_, i) => i).filter((i) => !queryRows.includes(i));
  const HASH_TABLES = 4;
  const COPIES = 3 * MAX_BUCKET_READ_ENTRIES;
  // The copies count toward the collection's size, so the plan reads buckets deeper than the real
  // rows need (a separate effect of the count); more probes make up for it, as the README advises.
  const PROBES = 10;
  const copied = baseRows[10];
  const cosineDistance = (a: Float32Array, b: Float32Array) => {
    let d = 0;
    for (let i = 0; i < a.length; i++) d += a[i] * b[i];
    return 1 - d / (Math.hypot(...a) * Math.hypot(...b));
  };

  beforeAll(async () => {
    store = new WhiplashStore(db);
    await store.createProject({ projectId: 'crowd' });
    await store.createCollection('crowd', { name: 'c', dimension: data.dimension, seed: 7, index: { hashTables: HASH_TABLES } });
    // the real rows first (the first batch sets the centre and the query plans), then the copies
    for (let i = 0; i < baseRows.length; i += 500) {
      await store.upsert('crowd', 'c', baseRows.slice(i, i + 500).map((r) => ({ id: data.ids[r], vector: data.vectors[r] })));
    }
    for (let i = 0; i < COPIES; i += 500) {
      await store.upsert('crowd', 'c', Array.from({ length: Math.min(500, COPIES - i) }, (_, j) => ({ id: `copy-${String(i + j).padStart(5, '0')}`, vector: data.vectors[copied] })));
    }
  }, 600_000);

  it('reads at most the limit of each bucket, and far fewer read units than the copies hold', async () => {
    // GIVEN every hash table's bucket of the copied vector holding COPIES + 1 entries
    // WHEN a query asks for the copied vector's neighbours, re-ranking few (so that bucket reads dominate the read units)
    const { matches, stats } = await store.query('crowd', 'c', { vector: data.vectors[copied], topK: 10, rerank: 10 });
    // THEN no read returned more than its limit, every table's crowded read was cut and counted,
    expect(stats.entriesRead).toBeLessThanOrEqual(stats.bucketReads * bucketReadLimit(stats.bucketReads));
    expect(stats.entriesRead).toBeLessThan(COPIES * HASH_TABLES);
    expect(stats.truncatedReads).toBeGreaterThanOrEqual(HASH_TABLES);
    // the read units DynamoDB reported stay below what the copies' sketches alone would cost to read
    // (sketchBits / 8 bytes of sketch per entry; half a unit per 4 KB, eventually consistent)
    expect(stats.readUnits).toBeLessThan((COPIES * HASH_TABLES * DEFAULT_INDEX_PARAMS.sketchBits) / 8 / 4096 / 2);
    // and the answer is still the copied vector's: ten at distance 0
    expect(matches).toHaveLength(10);
    for (const m of matches) expect(m.distance).toBeLessThan(1e-5);
  }, 120_000);

  it('still finds the true neighbours of the other queries', async () => {
    // GIVEN the exact top-10 distances of 100 held-out queries over the real rows and the copies,
    // each query reading 4 x 11 buckets (so that any cut among them could cost a neighbour)
    const base = baseRows.map((r) => data.vectors[r]);
    let hits = 0;
    let truncated = 0;
    for (const qi of queryRows) {
      const q = data.vectors[qi];
      const distances = base.map((v) => cosineDistance(q, v)).sort((a, b) => a - b);
      const copyDistance = cosineDistance(q, data.vectors[copied]);
      const tenth = [...distances.slice(0, 10), ...Array<number>(10).fill(copyDistance)].sort((a, b) => a - b)[9];
      // WHEN the index answers each query
      const { matches, stats } = await store.query('crowd', 'c', { vector: q, topK: 10, probes: PROBES });
      truncated += stats.truncatedReads;
      // THEN (copies tie, so a hit is a match no farther than the exact tenth) recall@10 stays high
      hits += matches.filter((m) => m.distance <= tenth + 1e-5).length;
    }
    expect(hits / (10 * queryRows.length)).toBeGreaterThanOrEqual(0.9);
    // with some of their reads cut at the limit (queries near the copied vector reach its bucket)
    expect(truncated).toBeGreaterThan(0);
  }, 300_000);
});
