/**
 * A small, safe tar reader and a deterministic tar writer. Pure: no Node imports, so it bundles
 * for browsers.
 *
 * Reading follows what libarchive's tar reader (bsdtar, pacman, xbps) accepts: POSIX ustar, pax
 * (per-file `x` and global `g` extended headers), GNU (`L`/`K` long names, base-256 numbers), and
 * old v7 headers. {@link parseTar} (sync, over one buffer) and {@link readTar} (async, over chunks)
 * drive the same step machine, so they accept and reject exactly the same inputs.
 *
 * Hostile archives: every header checksum is verified (`TAR_BAD_HEADER` with the header's byte
 * offset), member names that are absolute or contain `..` are refused (`TAR_UNSAFE_PATH`), and
 * sizes and counts are limited (`LIMIT_EXCEEDED`). Data of members the caller does not want is
 * skipped without being buffered.
 */
import { RepokitError } from './errors.js';
import { concatBytes, decodeUtf8, encodeUtf8 } from './bytes.js';

/** What a member is. Devices, FIFOs, GNU sparse and multi-volume members are 'other'. */
export type TarEntryType = 'file' | 'directory' | 'symlink' | 'hardlink' | 'other';

/** A member's header, after pax and GNU long-name records were applied. */
export interface TarEntry {
  /**
   * The member name as stored (UTF-8; invalid bytes become U+FFFD). A leading `./` is kept (xbps
   * packages store `./props.plist`) and directories usually end in `/`; compare names with
   * {@link normalizeTarPath}.
   */
  name: string;
  type: TarEntryType;
  /** Data size in bytes (0 for directories, links, devices). */
  size: number;
  /** Permission bits (`mode & 0o7777`). */
  mode: number;
  /** Modification time in whole seconds since the epoch (pax `mtime` fractions are in `pax`). */
  mtime: number;
  uid: number;
  gid: number;
  uname: string;
  gname: string;
  /** Link target of symlinks and hardlinks, '' otherwise. */
  linkname: string;
  /** The pax records in effect for this member: global (`g`) ones overridden by per-file (`x`) ones. */
  pax: Record<string, string>;
}

/** Limits and data selection for {@link readTar} and {@link parseTar}. */
export interface TarReadOptions {
  /** Largest member whose data is collected (default 256 MiB); a bigger wanted member is `LIMIT_EXCEEDED`. Skipped members are not limited by this. */
  maxMemberSize?: number;
  /** Most members (default 1 000 000, counting only real members, not pax/GNU meta-headers). */
  maxMembers?: number;
  /** Largest sum of all member sizes, skipped ones included (default: unlimited). */
  maxTotalSize?: number;
  /** Which members' data to collect (others are skipped without buffering). Default: all. */
  wantData?: (entry: TarEntry) => boolean;
  /**
   * Yield directory members (default true). With false they are still checked (checksum, name
   * safety, limits) and counted, but no entry is built for them: cheaper when a caller would only
   * skip them.
   */
  includeDirectories?: boolean;
}

/** One member: its header and, when wanted, its data. */
export interface TarMember {
  entry: TarEntry;
  /** The data (for {@link parseTar}: a view into the input buffer), or undefined when not wanted. */
  data: Uint8Array | undefined;
}

/** Default limits. */
export const TAR_DEFAULT_LIMITS = {
  maxMemberSize: 256 * 1024 * 1024,
  maxMembers: 1_000_000,
  maxTotalSize: Number.MAX_SAFE_INTEGER,
} as const;

/** Largest pax extended header or GNU long name/link record accepted (1 MiB). */
export const TAR_MAX_META_SIZE = 1024 * 1024;

const BLOCK = 512;

// ---------------------------------------------------------------------------------------------
// The step machine. It asks its driver for a header block ('block'), for bytes ('read'), to drop
// bytes ('skip'), or to hand a member to the caller ('emit'); the sync and async drivers answer
// the same requests.

type Request =
  | { op: 'block' }
  | { op: 'read'; n: number }
  | { op: 'skip'; n: number }
  | { op: 'emit'; member: TarMember };

/**
 * The answer to 'block': the next header block is `bytes[offset, offset + length)`, where length
 * is 512 or, at the end of input, less. Header blocks are read in place (no view or copy per
 * header); the reference is only valid until the machine is resumed.
 */
interface BlockRef {
  bytes: Uint8Array;
  offset: number;
  length: number;
}

/** 'read' is answered with up to n bytes (fewer only at end of input), 'skip' with the count skipped. */
type Answer = BlockRef | Uint8Array | number | undefined;

interface Limits {
  maxMemberSize: number;
  maxMembers: number;
  maxTotalSize: number;
  wantData: ((entry: TarEntry) => boolean) | undefined;
  includeDirectories: boolean;
}

function limitsOf(options: TarReadOptions): Limits {
  const num = (v: number | undefined, name: string, dflt: number): number => {
    if (v === undefined) return dflt;
    if (typeof v !== 'number' || !(v >= 0) || !Number.isInteger(v)) {
      throw new RepokitError('INVALID_ARGUMENT', `${name} must be a non-negative integer, got ${String(v)}`);
    }
    return v;
  };
  if (options.wantData !== undefined && typeof options.wantData !== 'function') {
    throw new RepokitError('INVALID_ARGUMENT', 'wantData must be a function');
  }
  return {
    maxMemberSize: num(options.maxMemberSize, 'maxMemberSize', TAR_DEFAULT_LIMITS.maxMemberSize),
    maxMembers: num(options.maxMembers, 'maxMembers', TAR_DEFAULT_LIMITS.maxMembers),
    maxTotalSize: num(options.maxTotalSize, 'maxTotalSize', TAR_DEFAULT_LIMITS.maxTotalSize),
    wantData: options.wantData,
    includeDirectories: options.includeDirectories !== false,
  };
}

function padding(size: number): number {
  return (BLOCK - (size % BLOCK)) % BLOCK;
}

function isZeroBlock(b: Uint8Array, o: number): boolean {
  for (let i = o; i < o + BLOCK; i++) if (b[i] !== 0) return false;
  return true;
}

/** What the machine keeps across members, and what {@link memberHeader} reports back. */
class MemberState {
  readonly limits: Limits;
  // User and group names repeat from member to member: decode each distinct one once.
  readonly unames = new FieldCache();
  readonly gnames = new FieldCache();
  members = 0;
  total = 0;
  /** Of the last member: its name and the bytes of data that follow its header. */
  name = '';
  stored = 0;

  constructor(limits: Limits) {
    this.limits = limits;
  }
}

/**
 * The part of reading a real member's header that needs no more input: its entry (undefined for
 * a directory the caller leaves out), name checks, counts and limits. Kept out of the generator so
 * that it is compiled (and optimised) as an ordinary function.
 */
function memberHeader(
  st: MemberState,
  hb: Uint8Array,
  o: number,
  at: number,
  flag: string,
  pax: Record<string, string>,
  longName: string | undefined,
  longLink: string | undefined,
  mode: number,
  uid: number,
  gid: number,
  size: number,
  mtime: number,
): TarEntry | undefined {
  const limits = st.limits;
  const format = headerFormat(hb, o);
  if (flag === '5' && !limits.includeDirectories && pax['path'] === undefined && longName === undefined && safeNameField(hb, o, format)) {
    // A directory left out, with a plain header name that is safe: nothing to decode or build.
    if (pax['mtime'] !== undefined) paxNumber(pax['mtime'], 'mtime', at, true);
    if (pax['uid'] !== undefined) paxNumber(pax['uid'], 'uid', at, false);
    if (pax['gid'] !== undefined) paxNumber(pax['gid'], 'gid', at, false);
    st.members++;
    if (st.members > limits.maxMembers) throw new RepokitError('LIMIT_EXCEEDED', `tar archive has more than maxMembers (${limits.maxMembers}) members`, { offset: at });
    st.name = '';
    st.stored = 0;
    return undefined;
  }
  const name = pax['path'] ?? longName ?? headerName(hb, o, format);
  const type = typeOf(flag, name);
  const isLink = type === 'symlink' || type === 'hardlink';
  const linkname = isLink ? (pax['linkpath'] ?? longLink ?? field(hb, o + 157, 100)) : '';
  // A directory the caller does not want: checked and counted like any member, not built.
  let entry: TarEntry | undefined;
  if (type !== 'directory' || limits.includeDirectories) {
    entry = {
      name,
      type,
      size: 0,
      mode: mode & 0o7777,
      mtime: pax['mtime'] !== undefined ? paxNumber(pax['mtime'], 'mtime', at, true) : mtime,
      uid: pax['uid'] !== undefined ? paxNumber(pax['uid'], 'uid', at, false) : uid,
      gid: pax['gid'] !== undefined ? paxNumber(pax['gid'], 'gid', at, false) : gid,
      uname: pax['uname'] ?? (format === 'v7' ? '' : st.unames.get(hb, o + 265, 32)),
      gname: pax['gname'] ?? (format === 'v7' ? '' : st.gnames.get(hb, o + 297, 32)),
      linkname,
      pax,
    };
  } else {
    // The same checks of pax numbers as a built entry gets.
    if (pax['mtime'] !== undefined) paxNumber(pax['mtime'], 'mtime', at, true);
    if (pax['uid'] !== undefined) paxNumber(pax['uid'], 'uid', at, false);
    if (pax['gid'] !== undefined) paxNumber(pax['gid'], 'gid', at, false);
  }
  checkSafe(name, type, linkname, at);
  st.members++;
  if (st.members > limits.maxMembers) throw new RepokitError('LIMIT_EXCEEDED', `tar archive has more than maxMembers (${limits.maxMembers}) members`, { offset: at });
  // Bytes that follow this header in the archive (0 for links, directories and devices).
  const stored = type === 'file' || flag === 'D' ? dataSize(size, pax, at) : 0;
  if (entry !== undefined && type === 'file') entry.size = stored;
  st.total += stored;
  if (st.total > limits.maxTotalSize) throw new RepokitError('LIMIT_EXCEEDED', `tar members add up to more than maxTotalSize (${limits.maxTotalSize} bytes)`, { offset: at });
  st.name = name;
  st.stored = stored;
  return entry;
}

function* steps(limits: Limits): Generator<Request, void, Answer> {
  // Request objects are reused: a driver reads a request before it resumes the machine.
  const block = { op: 'block' as const };
  const read = { op: 'read' as const, n: 0 };
  const skip = { op: 'skip' as const, n: 0 };
  const emit: { op: 'emit'; member: TarMember } = { op: 'emit', member: { entry: undefined as unknown as TarEntry, data: undefined } };
  const sums = new BlockSummer();
  const st = new MemberState(limits);
  let pos = 0;
  let globalPax: Record<string, string> = {};
  // Records for the next real member (x headers, GNU L/K).
  let localPax: Record<string, string> | undefined;
  let longName: string | undefined;
  let longLink: string | undefined;
  let metaStart = -1;

  for (;;) {
    const ref = (yield block) as BlockRef;
    const hb = ref.bytes;
    const o = ref.offset;
    const at = pos;
    if (ref.length === 0) {
      // End of input at a block boundary without the zero blocks: libarchive accepts this ("some
      // writers omit the block of nulls"), unless a meta-header was still waiting for its member.
      if (metaStart >= 0) throw new RepokitError('TRUNCATED', 'tar archive ends after an extended header, before its member', { offset: metaStart });
      return;
    }
    if (ref.length < BLOCK) throw new RepokitError('TRUNCATED', `tar archive ends inside a header block (${ref.length} of 512 bytes)`, { offset: at + ref.length });
    pos += BLOCK;
    if (isZeroBlock(hb, o)) {
      // End of archive. libarchive stops at the first zero block (and consumes a second one);
      // anything after it is ignored, so nothing more is read here.
      if (metaStart >= 0) throw new RepokitError('TAR_BAD_HEADER', 'tar archive ends after an extended header, before its member', { offset: metaStart });
      return;
    }
    verifyChecksum(hb, o, at, sums);
    // Numbers first (they are what can be malformed); strings only for real members, below.
    const mode = numberField(hb, o, 100, 8, 'mode', at);
    const uid = numberField(hb, o, 108, 8, 'uid', at);
    const gid = numberField(hb, o, 116, 8, 'gid', at);
    const size = numberField(hb, o, 124, 12, 'size', at);
    const mtime = numberField(hb, o, 136, 12, 'mtime', at);
    if (size > Number.MAX_SAFE_INTEGER) throw new RepokitError('LIMIT_EXCEEDED', 'tar member size is larger than 2^53', { offset: at + 124 });
    const t = hb[o + 156]!;
    // One-character strings are V8's cached ones: no allocation.
    const flag = t === 0 ? '0' : String.fromCharCode(t);

    // Meta-headers: their data describes the next member.
    if (flag === 'x' || flag === 'g' || flag === 'X' || flag === 'L' || flag === 'K') {
      if (size > TAR_MAX_META_SIZE) {
        throw new RepokitError('LIMIT_EXCEEDED', `tar extended header of ${size} bytes is larger than ${TAR_MAX_META_SIZE}`, { offset: at + 124 });
      }
      read.n = size;
      const body = (yield read) as Uint8Array;
      if (body.length < size) throw new RepokitError('TRUNCATED', 'tar archive ends inside an extended header', { offset: pos + body.length });
      pos += size;
      const pad = padding(size);
      skip.n = pad;
      const skipped = (yield skip) as number;
      if (skipped < pad) throw new RepokitError('TRUNCATED', 'tar archive ends inside block padding', { offset: pos + skipped });
      pos += pad;
      if (metaStart < 0) metaStart = at;
      if (flag === 'L' || flag === 'K') {
        const text = decodeUtf8(body, 0, cstrEnd(body, 0, body.length));
        if (flag === 'L') longName = text;
        else longLink = text;
      } else {
        const records = parsePax(body, at + BLOCK);
        if (flag === 'g') globalPax = { ...globalPax, ...records };
        else localPax = { ...(localPax ?? {}), ...records };
      }
      continue;
    }
    if (flag === 'V') {
      // GNU volume label: not a member; libarchive skips it.
      const n = size + padding(size);
      skip.n = n;
      const skipped = (yield skip) as number;
      if (skipped < n) throw new RepokitError('TRUNCATED', 'tar archive ends inside a volume label', { offset: pos + skipped });
      pos += n;
      continue;
    }

    const pax = localPax === undefined ? globalPax : { ...globalPax, ...localPax };
    const entry = memberHeader(st, hb, o, at, flag, pax, longName, longLink, mode, uid, gid, size, mtime);
    localPax = undefined;
    longName = undefined;
    longLink = undefined;
    metaStart = -1;
    const name = st.name;
    const stored = st.stored;
    const want = entry !== undefined && entry.type === 'file' && (limits.wantData === undefined || limits.wantData(entry));
    let data: Uint8Array | undefined;
    if (want) {
      if (stored > limits.maxMemberSize) {
        throw new RepokitError('LIMIT_EXCEEDED', `tar member ${JSON.stringify(name)} has ${stored} bytes, more than maxMemberSize (${limits.maxMemberSize})`, { offset: at + 124 });
      }
      read.n = stored;
      data = (yield read) as Uint8Array;
      if (data.length < stored) throw new RepokitError('TRUNCATED', `tar archive ends inside the data of ${JSON.stringify(name)}`, { offset: pos + data.length });
      pos += stored;
      const pad = padding(stored);
      if (pad > 0) {
        skip.n = pad;
        const skipped = (yield skip) as number;
        if (skipped < pad) throw new RepokitError('TRUNCATED', 'tar archive ends inside block padding', { offset: pos + skipped });
        pos += pad;
      }
    } else {
      const n = stored + padding(stored);
      if (n > 0) {
        skip.n = n;
        const skipped = (yield skip) as number;
        if (skipped < n) {
          throw new RepokitError('TRUNCATED', `tar archive ends inside the data of ${JSON.stringify(name)}`, { offset: pos + skipped });
        }
        pos += n;
      }
    }
    if (entry !== undefined) {
      emit.member = { entry, data };
      yield emit;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Header decoding

function cstrEnd(b: Uint8Array, start: number, end: number): number {
  for (let i = start; i < end; i++) if (b[i] === 0) return i;
  return end;
}

function field(b: Uint8Array, start: number, len: number): string {
  if (b[start] === 0) return '';
  return decodeUtf8(b, start, cstrEnd(b, start, start + len));
}

/**
 * A numeric field: octal digits (leading spaces/NULs skipped, parsing stops at the first
 * non-octal character, as libarchive does), or GNU base-256 when the top bit of the first byte is
 * set (0x80 positive, 0xff negative).
 */
function numberField(b: Uint8Array, o: number, start: number, len: number, what: string, at: number): number {
  const first = b[o + start]!;
  if (first & 0x80) {
    const negative = first === 0xff;
    let v = first & 0x3f;
    if (negative) v = 0;
    for (let i = o + start + (negative ? 0 : 1); i < o + start + len; i++) {
      const byte = negative ? 0xff - b[i]! : b[i]!;
      v = v * 256 + byte;
      if (v > Number.MAX_SAFE_INTEGER) throw new RepokitError('TAR_BAD_HEADER', `tar ${what} field is out of range`, { offset: at + start });
    }
    return negative ? -(v + 1) : v;
  }
  return octalField(b, o + start, len);
}

/**
 * The octal number in `b[at, at + len)`: leading spaces and NULs skipped, ended by the first
 * non-octal character (libarchive's reading; base-256 fields are numberField's).
 */
export function octalField(b: Uint8Array, at: number, len: number): number {
  let i = at;
  const end = at + len;
  while (i < end && (b[i] === 0x20 || b[i] === 0)) i++;
  let v = 0;
  for (; i < end; i++) {
    const c = b[i]!;
    if (c < 0x30 || c > 0x37) break;
    v = v * 8 + (c - 0x30);
  }
  return v;
}

/**
 * Sums the bytes of header blocks (0 only for an all-zero block). Where a block is 4-byte aligned
 * in its buffer it adds four bytes at a time through one Uint32Array view of that buffer (made
 * once per buffer), two 16-bit lanes per word: 128 words of at most 2 × 255 per lane cannot carry
 * from one lane into the other.
 */
export class BlockSummer {
  #buffer: ArrayBufferLike | undefined;
  #words: Uint32Array = new Uint32Array(0);

  sum(b: Uint8Array, o: number): number {
    const byteAt = b.byteOffset + o;
    if ((byteAt & 3) === 0) {
      if (b.buffer !== this.#buffer) {
        this.#buffer = b.buffer;
        this.#words = new Uint32Array(b.buffer, 0, b.buffer.byteLength >>> 2);
      }
      const w = this.#words;
      let lanes = 0;
      for (let i = byteAt >>> 2, end = i + BLOCK / 4; i < end; i++) {
        const x = w[i]!;
        lanes += (x & 0x00ff00ff) + ((x >>> 8) & 0x00ff00ff);
      }
      return (lanes & 0xffff) + Math.floor(lanes / 0x10000);
    }
    let sum = 0;
    for (let k = o; k < o + BLOCK; k++) sum += b[k]!;
    return sum;
  }
}

/**
 * The checksum stored in the header at `h[o]` (octal after leading spaces, ended by anything
 * else: NUL or space), or -1 when the field has no digit.
 */
export function storedChecksum(h: Uint8Array, o: number): number {
  let i = o + 148;
  while (i < o + 156 && h[i] === 0x20) i++;
  let stored = -1;
  for (; i < o + 156; i++) {
    const c = h[i]!;
    if (c < 0x30 || c > 0x37) break;
    stored = (stored < 0 ? 0 : stored * 8) + (c - 0x30);
  }
  return stored;
}

/**
 * What to add to the sum of all 512 bytes of the header at `h[o]` to get its checksum: the
 * checksum field counts as eight spaces.
 */
export function checksumFieldCorrection(h: Uint8Array, o: number): number {
  let own = 0;
  for (let k = o + 148; k < o + 156; k++) own += h[k]!;
  return 8 * 0x20 - own;
}

function verifyChecksum(h: Uint8Array, o: number, at: number, sums: BlockSummer): void {
  // The stored value may be octal with NUL/space terminators; libarchive accepts the unsigned sum
  // and, for old Sun tar, the signed one (computed only when the unsigned one does not match).
  const stored = storedChecksum(h, o);
  const unsigned = sums.sum(h, o) + checksumFieldCorrection(h, o);
  if (stored >= 0 && stored === unsigned) return;
  let high = 0;
  for (let k = 0; k < BLOCK; k++) if (h[o + k]! >= 0x80 && (k < 148 || k >= 156)) high++;
  const signed = unsigned - 256 * high;
  if (stored < 0 || stored !== signed) {
    throw new RepokitError('TAR_BAD_HEADER', stored < 0 ? 'tar header has no checksum (not a tar archive?)' : `tar header checksum mismatch (stored ${stored}, computed ${unsigned})`, { offset: at });
  }
}

/** The header's format, from its magic: GNU (`ustar  \0`), POSIX ustar (`ustar`...), or old v7. */
function headerFormat(b: Uint8Array, o: number): 'ustar' | 'gnu' | 'v7' {
  if (b[o + 257] !== 0x75 || b[o + 258] !== 0x73 || b[o + 259] !== 0x74 || b[o + 260] !== 0x61 || b[o + 261] !== 0x72) return 'v7';
  return b[o + 262] === 0x20 && b[o + 263] === 0x20 && b[o + 264] === 0 ? 'gnu' : 'ustar';
}

/** The name field, joined to the ustar prefix field when there is one. */
function headerName(b: Uint8Array, o: number, format: 'ustar' | 'gnu' | 'v7'): string {
  const name = field(b, o, 100);
  if (format !== 'ustar' || b[o + 345] === 0) return name;
  const prefix = field(b, o + 345, 155);
  return prefix === '' ? name : `${prefix}/${name}`;
}

/**
 * Whether the header's name (prefix + name fields) is non-empty, relative and free of `..`
 * components, checked on the bytes. False sends the member through the decoding path, which
 * reports the problem.
 */
function safeNameField(b: Uint8Array, o: number, format: 'ustar' | 'gnu' | 'v7'): boolean {
  const prefixed = format === 'ustar' && b[o + 345] !== 0;
  if (!prefixed && b[o] === 0) return false;
  // The name follows the prefix after a '/', so only the first of the two may not start with '/'.
  return safeComponents(b, o, cstrEnd(b, o, o + 100), !prefixed) && (!prefixed || safeComponents(b, o + 345, cstrEnd(b, o + 345, o + 500), true));
}

/** No leading '/' (when `first`) and no `..` component in `b[start, end)`. */
function safeComponents(b: Uint8Array, start: number, end: number, first: boolean): boolean {
  if (first && b[start] === 0x2f) return false;
  let from = start;
  for (let i = start; i <= end; i++) {
    if (i === end || b[i] === 0x2f) {
      if (i - from === 2 && b[from] === 0x2e && b[from + 1] === 0x2e) return false;
      from = i + 1;
    }
  }
  return true;
}

/** Decodes a short NUL-terminated field, reusing the string when the bytes equal the last ones. */
class FieldCache {
  readonly #bytes = new Uint8Array(BLOCK);
  #len = -1;
  #str = '';

  get(b: Uint8Array, start: number, len: number): string {
    const end = cstrEnd(b, start, start + len);
    const n = end - start;
    if (n === this.#len) {
      let same = true;
      for (let i = 0; i < n; i++) {
        if (b[start + i] !== this.#bytes[i]) {
          same = false;
          break;
        }
      }
      if (same) return this.#str;
    }
    this.#str = decodeUtf8(b, start, end);
    this.#bytes.set(b.subarray(start, end));
    this.#len = n;
    return this.#str;
  }
}

/** pax records: `<len> <key>=<value>\n`, where len counts the whole record. */
function parsePax(body: Uint8Array, at: number): Record<string, string> {
  const out: Record<string, string> = Object.create(null) as Record<string, string>;
  let i = 0;
  while (i < body.length) {
    // libarchive stops at a NUL where the next record would start (some writers pad with NULs).
    if (body[i] === 0) break;
    let len = 0;
    let j = i;
    while (j < body.length && body[j]! >= 0x30 && body[j]! <= 0x39 && j - i < 12) {
      len = len * 10 + (body[j]! - 0x30);
      j++;
    }
    if (j === i || body[j] !== 0x20 || len <= j - i + 1 || i + len > body.length || body[i + len - 1] !== 0x0a) {
      throw new RepokitError('TAR_BAD_HEADER', 'malformed pax extended header record', { offset: at + i });
    }
    const recEnd = i + len - 1;
    let eq = j + 1;
    while (eq < recEnd && body[eq] !== 0x3d) eq++;
    if (eq >= recEnd || eq === j + 1) throw new RepokitError('TAR_BAD_HEADER', 'pax record without key=value', { offset: at + i });
    const key = decodeUtf8(body, j + 1, eq);
    out[key] = decodeUtf8(body, eq + 1, recEnd);
    i += len;
  }
  return { ...out };
}

function paxNumber(v: string, what: string, at: number, allowFraction: boolean): number {
  const m = allowFraction ? /^(-?)(\d+)(?:\.\d*)?$/.exec(v) : /^()(\d+)$/.exec(v);
  if (m === null) throw new RepokitError('TAR_BAD_HEADER', `pax ${what} is not a number: ${JSON.stringify(v.slice(0, 40))}`, { offset: at });
  const n = Number(m[2]);
  if (!Number.isSafeInteger(n)) throw new RepokitError('TAR_BAD_HEADER', `pax ${what} is out of range`, { offset: at });
  return m[1] === '-' ? -n : n;
}

function typeOf(flag: string, name: string): TarEntryType {
  // By character code: an integer switch compiles to far less than string comparisons.
  switch (flag.charCodeAt(0)) {
    case 0x30: // '0'
    case 0x37: // '7'
      // Old archives mark directories only by a trailing slash.
      return name.endsWith('/') ? 'directory' : 'file';
    case 0x31: // '1'
      return 'hardlink';
    case 0x32: // '2'
      return 'symlink';
    case 0x35: // '5'
    case 0x44: // 'D'
      return 'directory';
    case 0x33: // '3'
    case 0x34: // '4'
    case 0x36: // '6'
    case 0x53: // 'S'
    case 0x4d: // 'M'
    case 0x4e: // 'N'
      return 'other';
    default:
      // POSIX: an unknown type flag is read as a regular file (libarchive does the same).
      return name.endsWith('/') ? 'directory' : 'file';
  }
}

function dataSize(size: number, pax: Record<string, string>, at: number): number {
  if (pax['size'] !== undefined) return paxNumber(pax['size'], 'size', at, false);
  if (size < 0) throw new RepokitError('TAR_BAD_HEADER', 'tar member size is negative', { offset: at + 124 });
  return size;
}

function checkSafe(name: string, type: TarEntryType, linkname: string, at: number): void {
  if (name === '') throw new RepokitError('TAR_BAD_HEADER', 'tar member has an empty name', { offset: at });
  if (!isSafeTarPath(name)) throw new RepokitError('TAR_UNSAFE_PATH', `unsafe tar member name ${JSON.stringify(name)}`, { offset: at });
  if (type === 'hardlink' && !isSafeTarPath(linkname)) {
    throw new RepokitError('TAR_UNSAFE_PATH', `unsafe hardlink target ${JSON.stringify(linkname)} of ${JSON.stringify(name)}`, { offset: at });
  }
}

/**
 * True for a relative member path without `..` components and without NUL (`./x`, `a//b` and a
 * trailing `/` are fine). Backslashes are ordinary characters in tar names and are not special.
 */
export function isSafeTarPath(name: string): boolean {
  if (name.charCodeAt(0) === 0x2f || name.includes('\0')) return false;
  // A `..` that is a whole component: preceded by the start or '/', followed by the end or '/'.
  for (let i = name.indexOf('..'); i >= 0; i = name.indexOf('..', i + 1)) {
    if ((i === 0 || name.charCodeAt(i - 1) === 0x2f) && (i + 2 === name.length || name.charCodeAt(i + 2) === 0x2f)) return false;
  }
  return true;
}

/**
 * The comparable form of a member name: `./` prefixes, `.` components, repeated and trailing
 * slashes removed (`./usr//bin/` -> `usr/bin`; `./` -> ''). Does not resolve `..` (such names are
 * refused by the reader anyway).
 */
export function normalizeTarPath(name: string): string {
  return name
    .split('/')
    .filter((p) => p !== '' && p !== '.')
    .join('/');
}

// ---------------------------------------------------------------------------------------------
// Drivers

/**
 * Read a tar archive held in memory. Member data are views into `bytes` (no copies). Throws
 * RepokitError (`TAR_BAD_HEADER`, `TAR_UNSAFE_PATH`, `TRUNCATED`, `LIMIT_EXCEEDED`) as it goes,
 * so members before a bad one have already been yielded.
 */
export function* parseTar(bytes: Uint8Array, options: TarReadOptions = {}): Generator<TarMember> {
  const m = steps(limitsOf(options));
  let pos = 0;
  const ref: BlockRef = { bytes, offset: 0, length: 0 };
  let r = m.next();
  while (!r.done) {
    const q = r.value;
    if (q.op === 'block') {
      ref.offset = pos;
      ref.length = Math.min(BLOCK, bytes.length - pos);
      pos += ref.length;
      r = m.next(ref);
    } else if (q.op === 'read') {
      const end = Math.min(bytes.length, pos + q.n);
      const v = bytes.subarray(pos, end);
      pos = end;
      r = m.next(v);
    } else if (q.op === 'skip') {
      const n = Math.min(q.n, bytes.length - pos);
      pos += n;
      r = m.next(n);
    } else {
      yield q.member;
      r = m.next();
    }
  }
}

/**
 * Read a tar archive from a stream of chunks (e.g. the output of `decompressStream`). Member data
 * are fresh copies, safe to keep; skipped data are never buffered. Consumes the input only as far
 * as the consumer iterates; stopping early (break) is fine.
 */
export async function* readTar(chunks: AsyncIterable<Uint8Array>, options: TarReadOptions = {}): AsyncGenerator<TarMember> {
  const m = steps(limitsOf(options));
  const it = chunks[Symbol.asyncIterator]();
  let cur: Uint8Array = new Uint8Array(0);
  let curPos = 0;
  let eof = false;
  const more = async (): Promise<boolean> => {
    if (eof) return false;
    const r = await it.next();
    if (r.done) {
      eof = true;
      return false;
    }
    if (!(r.value instanceof Uint8Array)) throw new RepokitError('INVALID_ARGUMENT', 'stream chunks must be Uint8Array');
    cur = r.value;
    curPos = 0;
    return true;
  };
  // Header blocks are copied into one reused buffer: the machine is done with a block before it asks for the next.
  const ref: BlockRef = { bytes: new Uint8Array(BLOCK), offset: 0, length: 0 };
  try {
    let r = m.next();
    while (!r.done) {
      const q = r.value;
      if (q.op === 'block') {
        let filled = 0;
        while (filled < BLOCK) {
          if (curPos >= cur.length && !(await more())) break;
          const take = Math.min(BLOCK - filled, cur.length - curPos);
          ref.bytes.set(cur.subarray(curPos, curPos + take), filled);
          curPos += take;
          filled += take;
        }
        ref.length = filled;
        r = m.next(ref);
      } else if (q.op === 'read') {
        // Copy out: the producer may reuse its buffers once we ask for the next chunk.
        let out: Uint8Array | undefined;
        let filled = 0;
        while (filled < q.n) {
          if (curPos >= cur.length && !(await more())) break;
          const take = Math.min(q.n - filled, cur.length - curPos);
          out ??= new Uint8Array(q.n);
          out.set(cur.subarray(curPos, curPos + take), filled);
          curPos += take;
          filled += take;
        }
        r = m.next(out === undefined ? new Uint8Array(0) : filled < q.n ? out.subarray(0, filled) : out);
      } else if (q.op === 'skip') {
        let skipped = 0;
        while (skipped < q.n) {
          if (curPos >= cur.length && !(await more())) break;
          const take = Math.min(q.n - skipped, cur.length - curPos);
          curPos += take;
          skipped += take;
        }
        r = m.next(skipped);
      } else {
        yield q.member;
        r = m.next();
      }
    }
  } finally {
    await it.return?.();
  }
}

// ---------------------------------------------------------------------------------------------
// Writer

/** One member to write. */
export interface TarWriteEntry {
  /** Member name; directories get a trailing `/` if they lack one. Must be relative, without `..`. */
  name: string;
  /** Default 'file'. */
  type?: 'file' | 'directory' | 'symlink';
  /** File contents (files only; default empty). */
  data?: Uint8Array;
  /** Permission bits; default 0644 for files, 0755 for directories, 0777 for symlinks. */
  mode?: number;
  /** Seconds since the epoch; default 0 (deterministic). */
  mtime?: number;
  uid?: number;
  gid?: number;
  uname?: string;
  gname?: string;
  /** Symlink target. */
  linkname?: string;
  /** Extra pax records (written in an `x` header; only with format 'pax'). */
  pax?: Record<string, string>;
}

/** Options of {@link writeTar}. */
export interface TarWriteOptions {
  /**
   * 'pax' (default): ustar headers, plus a pax `x` header only for a member that needs one (long
   * or non-ASCII names, big numbers, extra records) — libarchive's "pax restricted", bsdtar's and
   * xbps-rindex's default. 'ustar': strict POSIX ustar; what does not fit is INVALID_ARGUMENT.
   * 'gnu': GNU headers with `L`/`K` long-name records and base-256 numbers.
   */
  format?: 'ustar' | 'pax' | 'gnu';
  /** Pad the archive to a multiple of 10240 bytes like bsdtar and GNU tar (default false, like xbps-rindex). */
  padToRecord?: boolean;
}

const enc = (s: string): Uint8Array => encodeUtf8(s);

function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7e || s.charCodeAt(i) < 0x20) return false;
  return true;
}

/** Write `v` as octal into `digits` digits followed by the terminator bytes (libarchive style). */
function putOctal(b: Uint8Array, at: number, digits: number, v: number, term: number[]): boolean {
  const s = v.toString(8);
  if (v < 0 || s.length > digits) return false;
  const padded = s.padStart(digits, '0');
  for (let i = 0; i < digits; i++) b[at + i] = padded.charCodeAt(i);
  for (let i = 0; i < term.length; i++) b[at + digits + i] = term[i]!;
  return true;
}

function putBase256(b: Uint8Array, at: number, len: number, v: number): void {
  let x = v;
  for (let i = len - 1; i >= 1; i--) {
    b[at + i] = x % 256;
    x = Math.floor(x / 256);
  }
  b[at] = 0x80;
}

function putString(b: Uint8Array, at: number, len: number, s: Uint8Array): void {
  b.set(s.subarray(0, len), at);
}

function paxRecord(key: string, value: string): Uint8Array {
  const body = enc(` ${key}=${value}\n`);
  let len = body.length + 1;
  while (String(len).length + body.length !== len) len = String(len).length + body.length;
  return enc(`${len} ${key}=${value}\n`);
}

/** Split a UTF-8 path into ustar prefix (≤155) and name (≤100) at a '/', or undefined. */
function splitUstar(path: Uint8Array): [Uint8Array, Uint8Array] | undefined {
  if (path.length <= 100) return [new Uint8Array(0), path];
  if (path.length > 256) return undefined;
  for (let i = Math.min(155, path.length - 1); i > 0; i--) {
    if (path[i] === 0x2f && path.length - i - 1 <= 100 && path.length - i - 1 > 0) return [path.subarray(0, i), path.subarray(i + 1)];
  }
  return undefined;
}

interface HeaderFields {
  name: Uint8Array;
  prefix: Uint8Array;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  mtime: number;
  typeflag: string;
  linkname: Uint8Array;
  uname: Uint8Array;
  gname: Uint8Array;
}

function encodeHeader(f: HeaderFields, gnu: boolean): Uint8Array {
  const b = new Uint8Array(BLOCK);
  putString(b, 0, 100, f.name);
  const num = (at: number, len: number, v: number, what: string): void => {
    if (gnu) {
      if (!putOctal(b, at, len - 1, v, [0])) {
        if (v < 0) throw new RepokitError('INVALID_ARGUMENT', `tar ${what} ${v} is negative`);
        putBase256(b, at, len, v);
      }
    } else if (!(len === 12 ? putOctal(b, at, 11, v, [0x20]) : putOctal(b, at, 6, v, [0x20, 0]) || putOctal(b, at, 7, v, [0]))) {
      throw new RepokitError('INVALID_ARGUMENT', `tar ${what} ${v} does not fit a ustar header`);
    }
  };
  num(100, 8, f.mode, 'mode');
  num(108, 8, f.uid, 'uid');
  num(116, 8, f.gid, 'gid');
  num(124, 12, f.size, 'size');
  num(136, 12, f.mtime, 'mtime');
  b[156] = f.typeflag.charCodeAt(0);
  putString(b, 157, 100, f.linkname);
  if (gnu) {
    b.set(enc('ustar  \0'), 257);
  } else {
    b.set(enc('ustar\x0000'), 257);
  }
  putString(b, 265, 32, f.uname);
  putString(b, 297, 32, f.gname);
  if (!gnu) {
    putOctal(b, 329, 6, 0, [0x20, 0]);
    putOctal(b, 337, 6, 0, [0x20, 0]);
    putString(b, 345, 155, f.prefix);
  }
  // Checksum: computed with the field as spaces, written as 6 octal digits, NUL, space.
  for (let i = 148; i < 156; i++) b[i] = 0x20;
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += b[i]!;
  putOctal(b, 148, 6, sum, [0, 0x20]);
  return b;
}

function checkNumber(v: number, what: string): number {
  if (!Number.isSafeInteger(v)) throw new RepokitError('INVALID_ARGUMENT', `tar ${what} must be an integer, got ${String(v)}`);
  return v;
}

/**
 * Build a tar archive. Deterministic: the same entries give the same bytes (no clock, no user
 * lookup; defaults are mtime 0, uid/gid 0, empty user names). Output ends with two zero blocks.
 * Bad entries (unsafe or empty names, data on a directory, values that do not fit the chosen
 * format) are `INVALID_ARGUMENT`.
 */
export function writeTar(entries: Iterable<TarWriteEntry>, options: TarWriteOptions = {}): Uint8Array {
  const format = options.format ?? 'pax';
  if (format !== 'pax' && format !== 'ustar' && format !== 'gnu') {
    throw new RepokitError('INVALID_ARGUMENT', `unknown tar format ${JSON.stringify(format)}`);
  }
  const gnu = format === 'gnu';
  const out: Uint8Array[] = [];
  let total = 0;
  const push = (b: Uint8Array): void => {
    out.push(b);
    total += b.length;
  };
  const pushData = (d: Uint8Array): void => {
    if (d.length === 0) return;
    push(d);
    const pad = padding(d.length);
    if (pad > 0) push(new Uint8Array(pad));
  };
  for (const e of entries) {
    const type = e.type ?? 'file';
    if (type !== 'file' && type !== 'directory' && type !== 'symlink') throw new RepokitError('INVALID_ARGUMENT', `unknown tar entry type ${JSON.stringify(type)}`);
    if (typeof e.name !== 'string' || e.name === '' || e.name === '/') throw new RepokitError('INVALID_ARGUMENT', 'tar entry needs a non-empty name');
    if (!isSafeTarPath(e.name)) throw new RepokitError('INVALID_ARGUMENT', `unsafe tar entry name ${JSON.stringify(e.name)}`);
    const name = type === 'directory' && !e.name.endsWith('/') ? `${e.name}/` : e.name;
    const data = type === 'file' ? (e.data ?? new Uint8Array(0)) : new Uint8Array(0);
    if (type !== 'file' && e.data !== undefined && e.data.length > 0) throw new RepokitError('INVALID_ARGUMENT', `tar ${type} ${JSON.stringify(name)} cannot have data`);
    const linkname = type === 'symlink' ? (e.linkname ?? '') : '';
    if (type === 'symlink' && linkname === '') throw new RepokitError('INVALID_ARGUMENT', `symlink ${JSON.stringify(name)} needs a linkname`);
    const mode = checkNumber(e.mode ?? (type === 'file' ? 0o644 : type === 'directory' ? 0o755 : 0o777), 'mode') & 0o7777;
    const mtime = checkNumber(e.mtime ?? 0, 'mtime');
    const uid = checkNumber(e.uid ?? 0, 'uid');
    const gid = checkNumber(e.gid ?? 0, 'gid');
    const uname = e.uname ?? '';
    const gname = e.gname ?? '';
    const typeflag = type === 'file' ? '0' : type === 'directory' ? '5' : '2';

    const nameBytes = enc(name);
    const linkBytes = enc(linkname);
    const unameBytes = enc(uname);
    const gnameBytes = enc(gname);
    const fields: HeaderFields = {
      name: nameBytes,
      prefix: new Uint8Array(0),
      mode,
      uid,
      gid,
      size: data.length,
      mtime,
      typeflag,
      linkname: linkBytes,
      uname: unameBytes,
      gname: gnameBytes,
    };

    if (gnu) {
      if (e.pax !== undefined && Object.keys(e.pax).length > 0) throw new RepokitError('INVALID_ARGUMENT', 'pax records need format "pax"');
      if (unameBytes.length > 32 || gnameBytes.length > 32) throw new RepokitError('INVALID_ARGUMENT', `user/group name of ${JSON.stringify(name)} is longer than 32 bytes`);
      if (mtime < 0) throw new RepokitError('INVALID_ARGUMENT', `tar mtime ${mtime} is negative`);
      const long = (flag: 'L' | 'K', value: Uint8Array): void => {
        const body = new Uint8Array(value.length + 1);
        body.set(value);
        push(encodeHeader({ ...fields, name: enc('././@LongLink'), mode: 0o644, uid: 0, gid: 0, mtime: 0, size: body.length, typeflag: flag, linkname: new Uint8Array(0), uname: new Uint8Array(0), gname: new Uint8Array(0) }, true));
        pushData(body);
      };
      if (linkBytes.length > 100) {
        long('K', linkBytes);
        fields.linkname = linkBytes.subarray(0, 100);
      }
      if (nameBytes.length > 100) {
        long('L', nameBytes);
        fields.name = nameBytes.subarray(0, 100);
      }
      push(encodeHeader(fields, true));
      pushData(data);
      continue;
    }

    const records: [string, string][] = [];
    const split = isAscii(name) ? splitUstar(nameBytes) : undefined;
    if (split !== undefined) {
      fields.prefix = split[0];
      fields.name = split[1];
    } else {
      records.push(['path', name]);
      fields.name = enc(asciiFallback(name, 100));
    }
    if (linkBytes.length > 100 || !isAscii(linkname)) {
      records.push(['linkpath', linkname]);
      fields.linkname = enc(asciiFallback(linkname, 100));
    }
    if (unameBytes.length > 32 || !isAscii(uname)) {
      records.push(['uname', uname]);
      fields.uname = enc(asciiFallback(uname, 32));
    }
    if (gnameBytes.length > 32 || !isAscii(gname)) {
      records.push(['gname', gname]);
      fields.gname = enc(asciiFallback(gname, 32));
    }
    const big = (v: number, max: number, key: string, set: (n: number) => void): void => {
      if (v < 0 || v > max) {
        records.push([key, String(v)]);
        set(v < 0 ? 0 : max);
      }
    };
    big(uid, 0o7777777, 'uid', (n) => (fields.uid = n));
    big(gid, 0o7777777, 'gid', (n) => (fields.gid = n));
    big(data.length, 0o77777777777, 'size', (n) => (fields.size = n));
    big(mtime, 0o77777777777, 'mtime', (n) => (fields.mtime = n));
    for (const [k, v] of Object.entries(e.pax ?? {})) {
      if (typeof v !== 'string' || k === '' || k.includes('=') || k.includes('\n')) throw new RepokitError('INVALID_ARGUMENT', `bad pax record ${JSON.stringify(k)}`);
      const i = records.findIndex(([rk]) => rk === k);
      if (i >= 0) records.splice(i, 1);
      records.push([k, v]);
    }
    if (records.length > 0) {
      if (format === 'ustar') {
        throw new RepokitError('INVALID_ARGUMENT', `tar entry ${JSON.stringify(name)} does not fit a ustar header (${records.map(([k]) => k).join(', ')}); use format "pax"`);
      }
      const body = concatBytes(records.map(([k, v]) => paxRecord(k, v)));
      const slash = name.replace(/\/$/, '').lastIndexOf('/');
      const dir = slash >= 0 ? name.slice(0, slash) : '.';
      const base = name.replace(/\/$/, '').slice(slash + 1);
      const paxName = enc(asciiFallback(`${dir}/PaxHeader/${base}`, 100));
      push(encodeHeader({ ...fields, name: paxName, prefix: new Uint8Array(0), size: body.length, typeflag: 'x', linkname: new Uint8Array(0) }, false));
      pushData(body);
    }
    push(encodeHeader(fields, false));
    pushData(data);
  }
  push(new Uint8Array(2 * BLOCK));
  if (options.padToRecord === true && total % 10240 !== 0) push(new Uint8Array(10240 - (total % 10240)));
  return concatBytes(out);
}

/** An ASCII stand-in for a name that goes into a pax record (what old readers see), cut to fit. */
function asciiFallback(s: string, max: number): string {
  let out = '';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    out += c >= 0x20 && c <= 0x7e ? ch : '_';
  }
  return out.length > max ? out.slice(out.length - max) : out;
}

