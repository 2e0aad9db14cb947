/**
 * Crash-safe file replacement and lock files. Edge module: `node:fs` and `node:path` are reached
 * through `process.getBuiltinModule` when a function is called.
 *
 * A reader of the target sees either the old file or the new one, never a partial write: the data
 * goes to a temporary file in the same directory, is flushed (`fsync`), renamed over the target
 * (atomic on POSIX file systems), and the directory is flushed so the rename itself survives a
 * crash.
 */
import { RepokitError, isRepokitError } from './errors.js';
import { nodeBuiltin } from './input.js';
import { errno, ioError } from './io-error.js';

type NodeFsPromises = typeof import('node:fs/promises');
type NodePath = typeof import('node:path');
type FileHandle = Awaited<ReturnType<NodeFsPromises['open']>>;

/** `.<base>.tmp-<pid>-<random>` next to `path`. */
function tempPathFor(path: string): string {
  const p = nodeBuiltin<NodePath>('node:path');
  const random = Math.floor(Math.random() * 0x100000000)
    .toString(16)
    .padStart(8, '0');
  return p.join(p.dirname(path), `.${p.basename(path)}.tmp-${process.pid}-${random}`);
}

/** fsync a directory so a rename in it is durable; file systems that cannot do this are ignored. */
async function syncDir(dir: string): Promise<void> {
  const fs = nodeBuiltin<NodeFsPromises>('node:fs/promises');
  let fh: FileHandle | undefined;
  try {
    fh = await fs.open(dir, 'r');
    await fh.sync();
  } catch (e) {
    const c = errno(e);
    if (c !== 'EISDIR' && c !== 'EINVAL' && c !== 'ENOTSUP' && c !== 'EPERM' && c !== 'EACCES' && c !== 'EBADF') throw ioError(e, dir);
  } finally {
    await fh?.close().catch(() => undefined);
  }
}

type Data = Uint8Array | Iterable<Uint8Array> | AsyncIterable<Uint8Array>;

async function writeAll(fh: FileHandle, data: Data): Promise<void> {
  const one = async (chunk: unknown): Promise<void> => {
    if (!(chunk instanceof Uint8Array)) throw new RepokitError('INVALID_ARGUMENT', 'data chunks must be Uint8Array');
    let at = 0;
    while (at < chunk.length) {
      const { bytesWritten } = await fh.write(chunk, at, chunk.length - at);
      at += bytesWritten;
    }
  };
  if (data instanceof Uint8Array) await one(data);
  else if (Symbol.asyncIterator in data) for await (const c of data) await one(c);
  else for (const c of data) await one(c);
}

/**
 * Replace `path` atomically with `data` (bytes, or chunks from a sync or async iterable): written
 * to `.<base>.tmp-<pid>-<random>` in the same directory, fsynced, renamed over `path`, then the
 * directory is fsynced. With `mode`, the file gets exactly that mode (fchmod, ignoring the umask —
 * xbps-rindex sets 0664 this way); otherwise 0666 minus the umask. On any failure (including an
 * error thrown by the data iterable) the temporary file is removed and `path` is untouched.
 * Errors: `IO_ERROR` with `file`, or whatever the data iterable threw.
 */
export async function writeFileAtomic(path: string, data: Data, options: { mode?: number } = {}): Promise<void> {
  if (typeof path !== 'string' || path === '') throw new RepokitError('INVALID_ARGUMENT', 'path must be a non-empty string');
  const mode = options.mode;
  if (mode !== undefined && (!Number.isInteger(mode) || mode < 0 || mode > 0o7777)) {
    throw new RepokitError('INVALID_ARGUMENT', `mode must be an integer in 0..0o7777, got ${String(mode)}`);
  }
  const fs = nodeBuiltin<NodeFsPromises>('node:fs/promises');
  const p = nodeBuiltin<NodePath>('node:path');
  const tmp = tempPathFor(path);
  let fh: FileHandle | undefined;
  let renamed = false;
  try {
    try {
      fh = await fs.open(tmp, 'wx', 0o666);
    } catch (e) {
      throw ioError(e, path);
    }
    try {
      if (mode !== undefined) await fh.chmod(mode);
    } catch (e) {
      throw ioError(e, path);
    }
    await writeAll(fh, data).catch((e: unknown) => {
      throw isRepokitError(e) || !(e as { syscall?: unknown }).syscall ? e : ioError(e, path);
    });
    try {
      await fh.sync();
      await fh.close();
      fh = undefined;
      await fs.rename(tmp, path);
      renamed = true;
    } catch (e) {
      throw ioError(e, path);
    }
    await syncDir(p.dirname(path));
  } finally {
    await fh?.close().catch(() => undefined);
    if (!renamed) await fs.unlink(tmp).catch(() => undefined);
  }
}

/**
 * Make `linkPath` point at `target`, replacing whatever `linkPath` was, atomically: a relative
 * symlink (the target's path relative to the link's directory, e.g. `repo.db -> repo.db.tar.gz`
 * as repo-add makes) is created under a temporary name and renamed over `linkPath`. Where the file
 * system refuses symlinks (EPERM, ENOTSUP, ENOSYS: SMB shares, some object-store mounts) the target
 * is copied instead, through {@link writeFileAtomic}. Returns which one was done.
 */
export async function linkOrCopyAtomic(target: string, linkPath: string): Promise<'symlink' | 'copy'> {
  if (typeof target !== 'string' || target === '' || typeof linkPath !== 'string' || linkPath === '') {
    throw new RepokitError('INVALID_ARGUMENT', 'target and linkPath must be non-empty strings');
  }
  const fs = nodeBuiltin<NodeFsPromises>('node:fs/promises');
  const p = nodeBuiltin<NodePath>('node:path');
  const rel = p.relative(p.dirname(p.resolve(linkPath)), p.resolve(target)) || p.basename(target);
  const made = await linkAtomic(target, linkPath, (tmp) => fs.symlink(rel, tmp));
  return made === 'link' ? 'symlink' : 'copy';
}

/** Link refusals that a copy stands in for: EPERM, ENOTSUP, ENOSYS (file systems without links) and EMLINK (too many links). */
const NO_LINKS = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EMLINK']);

/**
 * `makeLink(tmp)` under a temporary name, renamed over `linkPath`; where links are refused
 * ({@link NO_LINKS}), a copy of `target` through {@link writeFileAtomic}, keeping its mode.
 * `absent` when the link or the copy finds no `target`, if `absentOk`.
 */
async function linkAtomic(target: string, linkPath: string, makeLink: (tmp: string) => Promise<void>, absentOk = false): Promise<'link' | 'copy' | 'absent'> {
  const fs = nodeBuiltin<NodeFsPromises>('node:fs/promises');
  const tmp = tempPathFor(linkPath);
  try {
    await makeLink(tmp);
  } catch (e) {
    const c = errno(e);
    if (absentOk && c === 'ENOENT') return 'absent';
    if (!NO_LINKS.has(c ?? '')) throw ioError(e, linkPath);
    const { fileChunks } = await import('./hash.js');
    let mode: number;
    try {
      mode = (await fs.stat(target)).mode & 0o7777;
    } catch (err) {
      if (absentOk && errno(err) === 'ENOENT') return 'absent';
      throw ioError(err, target);
    }
    await writeFileAtomic(linkPath, fileChunks(target), { mode });
    return 'copy';
  }
  try {
    await fs.rename(tmp, linkPath);
  } catch (e) {
    await fs.unlink(tmp).catch(() => undefined);
    throw ioError(e, linkPath);
  }
  // rename() does nothing when both names are already links to one file (an earlier run stopped
  // after making a backup): the temporary name is then still there.
  await fs.unlink(tmp).catch(() => undefined);
  await syncDir(nodeBuiltin<NodePath>('node:path').dirname(linkPath));
  return 'link';
}

/**
 * Make `linkPath` another name of the file `target` (a hard link, as repo-add's `ln -f` keeps
 * `<db>.old`), replacing whatever `linkPath` was, atomically: linked under a temporary name and
 * renamed over `linkPath`. Where the file system refuses hard links (EPERM, ENOTSUP, ENOSYS, or
 * EMLINK: too many links) the file is copied instead, through {@link writeFileAtomic} (repo-add
 * moves it, leaving no database for a moment). `absent` when `target` does not exist: nothing is
 * done then.
 */
export async function hardLinkOrCopyAtomic(target: string, linkPath: string): Promise<'link' | 'copy' | 'absent'> {
  if (typeof target !== 'string' || target === '' || typeof linkPath !== 'string' || linkPath === '') {
    throw new RepokitError('INVALID_ARGUMENT', 'target and linkPath must be non-empty strings');
  }
  const fs = nodeBuiltin<NodeFsPromises>('node:fs/promises');
  return linkAtomic(target, linkPath, (tmp) => fs.link(target, tmp), true);
}

/** Options of {@link withLockFile}. */
export interface LockOptions {
  /** Wait for a held lock instead of failing at once (default false). */
  wait?: boolean;
  /** With `wait`: give up with `LOCKED` after this many milliseconds (default: wait forever). */
  timeoutMs?: number;
  /** With `wait`: how often to retry, in milliseconds (default 100; repo-add's `-w` retries every 3 s). */
  pollMs?: number;
  /** Stops waiting; the promise rejects with the signal's reason. */
  signal?: AbortSignal;
}

async function readHolder(lockPath: string): Promise<string> {
  const fs = nodeBuiltin<NodeFsPromises>('node:fs/promises');
  try {
    const text = (await fs.readFile(lockPath, 'utf8')).trim();
    return /^\d+$/.test(text) ? ` by process ${text}` : '';
  } catch {
    return '';
  }
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Run `fn` while holding the lock file `lockPath`: created exclusively (`O_CREAT|O_EXCL`) and
 * holding this process's pid, the convention of repo-add (`<db>.lck`). If the file exists, fails
 * at once with `LOCKED` (naming the file and the pid inside), or with `wait: true` retries every
 * `pollMs` until `timeoutMs`. The lock file is removed when `fn` settles, also when it throws.
 * A lock left by a crashed process stays until someone removes it (repo-add behaves the same).
 */
export async function withLockFile<T>(lockPath: string, fn: () => Promise<T>, options: LockOptions = {}): Promise<T> {
  if (typeof lockPath !== 'string' || lockPath === '') throw new RepokitError('INVALID_ARGUMENT', 'lockPath must be a non-empty string');
  const { wait = false, timeoutMs = Infinity, pollMs = 100, signal } = options;
  if (!(timeoutMs >= 0) || !(pollMs > 0)) throw new RepokitError('INVALID_ARGUMENT', 'timeoutMs must be >= 0 and pollMs > 0');
  const fs = nodeBuiltin<NodeFsPromises>('node:fs/promises');
  const start = Date.now();
  signal?.throwIfAborted();
  for (;;) {
    signal?.throwIfAborted();
    try {
      const fh = await fs.open(lockPath, 'wx', 0o644);
      try {
        await fh.writeFile(`${process.pid}\n`);
      } finally {
        await fh.close();
      }
      break;
    } catch (e) {
      if (errno(e) !== 'EEXIST') throw ioError(e, lockPath);
      const elapsed = Date.now() - start;
      if (!wait || elapsed >= timeoutMs) {
        const held = await readHolder(lockPath);
        throw new RepokitError('LOCKED', `lock file is held${held}${wait ? ` (gave up after ${timeoutMs} ms)` : ''}`, { file: lockPath });
      }
      await sleep(Math.min(pollMs, Math.max(1, timeoutMs - elapsed)), signal);
    }
  }
  try {
    return await fn();
  } finally {
    await fs.unlink(lockPath).catch(() => undefined);
  }
}
