// The machine a measurement ran on (cores, CPU, Node, load average) and the commit it measured.
import { execFileSync } from 'node:child_process';
import * as os from 'node:os';
import { REPO_ROOT } from '../datasets/fashion-mnist';

/** The machine a measurement ran on. `loadAverage`: 1, 5 and 15 minute load averages at the end. */
export interface MachineInfo {
  readonly cpus: number;
  readonly cpuModel: string;
  readonly node: string;
  readonly loadAverage: number[];
}

export function machine(): MachineInfo {
  return {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    node: process.version,
    loadAverage: os.loadavg().map((x) => Math.round(x * 10) / 10),
  };
}

/**
 * Short commit of HEAD, with `+dirty` when tracked code that a measurement runs differs from it
 * (lambda/, lib/, scripts/, bench/ except bench/results/): uncommitted tests or docs do not count.
 */
export function gitCommit(): string {
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: REPO_ROOT, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no', '--', 'lambda', 'lib', 'scripts', 'bench', ':!bench/results'], { cwd: REPO_ROOT, encoding: 'utf8' }).trim() !== '';
    return dirty ? `${head}+dirty` : head;
  } catch {
    return 'unknown';
  }
}
