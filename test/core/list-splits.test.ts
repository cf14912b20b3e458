// Tests when a k-means list is counted and how it is cut (lambda/core/list-splits.ts), and the
// lists an entry may have moved to (entryLists).
import fc from 'fast-check';
import { countsList, cutList, SPLIT_CHECKS_PER_LIST } from '../../lambda/core/list-splits';
import { listsFrom } from '../../lambda/core/lists';
import { CentroidSet, entryLists } from '../../lambda/store/list-layout';
import { loadMiniLm } from '../support/minilm';

const data = loadMiniLm();

describe('countsList', () => {
  it('always counts a list that got 1/8 of its size, else about as often as its share, the same way for the same write', () => {
    expect(countsList(3, 1000 / SPLIT_CHECKS_PER_LIST, 1000, 42)).toBe(true);
    fc.assert(fc.property(fc.integer({ min: 0, max: 5000 }), fc.integer({ min: 0, max: 2 ** 32 - 1 }), (list, salt) => countsList(list, 5, 100, salt) === countsList(list, 5, 100, salt)));
    // 10 entries of a 1000-entry list: chance 8%
    let counted = 0;
    for (let salt = 0; salt < 4000; salt++) if (countsList(7, 10, 1000, salt)) counted++;
    expect(counted / 4000).toBeGreaterThan(0.06);
    expect(counted / 4000).toBeLessThan(0.1);
  });
});

describe('cutList', () => {
  it('moves the smaller side of real embeddings, each member to its nearer centroid, and repeats for a seed', () => {
    // GIVEN two sources' chunks of the Fiori docs, 60 and 25 of them
    const sources = [...new Set(data.sources)];
    const a = data.vectors.filter((_, i) => data.sources[i] === sources[0]).slice(0, 60);
    const b = data.vectors.filter((_, i) => data.sources[i] === sources[1]).slice(0, 25);
    const members = [...a, ...b];
    // WHEN the list of them is cut
    const cut = cutList(members, 'cosine', 3)!;
    // THEN fewer members move than stay, each lies nearer its own side's centroid, and the same seed cuts the same way
    const moving = cut.moves.filter((m) => m).length;
    expect(moving).toBeGreaterThan(0);
    expect(moving).toBeLessThanOrEqual(members.length / 2);
    const cos = (x: Float32Array, c: Float32Array) => x.reduce((s, v, j) => s + v * c[j], 0) / Math.hypot(...x);
    members.forEach((x, i) => {
      const [own, other] = cut.moves[i] ? [cut.moved, cut.kept] : [cut.kept, cut.moved];
      expect(cos(x, own)).toBeGreaterThanOrEqual(cos(x, other) - 1e-6);
    });
    expect(cutList(members, 'cosine', 3)!.moves).toEqual(cut.moves);
  });

  it('cannot cut fewer than two members or equal ones', () => {
    expect(cutList([data.vectors[0]], 'cosine', 1)).toBeUndefined();
    expect(cutList([data.vectors[0], data.vectors[0], data.vectors[0]], 'euclidean', 1)).toBeUndefined();
  });
});

describe('entryLists', () => {
  /** A set of 6 lists: 0 and 1 first; 2 cut from 0 at version 2; 3 from 2 at 3; 4 from 1 at 4; 5 from 0 at 5. */
  const set: CentroidSet = {
    version: 5,
    lists: listsFrom('euclidean', 1, new Float32Array(6)),
    share: 1,
    nprobe: 6,
    born: Uint32Array.of(1, 1, 2, 3, 4, 5),
    parent: Int32Array.of(-1, -1, 0, 2, 1, 0),
  };

  it('names the list written to and every list cut off it, or off those, after the write', () => {
    expect(entryLists(set, 0, 1)).toEqual([0, 2, 3, 5]);
    expect(entryLists(set, 0, 2)).toEqual([0, 5]);
    expect(entryLists(set, 2, 2)).toEqual([2, 3]);
    expect(entryLists(set, 1, 1)).toEqual([1, 4]);
    expect(entryLists(set, 4, 4)).toEqual([4]);
    expect(entryLists(undefined, 3, 1)).toEqual([3]);
  });
});
