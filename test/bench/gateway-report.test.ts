// Tests bench:gateway's latency summary and its Markdown section.
import { gatewayMarkdown, GatewayResult, latencySummary } from '../../bench/gateway/report';

describe('bench:gateway figures', () => {
  test('latency summary: nearest-rank percentiles, mean and max', () => {
    // sorted 1..5: p50 = 3rd (ceil(2.5)), p95 = 5th (ceil(4.75))
    expect(latencySummary([5, 1, 4, 2, 3])).toEqual({ requests: 5, p50: 3, p95: 5, mean: 3, max: 5 });
    expect(latencySummary([10, 20]).p50).toBe(10);
    expect(() => latencySummary([])).toThrow(RangeError);
  });

  test('the Markdown fragment carries the command and one row per data set', () => {
    const lat = latencySummary([10, 12, 14]);
    const r: GatewayResult = {
      kind: 'gateway',
      command: 'npm run bench:gateway -- --dataset minilm',
      date: '2026-11-22T00:00:00.000Z',
      commit: 'abc1234',
      machine: { cpus: 2, cpuModel: 'test', node: 'v20', loadAverage: [1, 1, 1] },
      engine: 'DynamoDB Local (java, in memory)',
      topK: 10,
      warmup: 5,
      datasets: [
        {
          dataset: 'minilm', source: 'x', vectors: 678, dim: 384, metric: 'cosine', loadSeconds: 6,
          inProcess: lat, http: latencySummary([15, 17, 19]), overheadP50Ms: 5, overheadMeanMs: 5, sameResults: 3,
          readUnitsInProcess: 120, readUnitsHttp: 120, responseBytes: 600,
        },
      ],
    };
    const md = gatewayMarkdown(r);
    expect(md).toContain('npm run bench:gateway -- --dataset minilm');
    expect(md).toContain('| minilm (384-d, cosine) | 678 | 12.0 | 14.0 | 17.0 | 19.0 | 5.0 | 3 / 3 | 120.0 / 120.0 | 600 |');
  });
});
