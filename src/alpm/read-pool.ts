/**
 * Reading many package files on worker threads, so `repoAdd` uses every core: each worker reads a
 * whole file, hashes it (SHA-256 and MD5 in one pass over the buffer) and inflates gzip or zstd in
 * one piece; this thread then walks the tar and builds the entry with the very same code as
 * {@link readPackage}. Results are handed back in input order, so the output does not depend on
 * the number of workers. Anything a worker does not handle (a large or unusual file, another
 * compression, any error) is read again here by `readPackage`, which gives the usual result or
 * error, so behaviour is identical with or without workers.
 *
 * The worker is a small self-contained script (node:fs, node:crypto, node:zlib) started with
 * `eval`, so it needs no module file next to the bundle. Edge module: node:worker_threads and
 * node:os are reached at call time.
 */
import { RepokitError } from '../shared/errors.js';
import { nodeBuiltin } from '../shared/input.js';
import { PACKAGE_LIMITS, readPackage, readPackagePrepared, WHOLE_FILE_MAX, WHOLE_TAR_MAX, type AlpmPackageFile, type PreparedPackage, type ReadPackageOptions } from './package.js';

type NodeWorkers = typeof import('node:worker_threads');

/**
 * Worker body. Each message `{ paths, ctl }` is a batch: paths and, in shared memory, the next
 * index to take (all workers take from it), the first index not yet allowed (the calling thread
 * moves it on as it uses results) and a stop flag. Answers `{ i, raw, sha256, md5, tar }` (buffers
 * transferred; `tar` absent when this thread must inflate) or `{ i }` when the file is to be read
 * on the calling thread instead.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const fs = require('node:fs');
const crypto = require('node:crypto');
const zlib = require('node:zlib');
const { wholeMax, tarMax } = workerData;
parentPort.on('message', ({ paths, ctl }) => {
  work(paths, ctl);
  // Idle from here on: the calling thread terminates a worker only after this, because
  // terminating one inside a zlib call can abort the whole process (a Node assertion).
  parentPort.postMessage({ done: true });
});
function work(paths, ctl) {
  for (;;) {
    const i = Atomics.add(ctl, 0, 1);
    if (i >= paths.length) return;
    // Stay at most a window ahead of the calling thread, so memory stays bounded.
    for (let allowed; i >= (allowed = Atomics.load(ctl, 1)) && Atomics.load(ctl, 2) === 0; ) Atomics.wait(ctl, 1, allowed);
    if (Atomics.load(ctl, 2) !== 0) return;
    let raw;
    try {
      const fd = fs.openSync(paths[i], 'r');
      try {
        const st = fs.fstatSync(fd);
        if (!st.isFile() || st.size > wholeMax) { parentPort.postMessage({ i }); continue; }
        raw = fs.readFileSync(fd);
      } finally {
        fs.closeSync(fd);
      }
    } catch {
      parentPort.postMessage({ i });
      continue;
    }
    const sha256 = crypto.createHash('sha256').update(raw).digest('hex');
    const md5 = crypto.createHash('md5').update(raw).digest('hex');
    let tar;
    try {
      if (raw.length >= 2 && raw[0] === 0x1f && raw[1] === 0x8b) tar = zlib.gunzipSync(raw, { maxOutputLength: tarMax });
      else if (raw.length >= 4 && raw[0] === 0x28 && raw[1] === 0xb5 && raw[2] === 0x2f && raw[3] === 0xfd && typeof zlib.zstdDecompressSync === 'function') tar = zlib.zstdDecompressSync(raw, { maxOutputLength: tarMax });
    } catch {
      tar = undefined; // this thread inflates it and reports what is wrong
    }
    const rawBytes = new Uint8Array(raw.buffer, raw.byteOffset, raw.length);
    const tarBytes = tar === undefined ? undefined : new Uint8Array(tar.buffer, tar.byteOffset, tar.length);
    const transfer = [];
    if (rawBytes.byteOffset === 0 && rawBytes.byteLength === rawBytes.buffer.byteLength) transfer.push(rawBytes.buffer);
    if (tarBytes !== undefined && tarBytes.buffer !== rawBytes.buffer && tarBytes.byteOffset === 0 && tarBytes.byteLength === tarBytes.buffer.byteLength) transfer.push(tarBytes.buffer);
    parentPort.postMessage({ i, raw: rawBytes, sha256, md5, tar: tarBytes }, transfer);
  }
}
`;

/** Bytes of read results waiting for this thread beyond which the workers slow down to its pace. */
const HELD_BUDGET = 64 * 1024 * 1024;

type WorkerAnswer = { i: number; raw?: Uint8Array; sha256?: string; md5?: string; tar?: Uint8Array };
type WorkerMessage = WorkerAnswer | { done: true };

/** The default worker count: one per available core. */
export function defaultReadWorkers(): number {
  return Math.max(1, nodeBuiltin<typeof import('node:os')>('node:os').availableParallelism());
}

/**
 * Read `paths` with {@link readPackage} semantics, on `workers` worker threads (0: this thread,
 * `concurrency` files at a time). Results in input order; the first error (in input order of
 * completion) rejects, after the workers are stopped.
 */
export async function readPackages(paths: readonly string[], workers: number, options: ReadPackageOptions & { concurrency?: number } = {}): Promise<AlpmPackageFile[]> {
  if (!Number.isInteger(workers) || workers < 0) throw new RepokitError('INVALID_ARGUMENT', `workers must be a non-negative integer, not ${String(workers)}`);
  const { concurrency, ...readOptions } = options;
  const n = Math.min(workers, paths.length);
  if (n === 0) return readHere(paths, concurrency ?? 4, readOptions);
  options.signal?.throwIfAborted();
  const { Worker } = nodeBuiltin<NodeWorkers>('node:worker_threads');
  const pool: import('node:worker_threads').Worker[] = [];
  /** One per worker: settles once the worker is idle (its loop has ended) or gone. */
  const idle: Promise<void>[] = [];
  const out = new Array<AlpmPackageFile>(paths.length);
  const answers = new Array<WorkerAnswer | undefined>(paths.length);
  let wake: (() => void) | null = null;
  let failure = null as { error: unknown } | null;
  const onAbort = (): void => {
    failure ??= { error: options.signal!.reason };
    wake?.();
  };
  options.signal?.addEventListener('abort', onAbort);
  let ctl: Int32Array | undefined;
  try {
    ctl = new Int32Array(new SharedArrayBuffer(12));
    // How far the workers may run ahead: far while the results waiting here are small, one file
    // each once they hold more than HELD_BUDGET bytes.
    const ahead = (): number => (held > HELD_BUDGET ? n : 64);
    let held = 0;
    ctl[1] = ahead();
    // Never inflate more than readPackage would in one piece: beyond it, this thread decides.
    const limit = options.maxUncompressedSize;
    const tarMax = Math.min(typeof limit === 'number' && limit > 0 ? limit + 1024 * 1024 : PACKAGE_LIMITS.maxUncompressedSize, WHOLE_TAR_MAX);
    for (let k = 0; k < n; k++) {
      const w = new Worker(WORKER_SOURCE, { eval: true, workerData: { wholeMax: WHOLE_FILE_MAX, tarMax } });
      let settle!: () => void;
      idle.push(new Promise<void>((resolve) => (settle = resolve)));
      w.once('exit', () => settle());
      w.on('message', (m: WorkerMessage) => {
        if ('done' in m) {
          settle();
          return;
        }
        answers[m.i] = m;
        held += (m.raw?.length ?? 0) + (m.tar?.length ?? 0);
        wake?.();
      });
      w.on('error', (e) => {
        failure ??= { error: e };
        settle();
        wake?.();
      });
      pool.push(w);
      w.postMessage({ paths: [...paths], ctl });
    }
    // Walk the answers in input order as they arrive, while the workers read the next files.
    for (let i = 0; i < paths.length; i++) {
      let a = answers[i];
      while (a === undefined) {
        if (failure !== null) throw (failure as { error: unknown }).error;
        await new Promise<void>((resolve) => (wake = resolve));
        wake = null;
        a = answers[i];
      }
      answers[i] = undefined;
      held -= (a.raw?.length ?? 0) + (a.tar?.length ?? 0);
      Atomics.store(ctl, 1, i + 1 + ahead());
      Atomics.notify(ctl, 1);
      if (failure !== null) throw (failure as { error: unknown }).error;
      const path = paths[i]!;
      if (a.raw === undefined || a.sha256 === undefined || a.md5 === undefined) {
        out[i] = await readPackage(path, readOptions);
      } else {
        const pre: PreparedPackage = { whole: a.raw, sha256: a.sha256, md5: a.md5 };
        if (a.tar !== undefined) pre.tar = a.tar;
        out[i] = await readPackagePrepared(path, pre, readOptions);
      }
    }
    return out;
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    if (ctl !== undefined) {
      Atomics.store(ctl, 2, 1);
      Atomics.notify(ctl, 1);
    }
    // Let every worker finish the file in hand (bounded by the whole-file limit) before it goes.
    await Promise.all(idle);
    await Promise.all(pool.map((w) => w.terminate()));
  }
}

async function readHere(paths: readonly string[], concurrency: number, options: ReadPackageOptions): Promise<AlpmPackageFile[]> {
  const out = new Array<AlpmPackageFile>(paths.length);
  let next = 0;
  const run = async (): Promise<void> => {
    while (next < paths.length) {
      const i = next++;
      out[i] = await readPackage(paths[i]!, options);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, paths.length)) }, run));
  return out;
}
