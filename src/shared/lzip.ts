/**
 * lzip (`.lz`): the member framing in TypeScript, the LZMA coding from `@napi-rs/lzma` (handed in
 * by the caller, which loads it lazily; nothing here imports a Node built-in).
 *
 * A member is "LZIP", version 1, a coded dictionary size byte (2^n minus 0..7 sixteenths, 4 KiB to
 * 512 MiB), an LZMA stream with fixed properties (lc=3 lp=0 pb=2) ending with an end-of-stream
 * marker, and a 20-byte trailer: CRC32 of the data, data size (u64 LE) and member size (u64 LE,
 * header and trailer included). A file is one or more members.
 *
 * The LZMA library decodes an `.lzma` ("LZMA-alone") stream, so each member body is given a
 * 13-byte `.lzma` header (properties 0x5d, the dictionary size, size "unknown") and decoded; the
 * decoder stops at the end marker but does not say where that was, so the member's end is found
 * from its trailer: the first position after the header where the 8 bytes before it hold the
 * distance back to the member start. The data's CRC32 and size are then checked
 * (CORRUPT_COMPRESSED_DATA on a mismatch). Bytes after the last member that do not start with
 * "LZIP" are ignored, as lzip and libarchive ignore trailing data.
 *
 * Limits: a declared data size beyond `maxOutput` fails before decoding, output beyond it or
 * beyond the member's declared size stops the decoder at once, and the dictionary handed to the
 * decoder is at most the member's declared data size (4 KiB minimum), so a hostile header cannot
 * make it allocate more than the output cap allows.
 */
import { concatBytes } from './bytes.js';
import { RepokitError, isRepokitError } from './errors.js';

/** The part of `@napi-rs/lzma` this module uses. */
export type LzmaModule = Pick<typeof import('@napi-rs/lzma'), 'lzma' | 'LzmaCompressor'>;

const HEADER = 6;
const TRAILER = 20;
const MIN_DICT = 1 << 12;
const MAX_DICT = 1 << 29;
/** LZMA properties byte for lc=3 lp=0 pb=2, the only one lzip allows. */
const PROPS = 0x5d;

// ---------------------------------------------------------------------------------------------
// CRC32 (the IEEE polynomial, as gzip and lzip use)

let crcTable: Uint32Array | undefined;

function table(): Uint32Array {
  if (crcTable !== undefined) return crcTable;
  const t = new Uint32Array(256 * 4);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[i] = c >>> 0;
  }
  // Slicing-by-4 tables.
  for (let i = 0; i < 256; i++) {
    for (let s = 1; s < 4; s++) t[s * 256 + i] = (t[(s - 1) * 256 + i]! >>> 8) ^ t[t[(s - 1) * 256 + i]! & 0xff]!;
  }
  crcTable = t;
  return t;
}

/** Running CRC32: pass the previous value (0 to start). */
export function crc32(data: Uint8Array, previous = 0): number {
  const t = table();
  let c = ~previous >>> 0;
  let i = 0;
  const n = data.length;
  for (; i + 4 <= n; i += 4) {
    c ^= data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24);
    c = t[768 + (c & 0xff)]! ^ t[512 + ((c >>> 8) & 0xff)]! ^ t[256 + ((c >>> 16) & 0xff)]! ^ t[c >>> 24]!;
  }
  for (; i < n; i++) c = t[(c ^ data[i]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}

// ---------------------------------------------------------------------------------------------
// Framing

const u32le = (b: Uint8Array, i: number): number => (b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24)) >>> 0;
const u64le = (b: Uint8Array, i: number): number => u32le(b, i) + u32le(b, i + 4) * 0x100000000;

function isMagic(b: Uint8Array, at: number): boolean {
  return b[at] === 0x4c && b[at + 1] === 0x5a && b[at + 2] === 0x49 && b[at + 3] === 0x50;
}

/** The dictionary size a coded byte stands for (undefined outside lzip's 4 KiB..512 MiB). */
export function lzipDictSize(coded: number): number | undefined {
  const base = 2 ** (coded & 0x1f);
  const size = base - (base / 16) * (coded >> 5);
  return size >= MIN_DICT && size <= MAX_DICT ? size : undefined;
}

/** The smallest coded dictionary byte whose size is at least `size` (at least 4 KiB). */
export function lzipDictByte(size: number): number {
  const want = Math.min(MAX_DICT, Math.max(MIN_DICT, size));
  let n = 12;
  while (2 ** n < want) n++;
  const base = 2 ** n;
  let k = 0;
  while (k < 7 && base - (base / 16) * (k + 1) >= want) k++;
  return n | (k << 5);
}

/** One member of an lzip file, located by its header and trailer. */
export interface LzipMember {
  /** Offset of "LZIP". */
  start: number;
  /** Offset just past the trailer. */
  end: number;
  /** Dictionary size from the header. */
  dictSize: number;
  /** CRC32 of the member's data, from the trailer. */
  crc: number;
  /** Size of the member's data, from the trailer. */
  dataSize: number;
}

/**
 * The member starting at `pos` (its header checked, its trailer found), or undefined when the
 * bytes at `pos` are not an lzip header (trailing data, or not lzip at all when `pos` is 0).
 */
export function lzipMemberAt(data: Uint8Array, pos: number): LzipMember | undefined {
  if (!isMagic(data, pos)) return undefined;
  if (data.length - pos < HEADER) throw new RepokitError('TRUNCATED', 'lzip data ends inside a member header', { offset: data.length });
  const version = data[pos + 4]!;
  if (version !== 1) throw new RepokitError('UNSUPPORTED_COMPRESSION', `lzip format version ${version} is not supported (only version 1)`, { offset: pos + 4 });
  const dictSize = lzipDictSize(data[pos + 5]!);
  if (dictSize === undefined) throw new RepokitError('CORRUPT_COMPRESSED_DATA', `lzip header has an invalid dictionary size byte 0x${data[pos + 5]!.toString(16)}`, { offset: pos + 5 });
  // The trailer's last 8 bytes hold the member size: look for the first end that agrees.
  for (let end = pos + HEADER + TRAILER; end <= data.length; end++) {
    if (data[end - 8] === ((end - pos) & 0xff) && u64le(data, end - 8) === end - pos) {
      return { start: pos, end, dictSize, crc: u32le(data, end - 20), dataSize: u64le(data, end - 16) };
    }
  }
  throw new RepokitError('TRUNCATED', 'lzip member has no trailer (the data ends early)', { offset: data.length });
}

/** The `.lzma` header that lets an LZMA-alone decoder read a member body. */
function aloneHeader(dictSize: number): Uint8Array {
  const h = new Uint8Array(13).fill(0xff);
  h[0] = PROPS;
  h[1] = dictSize & 0xff;
  h[2] = (dictSize >>> 8) & 0xff;
  h[3] = (dictSize >>> 16) & 0xff;
  h[4] = (dictSize >>> 24) & 0xff;
  return h;
}

/** Options of {@link lzipDecode}. */
export interface LzipDecodeOptions {
  /** Largest total output; more is LIMIT_EXCEEDED. */
  maxOutput: number;
  signal?: AbortSignal | undefined;
}

const FEED = 1024 * 1024;
const OUT_PIECE = 64 * 1024;

/**
 * Decode a whole lzip file (every member), yielding the data in chunks of at most 64 KiB (views
 * into the library's buffers: keep or copy them). Each member's CRC32 and size are checked when
 * it ends.
 */
export async function* lzipDecode(data: Uint8Array, lzma: LzmaModule, options: LzipDecodeOptions): AsyncGenerator<Uint8Array> {
  const { maxOutput, signal } = options;
  let total = 0;
  let pos = 0;
  for (;;) {
    signal?.throwIfAborted();
    if (pos === data.length && pos > 0) return;
    const m = lzipMemberAt(data, pos);
    if (m === undefined) {
      if (pos === 0) throw new RepokitError('CORRUPT_COMPRESSED_DATA', 'not lzip data (no "LZIP" magic)', { offset: 0 });
      return; // trailing data
    }
    if (total + m.dataSize > maxOutput) {
      throw new RepokitError('LIMIT_EXCEEDED', `decompressed data is larger than maxOutput (${maxOutput} bytes): an lzip member declares ${m.dataSize} bytes`, { offset: m.end - 16 });
    }
    // Distances never reach past the data, so a dictionary of the data's size suffices.
    const dict = Math.min(m.dictSize, Math.max(MIN_DICT, m.dataSize));
    const body = data.subarray(m.start + HEADER, m.end - TRAILER);
    let crc = 0;
    let size = 0;
    const reader = decodeAlone(lzma, aloneHeader(dict), body).getReader();
    let finished = false;
    try {
      for (;;) {
        signal?.throwIfAborted();
        let r: ReadableStreamReadResult<Uint8Array>;
        try {
          r = await reader.read();
        } catch (e) {
          throw lzmaError(e, m.start);
        }
        if (r.done) {
          finished = true;
          break;
        }
        const v = r.value;
        size += v.length;
        if (size > m.dataSize) {
          throw new RepokitError('CORRUPT_COMPRESSED_DATA', `lzip member decodes to more than the ${m.dataSize} bytes its trailer declares`, { offset: m.start });
        }
        crc = crc32(v, crc);
        for (let at = 0; at < v.length; at += OUT_PIECE) yield v.subarray(at, Math.min(v.length, at + OUT_PIECE));
      }
    } finally {
      if (!finished) await reader.cancel().catch(() => undefined);
      reader.releaseLock();
    }
    if (size !== m.dataSize) {
      throw new RepokitError('CORRUPT_COMPRESSED_DATA', `lzip member decodes to ${size} bytes, its trailer declares ${m.dataSize}`, { offset: m.end - 16 });
    }
    if (crc !== m.crc) {
      throw new RepokitError('CORRUPT_COMPRESSED_DATA', `lzip member CRC32 mismatch (data ${hex8(crc)}, trailer ${hex8(m.crc)})`, { offset: m.end - 20 });
    }
    total += size;
    pos = m.end;
  }
}

const hex8 = (n: number): string => n.toString(16).padStart(8, '0');

/** The library's `.lzma` stream decoder over header + body, fed 1 MiB at a time. */
function decodeAlone(lzma: LzmaModule, header: Uint8Array, body: Uint8Array): ReadableStream<Uint8Array> {
  let at = -1;
  const source = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        if (at < 0) {
          controller.enqueue(header);
          at = 0;
        } else if (at >= body.length) {
          controller.close();
        } else {
          // Copies: the library may hold on to what it is given.
          controller.enqueue(body.slice(at, Math.min(body.length, at + FEED)));
          at += FEED;
        }
      },
    },
    { highWaterMark: 0 },
  );
  return lzma.lzma.decompressStream(source) as ReadableStream<Uint8Array>;
}

function lzmaError(e: unknown, offset: number): RepokitError {
  if (isRepokitError(e)) return e;
  const msg = e instanceof Error ? e.message : String(e);
  if (/unexpected end|eof|truncated|fill whole buffer/i.test(msg)) {
    return new RepokitError('TRUNCATED', `lzip member's LZMA data ends early: ${msg}`, { offset, cause: e });
  }
  return new RepokitError('CORRUPT_COMPRESSED_DATA', `lzip member's LZMA data is corrupt: ${msg}`, { offset, cause: e });
}

/**
 * Compress to one lzip member: the library's `.lzma` stream (with its end marker) at `preset`
 * 0..9, without its 13-byte header, framed as lzip. The header's dictionary size is the smallest
 * codable size that covers both the data and nothing more than the encoder's dictionary, as
 * `lzip` itself shrinks it for small files. Deterministic.
 */
export async function lzipEncode(parts: readonly Uint8Array[], preset: number, lzma: LzmaModule): Promise<Uint8Array> {
  const enc = new lzma.LzmaCompressor({ preset });
  const out: Uint8Array[] = [];
  let crc = 0;
  let size = 0;
  for (const p of parts) {
    crc = crc32(p, crc);
    size += p.length;
    out.push(enc.update(p).slice());
  }
  out.push((await enc.finish()).slice());
  const stream = concatBytes(out);
  if (stream.length < 13 || stream[0] !== PROPS || u32le(stream, 5) !== 0xffffffff || u32le(stream, 9) !== 0xffffffff) {
    throw new RepokitError('UNSUPPORTED_COMPRESSION', 'the LZMA library did not produce an lc=3 lp=0 pb=2 stream of unknown size, which lzip needs');
  }
  const encDict = u32le(stream, 1);
  const body = stream.subarray(13);
  const memberSize = HEADER + body.length + TRAILER;
  const file = new Uint8Array(memberSize);
  file.set([0x4c, 0x5a, 0x49, 0x50, 1, lzipDictByte(Math.min(encDict, Math.max(size, 1)))], 0);
  file.set(body, HEADER);
  const t = memberSize - TRAILER;
  putU32(file, t, crc);
  putU64(file, t + 4, size);
  putU64(file, t + 12, memberSize);
  return file;
}

function putU32(b: Uint8Array, at: number, v: number): void {
  b[at] = v & 0xff;
  b[at + 1] = (v >>> 8) & 0xff;
  b[at + 2] = (v >>> 16) & 0xff;
  b[at + 3] = (v >>> 24) & 0xff;
}

function putU64(b: Uint8Array, at: number, v: number): void {
  putU32(b, at, v >>> 0);
  putU32(b, at + 4, Math.floor(v / 0x100000000));
}

