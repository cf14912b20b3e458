// Tests that the handler bundles in the cloud assembly run as Lambda would run them, against DynamoDB Local.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { APIGatewayProxyResult } from 'aws-lambda';
import { WhiplashStore } from '../../lambda/store/store';
import { TABLE_ENV, TableNames } from '../../lambda/store/table-definitions';
import { WhiplashVectorStore } from '../../lib/construct/vector-store';
import { loadMiniLm } from '../support/minilm';
import { createTestTables, testClient, testEndpoint } from '../support/tables';
import { apiEvent, prepareBundles } from './support';

/**
 * The code that `cdk deploy` would upload works: synthesize the app, take each function's asset
 * from the cloud assembly, and invoke its `index.handler` in a fresh Node.js process with an API
 * Gateway proxy event, the function's environment from the template, and DynamoDB Local.
 */
jest.setTimeout(120_000);

type Role = 'query' | 'write' | 'admin';
interface Deployed {
  readonly bundle: string;
  readonly environment: Record<string, string>;
}

const ADMIN_KEY_ID = 'admin-key-id';
const PROJECT_KEY_ID = 'acme-key-id';

let outdir: string;
let deployed: Record<Role, Deployed>;
let client: DynamoDBClient;
let tables: TableNames & { drop(): Promise<void> };

/** Each function's bundle in the cloud assembly and its literal environment variables. */
function synthesizeAssembly(): Record<Role, Deployed> {
  outdir = mkdtempSync(path.join(tmpdir(), 'whiplash-assembly-'));
  const app = new App({ outdir });
  const stack = new Stack(app, 'Whiplash', { env: { account: '123456789012', region: 'us-east-1' } });
  new WhiplashVectorStore(stack, 'Vectors');
  const assembly = app.synth();
  const artifact = assembly.getStackArtifact(stack.artifactId);
  const template = artifact.template as { Resources: Record<string, { Type: string; Properties: any }> };
  const assets = JSON.parse(readFileSync(path.join(outdir, `${stack.artifactId}.assets.json`), 'utf8')) as {
    files: Record<string, { source: { path: string } }>;
  };
  const out: Partial<Record<Role, Deployed>> = {};
  for (const r of Object.values(template.Resources)) {
    if (r.Type !== 'AWS::Lambda::Function') continue;
    const role = (r.Properties.FunctionName as string).split('-').pop() as Role;
    const hash = (r.Properties.Code.S3Key as string).replace(/\.zip$/, '');
    const environment = Object.fromEntries(Object.entries(r.Properties.Environment.Variables as Record<string, unknown>).filter(([, v]) => typeof v === 'string')) as Record<string, string>;
    out[role] = { bundle: path.join(outdir, assets.files[hash].source.path, 'index.js'), environment };
  }
  return out as Record<Role, Deployed>;
}

/** Runs `handler(event)` of a deployed bundle in a child Node.js process, as Lambda would. */
function invoke(role: Role, event: unknown): Promise<APIGatewayProxyResult> {
  const { bundle, environment } = deployed[role];
  const env = {
    PATH: process.env.PATH,
    ...environment,
    [TABLE_ENV.metadata]: tables.metadata,
    [TABLE_ENV.vectors]: tables.vectors,
    [TABLE_ENV.buckets]: tables.buckets,
    WHIPLASH_ADMIN_KEY_ID: ADMIN_KEY_ID,
    ...(role === 'admin' ? { WHIPLASH_USAGE_PLAN_ID: 'usage-plan-id', WHIPLASH_REST_API_ID: 'rest-api-id' } : {}),
    DYNAMODB_ENDPOINT: testEndpoint(),
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
  };
  const script = `
    let input = '';
    process.stdin.on('data', (c) => (input += c)).on('end', async () => {
      const { handler } = require(process.argv[1]);
      const result = await handler(JSON.parse(input), { awsRequestId: 'test-request' });
      require('fs').writeSync(3, JSON.stringify(result)); // stdout carries the function's logs
    });`;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', script, bundle], { env, stdio: ['pipe', 'pipe', 'pipe', 'pipe'] });
    let result = '';
    let logs = '';
    child.stdio[3]!.on('data', (c) => (result += c));
    child.stdout.on('data', (c) => (logs += c));
    child.stderr.on('data', (c) => (logs += c));
    child.on('error', reject);
    child.on('close', (code) => {
      try {
        if (code !== 0) throw new Error(`handler exited with ${code}`);
        resolve(JSON.parse(result) as APIGatewayProxyResult);
      } catch (err) {
        reject(new Error(`${String(err)}; function output:\n${logs}`));
      }
    });
    child.stdin.end(JSON.stringify(event));
  });
}

const COLLECTION = '/projects/{projectId}/collections/{collectionId}';
const params = { projectId: 'acme', collectionId: 'docs' };

beforeAll(async () => {
  prepareBundles();
  deployed = synthesizeAssembly();
  client = testClient();
  tables = await createTestTables(client);
  // Project keys come from API Gateway on AWS; here the project and its key binding go in directly.
  const store = new WhiplashStore({ client, tables });
  await store.createProject({ projectId: 'acme', name: 'Acme' });
  await store.bindApiKey({ apiKeyId: PROJECT_KEY_ID, projectId: 'acme' });
});

afterAll(async () => {
  await tables?.drop();
  client?.destroy();
  if (outdir) rmSync(outdir, { recursive: true, force: true });
});

test('the cloud assembly holds one bundle per function, with the environment the handlers read', () => {
  for (const role of ['query', 'write', 'admin'] as const) {
    expect(path.basename(path.dirname(deployed[role].bundle))).toMatch(/^asset\.[0-9a-f]{64}$/);
    expect(deployed[role].environment).toMatchObject({ POWERTOOLS_SERVICE_NAME: 'whiplash', POWERTOOLS_LOG_LEVEL: 'INFO' });
  }
});

test('the deployed bundles create a collection, upsert real embeddings and find a vector’s nearest neighbours', async () => {
  const minilm = loadMiniLm();
  const n = 200;
  // GIVEN a collection created through the admin bundle
  const created = await invoke('admin', apiEvent('POST', '/projects/{projectId}/collections', { projectId: 'acme' }, PROJECT_KEY_ID, { name: 'docs', n_features: minilm.dimension, metric: 'cosine' }));
  expect(created.statusCode).toBeLessThan(300);
  expect(JSON.parse(created.body)).toMatchObject({ name: 'docs' });

  // AND 200 real MiniLM embeddings upserted through the write bundle
  const items = minilm.ids.slice(0, n).map((id, i) => ({ id, vector: Array.from(minilm.vectors[i]), metadata: { source: minilm.sources[i] } }));
  for (let i = 0; i < n; i += 100) {
    const r = await invoke('write', apiEvent('POST', `${COLLECTION}/items/batch`, params, PROJECT_KEY_ID, { vectors: items.slice(i, i + 100) }));
    expect(r.statusCode).toBe(200);
    expect(JSON.parse(r.body)).toEqual({ upserted: 100 });
  }

  // WHEN the query bundle searches with one of them
  const k = 37;
  const r = await invoke('query', apiEvent('POST', `${COLLECTION}/search`, params, PROJECT_KEY_ID, { query: items[k].vector, limit: 5, include_metadata: true }));

  // THEN that vector is the top match at distance ~0, with its metadata
  expect(r.statusCode).toBe(200);
  const matches = JSON.parse(r.body) as { id: string; dist: number; metadata?: Record<string, unknown> }[];
  expect(matches).toHaveLength(5);
  expect(matches[0].id).toBe(items[k].id);
  expect(matches[0].dist).toBeCloseTo(0, 4);
  expect(matches[0].metadata).toEqual({ source: minilm.sources[k] });
  for (let i = 1; i < matches.length; i++) expect(matches[i].dist).toBeGreaterThanOrEqual(matches[i - 1].dist);
});

test('the deployed query bundle rejects a bad search with a 400 naming the field, and a foreign key with 403', async () => {
  const bad = await invoke('query', apiEvent('POST', `${COLLECTION}/search`, params, PROJECT_KEY_ID, { query: 'not a vector' }));
  expect(bad.statusCode).toBe(400);
  expect(JSON.parse(bad.body).error).toMatchObject({ status: 400, code: 'ValidationError', field: expect.stringContaining('query') });
  const foreign = await invoke('query', apiEvent('GET', COLLECTION, params, 'unknown-key-id'));
  expect(foreign.statusCode).toBe(403);
});

test('the deployed admin bundle handles the scheduled purge event', async () => {
  const r = await invoke('admin', { source: 'aws.events', 'detail-type': 'Scheduled Event', id: 'purge-1', detail: {} });
  expect(r.statusCode).toBe(200);
  expect(JSON.parse(r.body)).toEqual({ purged: expect.any(Number), remaining: expect.any(Boolean) });
});
