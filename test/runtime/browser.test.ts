/**
 * The pure codecs run in a browser: the public entry points' sources are bundled by esbuild
 * for `platform: 'browser'` (no Node polyfills, no Node built-ins marked external), the bundle is
 * loaded by headless Chromium from a file:// page, and the round trips it writes into the DOM
 * must equal the same round trips run here in Node.
 *
 * Nothing is external: the native xz add-on `@napi-rs/lzma` is imported lazily through a
 * specifier held in a variable, which bundlers leave alone (its own browser build would need the
 * optional package `@napi-rs/lzma-wasm32-wasi`, which npm installs only for wasm32; see
 * docs/runtimes.md).
 */
import { spawnSync } from 'node:child_process';
import { builtinModules } from 'node:module';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Metafile } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as rpm from '../../src/rpm/index.js';
import * as alpm from '../../src/alpm/index.js';
import * as xbps from '../../src/xbps/index.js';
import * as aptrpm from '../../src/aptrpm/index.js';
import * as repod from '../../src/repod/index.js';
import * as forge from '../../src/forge/index.js';
import * as root from '../../src/index.js';
import { exportNames, roundTripChecks, runRoundTrips } from './round-trips.js';
import { hasTool } from '../shared/tools.js';

const CHROMIUM = 'chromium';
const ENTRY = fileURLToPath(new URL('./browser-main.ts', import.meta.url));
/** Externals allowed in the bundle: only the native xz add-on, and only as a dynamic import. */

const haveChromium = hasTool(CHROMIUM);

let tmp: string;
let bundle: string;
let metafile: Metafile;

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'repokit-browser-'));
  const r = await build({
    entryPoints: [ENTRY],
    bundle: true,
    platform: 'browser',
    format: 'esm',
    target: 'es2022',
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  bundle = r.outputFiles[0]!.text;
  metafile = r.metafile;
});

afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('the browser bundle of the public entry points', () => {
  it('builds for platform browser with nothing external and imports nothing', () => {
    const outputs = Object.values(metafile.outputs);
    expect(outputs).toHaveLength(1);
    expect(outputs[0]!.imports).toEqual([]);
    // The add-on's loader is in the bundle; the add-on is not.
    expect(bundle).toContain("'@napi-rs/lzma'".replaceAll("'", '"'));
    expect(Object.keys(metafile.inputs).some((f) => f.includes('node_modules/@napi-rs'))).toBe(false);
    // Every public entry point is in the bundle (not just what the round trips use).
    for (const entry of ['index', 'rpm/index', 'alpm/index', 'xbps/index', 'aptrpm/index', 'repod/index', 'forge/index']) {
      expect(Object.keys(metafile.inputs)).toContain(`src/${entry}.ts`);
    }
  });

  it('has no import of a Node built-in and no require() (checked on the text)', () => {
    const builtins = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));
    // Static `import ... from "x"` / `import "x"` and dynamic `import("x")`, any quotes.
    const specifiers = [
      ...bundle.matchAll(/^\s*(?:import|export)\b[^;'"`]*?\bfrom\s*["']([^"']+)["']/gm),
      ...bundle.matchAll(/^\s*import\s*["']([^"']+)["']/gm),
      ...bundle.matchAll(/\bimport\(\s*["'`]([^"'`]+)["'`]\s*\)/g),
    ].map((m) => m[1]!);
    expect(specifiers.filter((s) => builtins.has(s) || s.startsWith('node:'))).toEqual([]);
    expect(specifiers).toEqual([]);
    // esbuild prints code strings with double quotes and adds a `__require` shim for any require
    // it keeps. (The worker bodies of the Node-only thread pools are source text in template
    // literals, `require('node:worker_threads')` with single quotes: text, not code, here.)
    expect(bundle).not.toMatch(/\brequire\(\s*"/);
    expect(bundle).not.toContain('__require');
  });
});

describe('bundling one entry point with no configuration', () => {
  // rpm, repod and forge never reach the compression module; the others reach it, but not the add-on.
  it.each(['rpm', 'repod', 'forge', 'alpm', 'xbps', 'aptrpm', 'repository', 'validate'])('repokit/%s bundles for platform browser with no external at all', async (area) => {
    const r = await build({
      entryPoints: [fileURLToPath(new URL(`../../src/${area}/index.ts`, import.meta.url))],
      bundle: true,
      platform: 'browser',
      format: 'esm',
      write: false,
      metafile: true,
      logLevel: 'silent',
    });
    expect(Object.values(r.metafile.outputs)[0]!.imports).toEqual([]);
    const inputs = Object.keys(r.metafile.inputs);
    expect(inputs.some((f) => f.includes('node_modules/@napi-rs'))).toBe(false);
    if (['rpm', 'repod', 'forge'].includes(area)) expect(inputs.some((f) => f.endsWith('src/shared/compression.ts'))).toBe(false);
  });
});

describe.skipIf(!haveChromium)(`headless Chromium${haveChromium ? '' : ' (skipped: chromium not installed)'}`, () => {
  it('runs every round trip and gets what Node gets', () => {
    const page = join(tmp, 'index.html');
    // Inline module script: Chromium refuses module scripts fetched from file:// (origin null).
    const script = bundle.replaceAll('</script', '<\\/script');
    writeFileSync(
      page,
      `<!doctype html><html><head><meta charset="utf-8"><title>loading</title>
<script>addEventListener('error', (e) => { document.title = 'error: ' + e.message; });</script>
<script type="module">${script}</script></head><body></body></html>\n`,
    );
    const r = spawnSync(
      CHROMIUM,
      [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--disable-dev-shm-usage',
        `--user-data-dir=${join(tmp, 'profile')}`,
        '--virtual-time-budget=10000',
        '--dump-dom',
        `file://${page}`,
      ],
      { encoding: 'utf8', timeout: 120_000, maxBuffer: 64 * 1024 * 1024 },
    );
    if (r.error) throw r.error;
    const dom = r.stdout;
    const title = /<title>([^<]*)<\/title>/.exec(dom)?.[1];
    expect(title, `chromium exited ${r.status}; stderr:\n${r.stderr.slice(-2000)}`).toBe('done');
    const text = /<pre id="out">([^<]*)<\/pre>/.exec(dom)?.[1];
    expect(text).toBeDefined();
    const report = JSON.parse(text!.replaceAll('&lt;', '<').replaceAll('&gt;', '>').replaceAll('&nbsp;', '\u00a0').replaceAll('&amp;', '&')) as {
      error?: string;
      globals: Record<string, string>;
      exports: unknown;
      results: unknown;
      rootExports: unknown;
      rootResults: unknown;
    };
    expect(report.error).toBeUndefined();
    // The page has no Node globals: the codecs imported and ran without them.
    expect(report.globals).toEqual({ process: 'undefined', Buffer: 'undefined', require: 'undefined' });

    const api = { rpm, alpm, xbps, aptrpm, repod, forge };
    const inNode = JSON.parse(JSON.stringify(runRoundTrips(api))) as unknown;
    expect(report.exports).toEqual(exportNames(api));
    expect(report.results).toEqual(inNode);
    expect(report.rootExports).toEqual(Object.keys(root).sort());
    expect(report.rootResults).toEqual(inNode);
    const checks = roundTripChecks(report.results);
    expect(checks.length).toBeGreaterThanOrEqual(8);
    expect(checks.filter(([, ok]) => ok !== true)).toEqual([]);
  });
});
