// Tests that `whiplash items delete` and `whiplash export` use the batch routes, with progress on stderr,
// and that a delete reports the ids not found instead of stopping at the first.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CollectionHandle } from '../../lib/client';
import { FaultProxy, loadDocs, projectClient, startFaultProxy, startTestServer } from '../client/support';
import { whiplash } from './run';

describe('whiplash items delete and export use the batch routes', () => {
  let server: Awaited<ReturnType<typeof startTestServer>>;
  let proxy: FaultProxy;
  let env: Record<string, string>;
  let docs: CollectionHandle;
  let base: string;
  const dir = mkdtempSync(join(tmpdir(), 'wl-batch-cli-'));
  const data = loadDocs().slice(0, 230);

  beforeAll(async () => {
    server = await startTestServer();
    const { client, projectId, apiKey } = await projectClient(server.url, server.adminKey);
    await client.createCollection(projectId, { name: 'docs', dimension: 384 });
    docs = client.collection(projectId, 'docs');
    await docs.upsertBatch(data);
    // a pass-through proxy that counts the requests per route
    proxy = await startFaultProxy(server.url, () => undefined);
    env = { HOME: dir, WHIPLASH_API_URL: proxy.url, WHIPLASH_API_KEY: apiKey, WHIPLASH_PROJECT: projectId };
    base = `/projects/${projectId}/collections/docs`;
  });
  afterAll(async () => {
    await proxy?.close();
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('export reads 100 vectors a request, shows progress on stderr, and writes every vector', async () => {
    const file = join(dir, 'out.jsonl');
    const r = await whiplash(['export', 'docs', '--out', file, '--progress', 'plain'], env);
    expect(r).toMatchObject({ code: 0, stdout: `exported ${data.length} vectors to ${file}\n` });
    expect(r.stderr).toMatch(new RegExp(`^export: ${data.length} of ${data.length} vectors \\(100%\\)`, 'm'));
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l) as { id: string; vector: number[]; metadata: unknown });
    expect(lines.map((l) => l.id).sort()).toEqual(data.map((d) => d.id).sort());
    expect(proxy.seen.get(`POST ${base}/items/batch-get`)).toBe(Math.ceil(data.length / 100));
    expect([...proxy.seen.keys()].some((k) => k.startsWith(`GET ${base}/items/`))).toBe(false);
  });

  test('items delete deletes every id it finds, in one request, and reports the ids not found with exit code 1', async () => {
    const ids = [data[0].id, 'no-such-id', data[1].id, 'also-missing', data[2].id];
    const r = await whiplash(['items', 'delete', 'docs', ...ids, '--progress', 'plain'], env);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('deleted 3 vector(s)\n');
    expect(r.stderr).toMatch(/^delete: 5 of 5 vectors \(100%\)/m);
    expect(r.stderr).toMatch(/^error: not found: no-such-id, also-missing$/m);
    expect(proxy.seen.get(`POST ${base}/items/batch-delete`)).toBe(1);
    expect((await docs.getMany(ids)).vectors).toEqual([]);

    const json = await whiplash(['--json', 'items', 'delete', 'docs', data[3].id, 'nope', '--progress', 'none'], env);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toEqual({ ok: true, deleted: 1, notFound: ['nope'] });
    expect(JSON.parse(json.stderr).error.message).toBe('not found: nope');
  });

  test('items delete of ids that all exist exits 0', async () => {
    const r = await whiplash(['items', 'delete', 'docs', data[4].id, data[5].id, '--progress', 'none'], env);
    expect(r).toMatchObject({ code: 0, stdout: 'deleted 2 vector(s)\n', stderr: '' });
  });

  test('items list --prefix lists only the ids with that prefix', async () => {
    const prefix = data[50].id.slice(0, data[50].id.length - 1);
    const r = await whiplash(['--json', 'items', 'list', 'docs', '--all', '--prefix', prefix], env);
    const expected = data.slice(6).map((d) => d.id).filter((id) => id.startsWith(prefix)).sort();
    expect((JSON.parse(r.stdout) as { ids: string[] }).ids.sort()).toEqual(expected);
  });
});
