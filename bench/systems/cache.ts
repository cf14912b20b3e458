// Caches the runs of the reference systems under bench/.cache/, so that a re-run measures only Whiplash.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { CACHE_DIR } from '../ground-truth';
import { SystemRun } from '../summary';

/**
 * Runs of the reference systems (original layout, exact scan) are deterministic for a data set,
 * its sizes, the hyperplane seed and the number of queries: cache them under `bench/.cache/` so
 * that tuning Whiplash re-runs only Whiplash. Latencies in a cached run are those of the run that
 * measured them.
 */
export async function cachedRun(key: string, enabled: boolean, measure: () => Promise<SystemRun>, log: (msg: string) => void, dir = CACHE_DIR): Promise<SystemRun> {
  const file = path.join(dir, `run-${key}.json`);
  if (enabled && existsSync(file)) {
    const cached = JSON.parse(readFileSync(file, 'utf8')) as SystemRun & { measuredAt: string };
    log(`${cached.system}: figures from cache ${path.relative(process.cwd(), file)} (measured ${cached.measuredAt}; --no-cache to re-measure)`);
    return { ...cached, notes: [...(cached.notes ?? []), `${cached.system}: figures measured ${cached.measuredAt} and read from the cache (same data, sizes, seed and queries).`] };
  }
  const run = await measure();
  mkdirSync(dir, { recursive: true });
  writeFileSync(file, JSON.stringify({ ...run, measuredAt: new Date().toISOString() }));
  return run;
}

/** {@link cachedRun} for a measurement that yields several runs (e.g. one per HNSW efSearch). */
export async function cachedRuns(key: string, enabled: boolean, measure: () => Promise<SystemRun[]> | SystemRun[], log: (msg: string) => void, dir = CACHE_DIR): Promise<SystemRun[]> {
  const file = path.join(dir, `runs-${key}.json`);
  if (enabled && existsSync(file)) {
    const cached = JSON.parse(readFileSync(file, 'utf8')) as { measuredAt: string; runs: SystemRun[] };
    log(`${cached.runs[0]?.system}: figures from cache ${path.relative(process.cwd(), file)} (measured ${cached.measuredAt}; --no-cache to re-measure)`);
    return cached.runs.map((r) => ({ ...r, notes: [...(r.notes ?? []), `${r.system}: figures measured ${cached.measuredAt} and read from the cache (same data, sizes and queries).`] }));
  }
  const runs = await measure();
  mkdirSync(dir, { recursive: true });
  writeFileSync(file, JSON.stringify({ measuredAt: new Date().toISOString(), runs }));
  return runs;
}
