// Locates the pre-bundled handler code shipped in the package (assets/handlers) and wraps it as Lambda code.
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type { FunctionRole } from '../../lambda/api/routes';

const PACKAGE_NAME = 'whiplash-vector-store';

/** The package root: the nearest ancestor directory whose package.json is this package's. */
export function packageRoot(from: string = __dirname): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const manifest = path.join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === PACKAGE_NAME) return dir;
    if (path.dirname(dir) === dir) throw new Error(`cannot find the ${PACKAGE_NAME} package root above ${from}`);
  }
}

/** Directory of the pre-bundled handlers, `<package>/assets/handlers` (built by `npm run bundle`). */
export function handlerBundleDir(): string {
  return path.join(packageRoot(), 'assets', 'handlers');
}

/**
 * The pre-bundled code of one function (`assets/handlers/<role>/index.js`, handler `index.handler`).
 * No esbuild and no Docker at synth time.
 * @throws Error when the bundle is missing (in a source checkout: run `npm run bundle`).
 */
export function handlerCode(role: FunctionRole): lambda.Code {
  const dir = path.join(handlerBundleDir(), role);
  if (!existsSync(path.join(dir, 'index.js'))) {
    throw new Error(`WhiplashVectorStore: the pre-bundled ${role} handler is missing at ${dir}; run \`npm run bundle\` (the published package ships it)`);
  }
  return lambda.Code.fromAsset(dir);
}
