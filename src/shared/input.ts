/**
 * Byte sources for readers that pull exactly the bytes they need: a buffer, a file path, a Node
 * Readable or a web ReadableStream. Node built-ins are reached through process.getBuiltinModule
 * at call time, so modules importing this still load in runtimes without them.
 */
import { RepokitError } from './errors.js';
import { ioError } from './io-error.js';

/** Anything repokit's readers accept as input. */
export type ByteInput =
  | string
  | URL
  | Uint8Array
  | ArrayBuffer
  | NodeReadableLike
  | ReadableStream<Uint8Array>;

/** The parts of a Node Readable the stream source uses. */
export interface NodeReadableLike {
  read(size?: number): unknown;
  on(event: string, cb: (...args: unknown[]) => void): unknown;
  off?(event: string, cb: (...args: unknown[]) => void): unknown;
  removeListener(event: string, cb: (...args: unknown[]) => void): unknown;
  unshift?(chunk: unknown): void;
  readableEnded?: boolean;
}

/**
 * A pull request: the next `n` bytes, returned contiguous with the last `keep` bytes of the
 * previous result (so a header's intro and body come back as one view without a copy for buffers).
 */
export interface Need {
  n: number;
  keep: number;
}

export interface SyncSource {
  /** Bytes consumed so far. */
  readonly position: number;
  /** Returns keep + up to n bytes; fewer only at end of input. */
  pull(need: Need): Uint8Array;
  /** Feeds every remaining byte to `onChunk`. */
  drain(onChunk: (chunk: Uint8Array) => void): void;
  close(): void;
  /** Total size when known up front (buffers, files). */
  readonly size: number | undefined;
  readonly name: string | undefined;
}

export interface AsyncSource {
  readonly position: number;
  /** When the size is learned asynchronously: resolves to it once known. */
  knownSize?(): Promise<number | undefined>;
  pull(need: Need): Promise<Uint8Array>;
  drain(onChunk: (chunk: Uint8Array) => void): Promise<void>;
  close(): Promise<void>;
  readonly size: number | undefined;
  readonly name: string | undefined;
}

type NodeFs = typeof import('node:fs');
type NodeUrl = typeof import('node:url');

/** A Node built-in, or a typed error saying this runtime lacks it. */
export function nodeBuiltin<T>(name: string): T {
  const proc = (globalThis as { process?: { getBuiltinModule?: (n: string) => unknown } }).process;
  const mod = proc?.getBuiltinModule?.(name);
  if (!mod) {
    throw new RepokitError('INVALID_ARGUMENT', `${name} is not available in this runtime; pass the bytes instead of a path or stream`);
  }
  return mod as T;
}

function toPath(input: string | URL): string {
  if (typeof input === 'string') return input;
  return nodeBuiltin<NodeUrl>('node:url').fileURLToPath(input);
}

export class BufferSource implements SyncSource {
  readonly bytes: Uint8Array;
  position = 0;
  readonly name: string | undefined;
  constructor(bytes: Uint8Array, name?: string) {
    this.bytes = bytes;
    this.name = name;
  }
  get size(): number {
    return this.bytes.length;
  }
  pull(need: Need): Uint8Array {
    const start = Math.max(0, this.position - need.keep);
    const end = Math.min(this.bytes.length, this.position + need.n);
    this.position = Math.max(this.position, end);
    return this.bytes.subarray(start, end);
  }
  drain(onChunk: (chunk: Uint8Array) => void): void {
    if (this.position < this.bytes.length) onChunk(this.bytes.subarray(this.position));
    this.position = this.bytes.length;
  }
  close(): void {}
}

/** A sync source used through the async interface. */
export class SyncAsAsync implements AsyncSource {
  readonly #src: SyncSource;
  constructor(src: SyncSource) {
    this.#src = src;
  }
  get position(): number {
    return this.#src.position;
  }
  get size(): number | undefined {
    return this.#src.size;
  }
  get name(): string | undefined {
    return this.#src.name;
  }
  async pull(need: Need): Promise<Uint8Array> {
    return this.#src.pull(need);
  }
  async drain(onChunk: (chunk: Uint8Array) => void): Promise<void> {
    this.#src.drain(onChunk);
  }
  async close(): Promise<void> {
    this.#src.close();
  }
}

const DRAIN_CHUNK = 1 << 20;
/** Largest read the async file source issues before it knows the file's size. */
const ASYNC_UNCLAMPED_READ = 64 * 1024;

/**
 * A plain Uint8Array over memory from Buffer.allocUnsafe: no zero-filling and, for small sizes,
 * Node's buffer pool — a fresh zeroed array per read cost more than the read itself. Callers fill
 * every byte they expose (short reads are cut off with subarray).
 */
function uninitialized(n: number): Uint8Array {
  const mem = Buffer.allocUnsafe(n);
  return new Uint8Array(mem.buffer, mem.byteOffset, n);
}

export class FileSyncSource implements SyncSource {
  readonly name: string;
  /** Known for regular files; undefined for pipes, sockets and devices (e.g. /dev/stdin). */
  readonly size: number | undefined;
  position = 0;
  #fd: number;
  #fs: NodeFs;
  /** Regular files are read at explicit positions; anything else sequentially. */
  #seekable: boolean;
  #last: Uint8Array = new Uint8Array(0);

  constructor(path: string | URL) {
    this.name = toPath(path);
    this.#fs = nodeBuiltin<NodeFs>('node:fs');
    try {
      this.#fd = this.#fs.openSync(this.name, 'r');
    } catch (e) {
      throw ioError(e, this.name);
    }
    try {
      const st = this.#fs.fstatSync(this.#fd);
      this.#seekable = st.isFile();
      this.size = this.#seekable ? st.size : undefined;
    } catch (e) {
      this.close();
      throw ioError(e, this.name);
    }
  }

  pull(need: Need): Uint8Array {
    const keep = Math.min(need.keep, this.#last.length);
    const want = Math.max(0, this.size === undefined ? need.n : Math.min(need.n, this.size - this.position));
    const out = uninitialized(keep + want);
    if (keep > 0) out.set(this.#last.subarray(this.#last.length - keep), 0);
    let got = 0;
    try {
      while (got < want) {
        const r = this.#fs.readSync(this.#fd, out, keep + got, want - got, this.#seekable ? this.position + got : null);
        if (r === 0) break;
        got += r;
      }
    } catch (e) {
      throw ioError(e, this.name);
    }
    this.position += got;
    this.#last = got === want ? out : out.subarray(0, keep + got);
    return this.#last;
  }

  drain(onChunk: (chunk: Uint8Array) => void): void {
    const buf = new Uint8Array(DRAIN_CHUNK);
    try {
      for (;;) {
        const r = this.#fs.readSync(this.#fd, buf, 0, buf.length, this.#seekable ? this.position : null);
        if (r === 0) break;
        this.position += r;
        onChunk(buf.subarray(0, r));
      }
    } catch (e) {
      throw ioError(e, this.name);
    }
  }

  close(): void {
    try {
      this.#fs.closeSync(this.#fd);
    } catch {
      // closing a descriptor we opened cannot fail in a way the caller can act on
    }
  }
}

export class FileAsyncSource implements AsyncSource {
  readonly name: string;
  size: number | undefined;
  position = 0;
  #fs: NodeFs;
  #fd = -1;
  #stat: Promise<void> | undefined;
  #last: Uint8Array = new Uint8Array(0);

  private constructor(path: string, fs: NodeFs) {
    this.name = path;
    this.#fs = fs;
  }

  // The callback API, not FileHandle: each call is one thread-pool round trip with less overhead.
  static async open(path: string | URL): Promise<FileAsyncSource> {
    const src = new FileAsyncSource(toPath(path), nodeBuiltin<NodeFs>('node:fs'));
    const fs = src.#fs;
    src.#fd = await new Promise<number>((resolve, reject) =>
      fs.open(src.name, 'r', (err, fd) => (err ? reject(ioError(err, src.name)) : resolve(fd))),
    );
    // The size is needed only after the headers are read, so fstat runs alongside the reads.
    src.#stat = new Promise<void>((resolve) =>
      fs.fstat(src.#fd, (err, st) => {
        if (!err && st.isFile()) src.size = st.size;
        resolve();
      }),
    );
    return src;
  }

  /** The file size, once fstat has answered (undefined if it failed). */
  async knownSize(): Promise<number | undefined> {
    await this.#stat;
    return this.size;
  }

  /** Positioned reads until a read says the file is not seekable (a pipe): sequential from then on. */
  #seekable = true;

  #read(buf: Uint8Array, off: number, len: number, pos: number): Promise<number> {
    return new Promise((resolve, reject) =>
      this.#fs.read(this.#fd, buf, off, len, this.#seekable ? pos : null, (err, n) => {
        if (err && err.code === 'ESPIPE' && this.#seekable && this.position === 0) {
          this.#seekable = false;
          this.#read(buf, off, len, pos).then(resolve, reject);
        } else if (err) reject(ioError(err, this.name));
        else resolve(n);
      }),
    );
  }

  async pull(need: Need): Promise<Uint8Array> {
    // Small requests go ahead while fstat is in flight; a large one waits for the size, so a
    // header claiming more than the file holds never allocates more than the file.
    if (this.size === undefined && need.n > ASYNC_UNCLAMPED_READ) await this.#stat;
    const keep = Math.min(need.keep, this.#last.length);
    const want = Math.max(0, this.size === undefined ? need.n : Math.min(need.n, this.size - this.position));
    const out = uninitialized(keep + want);
    if (keep > 0) out.set(this.#last.subarray(this.#last.length - keep), 0);
    let got = 0;
    while (got < want) {
      const n = await this.#read(out, keep + got, want - got, this.position + got);
      if (n === 0) break;
      got += n;
    }
    this.position += got;
    this.#last = got === want ? out : out.subarray(0, keep + got);
    return this.#last;
  }

  async drain(onChunk: (chunk: Uint8Array) => void): Promise<void> {
    const buf = new Uint8Array(DRAIN_CHUNK);
    for (;;) {
      const n = await this.#read(buf, 0, buf.length, this.position);
      if (n === 0) break;
      this.position += n;
      onChunk(buf.subarray(0, n));
    }
  }

  async close(): Promise<void> {
    const fd = this.#fd;
    this.#fd = -1;
    if (fd < 0) return;
    // fstat must finish before the descriptor is closed (and possibly reused); the close itself
    // need not be waited for: nothing can fail in a way the caller could act on.
    await this.#stat;
    this.#fs.close(fd, () => undefined);
  }
}

/**
 * Pulls from a chunked stream, buffering only what a request needs beyond the chunk boundaries.
 * On close, unread buffered bytes are pushed back into a Node Readable (`unshift`), so the
 * caller can go on reading the payload from where the headers end.
 */
export class StreamSource implements AsyncSource {
  readonly name: string | undefined = undefined;
  readonly size: number | undefined = undefined;
  position = 0;
  #queue: Uint8Array[] = [];
  #queued = 0;
  #ended = false;
  #last: Uint8Array = new Uint8Array(0);
  #next: () => Promise<Uint8Array | null>;
  #finish: (rest: Uint8Array) => void;

  constructor(next: () => Promise<Uint8Array | null>, finish: (rest: Uint8Array) => void) {
    this.#next = next;
    this.#finish = finish;
  }

  static fromWeb(stream: ReadableStream<Uint8Array>): StreamSource {
    const reader = stream.getReader();
    return new StreamSource(
      async () => {
        const r = await reader.read();
        return r.done ? null : toU8(r.value);
      },
      () => reader.releaseLock(),
    );
  }

  static fromNode(stream: NodeReadableLike): StreamSource {
    let ended = false;
    let failed: unknown;
    let wake: (() => void) | undefined;
    const onEnd = () => {
      ended = true;
      wake?.();
    };
    const onError = (e: unknown) => {
      failed = e ?? new Error('stream error');
      wake?.();
    };
    const onReadable = () => wake?.();
    stream.on('end', onEnd);
    stream.on('error', onError);
    stream.on('readable', onReadable);
    const detach = () => {
      stream.removeListener('end', onEnd);
      stream.removeListener('error', onError);
      stream.removeListener('readable', onReadable);
    };
    return new StreamSource(
      async () => {
        for (;;) {
          if (failed !== undefined) throw failed;
          const c = stream.read();
          if (c !== null && c !== undefined) return toU8(c);
          if (ended || stream.readableEnded) return null;
          await new Promise<void>((resolve) => (wake = resolve));
          wake = undefined;
        }
      },
      (rest) => {
        detach();
        if (rest.length > 0 && typeof stream.unshift === 'function' && !stream.readableEnded) {
          stream.unshift(Buffer.from(rest.buffer, rest.byteOffset, rest.length));
        }
      },
    );
  }

  async #fill(n: number): Promise<void> {
    while (this.#queued < n && !this.#ended) {
      let c: Uint8Array | null;
      try {
        c = await this.#next();
      } catch (e) {
        throw ioError(e, undefined);
      }
      if (c === null) {
        this.#ended = true;
        break;
      }
      if (c.length === 0) continue;
      this.#queue.push(c);
      this.#queued += c.length;
    }
  }

  /** Move the next `n` queued bytes into `out` starting at `at` (default: a new array of n bytes). */
  #take(n: number, out: Uint8Array = new Uint8Array(n), at = 0): Uint8Array {
    let o = 0;
    while (o < n) {
      const c = this.#queue[0]!;
      const k = Math.min(c.length, n - o);
      out.set(c.subarray(0, k), at + o);
      o += k;
      if (k === c.length) this.#queue.shift();
      else this.#queue[0] = c.subarray(k);
    }
    this.#queued -= n;
    return out;
  }

  async pull(need: Need): Promise<Uint8Array> {
    await this.#fill(need.n);
    const want = Math.min(need.n, this.#queued);
    const keep = Math.min(need.keep, this.#last.length);
    // One allocation: the kept bytes, then the new ones taken straight from the queue.
    const out = new Uint8Array(keep + want);
    if (keep > 0) out.set(this.#last.subarray(this.#last.length - keep), 0);
    this.#take(want, out, keep);
    this.position += want;
    this.#last = out;
    return out;
  }

  async drain(onChunk: (chunk: Uint8Array) => void): Promise<void> {
    for (;;) {
      if (this.#queue.length === 0) await this.#fill(1);
      if (this.#queue.length === 0) return;
      const c = this.#queue.shift()!;
      this.#queued -= c.length;
      this.position += c.length;
      onChunk(c);
    }
  }

  async close(): Promise<void> {
    const rest = this.#queued > 0 ? this.#take(this.#queued) : new Uint8Array(0);
    this.#finish(rest);
  }
}

function toU8(c: unknown): Uint8Array {
  if (c instanceof Uint8Array) return c;
  if (typeof c === 'string') return new TextEncoder().encode(c);
  if (c instanceof ArrayBuffer) return new Uint8Array(c);
  throw new RepokitError('INVALID_ARGUMENT', 'stream produced a chunk that is not bytes');
}

function isNodeReadable(x: unknown): x is NodeReadableLike {
  return typeof x === 'object' && x !== null && typeof (x as NodeReadableLike).read === 'function' && typeof (x as NodeReadableLike).on === 'function';
}

function isWebStream(x: unknown): x is ReadableStream<Uint8Array> {
  return typeof x === 'object' && x !== null && typeof (x as ReadableStream).getReader === 'function';
}

/** Open any accepted input for async pulling. */
export async function openAsync(input: ByteInput): Promise<AsyncSource> {
  if (typeof input === 'string' || input instanceof URL) return FileAsyncSource.open(input);
  if (input instanceof Uint8Array) return new SyncAsAsync(new BufferSource(input));
  if (input instanceof ArrayBuffer) return new SyncAsAsync(new BufferSource(new Uint8Array(input)));
  if (isWebStream(input)) return StreamSource.fromWeb(input);
  if (isNodeReadable(input)) return StreamSource.fromNode(input);
  throw new RepokitError('INVALID_ARGUMENT', 'input must be a path, URL, Uint8Array, ArrayBuffer, Node Readable or ReadableStream');
}

/** Open a path or buffer for sync pulling. */
export function openSync(input: string | URL | Uint8Array | ArrayBuffer): SyncSource {
  if (typeof input === 'string' || input instanceof URL) return new FileSyncSource(input);
  if (input instanceof Uint8Array) return new BufferSource(input);
  if (input instanceof ArrayBuffer) return new BufferSource(new Uint8Array(input));
  throw new RepokitError('INVALID_ARGUMENT', 'input must be a path, URL, Uint8Array or ArrayBuffer (use the async reader for streams)');
}

/** Run a step machine (a generator yielding pull requests) over a sync source. */
export function driveSync<T>(steps: Generator<Need, T, Uint8Array>, src: SyncSource): T {
  let r = steps.next();
  while (!r.done) r = steps.next(src.pull(r.value));
  return r.value;
}

/** Run a step machine over an async source. */
export async function driveAsync<T>(steps: Generator<Need, T, Uint8Array>, src: AsyncSource): Promise<T> {
  let r = steps.next();
  while (!r.done) r = steps.next(await src.pull(r.value));
  return r.value;
}
