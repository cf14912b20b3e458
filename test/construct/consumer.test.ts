// Tests of the packed jsii package as a consumer CDK app uses it (npm pack, unpack, cdk synth without esbuild or
// Docker, a second stack referencing the store), its jsii assembly, and that the checked-in API.md is current.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { installTarball, packedTarball, REPO } from '../support/pack';

/**
 * The published package, used the way a consumer uses it: `npm pack` (which runs `prepack`: tsc, the
 * jsii compiler that writes `.jsii` and the construct's JavaScript, and the esbuild pre-bundling), unpack
 * the tarball into a fresh CDK app outside this repo, embed `new WhiplashVectorStore(this, 'Vectors')`
 * and reference it from a second stack with `fromStoreAttributes`, and `cdk synth` with esbuild
 * unresolvable and no Docker on the PATH. Offline: the package's dependencies and peer dependencies are
 * linked from this repo's node_modules (its optional ones, for the SDK, CLI and local mode, are not).
 */
jest.setTimeout(480_000); // npm pack runs the whole build (tsc, jsii, esbuild): minutes on a busy machine

let work: string;
let appDir: string;
let pkgDir: string;
let synth: ReturnType<typeof spawnSync>;
let blockedEsbuild: ReturnType<typeof spawnSync>;

beforeAll(async () => {
  work = mkdtempSync(path.join(tmpdir(), 'whiplash-consumer-'));
  appDir = path.join(work, 'app');
  mkdirSync(path.join(appDir, 'node_modules'), { recursive: true });

  // 1. npm pack (prepack builds dist/ and assets/handlers/), shared with the other tests of the package.
  const tarball = await packedTarball();

  // 2. Install the tarball into the app: unpack it, and link its dependencies from this repo.
  pkgDir = installTarball(tarball, appDir, ['dependencies', 'peerDependencies']).pkgDir;

  // 3. The consumer app: one stack with the store (one line), and a second stack that references it.
  writeFileSync(
    path.join(appDir, 'app.js'),
    `const { App, Stack } = require('aws-cdk-lib');
const cloudwatch = require('aws-cdk-lib/aws-cloudwatch');
const iam = require('aws-cdk-lib/aws-iam');
const { WhiplashVectorStore } = require('whiplash-vector-store');
const app = new App();
const env = { account: '123456789012', region: 'us-east-1' };
const storeStack = new Stack(app, 'Consumer', { env });
const store = new WhiplashVectorStore(storeStack, 'Vectors');
const other = new Stack(app, 'ConsumerReference', { env });
const ref = WhiplashVectorStore.fromStoreAttributes(other, 'Vectors', {
  restApiId: store.restApiId,
  restApiName: store.restApiName,
  metadataTableName: store.metadataTableName,
  vectorsTableName: store.vectorsTableName,
  bucketsTableName: store.bucketsTableName,
  queryFunctionName: store.queryFunction.functionName,
  writeFunctionName: store.writeFunction.functionName,
  adminFunctionName: store.adminFunction.functionName,
});
ref.grantReadWrite(new iam.Role(other, 'Indexer', { assumedBy: new iam.AccountRootPrincipal() }));
new cloudwatch.Alarm(other, 'ApiLatency', { metric: ref.metricApiLatency(), threshold: 1000, evaluationPeriods: 1 });
app.synth();
`,
  );
  writeFileSync(path.join(appDir, 'cdk.json'), JSON.stringify({ app: 'node app.js', notices: false, versionReporting: false, context: { 'cli-telemetry': false } }));
  // esbuild cannot be resolved from anywhere in these processes.
  const noEsbuild = path.join(work, 'no-esbuild.js');
  writeFileSync(
    noEsbuild,
    `const Module = require('module');
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  if (request === 'esbuild' || request.startsWith('esbuild/')) {
    const err = new Error("Cannot find module 'esbuild' (hidden by the consumer test)");
    err.code = 'MODULE_NOT_FOUND';
    throw err;
  }
  return resolve.call(this, request, ...rest);
};
`,
  );
  const env = {
    HOME: work,
    PATH: path.dirname(process.execPath), // node only: no docker, no esbuild binary
    NODE_OPTIONS: `--require ${noEsbuild}`,
    CDK_DISABLE_VERSION_CHECK: '1',
  };
  blockedEsbuild = spawnSync(process.execPath, ['-e', "require('esbuild')"], { cwd: appDir, env, encoding: 'utf8' });

  // 4. cdk synth with the repo's CDK CLI.
  synth = spawnSync(process.execPath, [path.join(REPO, 'node_modules', 'aws-cdk', 'bin', 'cdk'), 'synth', '--quiet', '--output', 'cdk.out'], {
    cwd: appDir,
    env,
    encoding: 'utf8',
  });
});

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

test('the tarball ships the compiled construct and the pre-bundled handlers, and no TypeScript sources of them', () => {
  expect(existsSync(path.join(pkgDir, 'dist', 'lib', 'construct', 'vector-store.js'))).toBe(true);
  for (const role of ['query', 'write', 'admin']) expect(existsSync(path.join(pkgDir, 'assets', 'handlers', role, 'index.js'))).toBe(true);
  expect(existsSync(path.join(pkgDir, 'lambda'))).toBe(false);
});

test('esbuild is unresolvable in the consumer app', () => {
  expect(blockedEsbuild.status).not.toBe(0);
  expect(blockedEsbuild.stderr).toContain('hidden by the consumer test');
});

test('cdk synth of the consumer app succeeds and deploys the pre-bundled handler code', () => {
  expect({ status: synth.status, stderr: synth.status === 0 ? '' : synth.stderr }).toEqual({ status: 0, stderr: '' });
  const out = path.join(appDir, 'cdk.out');
  const template = Template.fromJSON(JSON.parse(readFileSync(path.join(out, 'Consumer.template.json'), 'utf8')));
  template.resourceCountIs('AWS::DynamoDB::Table', 3);
  template.resourceCountIs('AWS::Lambda::Function', 3);
  template.allResourcesProperties('AWS::Lambda::Function', { Architectures: ['arm64'], Handler: 'index.handler', Code: { S3Key: Match.stringLikeRegexp('^[0-9a-f]{64}\\.zip$') } });
  template.resourceCountIs('AWS::ApiGateway::UsagePlan', 2); // the default tier and the admin key's plan
  // Each function's asset in the cloud assembly is the shipped bundle: one index.js.
  const assetDirs = readdirSync(out).filter((f) => f.startsWith('asset.'));
  expect(assetDirs).toHaveLength(3);
  for (const dir of assetDirs) {
    expect(readdirSync(path.join(out, dir))).toEqual(['index.js']);
    expect(readFileSync(path.join(out, dir, 'index.js'), 'utf8')).toMatch(/handler/);
  }
});

test('the consumer stack synthesizes a reference to the store: grants on the imported tables, an alarm on API Gateway latency', () => {
  expect(synth.status).toBe(0);
  const template = Template.fromJSON(JSON.parse(readFileSync(path.join(appDir, 'cdk.out', 'ConsumerReference.template.json'), 'utf8')));
  template.resourceCountIs('AWS::DynamoDB::Table', 0);
  template.resourceCountIs('AWS::Lambda::Function', 0);
  const statements = Object.values(template.findResources('AWS::IAM::Policy'))[0].Properties.PolicyDocument.Statement as { Action: string[]; Resource: unknown; Condition?: unknown }[];
  // one statement per table, and the metadata puts and updates apart, each confined to its partitions
  expect(statements).toHaveLength(5);
  expect(statements.filter((st) => st.Condition !== undefined).map((st) => st.Action)).toEqual(['dynamodb:PutItem', 'dynamodb:UpdateItem']);
  expect(JSON.stringify(statements.map((st) => st.Resource))).toContain('Fn::ImportValue');
  template.hasResourceProperties('AWS::CloudWatch::Alarm', { Namespace: 'AWS/ApiGateway', MetricName: 'Latency', Dimensions: [{ Name: 'ApiName', Value: Match.stringLikeRegexp('^Consumer-Vectors-') }] });
});

describe('the jsii assembly', () => {
  test('ships in the tarball with the construct surface and the Python, Java, .NET and Go targets', () => {
    const assembly = JSON.parse(readFileSync(path.join(pkgDir, '.jsii'), 'utf8')) as {
      name: string;
      license: string;
      keywords: string[];
      targets: Record<string, Record<string, unknown>>;
      types: Record<string, { kind: string }>;
    };
    expect(assembly.name).toBe('whiplash-vector-store');
    expect(assembly.license).toBe('Apache-2.0');
    expect(assembly.keywords).toContain('awscdk');
    expect(Object.keys(assembly.targets).sort()).toEqual(['dotnet', 'go', 'java', 'js', 'python']);
    expect(assembly.targets.python).toMatchObject({ distName: 'whiplash-vector-store', module: 'whiplash_vector_store' });
    expect(assembly.types['whiplash-vector-store.WhiplashVectorStore'].kind).toBe('class');
    expect(assembly.types['whiplash-vector-store.IWhiplashVectorStore'].kind).toBe('interface');
    expect(assembly.types['whiplash-vector-store.FunctionRole'].kind).toBe('enum');
    // The SDK, local mode and Lambda code stay outside the assembly.
    expect(Object.keys(assembly.types).filter((fqn) => /Client|LocalServer|WhiplashError|TABLE_/.test(fqn))).toEqual([]);
    expect(existsSync(path.join(pkgDir, 'LICENSE'))).toBe(true);
  });

  test('the shipped construct is the jsii compiler’s output (runtime type information for other languages)', () => {
    expect(readFileSync(path.join(pkgDir, 'dist', 'lib', 'construct', 'vector-store.js'), 'utf8')).toContain('jsii.rtti');
  });

  test('the package has no dependencies a construct consumer must install: SDK, CLI and local-mode packages are optional', () => {
    const manifest = JSON.parse(readFileSync(path.join(pkgDir, 'package.json'), 'utf8')) as { dependencies?: Record<string, string>; optionalDependencies?: Record<string, string> };
    expect(manifest.dependencies ?? {}).toEqual({});
    expect(Object.keys(manifest.optionalDependencies ?? {})).toContain('@aws-sdk/client-dynamodb');
    expect(existsSync(path.join(appDir, 'node_modules', '@aws-sdk'))).toBe(false);
  });
});

test('API.md is what jsii-docgen generates from the assembly (run `npm run docgen` after an API change)', () => {
  // npm pack above compiled the repo's .jsii; docgen writes to a temporary file, never over API.md.
  const out = path.join(work, 'API.md');
  execFileSync(process.execPath, [path.join(REPO, 'node_modules', 'jsii-docgen', 'bin', 'jsii-docgen'), '-o', out], { cwd: REPO, stdio: 'pipe' });
  const checkedIn = readFileSync(path.join(REPO, 'API.md'), 'utf8');
  const generated = readFileSync(out, 'utf8');
  if (checkedIn !== generated) throw new Error('API.md is stale: run `npm run docgen` and commit the result');
  expect(checkedIn).toContain('WhiplashVectorStore');
});
