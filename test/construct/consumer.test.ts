// Tests of the packed package as a consumer CDK app uses it: npm pack, unpack, cdk synth without esbuild or Docker.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Match, Template } from 'aws-cdk-lib/assertions';

/**
 * The published package, used the way a consumer uses it: `npm pack` (which runs `prepack`: tsc and
 * the esbuild pre-bundling), unpack the tarball into a fresh CDK app outside this repo, embed
 * `new WhiplashVectorStore(this, 'Vectors')`, and `cdk synth` with esbuild unresolvable and no
 * Docker on the PATH. Offline: the package's dependencies are linked from this repo's node_modules.
 */
const REPO = path.resolve(__dirname, '..', '..');
jest.setTimeout(240_000);

let work: string;
let appDir: string;
let synth: ReturnType<typeof spawnSync>;
let blockedEsbuild: ReturnType<typeof spawnSync>;

beforeAll(() => {
  work = mkdtempSync(path.join(tmpdir(), 'whiplash-consumer-'));
  appDir = path.join(work, 'app');
  mkdirSync(path.join(appDir, 'node_modules'), { recursive: true });

  // 1. npm pack (prepack builds dist/ and assets/handlers/).
  const packOut = execFileSync('npm', ['pack', '--pack-destination', work, '--json', '--loglevel=error'], { cwd: REPO, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const tarball = path.join(work, (JSON.parse(packOut.slice(packOut.indexOf('['))) as { filename: string }[])[0].filename);

  // 2. Install the tarball into the app: unpack it, and link its dependencies from this repo.
  const pkgDir = path.join(appDir, 'node_modules', 'whiplash-vector-store');
  mkdirSync(pkgDir, { recursive: true });
  execFileSync('tar', ['-xzf', tarball, '-C', pkgDir, '--strip-components=1']);
  const manifest = JSON.parse(readFileSync(path.join(pkgDir, 'package.json'), 'utf8')) as {
    dependencies?: Record<string, string>;
    peerDependencies?: Record<string, string>;
  };
  for (const dep of new Set([...Object.keys(manifest.dependencies ?? {}), ...Object.keys(manifest.peerDependencies ?? {})])) {
    const link = path.join(appDir, 'node_modules', dep);
    mkdirSync(path.dirname(link), { recursive: true });
    symlinkSync(path.join(REPO, 'node_modules', dep), link, 'dir');
  }

  // 3. The consumer app: one stack, one line.
  writeFileSync(
    path.join(appDir, 'app.js'),
    `const { App, Stack } = require('aws-cdk-lib');
const { WhiplashVectorStore } = require('whiplash-vector-store');
class VectorsStack extends Stack {
  constructor(scope, id) {
    super(scope, id);
    new WhiplashVectorStore(this, 'Vectors');
  }
}
const app = new App();
new VectorsStack(app, 'Consumer');
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
  const pkgDir = path.join(appDir, 'node_modules', 'whiplash-vector-store');
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
