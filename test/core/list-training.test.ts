// Tests how a collection in k-means lists starts: the first lists its first batch trains (MiniLM)
// and the nprobe chosen from the batch itself, and the keys and centroid items of bucket layout 3.
import fc from 'fast-check';
import { firstListCount, MAX_FIRST_LISTS, trainFirstLists } from '../../lambda/core/list-training';
import { listOrder, listsFrom, listSpace, nearestList } from '../../lambda/core/lists';
import { bucketPartition, centroidKey, centroidOfSortKey, idFromListSortKey, listPartition, listSortKey, MAX_LISTS } from '../../lambda/store/key-format';
import { centroidItem, centroidItems, centroidSetOf } from '../../lambda/store/list-layout';
import { exactTopK, loadMiniLm } from '../support/minilm';

const data = loadMiniLm();

describe('trainFirstLists', () => {
  it('trains one list per 32 rows, up to 16, and repeats for the same seed', () => {
    expect([1, 31, 32, 100, 500, 5000].map(firstListCount)).toEqual([1, 1, 1, 3, 15, MAX_FIRST_LISTS]);
    const batch = data.vectors.slice(0, 500);
    const a = trainFirstLists(batch, 'cosine', 0.95, 11);
    expect(a.lists.count).toBe(15);
    expect(trainFirstLists(batch, 'cosine', 0.95, 11).lists.centroids).toEqual(a.lists.centroids);
    expect(trainFirstLists(batch, 'cosine', 0.95, 12).lists.centroids).not.toEqual(a.lists.centroids);
  });

  it('picks a mean nprobe whose lists hold the target share of the neighbours of vectors it was not trained on', () => {
    // GIVEN lists trained on a first batch of 500 real embeddings, and 178 later vectors
    const batch = data.vectors.slice(0, 500);
    const later = data.vectors.slice(500, 678);
    const { lists, nprobe } = trainFirstLists(batch, 'cosine', 0.9, 5);
    expect(nprobe).toBeGreaterThan(1);
    expect(nprobe).toBeLessThan(lists.count);
    // WHEN each later vector looks for its 10 nearest neighbours in the batch in its nprobe nearest lists
    const home = batch.map((v) => nearestList(lists, listSpace(v, v.length, 'cosine')));
    const coverage = (n: number) => {
      let found = 0;
      for (const q of later) {
        const read = new Set(listOrder(lists, listSpace(q, q.length, 'cosine')).subarray(0, n));
        found += exactTopK(batch, q, 10).filter((r) => read.has(home[r])).length;
      }
      return found / (10 * later.length);
    };
    // THEN at the mean nprobe (a fraction of them reading one list more) they find about the target share there
    const whole = Math.floor(nprobe);
    const f = nprobe - whole;
    expect((1 - f) * coverage(whole) + f * coverage(whole + 1)).toBeGreaterThanOrEqual(0.85);
    // AND clearly less with one list fewer
    expect(coverage(Math.ceil(nprobe) - 1)).toBeLessThan(coverage(Math.ceil(nprobe)));
  });

  it('refuses the dot metric, an empty batch and mixed dimensions', () => {
    expect(() => trainFirstLists(data.vectors.slice(0, 64), 'dot', 0.95, 1)).toThrow(/cosine or euclidean/);
    expect(() => trainFirstLists([], 'cosine', 0.95, 1)).toThrow(/at least one vector/);
    expect(() => trainFirstLists([new Float32Array(3), new Float32Array(4)], 'euclidean', 0.95, 1)).toThrow(/3 dimensions/);
  });
});

describe('keys and centroid items of bucket layout 3', () => {
  it('gives each list its own partition, apart from every hash table bucket', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: MAX_LISTS - 1 }), fc.integer({ min: 0, max: 31 }), fc.integer({ min: 0, max: 2 ** 32 - 1 }), (list, table, code) => {
        expect(listPartition('abcdefgh', list)).not.toBe(bucketPartition('abcdefgh', table, code, 4));
        expect(listPartition('abcdefgh', list).length).toBe(12);
      }),
    );
    expect(idFromListSortKey(listSortKey('doc#1', 'AbC_'))).toBe('doc#1');
  });

  it('reads back the centroid set as of a version: later versions left out, the latest change of each list taken', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 64 ** 4 - 1 }), fc.integer({ min: 0, max: MAX_LISTS - 1 }), (version, list) => {
        expect(centroidOfSortKey(centroidKey('u', version, list).sk)).toEqual({ version, list });
      }),
    );
    // GIVEN two lists set by version 1, and list 0 moved by version 2
    const config = { metric: 'euclidean' as const, dimension: 2 };
    const v1 = centroidItems('u', 1, listsFrom('euclidean', 2, Float32Array.of(0, 0, 10, 10)));
    const v2 = [centroidItem('u', 2, 0, Float32Array.of(5, 5))];
    // THEN each version reads as it was set, in whatever order the items come
    expect(Array.from(centroidSetOf(config, [...v1, ...v2], 1, { share: 1 }).lists.centroids)).toEqual([0, 0, 10, 10]);
    expect(Array.from(centroidSetOf(config, [...v2, ...v1], 2, { share: 1 }).lists.centroids)).toEqual([5, 5, 10, 10]);
    // AND a set missing a list is refused
    expect(() => centroidSetOf(config, [centroidItem('u', 1, 1, Float32Array.of(10, 10))], 1, { share: 1 })).toThrow(/no centroid for list 0/);
  });
});
