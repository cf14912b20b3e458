// `whiplash projects list|create|get|set-tier|delete`: tenants, their API keys and usage plan tiers (admin key).
import type { Command } from 'commander';
import type { CliContext } from '../context';

/** Registers the `projects` commands on `program`. */
export function registerProjectsCommands(program: Command, ctx: CliContext): void {
  const projects = program.command('projects').description('projects: tenants with their own API keys (admin key)');
  projects
    .command('list')
    .description('list projects')
    .action(async (_o, cmd: Command) => {
      const rows = await ctx.client(cmd).client.listProjects();
      ctx.out(cmd).table(rows as never, ['projectId', 'name', 'tier', 'createdAt']);
    });
  projects
    .command('create <name>')
    .description("create a project; prints its API key once: store it")
    .option('--id <projectId>', 'project id (default: the name)')
    .option('--tier <tier>', "usage plan tier of its key (default: the store's default tier)")
    .action(async (name: string, o: { id?: string; tier?: string }, cmd: Command) => {
      const r = await ctx.client(cmd).client.createProject({ name, projectId: o.id, tier: o.tier });
      ctx.out(cmd).record({ ...r.project, apiKey: r.apiKey, apiKeyId: r.apiKeyId }, { ...r.project, apiKey: r.apiKey, apiKeyId: r.apiKeyId });
    });
  projects
    .command('get <projectId>')
    .description('describe a project')
    .action(async (id: string, _o, cmd: Command) => {
      ctx.out(cmd).record({ ...(await ctx.client(cmd).client.getProject(id)) });
    });
  projects
    .command('set-tier <projectId> <tier>')
    .description("move a project to another usage plan tier (its keys move to that tier's usage plan)")
    .action(async (id: string, tier: string, _o, cmd: Command) => {
      ctx.out(cmd).record({ ...(await ctx.client(cmd).client.setProjectTier(id, tier)) });
    });
  projects
    .command('delete <projectId>')
    .description('delete a project, its collections and its keys')
    .action(async (id: string, _o, cmd: Command) => {
      await ctx.client(cmd).client.deleteProject(id);
      ctx.out(cmd).done(`deleted project ${id}`, { deleted: id });
    });
}
