// Public entry point of the package. Each part adds its own export line.
export * from '../lambda/core/types';
export * from '../lambda/core/errors';
export { TABLE_DEFINITIONS, TABLE_ENV } from '../lambda/store/table-definitions';
export type { TableNames, TableDefinition, TableRole } from '../lambda/store/table-definitions';
export * from './client';
export * from './construct/vector-store';
export { startLocalServer, type LocalServer, type LocalServerOptions } from './local/server';
