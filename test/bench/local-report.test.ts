// Tests bench:local's Markdown section: its figures and its verdict against #17's local-mode targets.
import { LOCAL_DISK_TARGETS, LocalDiskResult, localDiskMarkdown } from '../../bench/local/report';

const result = (importVectorsPerSecond: number, p50: number): LocalDiskResult => ({
  measuredAt: '2026-12-01T00:00:00.000Z',
  commit: 'abc1234',
  command: 'npm run bench:local -- --size 1000 --queries 10',
  machine: { cpus: 2, cpuModel: 'test', node: 'v20', loadAverage: [1, 1, 1] },
  source: 'datasets/fashion-mnist',
  vectors: 1000,
  dim: 784,
  metric: 'euclidean',
  importDefaults: { batchSize: 100, concurrency: 2 },
  importSeconds: 1000 / importVectorsPerSecond,
  importVectorsPerSecond,
  diskBytes: 2 ** 20,
  queries: 10,
  recall: 0.95,
  readUnits: 100,
  roundTrips: 2,
  latencyMs: { p50, p90: p50 * 2, p99: p50 * 3, max: p50 * 4 },
});

describe('bench:local report', () => {
  test('carries the command and the figures', () => {
    const md = localDiskMarkdown(result(80, 100));
    expect(md).toContain('npm run bench:local -- --size 1000 --queries 10');
    expect(md).toContain('| import of 1,000 x 784 (CLI process start included) | 12.5 s, 80.0 vectors per second |');
    expect(md).toContain('| search p50 / p90 / p99 / max | 100 / 200 / 300 / 400 ms |');
  });

  test('says which of the targets were met', () => {
    const { importVectorsPerSecond: rate, searchP50Ms: p50 } = LOCAL_DISK_TARGETS;
    expect(localDiskMarkdown(result(rate, p50))).toMatch(/import [\d.]+ vectors per second \(target at least 60\): \*\*met\*\*; search p50 150 ms \(target at most 150\): \*\*met\*\*/);
    expect(localDiskMarkdown(result(rate - 1, p50 + 1))).toMatch(/\*\*not met\*\*; search p50 151 ms .*\*\*not met\*\*/);
  });
});
