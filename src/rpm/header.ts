/**
 * RPM header blobs: parsing with rpm's validation rules (reference rpm.md §2), and typed access.
 *
 * Pure: bytes in, a Header out. Values are decoded lazily on first access, so parsing a header
 * costs one pass over the index plus bounded NUL scans for string data.
 */
import { RepokitError } from '../shared/errors.js';
import { be32, be32s, bytesEqual, decodeUtf8, isValidUtf8, toHex } from '../shared/bytes.js';
import {
  HEADER_I18NTABLE,
  HEADER_IMAGE,
  HEADER_IMMUTABLE,
  HEADER_MAGIC,
  HEADER_SIGNATURES,
  RPM_TYPE_NAMES,
  RpmType,
  TYPE_ALIGN,
  TYPE_SIZE,
  isStringType,
  type HeaderValue,
} from './types.js';
import { MAIN_TAGS, mainTagInfo, signatureTagInfo } from './tags.js';

/** Which rules apply: `rpm` accepts what rpm accepts; `strict` adds rpm.md §2.8's hardening. */
export type RpmProfile = 'rpm' | 'strict';

/**
 * What a header is:
 * - `main`: the main header of a package (region 63 required to cover the whole header, type-checked);
 * - `signature`: the signature header of a package (region 62; entries after the region, "dribbles", allowed);
 * - `blob`: a standalone header such as one from an apt-rpm pkglist or an rpmdb (region 63 optional).
 */
export type HeaderKind = 'main' | 'signature' | 'blob';

export interface HeaderLimits {
  /** Largest index entry count accepted (rpm: 32 for signature headers, 65535 otherwise). */
  maxIndexEntries: number;
  /** Largest data section accepted in bytes (rpm: 64 MiB for signature headers, 0x0FFFFFFF otherwise). */
  maxDataBytes: number;
}

export const SIGNATURE_HEADER_LIMITS: Readonly<HeaderLimits> = Object.freeze({
  maxIndexEntries: 32,
  maxDataBytes: 64 * 1024 * 1024,
});
export const MAIN_HEADER_LIMITS: Readonly<HeaderLimits> = Object.freeze({
  maxIndexEntries: 0xffff,
  maxDataBytes: 0x0fffffff,
});
/** rpm's headerMaxbytes: 8 + 16 * il + dl must stay below this. */
export const HEADER_MAX_BYTES = 256 * 1024 * 1024;
/** rpm's cap on the element count of non-BIN entries (hdrchkArray). */
export const MAX_ARRAY_COUNT = 0xfffff;

export interface ParseHeaderOptions {
  kind?: HeaderKind;
  /** Whether the blob starts with the 8-byte magic (package files and pkglists: yes; rpmdb: no). Default true. */
  magic?: boolean;
  profile?: RpmProfile;
  /** Lower (never raise above rpm's) the size limits. */
  limits?: Partial<HeaderLimits>;
  /** Absolute offset of bytes[0] in the input, used in error positions. Default 0. */
  base?: number;
  /**
   * Accept bytes after the header (the header's own length is `header.byteLength`). Default false:
   * like rpm's hdrblobInit for blobs passed by buffer, the buffer must be exactly the header.
   */
  allowTrailing?: boolean;
  /** Collects non-fatal findings (legacy layout, duplicate tags, ...). */
  warnings?: string[];
}

/** One index entry, as stored. */
export interface HeaderEntry {
  readonly tag: number;
  readonly type: number;
  /** Offset of the data relative to the data section (signed on disk; validated >= 0). */
  readonly offset: number;
  readonly count: number;
  /** Length of the entry's data in bytes. */
  readonly length: number;
  /** Position of the entry in the index, 0-based. */
  readonly index: number;
  /** True for entries covered by the header's region (or all entries of a region-less header). */
  readonly inRegion: boolean;
}

export interface HeaderRegion {
  readonly tag: number;
  /** Offset of the 16-byte trailer in the data section. */
  readonly trailerOffset: number;
  /** Number of index entries the region covers, including the region entry. */
  readonly ril: number;
  /** Data bytes the region covers, including the trailer. */
  readonly rdl: number;
  /** The trailer as stored (tag, type, negative offset, count). */
  readonly trailer: { tag: number; type: number; offset: number; count: number };
}

/**
 * A parsed header: its bytes, index and region, with typed getters that decode values on first use.
 * Made by {@link parseHeader}.
 */
export class Header {
  readonly kind: HeaderKind;
  /** The header's bytes exactly as stored (from the magic, if any, to the end of the data). */
  readonly bytes: Uint8Array;
  readonly hasMagic: boolean;
  readonly il: number;
  readonly dl: number;
  /** Absolute offset of the header in its input. */
  readonly base: number;
  /** Offset of the data section within `bytes`. */
  readonly dataStart: number;
  readonly region: HeaderRegion | null;
  /** Per entry, in file order: tag, type, offset, count, length (M fields each). */
  readonly #meta: number[];
  /**
   * Tag -> index of the entry rpm uses for it; null when the index is strictly sorted by tag (the
   * normal case), where a binary search over #meta finds entries without building a map.
   */
  readonly #byTag: Map<number, number> | null;
  #entries: HeaderEntry[] | undefined;
  readonly #values: (HeaderValue | undefined)[] = [];

  /** @internal use parseHeader */
  constructor(init: {
    kind: HeaderKind;
    bytes: Uint8Array;
    hasMagic: boolean;
    il: number;
    dl: number;
    base: number;
    dataStart: number;
    region: HeaderRegion | null;
    meta: number[];
    byTag: Map<number, number> | null;
  }) {
    this.kind = init.kind;
    this.bytes = init.bytes;
    this.hasMagic = init.hasMagic;
    this.il = init.il;
    this.dl = init.dl;
    this.base = init.base;
    this.dataStart = init.dataStart;
    this.region = init.region;
    this.#meta = init.meta;
    this.#byTag = init.byTag;
  }

  #find(tag: number): number | undefined {
    if (this.#byTag !== null) return this.#byTag.get(tag);
    const m = this.#meta;
    let lo = 0;
    let hi = this.il - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const t = m[mid * M]!;
      if (t === tag) return mid;
      if (t < tag) lo = mid + 1;
      else hi = mid - 1;
    }
    return undefined;
  }

  /** Every index entry in file order, the region entry included (objects built on first use). */
  get entries(): readonly HeaderEntry[] {
    if (this.#entries === undefined) {
      const out = new Array<HeaderEntry>(this.il);
      for (let i = 0; i < this.il; i++) out[i] = this.#entryAt(i);
      this.#entries = out;
    }
    return this.#entries;
  }

  #entryAt(i: number): HeaderEntry {
    if (this.#entries !== undefined) return this.#entries[i]!;
    const m = this.#meta;
    const k = i * M;
    const ril = this.region ? this.region.ril : this.il;
    return { tag: m[k]! >>> 0, type: m[k + 1]!, offset: m[k + 2]!, count: m[k + 3]! >>> 0, length: m[k + 4]!, index: i, inRegion: i < ril };
  }

  /** Total length of the header in bytes (magic included when present). */
  get byteLength(): number {
    return this.bytes.length;
  }

  /** Tag numbers present, ascending (for duplicates, the entry rpm would use is the one kept). */
  tags(): number[] {
    if (this.#byTag === null) {
      const out = new Array<number>(this.il);
      for (let i = 0; i < this.il; i++) out[i] = this.#meta[i * M]!;
      return out;
    }
    return [...this.#byTag.keys()].sort((a, b) => a - b);
  }

  /** Number of distinct tags. */
  get size(): number {
    return this.#byTag === null ? this.il : this.#byTag.size;
  }

  /** True when the header has an entry for `tag`. */
  has(tag: number): boolean {
    return this.#find(tag) !== undefined;
  }

  /** The entry rpm uses for `tag` (a dribble overrides a region entry; otherwise the last one). */
  entry(tag: number): HeaderEntry | undefined {
    const i = this.#find(tag);
    return i === undefined ? undefined : this.#entryAt(i);
  }

  /** The raw bytes of an entry's data. */
  raw(tag: number): Uint8Array | undefined {
    const i = this.#find(tag);
    if (i === undefined) return undefined;
    const s = this.dataStart + this.#meta[i * M + 2]!;
    return this.bytes.subarray(s, s + this.#meta[i * M + 4]!);
  }

  /** The decoded value of `tag`, or undefined when absent. See {@link HeaderValue} for the shapes. */
  get(tag: number): HeaderValue | undefined {
    const i = this.#find(tag);
    if (i === undefined) return undefined;
    let v = this.#values[i];
    if (v === undefined) {
      const m = this.#meta;
      const k = i * M;
      v = decodeValue(this.bytes, this.dataStart + m[k + 2]!, m[k + 1]!, m[k + 3]! >>> 0, m[k + 4]!);
      this.#values[i] = v;
    }
    return v;
  }

  /** Decode any entry (including a shadowed duplicate) by its index position. */
  valueOf(entry: HeaderEntry): HeaderValue {
    return decodeEntry(this.bytes, this.dataStart, entry);
  }

  /** A STRING (or the first element of a string array / I18N string). */
  getString(tag: number): string | undefined {
    const v = this.get(tag);
    if (v === undefined) return undefined;
    if (typeof v === 'string') return v;
    if (Array.isArray(v) && typeof v[0] === 'string') return v[0];
    throw typeMismatch(this, tag, 'a string');
  }

  /** A STRING_ARRAY or I18NSTRING as an array (a lone STRING becomes a one-element array). */
  getStringArray(tag: number): string[] | undefined {
    const v = this.get(tag);
    if (v === undefined) return undefined;
    if (typeof v === 'string') return [v];
    if (Array.isArray(v) && (v.length === 0 || typeof v[0] === 'string')) return v as string[];
    throw typeMismatch(this, tag, 'a string array');
  }

  /** An integer array (CHAR, INT8, INT16, INT32; INT64 converted when exact). */
  getNumbers(tag: number): number[] | undefined {
    const v = this.get(tag);
    if (v === undefined) return undefined;
    if (Array.isArray(v) && (v.length === 0 || typeof v[0] === 'number')) return v as number[];
    if (Array.isArray(v) && typeof v[0] === 'bigint') return (v as bigint[]).map((b) => bigintToNumber(this, tag, b));
    throw typeMismatch(this, tag, 'integers');
  }

  /** The first integer of an integer entry. */
  getNumber(tag: number): number | undefined {
    const a = this.getNumbers(tag);
    return a === undefined ? undefined : a[0];
  }

  /** INT64 values as bigint (narrower integer types widened). */
  getBigInts(tag: number): bigint[] | undefined {
    const v = this.get(tag);
    if (v === undefined) return undefined;
    if (Array.isArray(v) && (v.length === 0 || typeof v[0] === 'bigint')) return v as bigint[];
    if (Array.isArray(v) && typeof v[0] === 'number') return (v as number[]).map((n) => BigInt(n));
    throw typeMismatch(this, tag, 'integers');
  }

  /** A BIN value (a view into the header's bytes); undefined when absent, `RPM_BAD_TAG_TYPE` for another type. */
  getBinary(tag: number): Uint8Array | undefined {
    const v = this.get(tag);
    if (v === undefined) return undefined;
    if (v instanceof Uint8Array) return v;
    throw typeMismatch(this, tag, 'binary data');
  }

  /**
   * An I18N string for a locale, looked up as rpm does: the HEADERI18NTABLE position of the best
   * match (exact, then without @modifier, then without .codeset, then without _territory), falling
   * back to element 0 ("C").
   */
  getI18n(tag: number, locale = 'C'): string | undefined {
    const v = this.get(tag);
    if (v === undefined) return undefined;
    if (typeof v === 'string') return v;
    if (!Array.isArray(v) || (v.length > 0 && typeof v[0] !== 'string')) throw typeMismatch(this, tag, 'a string');
    const arr = v as string[];
    const table = this.has(HEADER_I18NTABLE) ? this.getStringArray(HEADER_I18NTABLE) ?? [] : [];
    const n = Math.min(arr.length, table.length);
    const candidates = localeCandidates(locale);
    for (const cand of candidates) {
      for (let i = 0; i < n; i++) if (table[i] === cand) return arr[i];
    }
    return arr[0];
  }
}

function localeCandidates(locale: string): string[] {
  const out = [locale];
  let l = locale;
  const at = l.indexOf('@');
  if (at >= 0) out.push((l = l.slice(0, at)));
  const dot = l.indexOf('.');
  if (dot >= 0) out.push((l = l.slice(0, dot)));
  const us = l.indexOf('_');
  if (us >= 0) out.push(l.slice(0, us));
  return out;
}

function typeMismatch(h: Header, tag: number, wanted: string): RepokitError {
  const e = h.entry(tag)!;
  return new RepokitError(
    'RPM_BAD_TAG_TYPE',
    `tag ${tag} is ${RPM_TYPE_NAMES[e.type] ?? e.type}, not ${wanted}`,
    { offset: h.base + h.dataStart + e.offset },
  );
}

function bigintToNumber(h: Header, tag: number, b: bigint): number {
  if (b > BigInt(Number.MAX_SAFE_INTEGER)) {
    const e = h.entry(tag)!;
    throw new RepokitError('LIMIT_EXCEEDED', `tag ${tag} holds ${b}, beyond exact JavaScript numbers; use getBigInts`, {
      offset: h.base + h.dataStart + e.offset,
    });
  }
  return Number(b);
}

/** Decode an entry's data; the entry was validated by parseHeader, so reads are in bounds. */
export function decodeEntry(bytes: Uint8Array, dataStart: number, e: HeaderEntry): HeaderValue {
  return decodeValue(bytes, dataStart + e.offset, e.type, e.count, e.length);
}

/** Fields per entry in Header's compact index. */
const M = 5;

function decodeValue(bytes: Uint8Array, p: number, type: number, count: number, length: number): HeaderValue {
  switch (type) {
    case RpmType.CHAR:
    case RpmType.INT8: {
      const out = new Array<number>(count);
      for (let i = 0; i < count; i++) out[i] = bytes[p + i]!;
      return out;
    }
    case RpmType.INT16: {
      const out = new Array<number>(count);
      for (let i = 0; i < count; i++) out[i] = (bytes[p + 2 * i]! << 8) | bytes[p + 2 * i + 1]!;
      return out;
    }
    case RpmType.INT32: {
      const out = new Array<number>(count);
      for (let i = 0; i < count; i++) out[i] = be32(bytes, p + 4 * i);
      return out;
    }
    case RpmType.INT64: {
      const out = new Array<bigint>(count);
      for (let i = 0; i < count; i++) {
        out[i] = (BigInt(be32(bytes, p + 8 * i)) << 32n) | BigInt(be32(bytes, p + 8 * i + 4));
      }
      return out;
    }
    case RpmType.STRING:
      return decodeUtf8(bytes, p, p + length - 1);
    case RpmType.BIN:
      return bytes.subarray(p, p + count);
    case RpmType.STRING_ARRAY:
    case RpmType.I18NSTRING:
      // One decode and a split: a NUL byte never occurs inside a UTF-8 sequence, so replacement
      // of invalid bytes cannot merge or split elements.
      return count === 1 ? [decodeUtf8(bytes, p, p + length - 1)] : decodeUtf8(bytes, p, p + length - 1).split('\0');
    default:
      // Unreachable for validated entries; kept typed for safety.
      throw new RepokitError('RPM_BAD_ENTRY', `unknown type ${type}`);
  }
}

/** Length in bytes of `count` NUL-terminated strings at `p`, scanning no further than `end`; -1 when they do not fit. */
function stringsLength(b: Uint8Array, p: number, count: number, end: number): number {
  // A plain loop: measured faster here than indexOf or word-at-a-time scans (most strings are short).
  let s = p;
  let left = count;
  while (s < end) {
    if (b[s++] === 0 && --left === 0) return s - p;
  }
  return -1;
}

/** rpm's dataLength(): the byte length of an entry's data, or -1 when it does not fit. */
function dataLength(b: Uint8Array, dataStart: number, dl: number, type: number, offset: number, count: number): number {
  const end = dataStart + dl;
  const p = dataStart + offset;
  switch (type) {
    case RpmType.STRING:
      if (count !== 1) return -1;
      return stringsLength(b, p, 1, end);
    case RpmType.STRING_ARRAY:
    case RpmType.I18NSTRING:
      return stringsLength(b, p, count, end);
    default: {
      const len = TYPE_SIZE[type]! * count;
      if (p + len > end) return -1;
      return len;
    }
  }
}

function headerWhat(kind: HeaderKind): string {
  return kind === 'signature' ? 'signature header' : kind === 'main' ? 'main header' : 'header';
}

/**
 * Check a header's intro (magic, il, dl) against the magic and the limits (rpm.md H1-H3) and
 * return the counts and the header's total length. Needs only the first 16 (or 8) bytes, so
 * streaming readers call it before reading, or allocating for, the rest.
 */
export function checkHeaderIntro(
  bytes: Uint8Array,
  options: Pick<ParseHeaderOptions, 'kind' | 'magic' | 'limits' | 'base'> = {},
): { il: number; dl: number; total: number } {
  const kind = options.kind ?? 'blob';
  const hasMagic = options.magic ?? true;
  const base = options.base ?? 0;
  const what = headerWhat(kind);
  const defaults = kind === 'signature' ? SIGNATURE_HEADER_LIMITS : MAIN_HEADER_LIMITS;
  const maxIl = limit(options.limits?.maxIndexEntries, defaults.maxIndexEntries, 'maxIndexEntries');
  const maxDl = limit(options.limits?.maxDataBytes, defaults.maxDataBytes, 'maxDataBytes');
  const introLen = hasMagic ? 16 : 8;
  if (bytes.length < introLen) {
    throw new RepokitError('TRUNCATED', `${what}: needs ${introLen} bytes for its intro, got ${bytes.length}`, {
      offset: base,
    });
  }
  if (hasMagic && !bytesEqual(bytes.subarray(0, 8), HEADER_MAGIC)) {
    throw new RepokitError('RPM_BAD_HEADER_MAGIC', `${what}: bad magic ${toHex(bytes.subarray(0, 8))}`, {
      offset: base,
    });
  }
  const il = be32(bytes, introLen - 8);
  const dl = be32(bytes, introLen - 4);
  if (il > maxIl) {
    throw new RepokitError('LIMIT_EXCEEDED', `${what}: ${il} index entries, more than the limit of ${maxIl}`, {
      offset: base + introLen - 8,
    });
  }
  if (dl > maxDl) {
    throw new RepokitError('LIMIT_EXCEEDED', `${what}: ${dl} data bytes, more than the limit of ${maxDl}`, {
      offset: base + introLen - 4,
    });
  }
  const pvlen = 8 + 16 * il + dl;
  if (pvlen >= HEADER_MAX_BYTES) {
    throw new RepokitError('LIMIT_EXCEEDED', `${what}: blob size ${pvlen} is not below ${HEADER_MAX_BYTES}`, {
      offset: base,
    });
  }
  return { il, dl, total: introLen + 16 * il + dl };
}

/** A caller's limit, never above rpm's; anything but a non-negative integer is a usage error. */
function limit(v: number | undefined, max: number, name: string): number {
  if (v === undefined) return max;
  if (!Number.isInteger(v) || v < 0) {
    throw new RepokitError('INVALID_ARGUMENT', `limit ${name} must be a non-negative integer, not ${String(v)}`);
  }
  return Math.min(v, max);
}

/**
 * Parse and validate one header blob.
 *
 * Applies rpm's hdrblobVerifyLengths, hdrblobInit size checks, hdrblobVerifyRegion,
 * hdrblobVerifyInfo and hdrblobImport/regionSwab packing checks (rpm.md §2.2-2.5), the main
 * header's tag type checks (E8), and with `profile: 'strict'` the extra rules of §2.8.
 */
export function parseHeader(bytes: Uint8Array, options: ParseHeaderOptions = {}): Header {
  const kind = options.kind ?? 'blob';
  const hasMagic = options.magic ?? true;
  const strict = options.profile === 'strict';
  const base = options.base ?? 0;
  const warnings = options.warnings;
  const what = headerWhat(kind);

  const introLen = hasMagic ? 16 : 8;
  const { il, dl } = checkHeaderIntro(bytes, options);
  const total = introLen + 16 * il + dl;
  if (bytes.length < total) {
    throw new RepokitError('TRUNCATED', `${what}: needs ${total} bytes (il ${il}, dl ${dl}), got ${bytes.length}`, {
      offset: base + bytes.length,
    });
  }
  if (bytes.length > total && !options.allowTrailing) {
    throw new RepokitError('RPM_BAD_DATA', `${what}: ${bytes.length - total} bytes after the header's end`, {
      offset: base + total,
    });
  }
  const blob = bytes.length > total ? bytes.subarray(0, total) : bytes;
  const indexStart = introLen;
  const dataStart = indexStart + 16 * il;
  const entryPos = (i: number) => base + indexStart + 16 * i;

  if (il < 1) throw new RepokitError('RPM_BAD_REGION', `${what}: region: no tags`, { offset: base + introLen - 8 });

  // Region (hdrblobVerifyRegion, G1-G7).
  const regionTag = kind === 'signature' ? HEADER_SIGNATURES : HEADER_IMMUTABLE;
  const exactSize = kind === 'main';
  let region: HeaderRegion | null = null;
  const first = {
    tag: be32(blob, indexStart),
    type: be32(blob, indexStart + 4),
    offset: be32s(blob, indexStart + 8),
    count: be32(blob, indexStart + 12),
  };
  const isRegion = first.tag === regionTag || (kind === 'blob' && (first.tag === HEADER_IMAGE || first.tag === HEADER_SIGNATURES));
  if (isRegion) {
    const rtag = first.tag;
    if (first.type !== RpmType.BIN || first.count !== 16) {
      throw new RepokitError(
        'RPM_BAD_REGION',
        `${what}: region tag: BAD, tag ${first.tag} type ${first.type} offset ${first.offset} count ${first.count}`,
        { offset: entryPos(0) },
      );
    }
    if (first.offset < 0 || first.offset + 16 > dl) {
      throw new RepokitError(
        'RPM_BAD_REGION',
        `${what}: region offset: BAD, tag ${first.tag} type ${first.type} offset ${first.offset} count ${first.count}`,
        { offset: entryPos(0) },
      );
    }
    const tp = dataStart + first.offset;
    const trailer = { tag: be32(blob, tp), type: be32(blob, tp + 4), offset: be32s(blob, tp + 8), count: be32(blob, tp + 12) };
    // Old packages carry HEADERIMAGE in the signature trailer; rpm treats it as 62.
    const ttag = rtag === HEADER_SIGNATURES && trailer.tag === HEADER_IMAGE ? HEADER_SIGNATURES : trailer.tag;
    if (ttag !== rtag || trailer.type !== RpmType.BIN || trailer.count !== 16) {
      throw new RepokitError(
        'RPM_BAD_REGION',
        `${what}: region trailer: BAD, tag ${trailer.tag} type ${trailer.type} offset ${trailer.offset} count ${trailer.count}`,
        { offset: base + tp },
      );
    }
    const rtoff = -trailer.offset;
    const ril = Math.trunc(rtoff / 16); // C integer division, as rpm prints it
    const rdl = first.offset + 16;
    if (rtoff % 16 !== 0 || ril < 0 || ril > il || rdl > dl || (strict && ril < 1)) {
      throw new RepokitError(
        'RPM_BAD_REGION',
        `${what}: region ${rtag} size: BAD, ril ${ril} il ${il} rdl ${rdl} dl ${dl}`,
        { offset: base + tp },
      );
    }
    if (ril < 1) {
      // rpm's check passes ril = 0 but then underflows; it is meaningless input either way.
      throw new RepokitError('RPM_BAD_REGION', `${what}: region ${rtag} covers no entries (ril 0)`, { offset: base + tp });
    }
    if (exactSize && !(il === ril && dl === rdl)) {
      throw new RepokitError(
        'RPM_BAD_REGION',
        `${what}: region ${rtag}: tag number mismatch il ${il} ril ${ril} dl ${dl} rdl ${rdl}`,
        { offset: base + tp },
      );
    }
    region = { tag: rtag, trailerOffset: first.offset, ril, rdl, trailer };
    if (strict && (ril !== il || rdl !== dl)) {
      throw new RepokitError('RPM_BAD_REGION', `${what}: entries outside the region (dribbles) are not allowed in strict mode`, {
        offset: base + tp,
      });
    }
  } else {
    // Legacy v3 layout: no region. rpm accepts it (with a deprecation warning).
    if (strict) {
      throw new RepokitError('RPM_NO_REGION', `${what}: no region tag (legacy v3 header)`, { offset: entryPos(0) });
    }
    if (kind !== 'blob') warnings?.push(`${what} has no region tag (legacy RPM v3 layout)`);
  }

  // Per-entry checks (hdrblobVerifyInfo, E1-E11) and lengths.
  const typechk = region !== null && (region.tag === HEADER_IMMUTABLE || region.tag === HEADER_IMAGE);
  const meta: number[] = new Array<number>(il * M).fill(0);
  const startIdx = region ? 1 : 0;
  if (region) {
    meta[0] = first.tag;
    meta[1] = first.type;
    meta[2] = first.offset;
    meta[3] = 16;
    meta[4] = 16;
  }
  let end = 0;
  for (let i = startIdx; i < il; i++) {
    // Fields read straight from the index: this loop runs for every entry of every header.
    const at = indexStart + 16 * i;
    const tag = be32(blob, at);
    const type = be32(blob, at + 4);
    const offset = be32s(blob, at + 8);
    const count = be32(blob, at + 12);
    if (end > offset) {
      throw new RepokitError(
        'RPM_BAD_DATA',
        `${what}: tag[${i - startIdx}]: tag ${tag} data at offset ${offset} overlaps the previous entry's data (ends at ${end})`,
        { offset: entryPos(i) },
      );
    }
    let why: string | null = null;
    if (tag < HEADER_I18NTABLE) why = 'tag numbers below 100 are reserved';
    else if (type < 1 || type > 9) why = 'unknown data type';
    else if (count < 1 || count > dl) why = 'count out of range';
    else if (type !== RpmType.BIN && count > MAX_ARRAY_COUNT) why = `more than ${MAX_ARRAY_COUNT} elements`;
    else if (offset % TYPE_ALIGN[type]! !== 0) why = 'misaligned data';
    else if (offset < 0 || offset > dl) why = 'offset outside the data';
    if (why !== null) {
      throw new RepokitError(
        'RPM_BAD_ENTRY',
        `${what}: tag[${i - startIdx}]: BAD, tag ${tag} type ${type} offset ${offset} count ${count} len 0: ${why}`,
        { offset: entryPos(i) },
      );
    }
    if (typechk) checkTagType(tag, type, entryPos(i), what, i - startIdx);
    const len = dataLength(blob, dataStart, dl, type, offset, count);
    if (len <= 0 || offset + len > dl) {
      throw new RepokitError(
        'RPM_BAD_DATA',
        `${what}: tag[${i - startIdx}]: BAD, tag ${tag} type ${type} offset ${offset} count ${count}: data does not fit in the data section` +
          (isStringType(type) ? ' (missing NUL terminator)' : ''),
        { offset: base + dataStart + offset },
      );
    }
    end = offset + len;
    if (region && end > region.rdl - 16 && offset < region.rdl) {
      throw new RepokitError(
        'RPM_BAD_DATA',
        `${what}: tag[${i - startIdx}]: tag ${tag} data overlaps the region trailer`,
        { offset: base + dataStart + offset },
      );
    }
    const k = i * M;
    meta[k] = tag;
    meta[k + 1] = type;
    meta[k + 2] = offset;
    meta[k + 3] = count;
    meta[k + 4] = len;
  }

  // Tight packing (hdrblobImport/regionSwab, I1-I2): region entries pack from 0, dribbles continue,
  // and the total plus the trailer must equal dl.
  let s = 0;
  for (let i = startIdx; i < il; i++) {
    const k = i * M;
    const tag = meta[k]! >>> 0;
    const offset = meta[k + 2]!;
    const count = meta[k + 3]! >>> 0;
    const length = meta[k + 4]!;
    if (offset >= 0x10000000 || count >= 0x10000000 || length >= 0x10000000 || offset >= dl) {
      throw new RepokitError('RPM_BAD_DATA', `${what}: tag ${tag}: offset, count or length out of range`, {
        offset: entryPos(i),
      });
    }
    const size = TYPE_SIZE[meta[k + 1]!]!;
    if (size > 1 && s % size !== 0) s += size - (s % size);
    if (strict && offset !== s) {
      throw new RepokitError('RPM_BAD_DATA', `${what}: tag ${tag} data at ${offset}, expected at ${s} (strict packing)`, {
        offset: entryPos(i),
      });
    }
    s += length;
  }
  const expectDl = region ? s + 16 : s;
  if (expectDl !== dl) {
    throw new RepokitError(
      'RPM_BAD_DATA',
      `${what}: entries account for ${expectDl} data bytes but dl is ${dl} (gaps or overlapping data)`,
      { offset: base + introLen - 4 },
    );
  }

  // Tag lookup: rpm sorts after import; a dribble replaces a region entry with the same tag (and
  // a dribble BASENAMES removes a region OLDFILENAMES); for other duplicates keep the last. A
  // strictly sorted index (the normal case) needs none of that and is searched in place.
  let sorted = true;
  for (let i = startIdx + 1; i < il && sorted; i++) sorted = meta[(i - 1) * M]! < meta[i * M]!;
  let byTag: Map<number, number> | null = null;
  if (!sorted || (region !== null && region.ril < il)) {
    byTag = new Map<number, number>();
    const ril = region ? region.ril : il;
    let prevTag = -1;
    for (let i = startIdx; i < il; i++) {
      const tag = meta[i * M]!;
      if (byTag.has(tag)) {
        if (strict) {
          throw new RepokitError('RPM_DUPLICATE_TAG', `${what}: tag ${tag} occurs more than once`, { offset: entryPos(i) });
        }
        warnings?.push(`${what}: tag ${tag} occurs more than once; the later entry is used`);
      }
      if (strict && tag <= prevTag) {
        throw new RepokitError('RPM_DUPLICATE_TAG', `${what}: tags are not sorted (tag ${tag} after ${prevTag})`, {
          offset: entryPos(i),
        });
      }
      prevTag = tag;
      byTag.set(tag, i);
      if (i >= ril && tag === 1117) {
        const old = byTag.get(1027);
        if (old !== undefined && old < ril) byTag.delete(1027);
      }
    }
    if (region) byTag.set(region.tag, 0);
  }

  const header = new Header({ kind, bytes: blob, hasMagic, il, dl, base, dataStart, region, meta, byTag });

  if (kind === 'signature') checkSignatureTags(header, strict, warnings);
  if (strict) strictChecks(header, what);
  return header;
}

/** E8: known main-header tags must have rpm's type (any string type for string-class tags). */
/** rpm's type per main tag, for E8: -1 unknown or untyped (not checked); dense for speed. */
const TYPE_TABLE_SIZE = 5200;
const MAIN_TAG_TYPES: Int8Array = (() => {
  const t = new Int8Array(TYPE_TABLE_SIZE).fill(-1);
  for (const info of MAIN_TAGS) if (info.tag < TYPE_TABLE_SIZE && info.type !== null) t[info.tag] = info.type;
  return t;
})();

/** E8: known main-header tags must have rpm's type (any string type for string-class tags). */
function checkTagType(tag: number, type: number, pos: number, what: string, i: number): void {
  let expected: number;
  if (tag < TYPE_TABLE_SIZE) expected = MAIN_TAG_TYPES[tag]!;
  else expected = mainTagInfo(tag)?.type ?? -1;
  if (expected === -1 || expected === type) return;
  if (isStringType(expected) && isStringType(type)) return;
  throw new RepokitError(
    'RPM_BAD_TAG_TYPE',
    `${what}: tag[${i}]: tag ${tag} (${mainTagInfo(tag)!.name}) has type ${RPM_TYPE_NAMES[type]}, rpm expects ${RPM_TYPE_NAMES[expected]}`,
    { offset: pos },
  );
}

/** Expected type and exact count of the signature tags rpm translates (headerMergeLegacySigs, S1). */
const SIGNATURE_TAG_RULES: ReadonlyMap<number, { type: number; count: number }> = new Map([
  [1000, { type: RpmType.INT32, count: 1 }], // SIZE
  [1002, { type: RpmType.BIN, count: 0 }], // PGP
  [1004, { type: RpmType.BIN, count: 16 }], // MD5
  [1005, { type: RpmType.BIN, count: 0 }], // GPG
  [1007, { type: RpmType.INT32, count: 1 }], // PAYLOADSIZE
  [274, { type: RpmType.STRING_ARRAY, count: 0 }], // FILESIGNATURES
  [275, { type: RpmType.INT32, count: 1 }], // FILESIGNATURELENGTH
  [276, { type: RpmType.STRING_ARRAY, count: 0 }], // VERITYSIGNATURES
  [277, { type: RpmType.INT32, count: 1 }], // VERITYSIGNATUREALGO
  [269, { type: RpmType.STRING, count: 1 }], // SHA1
  [273, { type: RpmType.STRING, count: 1 }], // SHA256
  [267, { type: RpmType.BIN, count: 0 }], // DSA
  [268, { type: RpmType.BIN, count: 0 }], // RSA
  [270, { type: RpmType.INT64, count: 1 }], // LONGSIZE
  [271, { type: RpmType.INT64, count: 1 }], // LONGARCHIVESIZE
  [278, { type: RpmType.STRING_ARRAY, count: 0 }], // OPENPGP
  [279, { type: RpmType.STRING, count: 1 }], // SHA3_256
]);

function checkSignatureTags(h: Header, strict: boolean, warnings: string[] | undefined): void {
  // rpm 6 ignores legacy tags >= 1000 in a v6 signature header (RESERVED 999 + SHA3_256 279).
  const v6 = h.has(999) && h.has(279);
  for (const entry of h.entries) {
    const tag = entry.tag;
    if (tag === HEADER_SIGNATURES || h.entry(tag) !== entry) continue; // the region, or a shadowed duplicate
    const rule = SIGNATURE_TAG_RULES.get(tag);
    const e = entry;
    if (!rule) {
      if (strict && !signatureTagInfo(tag)) {
        throw new RepokitError('RPM_BAD_SIGNATURE_TAG', `signature header: unknown tag ${tag}`, {
          offset: h.base + h.dataStart + e.offset,
        });
      }
      continue;
    }
    if (v6 && tag >= 1000) {
      warnings?.push(`signature header: legacy tag ${tag} in a v6 package is ignored`);
      continue;
    }
    if (e.type !== rule.type || e.count > 16 * 1024 * 1024 || (rule.count !== 0 && e.count !== rule.count)) {
      throw new RepokitError(
        'RPM_BAD_SIGNATURE_TAG',
        `signature header: invalid signature tag ${signatureTagInfo(tag)?.name ?? tag} (${tag}): type ${RPM_TYPE_NAMES[e.type]} count ${e.count}`,
        { offset: h.base + h.dataStart + e.offset },
      );
    }
  }
}

/** rpm.md §2.8: printable signature strings, UTF-8 main strings, zero padding, count 1 for scalars. */
function strictChecks(h: Header, what: string): void {
  const b = h.bytes;
  let s = 0;
  for (const e of h.entries) {
    if (h.region && e.index === 0) continue;
    const p = h.dataStart + e.offset;
    // Padding between entries must be zero.
    for (let q = h.dataStart + s; q < p; q++) {
      if (b[q] !== 0) {
        throw new RepokitError('RPM_BAD_PADDING', `${what}: non-zero alignment padding before tag ${e.tag}`, {
          offset: h.base + q,
        });
      }
    }
    s = e.offset + e.length;
    if (isStringType(e.type)) {
      const data = b.subarray(p, p + e.length);
      if (h.kind === 'signature') {
        for (const c of data) {
          if (c !== 0 && (c < 0x20 || c > 0x7e)) {
            throw new RepokitError('RPM_BAD_STRING', `${what}: tag ${e.tag} has a non-printable character`, {
              offset: h.base + p,
            });
          }
        }
      } else if (!isValidUtf8(data)) {
        throw new RepokitError('RPM_BAD_STRING', `${what}: tag ${e.tag} is not valid UTF-8`, { offset: h.base + p });
      }
    }
    if (h.kind !== 'signature') {
      const info = mainTagInfo(e.tag);
      if (info && info.type !== null && !info.array && e.type !== RpmType.BIN && e.count !== 1) {
        throw new RepokitError('RPM_BAD_ENTRY', `${what}: tag ${e.tag} (${info.name}) is scalar but has count ${e.count}`, {
          offset: h.base + h.dataStart + e.offset,
        });
      }
    }
  }
}
