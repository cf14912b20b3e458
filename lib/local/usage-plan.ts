// The usage plans of the local gateway, one per tier: API Gateway's per-key throttle and quota, enforced in memory.
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

/** Usage plans by tier, as the construct's `usagePlans` and `defaultUsagePlan` declare them. */
export interface TieredUsagePlans {
  /** The plan of each tier, by tier name. */
  readonly tiers: Readonly<Record<string, UsagePlanSettings>>;
  /** The tier of a key no tier was assigned to (and of projects created without one). */
  readonly defaultTier: string;
  /**
   * The admin key's own plan, as the construct gives it one (`adminThrottle`, no quota), so that a
   * tier's quota never locks the administrator out.
   * @default - the admin key is on the default tier's plan
   */
  readonly admin?: { readonly keyId: string; readonly plan: UsagePlanSettings };
}

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
 * Enforces each key's tier's usage plan (or one plan for every key), each key with its own bucket
 * and quota counter per plan, kept in memory: a restart refills buckets and resets quotas. As on
 * API Gateway, where a key's throttle and quota belong to its usage plan, a key moved to another
 * tier starts on the new plan's full bucket and quota.
 */
export class UsagePlanEnforcer {
  /** The plan of each tier. */
  readonly tiers: Readonly<Record<string, UsagePlanSettings>>;
  readonly defaultTier: string;
  private readonly admin?: { readonly keyId: string; readonly plan: UsagePlanSettings };
  private readonly tierOfKey = new Map<string, string>();
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  private readonly quotas = new Map<string, { start: number; used: number }>();

  /**
   * @param plans one plan for every key (as tier `default`), or a plan per tier
   * @throws Error when a plan has no positive rate or burst, or the default tier has no plan
   */
  constructor(
    plans: UsagePlanSettings | TieredUsagePlans,
    private readonly now: () => number = Date.now,
  ) {
    const tiered = 'tiers' in plans ? plans : { tiers: { default: plans }, defaultTier: 'default' };
    for (const [name, plan] of Object.entries(tiered.tiers)) {
      if (!(plan.rateLimit > 0) || !(plan.burstLimit >= 1)) throw new Error(`usage plan ${name}: rateLimit must be > 0 and burstLimit >= 1`);
    }
    if (!tiered.tiers[tiered.defaultTier]) throw new Error(`usage plans: the default tier '${tiered.defaultTier}' has no plan (tiers: ${Object.keys(tiered.tiers).join(', ')})`);
    this.tiers = tiered.tiers;
    this.defaultTier = tiered.defaultTier;
    this.admin = 'tiers' in plans ? plans.admin : undefined;
  }

  /** The plan of the default tier. */
  get plan(): UsagePlanSettings {
    return this.tiers[this.defaultTier];
  }

  /** Puts the key on `tier`'s plan (the gateway does on each request, from the key's project); an unknown tier means the default. */
  assign(keyId: string, tier: string | undefined): void {
    if (tier !== undefined && this.tiers[tier]) this.tierOfKey.set(keyId, tier);
    else this.tierOfKey.delete(keyId);
  }

  /** The tier whose plan applies to the key. */
  tierOf(keyId: string): string {
    return this.tierOfKey.get(keyId) ?? this.defaultTier;
  }

  /** Checks the quota, then the throttle, of the key's tier's plan; counts the request only when it is let through. */
  admit(keyId: string): UsageVerdict {
    const now = this.now();
    const isAdmin = keyId === this.admin?.keyId;
    const tier = isAdmin ? '' : this.tierOf(keyId); // '' : the admin key's own plan (no tier has an empty name)
    const plan = isAdmin ? this.admin!.plan : this.tiers[tier];
    const counter = `${tier}\u0000${keyId}`;
    const q = plan.quota;
    let usage: { start: number; used: number } | undefined;
    if (q) {
      const start = periodStart(q.period, now);
      usage = this.quotas.get(counter);
      if (!usage || usage.start !== start) {
        usage = { start, used: 0 };
        this.quotas.set(counter, usage);
      }
      if (usage.used >= q.limit) return 'quota';
    }
    const b = this.buckets.get(counter) ?? { tokens: plan.burstLimit, at: now };
    b.tokens = Math.min(plan.burstLimit, b.tokens + ((now - b.at) / 1000) * plan.rateLimit);
    b.at = now;
    this.buckets.set(counter, b);
    if (b.tokens < 1) return 'throttled';
    b.tokens -= 1;
    if (usage) usage.used += 1;
    return 'ok';
  }
}
