// `whiplash config show|save`: the settings in effect, and saving them as a profile.
import type { Command } from 'commander';
import { resolveConfig, saveProfile } from '../config';
import type { CliContext } from '../context';

/** Registers `config show` and `config save` on `program`. */
export function registerConfigCommands(program: Command, ctx: CliContext): void {
  const cfgCmd = program.command('config').description('show or save settings (profiles)');
  cfgCmd
    .command('show')
    .description('print the settings in effect (the API key masked)')
    .action((_o, cmd: Command) => {
      const c = ctx.config(cmd);
      const masked = c.apiKey ? `${c.apiKey.slice(0, 4)}...${c.apiKey.slice(-4)}` : undefined;
      ctx.out(cmd).record({ profile: c.profile, configFile: c.configPath, apiUrl: c.apiUrl, apiKey: masked, project: c.project });
    });
  cfgCmd
    .command('save')
    .description('save --api-url, --api-key and --project (or their environment variables) as a profile')
    .action((_o, cmd: Command) => {
      const c = resolveConfig(ctx.globals(cmd), ctx.io.env, false);
      saveProfile(c.configPath, c.profile, { apiUrl: c.apiUrl, apiKey: c.apiKey, project: c.project });
      ctx.out(cmd).done(`saved profile ${c.profile} to ${c.configPath}`, { profile: c.profile, configFile: c.configPath });
    });
}
