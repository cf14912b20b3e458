// Tests every `whiplash` command in-process against the local server: projects, collections, import, items,
// search, export, profiles, exit codes and retries.
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LIST_SIZE_BOUNDS } from '../../lambda/core/limits';
import { DEFAULT_LIST_SIZE } from '../../lambda/core/list-splits';
import { WhiplashClient } from '../../lib/client';
import { formatTable } from '../../lib/cli/output';
import { Doc, FaultProxy, loadDocs, startFaultProxy, startTestServer } from '../client/support';
import { gzipFile, writeCsv, writeFvecs, writeIds, writeJsonArray, writeJsonl, writeNpy, writeParquet } from './formats';
import { whiplash } from './run';

/** Every `whiplash` command, run in-process against the real local server. */
describe('whiplash CLI', () => {
  let server: Awaited<ReturnType<typeof startTestServer>>;
  const home = mkdtempSync(join(tmpdir(), 'wl-home-'));
  const dir = mkdtempSync(join(tmpdir(), 'wl-cli-'));
  const docs = loadDocs().slice(0, 120);
  let admin: Record<string, string>; // environment with the admin key
  let env: Record<string, string>; // environment with the project's key
  let client: WhiplashClient;

  const ids = async (collection: string): Promise<string[]> => {
    const out: string[] = [];
    for await (const id of client.collection('cli', collection).ids({ limit: 1000 })) out.push(id);
    return out.sort();
  };
  const sorted = (d: readonly Doc[]) => d.map((x) => x.id).sort();

  beforeAll(async () => {
    server = await startTestServer();
    admin = { HOME: home, WHIPLASH_API_URL: server.url, WHIPLASH_API_KEY: server.adminKey };
  });
  afterAll(async () => {
    await server?.stop();
    rmSync(home, { recursive: true, force: true });
    rmSync(dir, { recursive: true, force: true });
  });

  test('projects create / list / get, as tables and as JSON', async () => {
    const created = await whiplash(['--json', 'projects', 'create', 'CLI project', '--id', 'cli'], admin);
    expect(created.code).toBe(0);
    const body = JSON.parse(created.stdout) as { projectId: string; apiKey: string };
    expect(body.projectId).toBe('cli');
    env = { HOME: home, WHIPLASH_API_URL: server.url, WHIPLASH_API_KEY: body.apiKey, WHIPLASH_PROJECT: 'cli' };
    client = new WhiplashClient({ apiUrl: server.url, apiKey: body.apiKey });

    const list = await whiplash(['projects', 'list'], admin);
    expect(list.code).toBe(0);
    const [header, row] = list.stdout.trimEnd().split('\n');
    expect(header).toMatch(/^PROJECTID\s+NAME\s+TIER\s+CREATEDAT$/);
    expect(row).toMatch(/^cli\s+CLI project\s+default\s+\d{4}-\d\d-\d\dT/);
    expect(header.indexOf('NAME')).toBe(row.indexOf('CLI project'));

    const got = await whiplash(['--json', 'projects', 'get', 'cli'], admin);
    expect(JSON.parse(got.stdout)).toMatchObject({ projectId: 'cli', name: 'CLI project' });

    expect((await whiplash(['projects', 'create', 'short-lived'], admin)).code).toBe(0);
    expect(await whiplash(['projects', 'delete', 'short-lived'], admin)).toMatchObject({ code: 0, stdout: 'deleted project short-lived\n' });
    expect(await whiplash(['projects', 'get', 'short-lived'], admin)).toMatchObject({ code: 1, stderr: expect.stringMatching(/^error: 404 NotFound/) });
  });

  test('collections create / list / get / delete', async () => {
    expect((await whiplash(['collections', 'create', 'docs', '--dimension', '384'], env)).code).toBe(0);
    expect((await whiplash(['collections', 'create', 'tmp', '-d', '8', '-m', 'euclidean'], env)).code).toBe(0);
    const list = await whiplash(['--json', 'collections', 'list'], env);
    expect((JSON.parse(list.stdout) as { name: string }[]).map((c) => c.name).sort()).toEqual(['docs', 'tmp']);
    const table = await whiplash(['collections', 'list'], env);
    expect(table.stdout.split('\n')[0]).toMatch(/^NAME\s+DIMENSION\s+METRIC\s+VECTORCOUNT\s+CREATEDAT$/);
    const get = await whiplash(['collections', 'get', 'tmp'], env);
    expect(get.stdout).toMatch(/^metric\s+euclidean$/m);
    // non-filterable keys are declared at creation and described with the collection
    expect((await whiplash(['collections', 'create', 'texts', '-d', '8', '--non-filterable', 'text', 'title'], env)).code).toBe(0);
    expect(JSON.parse((await whiplash(['--json', 'collections', 'get', 'texts'], env)).stdout).metadataConfiguration).toEqual({ nonFilterableMetadataKeys: ['text', 'title'] });
    expect((await whiplash(['collections', 'delete', 'texts'], env)).code).toBe(0);
    expect((await whiplash(['collections', 'delete', 'tmp'], env)).code).toBe(0);
    expect(JSON.parse((await whiplash(['--json', 'collections', 'list'], env)).stdout)).toHaveLength(1);
  });

  test('collections create --index-method ivf --list-size: k-means lists, described with both; each refusal exits 1 naming the field', async () => {
    const [lo, hi] = LIST_SIZE_BOUNDS;
    // GIVEN / WHEN a collection in k-means lists of 500
    const created = await whiplash(['collections', 'create', 'lists', '-d', '8', '-m', 'euclidean', '--index-method', 'ivf', '--list-size', '500'], env);
    // THEN create and get print its index method and list size, and --json has them
    expect(created.code).toBe(0);
    expect(created.stdout).toMatch(/^indexMethod\s+ivf$/m);
    expect(created.stdout).toMatch(/^listSize\s+500$/m);
    const get = await whiplash(['collections', 'get', 'lists'], env);
    expect(get.stdout).toMatch(/^indexMethod\s+ivf\nlistSize\s+500$/m);
    expect(JSON.parse((await whiplash(['--json', 'collections', 'get', 'lists'], env)).stdout)).toMatchObject({ metric: 'euclidean', indexMethod: 'ivf', listSize: 500 });
    // and the collection created without --index-method (cosine) shows the default lists
    const docs = await whiplash(['collections', 'get', 'docs'], env);
    expect(docs.stdout).toMatch(new RegExp(`^indexMethod\\s+ivf\nlistSize\\s+${DEFAULT_LIST_SIZE}$`, 'm'));
    // WHEN the API refuses the combination, or the option parser the value, THEN exit code 1 naming the field
    const refusals: [string[], RegExp][] = [
      [['-m', 'dot', '--index-method', 'ivf'], /"field":"indexMethod"/],
      [['-m', 'dot', '--list-size', '500'], /"field":"listSize"/],
      [['--index-method', 'lsh', '--list-size', '500'], /"field":"listSize"/],
      [['--index-method', 'ivf', '--list-size', String(lo - 1)], new RegExp(`option '--list-size <n>' argument '${lo - 1}' is invalid\\. must be an integer from ${lo} to ${hi}`)],
      [['--index-method', 'ivf', '--list-size', String(hi + 1)], new RegExp(`must be an integer from ${lo} to ${hi}`)],
      [['--index-method', 'hnsw'], /argument 'hnsw' is invalid\. Allowed choices are lsh, ivf/],
    ];
    for (const [args, stderr] of refusals) {
      const r = await whiplash(['--json', 'collections', 'create', 'refused', '-d', '8', ...args], env);
      expect([args.join(' '), r.code]).toEqual([args.join(' '), 1]);
      expect(r.stderr).toMatch(stderr);
    }
    expect((JSON.parse((await whiplash(['--json', 'collections', 'list'], env)).stdout) as { name: string }[]).map((c) => c.name).sort()).toEqual(['docs', 'lists']);
    expect((await whiplash(['collections', 'delete', 'lists'], env)).code).toBe(0);
  });

  test('import JSONL: plain progress lines off a terminal, checkpoint removed at the end', async () => {
    const file = join(dir, 'docs.jsonl');
    writeJsonl(file, docs.slice(0, 60));
    const r = await whiplash(['import', 'docs', file, '--batch-size', '25', '--concurrency', '2'], env);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('imported 60 vectors into docs\n');
    expect(r.stderr).toMatch(/^import: 60 vectors, 100% of .* vectors\/s, ETA /m);
    expect(existsSync(`${file}.whiplash-import.json`)).toBe(false);
    expect(await ids('docs')).toEqual(sorted(docs.slice(0, 60)));
    expect((await client.collection('cli', 'docs').get(docs[7].id)).metadata).toEqual(docs[7].metadata);
  });

  test('import into an empty collection sends its first vectors in one request, so the first write profiles them all', async () => {
    // GIVEN 120 vectors (enough to profile: PROFILE_MIN_SAMPLE is 100) and batches of 25, 2 in flight
    const file = join(dir, 'first.jsonl');
    writeJsonl(file, docs);
    // WHEN they are imported into a new collection
    const r = await whiplash(['import', 'first', file, '--create', '--batch-size', '25', '--concurrency', '2'], env);
    expect(r.code).toBe(0);
    // THEN its first write held all 120: it profiled them and fixed a hashing subspace from them
    // (batches of 25 would have left it unprofiled, hashing in the whole space)
    const info = JSON.parse((await whiplash(['--json', 'collections', 'get', 'first'], env)).stdout) as { vectorCount: number; queryPlan: { profiled: boolean; hashDimensions: number } };
    expect(info.vectorCount).toBe(120);
    expect(info.queryPlan.profiled).toBe(true);
    expect(info.queryPlan.hashDimensions).toBeLessThan(384);
    expect((await whiplash(['collections', 'delete', 'first'], env)).code).toBe(0);
  });

  test('import CSV (header, JSON metadata column) into a collection made by --create', async () => {
    const file = join(dir, 'docs.csv');
    writeCsv(file, docs.slice(60, 120));
    const r = await whiplash(['--json', 'import', 'fromcsv', file, '--create', '--progress', 'bar'], env);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: true, imported: 60, skipped: 0, total: 60, collectionCreated: true });
    expect(r.stderr).toMatch(/created collection fromcsv \(dimension 384, metric cosine\)/);
    expect(r.stderr).toMatch(/100% \| 60 vectors/);
    expect(await ids('fromcsv')).toEqual(sorted(docs.slice(60, 120)));
    expect((await client.collection('cli', 'fromcsv').get(docs[70].id)).metadata).toEqual(docs[70].metadata);
  });

  test('import --create --index-method ivf --list-size makes a collection in k-means lists', async () => {
    // GIVEN 120 vectors in JSONL
    const file = join(dir, 'lists.jsonl');
    writeJsonl(file, docs);
    // WHEN imported into a new collection of k-means lists
    const r = await whiplash(['import', 'intolists', file, '--create', '--index-method', 'ivf', '--list-size', '64', '--progress', 'none'], env);
    expect(r.code).toBe(0);
    // THEN the collection is in lists of that size, holds every vector, and finds one by its own vector
    const info = JSON.parse((await whiplash(['--json', 'collections', 'get', 'intolists'], env)).stdout) as { vectorCount: number; indexMethod: string; listSize: number };
    expect(info).toMatchObject({ vectorCount: 120, indexMethod: 'ivf', listSize: 64 });
    expect(await ids('intolists')).toEqual(sorted(docs));
    const found = await client.collection('cli', 'intolists').search({ vector: docs[3].vector, topK: 1 });
    expect(found[0].id).toBe(docs[3].id);
    expect((await whiplash(['collections', 'delete', 'intolists'], env)).code).toBe(0);
  });

  test('import npy (float32, ids from a sidecar) and fvecs (ids = row numbers)', async () => {
    const npy = join(dir, 'docs.npy');
    const idsFile = join(dir, 'docs.ids');
    writeNpy(npy, docs.slice(0, 40));
    writeIds(idsFile, docs.slice(0, 40));
    const a = await whiplash(['import', 'fromnpy', npy, '--ids', idsFile, '--create', '--progress', 'none'], env);
    expect(a).toMatchObject({ code: 0, stderr: expect.stringContaining('created collection fromnpy') });
    expect(await ids('fromnpy')).toEqual(sorted(docs.slice(0, 40)));
    const v = await client.collection('cli', 'fromnpy').get(docs[3].id);
    expect(v.vector).toEqual(Array.from(Float32Array.from(docs[3].vector)));

    const fv = join(dir, 'docs.fvecs');
    writeFvecs(fv, docs.slice(0, 30));
    const b = await whiplash(['import', 'fromfvecs', fv, '--create', '--metric', 'dot', '--progress', 'none', '-b', '7'], env);
    expect(b.code).toBe(0);
    expect(await ids('fromfvecs')).toEqual(Array.from({ length: 30 }, (_, i) => String(i)).sort());
    expect((await client.getCollection('cli', 'fromfvecs')).metric).toBe('dot');
  });

  test('import Parquet (list<float> vectors, other columns as metadata), a gzipped JSON array, and stdin (-)', async () => {
    const pq = join(dir, 'docs.parquet');
    writeParquet(pq, docs.slice(0, 40), { rowGroupSize: 16 });
    const a = await whiplash(['--json', 'import', 'fromparquet', pq, '--create', '-b', '15', '--progress', 'none'], env);
    expect(a.code).toBe(0);
    expect(JSON.parse(a.stdout)).toMatchObject({ imported: 40, total: 40, collectionCreated: true });
    expect(await ids('fromparquet')).toEqual(sorted(docs.slice(0, 40)));
    const got = await client.collection('cli', 'fromparquet').get(docs[3].id);
    expect(got.vector).toEqual(Array.from(Float32Array.from(docs[3].vector)));
    expect(got.metadata).toEqual(docs[3].metadata);
    expect((await client.collection('cli', 'fromparquet').get(docs[4].id)).metadata).toEqual({ wordCount: docs[4].metadata.wordCount }); // null category: left out

    const json = join(dir, 'docs.json');
    writeJsonArray(json, docs.slice(40, 70), 'embedding');
    const gz = gzipFile(json);
    const b = await whiplash(['import', 'fromjson', gz, '--create', '--progress', 'none'], env);
    expect(b).toMatchObject({ code: 0, stdout: 'imported 30 vectors into fromjson\n' });
    expect(await ids('fromjson')).toEqual(sorted(docs.slice(40, 70)));
    expect((await client.collection('cli', 'fromjson').get(docs[41].id)).metadata).toEqual(docs[41].metadata);
    expect(existsSync(`${gz}.whiplash-import.json`)).toBe(false);

    const lines = docs.slice(70, 95).map((d) => JSON.stringify({ id: d.id, values: d.vector, metadata: d.metadata })).join('\n');
    const c = await whiplash(['import', 'fromstdin', '-', '--create', '--progress', 'none'], env, lines);
    expect(c).toMatchObject({ code: 0, stdout: 'imported 25 vectors into fromstdin\n' });
    expect(await ids('fromstdin')).toEqual(sorted(docs.slice(70, 95)));
    const csv = docs.slice(0, 3).map((d) => [d.id, ...d.vector].join(',')).join('\n');
    expect(await whiplash(['import', 'fromstdin', '-'], env, csv)).toMatchObject({ code: 1, stderr: expect.stringMatching(/cannot tell the format of stdin .*pass --format/) });
    expect((await whiplash(['import', 'fromstdin', '-', '--format', 'csv', '--progress', 'none'], env, csv)).code).toBe(0);
    expect(await ids('fromstdin')).toEqual(sorted([...docs.slice(70, 95), ...docs.slice(0, 3)]));
  });

  test('--version prints the package version', async () => {
    const { version } = JSON.parse(readFileSync(join(__dirname, '../../package.json'), 'utf8')) as { version: string };
    expect(await whiplash(['--version'], {})).toMatchObject({ code: 0, stdout: `${version}\n` });
    expect((await whiplash(['-V'], {})).stdout).toBe(`${version}\n`);
  });

  test('import stops at a broken record or a refused batch, names it, and keeps the checkpoint', async () => {
    const file = join(dir, 'broken.jsonl');
    writeJsonl(file, docs.slice(0, 30));
    const lines = readFileSync(file, 'utf8').split('\n');
    lines[20] = '{"id": "x", "vector": [1, 2,';
    writeFileSync(file, lines.join('\n'));
    // into an empty collection the first request would carry the first 500 records: record 21 breaks it before it goes
    const first = await whiplash(['import', 'broken', file, '--create', '-b', '10', '-c', '1', '--progress', 'none'], env);
    expect(first.code).toBe(1);
    expect(first.stderr).toMatch(/broken\.jsonl: record 21 \(byte \d+\): not valid JSON/);
    expect(await ids('broken')).toEqual([]);
    expect(existsSync(`${file}.whiplash-import.json`)).toBe(false);
    // into a collection that holds a vector, batches of 10 go out: the first two are acknowledged and kept
    await client.collection('cli', 'broken').upsert(docs[100]);
    const r = await whiplash(['import', 'broken', file, '-b', '10', '-c', '1', '--progress', 'none'], env);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/broken\.jsonl: record 21 \(byte \d+\): not valid JSON/);
    const cp = JSON.parse(readFileSync(`${file}.whiplash-import.json`, 'utf8')) as { watermark: { row: number } };
    expect(cp.watermark.row).toBe(20);
    expect(await ids('broken')).toEqual(sorted([...docs.slice(0, 20), docs[100]]));

    const wrong = join(dir, 'wrong-dim.jsonl');
    writeFileSync(wrong, docs.slice(0, 12).map((d, i) => JSON.stringify({ id: d.id, vector: i === 11 ? d.vector.slice(1) : d.vector })).join('\n'));
    expect((await whiplash(['collections', 'create', 'wrongdim', '--dimension', '384'], env)).code).toBe(0);
    await client.collection('cli', 'wrongdim').upsert(docs[100]);
    const w = await whiplash(['import', 'wrongdim', wrong, '-b', '5', '-c', '1', '--progress', 'none'], env);
    expect(w.code).toBe(1);
    expect(w.stderr).toMatch(new RegExp(`^error: 400 ValidationError: batch upsert failed: 2 vector\\(s\\) not written \\(10 written\\): vector "${docs[11].id}": vector must have 384`, 'm'));
    expect(w.stderr).toContain(`not written: ${docs[10].id}, ${docs[11].id}\n`);
    expect(w.stderr).toContain('run the same command again to resume');
    expect(existsSync(`${wrong}.whiplash-import.json`)).toBe(true);
  });

  test('items list (pages with a cursor, or --all), get, delete', async () => {
    const page = await whiplash(['items', 'list', 'docs', '--limit', '25'], env);
    expect(page.code).toBe(0);
    const lines = page.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe('ID');
    expect(lines).toHaveLength(26);
    const cursor = /--cursor (\S+)/.exec(page.stderr)?.[1];
    expect(cursor).toBeDefined();
    const next = JSON.parse((await whiplash(['--json', 'items', 'list', 'docs', '--limit', '25', '--cursor', cursor!], env)).stdout) as { ids: string[] };
    expect(next.ids).toHaveLength(25);
    expect(next.ids.some((id) => lines.includes(id))).toBe(false);
    const all = JSON.parse((await whiplash(['--json', 'items', 'list', 'docs', '--all', '--limit', '7'], env)).stdout) as { ids: string[] };
    expect(all.ids.sort()).toEqual(sorted(docs.slice(0, 60)));

    const got = await whiplash(['items', 'get', 'docs', docs[0].id], env);
    expect(got.stdout).toMatch(new RegExp(`^id\\s+${docs[0].id}$`, 'm'));
    expect(got.stdout).toMatch(/^dimension\s+384$/m);
    expect(got.stdout).toMatch(/^vector\s+\[-?\d\.\d{4}, .* 384 values\]$/m);
    const full = JSON.parse((await whiplash(['--json', 'items', 'get', 'docs', docs[0].id], env)).stdout) as { vector: number[]; metadata: unknown };
    expect(full.vector).toEqual(Array.from(Float32Array.from(docs[0].vector)));
    expect(full.metadata).toEqual(docs[0].metadata);

    expect((await whiplash(['items', 'delete', 'docs', docs[0].id, docs[1].id], env)).stdout).toBe('deleted 2 vector(s)\n');
    expect(await ids('docs')).toEqual(sorted(docs.slice(2, 60)));
    await client.collection('cli', 'docs').upsertBatch(docs.slice(0, 2));
  });

  test('search: vector as a JSON argument, comma-separated, from a file, from stdin, or --like an item', async () => {
    const q = docs[12];
    const asJson = await whiplash(['--json', 'search', 'docs', JSON.stringify(q.vector), '-k', '3'], env);
    expect(asJson.code).toBe(0);
    const hits = JSON.parse(asJson.stdout) as { id: string; distance: number }[];
    expect(hits).toHaveLength(3);
    expect(hits[0].id).toBe(q.id);

    // Separate arguments (negative numbers included), or one comma-joined argument after --.
    const spaced = await whiplash(['--json', 'search', 'docs', ...q.vector.map(String), '-k', '1'], env);
    expect(JSON.parse(spaced.stdout)[0].id).toBe(q.id);
    const comma = await whiplash(['search', 'docs', '--top-k', '2', '--', q.vector.join(',')], env);
    const rows = comma.stdout.trimEnd().split('\n');
    expect(rows[0]).toMatch(/^RANK\s+ID\s+DISTANCE\s+SCORE$/);
    expect(rows[1]).toMatch(new RegExp(`^\\s*1\\s+${q.id}\\s+0\\.0000\\d\\d\\s+(1\\.000000|0\\.99999\\d)$`));

    const file = join(dir, 'q.json');
    writeFileSync(file, JSON.stringify(q.vector));
    expect(JSON.parse((await whiplash(['--json', 'search', 'docs', '--file', file], env)).stdout)[0].id).toBe(q.id);
    expect(JSON.parse((await whiplash(['--json', 'search', 'docs'], env, q.vector.join(' '))).stdout)[0].id).toBe(q.id);
    expect(JSON.parse((await whiplash(['--json', 'search', 'docs', '-'], env, JSON.stringify(q.vector))).stdout)[0].id).toBe(q.id);

    const like = JSON.parse(
      (await whiplash(['--json', 'search', 'docs', '--like', q.id, '--include-metadata', '--filter', JSON.stringify({ category: { $eq: q.metadata.category } })], env)).stdout,
    ) as { id: string; metadata: { category: string } }[];
    expect(like[0].id).toBe(q.id);
    expect(like.every((h) => h.metadata.category === q.metadata.category)).toBe(true);
  });

  test('export writes JSONL that import reads back into an identical collection', async () => {
    const file = join(dir, 'export.jsonl');
    const r = await whiplash(['export', 'docs', '--out', file], env);
    expect(r).toMatchObject({ code: 0, stdout: `exported 60 vectors to ${file}\n` });
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l) as { id: string; vector: number[]; metadata: unknown });
    expect(lines.map((l) => l.id).sort()).toEqual(sorted(docs.slice(0, 60)));
    const d5 = lines.find((l) => l.id === docs[5].id)!;
    const stored = Array.from(Float32Array.from(docs[5].vector));
    expect(Array.from(Float32Array.from(d5.vector))).toEqual(stored); // the same float32 values...
    expect(JSON.stringify(d5.vector).length).toBeLessThan(JSON.stringify(stored).length); // ...in fewer digits
    expect(d5.metadata).toEqual(docs[5].metadata);

    expect((await whiplash(['import', 'copy', file, '--create', '--progress', 'none'], env)).code).toBe(0);
    expect(await ids('copy')).toEqual(sorted(docs.slice(0, 60)));
    expect((await client.collection('cli', 'copy').get(docs[5].id)).vector).toEqual(stored);

    const toStdout = await whiplash(['export', 'fromfvecs'], env);
    expect(toStdout.stdout.trimEnd().split('\n')).toHaveLength(30);
  });

  test('a profile file (temp HOME) supplies URL, key and project; flags override it', async () => {
    const saved = await whiplash(['config', 'save'], env);
    expect(saved.code).toBe(0);
    const cfgFile = join(home, '.config', 'whiplash', 'config.json');
    expect(statSync(cfgFile).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(cfgFile, 'utf8')).profiles.default).toEqual({ apiUrl: server.url, apiKey: env.WHIPLASH_API_KEY, project: 'cli' });

    const bare = { HOME: home };
    const list = await whiplash(['--json', 'collections', 'list'], bare);
    expect(list.code).toBe(0);
    expect((JSON.parse(list.stdout) as unknown[]).length).toBeGreaterThan(0);
    const show = await whiplash(['config', 'show'], bare);
    expect(show.stdout).toMatch(/^profile\s+default$/m);
    expect(show.stdout).not.toContain(env.WHIPLASH_API_KEY);
    const wrongProject = await whiplash(['-p', 'nope', 'collections', 'list'], bare);
    expect(wrongProject.code).toBe(1); // 403: the key does not reach that project
    expect(wrongProject.stderr).toMatch(/^error: 403 Forbidden/);
    expect((await whiplash(['--profile', 'missing', 'collections', 'list'], bare)).stderr).toMatch(/profile "missing" not found/);

    // A named profile: saved from flags, then chosen with --profile; flags still win over it.
    expect((await whiplash(['--profile', 'work', '--api-url', server.url, '--api-key', server.adminKey, 'config', 'save'], bare)).code).toBe(0);
    const projects = await whiplash(['--json', '--profile', 'work', 'projects', 'list'], bare);
    expect((JSON.parse(projects.stdout) as { projectId: string }[]).map((p) => p.projectId)).toContain('cli');
    const overridden = await whiplash(['--profile', 'work', '--api-key', 'wrong', 'projects', 'list'], bare);
    expect(overridden.code).toBe(1);
    expect(overridden.stderr).toMatch(/403 Forbidden/);
  });

  describe('exit codes', () => {
    let proxy: FaultProxy | undefined;
    afterEach(async () => {
      await proxy?.close();
      proxy = undefined;
    });

    test('1 for usage: unknown command, missing or bad option, missing settings, bad input, 4xx', async () => {
      const cases: string[][] = [
        ['frobnicate'],
        ['collections', 'create', 'x'],
        ['search', 'docs', '[1,2]', '--top-k', 'many'],
        ['search', 'docs', '[1,"a"]'],
        ['import', 'docs', join(dir, 'missing.jsonl')],
        ['items', 'get', 'docs', 'no-such-item'],
        ['search', 'docs', '[1,2,3]'],
      ];
      for (const args of cases) {
        const r = await whiplash(args, env);
        expect([args.join(' '), r.code]).toEqual([args.join(' '), 1]);
        expect(r.stderr).toMatch(/error/);
      }
      const noUrl = await whiplash(['collections', 'list'], { HOME: join(home, 'empty') });
      expect(noUrl).toMatchObject({ code: 1, stderr: expect.stringMatching(/no API URL: pass --api-url, set WHIPLASH_API_URL/) });
      const bad = await whiplash(['--json', 'search', 'docs', '[1,2,3]'], env);
      expect(JSON.parse(bad.stderr)).toMatchObject({ error: { status: 400, code: 'ValidationError', field: 'query' } });
      expect((await whiplash(['--help'], env)).code).toBe(0);
    });

    test('throttled reads and upserts are retried and succeed (exit 0)', async () => {
      proxy = await startFaultProxy(server.url, (req, n) => (n <= 2 ? { status: 429 } : undefined));
      const r = await whiplash(['-v', '--json', 'items', 'list', 'docs', '--limit', '3'], { ...env, WHIPLASH_API_URL: proxy.url });
      expect(r.code).toBe(0);
      expect(JSON.parse(r.stdout).ids).toHaveLength(3);
      expect(r.stderr.match(/^retry \d of GET \/projects\/cli\/collections\/docs\/items in \d+ ms: 429 TooManyRequests$/gm)).toHaveLength(2);
    });

    test('2 for server errors: unreachable, 5xx after retries', async () => {
      const down = await whiplash(['--retries', '0', 'collections', 'list'], { ...env, WHIPLASH_API_URL: 'http://127.0.0.1:9' });
      expect(down).toMatchObject({ code: 2, stderr: expect.stringMatching(/NetworkError/) });
      proxy = await startFaultProxy(server.url, () => ({ status: 503 }));
      const r = await whiplash(['--retries', '1', '-v', 'collections', 'get', 'docs'], { ...env, WHIPLASH_API_URL: proxy.url });
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/^retry 1 of GET \/projects\/cli\/collections\/docs in \d+ ms: 503 ServiceUnavailable$/m);
      expect(r.stderr).toMatch(/^error: 503 ServiceUnavailable/m);
    });
  });

  test('tables align columns and right-align numbers', () => {
    expect(formatTable([{ name: 'a', n: 5 }, { name: 'long-name', n: 12345 }], ['name', 'n'])).toBe('NAME       N\na              5\nlong-name  12345\n');
    expect(formatTable([{ d: -1e-9 }, { d: 0.5 }], ['d'])).toBe('D\n0.000000\n0.500000\n');
  });
});
