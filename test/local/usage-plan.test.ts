// Tests the local usage plan: token-bucket throttle, quotas per day, week and month, and its 429 answers over HTTP.
import { UsagePlanEnforcer } from '../../lib/local/usage-plan';
import { call, createProject, startTestServer } from './http';

describe('UsagePlanEnforcer (token bucket and quota, as API Gateway applies them per key)', () => {
  test('lets a burst through, then throttles until tokens refill at the rate', () => {
    let now = 1_000_000;
    const plan = new UsagePlanEnforcer({ rateLimit: 2, burstLimit: 3 }, () => now);
    expect([1, 2, 3, 4].map(() => plan.admit('k'))).toEqual(['ok', 'ok', 'ok', 'throttled']);
    now += 499; // 0.998 tokens
    expect(plan.admit('k')).toBe('throttled');
    now += 2; // one token
    expect(plan.admit('k')).toBe('ok');
    expect(plan.admit('k')).toBe('throttled');
  });

  test('keys have separate buckets', () => {
    const plan = new UsagePlanEnforcer({ rateLimit: 1, burstLimit: 1 }, () => 0);
    expect(plan.admit('a')).toBe('ok');
    expect(plan.admit('a')).toBe('throttled');
    expect(plan.admit('b')).toBe('ok');
  });

  test('the quota counts admitted requests per UTC day and resets the next day', () => {
    let now = Date.UTC(2026, 0, 5, 23, 0);
    const plan = new UsagePlanEnforcer({ rateLimit: 1000, burstLimit: 1000, quota: { limit: 2, period: 'DAY' } }, () => now);
    expect([1, 2, 3].map(() => plan.admit('k'))).toEqual(['ok', 'ok', 'quota']);
    now = Date.UTC(2026, 0, 6, 0, 1);
    expect(plan.admit('k')).toBe('ok');
  });

  test('weeks start on Monday (UTC) and months on the 1st', () => {
    let now = Date.UTC(2026, 0, 4, 12); // a Sunday
    const week = new UsagePlanEnforcer({ rateLimit: 1000, burstLimit: 1000, quota: { limit: 1, period: 'WEEK' } }, () => now);
    expect(week.admit('k')).toBe('ok');
    expect(week.admit('k')).toBe('quota');
    now = Date.UTC(2026, 0, 5, 0, 0); // Monday
    expect(week.admit('k')).toBe('ok');
    now = Date.UTC(2026, 1, 27);
    const month = new UsagePlanEnforcer({ rateLimit: 1000, burstLimit: 1000, quota: { limit: 1, period: 'MONTH' } }, () => now);
    expect(month.admit('k')).toBe('ok');
    now = Date.UTC(2026, 1, 28, 23);
    expect(month.admit('k')).toBe('quota');
    now = Date.UTC(2026, 2, 1);
    expect(month.admit('k')).toBe('ok');
  });

  test('rejects a plan without a positive rate or burst', () => {
    expect(() => new UsagePlanEnforcer({ rateLimit: 0, burstLimit: 1 })).toThrow(/rateLimit/);
  });
});

describe('usage plan over HTTP', () => {
  test('throttling answers 429 "Too Many Requests" like API Gateway, and recovers', async () => {
    const server = await startTestServer({ usagePlan: { rateLimit: 5, burstLimit: 5 } });
    try {
      const { key } = await createProject(server, 'busy');
      const replies = await Promise.all(Array.from({ length: 12 }, () => call(server, 'GET', '/projects/busy/collections', { key })));
      const throttled = replies.filter((r) => r.status === 429);
      expect(throttled.length).toBeGreaterThan(0);
      expect(replies.filter((r) => r.status === 200).length).toBeGreaterThan(0);
      for (const r of throttled) {
        expect(r.body.message).toBe('Too Many Requests');
        expect(r.body.error).toMatchObject({ status: 429, code: 'TooManyRequests' });
      }
      await new Promise((r) => setTimeout(r, 1500)); // let the bucket refill
      expect((await call(server, 'GET', '/projects/busy/collections', { key })).status).toBe(200);
    } finally {
      await server.stop();
    }
  });

  test('a used-up quota answers 429 "Limit Exceeded", and other keys are unaffected', async () => {
    const server = await startTestServer({ usagePlan: { rateLimit: 100, burstLimit: 100, quota: { limit: 3, period: 'DAY' } } });
    try {
      const { key } = await createProject(server, 'metered');
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++) statuses.push((await call(server, 'GET', '/projects/metered', { key })).status);
      expect(statuses).toEqual([200, 200, 200, 429]);
      const r = await call(server, 'GET', '/projects/metered', { key });
      expect(r.body.message).toBe('Limit Exceeded');
      expect(r.body.error.code).toBe('LimitExceeded');
      expect((await call(server, 'GET', '/projects/metered', { key: server.adminKey })).status).toBe(200);
    } finally {
      await server.stop();
    }
  });
});
