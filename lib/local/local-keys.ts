// API keys of the local gateway: key ids derived from key values, and the local key issuer.
import { createHash } from 'node:crypto';
import { checkTier, IssuedKey, KeyIssuer, randomKeyValue, SINGLE_TIER, Tiers } from '../../lambda/api/api-keys';

/**
 * The local gateway's API key records. A key's id is derived from its value
 * (`lk-` + the first 24 hex digits of its SHA-256), so no key value is ever stored: the admin key's
 * id is computed from the admin key, and a project key is known when its id is bound to a
 * project in the store (exactly the binding the handlers use on AWS).
 */
export function localKeyId(value: string): string {
  return `lk-${createHash('sha256').update(value).digest('hex').slice(0, 24)}`;
}

/**
 * Issues local project keys: a random value and its derived id. Revoking needs no record:
 * unbinding the id suffices. Moving a key between tiers needs none either: the gateway applies
 * the plan of the tier the store records for the key's project (`server.ts`).
 */
export class LocalKeyIssuer implements KeyIssuer {
  constructor(readonly tiers: Tiers = SINGLE_TIER) {}

  async issue(_projectId: string, tier: string): Promise<IssuedKey> {
    checkTier(this.tiers, tier);
    const value = randomKeyValue();
    return { id: localKeyId(value), value };
  }

  async revoke(_apiKeyId: string): Promise<void> {
    // The handler unbinds the id from the project; an unbound id is unknown to the gateway.
  }

  async moveKey(_apiKeyId: string, from: string, to: string): Promise<void> {
    checkTier(this.tiers, from);
    checkTier(this.tiers, to);
  }
}
