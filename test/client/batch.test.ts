// Tests the splitter behind upsertBatch: batch size and concurrency, lazy input, exact failed ids, repeated
// ids and the byte budget.
import fc from 'fast-check';
import { estimateJsonBytes, upsertInChunks } from '../../lib/client/batch';
import { WhiplashBatchError, WhiplashError } from '../../lib/client';
import type { VectorInput } from '../../lambda/core/types';

/** The splitter behind upsertBatch, with an in-process sender standing in for the API. */
describe('upsertInChunks', () => {
  const items = (n: number, dim = 4): VectorInput[] => Array.from({ length: n }, (_, i) => ({ id: `v${i}`, vector: new Array(dim).fill(i) }));
  const refused = () => new WhiplashError({ status: 503, code: 'ServiceUnavailable', message: 'down' });

  test('never exceeds batchSize (capped at 500) nor concurrency', async () => {
    const sizes: number[] = [];
    let inflight = 0;
    let peak = 0;
    const r = await upsertInChunks(
      items(1234),
      async (chunk) => {
        inflight++;
        peak = Math.max(peak, inflight);
        sizes.push(chunk.length);
        await new Promise((res) => setImmediate(res));
        inflight--;
      },
      { batchSize: 9999, concurrency: 3 },
    );
    expect(r).toEqual({ upserted: 1234, requests: 3 });
    expect(sizes.sort((a, b) => b - a)).toEqual([500, 500, 234]);
    expect(peak).toBe(3);
  });

  test('sends a firstBatchSize request alone, then batches of batchSize in parallel; a failed first request sends nothing more', async () => {
    // GIVEN a sender that records each request and how many others were in flight beside it
    const log: { size: number; beside: number }[] = [];
    let inflight = 0;
    const send = async (chunk: readonly VectorInput[]) => {
      log.push({ size: chunk.length, beside: inflight++ });
      await new Promise((res) => setTimeout(res, 5));
      inflight--;
    };
    // WHEN 1,000 vectors go out with a first request of 500 (asked for 9,999: capped) and batches of 100, 3 in flight
    const r = await upsertInChunks(items(1000), send, { batchSize: 100, concurrency: 3, firstBatchSize: 9999 });
    // THEN the first request holds 500 and ran alone; the rest went 100 at a time, up to 3 at once
    expect(r).toEqual({ upserted: 1000, requests: 6 });
    expect(log[0]).toEqual({ size: 500, beside: 0 });
    expect(log[1].beside).toBe(0); // started only once the first was acknowledged
    expect(log.slice(1).map((l) => l.size)).toEqual([100, 100, 100, 100, 100]);
    expect(Math.max(...log.map((l) => l.beside))).toBe(2);
    // AND when the first request fails, no other starts
    let calls = 0;
    const err = (await upsertInChunks(
      items(1000),
      async () => {
        calls++;
        throw refused();
      },
      { batchSize: 100, concurrency: 3, firstBatchSize: 500 },
    ).catch((e: unknown) => e)) as WhiplashBatchError;
    expect(calls).toBe(1);
    expect(err.upserted).toBe(0);
    expect(err.failedIds).toHaveLength(1000);
  });

  test('reads an iterator lazily and stops reading at the first failure', async () => {
    let read = 0;
    function* endless(): Generator<VectorInput> {
      for (let i = 0; ; i++) {
        read++;
        yield { id: `v${i}`, vector: [i] };
      }
    }
    let calls = 0;
    const err = (await upsertInChunks(
      endless(),
      async () => {
        if (++calls === 3) throw refused();
      },
      { batchSize: 10, concurrency: 2 },
    ).catch((e: unknown) => e)) as WhiplashBatchError;
    expect(err).toBeInstanceOf(WhiplashBatchError);
    expect(err.inputExhausted).toBe(false);
    // Memory stays bounded: reading stopped within a few chunks of the failure.
    expect(read).toBeLessThanOrEqual(50);
    expect(err.failedIds.slice(0, 10)).toEqual(Array.from({ length: 10 }, (_, i) => `v${20 + i}`));
    expect(err.upserted + err.failedIds.length).toBe(read);
  });

  test('with requests in parallel, failedIds are exactly the unacknowledged ids, in input order', async () => {
    const input = items(100);
    const acked: string[] = [];
    const err = (await upsertInChunks(
      input,
      async (chunk) => {
        if (chunk[0].id === 'v20' || chunk[0].id === 'v40') throw refused();
      },
      { batchSize: 10, concurrency: 4, onBatch: (a) => void acked.push(...a.ids) },
    ).catch((e: unknown) => e)) as WhiplashBatchError;
    expect(err.status).toBe(503);
    expect(err.inputExhausted).toBe(true);
    const all = input.map((i) => i.id);
    expect(err.failedIds).toEqual(all.filter((id) => !acked.includes(id)));
    expect(err.failedIds.slice(0, 10)).toEqual(all.slice(20, 30));
    expect(err.upserted).toBe(acked.length);
  });

  test('a repeated id starts a new request (the API refuses an id twice in one request)', async () => {
    const sent: string[][] = [];
    const input = ['a', 'b', 'a', 'c', 'd', 'c'].map((id) => ({ id, vector: [1] }));
    await upsertInChunks(input, async (c) => void sent.push(c.map((i) => i.id)), { batchSize: 10, concurrency: 1 });
    expect(sent).toEqual([['a', 'b'], ['a', 'c', 'd'], ['c']]);
  });

  test('splits by estimated bytes; one vector larger than the budget still goes alone', async () => {
    const sizes: number[] = [];
    await upsertInChunks(items(10, 1000), async (c) => void sizes.push(c.length), { maxBatchBytes: 60_000 });
    expect(sizes).toEqual([2, 2, 2, 2, 2]);
    const alone: number[] = [];
    await upsertInChunks(items(3, 1000), async (c) => void alone.push(c.length), { maxBatchBytes: 10 });
    expect(alone).toEqual([1, 1, 1]);
  });

  test('the estimate bounds the bytes a batch takes in the Lambda event, where the body is a JSON string escaped once more', () => {
    const text = fc.string({ unit: fc.constantFrom('a', '"', '\\', '\n', '\t', '\u0001', 'é', '😀') });
    const item = fc.record({
      id: text.filter((id) => id.length > 0),
      vector: fc.array(fc.float({ noNaN: true, noDefaultInfinity: true }), { minLength: 1, maxLength: 8 }),
      metadata: fc.option(fc.dictionary(text, fc.oneof(text, fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean(), fc.array(text))), { nil: undefined }),
    });
    fc.assert(
      fc.property(fc.array(item, { minLength: 1, maxLength: 5 }), (vectors) => {
        // GIVEN a batch body WHEN the proxy event carries it as a string THEN the estimate is not below its size
        const inEvent = Buffer.byteLength(JSON.stringify(JSON.stringify({ vectors })));
        const estimate = vectors.reduce((sum, v) => sum + estimateJsonBytes(v), 0);
        expect(estimate).toBeGreaterThanOrEqual(inEvent);
      }),
    );
  });
});
