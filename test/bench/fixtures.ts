// Real MiniLM rows (float32, and quantised to uint8) and temporary directories for the benchmark's tests.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { loadMiniLm } from '../../bench/datasets/minilm';
import { headRows, Matrix } from '../../bench/datasets/types';

/** Real vectors for the tests: the first `n` all-MiniLM-L6-v2 embeddings of the Fiori docs (384-d, unit norm). */
let cached: Matrix | undefined;
export function realRows(n: number): Matrix {
  cached ??= loadMiniLm().base;
  return headRows(cached, n);
}

/** The same rows quantised to 0..255 integers (as image pixels), for IDX uint8. */
export function realRowsUint8(n: number): Matrix {
  const m = realRows(n);
  return { ...m, data: m.data.map((v) => Math.max(0, Math.min(255, Math.round(v * 1000 + 128)))) };
}

export function tempDir(): string {
  return mkdtempSync(path.join(tmpdir(), 'whiplash-bench-'));
}
