// `npx tsx bench/explore/local-writes.ts`: where an upsert's time goes on DynamoDB Local, on disk in either SQLite
// journal mode or in memory: vectors per second, and each DynamoDB call's count and mean latency.
/**
 * Starts DynamoDB Local (`startDynamoDBLocal`, on disk in a fresh directory with `--journal`, or in
 * memory), creates the tables and a collection, writes the first 500 Fashion-MNIST rows in one upsert
 * (a collection's first write, not timed), then the next `--size` rows through `WhiplashStore.upsert`
 * in requests of `--batch` vectors, `--concurrency` at a time: the store the write handler runs,
 * without HTTP. A middleware on the store's client times every DynamoDB call of the timed part.
 * Prints markdown.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Command } from 'commander';
import type { VectorInput } from '../../lambda/core/types';
import { ensureTables } from '../../lambda/store/local-tables';
import { prefixedTableNames } from '../../lambda/store/table-definitions';
import { WhiplashStore } from '../../lambda/store/store';
import { storeClient } from '../../lambda/store/store-client';
import { LOCAL_CLIENT_CONFIG, startDynamoDBLocal } from '../../lib/local/dynamodb-local';
import { loadFashionMnist } from '../datasets/fashion-mnist';
import { row } from '../datasets/types';

const FIRST_WRITE = 500;
const opts = new Command()
  .description('Upserts into DynamoDB Local on disk (WAL or rollback journal) or in memory, timed per DynamoDB call')
  .option('--size <n>', 'vectors written after the first 500', Number, 2000)
  .option('--batch <n>', 'vectors per upsert', Number, 100)
  .option('--concurrency <n>', 'upserts in flight', Number, 2)
  .option('--journal <mode>', 'wal, rollback or memory', 'wal')
  .parse()
  .opts<{ size: number; batch: number; concurrency: number; journal: 'wal' | 'rollback' | 'memory' }>();

async function main(): Promise<void> {
  const data = loadFashionMnist({ size: FIRST_WRITE + opts.size, queries: 1 });
  const dir = mkdtempSync(path.join(os.tmpdir(), 'whiplash-local-writes-'));
  const ddb = await startDynamoDBLocal({
    engine: 'java',
    ...(opts.journal === 'memory' ? {} : { dataDir: dir, journal: opts.journal }),
  });
  const client = storeClient({ ...LOCAL_CLIENT_CONFIG, endpoint: ddb.endpoint });
  const calls = new Map<string, { count: number; ms: number }>();
  let timing = false;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const started = performance.now();
      try {
        return await next(args);
      } finally {
        if (timing) {
          const c = calls.get(context.commandName!) ?? { count: 0, ms: 0 };
          c.count++;
          c.ms += performance.now() - started;
          calls.set(context.commandName!, c);
        }
      }
    },
    { step: 'initialize' },
  );
  try {
    const tables = prefixedTableNames('writes-');
    await ensureTables(client, tables);
    const store = new WhiplashStore({ client, tables });
    await store.createProject({ projectId: 'bench', name: 'local writes' });
    await store.createCollection('bench', { name: 'fashion', dimension: data.dim, metric: data.metric, seed: 1 });
    const rows = (from: number, to: number): VectorInput[] => Array.from({ length: to - from }, (_, i) => ({ id: String(from + i), vector: row(data.base, from + i) }));
    await store.upsert('bench', 'fashion', rows(0, FIRST_WRITE));
    timing = true;
    const starts = Array.from({ length: Math.ceil(opts.size / opts.batch) }, (_, i) => FIRST_WRITE + i * opts.batch);
    const started = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: opts.concurrency }, async () => {
        while (next < starts.length) {
          const from = starts[next++];
          await store.upsert('bench', 'fashion', rows(from, Math.min(data.base.rows, from + opts.batch)));
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    console.log(`DynamoDB Local ${opts.journal === 'memory' ? 'in memory' : `on disk, ${opts.journal} journal`}: ${opts.size} vectors of ${data.dim} in upserts of ${opts.batch}, ${opts.concurrency} in flight: ${seconds.toFixed(1)} s, **${(opts.size / seconds).toFixed(1)} vectors/s**`);
    console.log('');
    console.log('| DynamoDB call | calls | mean ms |');
    console.log('|---|---:|---:|');
    for (const [name, c] of [...calls].sort()) console.log(`| ${name.replace(/Command$/, '')} | ${c.count} | ${(c.ms / c.count).toFixed(1)} |`);
  } finally {
    client.destroy();
    await ddb.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
