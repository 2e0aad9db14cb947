/**
 * Reading package files for an index (edge: node:fs, node:crypto, node:worker_threads, loaded at
 * call time). Each file is read ONCE: every chunk feeds MD5 and BLAKE2b-512, and the bytes up to
 * the end of the main header are kept and parsed afterwards with the RPM codec. Many files can be
 * spread over worker threads; the result does not depend on how many.
 */
import { RepokitError, isRepokitError } from '../shared/errors.js';
import { ioError } from '../shared/io-error.js';
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
   * Worker threads to read and hash the files in; 0 reads them in this thread. Default: up to
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
 * Worker body. workerData: `{ source, paths, wantB2, wantHead }`. Each message is a batch
 * `{ list, next }`: file indexes in the order to read them and a counter in shared memory that all
 * workers take the next position from, so no worker waits for the main thread between files (the
 * main thread may be busy compressing for a while). Answers `{ i, size, md5, b2, head }` (head
 * transferred) or `{ i, error }` per file; after an error the batch is stopped for everyone.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const fs = require('node:fs');
const crypto = require('node:crypto');
const scan = new Function('return ' + workerData.source)();
const { paths, wantB2, wantHead } = workerData;
const buf = new Uint8Array(1 << 20);
parentPort.on('message', ({ list, next }) => {
  for (;;) {
    const k = Atomics.add(next, 0, 1);
    if (k >= list.length) return;
    const i = list[k];
    let r;
    try {
      r = scan(fs, crypto, paths[i], wantB2, buf, wantHead);
    } catch (e) {
      Atomics.store(next, 0, list.length);
      parentPort.postMessage({ i, error: { code: e && e.code, syscall: e && e.syscall, message: String((e && e.message) || e) } });
      return;
    }
    parentPort.postMessage({ i, size: r.size, md5: r.md5, b2: r.b2, head: r.head }, wantHead ? [r.head.buffer] : []);
  }
});
`;

/** @internal What reading one file yields: size, hex digests, and the bytes up to the end of the main header (when asked). */
export interface RawScan {
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
    throw ioError(e, path);
  }
  return finish(path, raw, baseName(path));
}

function defaultWorkers(n: number): number {
  if (n < 64) return 0;
  const os = nodeBuiltin<typeof import('node:os')>('node:os');
  return Math.min(4, os.availableParallelism());
}

/** The worker count for `options` and `n` files (0: this thread). */
function workerCount(options: ScanOptions, n: number): number {
  const workers = options.workers ?? defaultWorkers(n);
  if (!Number.isInteger(workers) || workers < 0) throw new RepokitError('INVALID_ARGUMENT', `workers must be a non-negative integer`);
  return workers === 0 || n < 2 ? 0 : Math.min(workers, n);
}

type WorkerMessage = { i: number; size: number; md5: string; b2: string | null; head: Uint8Array; error?: { code?: unknown; syscall?: unknown; message: string } };

/**
 * @internal Files being read (hashed, and their headers kept when asked) — in worker threads that
 * start at once and work through the files without waiting for this thread, or, with no workers,
 * in this thread when the results are asked for. {@link ScanJob.prioritize} changes the order of
 * the files not yet taken, so a caller can start the reading before it knows the order it needs
 * (e.g. while it sorts packages by their headers). Results are handed on in the caller's order by
 * {@link ScanJob.deliverInOrder}. Always {@link ScanJob.close} a job (it stops the workers).
 */
export class ScanJob {
  readonly #paths: readonly string[];
  readonly #wantB2: boolean;
  readonly #wantHead: boolean;
  readonly #signal: AbortSignal | undefined;
  readonly #pool: import('node:worker_threads').Worker[] = [];
  /** Results not yet delivered, by file index. */
  readonly #results: (RawScan | undefined)[];
  /** Files a batch has handed out (pool only). */
  #taken: Uint8Array | null = null;
  #batch: { list: number[]; next: Int32Array } | null = null;
  #failure: { error: unknown } | null = null;
  #wake: (() => void) | null = null;
  #closed = false;
  readonly #onAbort = (): void => this.#fail(this.#signal!.reason);

  constructor(paths: readonly string[], options: ScanOptions, wantHead: boolean) {
    this.#paths = paths;
    this.#wantB2 = options.blake2b !== false;
    this.#wantHead = wantHead;
    this.#signal = options.signal;
    this.#results = new Array<RawScan | undefined>(paths.length);
    options.signal?.throwIfAborted();
    const n = workerCount(options, paths.length);
    if (n === 0) return;
    options.signal?.addEventListener('abort', this.#onAbort, { once: true });
    const { Worker } = nodeBuiltin<typeof import('node:worker_threads')>('node:worker_threads');
    this.#taken = new Uint8Array(paths.length);
    for (let k = 0; k < n; k++) {
      const w = new Worker(WORKER_SOURCE, { eval: true, workerData: { source: SCAN_SOURCE, paths, wantB2: this.#wantB2, wantHead } });
      this.#pool.push(w);
      w.on('error', (e) => this.#fail(e));
      w.on('exit', (code) => {
        if (!this.#closed) this.#fail(new RepokitError('IO_ERROR', `a file-reading worker thread stopped (exit code ${code})`));
      });
      w.on('message', (m: WorkerMessage) => this.#receive(m));
    }
    this.#post(paths.map((_, i) => i));
  }

  #post(list: number[]): void {
    this.#batch = { list, next: new Int32Array(new SharedArrayBuffer(4)) };
    for (const w of this.#pool) w.postMessage(this.#batch);
  }

  /** Stop the current batch; marks what it handed out. */
  #stopBatch(): void {
    const b = this.#batch;
    if (b === null) return;
    const stop = Math.min(Atomics.exchange(b.next, 0, b.list.length), b.list.length);
    for (let k = 0; k < stop; k++) this.#taken![b.list[k]!] = 1;
    this.#batch = null;
  }

  #receive(m: WorkerMessage): void {
    if (this.#failure !== null) return;
    if (m.error !== undefined) {
      this.#fail(ioError(m.error, this.#paths[m.i]!));
      return;
    }
    this.#results[m.i] = { size: m.size, md5: m.md5, b2: m.b2, head: m.head };
    this.#wake?.();
  }

  #fail(error: unknown): void {
    if (this.#failure !== null) return;
    this.#failure = { error };
    this.close();
    this.#wake?.();
  }

  /** Read the files not yet taken in this order (indexes into `paths`; others are not read again). */
  prioritize(order: readonly number[]): void {
    if (this.#pool.length === 0 || this.#closed) return;
    this.#stopBatch();
    const rest = order.filter((i) => this.#taken![i] === 0);
    if (rest.length > 0) this.#post(rest);
  }

  /**
   * Hand every file's result to `deliver` in `order` (indexes into `paths`, each once), as soon as
   * it is there. Rejects with the first failure (an IO_ERROR naming the file, the abort reason, or
   * what `deliver` threw), after stopping the workers.
   */
  async deliverInOrder(order: readonly number[], deliver: (index: number, raw: RawScan) => void): Promise<void> {
    if (this.#pool.length === 0) {
      const fs = nodeBuiltin<typeof import('node:fs')>('node:fs');
      const crypto = nodeBuiltin<typeof import('node:crypto')>('node:crypto');
      const scan = localScan();
      const buf = new Uint8Array(1 << 20);
      for (let k = 0; k < order.length; k++) {
        this.#signal?.throwIfAborted();
        const i = order[k]!;
        let raw: RawScan;
        try {
          raw = scan(fs, crypto, this.#paths[i]!, this.#wantB2, buf, this.#wantHead);
        } catch (e) {
          throw ioError(e, this.#paths[i]!);
        }
        deliver(i, raw);
        // Let timers and I/O callbacks run between files of a long scan.
        if (k % 256 === 255) await new Promise((r) => setImmediate(r));
      }
      return;
    }
    if (this.#closed && this.#failure === null) throw new RepokitError('INVALID_ARGUMENT', 'the scan job is closed');
    for (let k = 0; k < order.length; ) {
      if (this.#failure !== null) throw this.#failure.error;
      const i = order[k]!;
      const raw = this.#results[i];
      if (raw === undefined) {
        await new Promise<void>((r) => (this.#wake = r));
        this.#wake = null;
        continue;
      }
      this.#results[i] = undefined;
      try {
        deliver(i, raw);
      } catch (e) {
        this.#fail(e);
        throw e;
      }
      k++;
    }
    if (this.#failure !== null) throw this.#failure.error;
  }

  /** Stop the workers (idempotent). */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#signal?.removeEventListener('abort', this.#onAbort);
    if (this.#batch !== null) Atomics.store(this.#batch.next, 0, this.#batch.list.length);
    for (const w of this.#pool) void w.terminate();
  }
}

function identity(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

/**
 * Read many package files (see {@link scanPackageFileSync}), in this thread or spread over worker
 * threads. Results come back in the order of `paths`. The first failure rejects (with the file
 * named); the workers are then stopped.
 */
export async function scanPackageFiles(paths: readonly string[], options: ScanOptions = {}): Promise<ScannedPackage[]> {
  const out: ScannedPackage[] = [];
  const job = new ScanJob(paths, options, true);
  try {
    await job.deliverInOrder(identity(paths.length), (i, raw) => {
      out.push(finish(paths[i]!, raw, baseName(paths[i]!)));
    });
  } finally {
    job.close();
  }
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
  const job = new ScanJob(paths, options, false);
  try {
    await job.deliverInOrder(identity(paths.length), (i, raw) => onEach(i, digestsOf(raw)));
  } finally {
    job.close();
  }
}

/** @internal The digests of a raw scan result. */
export function digestsOf(raw: RawScan): FileDigests {
  return { size: raw.size, md5: raw.md5, blake2b: raw.b2 };
}
