// `whiplash projects list|create|get|delete`: tenants and their API keys (admin key).
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
      ctx.out(cmd).table(rows as never, ['projectId', 'name', 'createdAt']);
    });
  projects
    .command('create <name>')
    .description("create a project; prints its API key once: store it")
    .option('--id <projectId>', 'project id (default: the name)')
    .action(async (name: string, o: { id?: string }, cmd: Command) => {
      const r = await ctx.client(cmd).client.createProject({ name, projectId: o.id });
      ctx.out(cmd).record({ ...r.project, apiKey: r.apiKey, apiKeyId: r.apiKeyId }, { ...r.project, apiKey: r.apiKey, apiKeyId: r.apiKeyId });
    });
  projects
    .command('get <projectId>')
    .description('describe a project')
    .action(async (id: string, _o, cmd: Command) => {
      ctx.out(cmd).record({ ...(await ctx.client(cmd).client.getProject(id)) });
    });
  projects
    .command('delete <projectId>')
    .description('delete a project, its collections and its keys')
    .action(async (id: string, _o, cmd: Command) => {
      await ctx.client(cmd).client.deleteProject(id);
      ctx.out(cmd).done(`deleted project ${id}`, { deleted: id });
    });
}
