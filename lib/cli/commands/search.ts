// `whiplash search`: the top-k nearest neighbours of a vector (arguments, file, stdin or a stored item).
import type { Command } from 'commander';
import { DEFAULT_TOP_K, MAX_TOP_K } from '../../../lambda/core/limits';
import type { CliContext } from '../context';
import { UsageError } from '../errors';
import { previewVector } from '../output';
import { int, jsonObject } from '../parse';
import { queryVector } from '../vector-arg';

/** Registers `search` on `program`. */
export function registerSearchCommand(program: Command, ctx: CliContext): void {
  program
    .command('search <collection> [vector...]')
    .description(
      'top-k nearest neighbours of a vector given as arguments (a JSON array, or numbers separated by spaces or commas; put -- before comma-joined numbers that start with -), with --file, on stdin (- or piped), or of a stored item (--like)',
    )
    .option('-k, --top-k <k>', `number of results, 1 to ${MAX_TOP_K}`, int(1, MAX_TOP_K), DEFAULT_TOP_K)
    .option('-f, --file <path>', 'read the vector from a file (JSON array or separated numbers)')
    .option('--like <id>', 'use the vector of this stored item')
    .option('--filter <json>', 'metadata filter, e.g. \'{"lang": {"$eq": "en"}}\'', jsonObject)
    .option('--include-vector', 'return the vectors', false)
    .option('--include-metadata', 'return the metadata', false)
    .action(async (name: string, vectorArgs: string[], o: { topK: number; file?: string; like?: string; filter?: Record<string, unknown>; includeVector: boolean; includeMetadata: boolean }, cmd: Command) => {
      const { client: c, cfg } = ctx.client(cmd);
      const coll = c.collection(ctx.project(cfg), name);
      const vectorArg = vectorArgs.length > 0 ? vectorArgs.join(' ') : undefined;
      let vector: number[] | undefined;
      if (o.like !== undefined) {
        if (vectorArg !== undefined || o.file !== undefined) throw new UsageError('--like replaces the vector argument and --file');
        vector = (await coll.get(o.like)).vector;
      } else vector = await queryVector(vectorArg, o.file, ctx.io.stdin);
      if (!vector) throw new UsageError('no query vector: give it as an argument, with --file, on stdin, or use --like <id>');
      const matches = await coll.search({ vector, topK: o.topK, filter: o.filter, includeVector: o.includeVector, includeMetadata: o.includeMetadata });
      const rows = matches.map((m, i) => ({ rank: i + 1, id: m.id, distance: m.distance, score: m.score, metadata: m.metadata, vector: previewVector(m.vector) }));
      const cols = ['rank', 'id', 'distance', 'score', ...(o.includeMetadata ? ['metadata'] : []), ...(o.includeVector ? ['vector'] : [])];
      ctx.out(cmd).table(rows, cols, matches);
    });
}
