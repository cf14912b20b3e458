// Tests that the README's SDK snippet type-checks against the package's entry point.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ts from 'typescript';

const ROOT = join(__dirname, '../..');

/** The SDK snippet of the README type-checks against the package's entry point. */
test('README "## SDK" snippet compiles', () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## SDK\n'), readme.indexOf('\n## CLI\n'));
  const code = /```ts\n([\s\S]*?)```/.exec(section)?.[1];
  expect(code).toContain("from 'whiplash-vector-store/client'");

  const dir = mkdtempSync(join(tmpdir(), 'wl-readme-'));
  try {
    const file = join(dir, 'snippet.ts');
    writeFileSync(file, code!);
    const program = ts.createProgram([file], {
      strict: true,
      noEmit: true,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.CommonJS,
      moduleResolution: ts.ModuleResolutionKind.Node10,
      lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'],
      types: ['node'],
      typeRoots: [join(ROOT, 'node_modules/@types')],
      skipLibCheck: true,
      esModuleInterop: true,
      baseUrl: ROOT,
      paths: { 'whiplash-vector-store/client': ['lib/client/index.ts'] },
    });
    const diagnostics = ts.getPreEmitDiagnostics(program).filter((d) => d.file?.fileName === file || !d.file);
    const text = diagnostics.map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    expect(text).toEqual([]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 180_000);
