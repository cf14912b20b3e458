// `whiplash local`: the whole store on this machine, the same server and options as `npm start`.
import { once } from 'node:events';
import type { Command } from 'commander';
import { addLocalServerOptions, LocalCommandOptions, localBanner } from '../../local/options';
import type { CliContext } from '../context';

/** Registers `local` on `program`. */
export function registerLocalCommand(program: Command, ctx: CliContext): void {
  const { io } = ctx;
  const local = program
    .command('local')
    .description('run the whole store on this machine (same as `npm start`): DynamoDB Local and the local API gateway');
  addLocalServerOptions(local, io.env).action(async (o: LocalCommandOptions) => {
    // The same function `npm start` (bin/local.ts) runs; loaded on use, so other commands start fast.
    const { startLocalServerForCommand } = await import('../../local/server');
    const server = await startLocalServerForCommand(o, (line) => io.stderr.write(`[whiplash] ${line}\n`), io.env);
    io.stdout.write(localBanner(server, o));
    await Promise.race([once(process, 'SIGINT'), once(process, 'SIGTERM')]);
    await server.stop();
  });
}
