// What the handlers depend on (the store, the admin key's id, the key issuer), built from the environment
// at cold start, with time limits on every DynamoDB request.
import { storeClient } from '../store/store-client';
import { tableNamesFromEnv } from '../store/table-definitions';
import { WhiplashStore } from '../store/store';
import type { KeyIssuer, TierPlans } from './api-keys';
import { corsFromEnv, CorsPolicy } from './cors';

/** What the handlers need from their surroundings: on AWS from the environment, locally from the local server. */
export interface ApiDeps {
  readonly store: WhiplashStore;
  /** Id of the admin API key: a request whose `requestContext.identity.apiKeyId` equals it is admin. */
  readonly adminKeyId: string;
  /** Issues project keys; the admin function needs it, the others do not. */
  readonly keyIssuer?: KeyIssuer;
  /** Which web origins may read the answers: CORS headers on every response. Undefined: none. */
  readonly cors?: CorsPolicy;
}

/** Environment variable with the admin API key's id. */
export const ADMIN_KEY_ID_ENV = 'WHIPLASH_ADMIN_KEY_ID';
/** Environment variable with the usage plan new project keys are attached to: the default tier's (admin function). */
export const USAGE_PLAN_ID_ENV = 'WHIPLASH_USAGE_PLAN_ID';
/** Environment variable with the usage plan id of every tier, as JSON `{"<tier>": "<usage plan id>"}` (admin function). */
export const USAGE_PLANS_ENV = 'WHIPLASH_USAGE_PLANS';
/** Environment variable with the id of the store's REST API, which every project key is tagged with (admin function). */
export const REST_API_ID_ENV = 'WHIPLASH_REST_API_ID';

/**
 * Time limits of every DynamoDB request: a DynamoDB that stops answering ends in the SDK's retries
 * and then a 503, well inside API Gateway's 29 s integration timeout, instead of a hang.
 */
export const DYNAMODB_REQUEST_HANDLER = { requestTimeout: 5000, connectionTimeout: 3000, throwOnRequestTimeout: true } as const;

/** The value of an environment variable. @throws Error naming it when it is unset or empty. */
export function required(env: NodeJS.ProcessEnv, name: string): string {
  const v = env[name];
  if (!v) throw new Error(`environment variable ${name} is not set`);
  return v;
}

/**
 * Builds the dependencies from the environment (read once, at cold start): table names
 * (`WHIPLASH_*_TABLE`), `WHIPLASH_ADMIN_KEY_ID`, `WHIPLASH_CORS` (the CORS policy as JSON, when
 * the construct has `cors`), and `DYNAMODB_ENDPOINT` (local mode and tests; dummy credentials when
 * none are configured).
 * @param makeKeyIssuer the admin function's key issuer factory (kept out of the other bundles)
 * @throws Error naming a missing variable.
 */
export function depsFromEnv(env: NodeJS.ProcessEnv = process.env, makeKeyIssuer?: (env: NodeJS.ProcessEnv) => KeyIssuer): ApiDeps {
  const endpoint = env.DYNAMODB_ENDPOINT;
  const client = storeClient({
    requestHandler: DYNAMODB_REQUEST_HANDLER,
    ...(endpoint
      ? {
          endpoint,
          region: env.AWS_REGION ?? 'us-east-1',
          ...(env.AWS_ACCESS_KEY_ID ? {} : { credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }),
        }
      : {}),
  });
  const store = new WhiplashStore({ client, tables: tableNamesFromEnv(env) });
  const adminKeyId = required(env, ADMIN_KEY_ID_ENV);
  return { store, adminKeyId, keyIssuer: makeKeyIssuer?.(env), cors: corsFromEnv(env) };
}

/**
 * The tiers' usage plans from the environment (read once, at cold start): `WHIPLASH_USAGE_PLANS`
 * maps each tier to its plan id, and the default tier is the one whose plan is
 * `WHIPLASH_USAGE_PLAN_ID`. Without `WHIPLASH_USAGE_PLANS`, one tier `default` on that plan.
 * @throws Error naming the variable when it is missing or malformed.
 */
export function tierPlansFromEnv(env: NodeJS.ProcessEnv): TierPlans {
  const defaultPlan = required(env, USAGE_PLAN_ID_ENV);
  const text = env[USAGE_PLANS_ENV];
  if (!text) return { plans: { default: defaultPlan }, defaultTier: 'default' };
  let plans: unknown;
  try {
    plans = JSON.parse(text);
  } catch {
    plans = undefined;
  }
  const entries = plans !== null && typeof plans === 'object' && !Array.isArray(plans) ? Object.entries(plans) : [];
  if (entries.length === 0 || entries.some(([, id]) => typeof id !== 'string' || id === '')) {
    throw new Error(`environment variable ${USAGE_PLANS_ENV} must be a JSON object of tier names to usage plan ids`);
  }
  const defaultTier = entries.find(([, id]) => id === defaultPlan)?.[0];
  if (defaultTier === undefined) throw new Error(`environment variable ${USAGE_PLANS_ENV} has no tier on the plan ${USAGE_PLAN_ID_ENV} names`);
  return { plans: Object.fromEntries(entries) as Record<string, string>, defaultTier };
}

/** Memoizes a dependency factory: evaluated on first use, so a cold start reads the environment once. */
export function lazy<T>(make: () => T): () => T {
  let value: T | undefined;
  return () => (value ??= make());
}
