/**
 * Reading pkglists and srclists: RPM header blobs back to back, each with the 8-byte magic, no
 * lead, no signature header, no padding between them (reference aptrpm.md §1.4). Each header gets
 * rpm's own checks (parseHeader, kind `blob`: intro limits, entry checks, packing), plus apt's
 * "Corrupt pkglist: no RPMTAG_NAME" check.
 *
 * `parsePkglist` is pure (uncompressed bytes in memory). `readPkglist` streams from a file, bytes or a
 * stream, plain or compressed (xz including concatenated streams, bzip2, gzip, zstd): only one
 * header (plus the decompressor's buffers) is held at a time.
 */
import { RepokitError } from '../shared/errors.js';
import { fileChunks } from '../shared/hash.js';
import { nodeBuiltin, type ByteInput, type NodeReadableLike } from '../shared/input.js';
import { checkHeaderIntro, parseHeader, RpmType, type Header, type HeaderLimits, type RpmProfile } from '../rpm/index.js';
import { TAG } from './tags.js';

export interface ReadPkglistOptions {
  /** `rpm` (default) or `strict` (rpm.md §2.8's extra checks, e.g. sorted tags). */
  profile?: RpmProfile;
  /** Lower rpm's per-header limits (65,535 entries, 0x0FFFFFFF data bytes). */
  limits?: Partial<HeaderLimits>;
  /**
   * Refuse a header without a STRING NAME tag, as apt does ("Corrupt pkglist: no RPMTAG_NAME in
   * header entry"). Default true.
   */
  requireName?: boolean;
  /** Largest uncompressed size accepted for a compressed list (default 1 GiB) → LIMIT_EXCEEDED. */
  maxUncompressedBytes?: number;
  signal?: AbortSignal;
}

/** One header of a list and where it was. */
export interface PkglistEntry {
  header: Header;
  /** 0-based position in the list. */
  index: number;
  /** Byte offset of the header in the (uncompressed) list; `header.base` is the same. */
  offset: number;
}

const INTRO = 16;

function checkParsed(header: Header, options: ReadPkglistOptions, offset: number, index: number): void {
  if (options.requireName === false) return;
  const e = header.entry(TAG.NAME);
  if (e === undefined || e.type !== RpmType.STRING) {
    throw new RepokitError('APTRPM_BAD_PKGLIST', `header ${index} has no NAME (STRING) tag; apt rejects the list ("Corrupt pkglist")`, {
      offset,
    });
  }
}

function parseOne(blob: Uint8Array, offset: number, index: number, options: ReadPkglistOptions): PkglistEntry {
  const header = parseHeader(blob, { kind: 'blob', base: offset, profile: options.profile ?? 'rpm', limits: options.limits ?? {} });
  checkParsed(header, options, offset, index);
  return { header, index, offset };
}

/**
 * Parse an uncompressed pkglist or srclist held in memory, header by header. Headers are views
 * into `bytes`. A compressed input throws APTRPM_BAD_PKGLIST naming the compression (use
 * {@link readPkglist}); an empty input is an empty list.
 */
export function* parsePkglist(bytes: Uint8Array, options: ReadPkglistOptions = {}): Generator<PkglistEntry> {
  let p = 0;
  let index = 0;
  if (bytes.length > 0 && bytes[0] !== 0x8e) refuseCompressed(bytes);
  while (p < bytes.length) {
    const rest = bytes.subarray(p);
    if (rest.length < INTRO) {
      throw new RepokitError('TRUNCATED', `header ${index}: ${rest.length} bytes left, a header intro needs ${INTRO}`, { offset: p });
    }
    const { total } = checkHeaderIntro(rest, { kind: 'blob', base: p, limits: options.limits ?? {} });
    if (rest.length < total) {
      throw new RepokitError('TRUNCATED', `header ${index}: needs ${total} bytes, ${rest.length} left`, { offset: bytes.length });
    }
    yield parseOne(rest.subarray(0, total), p, index, options);
    p += total;
    index++;
  }
}

const MAGICS: readonly (readonly [string, readonly number[]])[] = [
  ['xz', [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]],
  ['bzip2', [0x42, 0x5a, 0x68]],
  ['gzip', [0x1f, 0x8b]],
  ['zstd', [0x28, 0xb5, 0x2f, 0xfd]],
];

function refuseCompressed(bytes: Uint8Array): void {
  for (const [name, magic] of MAGICS) {
    if (bytes.length >= magic.length && magic.every((b, i) => bytes[i] === b)) {
      throw new RepokitError('APTRPM_BAD_PKGLIST', `the list is ${name}-compressed; decompress it first or use readPkglist`, { offset: 0 });
    }
  }
}

/** Anything readPkglist accepts: a path, URL, bytes, a Node or web stream, or chunks. */
export type PkglistInput = ByteInput | AsyncIterable<Uint8Array> | Iterable<Uint8Array>;

/** Read size for list files: large, since a list is parsed as one stream of headers. */
const CHUNK = 1 << 20;

function chunkOptions(signal: AbortSignal | undefined): { chunkSize: number; signal?: AbortSignal } {
  return signal === undefined ? { chunkSize: CHUNK } : { chunkSize: CHUNK, signal };
}

function isNodeReadable(x: unknown): x is NodeReadableLike & AsyncIterable<unknown> {
  return typeof x === 'object' && x !== null && typeof (x as NodeReadableLike).on === 'function' && Symbol.asyncIterator in x;
}

async function* toChunks(input: PkglistInput, signal: AbortSignal | undefined): AsyncGenerator<Uint8Array> {
  if (typeof input === 'string') {
    yield* fileChunks(input, chunkOptions(signal));
  } else if (input instanceof URL) {
    const url = nodeBuiltin<typeof import('node:url')>('node:url');
    yield* fileChunks(url.fileURLToPath(input), chunkOptions(signal));
  } else if (input instanceof Uint8Array) {
    yield input;
  } else if (input instanceof ArrayBuffer) {
    yield new Uint8Array(input);
  } else if (typeof ReadableStream !== 'undefined' && input instanceof ReadableStream) {
    const reader = (input as ReadableStream<Uint8Array>).getReader();
    try {
      for (;;) {
        const r = await reader.read();
        if (r.done) return;
        yield chunkOf(r.value);
      }
    } finally {
      reader.releaseLock();
    }
  } else if (isNodeReadable(input) || (typeof input === 'object' && input !== null && Symbol.asyncIterator in input)) {
    for await (const c of input as AsyncIterable<unknown>) yield chunkOf(c);
  } else if (typeof input === 'object' && input !== null && Symbol.iterator in input) {
    for (const c of input as Iterable<unknown>) yield chunkOf(c);
  } else {
    throw new RepokitError('INVALID_ARGUMENT', 'readPkglist: expected a path, URL, bytes, a stream or an iterable of byte chunks');
  }
}

function chunkOf(c: unknown): Uint8Array {
  if (c instanceof Uint8Array) return c;
  throw new RepokitError('INVALID_ARGUMENT', 'readPkglist: a stream chunk is not a Uint8Array');
}

/**
 * A FIFO of byte chunks from which exact byte counts are taken (copying only what is taken). Each
 * taken header gets its own buffer, so nothing keeps the decompressor's chunks alive.
 */
class ChunkQueue {
  #chunks: Uint8Array[] = [];
  #head = 0;
  length = 0;

  push(c: Uint8Array): void {
    if (c.length === 0) return;
    this.#chunks.push(c);
    this.length += c.length;
  }

  /** Copy the first `n` bytes (n ≤ length) without consuming them. */
  peek(n: number): Uint8Array {
    return this.#copy(n, false);
  }

  /** Remove and return the first `n` bytes (n ≤ length). */
  take(n: number): Uint8Array {
    return this.#copy(n, true);
  }

  #copy(n: number, consume: boolean): Uint8Array {
    const out = new Uint8Array(n);
    let got = 0;
    let i = 0;
    let head = this.#head;
    while (got < n) {
      const c = this.#chunks[i]!;
      const avail = c.length - head;
      const k = Math.min(avail, n - got);
      out.set(c.subarray(head, head + k), got);
      got += k;
      if (k === avail) {
        i++;
        head = 0;
      } else {
        head += k;
      }
    }
    if (consume) {
      this.#chunks.splice(0, i);
      this.#head = head;
      this.length -= n;
    }
    return out;
  }
}

/**
 * Read a pkglist or srclist header by header as a stream: from a path, URL, bytes, a Node
 * Readable, a web ReadableStream or an (async) iterable of chunks; plain, or compressed (detected
 * by magic: xz including concatenated streams, bzip2, gzip, zstd). Memory stays bounded by the
 * largest header plus the decompressor's buffers. Errors carry the offset in the uncompressed
 * list and, for paths, the file.
 */
export async function* readPkglist(input: PkglistInput, options: ReadPkglistOptions = {}): AsyncGenerator<PkglistEntry> {
  const file = typeof input === 'string' ? input : input instanceof URL ? input.href : undefined;
  try {
    const { decompressStream } = await import('../shared/compression.js');
    const decompressOptions: { maxOutput?: number; signal?: AbortSignal } = {};
    if (options.maxUncompressedBytes !== undefined) decompressOptions.maxOutput = options.maxUncompressedBytes;
    if (options.signal !== undefined) decompressOptions.signal = options.signal;
    const chunks = decompressStream(toChunks(input, options.signal), decompressOptions);
    const q = new ChunkQueue();
    let offset = 0;
    let index = 0;
    let need = INTRO;
    let total = -1;
    const limitOptions = { kind: 'blob' as const, limits: options.limits ?? {} };
    const drain = function* (): Generator<PkglistEntry> {
      for (;;) {
        if (total < 0) {
          if (q.length < INTRO) return;
          total = checkHeaderIntro(q.peek(INTRO), { ...limitOptions, base: offset }).total;
          need = total;
        }
        if (q.length < need) return;
        const blob = q.take(total);
        const entry = parseOne(blob, offset, index, options);
        offset += total;
        index++;
        total = -1;
        need = INTRO;
        yield entry;
      }
    };
    for await (const c of chunks) {
      // The decompressor may reuse its chunk after we ask for the next one: copy what we keep.
      q.push(c.slice());
      yield* drain();
    }
    yield* drain();
    if (q.length > 0) {
      throw new RepokitError(
        'TRUNCATED',
        total < 0
          ? `header ${index}: ${q.length} bytes left, a header intro needs ${INTRO}`
          : `header ${index}: needs ${total} bytes, ${q.length} left`,
        { offset: offset + q.length },
      );
    }
  } catch (e) {
    if (file !== undefined && e instanceof RepokitError) e.withFile(file);
    throw e;
  }
}

/** Read a whole list into an array of headers (convenience over {@link readPkglist}). */
export async function readPkglistHeaders(input: PkglistInput, options: ReadPkglistOptions = {}): Promise<Header[]> {
  const out: Header[] = [];
  for await (const e of readPkglist(input, options)) out.push(e.header);
  return out;
}
