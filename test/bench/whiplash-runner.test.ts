// Tests the benchmark's Whiplash runner against the store on DynamoDB Local: ingest, sweep points, metered read units.
import { loadMiniLm } from '../../bench/datasets/minilm';
import { row } from '../../bench/datasets/types';
import { distance } from '../../bench/distance';
import { exactTopK } from '../../bench/ground-truth';
import { summarise } from '../../bench/summary';
import { runWhiplash } from '../../bench/systems/whiplash';
import { useBenchRun } from '../support/bench-run';

describe('Whiplash runner against the store on DynamoDB Local', () => {
  const ds = loadMiniLm({ size: 300, queries: 10 });
  const gt = exactTopK(ds.base, ds.queries, 10, ds.metric);
  const run = useBenchRun('t');

  test('ingests every vector, then measures each sweep point on every query with the store\'s own stats, checked by the meter', async () => {
    const ctx = run.context(ds, gt);
    const runs = await runWhiplash(ctx, { sweep: [{}, { rerank: 20 }] });
    expect(runs.map((r) => r.label)).toEqual(['whiplash (defaults)', 'whiplash rerank=20']);
    for (const r of runs) {
      expect(r.queries).toHaveLength(10);
      expect(r.ingest?.vectors).toBe(300);
      expect(r.ingest?.writeUnits).toBeGreaterThan(300); // a vector item and bucket items per vector
      for (const q of r.queries) {
        expect(q.ids.length).toBe(10);
        expect(q.ids.every((id) => Number.isInteger(id) && id >= 0 && id < 300)).toBe(true);
        expect(q.readUnits).toBeGreaterThan(0);
        expect(q.meteredReadUnits).toBeCloseTo(q.readUnits, 6);
      }
      expect(r.notes?.[0]).toMatch(/equal those the benchmark's own meter counted/);
    }
    expect(runs[1].queries.every((q) => (q.reranked ?? 0) <= 20)).toBe(true); // the override reached the store
    const s = summarise(runs[0], gt, 10, (q, id) => distance(ds.metric, row(ds.queries, q), row(ds.base, id)));
    expect(s.recall).toBeGreaterThan(0);
    expect(s.maxRoundTrips).toBeLessThanOrEqual(2);
  }, 120_000);
});
