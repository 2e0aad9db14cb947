/**
 * bzip2, in TypeScript: a streaming multi-stream decoder with bounded memory and an encoder whose
 * output `bzip2 -d` accepts (not byte-identical to bzip2's). Pure: no Node imports.
 *
 * Format (bzip2 1.0): stream header `BZh1`..`BZh9` (block size in 100 kB), then blocks, each
 * `0x314159265359`, block CRC, origPtr, symbol map, 2-6 Huffman tables with per-50-symbol
 * selectors, then MTF/RUNA/RUNB-coded BWT output of RLE1-coded data; the stream ends with
 * `0x177245385090` and the combined CRC. Streams may be concatenated (pbzip2, lbzip2).
 *
 * Memory: the decoder holds one block's working arrays (at most 900 000 entries × 4 bytes plus the
 * block's compressed bytes, a few MB) and emits output in chunks of at most 64 KiB as it is pulled.
 */
import { RepokitError } from './errors.js';

const BLOCK_MAGIC_HI = 0x314159;
const BLOCK_MAGIC_LO = 0x265359;
const EOS_MAGIC_HI = 0x177245;
const EOS_MAGIC_LO = 0x385090;
const OUT_CHUNK = 64 * 1024;
const MAX_GROUPS = 6;
const GROUP_SIZE = 50;
const MAX_ALPHA = 258;
const MAX_CODE_LEN = 20;

/** CRC-32 with polynomial 0x04C11DB7, MSB first (bzip2's, not zlib's reflected one). */
const CRC_TABLE = (() => {
  const t = new Int32Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i << 24;
    for (let k = 0; k < 8; k++) c = c & 0x80000000 ? (c << 1) ^ 0x04c11db7 : c << 1;
    t[i] = c;
  }
  return t;
})();

/** Thrown (and caught) when a unit needs more input than has arrived. */
const NEED_MORE = Symbol('need more input');

class BitReader {
  buf: Uint8Array;
  /** Byte position of the next unread byte. */
  pos: number;
  bits = 0;
  count = 0;

  constructor(buf: Uint8Array, pos: number) {
    this.buf = buf;
    this.pos = pos;
  }

  /** n <= 24 bits, MSB first. */
  read(n: number): number {
    while (this.count < n) {
      if (this.pos >= this.buf.length) throw NEED_MORE;
      this.bits = ((this.bits << 8) | this.buf[this.pos++]!) >>> 0;
      this.count += 8;
    }
    this.count -= n;
    const v = (this.bits >>> this.count) & ((1 << n) - 1);
    this.bits &= (1 << this.count) - 1;
    return v;
  }

  bit(): number {
    if (this.count === 0) {
      if (this.pos >= this.buf.length) throw NEED_MORE;
      this.bits = this.buf[this.pos++]!;
      this.count = 8;
    }
    this.count--;
    const v = (this.bits >>> this.count) & 1;
    this.bits &= (1 << this.count) - 1;
    return v;
  }

  /** The absolute bit position. */
  get bitPos(): number {
    return this.pos * 8 - this.count;
  }
}

function corrupt(detail: string, offset?: number): RepokitError {
  return new RepokitError('CORRUPT_COMPRESSED_DATA', `bzip2 data is corrupt: ${detail}`, offset === undefined ? {} : { offset });
}

/** A decoded (but not yet inverted) block. */
interface Block {
  tt: Uint32Array;
  length: number;
  origPtr: number;
  crc: number;
}

/** Options of {@link Bzip2Decoder}. */
export interface Bzip2DecoderOptions {
  /** Stop with `LIMIT_EXCEEDED` once more than this many bytes were produced (default: no cap here; callers usually count). */
  maxOutput?: number;
}

/**
 * Incremental bzip2 decoder. Feed compressed chunks with {@link Bzip2Decoder.push} and, after the
 * last one, call {@link Bzip2Decoder.end}; both return generators of decoded chunks (at most 64 KiB
 * each, fresh arrays). Concatenated streams are decoded; bytes after the last stream that do not
 * start another stream are ignored (as `bzip2 -d` does, with a warning there).
 */
export class Bzip2Decoder {
  #pending: Uint8Array[] = [];
  #pendingSize = 0;
  /** Unconsumed input, starting at a unit boundary (stream header or block). */
  #buf: Uint8Array = new Uint8Array(0);
  /** Bit offset inside #buf where the next unit starts (blocks are not byte-aligned). */
  #bitPos = 0;
  /** Absolute byte offset of #buf[0] in the whole input (for error offsets). */
  #base = 0;
  #state: 'header' | 'blocks' | 'trailing' = 'header';
  #blockSize100k = 0;
  #streamCrc = 0;
  #streams = 0;
  #tt: Uint32Array | undefined;
  /** Try decoding again only when this much is buffered (doubles after each miss). */
  #retryAt = 0;
  #produced = 0;
  readonly #maxOutput: number;

  constructor(options: Bzip2DecoderOptions = {}) {
    this.#maxOutput = options.maxOutput ?? Number.MAX_SAFE_INTEGER;
  }

  /** Feed compressed bytes; yields whatever can be decoded so far. */
  *push(chunk: Uint8Array): Generator<Uint8Array> {
    if (chunk.length === 0) return;
    this.#pending.push(chunk);
    this.#pendingSize += chunk.length;
    if (this.#available() < this.#retryAt) return;
    yield* this.#run(false);
  }

  /** Signal the end of input; yields the rest, or throws if the data ended early. */
  *end(): Generator<Uint8Array> {
    yield* this.#run(true);
    if (this.#state === 'header' && this.#streams === 0) throw new RepokitError('TRUNCATED', 'bzip2 data is empty or shorter than its header', { offset: this.#base });
  }

  #available(): number {
    return this.#buf.length - (this.#bitPos >> 3) + this.#pendingSize;
  }

  #gather(): void {
    if (this.#pending.length === 0) return;
    const keepFrom = this.#bitPos >> 3;
    const rest = this.#buf.length - keepFrom;
    const out = new Uint8Array(rest + this.#pendingSize);
    out.set(this.#buf.subarray(keepFrom), 0);
    let at = rest;
    for (const p of this.#pending) {
      out.set(p, at);
      at += p.length;
    }
    this.#base += keepFrom;
    this.#bitPos -= keepFrom * 8;
    this.#buf = out;
    this.#pending = [];
    this.#pendingSize = 0;
  }

  *#run(final: boolean): Generator<Uint8Array> {
    this.#gather();
    for (;;) {
      if (this.#state === 'trailing') {
        // Drop everything after the last stream.
        this.#base += this.#buf.length;
        this.#buf = new Uint8Array(0);
        this.#bitPos = 0;
        return;
      }
      const r = new BitReader(this.#buf, this.#bitPos >> 3);
      if (this.#bitPos & 7) r.read(this.#bitPos & 7);
      let block: Block | undefined;
      try {
        if (this.#state === 'header') {
          if (!this.#readStreamHeader(r)) continue;
        } else {
          block = this.#readBlock(r);
        }
      } catch (e) {
        if (e !== NEED_MORE) throw e;
        if (final && this.#state === 'header' && this.#streams > 0) {
          // A few bytes after the last stream that cannot start another one: ignored.
          this.#state = 'trailing';
          continue;
        }
        if (final) {
          throw new RepokitError('TRUNCATED', this.#state === 'header' ? 'bzip2 stream header is cut short' : 'bzip2 data ends inside a block', {
            offset: this.#base + this.#buf.length,
          });
        }
        this.#retryAt = Math.max(64 * 1024, this.#available() * 2);
        return;
      }
      this.#bitPos = r.bitPos;
      this.#retryAt = 0;
      if (block !== undefined) yield* this.#emit(block);
    }
  }

  /** Reads `BZh1`..`BZh9`; false when what follows a stream is not another stream. */
  #readStreamHeader(r: BitReader): boolean {
    const start = this.#base + (this.#bitPos >> 3);
    if (this.#streams > 0 && r.pos >= r.buf.length) throw NEED_MORE;
    const b = r.read(8);
    if (this.#streams > 0 && b !== 0x42) {
      this.#state = 'trailing';
      return false;
    }
    const z = r.read(8);
    const h = r.read(8);
    const level = r.read(8);
    if (b !== 0x42 || z !== 0x5a || h !== 0x68 || level < 0x31 || level > 0x39) {
      if (this.#streams > 0) {
        this.#state = 'trailing';
        return false;
      }
      throw corrupt('bad stream header (expected BZh1..BZh9)', start);
    }
    this.#blockSize100k = level - 0x30;
    this.#streamCrc = 0;
    this.#state = 'blocks';
    this.#bitPos = r.bitPos;
    return true;
  }

  #readBlock(r: BitReader): Block | undefined {
    const at = (): number => this.#base + (r.bitPos >> 3);
    const hi = r.read(24);
    const lo = r.read(24);
    if (hi === EOS_MAGIC_HI && lo === EOS_MAGIC_LO) {
      const crc = ((r.read(16) << 16) | r.read(16)) >>> 0;
      if (crc !== this.#streamCrc >>> 0) throw corrupt(`stream CRC mismatch (stored ${crc.toString(16)}, computed ${(this.#streamCrc >>> 0).toString(16)})`, at());
      // The next stream starts at a byte boundary.
      if (r.count > 0) r.read(r.count);
      this.#streams++;
      this.#state = 'header';
      this.#bitPos = r.bitPos;
      return undefined;
    }
    if (hi !== BLOCK_MAGIC_HI || lo !== BLOCK_MAGIC_LO) throw corrupt('bad block magic', at());
    const crc = ((r.read(16) << 16) | r.read(16)) >>> 0;
    if (r.bit()) throw new RepokitError('UNSUPPORTED_COMPRESSION', 'randomised bzip2 blocks (written by bzip2 < 0.9.5) are not supported', { offset: at() });
    const origPtr = r.read(24);
    const maxBlock = this.#blockSize100k * 100000;

    // Symbol map: 16 groups of 16 byte values.
    const seqToUnseq = new Uint8Array(256);
    let nInUse = 0;
    const used16 = r.read(16);
    for (let i = 0; i < 16; i++) {
      if (used16 & (0x8000 >> i)) {
        const bits = r.read(16);
        for (let j = 0; j < 16; j++) if (bits & (0x8000 >> j)) seqToUnseq[nInUse++] = i * 16 + j;
      }
    }
    if (nInUse === 0) throw corrupt('block uses no symbols', at());
    const alphaSize = nInUse + 2;

    const nGroups = r.read(3);
    if (nGroups < 2 || nGroups > MAX_GROUPS) throw corrupt(`bad number of Huffman tables ${nGroups}`, at());
    const nSelectors = r.read(15);
    if (nSelectors < 1) throw corrupt('no selectors', at());
    // Selectors, MTF-coded in unary. bzip2 >= 1.0.8 reads up to 32767 but uses at most 18002.
    const mtfGroups = [0, 1, 2, 3, 4, 5];
    const selectors = new Uint8Array(nSelectors);
    for (let i = 0; i < nSelectors; i++) {
      let j = 0;
      while (r.bit()) {
        j++;
        if (j >= nGroups) throw corrupt('bad selector', at());
      }
      const v = mtfGroups[j]!;
      for (let k = j; k > 0; k--) mtfGroups[k] = mtfGroups[k - 1]!;
      mtfGroups[0] = v;
      selectors[i] = v;
    }

    // Code lengths, delta-coded, then canonical decoding tables per group.
    const tables: HuffTable[] = [];
    const lens = new Uint8Array(MAX_ALPHA);
    for (let t = 0; t < nGroups; t++) {
      let cur = r.read(5);
      for (let i = 0; i < alphaSize; i++) {
        for (;;) {
          if (cur < 1 || cur > MAX_CODE_LEN) throw corrupt('bad Huffman code length', at());
          if (!r.bit()) break;
          cur += r.bit() ? -1 : 1;
        }
        lens[i] = cur;
      }
      tables.push(buildTable(lens, alphaSize));
    }

    // The MTF/RLE2 symbol stream.
    this.#tt ??= new Uint32Array(maxBlock);
    if (this.#tt.length < maxBlock) this.#tt = new Uint32Array(maxBlock);
    const tt = this.#tt;
    const yy = new Uint8Array(256);
    for (let i = 0; i < 256; i++) yy[i] = i;
    const eob = nInUse + 1;
    let n = 0;
    let sel = 0;
    let left = 0;
    let table = tables[0]!;
    let run = 0;
    let runWeight = 1;
    for (;;) {
      if (left === 0) {
        if (sel >= nSelectors) throw corrupt('ran out of selectors', at());
        table = tables[selectors[sel++]!]!;
        left = GROUP_SIZE;
      }
      left--;
      const sym = decodeSymbol(r, table);
      if (sym < 0) throw corrupt('invalid Huffman code', at());
      if (sym <= 1) {
        run += (sym + 1) * runWeight;
        runWeight *= 2;
        if (run > maxBlock) throw corrupt('run longer than the block', at());
        continue;
      }
      if (run > 0) {
        if (n + run > maxBlock) throw corrupt('block longer than its declared size', at());
        const byte = seqToUnseq[yy[0]!]!;
        tt.fill(byte, n, n + run);
        n += run;
        run = 0;
        runWeight = 1;
      }
      if (sym === eob) break;
      if (n >= maxBlock) throw corrupt('block longer than its declared size', at());
      const idx = sym - 1;
      const v = yy[idx]!;
      yy.copyWithin(1, 0, idx);
      yy[0] = v;
      tt[n++] = seqToUnseq[v]!;
    }
    if (origPtr >= n) throw corrupt('origPtr outside the block', at());
    return { tt, length: n, origPtr, crc };
  }

  /** Inverse BWT, RLE1 decoding and CRC check, as 64 KiB chunks. */
  *#emit(block: Block): Generator<Uint8Array> {
    const { tt, length, origPtr } = block;
    const cftab = new Int32Array(257);
    for (let i = 0; i < length; i++) cftab[(tt[i]! & 0xff) + 1]!++;
    for (let i = 1; i < 257; i++) cftab[i]! += cftab[i - 1]!;
    for (let i = 0; i < length; i++) {
      const c = tt[i]! & 0xff;
      tt[cftab[c]!]! |= i << 8;
      cftab[c]!++;
    }
    let tPos = tt[origPtr]! >>> 8;
    let crc = -1;
    let out = new Uint8Array(OUT_CHUNK);
    let o = 0;
    let last = -1;
    let same = 0;
    for (let k = 0; k < length; k++) {
      tPos = tt[tPos]!;
      const ch = tPos & 0xff;
      tPos >>>= 8;
      if (same !== 4 && o < OUT_CHUNK - 1) {
        // Common case: one literal byte with room in the chunk.
        if (ch === last) same++;
        else {
          same = 1;
          last = ch;
        }
        out[o++] = ch;
        crc = (crc << 8) ^ CRC_TABLE[((crc >>> 24) ^ ch) & 0xff]!;
        continue;
      }
      let reps: number;
      let byte: number;
      if (same === 4) {
        // The byte after four equal ones is a repeat count.
        reps = ch;
        byte = last;
        same = 0;
      } else {
        reps = 1;
        byte = ch;
        if (ch === last) same++;
        else {
          same = 1;
          last = ch;
        }
      }
      while (reps > 0) {
        const take = Math.min(reps, OUT_CHUNK - o);
        out.fill(byte, o, o + take);
        for (let i = 0; i < take; i++) crc = (crc << 8) ^ CRC_TABLE[((crc >>> 24) ^ byte) & 0xff]!;
        o += take;
        reps -= take;
        if (o === OUT_CHUNK) {
          this.#count(o);
          yield out;
          out = new Uint8Array(OUT_CHUNK);
          o = 0;
        }
      }
    }
    if (o > 0) {
      this.#count(o);
      yield out.subarray(0, o);
    }
    const blockCrc = ~crc >>> 0;
    if (blockCrc !== block.crc) throw corrupt(`block CRC mismatch (stored ${block.crc.toString(16)}, computed ${blockCrc.toString(16)})`);
    this.#streamCrc = (((this.#streamCrc << 1) | (this.#streamCrc >>> 31)) ^ blockCrc) >>> 0;
  }

  #count(n: number): void {
    this.#produced += n;
    if (this.#produced > this.#maxOutput) throw new RepokitError('LIMIT_EXCEEDED', `decompressed data is larger than maxOutput (${this.#maxOutput} bytes)`);
  }
}

interface HuffTable {
  minLen: number;
  maxLen: number;
  /** First canonical code of each length. */
  first: Int32Array;
  /** Number of codes of each length. */
  count: Int32Array;
  /** Index into perm of the first symbol of each length. */
  index: Int32Array;
  perm: Uint16Array;
}

/** Canonical codes, as bzip2 assigns them: by length, then by symbol. */
function buildTable(lens: Uint8Array, alphaSize: number): HuffTable {
  let minLen = 32;
  let maxLen = 0;
  const count = new Int32Array(MAX_CODE_LEN + 2);
  for (let i = 0; i < alphaSize; i++) {
    const l = lens[i]!;
    count[l]!++;
    if (l < minLen) minLen = l;
    if (l > maxLen) maxLen = l;
  }
  const perm = new Uint16Array(alphaSize);
  const index = new Int32Array(MAX_CODE_LEN + 2);
  const first = new Int32Array(MAX_CODE_LEN + 2);
  let p = 0;
  let code = 0;
  for (let l = minLen; l <= maxLen; l++) {
    index[l] = p;
    first[l] = code;
    for (let i = 0; i < alphaSize; i++) if (lens[i] === l) perm[p++] = i;
    code = (code + count[l]!) << 1;
  }
  return { minLen, maxLen, first, count, index, perm };
}

function decodeSymbol(r: BitReader, t: HuffTable): number {
  let len = t.minLen;
  let code = r.read(len);
  for (;;) {
    const d = code - t.first[len]!;
    if (d >= 0 && d < t.count[len]!) return t.perm[t.index[len]! + d]!;
    if (++len > t.maxLen) return -1;
    code = (code << 1) | r.bit();
  }
}

// ---------------------------------------------------------------------------------------------
// Encoder

class BitWriter {
  buf = new Uint8Array(1 << 16);
  len = 0;
  #bits = 0;
  #count = 0;

  /** n <= 24 bits, MSB first. */
  write(n: number, v: number): void {
    this.#bits = ((this.#bits << n) | (v & ((1 << n) - 1))) >>> 0;
    this.#count += n;
    while (this.#count >= 8) {
      this.#count -= 8;
      this.#byte((this.#bits >>> this.#count) & 0xff);
    }
    this.#bits &= (1 << this.#count) - 1;
  }

  write32(v: number): void {
    this.write(16, v >>> 16);
    this.write(16, v & 0xffff);
  }

  flush(): Uint8Array {
    if (this.#count > 0) this.write(8 - this.#count, 0);
    return this.buf.slice(0, this.len);
  }

  #byte(b: number): void {
    if (this.len === this.buf.length) {
      const bigger = new Uint8Array(this.buf.length * 2);
      bigger.set(this.buf);
      this.buf = bigger;
    }
    this.buf[this.len++] = b;
  }
}

/**
 * Compress with bzip2 at `level` 1..9 (block size level × 100 kB; `bzip2` defaults to 9). The
 * output is one bzip2 stream that `bzip2 -d` (libbz2) decodes; it is deterministic but not
 * byte-identical to bzip2's own output (different sorting tie-breaks and Huffman tables).
 */
export function bzip2Compress(parts: readonly Uint8Array[], level = 9): Uint8Array {
  if (!Number.isInteger(level) || level < 1 || level > 9) throw new RepokitError('INVALID_ARGUMENT', `bzip2 level must be 1..9, got ${String(level)}`);
  const w = new BitWriter();
  w.write(8, 0x42);
  w.write(8, 0x5a);
  w.write(8, 0x68);
  w.write(8, 0x30 + level);
  // bzip2 keeps 19 bytes of slack below the nominal block size; so do we.
  const maxBlock = level * 100000 - 19;
  const block = new Uint8Array(maxBlock);
  let n = 0;
  let crc = -1;
  let combined = 0;
  let runByte = -1;
  let runLen = 0;

  const finishBlock = (): void => {
    if (n === 0) return;
    const blockCrc = ~crc >>> 0;
    combined = (((combined << 1) | (combined >>> 31)) ^ blockCrc) >>> 0;
    writeBlock(w, block.subarray(0, n), blockCrc);
    n = 0;
    crc = -1;
  };
  const flushRun = (): void => {
    if (runLen === 0) return;
    if (n + 5 > maxBlock) finishBlock();
    for (let i = 0; i < runLen; i++) crc = (crc << 8) ^ CRC_TABLE[((crc >>> 24) ^ runByte) & 0xff]!;
    if (runLen < 4) {
      for (let i = 0; i < runLen; i++) block[n++] = runByte;
    } else {
      block[n++] = runByte;
      block[n++] = runByte;
      block[n++] = runByte;
      block[n++] = runByte;
      block[n++] = runLen - 4;
    }
    runLen = 0;
  };
  for (const part of parts) {
    for (let i = 0; i < part.length; i++) {
      const b = part[i]!;
      if (b === runByte && runLen < 255) {
        runLen++;
      } else {
        flushRun();
        runByte = b;
        runLen = 1;
      }
    }
  }
  flushRun();
  finishBlock();
  w.write(24, EOS_MAGIC_HI);
  w.write(24, EOS_MAGIC_LO);
  w.write32(combined);
  return w.flush();
}

/**
 * Sort the cyclic rotations of `s` by prefix doubling with counting sorts: O(n log n). Returns the
 * start positions in sorted order. Equal rotations (periodic blocks) may come in any order, which
 * does not change the transform.
 */
function sortRotations(s: Uint8Array): Int32Array {
  const n = s.length;
  const sa = new Int32Array(n);
  const tmp = new Int32Array(n);
  let rank = new Int32Array(n);
  let next = new Int32Array(n);
  const cnt = new Int32Array(Math.max(256, n) + 1);
  for (let i = 0; i < n; i++) cnt[s[i]! + 1]!++;
  for (let i = 1; i <= 256; i++) cnt[i]! += cnt[i - 1]!;
  for (let i = 0; i < n; i++) sa[cnt[s[i]!]!++] = i;
  let classes = 0;
  for (let i = 0; i < n; i++) {
    if (i === 0 || s[sa[i]!] !== s[sa[i - 1]!]) classes++;
    rank[sa[i]!] = classes - 1;
  }
  for (let k = 1; k < n && classes < n; k *= 2) {
    // Sorted by the second half: shift the current order back by k.
    for (let i = 0; i < n; i++) {
      let p = sa[i]! - k;
      if (p < 0) p += n;
      tmp[i] = p;
    }
    // Stable counting sort by the first half's class.
    cnt.fill(0, 0, classes + 1);
    for (let i = 0; i < n; i++) cnt[rank[i]! + 1]!++;
    for (let i = 1; i <= classes; i++) cnt[i]! += cnt[i - 1]!;
    for (let i = 0; i < n; i++) {
      const p = tmp[i]!;
      sa[cnt[rank[p]!]!++] = p;
    }
    classes = 0;
    for (let i = 0; i < n; i++) {
      const a = sa[i]!;
      if (i === 0) classes = 1;
      else {
        const b = sa[i - 1]!;
        let a2 = a + k;
        if (a2 >= n) a2 -= n;
        let b2 = b + k;
        if (b2 >= n) b2 -= n;
        if (rank[a] !== rank[b] || rank[a2] !== rank[b2]) classes++;
      }
      next[a] = classes - 1;
    }
    [rank, next] = [next, rank];
  }
  return sa;
}

function writeBlock(w: BitWriter, block: Uint8Array, blockCrc: number): void {
  const n = block.length;
  const sa = sortRotations(block);
  let origPtr = 0;
  // BWT: the byte before each sorted rotation.
  const last = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const p = sa[i]!;
    if (p === 0) origPtr = i;
    last[i] = block[p === 0 ? n - 1 : p - 1]!;
  }

  // MTF + RUNA/RUNB over the used byte values.
  const inUse = new Uint8Array(256);
  for (let i = 0; i < n; i++) inUse[block[i]!] = 1;
  const unseqToSeq = new Uint8Array(256);
  let nInUse = 0;
  for (let i = 0; i < 256; i++) if (inUse[i]) unseqToSeq[i] = nInUse++;
  const eob = nInUse + 1;
  const alphaSize = nInUse + 2;
  const mtf = new Uint16Array(n + 1);
  let nMtf = 0;
  const freq = new Int32Array(MAX_ALPHA);
  const yy = new Uint8Array(256);
  for (let i = 0; i < nInUse; i++) yy[i] = i;
  let zPend = 0;
  const flushZeros = (): void => {
    if (zPend === 0) return;
    zPend--;
    for (;;) {
      const sym = zPend & 1;
      mtf[nMtf++] = sym;
      freq[sym]!++;
      if (zPend < 2) break;
      zPend = (zPend - 2) >> 1;
    }
    zPend = 0;
  };
  for (let i = 0; i < n; i++) {
    const c = unseqToSeq[last[i]!]!;
    if (yy[0] === c) {
      zPend++;
      continue;
    }
    flushZeros();
    let j = 1;
    while (yy[j] !== c) j++;
    yy.copyWithin(1, 0, j);
    yy[0] = c;
    mtf[nMtf++] = j + 1;
    freq[j + 1]!++;
  }
  flushZeros();
  mtf[nMtf++] = eob;
  freq[eob]!++;

  // Huffman tables: start from contiguous symbol ranges of similar total frequency, then refine by
  // letting each 50-symbol group pick its cheapest table and rebuilding the tables from that.
  const nGroups = nMtf < 200 ? 2 : nMtf < 600 ? 3 : nMtf < 1200 ? 4 : nMtf < 2400 ? 5 : 6;
  const lens: Uint8Array[] = [];
  {
    let remaining = nMtf;
    let lo = 0;
    for (let t = nGroups; t > 0; t--) {
      const target = remaining / t;
      let hi = lo - 1;
      let acc = 0;
      while (acc < target && hi < alphaSize - 1) acc += freq[++hi]!;
      const l = new Uint8Array(alphaSize);
      for (let i = 0; i < alphaSize; i++) l[i] = i >= lo && i <= hi ? 0 : 15;
      lens.push(l);
      lo = hi + 1;
      remaining -= acc;
    }
  }
  const nSelectors = Math.ceil(nMtf / GROUP_SIZE);
  const selectors = new Uint8Array(nSelectors);
  const tfreq = Array.from({ length: nGroups }, () => new Int32Array(alphaSize));
  for (let iter = 0; iter < 4; iter++) {
    for (const f of tfreq) f.fill(0);
    for (let g = 0; g < nSelectors; g++) {
      const start = g * GROUP_SIZE;
      const end = Math.min(nMtf, start + GROUP_SIZE);
      let best = 0;
      let bestCost = Infinity;
      for (let t = 0; t < nGroups; t++) {
        const l = lens[t]!;
        let cost = 0;
        for (let i = start; i < end; i++) cost += l[mtf[i]!]!;
        if (cost < bestCost) {
          bestCost = cost;
          best = t;
        }
      }
      selectors[g] = best;
      const f = tfreq[best]!;
      for (let i = start; i < end; i++) f[mtf[i]!]!++;
    }
    for (let t = 0; t < nGroups; t++) lens[t] = codeLengths(tfreq[t]!, alphaSize, 17);
  }
  const codes = lens.map((l) => canonicalCodes(l, alphaSize));

  w.write(24, BLOCK_MAGIC_HI);
  w.write(24, BLOCK_MAGIC_LO);
  w.write32(blockCrc);
  w.write(1, 0);
  w.write(24, origPtr);
  let used16 = 0;
  for (let i = 0; i < 16; i++) {
    for (let j = 0; j < 16; j++) if (inUse[i * 16 + j]) used16 |= 0x8000 >> i;
  }
  w.write(16, used16);
  for (let i = 0; i < 16; i++) {
    if (!(used16 & (0x8000 >> i))) continue;
    let bits = 0;
    for (let j = 0; j < 16; j++) if (inUse[i * 16 + j]) bits |= 0x8000 >> j;
    w.write(16, bits);
  }
  w.write(3, nGroups);
  w.write(15, nSelectors);
  const order = [0, 1, 2, 3, 4, 5];
  for (let g = 0; g < nSelectors; g++) {
    const s = selectors[g]!;
    let j = 0;
    while (order[j] !== s) j++;
    for (let k = 0; k < j; k++) w.write(1, 1);
    w.write(1, 0);
    for (let k = j; k > 0; k--) order[k] = order[k - 1]!;
    order[0] = s;
  }
  for (let t = 0; t < nGroups; t++) {
    const l = lens[t]!;
    let cur = l[0]!;
    w.write(5, cur);
    for (let i = 0; i < alphaSize; i++) {
      while (cur < l[i]!) {
        w.write(2, 2);
        cur++;
      }
      while (cur > l[i]!) {
        w.write(2, 3);
        cur--;
      }
      w.write(1, 0);
    }
  }
  for (let g = 0; g < nSelectors; g++) {
    const t = selectors[g]!;
    const l = lens[t]!;
    const c = codes[t]!;
    const end = Math.min(nMtf, (g + 1) * GROUP_SIZE);
    for (let i = g * GROUP_SIZE; i < end; i++) {
      const sym = mtf[i]!;
      w.write(l[sym]!, c[sym]!);
    }
  }
}

/**
 * Huffman code lengths for every symbol (unused ones get a code too, as bzip2 requires), no longer
 * than `maxLen`: when the tree is too deep, frequencies are flattened and it is rebuilt.
 */
function codeLengths(freq: Int32Array, alphaSize: number, maxLen: number): Uint8Array {
  const weight = new Float64Array(alphaSize);
  for (let i = 0; i < alphaSize; i++) weight[i] = Math.max(1, freq[i]!);
  for (;;) {
    const lens = huffmanLengths(weight);
    let deepest = 0;
    for (let i = 0; i < alphaSize; i++) deepest = Math.max(deepest, lens[i]!);
    if (deepest <= maxLen) return lens;
    for (let i = 0; i < alphaSize; i++) weight[i] = 1 + Math.floor(weight[i]! / 2);
  }
}

/** Plain Huffman code lengths (ties broken by symbol index, so the result is deterministic). */
function huffmanLengths(weight: Float64Array): Uint8Array {
  const n = weight.length;
  // Nodes 0..n-1 are leaves; internal nodes follow. A simple sorted-queue merge (n <= 258).
  const w: number[] = Array.from(weight);
  const parent = new Int32Array(2 * n).fill(-1);
  const live: number[] = [];
  for (let i = 0; i < n; i++) live.push(i);
  live.sort((a, b) => w[a]! - w[b]! || a - b);
  let next = n;
  while (live.length > 1) {
    const a = live.shift()!;
    const b = live.shift()!;
    w[next] = w[a]! + w[b]!;
    parent[a] = next;
    parent[b] = next;
    // Insert keeping the order: by weight, then by creation (later nodes after equal weights).
    let pos = live.length;
    while (pos > 0 && w[live[pos - 1]!]! > w[next]!) pos--;
    live.splice(pos, 0, next);
    next++;
  }
  const lens = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    let d = 0;
    for (let p = i; parent[p]! >= 0; p = parent[p]!) d++;
    lens[i] = Math.max(1, d);
  }
  return lens;
}

function canonicalCodes(lens: Uint8Array, alphaSize: number): Int32Array {
  const codes = new Int32Array(alphaSize);
  let code = 0;
  for (let l = 1; l <= MAX_CODE_LEN; l++) {
    for (let i = 0; i < alphaSize; i++) if (lens[i] === l) codes[i] = code++;
    code <<= 1;
  }
  return codes;
}
