// The usage plan of the local gateway: API Gateway's per-key throttle and quota, enforced in memory.
/**
 * A usage plan as API Gateway enforces it per API key: a token-bucket throttle (steady `rateLimit`
 * requests per second, bursts up to `burstLimit`) and an optional quota of requests per calendar
 * day, week or month (UTC).
 */
export interface UsagePlanSettings {
  /** Steady-state requests per second. */
  readonly rateLimit: number;
  /** Bucket capacity: requests that may arrive at once. */
  readonly burstLimit: number;
  /** Requests per period; absent: no quota. */
  readonly quota?: { readonly limit: number; readonly period: 'DAY' | 'WEEK' | 'MONTH' };
}

/** The default usage plan of the local gateway. */
export const DEFAULT_LOCAL_USAGE_PLAN: UsagePlanSettings = { rateLimit: 1000, burstLimit: 2000 };

/** What the plan says about one request. */
export type UsageVerdict = 'ok' | 'throttled' | 'quota';

function periodStart(period: 'DAY' | 'WEEK' | 'MONTH', now: number): number {
  const d = new Date(now);
  if (period === 'MONTH') return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
  const day = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
  if (period === 'DAY') return day;
  const sinceMonday = (d.getUTCDay() + 6) % 7; // API Gateway's weeks start on Monday
  return day - sinceMonday * 86_400_000;
}

/**
 * Enforces one usage plan for every key, each key with its own bucket and quota counter (kept in
 * memory: a restart refills buckets and resets quotas).
 */
export class UsagePlanEnforcer {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  private readonly quotas = new Map<string, { start: number; used: number }>();

  constructor(
    readonly plan: UsagePlanSettings,
    private readonly now: () => number = Date.now,
  ) {
    if (!(plan.rateLimit > 0) || !(plan.burstLimit >= 1)) throw new Error('usage plan: rateLimit must be > 0 and burstLimit >= 1');
  }

  /** Checks the quota, then the throttle; counts the request only when it is let through. */
  admit(keyId: string): UsageVerdict {
    const now = this.now();
    const q = this.plan.quota;
    let usage: { start: number; used: number } | undefined;
    if (q) {
      const start = periodStart(q.period, now);
      usage = this.quotas.get(keyId);
      if (!usage || usage.start !== start) {
        usage = { start, used: 0 };
        this.quotas.set(keyId, usage);
      }
      if (usage.used >= q.limit) return 'quota';
    }
    const b = this.buckets.get(keyId) ?? { tokens: this.plan.burstLimit, at: now };
    b.tokens = Math.min(this.plan.burstLimit, b.tokens + ((now - b.at) / 1000) * this.plan.rateLimit);
    b.at = now;
    this.buckets.set(keyId, b);
    if (b.tokens < 1) return 'throttled';
    b.tokens -= 1;
    if (usage) usage.used += 1;
    return 'ok';
  }
}
