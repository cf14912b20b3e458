// Loads an optional dependency of the CLI on first use, ES module or CommonJS, with a message naming what to install.
import { createRequire } from 'node:module';
import { UsageError } from '../errors';

/** Node's own `require`, not a test runner's or a bundler's: it loads ES modules (require(esm), Node 20.19+). */
const nodeRequire = createRequire(__filename);

/** A native dynamic `import()`, which TypeScript's CommonJS output would otherwise turn into `require()`. */
const nativeImport = new Function('specifier', 'return import(specifier)') as (specifier: string) => Promise<unknown>;

/**
 * Loads the optional dependency `name` (an `optionalDependencies` entry of the package, e.g. the
 * ES-module-only `hyparquet`). Node's require loads ES modules from Node 20.19 on; older Node 20
 * releases take the native `import()`.
 * @param purpose what needs it, for the message, e.g. `Parquet import`
 * @throws UsageError naming the package to install when it is not installed
 */
export async function loadOptional<T>(name: string, purpose: string): Promise<T> {
  try {
    return nodeRequire(name) as T;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ERR_REQUIRE_ESM' || code === 'ERR_REQUIRE_ASYNC_MODULE') return (await nativeImport(name)) as T;
    if (code === 'MODULE_NOT_FOUND' && (err as Error).message.includes(`'${name}'`)) {
      throw new UsageError(`${purpose} needs the npm package ${name}, an optional dependency of whiplash-vector-store that is not installed: run \`npm install ${name}\``);
    }
    throw err;
  }
}

/** Like {@link loadOptional}, but `undefined` when the package is not installed. */
export async function loadIfInstalled<T>(name: string): Promise<T | undefined> {
  try {
    return await loadOptional<T>(name, name);
  } catch (err) {
    if (err instanceof UsageError) return undefined;
    throw err;
  }
}
