// Which buckets of one hash table a query reads: the code prefix depth (`bucketDepth`) and the
// query-directed probes around its home bucket (`probeSequence`, `perturbationSets`).
import { CODE_BITS } from './params';

/**
 * A bucket is a prefix of a vector's CODE_BITS-bit code in one hash table (`hasher.ts`), as in an
 * LSH Forest (Bawa, Condie & Ganesan, WWW 2005): the query reads the prefix of depth
 * b = log2(N / bucketSize), so buckets keep their size as the collection grows, and nothing is
 * re-indexed. Beside its home bucket it probes the buckets reached by flipping the sets of code
 * bits of least total squared margin |w·y|²: query-directed multi-probe (Lv, Josephson, Wang,
 * Charikar & Li, VLDB 2007).
 */

/**
 * The bucket depth (code prefix bits) a query reads: log2(N / bucketSize), rounded, at least
 * `partitionBits` (a bucket never spans partitions) and at most CODE_BITS.
 */
export function bucketDepth(vectorCount: number, bucketSize: number, partitionBits: number): number {
  const ideal = Math.round(Math.log2(Math.max(1, vectorCount) / bucketSize));
  return Math.min(CODE_BITS, Math.max(partitionBits, ideal));
}

/**
 * The probes of hash table `table` when a query probes `probes` buckets per table and
 * `extraProbes` more, one in each of the first `extraProbes` tables: spreading a total of
 * L × probes + extraProbes over L tables, so that plans are not limited to multiples of L.
 * @param extraProbes 0..L−1
 */
export function tableProbes(probes: number, extraProbes: number, table: number): number {
  return table < extraProbes ? probes + 1 : probes;
}

/**
 * Query-directed probing (Lv et al. 2007, section 4.4): the home bucket of `code` at `depth`,
 * then up to `probes` buckets reached by flipping the bit sets of `perturbationSets`, cheapest
 * first. Only the `depth` leading bits matter.
 * @returns codes (CODE_BITS wide; bits below `depth` are irrelevant), home bucket first
 */
export function probeSequence(code: number, margins: ArrayLike<number>, depth: number, probes: number): number[] {
  const out = [code];
  for (const set of perturbationSets(margins, depth, probes)) {
    let flipped = code;
    for (const j of set) flipped ^= 1 << (CODE_BITS - 1 - j);
    out.push(flipped >>> 0);
  }
  return out;
}

/**
 * The `count` cheapest non-empty sets of the first `depth` bits, cheapest first, where a set costs
 * the sum of its bits' squared margins: the shift/expand enumeration of Lv et al. (2007,
 * section 4.4) over the bits sorted by margin, which yields every set in order of cost.
 * @returns bit positions (0 = most significant code bit) of each set
 */
export function perturbationSets(margins: ArrayLike<number>, depth: number, count: number): number[][] {
  const out: number[][] = [];
  if (count <= 0 || depth <= 0) return out;
  // bits sorted by margin, smallest first; z[i] = squared margin of the i-th cheapest bit
  const bits = Array.from({ length: depth }, (_, j) => j).sort((a, b) => margins[a] - margins[b]);
  const z = bits.map((j) => margins[j] * margins[j]);
  // min-heap of perturbation sets (sorted index lists into `bits`) by score
  type Set_ = { idx: number[]; score: number };
  const heap: Set_[] = [{ idx: [0], score: z[0] }];
  const push = (s: Set_) => {
    heap.push(s);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (heap[parent].score <= heap[i].score) break;
      [heap[parent], heap[i]] = [heap[i], heap[parent]];
      i = parent;
    }
  };
  const pop = (): Set_ => {
    const top = heap[0];
    const last = heap.pop()!;
    if (heap.length > 0) {
      heap[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < heap.length && heap[l].score < heap[m].score) m = l;
        if (r < heap.length && heap[r].score < heap[m].score) m = r;
        if (m === i) break;
        [heap[m], heap[i]] = [heap[i], heap[m]];
        i = m;
      }
    }
    return top;
  };
  while (out.length < count && heap.length > 0) {
    const s = pop();
    out.push(s.idx.map((i) => bits[i]));
    const last = s.idx[s.idx.length - 1];
    if (last + 1 < depth) {
      // shift: replace the last bit with the next one; expand: add the next one
      push({ idx: [...s.idx.slice(0, -1), last + 1], score: s.score - z[last] + z[last + 1] });
      push({ idx: [...s.idx, last + 1], score: s.score + z[last + 1] });
    }
  }
  return out;
}
