// Tests the cost model's arithmetic (queries, writes, storage, the original layout, S3 Vectors, Pinecone) and the cost table.
import {
  base36Chars,
  monthlyStorage,
  originalWriteUnits,
  pineconeCost,
  pineconeQueryReadUnits,
  s3VectorsCost,
  scaleReadUnits,
  serverlessQueryCost,
  serverlessWriteCost,
  whiplashBytesPerVector,
} from '../../bench/cost/model';
import { PRICES } from '../../bench/cost/prices';
import { costRows, CostInputs } from '../../bench/cost/table';

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

  test("Whiplash's stored bytes move to another dimension and id length", () => {
    // 6,000 - 4 x (784 - 768) + 17 x (8 - 3)
    expect(whiplashBytesPerVector({ bytesPerVector: 6000, dim: 784, idBytes: 3, itemsPerVector: 17 }, 768, 8)).toBe(6021);
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

  test('S3 Vectors: request charge only (a lower bound), logical bytes for storage and PUT', () => {
    const c = s3VectorsCost(1e6, 768, 8, PRICES);
    expect(c.lowerBound).toBe(true);
    expect(c.perMillionQueries).toBe(2.5);
    expect(c.storagePerMonth).toBeCloseTo((3080e6 / 2 ** 30) * 0.06, 10); // 2.8685 GiB
    expect(c.perMillionWrites).toBeCloseTo((3080e6 / 2 ** 30) * 0.2, 10);
  });

  test('the table flags an original-layout query that would outlast API Gateway', () => {
    const inputs: CostInputs = {
      dim: 768,
      idBytes: 8,
      whiplash: { readUnits: 280.8, base: 60_000, p50Ms: 271, rule: { kind: 'constant', why: 'test' } },
      original: { readUnits: 4549.2, base: 60_000, p50Ms: 1173 },
      storage: { bytesPerVector: 6367, dim: 784, idBytes: 3.4, itemsPerVector: 17, writeUnitsPerVector: 20, batchSeconds: 4.9 },
      queryMemoryMb: 1024,
      writeMemoryMb: 1024,
    };
    const at1M = costRows(1e6, inputs, PRICES);
    const at10M = costRows(1e7, inputs, PRICES);
    expect(at1M.map((r) => r.system)).toEqual(['whiplash', 'original', 's3-vectors', 'pinecone']);
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
