// `npx tsx bench/lambda/hasher-build.ts`: time to build a collection's hasher (Gaussian rows and the sketch's Gram-Schmidt) per dimension and sketch length.
/**
 * Builds `Hasher` for every (dimension, sketchBits) of the grid, each time with a new seed so that
 * no plane cache answers, as a cold Lambda instance does on its first request of a collection.
 * Reports the median build time beside `sketchBuildWork`, the quantity `resolveIndexParams` bounds
 * (`MAX_SKETCH_BUILD_WORK`). Writes bench/results/hasher-build.json and hasher-build.md, the section
 * `npm run bench` copies into BENCHMARKS.md.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { Command } from 'commander';
import { Hasher } from '../../lambda/core/hasher';
import { MAX_SKETCH_BUILD_WORK } from '../../lambda/core/limits';
import { DEFAULT_INDEX_PARAMS, defaultSketchBits, maxSketchBits, sketchBuildWork } from '../../lambda/core/params';
import { PRNG_VERSION } from '../../lambda/core/prng';
import { sketchLayout } from '../../lambda/core/sketch-format';
import { REPO_ROOT } from '../datasets/fashion-mnist';
import { gitCommit, machine } from './machine';

const opts = new Command()
  .description('Hasher build time per dimension and sketchBits (a cold instance regenerates the planes)')
  .option('--dimensions <list>', 'dimensions', '384,768,1536,4096')
  .option('--sketch-bits <list>', 'sketch lengths besides the dimension\'s default and the largest allowed', '1024,2048')
  .option('--runs <n>', 'builds per cell (median)', '3')
  .option('--out <dir>', 'where hasher-build.json and .md go', path.join(REPO_ROOT, 'bench', 'results'))
  .option('--render', 'only re-write hasher-build.md from hasher-build.json, measuring nothing')
  .parse()
  .opts<{ dimensions: string; sketchBits: string; runs: string; out: string; render?: boolean }>();

interface Cell {
  readonly dimension: number;
  readonly sketchBits: number;
  readonly label: string;
  readonly directions: number;
  readonly bitsPerDirection: number;
  readonly work: number;
  readonly allowed: boolean;
  readonly medianMs: number;
  readonly runsMs: number[];
}

interface HasherBuildResult {
  readonly at: string;
  readonly commit: string;
  readonly machine: ReturnType<typeof machine>;
  readonly runs: number;
  readonly maxWork: number;
  readonly cells: Cell[];
}

/** The BENCHMARKS.md section of a result (`npm run bench` copies bench/results/*.md into BENCHMARKS.md). */
function renderMarkdown(r: HasherBuildResult): string {
  const m = r.machine;
  const timed = r.cells.filter((c) => c.work >= 1e8);
  const msPerG = timed.reduce((s, c) => s + c.medianMs / (c.work / 1e9), 0) / timed.length;
  return [
    '## Hasher build time: dimension x sketchBits (cold instance)',
    '',
    '```sh',
    `npx tsx bench/lambda/hasher-build.ts --runs ${r.runs}`,
    '```',
    '',
    `Measured ${r.at} at commit \`${r.commit}\`, ${m.cpus} cores (${m.cpuModel}), Node ${m.node}, load average ${m.loadAverage.join(' / ')} over 1 / 5 / 15 min at the end (other work shared the cores: times are relative). Each cell builds \`Hasher\` (${DEFAULT_INDEX_PARAMS.hashTables} hash tables) ${r.runs} times, each with a new seed so that no plane cache answers, as a cold instance's first request of a collection does; the median is shown.`,
    '',
    '| dimension | sketchBits | directions x bits | Gram-Schmidt work (G multiply-adds) | build ms | allowed at creation |',
    '|---:|---|---:|---:|---:|---|',
    ...r.cells.map((c) => `| ${c.dimension} | ${c.sketchBits} (${c.label}) | ${c.directions} x ${c.bitsPerDirection} | ${(c.work / 1e9).toFixed(3)} | ${c.medianMs.toFixed(0)} | ${c.allowed ? 'yes' : 'no (400)'} |`),
    '',
    `- Build time follows the work (\`sketchBuildWork\`): ${(msPerG / 1000).toFixed(1)} s per G multiply-adds here, mean over the cells of at least 0.1 G; below that the Gaussian rows and the code hyperplanes dominate.`,
    `- The bound at collection creation, \`MAX_SKETCH_BUILD_WORK\` = ${(r.maxWork / 1e9).toFixed(2)} G: the smallest round value that admits every dimension's default sketch (4,096 x 512 is 0.54 G). Above it, \`POST .../collections\` answers 400 on \`index.sketchBits\` with the largest for the dimension (\`maxSketchBits\`).`,
    '- Lambda gives a function CPU in proportion to its memory (a full vCPU at 1,769 MB: https://docs.aws.amazon.com/lambda/latest/dg/configuration-memory.html); at the construct\'s 1024 MB expect about 1.7 times these times on a core like this one, so the largest allowed build takes a few seconds and 4,096 x 2,048 (refused now) would take about a minute, beyond API Gateway\'s 29 s.',
    '',
  ].join('\n');
}

function main(): void {
  const jsonFile = path.join(opts.out, 'hasher-build.json');
  if (opts.render) {
    writeFileSync(path.join(opts.out, 'hasher-build.md'), renderMarkdown(JSON.parse(readFileSync(jsonFile, 'utf8')) as HasherBuildResult));
    return;
  }
  const commit = gitCommit();
  const runs = Number(opts.runs);
  const cells: Cell[] = [];
  let seed = 1000;
  for (const dimension of opts.dimensions.split(',').map(Number)) {
    const grid = new Map<number, string>();
    grid.set(defaultSketchBits(dimension), 'default');
    for (const s of opts.sketchBits.split(',').map(Number)) if (!grid.has(s)) grid.set(s, String(s));
    const max = maxSketchBits(dimension);
    grid.set(max, grid.has(max) ? `${grid.get(max)}, largest allowed` : 'largest allowed');
    for (const [sketchBits, label] of [...grid].sort((a, b) => a[0] - b[0])) {
      const runsMs: number[] = [];
      for (let r = 0; r < runs; r++) {
        const t0 = performance.now();
        new Hasher(dimension, 'cosine', { hashTables: DEFAULT_INDEX_PARAMS.hashTables, sketchBits }, seed++, PRNG_VERSION);
        runsMs.push(performance.now() - t0);
      }
      const sorted = [...runsMs].sort((a, b) => a - b);
      const { directions, bitsPerDirection } = sketchLayout(dimension, sketchBits, PRNG_VERSION);
      const work = sketchBuildWork(dimension, sketchBits);
      const cell = { dimension, sketchBits, label, directions, bitsPerDirection, work, allowed: sketchBits <= max, medianMs: sorted[sorted.length >> 1], runsMs };
      cells.push(cell);
      process.stdout.write(`${dimension} x ${sketchBits} (${label}): ${cell.medianMs.toFixed(0)} ms, work ${(work / 1e9).toFixed(3)} G\n`);
    }
  }
  const result: HasherBuildResult = { at: new Date().toISOString(), commit, machine: machine(), runs, maxWork: MAX_SKETCH_BUILD_WORK, cells };
  mkdirSync(opts.out, { recursive: true });
  writeFileSync(jsonFile, JSON.stringify(result, null, 2) + '\n');
  const md = renderMarkdown(result);
  writeFileSync(path.join(opts.out, 'hasher-build.md'), md);
  process.stdout.write('\n' + md);
}

main();
