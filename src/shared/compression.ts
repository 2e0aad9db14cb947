/**
 * Compression: sniffing by magic bytes (pure), and gzip / xz / zstd / bzip2 / lz4 / lzip /
 * compress (.Z) / lzop / lrzip codecs with an output cap — every compression libarchive (and so
 * pacman) reads. The codecs live at the edge and are loaded when first used: gzip and zstd come
 * from `node:zlib` (through `process.getBuiltinModule`), xz and lzip's LZMA from `@napi-rs/lzma`
 * (dynamic import; lzip's framing is ./lzip.ts), bzip2, lz4 and compress from repokit's own
 * TypeScript codecs (./bzip2.ts, ./lz4.ts, ./lzw.ts), and lzop and lrzip from the external `lzop`
 * and `lrzip` programs, as libarchive does (./external-compression.ts). Nothing here imports a
 * Node built-in at module load, so the module (and sniffing) works in browsers.
 *
 * Every decoder counts its output as it goes and stops with `LIMIT_EXCEEDED` as soon as it would
 * pass `maxOutput`: a decompression bomb never materialises more than the cap (plus one chunk of at
 * most 64 KiB). Library errors become `CORRUPT_COMPRESSED_DATA` or `TRUNCATED`.
 */
import { concatBytes } from './bytes.js';
import { RepokitError, isRepokitError } from './errors.js';
import { nodeBuiltin } from './input.js';

/**
 * A compression repokit can decode and encode. `lzop` and `lrzip` need the `lzop` / `lrzip`
 * program on PATH (as libarchive does); the others are built in.
 */
export type Compression = 'none' | 'gzip' | 'xz' | 'zstd' | 'bzip2' | 'lz4' | 'lzip' | 'compress' | 'lzop' | 'lrzip';

/** What {@link sniffCompression} can recognise (every {@link Compression}; kept as a name of its own). */
export type DetectedCompression = Compression;

/** The usual file-name suffix of each compression ('' for none). */
export const COMPRESSION_SUFFIX: Record<Compression, string> = {
  none: '',
  gzip: '.gz',
  xz: '.xz',
  zstd: '.zst',
  bzip2: '.bz2',
  lz4: '.lz4',
  lzip: '.lz',
  compress: '.Z',
  lzop: '.lzo',
  lrzip: '.lrz',
};

/** Default output cap of the decoders: 1 GiB. */
export const DEFAULT_MAX_OUTPUT = 1024 * 1024 * 1024;

/**
 * Default levels, the ones the command-line tools use when given none (`gzip -6`, `xz -6`,
 * `zstd -3`, `bzip2 -9`, `lz4 -1`, `lzip -6`, `lzop -3`, `lrzip -L 7`), which is what repo-add
 * gets. For compress (.Z) the "level" is the largest code width in bits (`compress -b`, default
 * 16). xbps-rindex writes every format at level 9: pass `{ level: 9 }` to match it.
 */
export const DEFAULT_LEVEL: Record<Exclude<Compression, 'none'>, number> = { gzip: 6, xz: 6, zstd: 3, bzip2: 9, lz4: 1, lzip: 6, compress: 16, lzop: 3, lrzip: 7 };

/**
 * The levels {@link compress} accepts per format (lz4: 1 to 12, as the `lz4` tool; lzip: the
 * LZMA preset 0 to 9; compress: code width 10 to 16 bits, as libarchive reads no less).
 */
export const LEVEL_RANGE: Record<Exclude<Compression, 'none'>, readonly [number, number]> = {
  gzip: [1, 9],
  xz: [0, 9],
  zstd: [1, 22],
  bzip2: [1, 9],
  lz4: [1, 12],
  lzip: [0, 9],
  compress: [10, 16],
  lzop: [1, 9],
  lrzip: [1, 9],
};

/** How many leading bytes {@link sniffCompression} may look at (more lets it see past zstd skippable frames). */
export const SNIFF_BYTES = 512;

/**
 * Identify a compression format by its magic bytes ('none' when nothing matches). Give it at least
 * the first 6 bytes; with more it can also look past leading zstd/lz4 skippable frames.
 */
export function sniffCompression(head: Uint8Array): DetectedCompression {
  const b = head;
  const at = (i: number): number => b[i] ?? -1;
  if (at(0) === 0x1f && at(1) === 0x8b) return 'gzip';
  if (at(0) === 0x1f && at(1) === 0x9d) return 'compress';
  if (at(0) === 0xfd && at(1) === 0x37 && at(2) === 0x7a && at(3) === 0x58 && at(4) === 0x5a && at(5) === 0x00) return 'xz';
  if (at(0) === 0x28 && at(1) === 0xb5 && at(2) === 0x2f && at(3) === 0xfd) return 'zstd';
  if (at(0) === 0x42 && at(1) === 0x5a && at(2) === 0x68 && at(3) >= 0x31 && at(3) <= 0x39) return 'bzip2';
  if (at(0) === 0x04 && at(1) === 0x22 && at(2) === 0x4d && at(3) === 0x18) return 'lz4';
  if (at(0) === 0x02 && at(1) === 0x21 && at(2) === 0x4c && at(3) === 0x18) return 'lz4'; // legacy frame
  if (at(0) === 0x4c && at(1) === 0x5a && at(2) === 0x49 && at(3) === 0x50) return 'lzip'; // "LZIP"
  if (at(0) === 0x4c && at(1) === 0x52 && at(2) === 0x5a && at(3) === 0x49) return 'lrzip'; // "LRZI"
  if (at(0) === 0x89 && at(1) === 0x4c && at(2) === 0x5a && at(3) === 0x4f && at(4) === 0x00 && at(5) === 0x0d) return 'lzop';
  // Skippable frame (magic 0x184D2A50..5F, little-endian), shared by zstd and lz4: look behind it
  // when the head holds the next frame's magic; otherwise it is most likely zstd.
  if ((at(0) & 0xf0) === 0x50 && at(1) === 0x2a && at(2) === 0x4d && at(3) === 0x18) {
    let pos = 0;
    while (pos + 8 <= b.length && (b[pos]! & 0xf0) === 0x50 && b[pos + 1] === 0x2a && b[pos + 2] === 0x4d && b[pos + 3] === 0x18) {
      pos += 8 + (b[pos + 4]! | (b[pos + 5]! << 8) | (b[pos + 6]! << 16)) + b[pos + 7]! * 0x1000000;
    }
    if (pos + 4 <= b.length) {
      const next = sniffCompression(b.subarray(pos));
      if (next === 'lz4') return 'lz4';
    }
    return 'zstd';
  }
  return 'none';
}

/** Options of the decoders. */
export interface DecompressOptions {
  /** Largest decompressed size accepted (default 1 GiB); more is `LIMIT_EXCEEDED`. */
  maxOutput?: number;
  /** Stops the work; the promise/iterator rejects with the signal's reason. */
  signal?: AbortSignal;
}

/**
 * Decompress a whole buffer, sniffing its format ('none' returns the input itself). Multi-member
 * gzip, concatenated xz streams, concatenated zstd frames (and skippable frames), multi-stream
 * bzip2, concatenated lz4 frames (also skippable and legacy frames) and multi-member lzip are
 * decoded completely.
 *
 * gzip and zstd are decoded in one pass (per zstd frame) on Node's thread pool, so the event loop
 * is not blocked, into an output buffer sized from the size the data declares (gzip's ISIZE, zstd's
 * frame content size; trusted up to 64 times the input size, at least 1 MiB, and `maxOutput`):
 * the usual case allocates the result once and copies nothing. lz4 is decoded on the calling
 * thread, 1 MiB of input at a time (with a `signal`, the event loop gets a turn between those
 * pieces, so an abort is seen); so is compress (.Z). xz, bzip2, lzip, lzop and lrzip go through
 * the stream decoders.
 */
export async function decompress(data: Uint8Array, options: DecompressOptions = {}): Promise<Uint8Array> {
  const maxOutput = checkMaxOutput(options.maxOutput);
  options.signal?.throwIfAborted();
  const kind = sniffCompression(data.subarray(0, SNIFF_BYTES));
  if (kind === 'none') {
    if (data.length > maxOutput) throw limit(maxOutput);
    return data;
  }
  if (kind === 'gzip') return zlibWhole('gzip', data, 0, data.length, maxOutput, gzipSizeHint(data), options.signal);
  if (kind === 'zstd') return zstdWhole(data, maxOutput, options.signal);
  if (kind === 'lz4' || kind === 'compress') return pushWhole(kind, data, maxOutput, options.signal);
  if (kind === 'lzip') {
    const { lzipDecode } = await import('./lzip.js');
    const lzma = await loadLzma();
    const parts: Uint8Array[] = [];
    for await (const c of lzipDecode(data, lzma, { maxOutput, signal: options.signal })) parts.push(c.slice());
    return concatBytes(parts);
  }
  const parts: Uint8Array[] = [];
  for await (const chunk of decompressStream(single(data), options)) parts.push(chunk);
  return concatBytes(parts);
}

/**
 * Decompress a stream of chunks, sniffing the format from the first bytes (uncompressed input is
 * passed through). Input is pulled only as output is consumed (back-pressure); output comes in
 * chunks of at most 64 KiB (uncompressed input: as it came); the signal is checked before each
 * one. Yielded chunks may be views into
 * buffers the decoder reuses only after the consumer asked for the next one, so keep or copy them.
 *
 * lzip is the exception to streaming input: a member's end is found from its trailer, so the
 * whole compressed input is read first (at most `maxOutput + maxOutput / 8 + 1 MiB` bytes, else
 * LIMIT_EXCEEDED), then decoded member by member with output streamed as above. lzop and lrzip
 * run the `lzop` / `lrzip` program (killed when the cap is passed or the signal aborts).
 */
export async function* decompressStream(chunks: AsyncIterable<Uint8Array>, options: DecompressOptions = {}): AsyncGenerator<Uint8Array> {
  const maxOutput = checkMaxOutput(options.maxOutput);
  const signal = options.signal;
  signal?.throwIfAborted();
  const input = new Pushback(chunks[Symbol.asyncIterator]());
  const head = await input.peek(SNIFF_BYTES);
  const kind = sniffCompression(head);
  let decoded: AsyncIterable<Uint8Array>;
  switch (kind) {
    case 'none':
      decoded = input;
      break;
    case 'gzip':
      decoded = zlibDecode('gzip', input);
      break;
    case 'zstd':
      decoded = zlibDecode('zstd', input);
      break;
    case 'xz':
      decoded = xzDecode(input);
      break;
    case 'bzip2':
      decoded = bzip2Decode(input, maxOutput);
      break;
    case 'lz4':
    case 'compress':
      decoded = pushDecode(kind, input, maxOutput);
      break;
    case 'lzip':
      decoded = lzipStreamDecode(input, maxOutput, signal);
      break;
    case 'lzop':
    case 'lrzip':
      decoded = externalStreamDecode(kind, input, maxOutput, signal);
      break;
    default:
      await input.return();
      throw new RepokitError('UNSUPPORTED_COMPRESSION', `${String(kind)} data cannot be decompressed by repokit`, { offset: 0 });
  }
  let total = 0;
  const it = decoded[Symbol.asyncIterator]();
  try {
    for (;;) {
      signal?.throwIfAborted();
      const r = await it.next();
      if (r.done) break;
      total += r.value.length;
      if (total > maxOutput) throw limit(maxOutput);
      if (r.value.length > 0) yield r.value;
    }
  } finally {
    await it.return?.();
    await input.return();
  }
}

/** Options of {@link compress}. */
export interface CompressOptions {
  /** The format's level; the default is the command-line tool's default ({@link DEFAULT_LEVEL}). */
  level?: number;
}

/**
 * Compress to one of the supported formats. The output is deterministic: gzip carries no name and
 * mtime 0 (like `gzip -n`), zstd has a content checksum (like the `zstd` tool), xz uses CRC64
 * (like `xz`), bzip2 comes from repokit's own encoder (valid for `bzip2 -d`, not byte-identical
 * to it). lz4 is one frame laid out as the `lz4` tool writes it (what repo-add runs): independent
 * blocks, a content checksum, no block checksums, no content size, and the smallest block size
 * that holds the whole input (64 KiB to 4 MiB; 4 MiB blocks beyond); the blocks come from
 * repokit's own encoder (./lz4.ts), valid for `lz4 -d` and libarchive, not byte-identical to `lz4`.
 * lzip is one member around @napi-rs/lzma's LZMA stream (`level` is its preset; valid for
 * `lzip -d` and libarchive, not byte-identical to `lzip`); compress (.Z) is repokit's own LZW
 * encoder in block mode (`level` is the code width, 16 as `compress` uses). lzop and lrzip run the
 * `lzop` / `lrzip` program on stdin, so no file name or time is stored (UNSUPPORTED_COMPRESSION
 * when the program is missing).
 */
export async function compress(data: Uint8Array | readonly Uint8Array[], compression: Compression, options: CompressOptions = {}): Promise<Uint8Array> {
  const parts = data instanceof Uint8Array ? [data] : [...data];
  if (compression === 'none') return concatBytes(parts);
  const bounds = LEVEL_RANGE[compression];
  if (bounds === undefined) throw new RepokitError('INVALID_ARGUMENT', `unknown compression ${JSON.stringify(compression)}`);
  const level = options.level ?? DEFAULT_LEVEL[compression];
  if (!Number.isInteger(level) || level < bounds[0] || level > bounds[1]) {
    throw new RepokitError('INVALID_ARGUMENT', `${compression} level must be an integer in ${bounds[0]}..${bounds[1]}, got ${String(level)}`);
  }
  switch (compression) {
    case 'gzip': {
      const zlib = nodeBuiltin<NodeZlib>('node:zlib');
      return asPlain(zlib.gzipSync(concatBytes(parts), { level }));
    }
    case 'zstd': {
      const zlib = nodeBuiltin<NodeZlib>('node:zlib');
      if (typeof zlib.zstdCompressSync !== 'function') throw noZstd();
      const c = zlib.constants;
      return asPlain(
        zlib.zstdCompressSync(concatBytes(parts), {
          params: { [c.ZSTD_c_compressionLevel]: level, [c.ZSTD_c_checksumFlag]: 1 },
        }),
      );
    }
    case 'xz': {
      const lzma = await loadLzma();
      const enc = new lzma.XzCompressor({ preset: level });
      const out: Uint8Array[] = [];
      for (const p of parts) out.push(asPlain(enc.update(p)));
      out.push(asPlain(await enc.finish()));
      return concatBytes(out);
    }
    case 'bzip2': {
      const { bzip2Compress } = await import('./bzip2.js');
      return bzip2Compress(parts, level);
    }
    case 'lz4': {
      const { lz4Compress } = await import('./lz4.js');
      const all = concatBytes(parts);
      const blockSize = LZ4_BLOCK_SIZES.find((b) => all.length <= b) ?? LZ4_BLOCK_SIZES[LZ4_BLOCK_SIZES.length - 1]!;
      return lz4Compress(all, { level, blockSize, contentChecksum: true, blockChecksum: false, contentSize: false });
    }
    case 'lzip': {
      const { lzipEncode } = await import('./lzip.js');
      return lzipEncode(parts, level, await loadLzma());
    }
    case 'compress': {
      const { lzwCompress } = await import('./lzw.js');
      return lzwCompress(parts, level);
    }
    case 'lzop':
    case 'lrzip': {
      const { externalEncode } = await import('./external-compression.js');
      return externalEncode(compression, parts, level);
    }
  }
}

/** The lz4 frame's block sizes, smallest first (the `lz4` tool picks the first that holds a one-block input). */
const LZ4_BLOCK_SIZES = [65536, 262144, 1048576, 4194304] as const;

// ---------------------------------------------------------------------------------------------
/** gzip or zstd decoded on the calling thread into buffers the caller provides (see {@link decodePieces}). */
export interface PieceDecoder {
  /**
   * Inflates into `out[at, at + room)` (`room` > 0) and returns the number of bytes written: less
   * than `room` only at the end of the data, 0 after it. Throws LIMIT_EXCEEDED (as `decompress`
   * does) once the output passes `maxOutput`. Anything else that goes wrong — a damaged stream,
   * bytes after it — ends the output early and sets `failed`: `decompress` then says what it is.
   */
  read(out: Uint8Array, at: number, room: number): number;
  /** The data did not inflate cleanly to its end (only meaningful once `read` returned less than asked). */
  readonly failed: boolean;
  close(): void;
}

interface ZlibHandle {
  writeSync(flush: number, input: Uint8Array, inOff: number, inLen: number, out: Uint8Array, outOff: number, outLen: number): void;
}

/**
 * A gzip file, or a zstd file of one complete frame, decoded synchronously piece by piece into
 * buffers the caller provides and reuses: a big archive can then be walked without ever existing
 * whole (15,000 database entries are 30 MB of tar, and first touches of that much fresh memory
 * cost more than inflating it). Node's public zlib API has no call that writes into a given
 * buffer, so this drives the handle that `zlib.gunzipSync` (`zstdDecompressSync`) itself drives
 * (`_handle.writeSync`, `_writeState`, as minizlib does). Undefined for anything else — another
 * compression, several zstd frames or a cut one (Node's zstd decoder stops after one frame, and
 * Node 22's ends a cut frame without an error), a runtime without that handle — and the caller
 * uses {@link decompress}; `failed` is set where the handle behaves otherwise.
 */
export function decodePieces(data: Uint8Array, maxOutput: number): PieceDecoder | undefined {
  const kind = sniffCompression(data.subarray(0, SNIFF_BYTES));
  if (kind !== 'gzip' && kind !== 'zstd') return undefined;
  if (kind === 'zstd') {
    const frame = zstdMagic(data, 0) === 'frame' ? zstdFrameExtent(data, 0) : undefined;
    if (frame === undefined || !frame.complete || frame.end !== data.length) return undefined;
  }
  let z: { _handle?: ZlibHandle | null; _writeState?: unknown; readonly destroyed: boolean; on(event: 'error', f: () => void): unknown; close(): void };
  let FINISH: number;
  try {
    const zlib = nodeBuiltin<NodeZlib>('node:zlib');
    if (kind === 'gzip') {
      // Z_FINISH: input missing at the end is an error ("unexpected end of file").
      FINISH = zlib.constants.Z_FINISH;
      z = zlib.createGunzip() as unknown as typeof z;
    } else {
      if (typeof zlib.createZstdDecompress !== 'function') return undefined;
      FINISH = zlib.constants.ZSTD_e_end;
      z = zlib.createZstdDecompress() as unknown as typeof z;
    }
  } catch {
    return undefined;
  }
  const handle = z._handle;
  const state = z._writeState;
  if (handle === undefined || handle === null || typeof handle.writeSync !== 'function' || !(state instanceof Uint32Array) || state.length < 2) {
    z.close();
    return undefined;
  }
  let failed = false;
  let ended = false;
  let inOff = 0;
  let total = 0;
  // The handle reports an error (bad header, bad CRC, truncation) by destroying the stream, which
  // closes the handle at once and emits 'error' later: the listener only keeps that quiet.
  z.on('error', () => {
    failed = true;
  });
  return {
    read(out, at, room) {
      if (ended || failed) return 0;
      try {
        handle.writeSync(FINISH, data, inOff, data.length - inOff, out, at, room);
      } catch {
        failed = true;
      }
      // Never write to a closed handle again (Node aborts the process on that).
      if (z.destroyed || z._handle !== handle) failed = true;
      const availOut = state[0]!;
      const availIn = state[1]!;
      if (failed || availOut > room || availIn > data.length - inOff) {
        failed = true;
        ended = true;
        return 0;
      }
      const wrote = room - availOut;
      inOff = data.length - availIn;
      total += wrote;
      if (total > maxOutput) {
        ended = true;
        throw limit(maxOutput);
      }
      // Output space left over means the stream ended; input left over is something after it.
      if (availOut !== 0) {
        ended = true;
        if (availIn !== 0) failed = true;
      }
      return wrote;
    },
    get failed() {
      return failed;
    },
    close() {
      ended = true;
      if (!z.destroyed) z.close();
    },
  };
}

// Plumbing

type NodeZlib = typeof import('node:zlib');
type NodeTransform = import('node:stream').Transform;
type Lzma = typeof import('@napi-rs/lzma');

function checkMaxOutput(v: number | undefined): number {
  if (v === undefined) return DEFAULT_MAX_OUTPUT;
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) {
    throw new RepokitError('INVALID_ARGUMENT', `maxOutput must be a non-negative integer, got ${String(v)}`);
  }
  return v;
}

function limit(maxOutput: number): RepokitError {
  return new RepokitError('LIMIT_EXCEEDED', `decompressed data is larger than maxOutput (${maxOutput} bytes)`);
}

function zstdCut(offset: number): RepokitError {
  return new RepokitError('TRUNCATED', 'zstd data ends early: the input ends inside a frame', { offset });
}

function noZstd(): RepokitError {
  return new RepokitError('UNSUPPORTED_COMPRESSION', 'zstd needs node:zlib with zstd support (Node >= 22.15)');
}

async function* single(data: Uint8Array): AsyncGenerator<Uint8Array> {
  yield data;
}

/** A Buffer seen as a plain Uint8Array (same memory), so callers get one type everywhere. */
function asPlain(b: Uint8Array): Uint8Array {
  return Object.getPrototypeOf(b) === Uint8Array.prototype ? b : new Uint8Array(b.buffer, b.byteOffset, b.length);
}

/**
 * An async chunk source that can be peeked at (for sniffing) and counts what it handed out (for
 * error offsets). Iterating it yields the peeked bytes first.
 */
class Pushback implements AsyncIterable<Uint8Array> {
  readonly #it: AsyncIterator<Uint8Array>;
  #pending: Uint8Array[] = [];
  #done = false;
  /** Bytes handed to the decoder so far. */
  consumed = 0;

  constructor(it: AsyncIterator<Uint8Array>) {
    this.#it = it;
  }

  /** Up to `n` leading bytes without consuming them (fewer at end of input). */
  async peek(n: number): Promise<Uint8Array> {
    let have = 0;
    for (const p of this.#pending) have += p.length;
    while (have < n && !this.#done) {
      const r = await this.#it.next();
      if (r.done) {
        this.#done = true;
        break;
      }
      const chunk = checkChunk(r.value);
      this.#pending.push(chunk);
      have += chunk.length;
    }
    const all = concatBytes(this.#pending);
    this.#pending = all.length > 0 ? [all] : [];
    return all.subarray(0, n);
  }

  async next(): Promise<IteratorResult<Uint8Array>> {
    const p = this.#pending.shift();
    if (p !== undefined) {
      this.consumed += p.length;
      return { done: false, value: p };
    }
    if (this.#done) return { done: true, value: undefined };
    const r = await this.#it.next();
    if (r.done) {
      this.#done = true;
      return { done: true, value: undefined };
    }
    const chunk = checkChunk(r.value);
    this.consumed += chunk.length;
    return { done: false, value: chunk };
  }

  /** Give back bytes that were taken but belong to what comes next. */
  unshift(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    this.#pending.unshift(chunk);
    this.consumed -= chunk.length;
  }

  async return(): Promise<void> {
    if (this.#done) return;
    this.#done = true;
    this.#pending = [];
    await this.#it.return?.();
  }

  [Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    return { next: () => this.next() };
  }
}

function checkChunk(c: unknown): Uint8Array {
  if (!(c instanceof Uint8Array)) throw new RepokitError('INVALID_ARGUMENT', 'stream chunks must be Uint8Array');
  return c;
}

/** Maps a zlib error to a RepokitError. */
function zlibError(e: unknown, kind: string, consumed: number): RepokitError {
  if (isRepokitError(e)) return e;
  const err = e as { code?: unknown; message?: unknown };
  const msg = typeof err.message === 'string' ? err.message : String(e);
  if (err.code === 'Z_BUF_ERROR' || /unexpected end|ended in the middle|truncated/i.test(msg)) {
    return new RepokitError('TRUNCATED', `${kind} data ends early: ${msg}`, { offset: consumed, cause: e });
  }
  return new RepokitError('CORRUPT_COMPRESSED_DATA', `${kind} data is corrupt: ${msg}`, { cause: e });
}

/**
 * Run a Node zlib Transform over the input with back-pressure: input is written only while the
 * transform wants more, output is read as the consumer pulls it.
 */
async function* zlibDecode(kind: 'gzip' | 'zstd', input: Pushback): AsyncGenerator<Uint8Array> {
  const zlib = nodeBuiltin<NodeZlib>('node:zlib');
  const mapError = (e: unknown): RepokitError => zlibError(e, kind, input.consumed);
  if (kind === 'gzip') {
    // Node's gunzip decodes every member of a multi-member file itself.
    yield* pumpTransform(zlib.createGunzip({ chunkSize: 64 * 1024 }), input, mapError);
    return;
  }
  if (typeof zlib.createZstdDecompress !== 'function') throw noZstd();
  // Node's zstd decoder stops after the first frame, so frames are cut apart here (by walking
  // their block headers, without decoding) and each gets a fresh decoder; skippable frames are
  // dropped.
  let frames = 0;
  for (;;) {
    const head = await input.peek(4);
    if (head.length === 0 && frames > 0) return;
    const cutter = new ZstdFrameCutter(input, frames);
    await cutter.start();
    frames++;
    if (cutter.skippable) {
      for await (const _ of cutter) void _;
      continue;
    }
    yield* pumpTransform(zlib.createZstdDecompress({ chunkSize: 64 * 1024 }), cutter, mapError);
  }
}

/**
 * Passes through exactly one zstd frame from `input` (header, blocks, optional checksum) and gives
 * the bytes after it back to `input`. Only headers are parsed; the payload is not decoded.
 */
class ZstdFrameCutter implements AsyncIterable<Uint8Array> {
  readonly #input: Pushback;
  readonly #index: number;
  skippable = false;
  /** Parser state: bytes of a header being collected, or payload bytes to pass. */
  #need: 'magic' | 'fhd' | 'skipsize' | 'hdr' | 'done' = 'magic';
  #acc: number[] = [];
  #want = 4;
  #pass = 0;
  #checksum = false;
  #last = false;

  constructor(input: Pushback, index: number) {
    this.#input = input;
    this.#index = index;
  }

  async start(): Promise<void> {
    const head = await this.#input.peek(4);
    if (head.length === 4 && (head[0]! & 0xf0) === 0x50 && head[1] === 0x2a && head[2] === 0x4d && head[3] === 0x18) this.skippable = true;
    else if (!(head.length === 4 && head[0] === 0x28 && head[1] === 0xb5 && head[2] === 0x2f && head[3] === 0xfd) && this.#index > 0) {
      throw new RepokitError('CORRUPT_COMPRESSED_DATA', 'zstd data is corrupt: unknown frame magic after a complete frame', { offset: this.#input.consumed });
    }
  }

  /** A header field is complete: decide what comes next. */
  #header(): void {
    const a = this.#acc;
    switch (this.#need) {
      case 'magic':
        if (this.skippable) {
          this.#need = 'skipsize';
          this.#want = 4;
        } else {
          this.#need = 'fhd';
          this.#want = 1;
        }
        break;
      case 'skipsize':
        this.#pass = (a[0]! | (a[1]! << 8) | (a[2]! << 16)) + a[3]! * 0x1000000;
        this.#need = 'done';
        break;
      case 'fhd': {
        const fhd = a[0]!;
        const fcs = fhd >> 6;
        const single = (fhd >> 5) & 1;
        this.#checksum = ((fhd >> 2) & 1) === 1;
        const dictSize = [0, 1, 2, 4][fhd & 3]!;
        const fcsSize = [single, 2, 4, 8][fcs]!;
        this.#pass = (single ? 0 : 1) + dictSize + fcsSize;
        this.#need = 'hdr';
        this.#want = 3;
        break;
      }
      case 'hdr': {
        const v = a[0]! | (a[1]! << 8) | (a[2]! << 16);
        this.#last = (v & 1) === 1;
        const type = (v >> 1) & 3;
        this.#pass = type === 1 ? 1 : v >>> 3;
        if (this.#last) {
          this.#need = 'done';
          this.#pass += this.#checksum ? 4 : 0;
        } else {
          this.#want = 3;
        }
        break;
      }
      default:
        break;
    }
    this.#acc = [];
  }

  [Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    return { next: () => this.next() };
  }

  async next(): Promise<IteratorResult<Uint8Array>> {
    for (;;) {
      if (this.#need === 'done' && this.#pass === 0) return { done: true, value: undefined };
      const r = await this.#input.next();
      if (r.done) {
        // The input ended inside the frame (Node 22's decoder would end without an error).
        if (this.#need !== 'done' || this.#pass > 0) throw zstdCut(this.#input.consumed);
        return r;
      }
      const c = r.value;
      // Walk this chunk: collect header bytes, pass payload bytes; stop at the frame end.
      let i = 0;
      while (i < c.length && !(this.#need === 'done' && this.#pass === 0)) {
        if (this.#pass > 0) {
          const k = Math.min(this.#pass, c.length - i);
          this.#pass -= k;
          i += k;
        } else {
          this.#acc.push(c[i++]!);
          if (this.#acc.length === this.#want) this.#header();
        }
      }
      this.#input.unshift(c.subarray(i));
      if (i > 0) return { done: false, value: c.subarray(0, i) };
    }
  }
}

interface ChunkSource {
  next(): Promise<IteratorResult<Uint8Array>>;
}

async function* pumpTransform(t: NodeTransform, input: ChunkSource, mapError: (e: unknown) => RepokitError): AsyncGenerator<Uint8Array> {
  let failure: unknown;
  let ended = false;
  let wake: (() => void) | undefined;
  const notify = (): void => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  const queue: Uint8Array[] = [];
  t.on('data', (c: Uint8Array) => {
    queue.push(asPlain(c));
    t.pause();
    notify();
  });
  t.on('end', () => {
    ended = true;
    notify();
  });
  t.on('error', (e) => {
    failure ??= e;
    notify();
  });
  t.on('drain', notify);
  t.on('close', notify);
  let writing = false;
  let inputDone = false;
  // Feeds the transform until it signals back-pressure or input ends.
  const feed = async (): Promise<void> => {
    if (writing || inputDone) return;
    writing = true;
    try {
      while (!inputDone && failure === undefined && !t.destroyed) {
        const r = await input.next();
        if (r.done) {
          inputDone = true;
          t.end();
          break;
        }
        if (!t.write(r.value)) break;
      }
    } catch (e) {
      failure ??= e;
      t.destroy();
    } finally {
      writing = false;
      notify();
    }
  };
  try {
    for (;;) {
      if (failure !== undefined) throw failure;
      const c = queue.shift();
      if (c !== undefined) {
        yield c;
        continue;
      }
      if (ended) return;
      const waiting = new Promise<void>((resolve) => (wake = resolve));
      t.resume();
      if (!t.writableNeedDrain) void feed();
      await waiting;
    }
  } catch (e) {
    throw mapError(e);
  } finally {
    t.destroy();
  }
}

/**
 * The largest output buffer a declared size may make the one-pass decoders allocate up front:
 * 64 times the input (package databases and packages expand 3 to 15 times), at least 1 MiB, and
 * never more than the cap. A declared size is only a hint and may lie; when the output is larger,
 * decoding simply continues into further buffers.
 */
const MAX_HINTED_EXPANSION = 64;

function hintBound(inputLength: number, maxOutput: number): number {
  return Math.min(maxOutput + 1, Math.max(1024 * 1024, inputLength * MAX_HINTED_EXPANSION));
}

/** gzip: ISIZE of the last member (its size mod 2^32), which is the whole output for one member. */
function gzipSizeHint(data: Uint8Array): number | undefined {
  const n = data.length;
  if (n < 18) return undefined;
  return (data[n - 4]! | (data[n - 3]! << 8) | (data[n - 2]! << 16)) + data[n - 1]! * 0x1000000;
}

/**
 * Decode `data[start, end)` (one gzip file, all members, or one zstd frame) with a single zlib
 * transform on the thread pool. Output goes into buffers of `hint + 1` bytes (clamped), so a
 * correct hint gives one buffer and no copy; more output simply continues into further buffers.
 */
function zlibWhole(kind: 'gzip' | 'zstd', data: Uint8Array, start: number, end: number, maxOutput: number, hint: number | undefined, signal: AbortSignal | undefined): Promise<Uint8Array> {
  const zlib = nodeBuiltin<NodeZlib>('node:zlib');
  const bound = hintBound(end - start, maxOutput);
  const chunkSize = Math.max(64 * 1024, Math.min(hint === undefined ? 1024 * 1024 : hint + 1, bound));
  let t: NodeTransform;
  if (kind === 'gzip') t = zlib.createGunzip({ chunkSize });
  else if (typeof zlib.createZstdDecompress === 'function') t = zlib.createZstdDecompress({ chunkSize });
  else throw noZstd();
  return new Promise<Uint8Array>((resolve, reject) => {
    const parts: Uint8Array[] = [];
    let total = 0;
    let settled = false;
    const finish = (e: unknown, value?: Uint8Array): void => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      if (e !== undefined) {
        t.destroy();
        reject(e);
      } else {
        resolve(value!);
      }
    };
    const onAbort = (): void => finish(signal!.reason);
    signal?.addEventListener('abort', onAbort, { once: true });
    t.on('data', (c: Uint8Array) => {
      total += c.length;
      if (total > maxOutput) finish(limit(maxOutput));
      else parts.push(asPlain(c));
    });
    t.on('error', (e) => finish(zlibError(e, kind, end)));
    t.on('end', () => finish(undefined, concatBytes(parts)));
    t.end(data.subarray(start, end));
  });
}

/** zstd frame magic at `pos`: 'frame', 'skippable' or undefined. */
function zstdMagic(b: Uint8Array, pos: number): 'frame' | 'skippable' | undefined {
  if (pos + 4 > b.length) return undefined;
  if (b[pos + 1] === 0x2a && b[pos + 2] === 0x4d && b[pos + 3] === 0x18 && (b[pos]! & 0xf0) === 0x50) return 'skippable';
  if (b[pos] === 0x28 && b[pos + 1] === 0xb5 && b[pos + 2] === 0x2f && b[pos + 3] === 0xfd) return 'frame';
  return undefined;
}

/**
 * Where the zstd frame starting at `pos` ends (header, blocks, optional checksum), found by
 * walking block headers without decoding; `b.length`, and `complete` false, when the input ends
 * first. Also the declared content size, when the header has one.
 */
function zstdFrameExtent(b: Uint8Array, pos: number): { end: number; contentSize: number | undefined; complete: boolean } {
  const n = b.length;
  let p = pos + 4;
  if (p >= n) return { end: n, contentSize: undefined, complete: false };
  const fhd = b[p++]!;
  const fcsFlag = fhd >> 6;
  const single = (fhd >> 5) & 1;
  const checksum = (fhd >> 2) & 1;
  const dictSize = [0, 1, 2, 4][fhd & 3]!;
  const fcsSize = [single, 2, 4, 8][fcsFlag]!;
  p += (single ? 0 : 1) + dictSize;
  let contentSize: number | undefined;
  if (fcsSize > 0 && p + fcsSize <= n) {
    let v = 0;
    for (let i = fcsSize - 1; i >= 0; i--) v = v * 256 + b[p + i]!;
    contentSize = fcsSize === 2 ? v + 256 : v;
  }
  p += fcsSize;
  for (;;) {
    if (p + 3 > n) return { end: n, contentSize, complete: false };
    const v = b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16);
    p += 3 + (((v >> 1) & 3) === 1 ? 1 : v >>> 3);
    if ((v & 1) === 1) {
      p += checksum ? 4 : 0;
      return { end: Math.min(p, n), contentSize, complete: p <= n };
    }
  }
}

/**
 * Every zstd frame of a buffer, each decoded in one pass (Node's zstd decoder stops after the
 * first frame, so frames are cut apart as the stream decoder cuts them); skippable frames are
 * dropped, anything else after a frame is CORRUPT_COMPRESSED_DATA.
 */
async function zstdWhole(data: Uint8Array, maxOutput: number, signal: AbortSignal | undefined): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  let total = 0;
  let pos = 0;
  while (pos < data.length) {
    const magic = zstdMagic(data, pos);
    if (magic === 'skippable') {
      if (pos + 8 > data.length) break;
      pos += 8 + (data[pos + 4]! | (data[pos + 5]! << 8) | (data[pos + 6]! << 16)) + data[pos + 7]! * 0x1000000;
      continue;
    }
    if (magic === undefined && pos > 0) {
      throw new RepokitError('CORRUPT_COMPRESSED_DATA', 'zstd data is corrupt: unknown frame magic after a complete frame', { offset: pos });
    }
    const { end, contentSize, complete } = zstdFrameExtent(data, pos);
    // Said here rather than left to the decoder: Node 22's ends a cut frame without an error.
    if (!complete) throw zstdCut(data.length);
    const out = await zlibWhole('zstd', data, pos, end, maxOutput - total, contentSize, signal);
    total += out.length;
    if (out.length > 0) parts.push(out);
    pos = end;
  }
  signal?.throwIfAborted();
  return concatBytes(parts);
}

let lzmaModule: Promise<Lzma> | undefined;

/**
 * The add-on's name is held in a variable so that bundlers leave it alone: it is a Node add-on,
 * loaded only when xz or lzip is used, and a browser bundle should neither need it nor its
 * optional wasm build.
 */
const LZMA_PACKAGE = '@napi-rs/lzma';

/** The @napi-rs/lzma module, or UNSUPPORTED_COMPRESSION when it (or its native binding) is missing. */
export async function loadLzma(): Promise<Lzma> {
  lzmaModule ??= (import(/* webpackIgnore: true */ /* @vite-ignore */ LZMA_PACKAGE) as Promise<Lzma & { default?: Lzma }>).then(
    (m): Lzma => (m.default?.XzCompressor ? m.default : m),
    (e: unknown) => {
      lzmaModule = undefined;
      throw new RepokitError('UNSUPPORTED_COMPRESSION', `xz and lzip need the @napi-rs/lzma package and its native binding for this platform: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`, { cause: e });
    },
  );
  return lzmaModule;
}

function xzError(e: unknown, consumed: number): RepokitError {
  if (isRepokitError(e)) return e;
  const msg = e instanceof Error ? e.message : String(e);
  if (/fill whole buffer|unexpected end|eof|truncated/i.test(msg)) {
    return new RepokitError('TRUNCATED', `xz data ends early: ${msg}`, { offset: consumed, cause: e });
  }
  return new RepokitError('CORRUPT_COMPRESSED_DATA', `xz data is corrupt: ${msg}`, { cause: e });
}

/** xz through @napi-rs/lzma's web-stream decoder, which pulls input and honours back-pressure. */
async function* xzDecode(input: Pushback): AsyncGenerator<Uint8Array> {
  const lzma = await loadLzma();
  let inputError: unknown;
  const source = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          const r = await input.next();
          if (r.done) controller.close();
          else controller.enqueue(r.value);
        } catch (e) {
          inputError = e;
          controller.error(e);
        }
      },
    },
    { highWaterMark: 0 },
  );
  const reader = lzma.xz.decompressStream(source).getReader();
  let finished = false;
  try {
    for (;;) {
      let r: ReadableStreamReadResult<Uint8Array>;
      try {
        r = await reader.read();
      } catch (e) {
        throw xzError(inputError ?? e, input.consumed);
      }
      if (r.done) {
        finished = true;
        return;
      }
      const v = asPlain(r.value);
      for (let at = 0; at < v.length; at += 65536) yield v.subarray(at, Math.min(v.length, at + 65536));
    }
  } finally {
    if (!finished) await reader.cancel().catch(() => undefined);
    reader.releaseLock();
  }
}

async function* bzip2Decode(input: Pushback, maxOutput: number): AsyncGenerator<Uint8Array> {
  const { Bzip2Decoder } = await import('./bzip2.js');
  const dec = new Bzip2Decoder({ maxOutput });
  for await (const chunk of input) {
    yield* dec.push(chunk);
  }
  yield* dec.end();
}

/** One of repokit's own decoders (lz4, LZW), fed in pieces: each push returns what it completed. */
interface PushDecoder {
  push(chunk: Uint8Array): Uint8Array[];
  end(): Uint8Array[];
}

/** The decoder for `kind`, its module loaded only when that format is met. */
async function pushDecoder(kind: 'lz4' | 'compress', maxOutput: number): Promise<PushDecoder> {
  if (kind === 'lz4') {
    const { Lz4Decoder } = await import('./lz4.js');
    return new Lz4Decoder({ maxOutput });
  }
  const { LzwDecoder } = await import('./lzw.js');
  return new LzwDecoder({ maxOutput });
}

/**
 * lz4 or compress (.Z) over the stream: input chunks go to repokit's decoder in pieces of at most
 * 64 KiB, so one push completes about one lz4 block, and its output is handed on in chunks of at
 * most 64 KiB.
 */
async function* pushDecode(kind: 'lz4' | 'compress', input: Pushback, maxOutput: number): AsyncGenerator<Uint8Array> {
  const dec = await pushDecoder(kind, maxOutput);
  for await (const chunk of input) {
    for (let at = 0; at < chunk.length; at += PUSH_PIECE) {
      for (const out of dec.push(chunk.subarray(at, at + PUSH_PIECE))) yield* pieces(out);
    }
  }
  for (const out of dec.end()) yield* pieces(out);
}

const PUSH_PIECE = 64 * 1024;

function* pieces(b: Uint8Array): Generator<Uint8Array> {
  for (let at = 0; at < b.length; at += 65536) yield b.subarray(at, Math.min(b.length, at + 65536));
}

/**
 * A whole lz4 or .Z buffer, 1 MiB of input at a time. The decoder runs on this thread; with a
 * signal, the event loop gets a turn between pieces so that an abort (a timeout, a user) is noticed.
 */
async function pushWhole(kind: 'lz4' | 'compress', data: Uint8Array, maxOutput: number, signal: AbortSignal | undefined): Promise<Uint8Array> {
  const dec = await pushDecoder(kind, maxOutput);
  const parts: Uint8Array[] = [];
  const step = 1024 * 1024;
  for (let at = 0; at < data.length; at += step) {
    if (signal !== undefined && at > 0) {
      await new Promise<void>((resolve) => setTimeout(resolve, 0));
      signal.throwIfAborted();
    }
    for (const out of dec.push(data.subarray(at, at + step))) parts.push(out);
  }
  for (const out of dec.end()) parts.push(out);
  signal?.throwIfAborted();
  return concatBytes(parts);
}

/**
 * lzip over a stream: the whole compressed input is gathered first (a member's end is known only
 * from its trailer), at most `maxOutput + maxOutput / 8 + 1 MiB` bytes, then decoded.
 */
async function* lzipStreamDecode(input: Pushback, maxOutput: number, signal: AbortSignal | undefined): AsyncGenerator<Uint8Array> {
  const maxInput = maxOutput + Math.floor(maxOutput / 8) + 1024 * 1024;
  const parts: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of input) {
    size += chunk.length;
    if (size > maxInput) {
      throw new RepokitError('LIMIT_EXCEEDED', `lzip input is larger than the ${maxInput} bytes that may be buffered for maxOutput ${maxOutput}`, { offset: maxInput });
    }
    parts.push(chunk);
    signal?.throwIfAborted();
  }
  const { lzipDecode } = await import('./lzip.js');
  yield* lzipDecode(concatBytes(parts), await loadLzma(), { maxOutput, signal });
}

async function* externalStreamDecode(kind: 'lzop' | 'lrzip', input: Pushback, maxOutput: number, signal: AbortSignal | undefined): AsyncGenerator<Uint8Array> {
  const { externalDecode } = await import('./external-compression.js');
  yield* externalDecode(kind, input, { maxOutput, signal });
}
