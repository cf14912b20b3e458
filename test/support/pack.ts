// The package as `npm pack` makes it, packed once per source tree for every test file that needs it, and installed
// into a fresh app outside the repo with only the dependencies its manifest declares, linked from this repo.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

export const REPO = path.resolve(__dirname, '..', '..');

/** What `npm pack` reads: the sources it builds (prepack) and the files it ships. */
const PACK_INPUTS = ['lib', 'lambda', 'bin', 'scripts', 'package.json', 'tsconfig.json', 'tsconfig.jsii.json', 'README.md', 'LICENSE', 'API.md'];
const CACHE = path.join(tmpdir(), 'whiplash-pack');
/** A lock older than this was left by a killed run. */
const STALE_LOCK_MS = 20 * 60_000;

/**
 * The cache key of a pack: this checkout's path and its sources. The path is part of it because
 * the pack also builds this checkout (dist/, .jsii), which the API.md test reads: another
 * checkout with the same sources must pack again, not reuse that one's tarball.
 */
function hashInputs(): string {
  const h = createHash('sha256').update(REPO).update('\0');
  const visit = (rel: string): void => {
    const abs = path.join(REPO, rel);
    if (!existsSync(abs)) return;
    if (statSync(abs).isDirectory()) {
      for (const name of readdirSync(abs).sort()) visit(path.join(rel, name));
    } else {
      h.update(rel).update('\0').update(readFileSync(abs)).update('\0');
    }
  };
  for (const input of PACK_INPUTS) visit(input);
  return h.digest('hex').slice(0, 16);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The tarball of `npm pack` (whose `prepack` runs the whole build: tsc, jsii, esbuild) for the
 * current sources. Packed once per source tree and shared by the test files of a run (they run in
 * parallel workers: a lock directory lets one pack while the others wait), since the build takes
 * minutes on a busy machine and writes dist/ in the repo.
 */
export async function packedTarball(): Promise<string> {
  const dir = path.join(CACHE, hashInputs());
  const tarball = path.join(dir, 'whiplash-vector-store.tgz');
  const lock = `${dir}.lock`;
  mkdirSync(CACHE, { recursive: true });
  // The pack also built this checkout's .jsii, which the API.md test reads: a checkout cloned again
  // at the same path with the same sources has the cached tarball but no .jsii, and packs again.
  const built = () => existsSync(path.join(REPO, '.jsii'));
  for (;;) {
    if (existsSync(tarball) && built()) return tarball;
    try {
      mkdirSync(lock);
    } catch {
      if (existsSync(lock) && Date.now() - statSync(lock).mtimeMs > STALE_LOCK_MS) rmSync(lock, { recursive: true, force: true });
      await sleep(1000);
      continue;
    }
    try {
      for (const old of readdirSync(CACHE)) {
        const p = path.join(CACHE, old);
        if (p !== dir && p !== lock && Date.now() - statSync(p).mtimeMs > STALE_LOCK_MS) rmSync(p, { recursive: true, force: true });
      }
      mkdirSync(dir, { recursive: true });
      const out = execFileSync('npm', ['pack', '--pack-destination', lock, '--json', '--loglevel=error'], { cwd: REPO, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
      const file = (JSON.parse(out.slice(out.indexOf('['))) as { filename: string }[])[0].filename;
      renameSync(path.join(lock, file), tarball); // appears whole or not at all
      return tarball;
    } finally {
      rmSync(lock, { recursive: true, force: true });
    }
  }
}

/** The `package.json` of an installed package. */
export interface Manifest {
  readonly dependencies?: Record<string, string>;
  readonly optionalDependencies?: Record<string, string>;
  readonly peerDependencies?: Record<string, string>;
}

/**
 * Installs the tarball into `appDir/node_modules/whiplash-vector-store` (unpacked) and links the
 * dependencies its manifest declares in the chosen groups from this repo's node_modules, offline.
 * Nothing else is reachable: `appDir` is outside the repo.
 * @returns the installed package's directory and manifest
 */
export function installTarball(tarball: string, appDir: string, groups: readonly (keyof Manifest)[]): { pkgDir: string; manifest: Manifest } {
  const pkgDir = path.join(appDir, 'node_modules', 'whiplash-vector-store');
  mkdirSync(pkgDir, { recursive: true });
  execFileSync('tar', ['-xzf', tarball, '-C', pkgDir, '--strip-components=1']);
  const manifest = JSON.parse(readFileSync(path.join(pkgDir, 'package.json'), 'utf8')) as Manifest;
  for (const dep of new Set(groups.flatMap((g) => Object.keys(manifest[g] ?? {})))) {
    const link = path.join(appDir, 'node_modules', dep);
    mkdirSync(path.dirname(link), { recursive: true });
    symlinkSync(path.join(REPO, 'node_modules', dep), link, 'dir');
  }
  return { pkgDir, manifest };
}
