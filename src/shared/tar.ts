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
import { decodeUtf8, encodeUtf8 } from './bytes.js';

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
// The step machine. It asks its driver for bytes ('read'), to drop bytes ('skip'), or to hand a
// member to the caller ('emit'); the sync and async drivers answer the same requests.

type Request =
  | { op: 'read'; n: number }
  | { op: 'skip'; n: number }
  | { op: 'emit'; member: TarMember };

/** 'read' is answered with up to n bytes (fewer only at end of input), 'skip' with the count skipped. */
type Answer = Uint8Array | number | undefined;

interface Limits {
  maxMemberSize: number;
  maxMembers: number;
  maxTotalSize: number;
  wantData: ((entry: TarEntry) => boolean) | undefined;
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
  };
}

function padding(size: number): number {
  return (BLOCK - (size % BLOCK)) % BLOCK;
}

function isZeroBlock(b: Uint8Array): boolean {
  for (let i = 0; i < BLOCK; i++) if (b[i] !== 0) return false;
  return true;
}

function* steps(limits: Limits): Generator<Request, void, Answer> {
  let pos = 0;
  let members = 0;
  let total = 0;
  let globalPax: Record<string, string> = {};
  // Records for the next real member (x headers, GNU L/K).
  let localPax: Record<string, string> | undefined;
  let longName: string | undefined;
  let longLink: string | undefined;
  let metaStart = -1;

  for (;;) {
    const header = (yield { op: 'read', n: BLOCK }) as Uint8Array;
    const at = pos;
    if (header.length === 0) {
      // End of input at a block boundary without the zero blocks: libarchive accepts this ("some
      // writers omit the block of nulls"), unless a meta-header was still waiting for its member.
      if (metaStart >= 0) throw new RepokitError('TRUNCATED', 'tar archive ends after an extended header, before its member', { offset: metaStart });
      return;
    }
    if (header.length < BLOCK) throw new RepokitError('TRUNCATED', `tar archive ends inside a header block (${header.length} of 512 bytes)`, { offset: at + header.length });
    pos += BLOCK;
    if (isZeroBlock(header)) {
      // End of archive. libarchive stops at the first zero block (and consumes a second one);
      // anything after it is ignored, so nothing more is read here.
      if (metaStart >= 0) throw new RepokitError('TAR_BAD_HEADER', 'tar archive ends after an extended header, before its member', { offset: metaStart });
      return;
    }
    verifyChecksum(header, at);
    const h = decodeHeader(header, at);
    if (h.size > Number.MAX_SAFE_INTEGER) throw new RepokitError('LIMIT_EXCEEDED', 'tar member size is larger than 2^53', { offset: at + 124 });

    // Meta-headers: their data describes the next member.
    const flag = h.typeflag;
    if (flag === 'x' || flag === 'g' || flag === 'X' || flag === 'L' || flag === 'K') {
      if (h.size > TAR_MAX_META_SIZE) {
        throw new RepokitError('LIMIT_EXCEEDED', `tar extended header of ${h.size} bytes is larger than ${TAR_MAX_META_SIZE}`, { offset: at + 124 });
      }
      const body = (yield { op: 'read', n: h.size }) as Uint8Array;
      if (body.length < h.size) throw new RepokitError('TRUNCATED', 'tar archive ends inside an extended header', { offset: pos + body.length });
      pos += h.size;
      const pad = padding(h.size);
      const skipped = (yield { op: 'skip', n: pad }) as number;
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
      const n = h.size + padding(h.size);
      const skipped = (yield { op: 'skip', n }) as number;
      if (skipped < n) throw new RepokitError('TRUNCATED', 'tar archive ends inside a volume label', { offset: pos + skipped });
      pos += n;
      continue;
    }

    const pax = localPax === undefined ? globalPax : { ...globalPax, ...localPax };
    const entry = buildEntry(h, pax, longName, longLink, at);
    localPax = undefined;
    longName = undefined;
    longLink = undefined;
    metaStart = -1;

    checkSafe(entry, at);
    members++;
    if (members > limits.maxMembers) throw new RepokitError('LIMIT_EXCEEDED', `tar archive has more than maxMembers (${limits.maxMembers}) members`, { offset: at });
    // Bytes that follow this header in the archive (0 for links, directories and devices).
    const stored = entry.type === 'file' || flag === 'D' ? dataSize(h, pax, at) : 0;
    if (entry.type === 'file') entry.size = stored;
    total += stored;
    if (total > limits.maxTotalSize) throw new RepokitError('LIMIT_EXCEEDED', `tar members add up to more than maxTotalSize (${limits.maxTotalSize} bytes)`, { offset: at });

    const want = entry.type === 'file' && (limits.wantData === undefined || limits.wantData(entry));
    let data: Uint8Array | undefined;
    if (want) {
      if (stored > limits.maxMemberSize) {
        throw new RepokitError('LIMIT_EXCEEDED', `tar member ${JSON.stringify(entry.name)} has ${stored} bytes, more than maxMemberSize (${limits.maxMemberSize})`, { offset: at + 124 });
      }
      data = (yield { op: 'read', n: stored }) as Uint8Array;
      if (data.length < stored) throw new RepokitError('TRUNCATED', `tar archive ends inside the data of ${JSON.stringify(entry.name)}`, { offset: pos + data.length });
      pos += stored;
      const pad = padding(stored);
      const skipped = (yield { op: 'skip', n: pad }) as number;
      if (skipped < pad) throw new RepokitError('TRUNCATED', 'tar archive ends inside block padding', { offset: pos + skipped });
      pos += pad;
    } else {
      const n = stored + padding(stored);
      const skipped = (yield { op: 'skip', n }) as number;
      if (skipped < n) {
        throw new RepokitError('TRUNCATED', `tar archive ends inside the data of ${JSON.stringify(entry.name)}`, { offset: pos + skipped });
      }
      pos += n;
    }
    yield { op: 'emit', member: { entry, data } };
  }
}

// ---------------------------------------------------------------------------------------------
// Header decoding

interface RawHeader {
  name: string;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  mtime: number;
  typeflag: string;
  linkname: string;
  uname: string;
  gname: string;
  format: 'ustar' | 'gnu' | 'v7';
}

function cstrEnd(b: Uint8Array, start: number, end: number): number {
  for (let i = start; i < end; i++) if (b[i] === 0) return i;
  return end;
}

function field(b: Uint8Array, start: number, len: number): string {
  return decodeUtf8(b, start, cstrEnd(b, start, start + len));
}

/**
 * A numeric field: octal digits (leading spaces/NULs skipped, parsing stops at the first
 * non-octal character, as libarchive does), or GNU base-256 when the top bit of the first byte is
 * set (0x80 positive, 0xff negative).
 */
function numberField(b: Uint8Array, start: number, len: number, what: string, at: number): number {
  const first = b[start]!;
  if (first & 0x80) {
    const negative = first === 0xff;
    let v = first & 0x3f;
    if (negative) v = 0;
    for (let i = start + (negative ? 0 : 1); i < start + len; i++) {
      const byte = negative ? 0xff - b[i]! : b[i]!;
      v = v * 256 + byte;
      if (v > Number.MAX_SAFE_INTEGER) throw new RepokitError('TAR_BAD_HEADER', `tar ${what} field is out of range`, { offset: at + start });
    }
    return negative ? -(v + 1) : v;
  }
  let i = start;
  const end = start + len;
  while (i < end && (b[i] === 0x20 || b[i] === 0)) i++;
  let v = 0;
  for (; i < end; i++) {
    const c = b[i]!;
    if (c < 0x30 || c > 0x37) break;
    v = v * 8 + (c - 0x30);
  }
  return v;
}

function verifyChecksum(h: Uint8Array, at: number): void {
  // The stored value may be octal with NUL/space terminators; libarchive accepts the unsigned sum
  // and, for old Sun tar, the signed one.
  let i = 148;
  while (i < 156 && h[i] === 0x20) i++;
  let stored = 0;
  let digits = 0;
  for (; i < 156; i++) {
    const c = h[i]!;
    if (c < 0x30 || c > 0x37) break;
    stored = stored * 8 + (c - 0x30);
    digits++;
  }
  let unsigned = 0;
  let signed = 0;
  for (let k = 0; k < BLOCK; k++) {
    const c = k >= 148 && k < 156 ? 0x20 : h[k]!;
    unsigned += c;
    signed += c >= 0x80 ? c - 256 : c;
  }
  if (digits === 0 || (stored !== unsigned && stored !== signed)) {
    throw new RepokitError('TAR_BAD_HEADER', digits === 0 ? 'tar header has no checksum (not a tar archive?)' : `tar header checksum mismatch (stored ${stored}, computed ${unsigned})`, { offset: at });
  }
}

function decodeHeader(b: Uint8Array, at: number): RawHeader {
  const magic = String.fromCharCode(b[257]!, b[258]!, b[259]!, b[260]!, b[261]!, b[262]!, b[263]!, b[264]!);
  const format: RawHeader['format'] = magic === 'ustar  \0' ? 'gnu' : magic.startsWith('ustar') ? 'ustar' : 'v7';
  let name = field(b, 0, 100);
  if (format === 'ustar') {
    const prefix = field(b, 345, 155);
    if (prefix !== '') name = `${prefix}/${name}`;
  }
  const t = b[156]!;
  return {
    name,
    mode: numberField(b, 100, 8, 'mode', at),
    uid: numberField(b, 108, 8, 'uid', at),
    gid: numberField(b, 116, 8, 'gid', at),
    size: numberField(b, 124, 12, 'size', at),
    mtime: numberField(b, 136, 12, 'mtime', at),
    typeflag: t === 0 ? '0' : String.fromCharCode(t),
    linkname: field(b, 157, 100),
    uname: format === 'v7' ? '' : field(b, 265, 32),
    gname: format === 'v7' ? '' : field(b, 297, 32),
    format,
  };
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
  switch (flag) {
    case '0':
    case '7':
      // Old archives mark directories only by a trailing slash.
      return name.endsWith('/') ? 'directory' : 'file';
    case '1':
      return 'hardlink';
    case '2':
      return 'symlink';
    case '5':
    case 'D':
      return 'directory';
    case '3':
    case '4':
    case '6':
    case 'S':
    case 'M':
    case 'N':
      return 'other';
    default:
      // POSIX: an unknown type flag is read as a regular file (libarchive does the same).
      return name.endsWith('/') ? 'directory' : 'file';
  }
}

function buildEntry(h: RawHeader, pax: Record<string, string>, longName: string | undefined, longLink: string | undefined, at: number): TarEntry {
  const name = pax['path'] ?? longName ?? h.name;
  const linkname = pax['linkpath'] ?? longLink ?? h.linkname;
  const type = typeOf(h.typeflag, name);
  const mtime = pax['mtime'] !== undefined ? paxNumber(pax['mtime'], 'mtime', at, true) : h.mtime;
  return {
    name,
    type,
    size: 0,
    mode: h.mode & 0o7777,
    mtime,
    uid: pax['uid'] !== undefined ? paxNumber(pax['uid'], 'uid', at, false) : h.uid,
    gid: pax['gid'] !== undefined ? paxNumber(pax['gid'], 'gid', at, false) : h.gid,
    uname: pax['uname'] ?? h.uname,
    gname: pax['gname'] ?? h.gname,
    linkname: type === 'symlink' || type === 'hardlink' ? linkname : '',
    pax,
  };
}

function dataSize(h: RawHeader, pax: Record<string, string>, at: number): number {
  if (pax['size'] !== undefined) return paxNumber(pax['size'], 'size', at, false);
  if (h.size < 0) throw new RepokitError('TAR_BAD_HEADER', 'tar member size is negative', { offset: at + 124 });
  return h.size;
}

function checkSafe(e: TarEntry, at: number): void {
  if (e.name === '') throw new RepokitError('TAR_BAD_HEADER', 'tar member has an empty name', { offset: at });
  if (!isSafeTarPath(e.name)) throw new RepokitError('TAR_UNSAFE_PATH', `unsafe tar member name ${JSON.stringify(e.name)}`, { offset: at });
  if (e.type === 'hardlink' && !isSafeTarPath(e.linkname)) {
    throw new RepokitError('TAR_UNSAFE_PATH', `unsafe hardlink target ${JSON.stringify(e.linkname)} of ${JSON.stringify(e.name)}`, { offset: at });
  }
}

/**
 * True for a relative member path without `..` components and without NUL (`./x`, `a//b` and a
 * trailing `/` are fine). Backslashes are ordinary characters in tar names and are not special.
 */
export function isSafeTarPath(name: string): boolean {
  if (name.startsWith('/') || name.includes('\0')) return false;
  for (const part of name.split('/')) if (part === '..') return false;
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
  let r = m.next();
  while (!r.done) {
    const q = r.value;
    if (q.op === 'read') {
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
  try {
    let r = m.next();
    while (!r.done) {
      const q = r.value;
      if (q.op === 'read') {
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
      const body = concatAll(records.map(([k, v]) => paxRecord(k, v)));
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
  return concatAll(out);
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

function concatAll(parts: readonly Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
