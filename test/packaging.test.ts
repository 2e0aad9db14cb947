/**
 * The published package: package.json fields, what `npm pack` ships, publint and
 * arethetypeswrong on the packed tarball, and that a consumer can `require` and `import` every
 * entry point (and run the CLI) from an install of that tarball.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publint } from 'publint';
import { formatMessage } from 'publint/utils';
import { ROOT, ensureBuilt } from './support/dist.js';

interface PackageJson {
  name: string;
  version: string;
  type: string;
  sideEffects: boolean;
  engines: { node: string };
  main: string;
  module: string;
  types: string;
  bin: Record<string, string>;
  exports: Record<string, unknown>;
  files: string[];
  scripts: Record<string, string>;
  dependencies?: Record<string, string>;
  license: string;
}

const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as PackageJson;

let tmp: string;
let tarball: string;
let packedFiles: string[];
let consumer: string;

function run(cmd: string, args: readonly string[], cwd: string) {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', env: { ...process.env, npm_config_update_notifier: 'false' } });
  if (r.error) throw r.error;
  return r;
}

function mustRun(cmd: string, args: readonly string[], cwd: string): string {
  const r = run(cmd, args, cwd);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

beforeAll(() => {
  ensureBuilt();
  tmp = mkdtempSync(join(tmpdir(), 'repokit-pack-'));
  // --ignore-scripts: `prepare` would rebuild dist/ (tsup cleans it) under the other test files.
  const out = mustRun('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', tmp], ROOT);
  const info = (JSON.parse(out.slice(out.indexOf('['))) as { filename: string; files: { path: string }[] }[])[0]!;
  tarball = join(tmp, info.filename);
  packedFiles = info.files.map((f) => f.path).sort();

  // A consumer project with the tarball installed (no registry access: repokit has no dependencies).
  consumer = join(tmp, 'consumer');
  mustRun('mkdir', ['-p', consumer], tmp);
  writeFileSync(join(consumer, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', private: true }));
  mustRun('npm', ['install', '--offline', '--no-audit', '--no-fund', '--ignore-scripts', '--no-package-lock', tarball], consumer);
}, 300_000);

afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

/** The subpaths: one per format, then the facade and the validator, in exports-map order. */
const FORMATS = ['rpm', 'alpm', 'xbps', 'aptrpm', 'repod', 'forge', 'repository', 'validate'] as const;
/** The only runtime dependencies allowed (each earns its place; see docs/limits.md). */
const RUNTIME_DEPENDENCIES = ['@napi-rs/lzma', 'smol-toml'];

describe('package.json', () => {
  it('has the fields a dual ESM/CJS package needs', () => {
    expect(pkg.name).toBe('repokit');
    expect(pkg.type).toBe('module');
    expect(pkg.sideEffects).toBe(false);
    expect(pkg.license).toBe('MIT');
    expect(pkg.engines.node).toBe('>=22.20');
    expect(pkg.main).toBe('./dist/index.cjs');
    expect(pkg.module).toBe('./dist/index.js');
    expect(pkg.types).toBe('./dist/index.d.cts');
    expect(pkg.bin).toEqual({ repokit: './dist/cli.js' });
    expect(pkg.files).toEqual(['dist']);
    // Runtime dependencies are few and each is named in docs (compression and text parsers only).
    expect(Object.keys(pkg.dependencies ?? {}).filter((d) => !RUNTIME_DEPENDENCIES.includes(d))).toEqual([]);
  });

  it('exports ".", one subpath per format, the facade, the validator and "./package.json", with types first in every condition', () => {
    expect(Object.keys(pkg.exports)).toEqual(['.', ...FORMATS.map((f) => `./${f}`), './package.json']);
    expect(pkg.exports['./package.json']).toBe('./package.json');
    for (const [sub, base] of [['.', 'index'], ...FORMATS.map((f) => [`./${f}`, f])] as const) {
      expect(pkg.exports[sub]).toEqual({
        import: { types: `./dist/${base}.d.ts`, default: `./dist/${base}.js` },
        require: { types: `./dist/${base}.d.cts`, default: `./dist/${base}.cjs` },
      });
      for (const cond of Object.values(pkg.exports[sub] as Record<string, Record<string, string>>)) {
        expect(Object.keys(cond)[0]).toBe('types');
      }
    }
  });

  it('scripts: test = build + typecheck + vitest; prepare builds', () => {
    expect(pkg.scripts['test']).toBe('npm run build && npm run typecheck && vitest run');
    expect(pkg.scripts['build']).toBe('tsup');
    expect(pkg.scripts['typecheck']).toBe('tsc --noEmit');
    expect(pkg.scripts['prepare']).toBe('npm run build');
    expect(pkg.scripts['bench']).toBeDefined();
  });
});

describe('npm pack', () => {
  it('ships dist, package.json, README and LICENSE, and nothing else', () => {
    const outside = packedFiles.filter((f) => !f.startsWith('dist/'));
    expect(outside.sort()).toEqual(['LICENSE', 'README.md', 'package.json']);
    const entries = ['index', ...FORMATS].flatMap((b) => ['js', 'cjs', 'd.ts', 'd.cts'].map((x) => `dist/${b}.${x}`));
    for (const f of ['dist/cli.js', ...entries]) {
      expect(packedFiles).toContain(f);
    }
    expect(packedFiles.some((f) => f.startsWith('src/') || f.startsWith('test/') || f.startsWith('fixtures/'))).toBe(false);
  });

  it('the CLI has a shebang', () => {
    expect(readFileSync(join(ROOT, 'dist/cli.js'), 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);
  });
});

describe('linters on the packed tarball', () => {
  it('publint reports nothing (strict)', async () => {
    const bytes = readFileSync(tarball);
    const ab = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    const { messages, pkg: packed } = await publint({ pack: { tarball: ab }, level: 'suggestion', strict: true });
    expect(messages.map((m) => `${m.type}: ${formatMessage(m, packed) ?? m.code}`)).toEqual([]);
  });

  it('arethetypeswrong finds no problems (all resolution modes)', () => {
    const require = createRequire(join(ROOT, 'package.json'));
    const attwPkg = require.resolve('@arethetypeswrong/cli/package.json');
    const bin = (JSON.parse(readFileSync(attwPkg, 'utf8')) as { bin: Record<string, string> }).bin['attw']!;
    const r = run(process.execPath, [join(attwPkg, '..', bin), '--format', 'json', '--profile', 'strict', tarball], ROOT);
    const out = JSON.parse(r.stdout) as { problems: Record<string, unknown> | unknown[]; analysis: { entrypoints: Record<string, unknown> } };
    expect(Object.keys(out.analysis.entrypoints).sort()).toEqual(['.', './package.json', ...FORMATS.map((f) => `./${f}`)].sort());
    expect(out.problems).toEqual(Array.isArray(out.problems) ? [] : {});
    expect(r.status).toBe(0);
  });
});

describe('a consumer of the installed tarball', () => {
  const node = (args: readonly string[]) => mustRun(process.execPath, args, consumer);

  it('can require() every entry point (CJS)', () => {
    const out = node([
      '-e',
      `const root = require('repokit'); const rpm = require('repokit/rpm');
       const p = require('repokit/package.json');
       console.log(JSON.stringify([typeof root.rpm.readRpm, typeof rpm.readRpm, rpm.rpmvercmp('1.0', '1.1'),
         require.resolve('repokit/rpm').endsWith('dist/rpm.cjs'), root.isRepokitError(new root.RepokitError('TRUNCATED', 'x')), p.name]))`,
    ]);
    expect(JSON.parse(out)).toEqual(['function', 'function', -1, true, true, 'repokit']);
  });

  it('can import() every entry point (ESM)', () => {
    const out = node([
      '--input-type=module',
      '-e',
      `import * as root from 'repokit'; import * as rpm from 'repokit/rpm';
       import p from 'repokit/package.json' with { type: 'json' };
       console.log(JSON.stringify([typeof root.rpm.readRpm, typeof rpm.readRpm, rpm.compareEvr('1:1.0', '2.0'),
         import.meta.resolve('repokit/rpm').endsWith('dist/rpm.js'), p.name]))`,
    ]);
    expect(JSON.parse(out)).toEqual(['function', 'function', 1, true, 'repokit']);
  });

  it('an error from the CJS copy is recognised by the ESM copy (isRepokitError is structural)', () => {
    const out = node([
      '--input-type=module',
      '-e',
      `import { createRequire } from 'node:module'; import { isRepokitError, RepokitError } from 'repokit';
       const cjs = createRequire(import.meta.url)('repokit');
       const e = new cjs.RepokitError('TRUNCATED', 'x');
       console.log(JSON.stringify([e instanceof RepokitError, isRepokitError(e), cjs.isRepokitError(new RepokitError('IO_ERROR', 'y'))]))`,
    ]);
    // Two copies of the class: instanceof fails across them, isRepokitError does not.
    expect(JSON.parse(out)).toEqual([false, true, true]);
  });

  it('gets the repokit executable', () => {
    const r = run(join(consumer, 'node_modules', '.bin', 'repokit'), ['--version'], consumer);
    expect(r.stdout).toBe(`repokit ${pkg.version}\n`);
    const v = run(join(consumer, 'node_modules', '.bin', 'repokit'), ['rpm', 'vercmp', '2', '10'], consumer);
    expect(v.stdout).toBe('-1\n');
  });
});

describe('self-reference from the repository', () => {
  it('resolves repokit/rpm through the exports map to dist/', () => {
    const require = createRequire(join(ROOT, 'package.json'));
    expect(require.resolve('repokit/rpm')).toBe(join(ROOT, 'dist', 'rpm.cjs'));
    expect(require.resolve('repokit')).toBe(join(ROOT, 'dist', 'index.cjs'));
    const r = run(process.execPath, ['--input-type=module', '-e', "console.log(import.meta.resolve('repokit/rpm'))"], ROOT);
    expect(r.stdout.trim()).toBe(`file://${join(ROOT, 'dist', 'rpm.js')}`);
  });
});
