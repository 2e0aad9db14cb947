import { RepokitError } from './errors.js';

/**
 * Bounds-checked big-endian reads over a Uint8Array.
 *
 * Every read is checked against the view's end, so a decoder built on this never sees a
 * RangeError from DataView: it gets a RepokitError TRUNCATED with the absolute offset instead.
 * `take` is also checked against `maxTake`, the largest single structure the caller is willing to
 * accept (LIMIT_EXCEEDED), so a length field read from hostile input can never make a decoder
 * slice, copy or allocate more than that.
 */
export interface ByteReaderLimits {
  /** Largest `take`/`skip` in one call, in bytes. Default: unlimited (the input's own length). */
  maxTake?: number;
}

export class ByteReader {
  readonly bytes: Uint8Array;
  /** Absolute offset of bytes[0] in the original input, for error positions. */
  readonly base: number;
  readonly maxTake: number;
  pos: number;

  constructor(bytes: Uint8Array, base = 0, limits: ByteReaderLimits = {}) {
    this.bytes = bytes;
    this.base = base;
    const maxTake = limits.maxTake ?? Number.MAX_SAFE_INTEGER;
    if (!Number.isInteger(maxTake) || maxTake < 0) {
      throw new RepokitError('INVALID_ARGUMENT', `maxTake must be a non-negative integer, not ${String(maxTake)}`);
    }
    this.maxTake = maxTake;
    this.pos = 0;
  }

  get length(): number {
    return this.bytes.length;
  }

  get remaining(): number {
    return this.bytes.length - this.pos;
  }

  /** Absolute offset of the current position. */
  get offset(): number {
    return this.base + this.pos;
  }

  /** Throws TRUNCATED unless `n` bytes are available at `at` (default: the current position). */
  need(n: number, what: string, at = this.pos): void {
    if (!(n >= 0) || at < 0 || at + n > this.bytes.length) {
      throw new RepokitError(
        'TRUNCATED',
        `${what}: needs ${n} bytes but only ${Math.max(0, this.bytes.length - at)} remain`,
        { offset: this.base + at },
      );
    }
  }

  u8(what = 'uint8'): number {
    this.need(1, what);
    return this.bytes[this.pos++]!;
  }

  u16(what = 'uint16'): number {
    this.need(2, what);
    const v = be16(this.bytes, this.pos);
    this.pos += 2;
    return v;
  }

  u32(what = 'uint32'): number {
    this.need(4, what);
    const v = be32(this.bytes, this.pos);
    this.pos += 4;
    return v;
  }

  i32(what = 'int32'): number {
    this.need(4, what);
    const v = be32s(this.bytes, this.pos);
    this.pos += 4;
    return v;
  }

  #checkTake(n: number, what: string): void {
    if (n > this.maxTake) {
      throw new RepokitError('LIMIT_EXCEEDED', `${what}: ${n} bytes, more than the limit of ${this.maxTake}`, {
        offset: this.base + this.pos,
      });
    }
    this.need(n, what);
  }

  /** A view (not a copy) of the next `n` bytes. */
  take(n: number, what = 'bytes'): Uint8Array {
    this.#checkTake(n, what);
    const v = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += n;
    return v;
  }

  skip(n: number, what = 'bytes'): void {
    this.#checkTake(n, what);
    this.pos += n;
  }

  /** A fixed-size field of `n` bytes holding a NUL-padded string, decoded as UTF-8. */
  paddedString(n: number, what = 'string'): string {
    const field = this.take(n, what);
    const z = field.indexOf(0);
    return decodeUtf8(field, 0, z < 0 ? n : z);
  }
}

/** Big-endian reads at absolute positions with no bounds check: callers validate first. */
export function be16(b: Uint8Array, at: number): number {
  return (b[at]! << 8) | b[at + 1]!;
}
export function be32(b: Uint8Array, at: number): number {
  return ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0;
}
export function be32s(b: Uint8Array, at: number): number {
  return (b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!;
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

export function toHex(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i++) s += HEX[b[i]!]!;
  return s;
}

export function fromHex(s: string): Uint8Array {
  if (s.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(s)) {
    throw new RepokitError('INVALID_ARGUMENT', `not a hex string: ${JSON.stringify(s.slice(0, 40))}`);
  }
  const out = new Uint8Array(s.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(s.substr(i * 2, 2), 16);
  return out;
}

/**
 * The parts joined into one array. A single part is returned as it is (no copy), so the result
 * may share memory with the input: callers must not write into it.
 */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

const utf8Lenient = new TextDecoder('utf-8', { fatal: false });
const utf8Strict = new TextDecoder('utf-8', { fatal: true });

/**
 * Decode bytes as UTF-8, replacing invalid sequences (rpm itself treats strings as bytes).
 * Very short ASCII strings are built directly; TextDecoder's call overhead dominates there
 * (measured: this split is faster than either method alone on header-like strings).
 */
export function decodeUtf8(b: Uint8Array, start: number, end: number): string {
  if (end - start < 16) {
    let s = '';
    for (let i = start; i < end; i++) {
      const c = b[i]!;
      if (c >= 0x80) return utf8Lenient.decode(b.subarray(start, end));
      s += String.fromCharCode(c);
    }
    return s;
  }
  return utf8Lenient.decode(b.subarray(start, end));
}

/** True when the bytes are well-formed UTF-8. */
export function isValidUtf8(b: Uint8Array): boolean {
  try {
    utf8Strict.decode(b);
    return true;
  } catch {
    return false;
  }
}

const encoder = new TextEncoder();
export function encodeUtf8(s: string): Uint8Array {
  return encoder.encode(s);
}
