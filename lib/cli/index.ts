// The CLI's exports: the `whiplash` program, its runner and I/O, and its exit codes.
export { buildProgram, runCli, processIO } from './program';
export type { CliIO } from './program';
export { EXIT, UsageError } from './errors';
