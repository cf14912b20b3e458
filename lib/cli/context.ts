// What every `whiplash` command works with: the process's streams and environment, the global
// flags, and the settings, client and output they resolve to.
import type { Command } from 'commander';
import { WhiplashClient } from '../client/client';
import { CliConfig, resolveConfig } from './config';
import { UsageError } from './errors';
import { Output } from './output';

/** The streams and environment `whiplash` runs with (the process's, or a test's). */
export interface CliIO {
  readonly stdout: NodeJS.WritableStream & { isTTY?: boolean };
  readonly stderr: NodeJS.WritableStream & { isTTY?: boolean };
  readonly stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  readonly env: Record<string, string | undefined>;
}

/** The program-wide flags (`--api-url`, `--json`, ...), as commander parses them. */
export interface GlobalFlags {
  apiUrl?: string;
  apiKey?: string;
  project?: string;
  profile?: string;
  json: boolean;
  timeout: number;
  retries: number;
  verbose: boolean;
}

/** What a command's action needs, resolved from the command it runs in (and its parents' flags). */
export interface CliContext {
  readonly io: CliIO;
  /** The global flags in effect for `cmd`. */
  globals(cmd: Command): GlobalFlags;
  /** Table / record / JSON output to stdout, per `--json`. */
  out(cmd: Command): Output;
  /** Settings from flags, environment and profile. */
  config(cmd: Command): CliConfig;
  /** A client of the API the settings name. @throws UsageError when no API URL is set */
  client(cmd: Command): { client: WhiplashClient; cfg: CliConfig };
  /** The project the settings name. @throws UsageError when none is set */
  project(cfg: CliConfig): string;
}

/** The context of one `whiplash` run with these streams and environment. */
export function cliContext(io: CliIO): CliContext {
  const globals = (cmd: Command): GlobalFlags => cmd.optsWithGlobals<GlobalFlags>();
  const config = (cmd: Command): CliConfig => resolveConfig(globals(cmd), io.env);
  return {
    io,
    globals,
    config,
    out: (cmd) => new Output(io.stdout, globals(cmd).json),
    client: (cmd) => {
      const g = globals(cmd);
      const cfg = config(cmd);
      if (!cfg.apiUrl) throw new UsageError('no API URL: pass --api-url, set WHIPLASH_API_URL, or add apiUrl to a profile');
      const c = new WhiplashClient({
        apiUrl: cfg.apiUrl,
        apiKey: cfg.apiKey,
        timeoutMs: g.timeout,
        retry: { maxRetries: g.retries },
        onRetry: g.verbose ? (e) => io.stderr.write(`retry ${e.attempt} of ${e.method} ${e.path} in ${Math.round(e.delayMs)} ms: ${e.error.status} ${e.error.code}\n`) : undefined,
      });
      return { client: c, cfg };
    },
    project: (cfg) => {
      if (!cfg.project) throw new UsageError('no project: pass --project, set WHIPLASH_PROJECT, or add project to a profile');
      return cfg.project;
    },
  };
}
