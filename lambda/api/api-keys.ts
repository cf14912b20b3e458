// Project API keys: the KeyIssuer interface, random key values, and the issuer that creates and deletes
// keys in API Gateway and attaches them to (and moves them between) the tiers' usage plans.
import {
  APIGatewayClient,
  ConflictException,
  CreateApiKeyCommand,
  CreateUsagePlanKeyCommand,
  DeleteApiKeyCommand,
  DeleteUsagePlanKeyCommand,
  NotFoundException,
} from '@aws-sdk/client-api-gateway';
import { ValidationError } from '../core/errors';
import { randomBytes } from 'node:crypto';
import { apiKeyTags } from './key-tags';

/** A newly issued API key. `value` is returned to the caller once and never stored or logged. */
export interface IssuedKey {
  /** The key's id (API Gateway's `apiKeyId`), stored with the project binding. */
  readonly id: string;
  /** The secret the client sends in `x-api-key`. */
  readonly value: string;
}

/** The usage plan tiers keys can be on (the construct's `usagePlans`) and the one new projects get. */
export interface Tiers {
  /** Tier names, in the construct's order. */
  readonly names: readonly string[];
  /** The tier of a project created without one (`defaultUsagePlan`). */
  readonly defaultTier: string;
}

/** One tier, `default`: a store without tiers of its own. */
export const SINGLE_TIER: Tiers = { names: ['default'], defaultTier: 'default' };

/**
 * `tier` when it names one of `tiers`.
 * @throws ValidationError naming `tier` and the known tiers
 */
export function checkTier(tiers: Tiers, tier: string): string {
  if (!tiers.names.includes(tier)) throw new ValidationError('tier', `must be one of the store's tiers: ${tiers.names.join(', ')} (got '${tier}')`);
  return tier;
}

/**
 * Issues, revokes and moves project API keys: on AWS through API Gateway, locally through the
 * local gateway's records (`lib/local/local-keys.ts`). The caller binds the id to the project in
 * the store and records the project's tier.
 */
export interface KeyIssuer {
  /** The tiers keys can be on. */
  readonly tiers: Tiers;
  /** Creates an enabled key for the project, subject to the usage plan of `tier` (one of `tiers`). */
  issue(projectId: string, tier: string): Promise<IssuedKey>;
  /** Deletes the key. Deleting an unknown key is not an error. */
  revoke(apiKeyId: string): Promise<void>;
  /**
   * Moves the key from the usage plan of tier `from` to that of tier `to`. Moving a key that has
   * already moved (a retried move) is not an error.
   */
  moveKey(apiKeyId: string, from: string, to: string): Promise<void>;
}

/** A random key value: 40 URL-safe characters (240 bits), as long as API Gateway's generated keys. */
export function randomKeyValue(): string {
  return randomBytes(30).toString('base64url');
}

/** The usage plan id of each tier (`WHIPLASH_USAGE_PLANS`) and the default tier. */
export interface TierPlans {
  /** Usage plan id by tier name. */
  readonly plans: Readonly<Record<string, string>>;
  readonly defaultTier: string;
}

/**
 * API Gateway keys: `CreateApiKey` then `CreateUsagePlanKey` to attach the key to its tier's
 * usage plan (which throttles it and counts its quota); `DeleteApiKey` to revoke;
 * `CreateUsagePlanKey` / `DeleteUsagePlanKey` to move it between plans. Every key is created with
 * the tags of `key-tags.ts`, naming this store's REST API and the project: the admin function's
 * role may create only keys tagged with its own API's id and delete only keys that carry that tag
 * (`API_KEY_MANAGEMENT` in `lib/construct/access.ts`), and may attach keys to and detach them from
 * this store's tier plans only.
 */
export class ApiGatewayKeyIssuer implements KeyIssuer {
  readonly tiers: Tiers;

  constructor(
    private readonly client: APIGatewayClient,
    /** The tiers' usage plan ids (`WHIPLASH_USAGE_PLANS`, `WHIPLASH_USAGE_PLAN_ID`). */
    private readonly tierPlans: TierPlans,
    /** Id of the store's REST API, the value of the key's `whiplash:restApiId` tag (`WHIPLASH_REST_API_ID`). */
    private readonly restApiId: string,
  ) {
    if (tierPlans.plans[tierPlans.defaultTier] === undefined) throw new Error(`the default tier '${tierPlans.defaultTier}' has no usage plan`);
    this.tiers = { names: Object.keys(tierPlans.plans), defaultTier: tierPlans.defaultTier };
  }

  private planOf(tier: string): string {
    return this.tierPlans.plans[checkTier(this.tiers, tier)];
  }

  async issue(projectId: string, tier: string): Promise<IssuedKey> {
    const usagePlanId = this.planOf(tier);
    const value = randomKeyValue();
    const key = await this.client.send(
      new CreateApiKeyCommand({
        name: `whiplash-${projectId}-${Date.now().toString(36)}`,
        description: `Whiplash project ${projectId}`,
        enabled: true,
        value,
        tags: apiKeyTags(this.restApiId, projectId),
      }),
    );
    if (!key.id) throw new Error('API Gateway CreateApiKey returned no id');
    try {
      await this.client.send(new CreateUsagePlanKeyCommand({ usagePlanId, keyId: key.id, keyType: 'API_KEY' }));
    } catch (err) {
      await this.revoke(key.id);
      throw err;
    }
    return { id: key.id, value };
  }

  async revoke(apiKeyId: string): Promise<void> {
    try {
      await this.client.send(new DeleteApiKeyCommand({ apiKey: apiKeyId }));
    } catch (err) {
      if (!(err instanceof NotFoundException)) throw err;
    }
  }

  /**
   * Joins the new plan first, then leaves the old one, so the key is never in no plan. API Gateway
   * may refuse the join with a conflict: a key can be in only one usage plan per API stage (or
   * the key is in the new plan already, from a move that failed after that step). Then the key
   * leaves the old plan first and joins the new one; should that join fail, it rejoins the old
   * plan before the error surfaces (in between, for the time of one call, API Gateway answers the
   * key 403).
   * Source: https://docs.aws.amazon.com/apigateway/latest/api/API_CreateUsagePlanKey.html
   */
  async moveKey(apiKeyId: string, from: string, to: string): Promise<void> {
    const [oldPlan, newPlan] = [this.planOf(from), this.planOf(to)];
    if (oldPlan === newPlan) return;
    if (await this.join(newPlan, apiKeyId)) {
      await this.leave(oldPlan, apiKeyId);
      return;
    }
    await this.leave(oldPlan, apiKeyId);
    try {
      await this.join(newPlan, apiKeyId); // a conflict now: the key is in the new plan already
    } catch (err) {
      await this.join(oldPlan, apiKeyId).catch(() => undefined);
      throw err;
    }
  }

  /** Adds the key to the plan; false on a conflict (in the plan already, or in another plan of the stage). */
  private async join(usagePlanId: string, keyId: string): Promise<boolean> {
    try {
      await this.client.send(new CreateUsagePlanKeyCommand({ usagePlanId, keyId, keyType: 'API_KEY' }));
      return true;
    } catch (err) {
      if (err instanceof ConflictException) return false;
      throw err;
    }
  }

  /** Removes the key from the plan; a key not in it is not an error. */
  private async leave(usagePlanId: string, keyId: string): Promise<void> {
    try {
      await this.client.send(new DeleteUsagePlanKeyCommand({ usagePlanId, keyId }));
    } catch (err) {
      if (!(err instanceof NotFoundException)) throw err;
    }
  }
}
