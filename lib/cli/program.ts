// The `whiplash` program: global flags, the command groups of `commands/`, and the one place where
// errors become messages and exit codes.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Command, CommanderError } from 'commander';
import { WhiplashBatchError, WhiplashError } from '../client/errors';
import { registerCollectionsCommands } from './commands/collections';
import { registerConfigCommands } from './commands/config';
import { registerExportCommand } from './commands/export';
import { registerImportCommand } from './commands/import';
import { registerItemsCommands } from './commands/items';
import { registerLocalCommand } from './commands/local';
import { registerProjectsCommands } from './commands/projects';
import { registerSearchCommand } from './commands/search';
import { CliIO, cliContext } from './context';
import { EXIT, UsageError } from './errors';
import { int } from './parse';

export type { CliIO } from './context';

/** The version in the package's package.json, the nearest one above this file (in the source tree or in dist/). */
export function packageVersion(): string {
  for (let dir = __dirname; ; dir = dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'whiplash-vector-store' && pkg.version) return pkg.version;
    } catch {
      // no package.json here: look further up
    }
    if (dirname(dir) === dir) return 'unknown';
  }
}

/**
 * Builds the `whiplash` command line program. Exit codes: 0 ok, 1 usage (bad flags or input, or a
 * 4xx answer), 2 server error (5xx, throttled after all retries, timeout, unreachable).
 */
export function buildProgram(io: CliIO): Command {
  const program = new Command()
    .name('whiplash')
    .description('Command line client of the Whiplash vector store')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) })
    .showSuggestionAfterError()
    .version(packageVersion(), '-V, --version', 'print the version of whiplash-vector-store')
    .option('--api-url <url>', 'base URL of the API (env WHIPLASH_API_URL)')
    .option('--api-key <key>', 'API key, sent as x-api-key (env WHIPLASH_API_KEY)')
    .option('-p, --project <id>', 'project id (env WHIPLASH_PROJECT)')
    .option('--profile <name>', 'profile in the config file (env WHIPLASH_PROFILE; file: $WHIPLASH_CONFIG or ~/.config/whiplash/config.json)')
    .option('--json', 'print JSON for scripts instead of tables', false)
    .option('--timeout <ms>', 'time limit of one HTTP attempt in milliseconds', int(1), 30000)
    .option('--retries <n>', 'retries of reads and upserts on 429, 5xx and network errors', int(0, 20), 5)
    .option('-v, --verbose', 'log retries to stderr', false);

  // In this order in the help.
  const ctx = cliContext(io);
  registerLocalCommand(program, ctx);
  registerConfigCommands(program, ctx);
  registerProjectsCommands(program, ctx);
  registerCollectionsCommands(program, ctx);
  registerItemsCommands(program, ctx);
  registerSearchCommand(program, ctx);
  registerImportCommand(program, ctx);
  registerExportCommand(program, ctx);
  return program;
}

/** Prints an error and returns its exit code. */
function report(err: unknown, io: CliIO, json: boolean): number {
  if (err instanceof CommanderError) {
    // Commander printed its message already; help and version are not errors.
    return err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help' ? EXIT.ok : EXIT.usage;
  }
  if (err instanceof WhiplashError) {
    const code = err.status >= 400 && err.status < 500 && err.status !== 429 ? EXIT.usage : EXIT.server;
    if (json) {
      const body: Record<string, unknown> = { status: err.status, code: err.code, message: err.message, requestId: err.requestId, field: err.field, rule: err.rule };
      if (err instanceof WhiplashBatchError) body.failedIds = err.failedIds;
      io.stderr.write(JSON.stringify({ error: body }) + '\n');
      return code;
    }
    const where = err.requestId ? ` (request id ${err.requestId})` : '';
    io.stderr.write(`error: ${err.status ? `${err.status} ` : ''}${err.code}: ${err.message}${where}\n`);
    if (err instanceof WhiplashBatchError) {
      const ids = err.failedIds.slice(0, 10).join(', ');
      io.stderr.write(`not written: ${ids}${err.failedIds.length > 10 ? `, ... (${err.failedIds.length} in all)` : ''}\n`);
      io.stderr.write('progress is saved: run the same command again to resume\n');
    }
    return code;
  }
  if (err instanceof UsageError) {
    io.stderr.write(json ? JSON.stringify({ error: { code: 'UsageError', message: err.message } }) + '\n' : `error: ${err.message}\n`);
    return EXIT.usage;
  }
  io.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
  return EXIT.server;
}

/**
 * Runs `whiplash` with `argv` (the arguments after the program name) and returns the exit code.
 * Never calls `process.exit`, so tests can run it in-process.
 */
export async function runCli(argv: readonly string[], io: CliIO): Promise<number> {
  const program = buildProgram(io);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return EXIT.ok;
  } catch (err) {
    return report(err, io, argv.includes('--json'));
  }
}

/** The process's own streams and environment. */
export function processIO(): CliIO {
  return { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env };
}
