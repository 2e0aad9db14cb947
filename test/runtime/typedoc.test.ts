/**
 * The generated API reference cannot rot: typedoc converts the public entry points with the
 * repository's typedoc.json (warnings are errors: broken {@link}s, public types that are not
 * exported, undocumented exported functions and classes) without writing any output.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../support/dist.js';

interface PackageJson {
  exports: Record<string, unknown>;
  bin: Record<string, string>;
}

const require = createRequire(join(ROOT, 'package.json'));
/** typedoc.json has comments: read it as TypeScript reads tsconfig files (as typedoc does). */
const config = ts.parseConfigFileTextToJson('typedoc.json', readFileSync(join(ROOT, 'typedoc.json'), 'utf8')).config as {
  entryPoints: string[];
  out: string;
};

describe('typedoc', () => {
  it('documents every public entry point of the exports map', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as PackageJson;
    const subpaths = Object.keys(pkg.exports).filter((s) => s !== './package.json');
    const sources = subpaths.map((s) => (s === '.' ? 'src/index.ts' : `src/${s.slice(2)}/index.ts`));
    for (const src of sources) expect(config.entryPoints).toContain(src);
    for (const e of config.entryPoints) expect(existsSync(join(ROOT, e)), e).toBe(true);
    // Its HTML goes to an ignored directory, never into the repository's docs/.
    expect(config.out.startsWith('.cache/')).toBe(true);
  });

  it('converts and validates the API with no warning', () => {
    const pkgPath = require.resolve('typedoc/package.json');
    const bin = join(dirname(pkgPath), (JSON.parse(readFileSync(pkgPath, 'utf8')) as PackageJson).bin['typedoc']!);
    const r = spawnSync(process.execPath, [bin, '--emit', 'none', '--logLevel', 'Warn'], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, NODE_OPTIONS: '', NO_COLOR: '1', FORCE_COLOR: '0' },
      maxBuffer: 64 * 1024 * 1024,
    });
    if (r.error) throw r.error;
    const output = `${r.stdout}${r.stderr}`.replace(/\x1b\[[0-9;]*m/g, '');
    expect(output.split('\n').filter((l) => /\[(warning|error)\]/.test(l))).toEqual([]);
    expect(r.status, output).toBe(0);
  }, 180_000);
});
