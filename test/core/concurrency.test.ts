// Tests mapLimit: input order, the bound on calls in flight, and that after a failure no call
// starts and the rejection waits for the calls in flight (no write lands after a failed request).
import fc from 'fast-check';
import { mapLimit } from '../../lambda/core/concurrency';

const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('mapLimit', () => {
  it('keeps input order and never has more than `limit` calls in flight', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 30 }), fc.integer({ min: 1, max: 8 }), async (delays, limit) => {
        let inFlight = 0;
        let most = 0;
        const out = await mapLimit(delays, limit, async (d, i) => {
          most = Math.max(most, ++inFlight);
          await tick(d);
          inFlight--;
          return i * 2;
        });
        expect(out).toEqual(delays.map((_, i) => i * 2));
        expect(most).toBeLessThanOrEqual(limit);
      }),
      { numRuns: 40 },
    );
  });

  it('after the first failure starts no call, and rejects only when the calls in flight have ended', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 19 }), fc.integer({ min: 1, max: 6 }), async (failAt, limit) => {
        const events: string[] = [];
        const result = mapLimit(Array.from({ length: 20 }, (_, i) => i), limit, async (i) => {
          events.push(`start ${i}`);
          await tick(i === failAt ? 1 : 3);
          if (i === failAt) {
            events.push(`fail ${i}`);
            throw new Error(`boom ${i}`);
          }
          events.push(`end ${i}`);
        });
        await expect(result).rejects.toThrow(`boom ${failAt}`);
        events.push('rejected');
        const failed = events.indexOf(`fail ${failAt}`);
        // no call starts after the failure
        expect(events.slice(failed).some((e) => e.startsWith('start'))).toBe(false);
        // every call that started has ended before the rejection
        const started = events.filter((e) => e.startsWith('start')).map((e) => e.slice(6));
        for (const i of started) expect(events.indexOf(`end ${i}`) >= 0 || Number(i) === failAt).toBe(true);
        expect(events[events.length - 1]).toBe('rejected');
        expect(events.filter((e) => e.startsWith('end')).every((e) => events.indexOf(e) < events.indexOf('rejected'))).toBe(true);
      }),
      { numRuns: 30 },
    );
  });
});
