// Bundles the three Lambda handlers with esbuild into `assets/handlers/`, the code the construct deploys.
/**
 * Pre-bundles the Lambda handlers with esbuild, one self-contained `index.js` per function
 * (AWS SDK v3 and Powertools included), into `assets/handlers/<query|write|admin>/`.
 *
 * The construct deploys these bundles with `Code.fromAsset`, so an app that embeds it needs
 * neither esbuild nor Docker. Runs at package build time (`npm run bundle`, also from `prepack`);
 * the repo's own construct tests call {@link ensureHandlerBundles} so a fresh clone needs no build step.
 *
 * Usage: `tsx scripts/bundle-handlers.ts [--out DIR]`
 */
import { existsSync, mkdirSync, readdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';

/** Package root (this file lives in `<root>/scripts/`). */
export const PACKAGE_ROOT = path.resolve(__dirname, '..');
/** Where the bundles go; the construct reads them from here. */
export const DEFAULT_BUNDLE_DIR = path.join(PACKAGE_ROOT, 'assets', 'handlers');
/** The three functions, one entry point each (`lambda/api/handlers/<role>.ts`, exporting `handler`). */
export const HANDLER_ROLES = ['query', 'write', 'admin'] as const;
/** Lambda runtime the bundles target (the construct deploys Node.js 22 or later). */
export const BUNDLE_TARGET = 'node22';

function entryPoint(role: string): string {
  return path.join(PACKAGE_ROOT, 'lambda', 'api', 'handlers', `${role}.ts`);
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

/**
 * Bundles the three handlers into `outDir/<role>/index.js`. Each file is written to a temporary
 * name and renamed into place, so concurrent runs (parallel jest workers) never see half a file.
 * @throws Error when an entry point is missing or esbuild reports an error.
 */
export function bundleHandlers(outDir: string = DEFAULT_BUNDLE_DIR): void {
  // esbuild is a devDependency: only the package build needs it, never a consumer.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const esbuild = require('esbuild') as typeof import('esbuild');
  for (const role of HANDLER_ROLES) {
    const entry = entryPoint(role);
    if (!existsSync(entry)) throw new Error(`handler entry point ${entry} is missing`);
    const result = esbuild.buildSync({
      entryPoints: [entry],
      bundle: true,
      platform: 'node',
      target: BUNDLE_TARGET,
      format: 'cjs',
      minify: true,
      keepNames: true,
      legalComments: 'none',
      // Prefer ES modules where packages ship both: smaller bundles after tree shaking.
      mainFields: ['module', 'main'],
      write: false,
      outfile: path.join(outDir, role, 'index.js'),
      logLevel: 'silent',
    });
    for (const file of result.outputFiles) {
      mkdirSync(path.dirname(file.path), { recursive: true });
      const tmp = `${file.path}.${process.pid}.tmp`;
      writeFileSync(tmp, file.contents);
      renameSync(tmp, file.path);
    }
  }
}

/**
 * Bundles the handlers unless every bundle exists and is newer than every file under `lambda/`.
 * For this repo's tests and the `cdk` app; returns the bundle directory.
 */
export function ensureHandlerBundles(outDir: string = DEFAULT_BUNDLE_DIR): string {
  const sources = newestMtime(path.join(PACKAGE_ROOT, 'lambda'));
  const fresh = HANDLER_ROLES.every((role) => {
    const file = path.join(outDir, role, 'index.js');
    return existsSync(file) && statSync(file).mtimeMs >= sources;
  });
  if (!fresh) bundleHandlers(outDir);
  return outDir;
}

if (require.main === module) {
  const i = process.argv.indexOf('--out');
  const out = i > 0 ? path.resolve(process.argv[i + 1]) : DEFAULT_BUNDLE_DIR;
  bundleHandlers(out);
  for (const role of HANDLER_ROLES) {
    const file = path.join(out, role, 'index.js');
    console.log(`${path.relative(process.cwd(), file)}  ${(statSync(file).size / 1024).toFixed(0)} KiB`);
  }
}
