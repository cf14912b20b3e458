// Tests the cost model's arithmetic (queries, writes, storage, the original layout, S3 Vectors, DynamoDB vector
// search, turbopuffer, Upstash, Pinecone), the cost table and the workloads' monthly bills.
import {
  base36Chars,
  dynamoVectorIndexBytes,
  dynamoVectorSearchBytes,
  dynamoVectorSearchCost,
  monthlyStorage,
  originalWriteUnits,
  pineconeCost,
  pineconeQueryReadUnits,
  s3VectorBytes,
  s3VectorsCost,
  s3VectorsDataProcessedPerQuery,
  scaleReadUnits,
  serverlessQueryCost,
  serverlessWriteCost,
  TIB,
  turbopufferCost,
  turbopufferQueriedBytes,
  upstashCost,
  whiplashBytesPerVector,
  whiplashWriteUnitsPerVector,
} from '../../bench/cost/model';
import { PRICES } from '../../bench/cost/prices';
import { denseVectorItemBytes } from '../../bench/cost/storage';
import { verdict } from '../../bench/cost/report';
import { transactWriteUnits } from '../../bench/meter';
import { costRows, CostInputs } from '../../bench/cost/table';
import { monthlyBill, parseWorkloads, standing, WORKLOADS } from '../../bench/cost/workloads';

// Every expected figure below was worked out by hand from the formula in the comment.

describe('cost model arithmetic', () => {
  test('a query behind API Gateway REST and Lambda on DynamoDB on-demand', () => {
    const c = serverlessQueryCost(280.8, 271, 1024, PRICES);
    expect(c.dynamoReads).toBeCloseTo(35.1, 10); // 280.8 RRU x $0.125 per million
    expect(c.lambdaDuration).toBeCloseTo(3.6133514, 6); // 1 GB x 0.271 s x 10^6 x $0.0000133334
    expect(c.lambdaRequests).toBe(0.2);
    expect(c.apiGateway).toBe(3.5);
    expect(c.total).toBeCloseTo(42.4133514, 6);
    // half the memory halves the duration charge only
    expect(serverlessQueryCost(280.8, 271, 512, PRICES).lambdaDuration).toBeCloseTo(1.8066757, 6);
  });

  test('read units scale by the stated rule', () => {
    expect(scaleReadUnits(280.8, 60_000, 1_000_000, { kind: 'constant', why: '' }).readUnits).toBe(280.8);
    expect(scaleReadUnits(4549.2, 60_000, 1_000_000, { kind: 'linear', why: '' }).readUnits).toBeCloseTo(75_820, 6); // x 50/3
    expect(scaleReadUnits(100, 1000, 4000, { kind: 'power', exponent: 0.5, why: '' }).readUnits).toBeCloseTo(200, 10); // x 4^0.5
    expect(scaleReadUnits(100, 1000, 4000, { kind: 'power', exponent: 0.5, why: '' }).arithmetic).toBe('100 x (4,000 / 1,000)^0.5 = 200');
    expect(() => scaleReadUnits(1, 0, 10, { kind: 'linear', why: '' })).toThrow(RangeError);
  });

  test('storage: bytes x vectors / 2^30 x $ per GB-month', () => {
    expect(monthlyStorage(1024, 2 ** 20, 0.25)).toBe(0.25); // exactly 1 GiB
    expect(monthlyStorage(6380, 1e6, 0.25)).toBeCloseTo(1.48547, 4); // 5.9419 GiB
  });

  test('writes through the batch API: write units plus API Gateway, Lambda requests and duration per batch', () => {
    // 20 x $0.625 + 2,000 batches x ($3.5 + $0.2 per million + 1 GB x 2 s x $0.0000133334)
    expect(serverlessWriteCost(20, 500, 2, 1024, PRICES)).toBeCloseTo(12.5 + 2000 * (3.7e-6 + 2.66668e-5), 9);
  });

  test("Whiplash's stored bytes move to the workload's vector items and id length", () => {
    // 6,000 - 700 + 3,150 (a deflated vector item replaced by a dense one) + 16 bucket entries x (8 - 3)
    expect(whiplashBytesPerVector({ bytesPerVector: 6000, vectorItemBytes: 700, idBytes: 3, itemsPerVector: 17 }, 3150, 8)).toBe(8530);
  });

  test("the original layout's write units grow with N as its bucket items do", () => {
    expect(base36Chars(8)).toBe(2); // 255 = "73"
    expect(base36Chars(18)).toBe(4); // 262,143 = "5m9r"
    // 1M vectors, 8-byte ids: vector item 3,088 B -> 4; tables of 8..18 bits: 31 + 8 + 2 + 1 + 1 + 1
    expect(originalWriteUnits(1e6, 768, 8)).toBe(48);
    // 10,000 vectors: every bucket item under 1 KB -> 4 + 6 x 1
    expect(originalWriteUnits(10_000, 768, 8)).toBe(10);
  });

  test('Pinecone: 1 read unit per GB of namespace, at least 0.25', () => {
    expect(pineconeQueryReadUnits(500_000, 3570)).toBeCloseTo(1.785, 10); // the docs' 768-d example: 1.78 RU
    expect(pineconeQueryReadUnits(1000, 3080)).toBe(0.25);
    const c = pineconeCost(1e6, 768, 8, PRICES);
    expect(c.perMillionQueries).toBeCloseTo(3.08 * 16, 10);
    expect(c.storagePerMonth).toBeCloseTo(3.08 * 0.33, 10);
    expect(c.perMillionWrites).toBeCloseTo(3.08 * 4, 10);
  });

  test("S3 Vectors: the data-processed charge is tiered at 100,000 vectors of the index, as the pricing page bills it", () => {
    const b = s3VectorBytes(768, 8); // 3,080 bytes
    const first = PRICES.s3VectorsDataProcessedFirst100kPerTb.usd;
    const next = PRICES.s3VectorsDataProcessedTo10MPerTb.usd;
    // up to the boundary every vector is at the first rate
    expect(s3VectorsDataProcessedPerQuery(100_000, b, PRICES)).toBeCloseTo(((100_000 * b) / TIB) * first, 15);
    expect(s3VectorsDataProcessedPerQuery(50_000, b, PRICES)).toBeCloseTo(((50_000 * b) / TIB) * first, 15);
    // past it, only the vectors beyond 100,000 move to the second rate
    expect(s3VectorsDataProcessedPerQuery(100_001, b, PRICES)).toBeCloseTo(((100_000 * b) / TIB) * first + (b / TIB) * next, 15);
    expect(s3VectorsDataProcessedPerQuery(1e6, b, PRICES)).toBeCloseTo(((1e5 * b) / TIB) * first + ((9e5 * b) / TIB) * next, 15);
    // the marginal cost of a vector halves at the boundary and drops again past 10 million
    const marginal = (n: number) => s3VectorsDataProcessedPerQuery(n + 1, b, PRICES) - s3VectorsDataProcessedPerQuery(n, b, PRICES);
    expect(marginal(99_999) / marginal(100_000)).toBeCloseTo(first / next, 9);
    expect(marginal(10_000_000) / marginal(9_999_999)).toBeCloseTo(PRICES.s3VectorsDataProcessedOver10MPerTb.usd / next, 9);
    const c = s3VectorsCost(1e6, 768, 8, PRICES);
    expect(c.lowerBound).toBeUndefined();
    expect(c.perMillionQueries).toBeCloseTo(PRICES.s3VectorsQueryPerMillion.usd + 1e6 * s3VectorsDataProcessedPerQuery(1e6, b, PRICES), 9);
    expect(c.storagePerMonth).toBeCloseTo((3080e6 / 2 ** 30) * 0.06, 10); // 2.8685 GiB
    expect(c.perMillionWrites).toBeCloseTo((3080e6 / 2 ** 30) * 0.2, 10);
  });

  test('DynamoDB vector search: a range from the top-k vectors to the whole index, at $ per GB examined', () => {
    const entry = dynamoVectorIndexBytes(768);
    expect(entry).toBeGreaterThan(768 * 4);
    const { low, high } = dynamoVectorSearchBytes(1e6, 768, 10);
    expect(low).toBeGreaterThanOrEqual(10 * 768 * 4); // at least the k vectors returned
    expect(high).toBeGreaterThanOrEqual(1e6 * 768 * 4); // at most every vector of the index
    expect(high - low).toBeCloseTo((1e6 - 10) * entry, 6);
    // a collection smaller than k cannot make a search examine more than the collection
    expect(dynamoVectorSearchBytes(3, 768, 10).low).toBe(dynamoVectorSearchBytes(3, 768, 10).high);
    const c = dynamoVectorSearchCost(1e6, 768, 8, PRICES);
    expect(c.perMillionQueries).toBeCloseTo(((1e6 * low) / 2 ** 30) * PRICES.dynamoVectorSearchPerGb.usd, 9);
    expect(c.perMillionQueriesHigh).toBeCloseTo(((1e6 * high) / 2 ** 30) * PRICES.dynamoVectorSearchPerGb.usd, 6);
    // the low end does not grow with the index; the high end grows in proportion
    expect(dynamoVectorSearchCost(1e7, 768, 8, PRICES).perMillionQueries).toBeCloseTo(c.perMillionQueries, 12);
    expect(dynamoVectorSearchCost(1e7, 768, 8, PRICES).perMillionQueriesHigh! / c.perMillionQueriesHigh!).toBeCloseTo(10, 3);
  });

  test('turbopuffer: the namespace is queried, at least 1.28 GB a query, cheaper per byte past 32 and 128 GB', () => {
    expect(turbopufferQueriedBytes(1e6)).toBe(1.28e9);
    expect(turbopufferQueriedBytes(10e9)).toBe(10e9);
    expect(turbopufferQueriedBytes(64e9)).toBeCloseTo(32e9 + 0.2 * 32e9, 0);
    expect(turbopufferQueriedBytes(228e9)).toBeCloseTo(32e9 + 0.2 * 96e9 + 0.04 * 100e9, 0);
    const c = turbopufferCost(1e6, 768, 8, PRICES);
    // 3.08 GB queried at $1 per PB, plus a few hundred bytes returned
    expect(c.perMillionQueries).toBeGreaterThan(3.08);
    expect(c.perMillionQueries).toBeLessThan(3.1);
    expect(c.monthlyMinimum).toBe(PRICES.turbopufferMonthlyMinimum.usd);
  });

  test('Upstash: one operation a query and an upserted vector; storage of dim x 4 bytes', () => {
    const c = upstashCost(1e6, 768, PRICES);
    expect(c.perMillionQueries).toBe(PRICES.upstashOpsPerMillion.usd);
    expect(c.perMillionWrites).toBe(PRICES.upstashOpsPerMillion.usd);
    expect(c.storagePerMonth).toBeCloseTo(3.072 * PRICES.upstashStoragePerGbMonth.usd, 10);
  });

  test("a dense embedding's vector item, as the workloads are priced, barely deflates", () => {
    // 768 x 4 bytes of vector, an 8-byte id, keys, codes and versions; the MiniLM values deflate a few per cent
    const bytes = denseVectorItemBytes(768, 8);
    expect(bytes).toBeGreaterThan(0.9 * 768 * 4);
    expect(bytes).toBeLessThan(768 * 4 + 200);
  });

  test("Whiplash's write units per vector are the measured ones, their vector item's transaction moved to the workload's item", () => {
    expect(whiplashWriteUnitsPerVector({ writeUnitsPerVector: 38 })).toBe(38);
    // measured 10.1 with vector items of 1.05 units on average; a dense 3,150-byte item is 4 units, twice in its transaction
    expect(whiplashWriteUnitsPerVector({ writeUnitsPerVector: 10.1, vectorItemWriteUnits: 1.05 }, 3150)).toBeCloseTo(10.1 + 2 * (4 - 1.05), 10);
    expect(whiplashWriteUnitsPerVector({ writeUnitsPerVector: 10.1, vectorItemWriteUnits: 1.05 })).toBe(10.1);
  });

  test('a transaction bills each action twice, a Put by its item size, the rest at the 1 KB minimum', () => {
    // an item of exactly `bytes`: names "k" and "v", value "a", and a string of the rest
    const put = (bytes: number) => ({ Put: { TableName: 't', Item: { k: { S: 'a' }, v: { S: 'x'.repeat(bytes - 3) } } } });
    expect(transactWriteUnits([put(1024)])).toBe(2);
    expect(transactWriteUnits([put(1025)])).toBe(4);
    expect(transactWriteUnits([put(3300), { Update: { TableName: 't', Key: { k: { S: 'c' } }, UpdateExpression: 'ADD n :one' } }])).toBe(2 * 4 + 2 * 1);
    expect(transactWriteUnits([])).toBe(0);
  });

  test('the table flags an original-layout query that would outlast API Gateway', () => {
    const inputs: CostInputs = {
      dim: 768,
      idBytes: 8,
      whiplash: { readUnits: 280.8, base: 60_000, p50Ms: 271, rule: { kind: 'constant', why: 'test' } },
      original: { readUnits: 4549.2, base: 60_000, p50Ms: 1173 },
      storage: { bytesPerVector: 6367, dim: 784, idBytes: 3.4, itemsPerVector: 17, vectorItemBytes: 3206, writeUnitsPerVector: 20, batchSeconds: 4.9 },
      vectorItemBytes: 3150,
      queryMemoryMb: 1024,
      writeMemoryMb: 1024,
    };
    const at1M = costRows(1e6, inputs, PRICES);
    const at10M = costRows(1e7, inputs, PRICES);
    expect(at1M.map((r) => r.system)).toEqual(['whiplash', 'original', 's3-vectors', 'dynamodb-vector-search', 'turbopuffer', 'upstash', 'pinecone']);
    expect(at1M[1].fails).toBeUndefined(); // 1,173 ms x 50/3 = 19.6 s
    expect(at10M[1].fails).toMatch(/29 s/); // 195 s
    expect(at1M[0].perMillionQueries).toBeCloseTo(42.4133514, 6);
    expect(at10M[0].storagePerMonth).toBeCloseTo(10 * at1M[0].storagePerMonth, 10);
    // with read units growing as N^0.5, 4x the vectors doubles the read units and the Lambda duration
    const grown = costRows(240_000, { ...inputs, whiplash: { ...inputs.whiplash, rule: { kind: 'power', exponent: 0.5, why: 'test' } } }, PRICES)[0];
    expect(grown.readUnits).toBeCloseTo(561.6, 9);
    expect(grown.lambdaMs).toBeCloseTo(542, 9);
    expect(grown.perMillionQueries).toBeCloseTo(561.6 * 0.125 + 0.542 * 1e6 * 0.0000133334 + 0.2 + 3.5, 6);
  });
});

const inputs: CostInputs = {
  dim: 768,
  idBytes: 8,
  whiplash: { readUnits: 204.4, base: 60_000, p50Ms: 335, rule: { kind: 'power', exponent: 0.554, why: 'test' } },
  original: { readUnits: 4549.2, base: 60_000, p50Ms: 1220 },
  storage: { bytesPerVector: 9670, dim: 784, idBytes: 3.4, itemsPerVector: 33, vectorItemBytes: 3206, writeUnitsPerVector: 36, batchSeconds: 9.1 },
  vectorItemBytes: 3150,
  queryMemoryMb: 1024,
  writeMemoryMb: 1024,
};

describe('workload bills', () => {
  test('the three workloads of the issue, and a parser for others', () => {
    expect(WORKLOADS).toEqual([
      { vectors: 100_000, queriesPerMonth: 10_000 },
      { vectors: 1_000_000, queriesPerMonth: 1_000_000 },
      { vectors: 10_000_000, queriesPerMonth: 10_000_000 },
    ]);
    expect(parseWorkloads('5:6,7:8')).toEqual([
      { vectors: 5, queriesPerMonth: 6 },
      { vectors: 7, queriesPerMonth: 8 },
    ]);
    expect(() => parseWorkloads('5')).toThrow(RangeError);
  });

  test('a month is storage + queries, at least the plan minimum; the ingest is separate', () => {
    const sys = { perMillionQueries: 10, storagePerMonth: 2, storedGb: 1, perMillionWrites: 4, basis: [] };
    const b = monthlyBill(sys, { vectors: 500_000, queriesPerMonth: 300_000 });
    expect(b.month).toBeCloseTo(2 + 3, 12);
    expect(b.ingest).toBeCloseTo(2, 12);
    expect(b.minimumApplies).toBe(false);
    const withMin = monthlyBill({ ...sys, monthlyMinimum: 16 }, { vectors: 500_000, queriesPerMonth: 300_000 });
    expect(withMin.month).toBe(16);
    expect(withMin.minimumApplies).toBe(true);
    const ranged = monthlyBill({ ...sys, perMillionQueriesHigh: 100 }, { vectors: 1, queriesPerMonth: 1e6 });
    expect(ranged.month).toBeCloseTo(12, 12);
    expect(ranged.monthHigh).toBeCloseTo(102, 12);
  });

  test('every system has a bill for every workload, and bills grow with the workload', () => {
    const bills = WORKLOADS.map((w) => costRows(w.vectors, inputs, PRICES).map((row) => ({ system: row.system, bill: monthlyBill(row, w) })));
    const systems = bills[0].map((b) => b.system);
    expect(systems).toHaveLength(7);
    for (const ws of bills) expect(ws.map((b) => b.system)).toEqual(systems);
    for (let i = 1; i < bills.length; i++) {
      for (let j = 0; j < systems.length; j++) {
        expect(bills[i][j].bill.month).toBeGreaterThanOrEqual(bills[i - 1][j].bill.month);
        expect(bills[i][j].bill.ingest).toBeGreaterThan(bills[i - 1][j].bill.ingest);
        expect(bills[i][j].bill.monthHigh ?? Infinity).toBeGreaterThanOrEqual(bills[i - 1][j].bill.monthHigh ?? 0);
      }
    }
  });

  test('$ per million queries never falls as the collection grows, for any system', () => {
    const sizes = [10_000, 99_999, 100_000, 100_001, 1e6, 9_999_999, 1e7, 1e7 + 1, 5e7];
    const rows = sizes.map((n) => costRows(n, inputs, PRICES));
    for (let i = 1; i < rows.length; i++) {
      for (let j = 0; j < rows[i].length; j++) {
        expect(rows[i][j].perMillionQueries).toBeGreaterThanOrEqual(rows[i - 1][j].perMillionQueries - 1e-12);
        expect(rows[i][j].storagePerMonth).toBeGreaterThan(rows[i - 1][j].storagePerMonth);
      }
    }
  });

  test('the verdict names the cheapest, says when Whiplash is not, and places the ranged price', () => {
    const bill = (month: number, extra: object = {}) => ({ ingest: 0, month, minimumApplies: false, ...extra });
    const bills = [
      { system: 'whiplash', label: 'Whiplash', bill: bill(5) },
      { system: 's3-vectors', label: 'S3 Vectors', bill: bill(1) },
      { system: 'pinecone', label: 'Pinecone', bill: bill(50, { minimumApplies: true }) },
      { system: 'dynamodb-vector-search', label: 'DynamoDB VS', bill: bill(0.5, { monthHigh: 500 }) },
      { system: 'original', label: 'original', bill: bill(2), fails: 'too slow' },
    ];
    const st = standing(bills, 'whiplash');
    expect(st.order.map((b) => b.system)).toEqual(['s3-vectors', 'whiplash', 'pinecone']);
    expect(st.place).toBe(2);
    expect(st.ranges[0].relation).toBe('across');
    const text = verdict({ vectors: 1e6, queriesPerMonth: 1e6, bills });
    expect(text).toMatch(/cheapest is S3 Vectors \$1\.00/);
    expect(text).toMatch(/Whiplash is not the cheapest/);
    expect(text).toMatch(/2nd of 3, cheaper than Pinecone \$50\.00 \(its plan minimum\)/);
    expect(text).toMatch(/DynamoDB VS lies between/);
    expect(text).toMatch(/original cannot serve it/);
    const first = verdict({ vectors: 1e6, queriesPerMonth: 1e6, bills: [{ ...bills[0], bill: bill(0.1) }, bills[1]] });
    expect(first).toMatch(/Whiplash is the cheapest/);
  });
});

