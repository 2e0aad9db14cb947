/**
 * LZ4 in pure TypeScript (no node: imports): the frame format that the `lz4` tool, libarchive
 * (and so pacman and `repo-add … .db.tar.lz4`) read and write.
 *
 * Decoding covers the whole frame format: every block size (64 KiB … 4 MiB), linked and
 * independent blocks, block and content checksums (xxHash32), the content-size field, skippable
 * frames, any number of concatenated frames, and the legacy frame (`lz4 -l`, magic 0x184C2102).
 * Zero bytes after a complete frame are taken as padding and skipped: libarchive (bsdtar, and so
 * xbps-create or repo-add writing to a pipe) pads its output to 10240-byte records, and its own
 * reader never looks past the end of the tar inside. Anything else after a frame must be a frame.
 * Dictionary-compressed frames (a dictionary ID in the header) need a dictionary we do not have:
 * UNSUPPORTED_COMPRESSION. Damaged input is CORRUPT_COMPRESSED_DATA (bad magic, reserved bits,
 * header/block/content checksum, a match reaching before the start of the data, a block larger
 * than its maximum), input that stops early is TRUNCATED, and output beyond `maxOutput` is
 * LIMIT_EXCEEDED — always a RepokitError, and work is linear in input plus output.
 *
 * Encoding writes one frame of independent 4 MiB blocks with a content checksum and the content
 * size, compressed by a greedy matcher over hash chains (`level` 1 looks at one candidate per
 * position, each further level doubles the candidates, up to 256). It aims at correctness and
 * determinism, not at the ratio or speed of the reference `lz4`.
 */
import { concatBytes } from './bytes.js';
import { RepokitError } from './errors.js';

// ---------------------------------------------------------------------------------------------
// xxHash32

const P1 = 0x9e3779b1 | 0;
const P2 = 0x85ebca77 | 0;
const P3 = 0xc2b2ae3d | 0;
const P4 = 0x27d4eb2f | 0;
const P5 = 0x165667b1 | 0;

const rotl = (x: number, r: number): number => (x << r) | (x >>> (32 - r));
const u32le = (b: Uint8Array, i: number): number => (b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24)) >>> 0;
const round = (acc: number, lane: number): number => Math.imul(rotl((acc + Math.imul(lane, P2)) | 0, 13), P1);

/** Streaming xxHash32 (the checksum of the LZ4 frame format). */
export class Xxh32 {
  #v1: number;
  #v2: number;
  #v3: number;
  #v4: number;
  readonly #seed: number;
  #total = 0;
  readonly #mem = new Uint8Array(16);
  #memLen = 0;

  constructor(seed = 0) {
    this.#seed = seed | 0;
    this.#v1 = (this.#seed + P1 + P2) | 0;
    this.#v2 = (this.#seed + P2) | 0;
    this.#v3 = this.#seed;
    this.#v4 = (this.#seed - P1) | 0;
  }

  update(data: Uint8Array): this {
    let p = 0;
    const n = data.length;
    this.#total += n;
    if (this.#memLen + n < 16) {
      this.#mem.set(data, this.#memLen);
      this.#memLen += n;
      return this;
    }
    if (this.#memLen > 0) {
      p = 16 - this.#memLen;
      this.#mem.set(data.subarray(0, p), this.#memLen);
      this.#stripe(this.#mem, 0);
      this.#memLen = 0;
    }
    let v1 = this.#v1;
    let v2 = this.#v2;
    let v3 = this.#v3;
    let v4 = this.#v4;
    for (; p + 16 <= n; p += 16) {
      v1 = round(v1, u32le(data, p));
      v2 = round(v2, u32le(data, p + 4));
      v3 = round(v3, u32le(data, p + 8));
      v4 = round(v4, u32le(data, p + 12));
    }
    this.#v1 = v1;
    this.#v2 = v2;
    this.#v3 = v3;
    this.#v4 = v4;
    if (p < n) {
      this.#mem.set(data.subarray(p), 0);
      this.#memLen = n - p;
    }
    return this;
  }

  #stripe(b: Uint8Array, p: number): void {
    this.#v1 = round(this.#v1, u32le(b, p));
    this.#v2 = round(this.#v2, u32le(b, p + 4));
    this.#v3 = round(this.#v3, u32le(b, p + 8));
    this.#v4 = round(this.#v4, u32le(b, p + 12));
  }

  /** The hash of everything given so far, as an unsigned 32-bit number. */
  digest(): number {
    let h = this.#total >= 16 ? (rotl(this.#v1, 1) + rotl(this.#v2, 7) + rotl(this.#v3, 12) + rotl(this.#v4, 18)) | 0 : (this.#seed + P5) | 0;
    h = (h + (this.#total % 0x100000000)) | 0;
    const m = this.#mem;
    let p = 0;
    for (; p + 4 <= this.#memLen; p += 4) h = Math.imul(rotl((h + Math.imul(u32le(m, p), P3)) | 0, 17), P4);
    for (; p < this.#memLen; p++) h = Math.imul(rotl((h + Math.imul(m[p]!, P5)) | 0, 11), P1);
    h ^= h >>> 15;
    h = Math.imul(h, P2);
    h ^= h >>> 13;
    h = Math.imul(h, P3);
    h ^= h >>> 16;
    return h >>> 0;
  }
}

/** xxHash32 of `data` (unsigned 32-bit). */
export function xxhash32(data: Uint8Array, seed = 0): number {
  return new Xxh32(seed).update(data).digest();
}

// ---------------------------------------------------------------------------------------------
// Frame constants

const FRAME_MAGIC = 0x184d2204;
const LEGACY_MAGIC = 0x184c2102;
const SKIPPABLE_MIN = 0x184d2a50;
const SKIPPABLE_MAX = 0x184d2a5f;
/** Block maximum sizes by the BD byte's 3-bit ID (4..7). */
const BLOCK_MAX_BY_ID: Readonly<Record<number, number>> = { 4: 64 * 1024, 5: 256 * 1024, 6: 1024 * 1024, 7: 4 * 1024 * 1024 };
const LEGACY_BLOCK = 8 * 1024 * 1024;
const WINDOW = 65536;
const compressBound = (n: number): number => n + Math.floor(n / 255) + 16;
const LEGACY_BOUND = compressBound(LEGACY_BLOCK);
/** Default output cap, as for the other decompressors (1 GiB). */
export const LZ4_DEFAULT_MAX_OUTPUT = 1024 * 1024 * 1024;
const EMPTY = new Uint8Array(0);

function corrupt(detail: string, offset: number): RepokitError {
  return new RepokitError('CORRUPT_COMPRESSED_DATA', `lz4: ${detail}`, { offset });
}

// ---------------------------------------------------------------------------------------------
// Block decoding

/**
 * Decode one LZ4 block `src` into `dst` at `dStart` (bytes of `dst` from `lowest` on may be
 * referenced by matches). Returns the end of the output, or -1 when it would pass `dLimit`.
 * `at` is the block's offset in the input, for messages.
 */
function decodeBlock(src: Uint8Array, dst: Uint8Array, dStart: number, dLimit: number, lowest: number, at: number): number {
  const iend = src.length;
  let ip = 0;
  let op = dStart;
  for (;;) {
    if (ip >= iend) throw corrupt('a block ends with a match instead of literals', at + ip);
    const token = src[ip++]!;
    let lit = token >>> 4;
    if (lit === 15) {
      let b: number;
      do {
        if (ip >= iend) throw corrupt('a literal length runs past the end of its block', at + ip);
        b = src[ip++]!;
        lit += b;
      } while (b === 255);
    }
    if (lit > iend - ip) throw corrupt('literals run past the end of their block', at + ip);
    if (lit > dLimit - op) return -1;
    if (lit < 32) {
      for (let k = 0; k < lit; k++) dst[op + k] = src[ip + k]!;
    } else {
      dst.set(src.subarray(ip, ip + lit), op);
    }
    ip += lit;
    op += lit;
    if (ip === iend) return op;
    if (iend - ip < 2) throw corrupt('a match offset is cut off at the end of its block', at + ip);
    const offset = src[ip]! | (src[ip + 1]! << 8);
    if (offset === 0) throw corrupt('a match has offset 0', at + ip);
    if (offset > op - lowest) throw corrupt(`a match reaches ${offset} bytes back, before the start of the data`, at + ip);
    ip += 2;
    let ml = (token & 15) + 4;
    if ((token & 15) === 15) {
      let b: number;
      do {
        if (ip >= iend) throw corrupt('a match length runs past the end of its block', at + ip);
        b = src[ip++]!;
        ml += b;
      } while (b === 255);
    }
    if (ml > dLimit - op) return -1;
    let m = op - offset;
    if (offset >= ml) {
      dst.copyWithin(op, m, m + ml);
      op += ml;
    } else {
      // Overlapping copy: repeats the last `offset` bytes.
      const stop = op + ml;
      while (op < stop) dst[op++] = dst[m++]!;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Streaming frame decoder

export interface Lz4DecodeOptions {
  /** Most bytes of output (default 1 GiB); more is LIMIT_EXCEEDED. */
  maxOutput?: number;
}

type Stage = 'magic' | 'skip' | 'padding' | 'descriptor' | 'blockHeader' | 'block' | 'contentChecksum' | 'legacyHeader' | 'legacyBlock';

interface Frame {
  blockMax: number;
  linked: boolean;
  blockChecksum: boolean;
  contentChecksum: boolean;
  contentSize: number | undefined;
  produced: number;
  hash: Xxh32 | undefined;
  /** Linked blocks: the frame's recent output; `hist[pos - 64 KiB, pos)` is the match window. */
  hist: Uint8Array;
  pos: number;
}

/**
 * Room for `n` more bytes of a linked frame's output after its window; returns where they go.
 * The window is moved to the front when the buffer is full, and the buffer grows only to what
 * the blocks seen need, so work stays linear in input plus output.
 */
function reserve(f: Frame, n: number): number {
  if (f.pos + n <= f.hist.length) return f.pos;
  if (f.pos > WINDOW) {
    f.hist.copyWithin(0, f.pos - WINDOW, f.pos);
    f.pos = WINDOW;
  }
  if (f.hist.length - f.pos < n + WINDOW) {
    const grown = new Uint8Array(Math.max(f.hist.length * 2, f.pos + n + WINDOW));
    grown.set(f.hist.subarray(0, f.pos));
    f.hist = grown;
  }
  return f.pos;
}

/**
 * An incremental LZ4 decoder: `push` input chunks of any size and get the output decoded so far;
 * `end` checks that the input stopped at a frame boundary (TRUNCATED otherwise). Input is only
 * copied when a header or block straddles chunks; memory is one block plus the 64 KiB window.
 */
export class Lz4Decoder {
  readonly #max: number;
  #chunks: Uint8Array[] = [];
  /** Bytes of #chunks[0] already consumed. */
  #head = 0;
  #avail = 0;
  /** Input offset of the next unconsumed byte. */
  #offset = 0;
  #out = 0;
  #stage: Stage = 'magic';
  #need = 4;
  #skip = 0;
  #frames = 0;
  #frame: Frame | undefined;
  #blockUncompressed = false;
  #ended = false;

  constructor(options: Lz4DecodeOptions = {}) {
    if (options === null || typeof options !== 'object') throw new RepokitError('INVALID_ARGUMENT', 'lz4: options must be an object');
    const max = options.maxOutput ?? LZ4_DEFAULT_MAX_OUTPUT;
    if (!Number.isSafeInteger(max) || max < 0) throw new RepokitError('INVALID_ARGUMENT', `lz4: maxOutput must be a non-negative integer, not ${String(max)}`);
    this.#max = max;
  }

  /** Bytes of output produced so far. */
  get outputSize(): number {
    return this.#out;
  }

  /** Feed input; returns the output it completes (possibly none). */
  push(chunk: Uint8Array): Uint8Array[] {
    if (!(chunk instanceof Uint8Array)) throw new RepokitError('INVALID_ARGUMENT', 'lz4: input chunks must be Uint8Array');
    if (this.#ended) throw new RepokitError('INVALID_ARGUMENT', 'lz4: push after end');
    if (chunk.length > 0) {
      this.#chunks.push(chunk);
      this.#avail += chunk.length;
    }
    const out: Uint8Array[] = [];
    this.#run(out);
    return out;
  }

  /** Finish: throws TRUNCATED unless the input ended at the end of a frame. */
  end(): Uint8Array[] {
    this.#ended = true;
    const out: Uint8Array[] = [];
    this.#run(out);
    // Fewer than 4 zero bytes after a frame are padding too (more were consumed by the 'padding' stage).
    if (this.#stage === 'magic' && this.#frames > 0 && this.#avail < 4 && this.#chunks.every((c, i) => c.subarray(i === 0 ? this.#head : 0).every((b) => b === 0))) {
      this.#take(this.#avail);
    }
    const atBoundary = ((this.#stage === 'magic' || this.#stage === 'padding') && this.#frames > 0) || (this.#stage === 'legacyHeader' && this.#need === 4);
    if (!atBoundary || this.#avail > 0) {
      const what = this.#frames === 0 && this.#stage === 'magic' ? 'the input ends before the first LZ4 frame header' : `the input ends inside an LZ4 frame (${this.#stage})`;
      throw new RepokitError('TRUNCATED', what, { offset: this.#offset + this.#avail });
    }
    return out;
  }

  /** `n` contiguous bytes (n <= #avail), consumed. Copies only when they straddle chunks. */
  #take(n: number): Uint8Array {
    if (n === 0) return EMPTY;
    const first = this.#chunks[0]!;
    if (first.length - this.#head >= n) {
      const v = first.subarray(this.#head, this.#head + n);
      this.#head += n;
      if (this.#head === first.length) {
        this.#chunks.shift();
        this.#head = 0;
      }
      this.#avail -= n;
      this.#offset += n;
      return v;
    }
    const v = new Uint8Array(n);
    let got = 0;
    while (got < n) {
      const c = this.#chunks[0]!;
      const k = Math.min(n - got, c.length - this.#head);
      v.set(c.subarray(this.#head, this.#head + k), got);
      got += k;
      this.#head += k;
      if (this.#head === c.length) {
        this.#chunks.shift();
        this.#head = 0;
      }
    }
    this.#avail -= n;
    this.#offset += n;
    return v;
  }

  /** The next 4 bytes as a little-endian number, without consuming them. */
  #peek32(): number {
    const first = this.#chunks[0]!;
    if (first.length - this.#head >= 4) return u32le(first, this.#head);
    const b = new Uint8Array(4);
    let got = 0;
    for (let i = 0, h = this.#head; got < 4; i++, h = 0) {
      const c = this.#chunks[i]!;
      for (let j = h; j < c.length && got < 4; j++) b[got++] = c[j]!;
    }
    return u32le(b, 0);
  }

  #run(out: Uint8Array[]): void {
    for (;;) {
      if (this.#stage === 'skip') {
        // Skipped bytes are dropped chunk by chunk, never gathered.
        while (this.#skip > 0 && this.#avail > 0) {
          const first = this.#chunks[0]!;
          const k = Math.min(this.#skip, first.length - this.#head);
          this.#take(k);
          this.#skip -= k;
        }
        if (this.#skip > 0) return;
        this.#stage = 'magic';
        this.#need = 4;
        continue;
      }
      if (this.#stage === 'padding') {
        while (this.#avail > 0) {
          const at = this.#offset;
          const first = this.#chunks[0]!;
          const piece = this.#take(first.length - this.#head);
          const bad = piece.findIndex((b) => b !== 0);
          if (bad >= 0) throw corrupt('non-zero bytes in the zero padding after the last frame', at + bad);
        }
        return;
      }
      if (this.#avail < this.#need) return;
      switch (this.#stage) {
        case 'magic':
          this.#magic();
          break;
        case 'descriptor':
          this.#descriptor();
          break;
        case 'blockHeader':
          this.#blockHeader();
          break;
        case 'block':
          this.#block(out);
          break;
        case 'contentChecksum':
          this.#contentChecksum();
          break;
        case 'legacyHeader':
          this.#legacyHeader();
          break;
        case 'legacyBlock':
          this.#legacyBlock(out);
          break;
      }
    }
  }

  #magic(): void {
    const at = this.#offset;
    const magic = this.#peek32();
    if (magic >= SKIPPABLE_MIN && magic <= SKIPPABLE_MAX) {
      if (this.#avail < 8) {
        this.#need = 8;
        return;
      }
      this.#take(4);
      this.#skip = u32le(this.#take(4), 0);
      this.#stage = 'skip';
      this.#frames++;
      return;
    }
    if (magic === 0 && this.#frames > 0) {
      this.#stage = 'padding';
      return;
    }
    this.#take(4);
    if (magic === FRAME_MAGIC) {
      this.#stage = 'descriptor';
      this.#need = 3; // FLG BD HC at least; grown once FLG is known
      this.#frame = undefined;
      return;
    }
    if (magic === LEGACY_MAGIC) {
      this.#frames++;
      this.#stage = 'legacyHeader';
      this.#need = 4;
      return;
    }
    throw corrupt(`not an LZ4 frame: magic 0x${magic.toString(16).padStart(8, '0')}`, at);
  }

  #descriptor(): void {
    const at = this.#offset;
    const flg = this.#peekByte(0);
    const len = 3 + ((flg & 0x08) !== 0 ? 8 : 0) + ((flg & 0x01) !== 0 ? 4 : 0);
    if (this.#avail < len) {
      this.#need = len;
      return;
    }
    const d = this.#take(len);
    const bd = d[1]!;
    if (flg >>> 6 !== 1) throw corrupt(`unsupported frame version ${flg >>> 6}`, at);
    if ((flg & 0x02) !== 0 || (bd & 0x8f) !== 0) throw corrupt('reserved bits are set in the frame descriptor', at);
    const blockMax = BLOCK_MAX_BY_ID[(bd >>> 4) & 7];
    if (blockMax === undefined) throw corrupt(`invalid block maximum size ID ${(bd >>> 4) & 7}`, at + 1);
    const hc = (xxhash32(d.subarray(0, len - 1)) >>> 8) & 0xff;
    if (hc !== d[len - 1]) throw corrupt('frame descriptor checksum mismatch', at + len - 1);
    if ((flg & 0x01) !== 0) {
      throw new RepokitError('UNSUPPORTED_COMPRESSION', 'lz4: the frame needs a dictionary (dictionary ID set), which repokit does not have', { offset: at });
    }
    let contentSize: number | undefined;
    if ((flg & 0x08) !== 0) {
      const lo = u32le(d, 2);
      const hi = u32le(d, 6);
      const size = hi * 0x100000000 + lo;
      if (hi >= 0x200000 || size > this.#max - this.#out) {
        throw new RepokitError('LIMIT_EXCEEDED', `lz4: the frame announces ${hi >= 0x200000 ? 'more than 2^53' : size} bytes of content, more than the output limit of ${this.#max}`, { offset: at + 2 });
      }
      contentSize = size;
    }
    const contentChecksum = (flg & 0x04) !== 0;
    this.#frame = {
      blockMax,
      linked: (flg & 0x20) === 0,
      blockChecksum: (flg & 0x10) !== 0,
      contentChecksum,
      contentSize,
      produced: 0,
      hash: contentChecksum ? new Xxh32() : undefined,
      hist: EMPTY,
      pos: 0,
    };
    this.#frames++;
    this.#stage = 'blockHeader';
    this.#need = 4;
  }

  #peekByte(i: number): number {
    let h = this.#head + i;
    for (const c of this.#chunks) {
      if (h < c.length) return c[h]!;
      h -= c.length;
    }
    return 0;
  }

  #blockHeader(): void {
    const f = this.#frame!;
    const at = this.#offset;
    const word = u32le(this.#take(4), 0);
    if (word === 0) {
      if (f.contentChecksum) {
        this.#stage = 'contentChecksum';
        this.#need = 4;
      } else {
        this.#endFrame(at);
      }
      return;
    }
    const size = word & 0x7fffffff;
    if (size > f.blockMax) throw corrupt(`a block of ${size} bytes is larger than the frame's block maximum of ${f.blockMax}`, at);
    this.#blockUncompressed = word >>> 31 === 1;
    this.#stage = 'block';
    this.#need = size + (f.blockChecksum ? 4 : 0);
  }

  #block(out: Uint8Array[]): void {
    const f = this.#frame!;
    const at = this.#offset;
    const all = this.#take(this.#need);
    const data = f.blockChecksum ? all.subarray(0, all.length - 4) : all;
    if (f.blockChecksum && xxhash32(data) !== u32le(all, all.length - 4)) throw corrupt('block checksum mismatch', at + data.length);
    const room = this.#max - this.#out;
    let produced: Uint8Array;
    if (this.#blockUncompressed) {
      if (data.length > room) this.#limit(at);
      if (f.linked) {
        const start = reserve(f, data.length);
        f.hist.set(data, start);
        f.pos = start + data.length;
      }
      produced = data.slice();
    } else {
      // Output buffers are sized by what the block can possibly produce (at most 255 bytes per
      // input byte), so that a flood of tiny blocks cannot make the decoder allocate much.
      const bound = 255 * data.length + 16;
      const cap = Math.min(f.blockMax, room, bound);
      let end: number;
      if (f.linked) {
        const start = reserve(f, cap);
        end = decodeBlock(data, f.hist, start, start + cap, 0, at);
        if (end >= 0) {
          produced = f.hist.slice(start, end);
          f.pos = end;
        } else {
          produced = EMPTY;
        }
      } else {
        const dst = new Uint8Array(cap);
        end = decodeBlock(data, dst, 0, cap, 0, at);
        produced = end >= 0 ? dst.subarray(0, end) : EMPTY;
      }
      if (end < 0) {
        if (room < f.blockMax && room < bound) this.#limit(at);
        throw corrupt(`a block decodes to more than the frame's block maximum of ${f.blockMax} bytes`, at);
      }
    }
    this.#emit(f, produced, out, at);
    this.#stage = 'blockHeader';
    this.#need = 4;
  }

  #emit(f: Frame | undefined, produced: Uint8Array, out: Uint8Array[], at: number): void {
    if (produced.length === 0) return;
    this.#out += produced.length;
    if (f !== undefined) {
      f.produced += produced.length;
      if (f.contentSize !== undefined && f.produced > f.contentSize) throw corrupt(`the frame holds more than its announced ${f.contentSize} bytes`, at);
      f.hash?.update(produced);
    }
    out.push(produced);
  }

  #limit(at: number): never {
    throw new RepokitError('LIMIT_EXCEEDED', `lz4: the output is larger than the limit of ${this.#max} bytes`, { offset: at });
  }

  #contentChecksum(): void {
    const f = this.#frame!;
    const at = this.#offset;
    const want = u32le(this.#take(4), 0);
    if (f.hash!.digest() !== want) throw corrupt('content checksum mismatch', at);
    this.#endFrame(at);
  }

  #endFrame(at: number): void {
    const f = this.#frame!;
    if (f.contentSize !== undefined && f.produced !== f.contentSize) {
      throw corrupt(`the frame holds ${f.produced} bytes, not its announced ${f.contentSize}`, at);
    }
    this.#frame = undefined;
    this.#stage = 'magic';
    this.#need = 4;
  }

  #legacyHeader(): void {
    const word = this.#peek32();
    // A size no legacy block can have is the magic number of the next frame (as lz4 reads it).
    if (word > LEGACY_BOUND || word === LEGACY_MAGIC) {
      this.#stage = 'magic';
      this.#need = 4;
      return;
    }
    this.#take(4);
    this.#stage = 'legacyBlock';
    this.#need = word;
  }

  #legacyBlock(out: Uint8Array[]): void {
    const at = this.#offset;
    const data = this.#take(this.#need);
    const room = this.#max - this.#out;
    const bound = 255 * data.length + 16;
    const cap = Math.min(LEGACY_BLOCK, room, bound);
    const dst = new Uint8Array(cap);
    const end = data.length === 0 ? 0 : decodeBlock(data, dst, 0, cap, 0, at);
    if (end < 0) {
      if (room < LEGACY_BLOCK && room < bound) this.#limit(at);
      throw corrupt('a legacy block decodes to more than 8 MiB', at);
    }
    this.#emit(undefined, dst.subarray(0, end), out, at);
    this.#stage = 'legacyHeader';
    this.#need = 4;
  }
}

/**
 * Decompress LZ4 data (one or more frames, skippable frames, legacy frames). Throws
 * CORRUPT_COMPRESSED_DATA, TRUNCATED, LIMIT_EXCEEDED (output over `maxOutput`, default 1 GiB),
 * UNSUPPORTED_COMPRESSION (dictionary frames) or INVALID_ARGUMENT — RepokitErrors only.
 */
export function lz4Decompress(data: Uint8Array, options: Lz4DecodeOptions = {}): Uint8Array {
  if (!(data instanceof Uint8Array)) throw new RepokitError('INVALID_ARGUMENT', 'lz4: data must be a Uint8Array');
  const d = new Lz4Decoder(options);
  const parts = d.push(data);
  parts.push(...d.end());
  return concatBytes(parts);
}

/** Decompress a stream of LZ4 chunks, yielding output as blocks complete (same errors as {@link lz4Decompress}). */
export async function* lz4DecompressStream(chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, options: Lz4DecodeOptions = {}): AsyncGenerator<Uint8Array> {
  const d = new Lz4Decoder(options);
  for await (const c of chunks) yield* d.push(c);
  yield* d.end();
}

// ---------------------------------------------------------------------------------------------
// Encoder

export interface Lz4CompressOptions {
  /** 1 (default, fastest) … 9: candidates examined per position double with each level (capped at 256). */
  level?: number;
  /** Block maximum size (default 4 MiB, as the `lz4` tool uses). */
  blockSize?: 65536 | 262144 | 1048576 | 4194304;
  /** Write the content checksum (default true). */
  contentChecksum?: boolean;
  /** Write the block checksums (default false). */
  blockChecksum?: boolean;
  /** Write the content size in the header (default true). */
  contentSize?: boolean;
}

const MIN_MATCH = 4;
/** The last match starts at least 12 bytes before the end of a block … */
const MF_LIMIT = 12;
/** … and the last 5 bytes are always literals (the block format's rules). */
const LAST_LITERALS = 5;
const MAX_OFFSET = 65535;
const HASH_BITS = 16;

const hash4 = (v: number): number => Math.imul(v, 0x9e3779b1) >>> (32 - HASH_BITS);

function writeLength(out: Uint8Array, op: number, n: number): number {
  while (n >= 255) {
    out[op++] = 255;
    n -= 255;
  }
  out[op++] = n;
  return op;
}

/** Compress `src[start, end)` as one block into `out` at `op`; returns the end in `out`. */
function compressBlock(src: Uint8Array, start: number, end: number, out: Uint8Array, op: number, attempts: number, head: Int32Array, chain: Int32Array): number {
  const n = end - start;
  let anchor = start;
  const emit = (litEnd: number, offset: number, ml: number): void => {
    const lit = litEnd - anchor;
    const tokenAt = op++;
    let token = (lit >= 15 ? 15 : lit) << 4;
    if (lit >= 15) op = writeLength(out, op, lit - 15);
    out.set(src.subarray(anchor, litEnd), op);
    op += lit;
    if (ml > 0) {
      out[op++] = offset & 0xff;
      out[op++] = offset >>> 8;
      const m = ml - MIN_MATCH;
      token |= m >= 15 ? 15 : m;
      if (m >= 15) op = writeLength(out, op, m - 15);
    }
    out[tokenAt] = token;
  };
  if (n > MF_LIMIT) {
    head.fill(0);
    const mfLimit = end - MF_LIMIT;
    const matchLimit = end - LAST_LITERALS;
    const insert = (p: number): number => {
      const h = hash4(u32le(src, p));
      const prev = head[h]!;
      chain[p - start] = prev;
      head[h] = p - start + 1;
      return prev;
    };
    let i = start;
    let misses = 0;
    while (i <= mfLimit) {
      const seq = u32le(src, i);
      let cand = insert(i) - 1;
      let best = 0;
      let bestPos = 0;
      for (let tries = attempts; cand >= 0 && tries > 0; tries--) {
        const c = start + cand;
        if (i - c > MAX_OFFSET) break;
        if (u32le(src, c) === seq) {
          let len = MIN_MATCH;
          while (i + len < matchLimit && src[c + len] === src[i + len]) len++;
          if (len > best) {
            best = len;
            bestPos = c;
            if (i + len >= matchLimit) break;
          }
        }
        cand = chain[cand]! - 1;
      }
      if (best < MIN_MATCH) {
        // Level 1 speeds up over incompressible stretches, as the reference encoder does.
        i += attempts === 1 ? 1 + (misses++ >> 6) : 1;
        continue;
      }
      misses = 0;
      // Extend backwards over equal bytes still counted as literals.
      while (i > anchor && bestPos > start && src[i - 1] === src[bestPos - 1]) {
        i--;
        bestPos--;
        best++;
      }
      emit(i, i - bestPos, best);
      const stop = Math.min(i + best, mfLimit + 1);
      if (attempts > 1) for (let p = i + 1; p < stop; p++) insert(p);
      else if (i + best - 2 < stop && i + best - 2 > i) insert(i + best - 2);
      i += best;
      anchor = i;
    }
  }
  emit(end, 0, 0);
  return op;
}

/**
 * Compress `data` into one LZ4 frame (independent blocks, content checksum and content size by
 * default) that `lz4 -d`, libarchive and {@link lz4Decompress} read. Deterministic.
 */
export function lz4Compress(data: Uint8Array, options: Lz4CompressOptions = {}): Uint8Array {
  if (!(data instanceof Uint8Array)) throw new RepokitError('INVALID_ARGUMENT', 'lz4: data must be a Uint8Array');
  if (options === null || typeof options !== 'object') throw new RepokitError('INVALID_ARGUMENT', 'lz4: options must be an object');
  const level = options.level ?? 1;
  if (!Number.isInteger(level) || level < 1 || level > 12) throw new RepokitError('INVALID_ARGUMENT', `lz4: level must be an integer from 1 to 12, not ${String(level)}`);
  const blockSize = options.blockSize ?? 4 * 1024 * 1024;
  const bdId = Object.entries(BLOCK_MAX_BY_ID).find(([, v]) => v === blockSize)?.[0];
  if (bdId === undefined) throw new RepokitError('INVALID_ARGUMENT', `lz4: blockSize must be 65536, 262144, 1048576 or 4194304, not ${String(blockSize)}`);
  const withContentChecksum = options.contentChecksum !== false;
  const withBlockChecksum = options.blockChecksum === true;
  const withSize = options.contentSize !== false;
  const attempts = Math.min(256, 2 ** (level - 1));

  const header = new Uint8Array(withSize ? 15 : 7);
  header.set([0x04, 0x22, 0x4d, 0x18]);
  header[4] = 0x40 | 0x20 | (withBlockChecksum ? 0x10 : 0) | (withSize ? 0x08 : 0) | (withContentChecksum ? 0x04 : 0);
  header[5] = Number(bdId) << 4;
  if (withSize) {
    const n = data.length;
    putU32(header, 6, n % 0x100000000);
    putU32(header, 10, Math.floor(n / 0x100000000));
  }
  header[header.length - 1] = (xxhash32(header.subarray(4, header.length - 1)) >>> 8) & 0xff;

  const parts: Uint8Array[] = [header];
  const head = new Int32Array(1 << HASH_BITS);
  const chain = new Int32Array(Math.min(blockSize, Math.max(data.length, 1)));
  const scratch = new Uint8Array(compressBound(Math.min(blockSize, data.length)));
  for (let start = 0; start < data.length; start += blockSize) {
    const end = Math.min(data.length, start + blockSize);
    const n = end - start;
    const clen = compressBlock(data, start, end, scratch, 0, attempts, head, chain);
    const raw = clen >= n;
    const body = raw ? data.subarray(start, end) : scratch.subarray(0, clen);
    const block = new Uint8Array(4 + body.length + (withBlockChecksum ? 4 : 0));
    putU32(block, 0, (body.length | (raw ? 0x80000000 : 0)) >>> 0);
    block.set(body, 4);
    if (withBlockChecksum) putU32(block, 4 + body.length, xxhash32(body));
    parts.push(block);
  }
  const trailer = new Uint8Array(withContentChecksum ? 8 : 4);
  if (withContentChecksum) putU32(trailer, 4, xxhash32(data));
  parts.push(trailer);
  return concatBytes(parts);
}

function putU32(b: Uint8Array, at: number, v: number): void {
  b[at] = v & 0xff;
  b[at + 1] = (v >>> 8) & 0xff;
  b[at + 2] = (v >>> 16) & 0xff;
  b[at + 3] = (v >>> 24) & 0xff;
}
