/**
 * Reading package files for an index (edge: node:fs, node:crypto, node:worker_threads, loaded at
 * call time). Each file is read ONCE: every chunk feeds MD5 and BLAKE2b-512, and the bytes up to
 * the end of the main header are kept and parsed afterwards with the RPM codec. Many files can be
 * spread over worker threads; the result does not depend on how many.
 */
import { RepokitError, isRepokitError } from '../shared/errors.js';
import { BufferSource, driveSync, nodeBuiltin } from '../shared/input.js';
import { rpmReadSteps, type RpmPackage } from '../rpm/index.js';
import { finishRead } from '../rpm/package.js';
import type { PackageFileInfo } from './pkglist.js';

/** A package file read for an index. */
export interface ScannedPackage {
  /** The path it was read from. */
  path: string;
  file: PackageFileInfo;
  /** Lead, signature header and main header (the payload is not read into memory). */
  package: RpmPackage;
}

export interface ScanOptions {
  /** Also compute BLAKE2b-512 (default true). */
  blake2b?: boolean;
  /**
   * Worker threads to spread the files over; 0 or 1 reads in this thread. Default: up to
   * `availableParallelism()` (at most 4) when there are at least 64 files, else 0.
   */
  workers?: number;
  signal?: AbortSignal;
}

/**
 * The per-file routine, as source text so that worker threads can run the very same code without
 * loading a module (works from the ESM and the CJS build alike). `scan(fs, crypto, path, wantB2,
 * buf)` returns `{ size, md5, b2, head }`, where `head` holds the file's first bytes up to the end
 * of the main header (as far as the intros can be trusted; the RPM parser judges them).
 */
const SCAN_SOURCE = String.raw`function scan(fs, crypto, path, wantB2, buf, wantHead) {
  const fd = fs.openSync(path, 'r');
  try {
    const size = fs.fstatSync(fd).size;
    const md5 = crypto.createHash('md5');
    const b2 = wantB2 ? crypto.createHash('blake2b512') : null;
    let head = new Uint8Array(0);
    let want = wantHead ? 112 : 0; // lead (96) + signature header intro (16)
    let stage = 0; // 0: need the signature intro, 1: need the main intro, 2: need the main header
    let mainAt = 0;
    const MAX = 0x10000000 + 1024 * 1024;
    const be32 = (b, p) => ((b[p] << 24) | (b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3]) >>> 0;
    // Lead magic at 0 and header magics at 96 and at the main header: trust the intros only then.
    const magicOk = (b, at) =>
      at === 0
        ? b.length < 4 || (b[0] === 0xed && b[1] === 0xab && b[2] === 0xee && b[3] === 0xdb && (b.length < 99 || (b[96] === 0x8e && b[97] === 0xad && b[98] === 0xe8)))
        : b.length < at + 3 || (b[at] === 0x8e && b[at + 1] === 0xad && b[at + 2] === 0xe8);
    let total = 0;
    for (;;) {
      const n = fs.readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      const chunk = buf.subarray(0, n);
      md5.update(chunk);
      if (b2 !== null) b2.update(chunk);
      let used = 0;
      while (head.length < want && used < n) {
        const take = Math.min(n - used, want - head.length);
        const grown = new Uint8Array(head.length + take);
        grown.set(head);
        grown.set(chunk.subarray(used, used + take), head.length);
        head = grown;
        used += take;
        // Learn how far the headers go as their intros arrive.
        for (;;) {
          if (stage < 2 && !magicOk(head, stage === 0 ? 0 : mainAt)) {
            want = head.length; // not a package (or a broken one): the parser will say what is wrong
            stage = 2;
          } else if (stage === 0 && head.length >= 112) {
            const sigTotal = 16 + 16 * be32(head, 104) + be32(head, 108);
            mainAt = 96 + sigTotal + ((8 - (sigTotal % 8)) % 8);
            want = Math.min(mainAt + 16, MAX);
            stage = 1;
          } else if (stage === 1 && head.length >= mainAt + 16) {
            want = Math.min(mainAt + 16 + 16 * be32(head, mainAt + 8) + be32(head, mainAt + 12), MAX);
            stage = 2;
          } else break;
        }
      }
      total += n;
    }
    if (total !== size) throw new Error(path + ': file changed while being read (' + total + ' of ' + size + ' bytes)');
    return { size, md5: md5.digest('hex'), b2: b2 === null ? null : b2.digest('hex'), head };
  } finally {
    fs.closeSync(fd);
  }
}`;

/**
 * Worker body: receives `{ source, wantB2 }` in workerData and `{ i, path }` messages, answers
 * `{ i, size, md5, b2, head }` (head transferred) or `{ i, error }`.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const fs = require('node:fs');
const crypto = require('node:crypto');
const scan = new Function('return ' + workerData.source)();
const buf = new Uint8Array(1 << 20);
parentPort.on('message', (m) => {
  try {
    const r = scan(fs, crypto, m.path, workerData.wantB2, buf, workerData.wantHead);
    parentPort.postMessage({ i: m.i, size: r.size, md5: r.md5, b2: r.b2, head: r.head }, [r.head.buffer]);
  } catch (e) {
    parentPort.postMessage({ i: m.i, error: { code: e && e.code, syscall: e && e.syscall, message: String(e && e.message || e) } });
  }
});
`;

interface RawScan {
  size: number;
  md5: string;
  b2: string | null;
  head: Uint8Array;
}

type ScanFn = (fs: unknown, crypto: unknown, path: string, wantB2: boolean, buf: Uint8Array, wantHead: boolean) => RawScan;

let scanFn: ScanFn | undefined;
function localScan(): ScanFn {
  scanFn ??= new Function(`return ${SCAN_SOURCE}`)() as ScanFn;
  return scanFn;
}

function ioError(e: { code?: unknown; syscall?: unknown; message?: unknown }, path: string): RepokitError {
  const msg = typeof e.message === 'string' ? e.message : String(e);
  if (typeof e.code === 'string' && typeof e.syscall === 'string') {
    const what = msg.replace(/^[A-Z0-9_]+: /, '').replace(/, [a-z_]+ '.*'$/s, '');
    return new RepokitError('IO_ERROR', `cannot ${e.syscall}: ${what} (${e.code})`, { file: path, cause: e });
  }
  return new RepokitError('IO_ERROR', msg, { file: path, cause: e });
}

function finish(path: string, raw: RawScan, fileName: string): ScannedPackage {
  let pkg: RpmPackage;
  try {
    pkg = finishRead(driveSync(rpmReadSteps({}), new BufferSource(raw.head)), raw.size, 'rpm');
  } catch (e) {
    if (isRepokitError(e)) {
      // The kept prefix stops at the main header; a prefix shorter than the file means the
      // header itself ran past the intros' promise, which the parser reports as TRUNCATED.
      e.withFile(path);
    }
    throw e;
  }
  const file: PackageFileInfo = { name: fileName, size: raw.size, md5: raw.md5 };
  if (raw.b2 !== null) file.blake2b = raw.b2;
  return { path, file, package: pkg };
}

function baseName(path: string): string {
  const i = path.lastIndexOf('/');
  return i === -1 ? path : path.slice(i + 1);
}

/** Read one package file: size, MD5, BLAKE2b-512 and its headers, in one pass over the bytes. */
export function scanPackageFileSync(path: string, options: { blake2b?: boolean } = {}): ScannedPackage {
  const fs = nodeBuiltin<typeof import('node:fs')>('node:fs');
  const crypto = nodeBuiltin<typeof import('node:crypto')>('node:crypto');
  let raw: RawScan;
  try {
    raw = localScan()(fs, crypto, path, options.blake2b !== false, new Uint8Array(1 << 20), true);
  } catch (e) {
    throw ioError(e as Error, path);
  }
  return finish(path, raw, baseName(path));
}

function defaultWorkers(n: number): number {
  if (n < 64) return 0;
  const os = nodeBuiltin<typeof import('node:os')>('node:os');
  return Math.min(4, os.availableParallelism());
}

/**
 * Read many package files (see {@link scanPackageFileSync}), in this thread or spread over worker
 * threads. Results come back in the order of `paths`. The first failure rejects (with the file
 * named); the workers are then stopped.
 */
export async function scanPackageFiles(paths: readonly string[], options: ScanOptions = {}): Promise<ScannedPackage[]> {
  const out: ScannedPackage[] = [];
  await scanRaw(paths, options, true, (i, raw) => {
    out.push(finish(paths[i]!, raw, baseName(paths[i]!)));
  });
  return out;
}

/** Size and digests of one file. */
export interface FileDigests {
  size: number;
  /** Lowercase hex MD5. */
  md5: string;
  /** Lowercase hex BLAKE2b-512, or null when not asked for. */
  blake2b: string | null;
}

/**
 * Hash files (MD5 and BLAKE2b-512 in one read each), in this thread or in worker threads, calling
 * `onEach` in the order of `paths` as results become available — so a caller can consume the
 * first files (e.g. compress their index entries) while the workers still hash later ones.
 * Resolves after the last `onEach`; an error from a file or from `onEach` rejects and stops the
 * workers.
 */
export async function hashFilesInOrder(
  paths: readonly string[],
  options: ScanOptions,
  onEach: (index: number, digests: FileDigests) => void,
): Promise<void> {
  await scanRaw(paths, options, false, (i, raw) => onEach(i, { size: raw.size, md5: raw.md5, blake2b: raw.b2 }));
}

/** The worker count for `options` and `n` files (0: this thread). */
function workerCount(options: ScanOptions, n: number): number {
  const workers = options.workers ?? defaultWorkers(n);
  if (!Number.isInteger(workers) || workers < 0) throw new RepokitError('INVALID_ARGUMENT', `workers must be a non-negative integer`);
  return workers <= 1 || n < 2 ? 0 : Math.min(workers, n);
}

async function scanRaw(paths: readonly string[], options: ScanOptions, wantHead: boolean, deliver: (i: number, raw: RawScan) => void): Promise<void> {
  const wantB2 = options.blake2b !== false;
  const workers = workerCount(options, paths.length);
  if (workers === 0) {
    const fs = nodeBuiltin<typeof import('node:fs')>('node:fs');
    const crypto = nodeBuiltin<typeof import('node:crypto')>('node:crypto');
    const scan = localScan();
    const buf = new Uint8Array(1 << 20);
    for (let i = 0; i < paths.length; i++) {
      options.signal?.throwIfAborted();
      let raw: RawScan;
      try {
        raw = scan(fs, crypto, paths[i]!, wantB2, buf, wantHead);
      } catch (e) {
        throw ioError(e as Error, paths[i]!);
      }
      deliver(i, raw);
      // Let timers and I/O callbacks run between files of a long scan.
      if (i % 256 === 255) await new Promise((r) => setImmediate(r));
    }
    return;
  }
  await scanInWorkers(paths, workers, wantB2, wantHead, options.signal, deliver);
}

function scanInWorkers(
  paths: readonly string[],
  n: number,
  wantB2: boolean,
  wantHead: boolean,
  signal: AbortSignal | undefined,
  deliver: (i: number, raw: RawScan) => void,
): Promise<void> {
  const { Worker } = nodeBuiltin<typeof import('node:worker_threads')>('node:worker_threads');
  return new Promise((resolve, reject) => {
    const pool: import('node:worker_threads').Worker[] = [];
    // Results may arrive out of order; they are handed on in order (at most 2 per worker wait).
    const pending = new Map<number, RawScan>();
    let nextOut = 0;
    let next = 0;
    let failed = false;
    const stop = () => {
      signal?.removeEventListener('abort', onAbort);
      for (const w of pool) void w.terminate();
    };
    const fail = (e: unknown) => {
      if (failed) return;
      failed = true;
      stop();
      reject(e);
    };
    const onAbort = () => fail(signal!.reason);
    signal?.addEventListener('abort', onAbort, { once: true });
    const feed = (w: import('node:worker_threads').Worker) => {
      if (failed || next >= paths.length) return;
      const i = next++;
      w.postMessage({ i, path: paths[i] });
    };
    for (let k = 0; k < n; k++) {
      const w = new Worker(WORKER_SOURCE, { eval: true, workerData: { source: SCAN_SOURCE, wantB2, wantHead } });
      pool.push(w);
      w.on('error', fail);
      w.on('message', (m: { i: number; size: number; md5: string; b2: string | null; head: Uint8Array; error?: { code?: unknown; syscall?: unknown; message: string } }) => {
        if (failed) return;
        if (m.error !== undefined) {
          fail(ioError(m.error, paths[m.i]!));
          return;
        }
        feed(w);
        pending.set(m.i, { size: m.size, md5: m.md5, b2: m.b2, head: m.head });
        try {
          for (let r = pending.get(nextOut); r !== undefined; r = pending.get(nextOut)) {
            pending.delete(nextOut);
            deliver(nextOut++, r);
          }
        } catch (e) {
          fail(e);
          return;
        }
        if (nextOut === paths.length) {
          stop();
          resolve();
        }
      });
      // Two files in flight per worker keep it busy while the main thread works.
      feed(w);
      feed(w);
    }
  });
}
