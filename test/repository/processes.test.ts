/**
 * The facade across processes (src/repository bundled with esbuild, run by child node processes):
 * two processes adding different packages to one repository at the same time both end up in it;
 * with `lock: 'fail'` a process meeting a held lock gets LOCKED; a process killed in the middle
 * of `write` leaves the old index intact and readable.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSyncDb } from '../../src/alpm/database.js';
import { Repository } from '../../src/repository/index.js';
import { alpmPackage, cleanBundles, repositoryBundle, tempDir } from './helpers.js';

let bundle = '';
beforeAll(async () => {
  bundle = await repositoryBundle();
}, 60_000);
afterAll(() => cleanBundles());

/** The child: open, add, write; prints {"ok":...} or {"error":code}. `killAt` SIGKILLs itself at that write event. */
const CHILD = String.raw`
const [bundle, dir, lock, killAt, ...paths] = process.argv.slice(1);
const { Repository } = await import(bundle);
try {
  const repo = await Repository.open({ format: 'alpm', dir, name: 'test', lock, lockTimeoutMs: 60000 });
  await repo.add(paths);
  const w = await repo.write({
    onProgress: (e) => {
      if (killAt !== '-' && e.phase === 'write' && String(e.done) === killAt) process.kill(process.pid, 'SIGKILL');
    },
  });
  console.log(JSON.stringify({ ok: w.packages }));
} catch (e) {
  console.log(JSON.stringify({ error: e.code ?? String(e) }));
}
`;

function child(dir: string, lock: 'wait' | 'fail', paths: string[], killAt = '-'): { done: Promise<{ out: string; signal: NodeJS.Signals | null }>; started: Promise<void> } {
  const p = spawn(process.execPath, ['--input-type=module', '-e', CHILD, bundle, dir, lock, killAt, ...paths], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  p.stdout.on('data', (d: Buffer) => (out += d.toString()));
  p.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const started = new Promise<void>((resolve) => p.once('spawn', () => resolve()));
  const done = new Promise<{ out: string; signal: NodeJS.Signals | null }>((resolve) =>
    p.once('close', (_code, signal) => resolve({ out: out.trim() === '' ? err : out.trim(), signal })),
  );
  return { done, started };
}

const names = async (dir: string) => (await readSyncDb(join(dir, 'test.db'))).entries.map((e) => e.name).sort();

describe('Repository across processes', () => {
  it('two processes adding different packages at the same time: both packages are in the index', async () => {
    for (let round = 0; round < 3; round++) {
      const dir = tempDir();
      const seed = await Repository.open({ format: 'alpm', dir, name: 'test' });
      await seed.add([alpmPackage(dir, 'seed', '1-1')]);
      await seed.write();
      const a = Array.from({ length: 5 }, (_, i) => alpmPackage(dir, `a${i}`, '1-1'));
      const b = Array.from({ length: 5 }, (_, i) => alpmPackage(dir, `b${i}`, '1-1'));
      const [ra, rb] = await Promise.all([child(dir, 'wait', a).done, child(dir, 'wait', b).done]);
      expect(JSON.parse(ra.out)).toHaveProperty('ok');
      expect(JSON.parse(rb.out)).toHaveProperty('ok');
      expect(await names(dir)).toEqual(['a0', 'a1', 'a2', 'a3', 'a4', 'b0', 'b1', 'b2', 'b3', 'b4', 'seed']);
      expect(existsSync(join(dir, 'test.db.tar.gz.lck'))).toBe(false);
    }
  }, 60_000);

  it("lock 'fail': LOCKED while another process holds the lock; 'wait': done once it is released", async () => {
    const dir = tempDir();
    const lock = join(dir, 'test.db.tar.gz.lck');
    writeFileSync(lock, '1\n');
    const failing = await child(dir, 'fail', [alpmPackage(dir, 'x', '1-1')]).done;
    expect(JSON.parse(failing.out)).toEqual({ error: 'LOCKED' });
    const waiting = child(dir, 'wait', [alpmPackage(dir, 'y', '1-1')]);
    await waiting.started;
    // Give it time to meet the lock (whether it did or not, the outcome must be the same).
    await new Promise((r) => setTimeout(r, 300));
    expect(existsSync(join(dir, 'test.db.tar.gz'))).toBe(false);
    unlinkSync(lock);
    expect(JSON.parse((await waiting.done).out)).toEqual({ ok: 1 });
    expect(await names(dir)).toEqual(['y']);
  }, 60_000);

  it('a process killed in the middle of write leaves the old index intact and readable', async () => {
    const dir = tempDir();
    const seed = await Repository.open({ format: 'alpm', dir, name: 'test' });
    await seed.add([alpmPackage(dir, 'old', '1-1')]);
    await seed.write();
    const db = readFileSync(join(dir, 'test.db.tar.gz'));
    const files = readFileSync(join(dir, 'test.files.tar.gz'));
    const r = await child(dir, 'wait', [alpmPackage(dir, 'new', '1-1')], '0').done;
    expect(r.signal).toBe('SIGKILL');
    expect(readFileSync(join(dir, 'test.db.tar.gz')).equals(db)).toBe(true);
    expect(readFileSync(join(dir, 'test.files.tar.gz')).equals(files)).toBe(true);
    expect(await names(dir)).toEqual(['old']);
    // The crashed process's lock stays (as repo-add's would); once removed, writing works again.
    const lock = join(dir, 'test.db.tar.gz.lck');
    expect(existsSync(lock)).toBe(true);
    unlinkSync(lock);
    const again = await Repository.open({ format: 'alpm', dir, name: 'test' });
    expect(again.find('old')).toBeDefined();
    await again.add([join(dir, 'new-1-1-any.pkg.tar.gz')]);
    await again.write();
    expect(await names(dir)).toEqual(['new', 'old']);
  }, 60_000);
});
