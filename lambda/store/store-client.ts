// The DynamoDB client the store's functions and local instances run on: the SDK's, minus its per-response log copy.
import { DynamoDBClient, DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';

/** The name the SDK gives its logger middleware (`@aws-sdk/core`, `loggerMiddlewareOptions`). */
export const LOGGER_MIDDLEWARE = 'loggerMiddleware';

/**
 * A DynamoDB client for the store's hot path: `config` as given and, unless it names a `logger`,
 * without the SDK's logger middleware. That middleware hands `logger.info` a copy of every
 * response filtered for sensitive fields, and builds the copy before the call even when the
 * logger is the SDK's default no-op: it walks every item of every Query page against the
 * operation's schema, a CPU cost per request that grows with the entries a search reads
 * (BENCHMARKS.md, "Search CPU"). The store logs its own errors; a `logger` in `config` gets the
 * SDK's records as usual.
 */
export function storeClient(config: DynamoDBClientConfig): DynamoDBClient {
  const client = new DynamoDBClient(config);
  if (config.logger === undefined) client.middlewareStack.remove(LOGGER_MIDDLEWARE);
  return client;
}
