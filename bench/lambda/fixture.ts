// A loaded store for the serverless benchmarks: DynamoDB Local in memory with one collection of real vectors.
/**
 * A loaded store for the serverless benchmarks (`bench:lambda`, `bench:gateway`): DynamoDB Local in
 * memory, the three tables under one prefix, and one collection holding a real data set's base
 * vectors, written through `WhiplashStore` (the code the Lambda handlers run).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { IndexMethod, IndexParams, VectorInput } from '../../lambda/core/types';
import { ensureTables } from '../../lambda/store/local-tables';
import { prefixedTableNames, TableNames } from '../../lambda/store/table-definitions';
import { WhiplashStore } from '../../lambda/store/store';
import { storeClient } from '../../lambda/store/store-client';
import { LOCAL_CLIENT_CONFIG, startDynamoDBLocal, DynamoDBLocalHandle } from '../../lib/local/dynamodb-local';
import { loadFashionMnist } from '../datasets/fashion-mnist';
import { loadMiniLm } from '../datasets/minilm';
import { Dataset, row } from '../datasets/types';

/** Project and collection the fixture creates. */
export const FIXTURE_PROJECT = 'bench';
export const FIXTURE_COLLECTION = 'docs';
/** Prefix of the fixture's table names. */
export const FIXTURE_TABLE_PREFIX = 'srvless-';

/** Which real data set to load: MiniLM (778 x 384, the default) or a Fashion-MNIST subset (784-d). */
export interface FixtureOptions {
  readonly dataset: 'minilm' | 'fashion-mnist';
  /** Base vectors to load (Fashion-MNIST only; MiniLM has 678 after its 100 held-out queries). @default 5000 */
  readonly size?: number;
  /** Query vectors to keep. @default 100 */
  readonly queries?: number;
  /** Fashion-MNIST directory. @default ../shared/datasets/fashion-mnist, then Debian's path */
  readonly dir?: string;
  /** Index parameters of the collection. @default the store's defaults */
  readonly index?: Partial<IndexParams>;
  /** Index method of the collection. @default the store's */
  readonly indexMethod?: IndexMethod;
  /** Called with the store's client just before the base vectors are written (e.g. to attach a capacity meter). */
  readonly beforeLoad?: (client: DynamoDBClient) => void;
  /**
   * A `DynamoDBClient` as the SDK builds it, with its logger middleware, for comparison.
   * @default false: `storeClient`, the client the handlers run on
   */
  readonly plainClient?: boolean;
}

/** A running DynamoDB Local with the fixture's collection loaded. */
export interface Fixture {
  readonly ddb: DynamoDBLocalHandle;
  readonly client: DynamoDBClient;
  readonly tables: TableNames;
  readonly store: WhiplashStore;
  readonly data: Dataset;
  /** Seconds the upsert of the base vectors took. */
  readonly loadSeconds: number;
  /** Stops the client and DynamoDB Local. */
  stop(): Promise<void>;
}

/** Loads the chosen data set (real vectors only). */
export function loadFixtureData(opts: FixtureOptions): Dataset {
  const queries = opts.queries ?? 100;
  return opts.dataset === 'minilm'
    ? loadMiniLm({ holdout: 100, queries })
    : loadFashionMnist({ dir: opts.dir, size: opts.size ?? 5000, queries });
}

/**
 * Starts DynamoDB Local (java, in memory), creates the tables and the collection, and upserts the
 * base vectors in batches of 500 (ids `String(row)`).
 * @throws Error when DynamoDB Local does not start; nothing is left running.
 */
export async function startFixture(opts: FixtureOptions): Promise<Fixture> {
  const data = loadFixtureData(opts);
  const ddb = await startDynamoDBLocal({ engine: 'java' });
  const config = { ...LOCAL_CLIENT_CONFIG, endpoint: ddb.endpoint };
  const client = opts.plainClient ? new DynamoDBClient(config) : storeClient(config);
  const stop = async () => {
    client.destroy();
    await ddb.stop();
  };
  try {
    const tables = prefixedTableNames(FIXTURE_TABLE_PREFIX);
    await ensureTables(client, tables);
    const store = new WhiplashStore({ client, tables });
    await store.createProject({ projectId: FIXTURE_PROJECT, name: 'serverless benchmark' });
    await store.createCollection(FIXTURE_PROJECT, { name: FIXTURE_COLLECTION, dimension: data.dim, metric: data.metric, seed: 1, index: opts.index, ...(opts.indexMethod ? { indexMethod: opts.indexMethod } : {}) });
    opts.beforeLoad?.(client);
    const t0 = performance.now();
    for (let i = 0; i < data.base.rows; i += 500) {
      const batch: VectorInput[] = [];
      for (let j = i; j < Math.min(data.base.rows, i + 500); j++) batch.push({ id: String(j), vector: row(data.base, j) });
      await store.upsert(FIXTURE_PROJECT, FIXTURE_COLLECTION, batch);
    }
    const loadSeconds = (performance.now() - t0) / 1000;
    return { ddb, client, tables, store, data, loadSeconds, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
