// Project API keys: the KeyIssuer interface, random key values, and the issuer that creates and deletes
// keys in API Gateway and attaches them to the usage plan.
import {
  APIGatewayClient,
  CreateApiKeyCommand,
  CreateUsagePlanKeyCommand,
  DeleteApiKeyCommand,
  NotFoundException,
} from '@aws-sdk/client-api-gateway';
import { randomBytes } from 'node:crypto';

/** A newly issued API key. `value` is returned to the caller once and never stored or logged. */
export interface IssuedKey {
  /** The key's id (API Gateway's `apiKeyId`), stored with the project binding. */
  readonly id: string;
  /** The secret the client sends in `x-api-key`. */
  readonly value: string;
}

/**
 * Issues and revokes project API keys: on AWS through API Gateway, locally through the local
 * gateway's records (`lib/local/local-keys.ts`). The caller binds the id to the project in the
 * store.
 */
export interface KeyIssuer {
  /** Creates an enabled key for the project, subject to the usage plan. */
  issue(projectId: string): Promise<IssuedKey>;
  /** Deletes the key. Deleting an unknown key is not an error. */
  revoke(apiKeyId: string): Promise<void>;
}

/** A random key value: 40 URL-safe characters (240 bits), as long as API Gateway's generated keys. */
export function randomKeyValue(): string {
  return randomBytes(30).toString('base64url');
}

/**
 * API Gateway keys: `CreateApiKey` then `CreateUsagePlanKey` to attach the key to the usage plan
 * (which throttles it and counts its quota); `DeleteApiKey` to revoke. Needs
 * `apigateway:POST` on `/apikeys` and `/usageplans/{id}/keys`, `apigateway:DELETE` on `/apikeys/*`.
 */
export class ApiGatewayKeyIssuer implements KeyIssuer {
  constructor(
    private readonly client: APIGatewayClient,
    /** Usage plan id that new keys are attached to (`WHIPLASH_USAGE_PLAN_ID`). */
    private readonly usagePlanId: string,
  ) {}

  async issue(projectId: string): Promise<IssuedKey> {
    const value = randomKeyValue();
    const key = await this.client.send(
      new CreateApiKeyCommand({
        name: `whiplash-${projectId}-${Date.now().toString(36)}`,
        description: `Whiplash project ${projectId}`,
        enabled: true,
        value,
        tags: { 'whiplash:project': projectId },
      }),
    );
    if (!key.id) throw new Error('API Gateway CreateApiKey returned no id');
    try {
      await this.client.send(new CreateUsagePlanKeyCommand({ usagePlanId: this.usagePlanId, keyId: key.id, keyType: 'API_KEY' }));
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
}
