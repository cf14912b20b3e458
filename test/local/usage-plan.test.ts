// Tests the local usage plans: token-bucket throttle, quotas per day, week and month, a plan per tier, and their 429 answers over
// HTTP, a project moved to another tier throttled by the new tier's plan.
import { UsagePlanEnforcer } from '../../lib/local/usage-plan';
import { parseTiers } from '../../lib/local/options';
import { WhiplashClient } from '../../lib/client/client';
import { EXIT } from '../../lib/cli/errors';
import { whiplash } from '../cli/run';
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

describe('UsagePlanEnforcer with tiers', () => {
  const tiers = { tiers: { tiny: { rateLimit: 1, burstLimit: 1 }, big: { rateLimit: 1000, burstLimit: 1000 } }, defaultTier: 'big' };

  test('each key is held to its tier’s plan; an unassigned key to the default tier’s', () => {
    const plans = new UsagePlanEnforcer(tiers, () => 0);
    plans.assign('a', 'tiny');
    expect([plans.admit('a'), plans.admit('a')]).toEqual(['ok', 'throttled']);
    expect([1, 2, 3].map(() => plans.admit('b'))).toEqual(['ok', 'ok', 'ok']);
    expect(plans.tierOf('b')).toBe('big');
  });

  test('a key moved to another tier is held to the new plan, with the new plan’s bucket', () => {
    const plans = new UsagePlanEnforcer(tiers, () => 0);
    plans.assign('a', 'tiny');
    plans.admit('a');
    expect(plans.admit('a')).toBe('throttled');
    plans.assign('a', 'big');
    expect(plans.admit('a')).toBe('ok');
    plans.assign('a', 'tiny');
    expect(plans.admit('a')).toBe('throttled'); // back on tiny: its bucket is still empty
  });

  test('rejects a default tier without a plan', () => {
    expect(() => new UsagePlanEnforcer({ tiers: { tiny: { rateLimit: 1, burstLimit: 1 } }, defaultTier: 'pro' })).toThrow(/default tier 'pro'/);
  });
});

describe('tiers over HTTP', () => {
  test('a project on a tier with a tiny rate limit is throttled with 429; moved to a bigger tier it is not', async () => {
    const server = await startTestServer({
      tiers: { tiny: { rateLimit: 0.01, burstLimit: 2 }, big: { rateLimit: 1000, burstLimit: 1000 } },
      defaultTier: 'big',
    });
    try {
      const created = await call(server, 'POST', '/projects', { key: server.adminKey, body: { name: 'climber', tier: 'tiny' } });
      expect(created.status).toBe(201);
      expect(created.body.tier).toBe('tiny');
      const key = created.body.apiKey as string;
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++) statuses.push((await call(server, 'GET', '/projects/climber', { key })).status);
      expect(statuses).toEqual([200, 200, 429, 429]);

      const unknown = await call(server, 'PUT', '/projects/climber/tier', { key: server.adminKey, body: { tier: 'gold' } });
      expect(unknown.status).toBe(400);
      expect(unknown.body.error).toMatchObject({ field: 'tier' });

      const moved = await call(server, 'PUT', '/projects/climber/tier', { key: server.adminKey, body: { tier: 'big' } });
      expect(moved.status).toBe(200);
      expect(moved.body).toMatchObject({ projectId: 'climber', tier: 'big' });
      const after: number[] = [];
      for (let i = 0; i < 10; i++) after.push((await call(server, 'GET', '/projects/climber', { key })).status);
      expect(after).toEqual(Array(10).fill(200));
      expect((await call(server, 'GET', '/projects/climber', { key })).body.tier).toBe('big');

      // a project key cannot move its project (admin only): 403, and it stays where it is
      const own = await call(server, 'PUT', '/projects/climber/tier', { key, body: { tier: 'tiny' } });
      expect(own.status).toBe(403);
      expect((await call(server, 'GET', '/projects/climber', { key })).body.tier).toBe('big');

      // and back on the tiny tier it is throttled again
      expect((await call(server, 'PUT', '/projects/climber/tier', { key: server.adminKey, body: { tier: 'tiny' } })).status).toBe(200);
      const again: number[] = [];
      for (let i = 0; i < 4; i++) again.push((await call(server, 'GET', '/projects/climber', { key })).status);
      expect(again).toContain(429);
    } finally {
      await server.stop();
    }
  });

  test('the SDK and the CLI create a project on a tier and move it', async () => {
    const server = await startTestServer({ tiers: { free: { rateLimit: 100, burstLimit: 100 }, pro: { rateLimit: 1000, burstLimit: 1000 } }, defaultTier: 'free' });
    try {
      // GIVEN the SDK with the admin key
      const admin = new WhiplashClient({ apiUrl: server.url, apiKey: server.adminKey });
      // WHEN a project is created on a tier, moved by the SDK, then by the CLI
      const { project } = await admin.createProject({ name: 'tiered', tier: 'pro' });
      const moved = await admin.setProjectTier('tiered', 'free');
      const env = { WHIPLASH_API_URL: server.url, WHIPLASH_API_KEY: server.adminKey, WHIPLASH_CONFIG: '/nonexistent/whiplash.json' };
      const cli = await whiplash(['--json', 'projects', 'set-tier', 'tiered', 'pro'], env);
      const unknown = await whiplash(['projects', 'set-tier', 'tiered', 'gold'], env);
      // THEN each answer names the tier, the last move holds, and an unknown tier is a usage error naming the field
      expect(project.tier).toBe('pro');
      expect(moved.tier).toBe('free');
      expect(cli.code).toBe(0);
      expect(JSON.parse(cli.stdout)).toMatchObject({ projectId: 'tiered', tier: 'pro' });
      expect((await admin.getProject('tiered')).tier).toBe('pro');
      expect(unknown.code).toBe(EXIT.usage);
      expect(unknown.stderr).toMatch(/400 ValidationError: .*tier/);
    } finally {
      await server.stop();
    }
  });

  test('a project created without a tier is on the default tier; a tier’s quota answers "Limit Exceeded" but never locks the admin key out', async () => {
    const server = await startTestServer({
      tiers: { free: { rateLimit: 100, burstLimit: 100, quota: { limit: 2, period: 'DAY' } }, pro: { rateLimit: 100, burstLimit: 100 } },
    });
    try {
      const { key } = await createProject(server, 'metered');
      const statuses: number[] = [];
      for (let i = 0; i < 3; i++) statuses.push((await call(server, 'GET', '/projects/metered', { key })).status);
      expect(statuses).toEqual([200, 200, 429]);
      for (let i = 0; i < 3; i++) expect((await call(server, 'GET', '/projects', { key: server.adminKey })).status).toBe(200);
      expect((await call(server, 'GET', '/projects/metered', { key: server.adminKey })).body.tier).toBe('free');
      expect((await call(server, 'PUT', '/projects/metered/tier', { key: server.adminKey, body: { tier: 'pro' } })).status).toBe(200);
      expect((await call(server, 'GET', '/projects/metered', { key })).status).toBe(200);
    } finally {
      await server.stop();
    }
  });

  test('--tiers takes a JSON object of tier plans and names what is wrong', () => {
    expect(parseTiers('{"free":{"rateLimit":5,"burstLimit":10,"quota":{"limit":1000,"period":"DAY"}},"pro":{"rateLimit":500,"burstLimit":1000}}')).toEqual({
      free: { rateLimit: 5, burstLimit: 10, quota: { limit: 1000, period: 'DAY' } },
      pro: { rateLimit: 500, burstLimit: 1000 },
    });
    expect(() => parseTiers('free')).toThrow(/JSON object/);
    expect(() => parseTiers('{}')).toThrow(/at least one tier/);
    expect(() => parseTiers('{"free":{"rateLimit":0,"burstLimit":1}}')).toThrow(/tier free/);
    expect(() => parseTiers('{"free":{"rateLimit":1,"burstLimit":1,"quota":{"limit":5,"period":"YEAR"}}}')).toThrow(/tier free/);
  });

  test('startLocalServer rejects a default tier that names no tier, and usagePlan beside tiers', async () => {
    await expect(startTestServer({ tiers: { free: { rateLimit: 1, burstLimit: 1 } }, defaultTier: 'pro' })).rejects.toThrow(/defaultTier/);
    await expect(startTestServer({ tiers: { free: { rateLimit: 1, burstLimit: 1 } }, usagePlan: { rateLimit: 1, burstLimit: 1 } })).rejects.toThrow(/usagePlan and tiers/);
  });
});

