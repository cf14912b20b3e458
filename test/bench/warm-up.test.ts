// Tests the warm-up's order of queries: a pool served in rounds, each after the first in its own order.
import { Matrix } from '../../bench/datasets/types';
import { servedQueries } from '../../bench/warm-up';

/** A pool whose row i holds the one number i, so a served row names the query it was. */
const numbered = (rows: number): Matrix => ({ rows, dim: 1, data: Float32Array.from({ length: rows }, (_, i) => i) });
const servedIds = (pool: Matrix, count: number): number[] => Array.from(servedQueries(pool, count).data);

describe('servedQueries', () => {
  it('serves a pool that holds the whole warm-up in its own order', () => {
    // GIVEN a pool of 50 queries
    // WHEN 30 are served
    // THEN they are the first 30, in order
    expect(servedIds(numbered(50), 30)).toEqual(Array.from({ length: 30 }, (_, i) => i));
  });

  it('serves every query of the pool once per round, each round after the first in another order', () => {
    // GIVEN a pool of 40 queries
    const pool = numbered(40);
    // WHEN three rounds and a half are served
    const ids = servedIds(pool, 140);
    // THEN the first round is the pool's order, and each later whole round holds every query once, in an order of its own
    const rounds = [0, 1, 2].map((r) => ids.slice(r * 40, (r + 1) * 40));
    expect(rounds[0]).toEqual(Array.from({ length: 40 }, (_, i) => i));
    for (const r of rounds.slice(1)) expect([...r].sort((a, b) => a - b)).toEqual(rounds[0]);
    expect(rounds[1]).not.toEqual(rounds[0]);
    expect(rounds[2]).not.toEqual(rounds[1]);
    expect(new Set(ids.slice(120)).size).toBe(20);
  });

  it('refuses to serve from an empty pool', () => {
    expect(() => servedQueries(numbered(0), 1)).toThrow(/no queries to serve/);
    expect(servedQueries(numbered(0), 0).rows).toBe(0);
  });
});
