/**
 * SHA-256 and size of package files on worker threads, so indexing uses every core: the main
 * thread reads the plists at the head of each package while workers hash whole files. The worker
 * is a small self-contained script (node:fs + node:crypto only) started with `eval`, so it needs
 * no module file next to the bundle. Results go back to the caller in request order, so output
 * never depends on the number of workers.
 *
 * Edge module: node:worker_threads, node:os, node:fs and node:crypto are reached at call time.
 */
import { RepokitError } from '../shared/errors.js';
import { nodeBuiltin } from '../shared/input.js';

type NodeWorkers = typeof import('node:worker_threads');
type NodeCrypto = typeof import('node:crypto');
type NodeFs = typeof import('node:fs');

/** A file's SHA-256 (lowercase hex) and size. */
export interface FileHash {
  sha256: string;
  size: number;
}

const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const fs = require('node:fs');
const crypto = require('node:crypto');
const buf = Buffer.allocUnsafe(1 << 20);
parentPort.on('message', ({ id, path }) => {
  let fd;
  try {
    fd = fs.openSync(path, 'r');
    const h = crypto.createHash('sha256');
    let size = 0;
    for (let n; (n = fs.readSync(fd, buf, 0, buf.length, null)) > 0; ) { h.update(buf.subarray(0, n)); size += n; }
    parentPort.postMessage({ id, sha256: h.digest('hex'), size });
  } catch (e) {
    parentPort.postMessage({ id, error: { code: e && e.code, message: String(e && e.message || e) } });
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
});
`;

function ioError(path: string, code: unknown, message: string): RepokitError {
  return new RepokitError('IO_ERROR', typeof code === 'string' ? `cannot read: ${code}` : `cannot read: ${message}`, { file: path });
}

/** Hash one file on the calling thread (async reads, digest on this thread). */
export async function hashFileHere(path: string): Promise<FileHash> {
  const fs = nodeBuiltin<NodeFs>('node:fs');
  const h = nodeBuiltin<NodeCrypto>('node:crypto').createHash('sha256');
  let fh: import('node:fs/promises').FileHandle;
  try {
    fh = await fs.promises.open(path, 'r');
  } catch (e) {
    throw ioError(path, (e as { code?: unknown }).code, String(e));
  }
  try {
    const buf = new Uint8Array(1 << 20);
    let size = 0;
    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, buf.length, null);
      if (bytesRead === 0) break;
      h.update(buf.subarray(0, bytesRead));
      size += bytesRead;
    }
    return { sha256: h.digest('hex'), size };
  } catch (e) {
    throw ioError(path, (e as { code?: unknown }).code, String(e));
  } finally {
    await fh.close().catch(() => undefined);
  }
}

/** A pool of hashing workers. {@link HashPool.close} must be called when done. */
export class HashPool {
  readonly #workers: import('node:worker_threads').Worker[] = [];
  readonly #pending = new Map<number, { path: string; resolve: (h: FileHash) => void; reject: (e: unknown) => void }>();
  readonly #queue: { id: number; path: string }[] = [];
  readonly #idle: import('node:worker_threads').Worker[] = [];
  #next = 0;
  #failed: unknown;

  /** Start `size` workers (at least 1). */
  constructor(size: number) {
    const { Worker } = nodeBuiltin<NodeWorkers>('node:worker_threads');
    for (let i = 0; i < Math.max(1, size); i++) {
      const w = new Worker(WORKER_SOURCE, { eval: true });
      w.on('message', (m: { id: number; sha256?: string; size?: number; error?: { code?: unknown; message: string } }) => {
        const p = this.#pending.get(m.id);
        this.#pending.delete(m.id);
        this.#dispatch(w);
        if (!p) return;
        if (m.error) p.reject(ioError(p.path, m.error.code, m.error.message));
        else p.resolve({ sha256: m.sha256!, size: m.size! });
      });
      w.on('error', (e) => {
        this.#failed = e;
        for (const p of this.#pending.values()) p.reject(e);
        this.#pending.clear();
      });
      this.#workers.push(w);
      this.#idle.push(w);
    }
  }

  #dispatch(w: import('node:worker_threads').Worker): void {
    const job = this.#queue.shift();
    if (job === undefined) {
      this.#idle.push(w);
      return;
    }
    w.postMessage(job);
  }

  /** SHA-256 and size of a file, computed by the next free worker. */
  hash(path: string): Promise<FileHash> {
    if (this.#failed !== undefined) return Promise.reject(this.#failed);
    const id = this.#next++;
    const p = new Promise<FileHash>((resolve, reject) => this.#pending.set(id, { path, resolve, reject }));
    this.#queue.push({ id, path });
    const w = this.#idle.pop();
    if (w !== undefined) this.#dispatch(w);
    return p;
  }

  /** Stop the workers. */
  async close(): Promise<void> {
    await Promise.all(this.#workers.map((w) => w.terminate()));
  }
}

/** How many hashing workers to use by default: one per available core, at most 4. */
export function defaultWorkerCount(): number {
  const os = nodeBuiltin<typeof import('node:os')>('node:os');
  return Math.max(1, Math.min(4, os.availableParallelism()));
}
