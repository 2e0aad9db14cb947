/**
 * Atomic replacement (old-or-new under injected failures, no temp files left), relative symlinks
 * and hard links with a copy fallback, and lock files contended between two child processes.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { chmodSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { hardLinkOrCopyAtomic, linkOrCopyAtomic, withLockFile, writeFileAtomic } from '../../src/shared/atomic.js';
import { rpmErrorAsync } from '../helpers/errors.js';

const work = mkdtempSync(join(tmpdir(), 'repokit-atomic-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
let n = 0;
const freshDir = (): string => {
  const d = join(work, `d${n++}`);
  mkdirSync(d);
  return d;
};
const enc = new TextEncoder();

type FsPromises = typeof import('node:fs/promises');
const fsp = process.getBuiltinModule('node:fs/promises') as FsPromises;

/** Replace one function of node:fs/promises (the object atomic.ts reaches) while `body` runs. */
async function withPatched<K extends keyof FsPromises>(key: K, impl: FsPromises[K], body: () => Promise<void>): Promise<void> {
  const orig = fsp[key];
  (fsp as Record<string, unknown>)[key] = impl;
  try {
    await body();
  } finally {
    (fsp as Record<string, unknown>)[key] = orig;
  }
}

function errnoError(code: string, syscall: string): Error {
  return Object.assign(new Error(`${code}: injected, ${syscall}`), { code, syscall });
}

describe('writeFileAtomic', () => {
  it('creates and replaces, from bytes, sync and async iterables', async () => {
    const d = freshDir();
    const p = join(d, 'repo.db.tar.gz');
    await writeFileAtomic(p, enc.encode('one'));
    expect(readFileSync(p, 'utf8')).toBe('one');
    await writeFileAtomic(p, [enc.encode('t'), enc.encode('wo')]);
    expect(readFileSync(p, 'utf8')).toBe('two');
    await writeFileAtomic(
      p,
      (async function* () {
        yield enc.encode('thr');
        yield enc.encode('ee');
      })(),
    );
    expect(readFileSync(p, 'utf8')).toBe('three');
    expect(readdirSync(d)).toEqual(['repo.db.tar.gz']);
  });

  it('sets an exact mode despite the umask (xbps-rindex uses 0664)', async () => {
    const p = join(freshDir(), 'x86_64-repodata');
    await writeFileAtomic(p, enc.encode('x'), { mode: 0o664 });
    expect(statSync(p).mode & 0o777).toBe(0o664);
  });

  it('leaves the old file and no temp file when the data source fails midway', async () => {
    const d = freshDir();
    const p = join(d, 'f');
    writeFileSync(p, 'old');
    const failing = (async function* () {
      yield enc.encode('new data, partly');
      throw new Error('source broke');
    })();
    await expect(writeFileAtomic(p, failing)).rejects.toThrow('source broke');
    expect(readFileSync(p, 'utf8')).toBe('old');
    expect(readdirSync(d)).toEqual(['f']);
  });

  it('leaves the old file when the rename fails (injected), as IO_ERROR naming the file', async () => {
    const d = freshDir();
    const p = join(d, 'f');
    writeFileSync(p, 'old');
    await withPatched('rename', async () => Promise.reject(errnoError('EXDEV', 'rename')), async () => {
      const e = await rpmErrorAsync(writeFileAtomic(p, enc.encode('new')));
      expect({ code: e.code, file: e.file }).toEqual({ code: 'IO_ERROR', file: p });
    });
    expect(readFileSync(p, 'utf8')).toBe('old');
    expect(readdirSync(d)).toEqual(['f']);
  });

  it('fails cleanly when the target is a directory or the directory is missing', async () => {
    const d = freshDir();
    mkdirSync(join(d, 'sub'));
    expect((await rpmErrorAsync(writeFileAtomic(join(d, 'sub'), enc.encode('x')))).code).toBe('IO_ERROR');
    expect(readdirSync(d)).toEqual(['sub']);
    expect((await rpmErrorAsync(writeFileAtomic(join(d, 'nope', 'f'), enc.encode('x')))).code).toBe('IO_ERROR');
  });
});

describe('linkOrCopyAtomic', () => {
  it('makes a relative symlink and replaces an existing file or link', async () => {
    const d = freshDir();
    writeFileSync(join(d, 'repo.db.tar.gz'), 'db');
    writeFileSync(join(d, 'repo.db'), 'stale copy');
    expect(await linkOrCopyAtomic(join(d, 'repo.db.tar.gz'), join(d, 'repo.db'))).toBe('symlink');
    expect(readlinkSync(join(d, 'repo.db'))).toBe('repo.db.tar.gz');
    expect(readFileSync(join(d, 'repo.db'), 'utf8')).toBe('db');
    writeFileSync(join(d, 'repo.db.tar.zst'), 'zst');
    expect(await linkOrCopyAtomic(join(d, 'repo.db.tar.zst'), join(d, 'repo.db'))).toBe('symlink');
    expect(readlinkSync(join(d, 'repo.db'))).toBe('repo.db.tar.zst');
    mkdirSync(join(d, 'sub'));
    await linkOrCopyAtomic(join(d, 'repo.db.tar.gz'), join(d, 'sub', 'alias'));
    expect(readlinkSync(join(d, 'sub', 'alias'))).toBe('../repo.db.tar.gz');
    expect(readdirSync(d).sort()).toEqual(['repo.db', 'repo.db.tar.gz', 'repo.db.tar.zst', 'sub']);
  });

  it('copies (atomically, keeping the mode) where symlinks are refused (injected EPERM)', async () => {
    const d = freshDir();
    writeFileSync(join(d, 'target'), 'payload');
    chmodSync(join(d, 'target'), 0o640);
    await withPatched('symlink', async () => Promise.reject(errnoError('EPERM', 'symlink')), async () => {
      expect(await linkOrCopyAtomic(join(d, 'target'), join(d, 'alias'))).toBe('copy');
    });
    expect(lstatSync(join(d, 'alias')).isSymbolicLink()).toBe(false);
    expect(readFileSync(join(d, 'alias'), 'utf8')).toBe('payload');
    expect(statSync(join(d, 'alias')).mode & 0o777).toBe(0o640);
  });
});

describe('hardLinkOrCopyAtomic', () => {
  it('hard-links, replacing an existing file, and does nothing for a missing target', async () => {
    const d = freshDir();
    writeFileSync(join(d, 'repo.db.tar.gz'), 'new');
    writeFileSync(join(d, 'repo.db.tar.gz.old'), 'older');
    expect(await hardLinkOrCopyAtomic(join(d, 'repo.db.tar.gz'), join(d, 'repo.db.tar.gz.old'))).toBe('link');
    expect(statSync(join(d, 'repo.db.tar.gz.old')).ino).toBe(statSync(join(d, 'repo.db.tar.gz')).ino);
    expect(readFileSync(join(d, 'repo.db.tar.gz.old'), 'utf8')).toBe('new');
    expect(await hardLinkOrCopyAtomic(join(d, 'nope'), join(d, 'nope.old'))).toBe('absent');
    // Already links to one file (rename() is then a no-op): no temporary name is left.
    expect(await hardLinkOrCopyAtomic(join(d, 'repo.db.tar.gz'), join(d, 'repo.db.tar.gz.old'))).toBe('link');
    expect(readdirSync(d).sort()).toEqual(['repo.db.tar.gz', 'repo.db.tar.gz.old']);
  });

  it('copies (atomically, keeping the mode) where hard links are refused (injected EPERM)', async () => {
    const d = freshDir();
    writeFileSync(join(d, 'target'), 'payload');
    chmodSync(join(d, 'target'), 0o640);
    await withPatched('link', async () => Promise.reject(errnoError('EPERM', 'link')), async () => {
      expect(await hardLinkOrCopyAtomic(join(d, 'target'), join(d, 'target.old'))).toBe('copy');
    });
    expect(statSync(join(d, 'target.old')).ino).not.toBe(statSync(join(d, 'target')).ino);
    expect(readFileSync(join(d, 'target.old'), 'utf8')).toBe('payload');
    expect(statSync(join(d, 'target.old')).mode & 0o777).toBe(0o640);
    expect(readdirSync(d).sort()).toEqual(['target', 'target.old']);
  });

  it('reports other failures as IO_ERROR and leaves no temporary file', async () => {
    const d = freshDir();
    writeFileSync(join(d, 'target'), 'payload');
    await withPatched('rename', async () => Promise.reject(errnoError('EACCES', 'rename')), async () => {
      expect((await rpmErrorAsync(hardLinkOrCopyAtomic(join(d, 'target'), join(d, 'target.old')))).code).toBe('IO_ERROR');
    });
    expect(readdirSync(d)).toEqual(['target']);
  });
});

// A child process running the real atomic.ts: Node strips the types; a resolve hook maps the
// sources' `./x.js` imports to `./x.ts`.
const ATOMIC_URL = pathToFileURL(fileURLToPath(new URL('../../src/shared/atomic.ts', import.meta.url))).href;
const CHILD = join(work, 'lock-child.mjs');
writeFileSync(
  CHILD,
  `import { register } from 'node:module';
register('data:text/javascript,' + encodeURIComponent(\`export async function resolve(s, c, next) {
  try { return await next(s, c); } catch (e) { if (s.startsWith('.') && s.endsWith('.js')) return next(s.slice(0, -3) + '.ts', c); throw e; }
}\`));
const { withLockFile } = await import(${JSON.stringify(ATOMIC_URL)});
const [mode, lock] = process.argv.slice(2);
try {
  await withLockFile(lock, async () => {
    process.stdout.write('held\\n');
    if (mode === 'hold') await new Promise((r) => process.stdin.once('data', r));
  }, { wait: mode === 'wait', pollMs: 20, timeoutMs: 60000 });
  process.stdout.write('released\\n');
} catch (e) {
  process.stdout.write((e.code ?? 'ERR') + ' ' + e.message + '\\n');
}
process.exit(0);
`,
);

function child(mode: 'hold' | 'try' | 'wait', lock: string): { proc: ChildProcessWithoutNullStreams; line: (text: string) => Promise<string> } {
  const proc = spawn(process.execPath, ['--no-warnings', CHILD, mode, lock]);
  let out = '';
  const waiters: [string, (s: string) => void][] = [];
  proc.stdout.on('data', (b: Buffer) => {
    out += b.toString();
    for (const [text, resolve] of waiters) if (out.includes(text)) resolve(out);
  });
  proc.stderr.on('data', (b: Buffer) => (out += b.toString()));
  return {
    proc,
    line: (text) =>
      new Promise((resolve, reject) => {
        if (out.includes(text)) return resolve(out);
        waiters.push([text, resolve]);
        proc.once('exit', () => (out.includes(text) ? resolve(out) : reject(new Error(`child exited without "${text}": ${out}`))));
      }),
  };
}

describe('withLockFile', () => {
  it('two processes: the second gets LOCKED (naming the holder) or waits until the first releases', async () => {
    const lock = join(freshDir(), 'repo.db.tar.gz.lck');
    const a = child('hold', lock);
    await a.line('held');
    expect(readFileSync(lock, 'utf8')).toBe(`${a.proc.pid}\n`);
    const b = child('try', lock);
    expect(await b.line('\n')).toContain(`LOCKED ${lock}: lock file is held by process ${a.proc.pid}`);
    const c = child('wait', lock);
    await new Promise((r) => setTimeout(r, 100));
    a.proc.stdin.write('go\n');
    await a.line('released');
    expect(await c.line('released')).toBe('held\nreleased\n');
    expect(existsSync(lock)).toBe(false);
  });

  it('removes its lock when fn throws; times out and honours abort while waiting', async () => {
    const lock = join(freshDir(), 'x.lck');
    await expect(withLockFile(lock, async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(existsSync(lock)).toBe(false);
    await withLockFile(lock, async () => {
      const e = await rpmErrorAsync(withLockFile(lock, async () => 1, { wait: true, timeoutMs: 50, pollMs: 10 }));
      expect({ code: e.code, file: e.file }).toEqual({ code: 'LOCKED', file: lock });
      const ac = new AbortController();
      const waiting = withLockFile(lock, async () => 1, { wait: true, signal: ac.signal, pollMs: 10 });
      ac.abort(new Error('gave up'));
      await expect(waiting).rejects.toThrow('gave up');
    });
    expect(existsSync(lock)).toBe(false);
    expect(await withLockFile(lock, async () => 42)).toBe(42);
  });

  it('a lock file in a missing directory is IO_ERROR', async () => {
    expect((await rpmErrorAsync(withLockFile(join(work, 'missing', 'l.lck'), async () => 1))).code).toBe('IO_ERROR');
  });
});
