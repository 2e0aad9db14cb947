/**
 * The Unix `compress` format (`.Z`, LZW) in pure TypeScript (no node: imports), as written by
 * ncompress's `compress` and read by `uncompress`, `gzip -d` and libarchive (so pacman and bsdtar).
 *
 * The file is a 3-byte header (1f 9d, then a flags byte: the largest code width 9..16 in the low 5
 * bits, 0x80 for "block mode", which makes code 256 a CLEAR that empties the dictionary; 0x60 is
 * reserved) followed by LZW codes packed least-significant bit first. Codes start 9 bits wide and
 * widen by one bit whenever the dictionary outgrows the width, up to the maximum. A quirk of the
 * original implementation is part of the format: codes are moved in groups of eight, so when the
 * width changes (and after a CLEAR) the rest of the current group is skipped — the bit position
 * is rounded up to a multiple of `8 × width` bits counted from where the previous width began.
 *
 * Decoding accepts every width 9..16, block mode or not, and is incremental ({@link LzwDecoder}).
 * It follows ncompress and gzip exactly, including their reading of a 9-bit maximum: the first
 * width never counts as the last, so such streams widen to 10 bits after 512 codes.
 * A code that is neither known nor the next to be defined, or a first code that is not a literal,
 * is CORRUPT_COMPRESSED_DATA with the byte offset of the code; output beyond `maxOutput` is
 * LIMIT_EXCEEDED (checked before every string is written); each code consumes at least 9 bits,
 * so work is linear in input plus output. LZW has no end marker or checksum: input cut short is
 * simply decoded as far as it goes (as `uncompress` does); the bits after the last whole code
 * are ignored.
 *
 * Encoding ({@link lzwCompress}) writes what `compress` writes by default: 16-bit maximum, block
 * mode, and a CLEAR once the dictionary is full and the compression ratio starts to fall (checked
 * every 10000 input bytes). The output is deterministic; it is valid for `uncompress`, `gzip -d`
 * and libarchive, not necessarily byte-identical to `compress`.
 */
import { concatBytes } from './bytes.js';
import { RepokitError } from './errors.js';

const MAGIC0 = 0x1f;
const MAGIC1 = 0x9d;
const BLOCK_MODE = 0x80;
const RESERVED_FLAGS = 0x60;
const CLEAR = 256;
const INIT_BITS = 9;
const MAX_BITS = 16;
const OUT_CHUNK = 64 * 1024;

/** Options of {@link LzwDecoder}. */
export interface LzwDecodeOptions {
  /** Stop with `LIMIT_EXCEEDED` once more than this many bytes would be produced (default: no cap). */
  maxOutput?: number;
}

function corrupt(detail: string, offset: number): RepokitError {
  return new RepokitError('CORRUPT_COMPRESSED_DATA', `compress (.Z) data is corrupt: ${detail}`, { offset });
}

/**
 * Incremental decoder of `.Z` data. Feed compressed chunks with {@link LzwDecoder.push} and call
 * {@link LzwDecoder.end} after the last; both return the decoded chunks produced so far (fresh
 * arrays of at most 64 KiB).
 */
export class LzwDecoder {
  readonly #maxOutput: number;
  #header: number[] = [];
  #maxBits = 0;
  #blockMode = false;
  #maxMaxCode = 0;
  #nBits = INIT_BITS;
  #maxCode = (1 << INIT_BITS) - 1;
  #freeEnt = 0;
  #oldCode = -1;
  #finChar = 0;
  /** Bits read from the input but not yet used, least significant first. */
  #bitBuf = 0;
  #bitCount = 0;
  /** Bits of codes consumed since the current code width began (for the group padding). */
  #segBits = 0;
  /** Whole input bytes still to skip (group padding). */
  #skipBytes = 0;
  /** Input bytes seen, header included (for error offsets). */
  #inBytes = 0;
  #produced = 0;
  readonly #prefix = new Uint16Array(1 << MAX_BITS);
  readonly #suffix = new Uint8Array(1 << MAX_BITS);
  readonly #stack = new Uint8Array(1 << MAX_BITS);
  #out = new Uint8Array(OUT_CHUNK);
  #outPos = 0;
  #done: Uint8Array[] = [];

  constructor(options: LzwDecodeOptions = {}) {
    this.#maxOutput = options.maxOutput ?? Number.MAX_SAFE_INTEGER;
  }

  /** Feed compressed bytes; returns what could be decoded. */
  push(chunk: Uint8Array): Uint8Array[] {
    let i = 0;
    while (this.#maxBits === 0 && i < chunk.length) {
      this.#header.push(chunk[i++]!);
      this.#inBytes++;
      if (this.#header.length === 3) this.#parseHeader();
    }
    if (i < chunk.length) this.#run(chunk, i);
    return this.#take(false);
  }

  /** Signal the end of input; returns the rest of the output. */
  end(): Uint8Array[] {
    if (this.#maxBits === 0) {
      throw new RepokitError('TRUNCATED', 'compress (.Z) data is shorter than its 3-byte header', { offset: this.#inBytes });
    }
    return this.#take(true);
  }

  #parseHeader(): void {
    const [m0, m1, flags] = this.#header as [number, number, number];
    if (m0 !== MAGIC0 || m1 !== MAGIC1) throw corrupt('no 1f 9d magic', 0);
    if ((flags & RESERVED_FLAGS) !== 0) throw corrupt(`reserved flag bits set (flags 0x${flags.toString(16)})`, 2);
    const maxBits = flags & 0x1f;
    if (maxBits < INIT_BITS || maxBits > MAX_BITS) throw corrupt(`maximum code width ${maxBits} is outside 9..16`, 2);
    this.#maxBits = maxBits;
    this.#blockMode = (flags & BLOCK_MODE) !== 0;
    this.#maxMaxCode = 1 << maxBits;
    this.#freeEnt = this.#blockMode ? 257 : 256;
    this.#setWidth(INIT_BITS, true);
  }

  /**
   * The width after a change. As in ncompress and gzip, the initial 9 bits never count as the
   * maximum (so `-b9` streams widen to 10 bits once 512 codes exist).
   */
  #setWidth(n: number, initial = false): void {
    this.#nBits = n;
    this.#maxCode = n === this.#maxBits && !initial ? this.#maxMaxCode : (1 << n) - 1;
  }

  /** Skip to the end of the current group of eight codes, counted from where this width began. */
  #padGroup(): void {
    const group = this.#nBits * 8;
    const pad = (group - (this.#segBits % group)) % group;
    this.#segBits = 0;
    if (pad <= this.#bitCount) {
      this.#bitBuf >>>= pad;
      this.#bitCount -= pad;
    } else {
      // The buffer holds only the tail of a byte; the rest of the padding is whole bytes.
      this.#skipBytes += (pad - this.#bitCount) >> 3;
      this.#bitBuf = 0;
      this.#bitCount = 0;
    }
  }

  #run(chunk: Uint8Array, from: number): void {
    const prefix = this.#prefix;
    const suffix = this.#suffix;
    const stack = this.#stack;
    for (let i = from; i < chunk.length; i++) {
      this.#inBytes++;
      if (this.#skipBytes > 0) {
        this.#skipBytes--;
        continue;
      }
      this.#bitBuf |= chunk[i]! << this.#bitCount;
      this.#bitCount += 8;
      const nBits = this.#nBits;
      if (this.#bitCount < nBits) continue;
      let code = this.#bitBuf & ((1 << nBits) - 1);
      this.#bitBuf >>>= nBits;
      this.#bitCount -= nBits;
      this.#segBits += nBits;
      if (this.#oldCode === -1) {
        if (code >= 256) throw corrupt(`the first code is ${code}, not a literal byte`, this.#codeOffset(nBits));
        this.#oldCode = code;
        this.#finChar = code;
        this.#emit(stack, 255, 1, code);
        continue;
      }
      if (code === CLEAR && this.#blockMode) {
        this.#freeEnt = 256;
        this.#padGroup();
        this.#setWidth(INIT_BITS, true);
        continue;
      }
      const inCode = code;
      let sp = stack.length;
      if (code >= this.#freeEnt) {
        if (code > this.#freeEnt) throw corrupt(`code ${code} is not defined yet (next is ${this.#freeEnt})`, this.#codeOffset(nBits));
        stack[--sp] = this.#finChar;
        code = this.#oldCode;
      }
      // Every entry's prefix is a smaller code, so this walk ends; the bound is only a guard.
      while (code >= 256) {
        if (sp === 0) throw corrupt('string longer than the dictionary allows', this.#codeOffset(nBits));
        stack[--sp] = suffix[code]!;
        code = prefix[code]!;
      }
      this.#finChar = code;
      stack[--sp] = code;
      this.#emit(stack, sp, stack.length - sp, -1);
      if (this.#freeEnt < this.#maxMaxCode) {
        prefix[this.#freeEnt] = this.#oldCode;
        suffix[this.#freeEnt] = this.#finChar;
        this.#freeEnt++;
      }
      this.#oldCode = inCode;
      if (this.#freeEnt > this.#maxCode) {
        this.#padGroup();
        this.#setWidth(this.#nBits + 1);
      }
    }
  }

  /** Byte offset where the code just read began. */
  #codeOffset(nBits: number): number {
    return this.#inBytes - Math.ceil((this.#bitCount + nBits) / 8);
  }

  /** Write `len` bytes (`stack[sp..]`, or the single byte `literal` when it is >= 0). */
  #emit(stack: Uint8Array, sp: number, len: number, literal: number): void {
    if (this.#produced + len > this.#maxOutput) {
      throw new RepokitError('LIMIT_EXCEEDED', `decompressed data is larger than maxOutput (${this.#maxOutput} bytes)`);
    }
    this.#produced += len;
    if (literal >= 0) {
      if (this.#outPos === this.#out.length) this.#flush();
      this.#out[this.#outPos++] = literal;
      return;
    }
    let at = sp;
    const end = sp + len;
    while (at < end) {
      if (this.#outPos === this.#out.length) this.#flush();
      const n = Math.min(end - at, this.#out.length - this.#outPos);
      this.#out.set(stack.subarray(at, at + n), this.#outPos);
      this.#outPos += n;
      at += n;
    }
  }

  #flush(): void {
    this.#done.push(this.#out);
    this.#out = new Uint8Array(OUT_CHUNK);
    this.#outPos = 0;
  }

  #take(all: boolean): Uint8Array[] {
    if (all && this.#outPos > 0) {
      this.#done.push(this.#out.subarray(0, this.#outPos));
      this.#out = new Uint8Array(OUT_CHUNK);
      this.#outPos = 0;
    }
    const r = this.#done;
    this.#done = [];
    return r;
  }
}

/** Decode a whole `.Z` buffer (see {@link LzwDecoder}). */
export function lzwDecompress(data: Uint8Array, options: LzwDecodeOptions = {}): Uint8Array {
  const d = new LzwDecoder(options);
  const parts = d.push(data);
  parts.push(...d.end());
  return concatBytes(parts);
}

// ---------------------------------------------------------------------------------------------
// Encoder

/** Input bytes between two looks at the ratio once the dictionary is full (as in `compress`). */
const CHECK_GAP = 10000;
const HASH_BITS = 18;

/** LSB-first bit packer into a growing buffer. */
class BitWriter {
  buf = new Uint8Array(1 << 16);
  pos = 0;
  #acc = 0;
  #count = 0;
  /** Bits written since the current code width began. */
  segBits = 0;

  write(code: number, nBits: number): void {
    this.#acc |= code << this.#count;
    this.#count += nBits;
    this.segBits += nBits;
    while (this.#count >= 8) {
      this.#byte(this.#acc & 0xff);
      this.#acc >>>= 8;
      this.#count -= 8;
    }
  }

  /** Zero bits up to the end of the current group of eight `nBits`-wide codes. */
  padGroup(nBits: number): void {
    const group = nBits * 8;
    let pad = (group - (this.segBits % group)) % group;
    while (pad > 0) {
      const k = Math.min(pad, 16);
      this.write(0, k);
      pad -= k;
    }
    this.segBits = 0;
  }

  /** Bytes written so far, counting a started byte. */
  get size(): number {
    return this.pos + (this.#count > 0 ? 1 : 0);
  }

  finish(): Uint8Array {
    if (this.#count > 0) this.#byte(this.#acc & 0xff);
    this.#acc = 0;
    this.#count = 0;
    return this.buf.slice(0, this.pos);
  }

  #byte(b: number): void {
    if (this.pos === this.buf.length) {
      const bigger = new Uint8Array(this.buf.length * 2);
      bigger.set(this.buf);
      this.buf = bigger;
    }
    this.buf[this.pos++] = b;
  }
}

/**
 * Compress to the `.Z` format in block mode with codes of at most `maxBits` bits (10..16; default
 * 16, flags byte 0x90, what `compress` writes by default; `compress -b N` is `maxBits` N).
 * Deterministic. Empty input gives the bare 3-byte header, as `compress` does. 9 is refused:
 * the readers widen past 9 bits anyway (see {@link LzwDecoder}), so `compress -b9` output
 * longer than 256 codes is unreadable even by `uncompress`, and libarchive refuses it.
 */
export function lzwCompress(data: Uint8Array | readonly Uint8Array[], maxBits = MAX_BITS): Uint8Array {
  if (!Number.isInteger(maxBits) || maxBits <= INIT_BITS || maxBits > MAX_BITS) {
    throw new RepokitError('INVALID_ARGUMENT', `compress (.Z) maximum code width must be an integer in 10..16, got ${String(maxBits)}`);
  }
  const parts = data instanceof Uint8Array ? [data] : data;
  const w = new BitWriter();
  w.buf[0] = MAGIC0;
  w.buf[1] = MAGIC1;
  w.buf[2] = BLOCK_MODE | maxBits;
  w.pos = 3;
  const maxMaxCode = 1 << maxBits;
  // Dictionary: key (prefix code << 8 | byte) -> code, open addressing.
  const keys = new Int32Array(1 << HASH_BITS).fill(-1);
  const codes = new Uint16Array(1 << HASH_BITS);
  const mask = (1 << HASH_BITS) - 1;
  let nBits = INIT_BITS;
  let freeEnt = 257;
  let ent = -1;
  let bytesIn = 0;
  let checkpoint = CHECK_GAP;
  let ratio = 0;
  for (const part of parts) {
    for (let i = 0; i < part.length; i++) {
      const c = part[i]!;
      bytesIn++;
      if (ent < 0) {
        ent = c;
        continue;
      }
      const key = (ent << 8) | c;
      let h = Math.imul(key, 0x9e3779b1) >>> (32 - HASH_BITS);
      let found = -1;
      for (;;) {
        const k = keys[h]!;
        if (k === key) {
          found = codes[h]!;
          break;
        }
        if (k === -1) break;
        h = (h + 1) & mask;
      }
      if (found >= 0) {
        ent = found;
        continue;
      }
      w.write(ent, nBits);
      ent = c;
      if (freeEnt < maxMaxCode) {
        keys[h] = key;
        codes[h] = freeEnt++;
        if (freeEnt > 1 << nBits && nBits < maxBits) {
          w.padGroup(nBits);
          nBits++;
        }
      } else if (bytesIn >= checkpoint) {
        // Dictionary full: start afresh when the ratio has begun to fall.
        checkpoint = bytesIn + CHECK_GAP;
        const r = bytesIn / Math.max(1, w.size);
        if (r >= ratio) {
          ratio = r;
        } else {
          ratio = 0;
          keys.fill(-1);
          w.write(CLEAR, nBits);
          w.padGroup(nBits);
          nBits = INIT_BITS;
          freeEnt = 257;
        }
      }
    }
  }
  if (ent >= 0) w.write(ent, nBits);
  return w.finish();
}
