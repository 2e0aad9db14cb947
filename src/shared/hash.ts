/**
 * Streaming digests and file chunks. Edge module: `node:crypto` and `node:fs` are reached through
 * `process.getBuiltinModule` when a function is called, never at import time.
 */
import { RepokitError } from './errors.js';
import { nodeBuiltin } from './input.js';
import { ioError } from './io-error.js';

/** Digest algorithms repokit uses (all provided by Node's OpenSSL). */
export type HashAlgorithm = 'md5' | 'sha1' | 'sha256' | 'sha512' | 'blake2b512';

/** An incremental digest. */
export interface Hasher {
  update(chunk: Uint8Array): void;
  /** The digest; the hasher cannot be used afterwards. */
  digest(): Uint8Array;
}

const ALGORITHMS: readonly HashAlgorithm[] = ['md5', 'sha1', 'sha256', 'sha512', 'blake2b512'];

type NodeCrypto = typeof import('node:crypto');
type NodeFsPromises = typeof import('node:fs/promises');

function checkAlgorithm(a: unknown): HashAlgorithm {
  if (!ALGORITHMS.includes(a as HashAlgorithm)) {
    throw new RepokitError('INVALID_ARGUMENT', `unknown hash algorithm ${JSON.stringify(a)} (known: ${ALGORITHMS.join(', ')})`);
  }
  return a as HashAlgorithm;
}

/** A streaming hasher backed by `node:crypto` (`blake2b512` is BLAKE2b with a 64-byte digest, as `b2sum`). */
export function createHasher(algorithm: HashAlgorithm): Hasher {
  const crypto = nodeBuiltin<NodeCrypto>('node:crypto');
  const h = crypto.createHash(checkAlgorithm(algorithm));
  return {
    update(chunk: Uint8Array): void {
      h.update(chunk);
    },
    digest(): Uint8Array {
      const d = h.digest();
      return new Uint8Array(d.buffer, d.byteOffset, d.length);
    },
  };
}

const DEFAULT_CHUNK = 256 * 1024;

/**
 * Reads a file with one reusable buffer. With `reuse`, each yielded view is only valid until the
 * next step (callers that consume synchronously, like hashers, need no copy); otherwise each chunk
 * is copied out of the buffer so it can be kept.
 */
async function* readChunks(path: string, chunkSize: number, signal: AbortSignal | undefined, reuse: boolean): AsyncGenerator<Uint8Array> {
  if (!Number.isSafeInteger(chunkSize) || chunkSize < 1) throw new RepokitError('INVALID_ARGUMENT', `chunkSize must be a positive integer, got ${String(chunkSize)}`);
  const fs = nodeBuiltin<NodeFsPromises>('node:fs/promises');
  signal?.throwIfAborted();
  let fh: Awaited<ReturnType<NodeFsPromises['open']>>;
  try {
    fh = await fs.open(path, 'r');
  } catch (e) {
    throw ioError(e, path);
  }
  try {
    const buf = new Uint8Array(chunkSize);
    for (;;) {
      signal?.throwIfAborted();
      let n: number;
      try {
        ({ bytesRead: n } = await fh.read(buf, 0, chunkSize, null));
      } catch (e) {
        throw ioError(e, path);
      }
      if (n === 0) return;
      yield reuse ? buf.subarray(0, n) : buf.slice(0, n);
    }
  } finally {
    await fh.close().catch(() => undefined);
  }
}

/**
 * The bytes of a file as chunks of up to `chunkSize` bytes (default 256 KiB), read sequentially
 * through one `FileHandle` and one reusable read buffer. Each chunk is a copy of exactly the bytes
 * read, so it may be kept (e.g. by a decompressor that holds on to its input). Errors are
 * `IO_ERROR` with `file` set; an aborted `signal` rejects with its reason.
 */
export function fileChunks(path: string, options: { chunkSize?: number; signal?: AbortSignal } = {}): AsyncIterable<Uint8Array> {
  return readChunks(path, options.chunkSize ?? DEFAULT_CHUNK, options.signal, false);
}

/**
 * Size and digests of a file in one read pass: every chunk is fed to one hasher per algorithm
 * (no copies). `digests` has one entry per requested algorithm.
 */
export async function hashFile(
  path: string,
  algorithms: readonly HashAlgorithm[],
  options: { signal?: AbortSignal } = {},
): Promise<{ size: number; digests: Record<HashAlgorithm, Uint8Array> }> {
  const unique = [...new Set(algorithms.map(checkAlgorithm))];
  const hashers = unique.map((a) => [a, createHasher(a)] as const);
  let size = 0;
  for await (const chunk of readChunks(path, DEFAULT_CHUNK, options.signal, true)) {
    size += chunk.length;
    for (const [, h] of hashers) h.update(chunk);
  }
  const digests = {} as Record<HashAlgorithm, Uint8Array>;
  for (const [a, h] of hashers) digests[a] = h.digest();
  return { size, digests };
}
