/**
 * Crash safety of database writes. Two ways of interrupting repoAdd:
 *
 * 1. Fault injection: every file-system call of the write path (open, write, sync, close,
 *    rename, symlink, unlink, ...) is counted and the K-th one fails, for every K until the
 *    operation completes. After each failure the databases on disk must be exactly the old ones
 *    or the new ones, and readable (and the lock must be gone, or be the stale lock a crash
 *    leaves, which is then removed as an operator would).
 * 2. Kill: a child process (repokit bundled with esbuild) adds packages in a loop and is killed
 *    with SIGKILL at random moments; every time, both databases and their aliases read, and hold
 *    one of the states the loop writes.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import fsp from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { readSyncDb, repoAdd } from '../../src/alpm/database.js';
import { isCi, tinyPackage } from '../helpers/alpm-packages.js';
import { Prng } from '../helpers/fuzz.js';

type Fsp = Record<string, unknown>;
const originals = new Map<string, unknown>();

/** Make the K-th fs/promises call (counting FileHandle calls too) fail with EIO. */
function injectFailureAt(k: number): { calls: () => number } {
  let n = 0;
  const tick = (what: string): void => {
    n++;
    if (n === k) throw Object.assign(new Error(`EIO: injected failure, ${what}`), { code: 'EIO', syscall: what });
  };
  const target = fsp as unknown as Fsp;
  for (const name of ['open', 'rename', 'symlink', 'unlink', 'copyFile', 'writeFile', 'link', 'rm']) {
    const orig = target[name] as ((...a: unknown[]) => Promise<unknown>) | undefined;
    if (typeof orig !== 'function') continue;
    originals.set(name, orig);
    target[name] = async (...args: unknown[]) => {
      tick(name);
      const r = await orig.apply(fsp, args);
      if (name === 'open' && r !== null && typeof r === 'object') return wrapHandle(r as Record<string, unknown>, tick);
      return r;
    };
  }
  return { calls: () => n };
}

function wrapHandle(fh: Record<string, unknown>, tick: (what: string) => void): unknown {
  return new Proxy(fh, {
    get(t, prop, recv) {
      const v = Reflect.get(t, prop, recv) as unknown;
      if (typeof v !== 'function') return v;
      if (['write', 'sync', 'datasync', 'writeFile', 'chmod', 'truncate'].includes(String(prop))) {
        return async (...a: unknown[]) => {
          tick(`filehandle.${String(prop)}`);
          return (v as (...x: unknown[]) => unknown).apply(t, a);
        };
      }
      return (v as (...x: unknown[]) => unknown).bind(t);
    },
  });
}

function restore(): void {
  for (const [name, fn] of originals) (fsp as unknown as Fsp)[name] = fn;
  originals.clear();
}

afterEach(restore);

async function state(dir: string, repo: string): Promise<string> {
  // Each file must read on its own; the aliases must point at (or copy) a readable database.
  const parts: string[] = [];
  for (const f of [`${repo}.db.tar.gz`, `${repo}.db`, `${repo}.files.tar.gz`, `${repo}.files`]) {
    const db = await readSyncDb(join(dir, f));
    parts.push(db.entries.map((e) => e.dir).sort().join(','));
  }
  return parts.join(' | ');
}

describe('crash safety', () => {
  it('the K-th file-system call of repoAdd fails, for every K: the database is old or new, never broken', async () => {
    expect(process.getBuiltinModule('node:fs/promises')).toBe(fsp);
    const dir = mkdtempSync(join(tmpdir(), 'repokit-alpm-crash-'));
    const pkg = (n: string, v: string) => {
      const p = join(dir, `${n}-${v}-any.pkg.tar.gz`);
      writeFileSync(p, tinyPackage(n, v));
      return p;
    };
    const db = join(dir, 'c.db.tar.gz');
    await repoAdd(db, [pkg('a', '1-1'), pkg('b', '1-1')]);
    const oldState = await state(dir, 'c');
    const add = [pkg('a', '2-1'), pkg('c', '1-1')];
    let completed = false;
    let k = 1;
    let sawNew = 0;
    for (; !completed && k < 500; k++) {
      const snapshot = { db: readFileSync(db), files: readFileSync(join(dir, 'c.files.tar.gz')) };
      const probe = injectFailureAt(k);
      let err: unknown;
      try {
        await repoAdd(db, add);
      } catch (e) {
        err = e;
      }
      const calls = probe.calls();
      restore();
      if (err === undefined) {
        completed = calls < k;
      } else {
        expect((err as { code?: string }).code, String(err)).toMatch(/IO_ERROR|EIO/);
      }
      // A failure while removing the lock leaves it behind, as a crash would.
      if (existsSync(`${db}.lck`)) rmSync(`${db}.lck`);
      const now = await state(dir, 'c');
      const newState = 'a-2-1,b-1-1,c-1-1 | a-2-1,b-1-1,c-1-1 | a-2-1,b-1-1,c-1-1 | a-2-1,b-1-1,c-1-1';
      const mixed = (s: string) => s.split(' | ').every((p) => p === 'a-1-1,b-1-1' || p === 'a-2-1,b-1-1,c-1-1');
      expect(now === oldState || now === newState || mixed(now), `K=${k}: ${now}`).toBe(true);
      if (now !== oldState) sawNew++;
      // Put the old databases back for the next K (the aliases are symlinks to these names).
      writeFileSync(db, snapshot.db);
      writeFileSync(join(dir, 'c.files.tar.gz'), snapshot.files);
    }
    expect(completed).toBe(true);
    expect(k).toBeGreaterThan(10); // the write path was interrupted at many points
    expect(sawNew).toBeGreaterThan(0);
    // No temporary files are left behind by failed writes.
    expect(readdirSync(dir).filter((f) => f.includes('.tmp'))).toEqual([]);
  });

  it('a writer killed with SIGKILL at random moments leaves readable databases in a state it wrote', async (ctx) => {
    let esbuild: typeof import('esbuild') | undefined;
    try {
      esbuild = await import('esbuild');
    } catch {
      esbuild = undefined;
    }
    // esbuild comes with vitest; without it the child writer cannot be bundled.
    // esbuild is a dev dependency: under CI its absence is a failure, not a skip.
    if (esbuild === undefined && isCi()) throw new Error('esbuild is not installed; CI must install the dev dependencies');
    if (esbuild === undefined) return ctx.skip('skipped: esbuild is not installed, so the child writer cannot be bundled');
    const dir = mkdtempSync(join(tmpdir(), 'repokit-alpm-kill-'));
    const bundle = join(dir, 'repokit-alpm.mjs');
    await esbuild.build({
      entryPoints: [fileURLToPath(new URL('../../src/alpm/index.ts', import.meta.url))],
      bundle: true,
      platform: 'node',
      format: 'esm',
      outfile: bundle,
      external: ['@napi-rs/lzma', 'fast-xml-parser', 'smol-toml', 'tar-stream', 'seek-bzip'],
      logLevel: 'silent',
    });
    const repoDir = join(dir, 'repo');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(repoDir);
    const versions = Array.from({ length: 40 }, (_, i) => `${i + 1}-1`);
    for (const v of versions) writeFileSync(join(repoDir, `k-${v}-any.pkg.tar.gz`), tinyPackage('k', v));
    const child = join(dir, 'child.mjs');
    writeFileSync(
      child,
      `import { repoAdd } from ${JSON.stringify(bundle)};
const versions = ${JSON.stringify(versions)};
for (let i = 0; ; i = (i + 1) % versions.length) {
  await repoAdd(${JSON.stringify(join(repoDir, 'k.db.tar.gz'))}, [${JSON.stringify(repoDir)} + '/k-' + versions[i] + '-any.pkg.tar.gz'], { force: true, lock: { wait: true, pollMs: 5 } });
  if (i === 0) process.stdout.write('ready\\n');
}
`,
    );
    const allowed = new Set(versions.map((v) => `k-${v}`));
    const rng = new Prng(0x6b696c6c);
    let checked = 0;
    for (let round = 0; round < 12; round++) {
      const proc = spawn(process.execPath, [child], { stdio: ['ignore', 'pipe', 'pipe'] });
      let stderr = '';
      proc.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
      await new Promise<void>((resolve, reject) => {
        proc.stdout.once('data', () => resolve());
        proc.once('exit', (code) => reject(new Error(`child exited (${code}): ${stderr}`)));
      });
      await new Promise((r) => setTimeout(r, 5 + rng.int(120)));
      proc.kill('SIGKILL');
      await new Promise((r) => proc.once('exit', r));
      // The killed writer may leave its lock file (as a killed repo-add does): remove it.
      rmSync(join(repoDir, 'k.db.tar.gz.lck'), { force: true });
      for (const f of ['k.db.tar.gz', 'k.db', 'k.files.tar.gz', 'k.files']) {
        const db = await readSyncDb(join(repoDir, f));
        expect(db.entries.length, f).toBe(1);
        expect(allowed.has(db.entries[0]!.dir), `${f}: ${db.entries[0]!.dir}`).toBe(true);
        checked++;
      }
    }
    expect(checked).toBe(48);
  }, 120_000);
});
