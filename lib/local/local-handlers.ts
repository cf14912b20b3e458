// Builds one function's handler for local mode from the same factories and deps the Lambda entry points use:
// its own DynamoDB client (with the request time limits) and store against the local tables.
import { Agent } from 'node:http';
import { DYNAMODB_REQUEST_HANDLER, type ApiDeps } from '../../lambda/api/deps';
import { storeClient } from '../../lambda/store/store-client';
import type { ApiHandler } from '../../lambda/api/dispatch';
import { createAdminHandler } from '../../lambda/api/handlers/admin';
import { createQueryHandler } from '../../lambda/api/handlers/query';
import { createWriteHandler } from '../../lambda/api/handlers/write';
import type { FunctionRole } from '../../lambda/api/routes';
import type { TableNames } from '../../lambda/store/table-definitions';
import { WhiplashStore } from '../../lambda/store/store';
import { LOCAL_CLIENT_CONFIG } from './dynamodb-local';
import type { Tiers } from '../../lambda/api/api-keys';
import { LocalKeyIssuer } from './local-keys';

/** What a local handler needs to build its dependencies (plain data: it crosses into worker threads). */
export interface LocalHandlerConfig {
  /** DynamoDB endpoint, e.g. `http://127.0.0.1:8000`. */
  readonly endpoint: string;
  readonly tables: TableNames;
  /** Id of the admin key (`localKeyId(adminKey)`). */
  readonly adminKeyId: string;
  /** The usage plan tiers projects can be on. @default one tier, `default` */
  readonly tiers?: Tiers;
}

/** The factory of each function role's handler (the admin handler also takes the purge's scheduled event). */
export const HANDLER_FACTORIES: Readonly<Record<FunctionRole, (deps: ApiDeps) => ApiHandler>> = {
  admin: (deps) => createAdminHandler(deps) as ApiHandler,
  query: createQueryHandler,
  write: createWriteHandler,
};

/**
 * Requests one local instance's DynamoDB client has open at once; more wait for one to finish. As
 * the AWS SDK's own default per client on Lambda (`maxSockets` 50 of its HTTP agent); it
 * also keeps one query's burst of connections within the 50 that DynamoDB Local queues where the
 * launcher cannot enlarge its accept queue (no JDK: `DYNAMODB_LOCAL_ACCEPT_QUEUE`).
 */
export const LOCAL_MAX_SOCKETS = 50;

/**
 * The dependencies of a local handler: a DynamoDB client with time limits, a store, the admin key's
 * id, a local key issuer. The client opens a connection per request (no keep-alive): with its data
 * on disk, DynamoDB Local let writes from several instances' idle keep-alive connections stall past
 * the 5 s request limit (seen in `test/reliability/kill-restart.test.ts`); on 127.0.0.1 a fresh
 * connection costs well under a millisecond. At most `LOCAL_MAX_SOCKETS` at once.
 */
export function localDeps(config: LocalHandlerConfig): ApiDeps {
  const client = storeClient({
    ...LOCAL_CLIENT_CONFIG,
    endpoint: config.endpoint,
    requestHandler: { ...DYNAMODB_REQUEST_HANDLER, httpAgent: new Agent({ keepAlive: false, maxSockets: LOCAL_MAX_SOCKETS }) },
  });
  const store = new WhiplashStore({ client, tables: config.tables });
  return { store, adminKeyId: config.adminKeyId, keyIssuer: new LocalKeyIssuer(config.tiers) };
}

/** Builds the handler of `role` with its own client and store, as one Lambda instance does at cold start; returns its deps too. */
export function buildLocalHandler(role: FunctionRole, config: LocalHandlerConfig): { handler: ApiHandler; deps: ApiDeps } {
  const deps = localDeps(config);
  return { handler: HANDLER_FACTORIES[role](deps), deps };
}
