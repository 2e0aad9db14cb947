/**
 * The built package under Node's plain loaders, each in a fresh process with no test runner in
 * between: every entry point's pure round trips under the ESM loader (`import`) and the CommonJS
 * loader (`require`), with results equal to the same round trips run here from src/; and the
 * lazy edges: importing every entry point and running the pure codecs loads neither the native
 * xz add-on (`@napi-rs/lzma`) nor `node:zlib`, `node:worker_threads` or `node:child_process`;
 * reading an xz-compressed list loads the add-on.
 *
 * (test/packaging.test.ts checks that a consumer can `require`/`import` every subpath of the
 * installed tarball; this file checks what runs once they are loaded.)
 *
 * The package is dist/ (built by `npm test`; `ensureBuilt` otherwise), or `$REPOKIT_DIST` when
 * set (a private build, as for the benchmarks).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { transformSync } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as rpm from '../../src/rpm/index.js';
import * as alpm from '../../src/alpm/index.js';
import * as xbps from '../../src/xbps/index.js';
import * as aptrpm from '../../src/aptrpm/index.js';
import * as repod from '../../src/repod/index.js';
import * as forge from '../../src/forge/index.js';
import { ROOT, ensureBuilt } from '../support/dist.js';
import { exportNames, roundTripChecks, runRoundTrips } from './round-trips.js';

const AREAS = ['rpm', 'alpm', 'xbps', 'aptrpm', 'repod', 'forge'] as const;
/** Node built-ins the pure codecs must not load (the edges reach them lazily). */
const EDGE_BUILTINS = ['zlib', 'worker_threads', 'child_process'];
const LZMA = '@napi-rs/lzma';

let dist: string;
let tmp: string;

/** A two-package pkglist: plain, gzip and xz (compressed by the add-on itself, in the test process). */
async function writeLists(): Promise<void> {
  const header = (name: string) =>
    rpm.parseHeader(
      rpm.encodeHeader(
        [
          { tag: 1000, type: rpm.RpmType.STRING, value: name },
          { tag: 1001, type: rpm.RpmType.STRING, value: '1.0' },
          { tag: 1002, type: rpm.RpmType.STRING, value: 'alt1' },
          { tag: 1022, type: rpm.RpmType.STRING, value: 'noarch' },
          { tag: 1044, type: rpm.RpmType.STRING, value: `${name}-1.0-alt1.src.rpm` },
        ],
        { region: 63 },
      ),
      { kind: 'main' },
    );
  const list = aptrpm.buildPkglist(
    ['b', 'a'].map((n) => ({ header: header(n), file: { name: `${n}-1.0-alt1.noarch.rpm`, size: 1, md5: '0'.repeat(32) } })),
  );
  const { xz } = (await import(LZMA)) as typeof import('@napi-rs/lzma');
  writeFileSync(join(tmp, 'pkglist'), list);
  writeFileSync(join(tmp, 'pkglist.xz'), await xz.compress(list));
  writeFileSync(join(tmp, 'pkglist.gz'), gzipSync(list));
}

/**
 * The child's body, shared by both loaders: `load(area)` returns an entry point's namespace.
 * Records every resolution through a `module.registerHooks` hook (require and import alike) and
 * the built-ins Node loads (`process.moduleLoadList`), before and after each step.
 */
function childBody(kind: 'esm' | 'cjs'): string {
  const ext = kind === 'esm' ? 'js' : 'cjs';
  const load = kind === 'esm' ? (p: string) => `await import(${JSON.stringify(pathToFileURL(p).href)})` : (p: string) => `require(${JSON.stringify(p)})`;
  return `
const resolved = [];
registerHooks({ resolve(specifier, context, next) { const r = next(specifier, context); resolved.push(r.url); return r; } });
const before = new Set(process.moduleLoadList);
const state = () => ({
  builtins: process.moduleLoadList.filter((m) => !before.has(m) && m.startsWith('NativeModule ')).map((m) => m.slice('NativeModule '.length)).sort(),
  lzma: resolved.some((u) => u.includes(${JSON.stringify(LZMA)})) || Object.keys(require.cache).some((k) => k.includes(${JSON.stringify(LZMA)})),
});
(async () => {
  const api = {
${AREAS.map((a) => `    ${a}: ${load(join(dist, `${a}.${ext}`))},`).join('\n')}
  };
  const root = ${load(join(dist, `index.${ext}`))};
  const rt = ${load(join(tmp, `round-trips.${kind === 'esm' ? 'mjs' : 'cjs'}`))};
  const out = { exports: rt.exportNames(api), results: rt.runRoundTrips(api) };
  out.rootResults = rt.runRoundTrips(Object.fromEntries(Object.keys(api).map((k) => [k, root[k]])));
  out.afterPure = state();
  const names = async (file) => {
    const list = [];
    for await (const e of api.aptrpm.readPkglist(readFileSync(${JSON.stringify(tmp)} + '/' + file))) list.push(e.header.getString(1000));
    return list;
  };
  out.plainList = await names('pkglist');
  out.afterPlainList = state();
  out.gzList = await names('pkglist.gz');
  out.afterGz = state();
  out.xzList = await names('pkglist.xz');
  out.afterXz = state();
  process.stdout.write(JSON.stringify(out));
})().catch((e) => { console.error(e); process.exitCode = 1; });
`;
}

function runChild(kind: 'esm' | 'cjs'): Record<string, unknown> {
  const prelude =
    kind === 'esm'
      ? `import { registerHooks, createRequire } from 'node:module';\nimport { readFileSync } from 'node:fs';\nconst require = createRequire(import.meta.url);\n`
      : `'use strict';\nconst { registerHooks } = require('node:module');\nconst { readFileSync } = require('node:fs');\n`;
  const script = join(tmp, kind === 'esm' ? 'child.mjs' : 'child.cjs');
  writeFileSync(script, prelude + childBody(kind));
  // A plain `node`: no loader flags, no NODE_OPTIONS from the test runner.
  const r = spawnSync(process.execPath, [script], { cwd: tmp, encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' }, maxBuffer: 64 * 1024 * 1024 });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`node ${script} exited ${r.status}:\n${r.stderr}`);
  return JSON.parse(r.stdout) as Record<string, unknown>;
}

beforeAll(async () => {
  const override = process.env['REPOKIT_DIST'];
  if (override) dist = override;
  else {
    ensureBuilt();
    dist = join(ROOT, 'dist');
  }
  tmp = mkdtempSync(join(tmpdir(), 'repokit-loaders-'));
  // The shared round trips, as plain JS for each loader (the file has type-only imports).
  const source = readFileSync(fileURLToPath(new URL('./round-trips.ts', import.meta.url)), 'utf8');
  writeFileSync(join(tmp, 'round-trips.mjs'), transformSync(source, { loader: 'ts', format: 'esm', target: 'node22' }).code);
  writeFileSync(join(tmp, 'round-trips.cjs'), transformSync(source, { loader: 'ts', format: 'cjs', target: 'node22' }).code);
  await writeLists();
}, 600_000);

afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

const api = { rpm, alpm, xbps, aptrpm, repod, forge };

describe.each(['esm', 'cjs'] as const)('the built package under plain node (%s)', (kind) => {
  let out: Record<string, unknown>;
  beforeAll(() => {
    out = runChild(kind);
  }, 120_000);

  it('every entry point exports what src exports, and its round trips give what they give from src', () => {
    const fromSrc = JSON.parse(JSON.stringify(runRoundTrips(api))) as unknown;
    expect(out['exports']).toEqual(exportNames(api));
    expect(out['results']).toEqual(fromSrc);
    // The root entry's namespaces are the same code.
    expect(out['rootResults']).toEqual(fromSrc);
    const checks = roundTripChecks(out['results']);
    expect(checks.length).toBeGreaterThanOrEqual(8);
    expect(checks.filter(([, ok]) => ok !== true)).toEqual([]);
  });

  it('loading every entry point and running the pure codecs loads no compression add-on and no edge built-in', () => {
    const s = out['afterPure'] as { builtins: string[]; lzma: boolean };
    expect(s.lzma).toBe(false);
    expect(s.builtins.filter((b) => EDGE_BUILTINS.includes(b))).toEqual([]);
  });

  it('compression is loaded when used: none for a plain list, zlib for gzip, the xz add-on for xz', () => {
    type State = { builtins: string[]; lzma: boolean };
    expect(out['plainList']).toEqual(['a', 'b']);
    const plain = out['afterPlainList'] as State;
    expect(plain.lzma).toBe(false);
    expect(plain.builtins.filter((b) => EDGE_BUILTINS.includes(b))).toEqual([]);
    expect(out['gzList']).toEqual(['a', 'b']);
    const gz = out['afterGz'] as State;
    expect(gz.builtins).toContain('zlib');
    expect(gz.lzma).toBe(false);
    expect(out['xzList']).toEqual(['a', 'b']);
    expect((out['afterXz'] as State).lzma).toBe(true);
  });
});
