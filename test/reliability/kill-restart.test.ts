// Tests an import while DynamoDB Local is killed and restarted: acknowledged vectors survive, failed ids are exact.
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { logger } from '../../lambda/api/logger';
import { WhiplashBatchError, WhiplashClient } from '../../lib/client';
import { DynamoDBLocalHandle, startDynamoDBLocal } from '../../lib/local/dynamodb-local';
import { LocalServer, startLocalServer } from '../../lib/local/server';
import { loadDocs } from '../client/support';

/**
 * DynamoDB Local (on disk) is killed with SIGKILL in the middle of an import and restarted on the
 * same port with the same files. Afterwards every acknowledged vector is present and searchable,
 * the client's list of failed ids is exactly the ids it never saw acknowledged, and re-running the
 * import converges to the full set.
 */

/** The pid listening on a TCP port of 127.0.0.1 (lsof), to kill the emulator outright. */
function listenerPid(port: number): number {
  const out = execFileSync('lsof', ['-t', `-iTCP:${port}`, '-sTCP:LISTEN'], { encoding: 'utf8' }).trim();
  const pid = Number(out.split('\n')[0]);
  if (!Number.isInteger(pid) || pid <= 0) throw new Error(`no process listens on port ${port}`);
  return pid;
}

describe('DynamoDB Local killed and restarted during an import', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'whiplash-kill-'));
  let ddb: DynamoDBLocalHandle | undefined;
  let server: LocalServer | undefined;

  afterAll(async () => {
    await server?.stop();
    await ddb?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('every acknowledged vector survives and is searchable; failed ids are exactly the unacknowledged ones; re-running the import converges', async () => {
    logger.setLogLevel('ERROR');
    ddb = await startDynamoDBLocal({ engine: 'java', dataDir: dir });
    const port = ddb.port;
    server = await startLocalServer({ port: 0, dataDir: null, ddbEndpoint: ddb.endpoint, tablePrefix: `k${randomUUID().slice(0, 6)}-`, purgeIntervalMs: 0 });
    const admin = new WhiplashClient({ apiUrl: server.url, apiKey: server.adminKey });
    const { apiKey } = await admin.createProject({ name: 'importer' });
    // No client retries: the outage must surface as failed ids instead of being waited out.
    const client = new WhiplashClient({ apiUrl: server.url, apiKey, retry: { maxRetries: 0 } });
    await client.createCollection('importer', { name: 'docs', dimension: 384, metric: 'cosine' });
    const coll = client.collection('importer', 'docs');
    const docs = loadDocs().slice(0, 240);
    const all = docs.map((d) => d.id);

    const acked = new Set<string>();
    let killed = false;
    let outcome: unknown;
    try {
      await coll.upsertBatch(docs, {
        batchSize: 20,
        concurrency: 2,
        onBatch: async (ack) => {
          for (const id of ack.ids) acked.add(id);
          if (!killed && acked.size >= 80) {
            killed = true;
            process.kill(listenerPid(port), 'SIGKILL');
          }
        },
      });
    } catch (err) {
      outcome = err;
    }
    expect(killed).toBe(true);
    expect(outcome).toBeInstanceOf(WhiplashBatchError);
    const failed = (outcome as WhiplashBatchError).failedIds;
    // exactly the ids that were not acknowledged: no overlap, nothing missing
    expect(failed.filter((id) => acked.has(id))).toEqual([]);
    expect(new Set([...acked, ...failed])).toEqual(new Set(all));
    expect(failed.length).toBeGreaterThan(0);

    // Restart on the same port with the same files.
    await ddb.stop();
    ddb = await startDynamoDBLocal({ engine: 'java', dataDir: dir, port });

    const byId = new Map(docs.map((d) => [d.id, d]));
    for (const id of acked) {
      const v = await coll.get(id);
      expect(v.vector).toEqual(Array.from(Float32Array.from(byId.get(id)!.vector)));
    }
    // searchable: a sample of the acknowledged vectors finds itself first
    for (const id of [...acked].filter((_, i) => i % 8 === 0)) {
      const matches = await coll.search({ vector: byId.get(id)!.vector, topK: 3 });
      expect(matches[0].id).toBe(id);
    }

    // Re-running the import of the failed ids converges to the full set.
    await coll.upsertBatch(failed.map((id) => byId.get(id)!), { batchSize: 20, concurrency: 2 });
    const ids: string[] = [];
    for await (const id of coll.ids({ limit: 1000 })) ids.push(id);
    expect(ids.sort()).toEqual([...all].sort());
    // each vector's creation was committed with its count, so the crash left no vector uncounted
    expect((await admin.getCollection('importer', 'docs')).vectorCount).toBe(all.length);
  }, 180_000);
});
