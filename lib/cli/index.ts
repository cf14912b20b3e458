export { buildProgram, runCli, processIO } from './program';
export type { CliIO } from './program';
export { EXIT, UsageError } from './errors';
