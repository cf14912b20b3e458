// `whiplash collections list|create|get|delete|repair`: the collections of the project.
import { Command, Option } from 'commander';
import { MAX_DIMENSION, MAX_FILTERABLE_METADATA_BYTES, MAX_METADATA_BYTES, MAX_NON_FILTERABLE_KEYS } from '../../../lambda/core/limits';
import type { CollectionInfo, IndexMethod, Metric } from '../../../lambda/core/types';
import { addIndexMethodOptions, indexMethodOf } from '../index-method';
import type { CliContext } from '../context';
import { int, METRICS } from '../parse';

/** A collection's index method, and its list size with k-means lists, as `create` and `get` print them. */
const indexOf = (info: CollectionInfo) => ({ indexMethod: info.indexMethod, ...(info.listSize === undefined ? {} : { listSize: info.listSize }) });

/** Registers the `collections` commands on `program`. */
export function registerCollectionsCommands(program: Command, ctx: CliContext): void {
  const collections = program.command('collections').description('collections of the project');
  collections
    .command('list')
    .description('list collections')
    .action(async (_o, cmd: Command) => {
      const { client: c, cfg } = ctx.client(cmd);
      const rows = await c.listCollections(ctx.project(cfg));
      ctx.out(cmd).table(rows as never, ['name', 'dimension', 'metric', 'vectorCount', 'createdAt']);
    });
  addIndexMethodOptions(
    collections
      .command('create <name>')
      .description('create a collection')
      .requiredOption('-d, --dimension <n>', `vector dimension, 1 to ${MAX_DIMENSION}`, int(1, MAX_DIMENSION))
      .addOption(new Option('-m, --metric <metric>', 'distance metric').choices(METRICS).default('cosine')),
  )
    .option(
      '--non-filterable <keys...>',
      `1 to ${MAX_NON_FILTERABLE_KEYS} metadata keys kept out of filters and bucket entries (metadata up to ${MAX_METADATA_BYTES} bytes, filterable keys ${MAX_FILTERABLE_METADATA_BYTES})`,
    )
    .action(async (name: string, o: { dimension: number; metric: Metric; indexMethod?: IndexMethod; listSize?: number; nonFilterable?: string[] }, cmd: Command) => {
      const { client: c, cfg } = ctx.client(cmd);
      const info = await c.createCollection(ctx.project(cfg), {
        name,
        dimension: o.dimension,
        metric: o.metric,
        ...indexMethodOf(o),
        ...(o.nonFilterable ? { metadataConfiguration: { nonFilterableMetadataKeys: o.nonFilterable } } : {}),
      });
      ctx.out(cmd).record({ name: info.name, dimension: info.dimension, metric: info.metric, ...indexOf(info), createdAt: info.createdAt }, info);
    });
  collections
    .command('get <name>')
    .description('describe a collection')
    .action(async (name: string, _o, cmd: Command) => {
      const { client: c, cfg } = ctx.client(cmd);
      const info = await c.getCollection(ctx.project(cfg), name);
      ctx.out(cmd).record({ name: info.name, dimension: info.dimension, metric: info.metric, ...indexOf(info), vectorCount: info.vectorCount, createdAt: info.createdAt, index: info.index, ...(info.metadataConfiguration ? { metadataConfiguration: info.metadataConfiguration } : {}) }, info);
    });
  collections
    .command('delete <name>')
    .description('delete a collection and its vectors')
    .action(async (name: string, _o, cmd: Command) => {
      const { client: c, cfg } = ctx.client(cmd);
      await c.deleteCollection(ctx.project(cfg), name);
      ctx.out(cmd).done(`deleted collection ${name}`, { deleted: name });
    });
  collections
    .command('repair <name>')
    .description('repair a collection after failed requests (admin key): finish their cleanups, remove orphaned bucket entries, recount its vectors')
    .action(async (name: string, _o, cmd: Command) => {
      const { client: c, cfg } = ctx.client(cmd);
      const report = await c.repairCollection(ctx.project(cfg), name);
      ctx.out(cmd).record({ ...report }, report);
    });
}
