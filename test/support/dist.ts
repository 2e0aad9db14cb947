/**
 * Tests that exercise the built package (the CLI, the exports map, README examples) need an
 * up-to-date dist/. `npm test` builds first, so normally this does nothing; when a test file is
 * run on its own after a source change, it rebuilds.
 *
 * A rebuild empties dist/ first (tsup's `clean`), so it must never happen while another test file
 * of the same run is using dist/: the decision is taken once per vitest run (the workers share
 * their parent process), under a lock directory, and later calls in the same run only rebuild
 * when outputs are missing. Under `npm test`, which has just built, a stale dist/ (sources edited
 * during the run) is used as it is.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const DIST = join(ROOT, 'dist');
export const CLI = join(DIST, 'cli.js');

/** Files the build must have produced. */
const OUTPUTS = ['cli.js', ...['index', 'rpm', 'alpm', 'xbps', 'aptrpm', 'repod', 'forge'].flatMap((b) => [`${b}.js`, `${b}.cjs`, `${b}.d.ts`, `${b}.d.cts`])];

function newestInput(): number {
  let newest = 0;
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else newest = Math.max(newest, statSync(p).mtimeMs);
    }
  };
  walk(join(ROOT, 'src'));
  for (const f of ['tsup.config.ts', 'package.json', 'tsconfig.json']) newest = Math.max(newest, statSync(join(ROOT, f)).mtimeMs);
  return newest;
}

/** True when every output exists and is newer than every source file. */
export function distIsFresh(): boolean {
  let oldest = Infinity;
  for (const f of OUTPUTS) {
    const p = join(DIST, f);
    if (!existsSync(p)) return false;
    oldest = Math.min(oldest, statSync(p).mtimeMs);
  }
  return oldest >= newestInput();
}

function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function tsupBin(): string {
  const require = createRequire(join(ROOT, 'package.json'));
  const pkgPath = require.resolve('tsup/package.json');
  const bin = (JSON.parse(readFileSync(pkgPath, 'utf8')) as { bin: Record<string, string> }).bin['tsup']!;
  return join(dirname(pkgPath), bin);
}

function outputsExist(): boolean {
  return OUTPUTS.every((f) => existsSync(join(DIST, f)));
}

/** Build dist/ unless it is fresh. Throws with the build output when the build fails. */
export function ensureBuilt(): void {
  // One decision per vitest run: workers of a run share their parent process.
  const marker = join(ROOT, '.cache', `dist-checked-${process.ppid}`);
  if (outputsExist() && (existsSync(marker) || process.env['npm_lifecycle_event'] === 'test')) return;
  const lock = join(ROOT, '.cache', 'build.lock');
  mkdirSync(dirname(lock), { recursive: true });
  const deadline = Date.now() + 5 * 60_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      // Another worker is building; a lock older than 5 minutes is left over from a crash.
      try {
        if (Date.now() - statSync(lock).mtimeMs > 5 * 60_000) rmSync(lock, { recursive: true, force: true });
      } catch {
        /* it went away */
      }
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${lock}`);
      sleep(200);
    }
  }
  try {
    if (!(outputsExist() && (existsSync(marker) || distIsFresh()))) {
      const r = spawnSync(process.execPath, [tsupBin()], {
        cwd: ROOT,
        encoding: 'utf8',
        env: { ...process.env, NODE_OPTIONS: '' },
      });
      if (r.status !== 0) throw new Error(`build failed (exit ${r.status}):\n${r.stdout}\n${r.stderr}`);
    }
    if (!existsSync(marker)) {
      // Forget the markers of earlier runs (process ids are reused).
      for (const f of readdirSync(dirname(marker))) {
        const p = join(dirname(marker), f);
        if (f.startsWith('dist-checked-') && Date.now() - statSync(p).mtimeMs > 3_600_000) rmSync(p, { force: true });
      }
      writeFileSync(marker, `${new Date().toISOString()}\n`);
    }
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/** Run the built CLI with `args`; returns exit status and both streams. */
export function runCli(args: readonly string[], options: { input?: Uint8Array | string; cwd?: string } = {}) {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    cwd: options.cwd ?? ROOT,
    input: options.input,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.error) throw r.error;
  return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}
