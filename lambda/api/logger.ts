// The API's Powertools logger, and the per-request child logger whose lines carry the request id.
import { Logger } from '@aws-lambda-powertools/logger';

/**
 * The one logger of the API (Powertools, JSON lines). Each request logs through a child that
 * carries its `requestId` (see `requestLogger`). Never log API keys, request bodies or vectors:
 * log ids, operation names, statuses and error stacks only.
 *
 * Service name from `POWERTOOLS_SERVICE_NAME` (default `whiplash`), level from
 * `POWERTOOLS_LOG_LEVEL` (default `INFO`).
 */
export const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'whiplash' });

/** A child logger whose every line carries `requestId`. */
export function requestLogger(requestId: string): Logger {
  return logger.createChild({ persistentKeys: { requestId } });
}
