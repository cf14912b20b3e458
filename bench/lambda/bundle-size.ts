// Bundles the three Lambda handlers as the package build does and measures each bundle's raw and gzipped size.
import { readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { bundleHandlers, HANDLER_ROLES, BUNDLE_TARGET } from '../../scripts/bundle-handlers';

/** Size of one handler bundle (`<dir>/<role>/index.js`). */
export interface BundleSize {
  readonly role: string;
  readonly file: string;
  /** Bytes of `index.js` as esbuild wrote it (minified, one self-contained file). */
  readonly rawBytes: number;
  /** Bytes after gzip (zlib level 9): close to what the deployment zip (deflate) carries. */
  readonly gzipBytes: number;
}

/** Raw and gzipped size of a file's contents. */
export function sizeOf(contents: Uint8Array): { rawBytes: number; gzipBytes: number } {
  return { rawBytes: contents.byteLength, gzipBytes: gzipSync(contents, { level: 9 }).byteLength };
}

/**
 * Bundles the three handlers exactly as the package build does (`bundleHandlers` of
 * scripts/bundle-handlers.ts: esbuild, `platform: node`, `target: node22`, CommonJS, minified, AWS
 * SDK v3 and Powertools included) into `outDir`, and measures each bundle.
 */
export function measureBundles(outDir: string): { target: string; bundles: BundleSize[] } {
  bundleHandlers(outDir);
  const bundles = HANDLER_ROLES.map((role) => {
    const file = path.join(outDir, role, 'index.js');
    const s = sizeOf(readFileSync(file));
    if (s.rawBytes !== statSync(file).size) throw new Error(`size of ${file} changed while measuring`);
    return { role, file, ...s };
  });
  return { target: BUNDLE_TARGET, bundles };
}
