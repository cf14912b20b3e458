// Tests the IVF exploration's grown lists (bench/explore/ivf-lists.ts) on MiniLM embeddings: every
// vector in exactly one list, no list at its cap, and the splits' bookkeeping, with many more splits
// than lists trained.
import { clusteringSpace, grownLists } from '../../bench/explore/ivf-lists';
import { loadMiniLmMatrix } from '../support/minilm';

describe('grownLists', () => {
  it('keeps every row in one list under the cap through many splits (MiniLM, 2 lists trained, cap 8)', () => {
    // GIVEN the MiniLM embeddings as a matrix
    const m = loadMiniLmMatrix();
    const { rows: N, dim } = m;
    const x = clusteringSpace(m, 'cosine');
    // WHEN lists grow from 2 trained on the first 50 rows, splitting at 8 entries
    const layout = grownLists(x, dim, N, 'cosine', 2, 50, 8, 4, 1);
    // THEN the lists partition the rows, none reaches the cap, and each split added one list
    const seen = layout.lists.flat().sort((a, b) => a - b);
    expect(seen).toEqual(Array.from({ length: N }, (_, r) => r));
    expect(Math.max(...layout.lists.map((l) => l.length))).toBeLessThan(8);
    expect(layout.lists.length).toBe(2 + layout.splits);
    expect(layout.splits).toBeGreaterThan(4 * 2); // past several doublings of the room for lists
    expect(layout.index.count).toBe(layout.lists.length);
    // and each split read a full list and moved part of it, never all of it
    layout.splitReads.forEach((read, i) => {
      expect(read.length).toBe(8);
      expect(layout.movedEntries[i].length).toBeGreaterThan(0);
      expect(layout.movedEntries[i].length).toBeLessThanOrEqual(4);
      expect(layout.movedEntries[i].every((r) => read.includes(r))).toBe(true);
    });
  });
});
