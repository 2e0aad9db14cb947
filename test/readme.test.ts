/**
 * Every ```ts block in README.md and docs/*.md is a program that must type-check and run.
 *
 * Each block is written to .cache/examples/ inside the repository, so `import ... from 'repokit'`
 * and `'repokit/rpm'` resolve through the package's own exports map (a package self-reference)
 * to the built dist/, exactly as they would for a user. Blocks run with cwd = the repository root
 * (so they can use fixtures/rpm/...). A line ending in `//=> text` also checks that the program
 * prints the line `text` (in order with the other such lines). A block whose info string is
 * `ts no-run` is type-checked but not run; `ts ignore` is skipped entirely.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROOT, ensureBuilt } from './support/dist.js';

interface Block {
  doc: string;
  line: number;
  code: string;
  run: boolean;
  file: string;
  expected: string[];
}

const OUT = join(ROOT, '.cache', 'examples');

function extract(doc: string): Block[] {
  const text = readFileSync(join(ROOT, doc), 'utf8');
  const blocks: Block[] = [];
  const re = /^```ts([^\n]*)\n([\s\S]*?)^```$/gm;
  for (const m of text.matchAll(re)) {
    const flags = m[1]!.trim().split(/\s+/);
    if (flags.includes('ignore')) continue;
    const line = text.slice(0, m.index).split('\n').length;
    const code = m[2]!;
    const expected = [...code.matchAll(/\/\/=> ?(.*)$/gm)].map((x) => x[1]!.trimEnd());
    const base = `${doc.replace(/[^A-Za-z0-9]+/g, '-')}-L${line}`;
    blocks.push({ doc, line, code, run: !flags.includes('no-run'), file: join(OUT, `${base}.mts`), expected });
  }
  return blocks;
}

const docs = ['README.md', ...readdirSync(join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).sort().map((f) => `docs/${f}`)];
const blocks = docs.flatMap(extract);

beforeAll(() => {
  ensureBuilt();
  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(OUT, { recursive: true });
  for (const b of blocks) writeFileSync(b.file, `// ${b.doc} line ${b.line}\n${b.code}`);
}, 300_000);

describe('documentation examples', () => {
  it('README.md has examples for reading a package, comparing versions and encoding a header', () => {
    const readme = blocks.filter((b) => b.doc === 'README.md').map((b) => b.code).join('\n');
    expect(readme).toContain('readRpm');
    expect(readme).toContain('compareEvr');
    expect(readme).toContain('encodeHeader');
    expect(blocks.filter((b) => b.doc === 'README.md').length).toBeGreaterThanOrEqual(3);
  });

  it('type-check (strict, NodeNext, against dist/ through the exports map)', () => {
    writeFileSync(
      join(OUT, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2022',
          lib: ['ES2022', 'DOM'],
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          types: ['node'],
          strict: true,
          exactOptionalPropertyTypes: true,
          noUncheckedIndexedAccess: true,
          verbatimModuleSyntax: true,
          allowImportingTsExtensions: true,
          skipLibCheck: true,
          noEmit: true,
        },
        include: ['*.mts'],
      }),
    );
    const require = createRequire(join(ROOT, 'package.json'));
    const tsc = join(require.resolve('typescript/package.json'), '..', 'bin', 'tsc');
    const r = spawnSync(process.execPath, [tsc, '-p', join(OUT, 'tsconfig.json')], { cwd: ROOT, encoding: 'utf8' });
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  }, 120_000);

  it.each(blocks.filter((b) => b.run).map((b) => [`${b.doc}:${b.line}`, b] as const))('%s runs', (_name, b) => {
    const r = spawnSync(process.execPath, ['--disable-warning=ExperimentalWarning', b.file], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const lines = r.stdout.split('\n');
    let at = 0;
    for (const want of b.expected) {
      const i = lines.indexOf(want, at);
      expect(i, `expected the output line ${JSON.stringify(want)} (in order) in:\n${r.stdout}`).toBeGreaterThanOrEqual(0);
      at = i + 1;
    }
  });
});
