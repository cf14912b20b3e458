// The SDK's exports (`whiplash-vector-store/client`): both clients, their errors, options and types.
export { WhiplashClient } from './client';
export type { WhiplashClientOptions, CreatedProject } from './client';
export { WhiplashDirectClient } from './direct';
export type { WhiplashDirectClientOptions } from './direct';
export { WhiplashError, WhiplashBatchError } from './errors';
export type { WhiplashErrorInit } from './errors';
export type { RetryOptions, RetryEvent, HttpTransportOptions } from './http';
export { API_MAX_BATCH, DEFAULT_MAX_BATCH_BYTES, DEFAULT_CONCURRENCY } from './batch';
export type * from './types';
