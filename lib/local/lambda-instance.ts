// One Lambda instance of local mode, run in its own worker thread: its own DynamoDB client, store and
// handler (built at start, like a cold start), answering the invocations the pool posts to it.
import { parentPort, workerData } from 'node:worker_threads';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import type { FunctionRole } from '../../lambda/api/routes';
import { logger } from '../../lambda/api/logger';
import { buildLocalHandler, type LocalHandlerConfig } from './local-handlers';

/** What the pool gives an instance when it starts it (`workerData`). */
export interface InstanceData extends LocalHandlerConfig {
  readonly role: FunctionRole;
  /** Name the instance reports in the `X-Whiplash-Instance` header, e.g. `query-3`. */
  readonly instanceId: string;
  /** Level of the handlers' logger at start. */
  readonly logLevel: string;
}

/** An invocation, posted by the pool. `logLevel` is the parent's logger level, which the instance follows. */
export interface InvokeMessage {
  readonly id: number;
  readonly event: APIGatewayProxyEvent | { source: 'aws.events' };
  readonly logLevel: string;
}

/** What an instance posts back: `ready` once built, then one answer per invocation. */
export type InstanceMessage =
  | { readonly ready: true }
  | { readonly id: number; readonly result: APIGatewayProxyResult }
  | { readonly id: number; readonly error: string };

/** Response header naming the instance that answered (local mode only). */
export const INSTANCE_HEADER = 'X-Whiplash-Instance';

function serve(): void {
  const port = parentPort;
  if (!port) throw new Error('lambda-instance.ts runs in a worker thread started by the instance pool');
  const data = workerData as InstanceData;
  let level = data.logLevel;
  logger.setLogLevel(level as 'INFO');
  const { handler, deps } = buildLocalHandler(data.role, data);
  port.on('message', (msg: InvokeMessage) => {
    if (msg.logLevel !== level) logger.setLogLevel((level = msg.logLevel) as 'INFO');
    (handler(msg.event as APIGatewayProxyEvent) as Promise<APIGatewayProxyResult>).then(
      (result) => {
        const headers = { ...(result.headers ?? {}), [INSTANCE_HEADER]: data.instanceId };
        port.postMessage({ id: msg.id, result: { ...result, headers } } satisfies InstanceMessage);
      },
      (err: unknown) => port.postMessage({ id: msg.id, error: err instanceof Error ? `${err.name}: ${err.message}` : String(err) } satisfies InstanceMessage),
    );
  });
  // Init phase: one cheap read (an unknown key id) loads the AWS SDK's lazily required code, so the
  // first request pays for the instance's cold caches only, not for the SDK's first call.
  const warmUp = (): Promise<unknown> => deps.store.findApiKey('lk-init-phase').catch(() => undefined);
  void warmUp().then(() => port.postMessage({ ready: true } satisfies InstanceMessage));
}

serve();
