// The queries a benchmark's warm-up serves: a pool of the data set's queries, in rounds when the
// warm-up serves more than the pool holds, each round after the first in an order of its own.
import { Matrix, row } from './datasets';
import { permutation } from './prng';

/**
 * `count` queries served from `pool`: its rows in order, then, while more are to be served, the pool
 * again in another seeded order each round (round r in `permutation(pool.rows, r)`), as a stream of
 * queries comes rather than one list replayed. (Until the store placed each wide read at random in
 * its block, `CalibrationSampler.wide`, a pool replayed in one order whose size the period divided
 * had the same queries read wide every round: BENCHMARKS.md, "The recall target on data kept aside
 * from tuning".) The first round is the pool's own order, so a pool that holds the whole warm-up is
 * served as it comes.
 * @throws RangeError when the pool is empty and `count` is above 0
 */
export function servedQueries(pool: Matrix, count: number): Matrix {
  if (count > 0 && pool.rows === 0) throw new RangeError(`no queries to serve ${count} from`);
  const data = new Float32Array(count * pool.dim);
  for (let round = 0, start = 0; start < count; round++, start += pool.rows) {
    const order = round === 0 ? undefined : permutation(pool.rows, round);
    for (let at = 0; at < Math.min(pool.rows, count - start); at++) data.set(row(pool, order ? order[at] : at), (start + at) * pool.dim);
  }
  return { rows: count, dim: pool.dim, data };
}
