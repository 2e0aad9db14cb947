/**
 * RPM header blob encoder (region-less, "legacy v3" layout).
 *
 * This is the layout rpm's `headerExport` writes for a header built with `headerNew()` +
 * `headerPut()` (what ALT's genpkglist does) and what apt-rpm pkglists are made of:
 *
 * ```
 * [magic 8E AD E8 01 00 00 00 00]        (optional, default on)
 * il  uint32 BE                          number of index entries
 * dl  uint32 BE                          data section length
 * il × { tag, type, offset, count }      16-byte index entries, uint32 BE each
 * dl bytes of data                       entries' data in index order
 * ```
 *
 * Data is packed in index order; before INT16/INT32/INT64 data, zero bytes pad the position up to
 * 2/4/8 relative to the data start (rpm's `alignDiff`). Nothing follows the last item. That is
 * exactly what rpm's reader demands of a region-less header (`regionSwab` recomputes `dl` as the
 * aligned, packed sum and `hdrblobImport` fails unless it equals the stored `dl`).
 *
 * Input rules (anything else throws `RepokitError('RPM_ENCODE')` naming the tag, before any byte
 * is written):
 *
 * - `tag`: an integer 100 ≤ tag ≤ 0x7FFFFFFF. Region tags (61-63) and everything below
 *   HEADERI18NTABLE (100) are refused: this function never writes a region, and rpm rejects
 *   tags < 100 outside index entry 0 (`hdrchkTag`). rpm stores the tag as a signed int32, so
 *   tags ≥ 2^31 would read back negative and be rejected too. Tags must be unique.
 * - `type`: 1..9 (CHAR..I18NSTRING); NULL (0) and unknown numbers are refused.
 * - `value`, by type:
 *   - STRING: a `string` (count 1);
 *   - STRING_ARRAY, I18NSTRING: a non-empty `string[]` (count = length);
 *   - CHAR, INT8: a non-empty `number[]` of integers in -128..255;
 *   - INT16: integers in -32768..65535; INT32: integers in -2^31..2^32-1;
 *   - INT64: a non-empty array of `bigint` in -2^63..2^64-1, or of safe-integer `number`s;
 *   - BIN: a non-empty `Uint8Array` (count = byte length).
 *   Negative numbers are stored two's-complement (so -1 as INT32 is FF FF FF FF, which rpm,
 *   reading unsigned, returns as 4294967295).
 * - Strings must not contain U+0000 (the on-disk terminator). They are written as UTF-8; a lone
 *   UTF-16 surrogate is written as U+FFFD, as `TextEncoder` does.
 * - At least one entry (rpm refuses a header with no tags: "region: no tags").
 * - Limits rpm's reader applies: at most 0xFFFF entries, count ≤ 0xFFFFF for every type but BIN,
 *   and `8 + 16·il + dl < 256 MiB` (`headerMaxbytes`, which also keeps `dl ≤ 0x0FFFFFFF`).
 *
 * I18NSTRING entries are not checked against HEADERI18NTABLE (100): rpm does not either (it reads
 * `min(entry.count, table.count)` elements and falls back to element 0).
 */
import { RepokitError } from '../shared/errors.js';
import { HEADER_MAGIC, RPM_TYPE_NAMES, RpmType } from './types.js';
import type { HeaderEntryInput } from './types.js';
import type { Header } from './header.js';

export interface EncodeHeaderOptions {
  /** Prefix the 8-byte magic 8E AD E8 01 00 00 00 00 (as in .rpm files and pkglists). Default true. */
  magic?: boolean;
  /**
   * Wrap the entries in an immutable region as rpmbuild writes package headers: a region entry
   * (63 for a main header, 62 for a signature header) first in the index, and its 16-byte trailer
   * after the data. Default: no region (the layout of pkglists and rpmdb blobs).
   */
  region?: 62 | 63;
  /** Keep entries in the given order instead of sorting by tag (default false: sort by tag, stable). */
  keepOrder?: boolean;
}

/** rpm's HEADER_TAGS_MAX: the most index entries a header may have. */
const MAX_ENTRIES = 0xffff;
/** rpm's HEADER_ARRAY_MAX: the largest count of a non-BIN entry. */
const MAX_COUNT = 0xfffff;
/** rpm's headerMaxbytes: `8 + 16·il + dl` must stay below this. */
const MAX_BLOB = 256 * 1024 * 1024;
const MAX_TAG = 0x7fffffff;
const MIN_TAG = 100;

const TWO_32 = 4294967296;
const INT64_MIN = -(2n ** 63n);
const UINT64_MAX = 2n ** 64n - 1n;

const utf8 = new TextEncoder();

/**
 * String data is UTF-8-encoded once, in pass 1, into a scratch buffer (NUL-terminated, exactly as
 * it will appear in the header); pass 2 copies it. The buffer is reused across calls; a nested call
 * (only possible through user getters) gets its own.
 */
interface Scratch {
  buf: Uint8Array;
  pos: number;
}
const SCRATCH_KEEP = 1 << 20;
let spare: Uint8Array | null = null;

function reserve(sc: Scratch, need: number): void {
  if (need <= sc.buf.length) return;
  // Double, but not past rpm's size limit unless one string needs it (callers fail soon after).
  const b = new Uint8Array(Math.max(need, Math.min(sc.buf.length * 2, MAX_BLOB)));
  b.set(sc.buf.subarray(0, sc.pos));
  sc.buf = b;
}

/** Short ASCII strings are copied by hand; longer or non-ASCII ones go through encodeInto. */
const SHORT = 24;

const PUT_OK = 0;
const PUT_NUL = 1;
const PUT_TOO_BIG = 2;

/**
 * Append `s` and its terminator to the scratch buffer. Returns PUT_NUL when `s` contains NUL, and
 * PUT_TOO_BIG when its UTF-8 would take the scratch past rpm's header size limit (so a huge
 * string never makes us reserve 3 bytes per character). Lone UTF-16 surrogates become U+FFFD
 * (TextEncoder's behaviour).
 */
function putString(sc: Scratch, s: string): number {
  const n = s.length;
  const start = sc.pos;
  if (n >= MAX_BLOB - start) return PUT_TOO_BIG; // UTF-8 takes at least a byte per code unit
  reserve(sc, start + Math.min(3 * n, MAX_BLOB - start) + 1);
  const buf = sc.buf;
  if (n <= SHORT) {
    let p = start;
    let i = 0;
    for (; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80 || c === 0) break;
      buf[p++] = c;
    }
    if (i === n) {
      buf[p] = 0;
      sc.pos = p + 1;
      return PUT_OK;
    }
  }
  // Leave the last byte free for the terminator.
  const r = utf8.encodeInto(s, buf.subarray(start, buf.length - 1));
  if (r.read !== n) return PUT_TOO_BIG;
  const end = start + r.written;
  buf[end] = 0;
  sc.pos = end + 1;
  return buf.indexOf(0, start) === end ? PUT_OK : PUT_NUL;
}

function tooBig(e: HeaderEntryInput): never {
  fail(e, `data is larger than rpm's header size limit of ${MAX_BLOB} bytes`);
}

/** Per-entry facts pass 1 learns and pass 2 needs, `META` int32s per entry of the output order. */
const META = 6;
const M_TAG = 0;
const M_TYPE = 1;
const M_OFFSET = 2;
const M_COUNT = 3;
const M_LENGTH = 4;
/** For string entries: where their encoded data starts in the scratch buffer. */
const M_STR = 5;

interface Layout {
  readonly il: number;
  readonly meta: Int32Array;
  /** The value of each entry in output order, as read (once) in pass 1. */
  readonly values: unknown[];
  /** Data section length. */
  readonly dl: number;
}

function fail(e: HeaderEntryInput | undefined, msg: string): never {
  if (e === undefined) throw new RepokitError('RPM_ENCODE', msg);
  const tn = typeof e.type === 'number' ? (RPM_TYPE_NAMES[e.type] ?? `type ${e.type}`) : `type ${String(e.type)}`;
  throw new RepokitError('RPM_ENCODE', `tag ${String(e.tag)} (${tn}): ${msg}`);
}

/**
 * Validate one entry's value. Stores its count in `out[0]` and its data length in `out[1]`;
 * string data is encoded into the scratch buffer. (One small function per value shape keeps each
 * element-access site monomorphic.)
 */
function measure(e: HeaderEntryInput, type: number, v: unknown, sc: Scratch, out: Int32Array): void {
  switch (type) {
    case RpmType.STRING: {
      if (typeof v !== 'string') fail(e, 'value must be a string');
      const start = sc.pos;
      const r = putString(sc, v);
      if (r === PUT_NUL) fail(e, 'string contains a NUL character');
      if (r === PUT_TOO_BIG) tooBig(e);
      out[0] = 1;
      out[1] = sc.pos - start;
      return;
    }
    case RpmType.STRING_ARRAY:
    case RpmType.I18NSTRING:
      out[0] = arrayLength(e, v, 'strings');
      out[1] = measureStrings(e, v as unknown[], sc);
      return;
    case RpmType.CHAR:
    case RpmType.INT8:
      out[0] = arrayLength(e, v, 'numbers');
      checkInts(e, v as unknown[], -0x80, 0xff);
      out[1] = out[0];
      return;
    case RpmType.INT16:
      out[0] = arrayLength(e, v, 'numbers');
      checkInts(e, v as unknown[], -0x8000, 0xffff);
      out[1] = out[0] * 2;
      return;
    case RpmType.INT32:
      out[0] = arrayLength(e, v, 'numbers');
      checkInts(e, v as unknown[], -0x80000000, 0xffffffff);
      out[1] = out[0] * 4;
      return;
    case RpmType.INT64:
      out[0] = arrayLength(e, v, 'bigints');
      checkInt64s(e, v as unknown[]);
      out[1] = out[0] * 8;
      return;
    case RpmType.BIN: {
      if (!(v instanceof Uint8Array)) fail(e, 'value must be a Uint8Array');
      const n = v.length;
      if (n === 0) fail(e, 'value must not be empty (rpm rejects count 0)');
      if (n >= MAX_BLOB) tooBig(e);
      out[0] = n;
      out[1] = n;
      return;
    }
    default:
      fail(e, type === RpmType.NULL ? 'type NULL cannot be encoded' : 'unknown type');
  }
}

/** The element count of an array value, checked against rpm's 1..0xFFFFF. */
function arrayLength(e: HeaderEntryInput, v: unknown, what: string): number {
  if (!Array.isArray(v)) fail(e, `value must be an array of ${what}`);
  const n = v.length;
  if (n === 0) fail(e, 'value must not be empty (rpm rejects count 0)');
  if (n > MAX_COUNT) fail(e, `${n} elements exceed rpm's limit of ${MAX_COUNT}`);
  return n;
}

function measureStrings(e: HeaderEntryInput, v: readonly unknown[], sc: Scratch): number {
  const start = sc.pos;
  for (let i = 0; i < v.length; i++) {
    const s = v[i];
    if (typeof s !== 'string') fail(e, `element ${i} is not a string`);
    const r = putString(sc, s);
    if (r === PUT_NUL) fail(e, `element ${i} contains a NUL character`);
    if (r === PUT_TOO_BIG || sc.pos >= MAX_BLOB) tooBig(e);
  }
  return sc.pos - start;
}

function checkInts(e: HeaderEntryInput, v: readonly unknown[], lo: number, hi: number): void {
  for (let i = 0; i < v.length; i++) {
    const x = v[i];
    if (typeof x !== 'number' || !Number.isInteger(x) || x < lo || x > hi) {
      fail(e, `element ${i} (${String(x)}) is not an integer in ${lo}..${hi}`);
    }
  }
}

function checkInt64s(e: HeaderEntryInput, v: readonly unknown[]): void {
  for (let i = 0; i < v.length; i++) {
    const x = v[i];
    if (typeof x === 'bigint') {
      if (x < INT64_MIN || x > UINT64_MAX) fail(e, `element ${i} (${x}) is outside -2^63..2^64-1`);
    } else if (typeof x !== 'number' || !Number.isSafeInteger(x)) {
      fail(e, `element ${i} (${String(x)}) is neither a bigint nor a safe integer`);
    }
  }
}

function checkTag(e: HeaderEntryInput): void {
  if (typeof e !== 'object' || e === null) fail(undefined, `entry is not an object: ${String(e)}`);
  const tag = e.tag as unknown;
  if (typeof tag !== 'number' || !Number.isInteger(tag)) fail(e, 'tag must be an integer');
  if (tag < MIN_TAG) {
    fail(e, `tags below ${MIN_TAG} (HEADERI18NTABLE) are reserved for regions and cannot be encoded`);
  }
  if (tag > MAX_TAG) fail(e, `tag is above ${MAX_TAG} (rpm stores tags as signed 32-bit numbers)`);
}

const byTag = (a: HeaderEntryInput, b: HeaderEntryInput): number => a.tag - b.tag;

function layout(entries: readonly HeaderEntryInput[], options: EncodeHeaderOptions | undefined, sc: Scratch): Layout {
  if (!Array.isArray(entries)) fail(undefined, 'entries must be an array');
  const n = entries.length;
  if (n === 0) fail(undefined, 'a header needs at least one entry (rpm rejects an empty header)');
  if (n > MAX_ENTRIES) fail(undefined, `${n} entries exceed rpm's limit of ${MAX_ENTRIES}`);

  // Tags first (the sort needs them sane), noticing whether they are already strictly increasing.
  let increasing = true;
  let prev = -1;
  for (let i = 0; i < n; i++) {
    const e = entries[i]!;
    checkTag(e);
    if (e.tag <= prev) increasing = false;
    prev = e.tag;
  }

  let order: readonly HeaderEntryInput[] = entries;
  if (!increasing) {
    if (options?.keepOrder === true) {
      const seen = new Set<number>();
      for (const e of entries) {
        if (seen.has(e.tag)) fail(e, 'duplicate tag');
        seen.add(e.tag);
      }
    } else {
      const sorted = entries.slice().sort(byTag); // Array.prototype.sort is stable
      for (let i = 1; i < n; i++) {
        if (sorted[i]!.tag === sorted[i - 1]!.tag) fail(sorted[i], 'duplicate tag');
      }
      order = sorted;
    }
  }

  const meta = new Int32Array(n * META);
  const values = new Array<unknown>(n);
  const m = new Int32Array(2);
  const indexBytes = 8 + 16 * n;
  let dl = 0;
  for (let i = 0, k = 0; i < n; i++, k += META) {
    const e = order[i]!;
    const type = e.type as unknown;
    if (typeof type !== 'number') fail(e, 'unknown type');
    const v: unknown = e.value;
    meta[k + M_STR] = sc.pos;
    measure(e, type, v, sc, m);
    if (type === RpmType.INT16) dl += dl & 1;
    else if (type === RpmType.INT32) dl += -dl & 3;
    else if (type === RpmType.INT64) dl += -dl & 7;
    meta[k + M_TAG] = e.tag;
    meta[k + M_TYPE] = type;
    meta[k + M_OFFSET] = dl;
    meta[k + M_COUNT] = m[0]!;
    meta[k + M_LENGTH] = m[1]!;
    values[i] = v;
    dl += m[1]!;
    if (indexBytes + dl >= MAX_BLOB) {
      fail(e, `header would be ${indexBytes + dl}+ bytes; rpm's limit is 8 + 16·il + dl < ${MAX_BLOB}`);
    }
  }
  return { il: n, meta, values, dl };
}

/** Run `f` with the shared scratch buffer (or a fresh one if it is in use). */
function withScratch<T>(f: (sc: Scratch) => T): T {
  const sc: Scratch = { buf: spare ?? new Uint8Array(1 << 14), pos: 0 };
  spare = null;
  try {
    return f(sc);
  } finally {
    // Keep the buffer for the next call unless a huge header grew it.
    spare = sc.buf.length <= SCRATCH_KEEP ? sc.buf : null;
  }
}

/**
 * Size in bytes {@link encodeHeader} would produce (without building it). Validates the entries
 * exactly as `encodeHeader` does and throws the same errors.
 */
export function encodedHeaderSize(entries: readonly HeaderEntryInput[], options?: EncodeHeaderOptions): number {
  return withScratch((sc) => {
    const l = layout(entries, options, sc);
    const r = options?.region === undefined ? 0 : 16;
    return (options?.magic === false ? 0 : 8) + 8 + 16 * l.il + l.dl + 2 * r;
  });
}

/**
 * Encode a region-less header: intro (il, dl), index entries sorted by tag, data packed in index
 * order with natural alignment (zero bytes before INT16/32/64 data to 2/4/8 relative to the data
 * start), no trailing padding. See the module comment for the accepted input; bad input throws
 * `RepokitError` with code `RPM_ENCODE` before anything is written.
 */
export function encodeHeader(entries: readonly HeaderEntryInput[], options?: EncodeHeaderOptions): Uint8Array {
  const region = options?.region;
  if (region !== undefined && region !== 62 && region !== 63) {
    fail(undefined, `region must be 62 or 63, not ${String(region)}`);
  }
  return withScratch((sc) => write(layout(entries, options, sc), sc.buf, options?.magic !== false, region));
}

function write(l: Layout, sbuf: Uint8Array, magic: boolean, region: number | undefined): Uint8Array {
  const { il, meta, values } = l;
  const r = region === undefined ? 0 : 1;
  const dl = l.dl + 16 * r;
  const start = magic ? 8 : 0;
  const out = new Uint8Array(start + 8 + 16 * (il + r) + dl); // zero-filled: alignment padding is free
  const dv = new DataView(out.buffer, out.byteOffset, out.byteLength);
  if (magic) out.set(HEADER_MAGIC, 0);
  dv.setUint32(start, il + r);
  dv.setUint32(start + 4, dl);
  let ix = start + 8;
  const ds = ix + 16 * (il + r);
  if (region !== undefined) {
    // Region entry first; its trailer (same shape, offset = -16 * entries covered) ends the data.
    const trailer = ds + l.dl;
    for (const [at, off] of [
      [ix, l.dl],
      [trailer, -16 * (il + 1)],
    ] as const) {
      dv.setUint32(at, region);
      dv.setUint32(at + 4, RpmType.BIN);
      dv.setInt32(at + 8, off);
      dv.setUint32(at + 12, 16);
    }
    ix += 16;
  }

  for (let i = 0, k = 0; i < il; i++, k += META, ix += 16) {
    const type = meta[k + M_TYPE]!;
    const off = meta[k + M_OFFSET]!;
    const count = meta[k + M_COUNT]!;
    dv.setUint32(ix, meta[k + M_TAG]!);
    dv.setUint32(ix + 4, type);
    dv.setUint32(ix + 8, off);
    dv.setUint32(ix + 12, count);

    let p = ds + off;
    switch (type) {
      case RpmType.STRING:
      case RpmType.STRING_ARRAY:
      case RpmType.I18NSTRING: {
        const s = meta[k + M_STR]!;
        out.set(sbuf.subarray(s, s + meta[k + M_LENGTH]!), p);
        break;
      }
      case RpmType.CHAR:
      case RpmType.INT8: {
        const a = values[i] as number[];
        for (let j = 0; j < count; j++) out[p + j] = a[j]! & 0xff;
        break;
      }
      case RpmType.INT16: {
        const a = values[i] as number[];
        for (let j = 0; j < count; j++, p += 2) dv.setUint16(p, a[j]! & 0xffff);
        break;
      }
      case RpmType.INT32: {
        const a = values[i] as number[];
        for (let j = 0; j < count; j++, p += 4) dv.setUint32(p, a[j]! >>> 0);
        break;
      }
      case RpmType.INT64: {
        const a = values[i] as (bigint | number)[];
        for (let j = 0; j < count; j++, p += 8) {
          const x = a[j]!;
          if (typeof x === 'bigint') {
            dv.setBigUint64(p, x); // ToBigUint64 wraps negatives to two's complement
          } else if (x >= 0) {
            dv.setUint32(p, Math.floor(x / TWO_32));
            dv.setUint32(p + 4, x >>> 0);
          } else {
            dv.setBigUint64(p, BigInt(x));
          }
        }
        break;
      }
      default: // BIN (measure() rejected everything else)
        out.set(values[i] as Uint8Array, p);
        break;
    }
  }
  return out;
}

/** A parsed header's entries (region entry excluded), in index order, as encoder input. */
export function headerEntries(header: Header): HeaderEntryInput[] {
  const out: HeaderEntryInput[] = [];
  for (const e of header.entries) {
    if (header.region !== null && e.index === 0) continue;
    out.push({ tag: e.tag, type: e.type as RpmType, value: header.valueOf(e) });
  }
  return out;
}

/**
 * Encode a parsed header again from its decoded values, keeping its index order and its region
 * (if it has one covering every entry). For headers rpm or genpkglist wrote — sorted tags, data in
 * index order, natural alignment — the result is byte-identical to `header.bytes`.
 */
export function reencodeHeader(header: Header): Uint8Array {
  const region = header.region;
  if (region !== null && (region.ril !== header.il || region.rdl !== header.dl || (region.tag !== 62 && region.tag !== 63))) {
    throw new RepokitError('RPM_ENCODE', 'headers with entries outside their region (dribbles) cannot be re-encoded');
  }
  const options: EncodeHeaderOptions = { magic: header.hasMagic, keepOrder: true };
  if (region !== null) options.region = region.tag as 62 | 63;
  return encodeHeader(headerEntries(header), options);
}
