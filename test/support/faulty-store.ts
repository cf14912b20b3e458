// A WhiplashStore whose DynamoDB calls pass through a fault proxy, for the tests of failures between steps.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { WhiplashStore } from '../../lambda/store/store';
import type { TableNames } from '../../lambda/store/table-definitions';
import { LOCAL_CLIENT_CONFIG } from '../../lib/local/dynamodb-local';
import { DdbFaultProxy, startDdbFaultProxy } from '../reliability/ddb-fault-proxy';
import { testEndpoint } from './tables';

/**
 * Registers, in the calling `describe` block, a fault proxy in front of the test DynamoDB Local
 * (passing every call until a test sets its policy) and a store that talks through it with one
 * attempt per call (a failure reaches the store, not the SDK's retries); closed after the block.
 * Call after `useTestTables()`; read the fields inside hooks and tests.
 */
export function useFaultyStore(db: { readonly tables: TableNames }): { readonly proxy: DdbFaultProxy; readonly store: WhiplashStore } {
  const ctx = {} as { proxy: DdbFaultProxy; client: DynamoDBClient; store: WhiplashStore };
  beforeAll(async () => {
    ctx.proxy = await startDdbFaultProxy(testEndpoint(), () => ({ kind: 'pass' }));
    ctx.client = new DynamoDBClient({ ...LOCAL_CLIENT_CONFIG, endpoint: ctx.proxy.endpoint, maxAttempts: 1 });
    ctx.store = new WhiplashStore({ client: ctx.client, tables: db.tables });
  });
  afterAll(async () => {
    ctx.client?.destroy();
    await ctx.proxy?.close();
  });
  return ctx;
}

/**
 * Waits until the proxy holds one more request than the `seen` it had held before (`{ kind: 'hold' }`):
 * the request a test holds back is then in flight. Polls every 50 ms. @throws Error after 30 s
 */
export async function untilHeld(proxy: DdbFaultProxy, seen: number): Promise<void> {
  for (let waited = 0; proxy.stats.faults.hold <= seen; waited += 50) {
    if (waited >= 30_000) throw new Error(`no request held after ${waited} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** A promise for a fault policy's `{ kind: 'hold', until }` (`released`), and the call that resolves it (`release`). */
export function holdGate(): { readonly released: Promise<void>; readonly release: () => void } {
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  return { released, release };
}
