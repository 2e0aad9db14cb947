/**
 * Reading sync databases (`<repo>.db.tar.*` and `<repo>.files.tar.*`) the way libalpm does: the
 * compression is sniffed, directory members are optional, member order does not matter, and the
 * `desc`, legacy `depends` and `files` members of one `<name>-<version>/` directory are merged
 * into one entry (the pacman ≥ 5.0 layout, the pacman 4.x split layout, and xpkg's desc plus
 * `depends` without directory members all read the same way).
 *
 * {@link parseSyncDbTar} is pure (an uncompressed tar in, entries out); {@link readSyncDb} adds
 * the file reading and decompression at the edge, and walks a gzip (or single-frame zstd)
 * database as it decodes it ({@link scanPlainStream}) instead of decompressing it whole first.
 */
import { RepokitError, isRepokitError } from '../shared/errors.js';
import { argOptions } from './args.js';
import { nodeBuiltin } from '../shared/input.js';
import { decodePieces, decompress, sniffCompression, SNIFF_BYTES, type DetectedCompression, type PieceDecoder } from '../shared/compression.js';
import { BlockSummer, checksumFieldCorrection, normalizeTarPath, octalField, parseTar, storedChecksum, type TarEntry, type TarMember, type TarReadOptions } from '../shared/tar.js';
import { decodeEntry } from './desc.js';
import { splitEntryName, type EntryName } from './filename.js';
import { DESC_SECTIONS, type DescEntry, type SectionSpec } from './types.js';
import { MAX_LINE_LENGTH } from './text.js';
import type { AlpmIssue, AlpmMode } from './validate.js';

/** The member files of one entry directory, as stored. */
export interface EntryMembers {
  desc?: Uint8Array;
  /** Legacy split layout (pacman < 5.0, xpkg). */
  depends?: Uint8Array;
  /** Only in `.files` databases. */
  files?: Uint8Array;
}

/** One package of a sync database. */
export interface SyncDbEntry {
  /** The entry directory, `<name>-<version>` (no trailing slash). */
  dir: string;
  /** Package name, from the directory name (as libalpm takes it). */
  name: string;
  /** Full version `[epoch:]pkgver-pkgrel`, from the directory name. */
  version: string;
  /** The decoded `desc` (+ `depends`, + `files` as `entry.files`). */
  entry: DescEntry;
  /** `'split'` when the entry has a separate `depends` member. */
  layout: 'merged' | 'split';
  /** With `keepRaw`, the members as stored (so that untouched entries are rewritten byte for byte); `{}` otherwise. */
  raw: EntryMembers;
  /** What the tolerant decoder noticed in this entry. */
  warnings: AlpmIssue[];
}

/** A decoded sync database. */
export interface SyncDb {
  /** `'files'` when entries carry `files` members (or, for an empty archive, the name says `.files`). */
  kind: 'db' | 'files';
  /** Compression of the archive, sniffed from its first bytes. */
  compression: DetectedCompression;
  /** Entries in archive order (of each directory's first member). */
  entries: SyncDbEntry[];
  /** Archive-level findings: members libalpm ignores, duplicate package names, `./` prefixes. */
  warnings: AlpmIssue[];
}

/** Limits of the sync database reader (see docs/alpm.md, "Limits"). */
export const SYNC_DB_LIMITS = {
  /** Largest database file read (1 GiB; pacman refuses downloads over 128 MiB). */
  maxFileSize: 1024 * 1024 * 1024,
  /** Largest decompressed archive (4 GiB). */
  maxUncompressedSize: 4 * 1024 * 1024 * 1024,
  /** Largest single `desc`/`depends`/`files` member (64 MiB). */
  maxMemberSize: 64 * 1024 * 1024,
  /** Most tar members (4,000,000). */
  maxMembers: 4_000_000,
} as const;

export interface ReadSyncDbOptions {
  /** `'tolerant'` (default: what libalpm reads, with warnings) or `'strict'` (every entry validated; the first bad one throws). */
  mode?: AlpmMode;
  /** Name used in messages (default: the path, or `db`). Also decides `kind` for an empty archive. */
  name?: string;
  /**
   * Also give each entry's member bytes as stored, in `raw` (default false: `raw` is `{}`), so that
   * `writeSyncDb` copies the entries left unchanged byte for byte. They are views into the
   * decompressed data (for gzip, into buffers holding only the entry files), which stay in memory
   * as long as the result: about the size of the desc texts again.
   */
  keepRaw?: boolean;
  maxFileSize?: number;
  maxUncompressedSize?: number;
  maxMemberSize?: number;
  maxMembers?: number;
  /**
   * Read canonical archives and entries with the reader's own fast paths (default true): a walk
   * over the tar blocks that hands any archive with anything unusual to the general tar reader,
   * and a desc decoder that hands any entry with anything unusual to `decodeEntry` (and
   * `splitEntryName`, for directory names). They give exactly what those give; `false` sends
   * everything through the general path (used by the tests that check the two agree).
   */
  fastPath?: boolean;
  signal?: AbortSignal;
}

const ENTRY_FILES = new Set(['desc', 'depends', 'files']);

function posInt(v: number | undefined, dflt: number, what: string): number {
  if (v === undefined) return dflt;
  if (!Number.isSafeInteger(v) || v < 1) throw new RepokitError('INVALID_ARGUMENT', `${what} must be a positive integer, not ${String(v)}`);
  return v;
}

function issue(message: string, file?: string): AlpmIssue {
  return file === undefined ? { message } : { message, file };
}

/** The members of one entry directory, as collected. */
export interface Pending {
  dir: string;
  name: string;
  version: string;
  members: EntryMembers;
}

/**
 * Decode an uncompressed sync database tar (pure). Throws ALPM_BAD_ENTRY_NAME for a directory
 * whose name does not split into name and version (libalpm rejects the whole database then),
 * the tar reader's errors (TAR_BAD_HEADER, TAR_UNSAFE_PATH, TRUNCATED, LIMIT_EXCEEDED), and in
 * strict mode ALPM_BAD_DESC / ALPM_BAD_FILES for the first invalid entry.
 */
export function parseSyncDbTar(tar: Uint8Array, options: ReadSyncDbOptions & { compression?: DetectedCompression } = {}): SyncDb {
  if (!(tar instanceof Uint8Array)) throw new RepokitError('INVALID_ARGUMENT', 'parseSyncDbTar needs the tar archive as a Uint8Array');
  argOptions(options);
  const c = new SyncDbCollector(options);
  try {
    // An archive as repo-add writes it is walked directly; at the first thing that walk does not
    // handle itself, the whole archive goes through the general tar reader instead, from the start.
    const plain = c.useFast ? scanPlainTar(tar, c.tarOptions) : undefined;
    if (plain !== undefined) return c.finish(options.compression ?? 'none', plain);
    for (const m of parseTar(tar, c.tarOptions)) c.add(m);
    return c.finish(options.compression ?? 'none');
  } finally {
    // Drop the scratch lists' references, so that nothing of this database outlives its result.
    scratch.length = 0;
    laterValue.length = 0;
  }
}

/** Groups the members of a sync database tar by entry directory as they come, then decodes every entry. */
class SyncDbCollector {
  readonly options: ReadSyncDbOptions;
  readonly tarOptions: TarReadOptions;
  readonly #dbName: string;
  /** Whether canonical entries take the fast paths (not in strict mode, not with `fastPath: false`). */
  readonly useFast: boolean;
  readonly #warnings: AlpmIssue[] = [];
  readonly #byDir = new Map<string, Pending>();
  /** Whether entries keep their members' bytes in `raw`. */
  readonly keepRaw: boolean;
  #prefixed = false;
  #anyFiles = false;

  constructor(options: ReadSyncDbOptions) {
    this.options = options;
    this.#dbName = options.name ?? 'db';
    this.useFast = options.fastPath !== false && options.mode !== 'strict';
    this.keepRaw = options.keepRaw === true;
    this.tarOptions = {
      maxMemberSize: posInt(options.maxMemberSize, SYNC_DB_LIMITS.maxMemberSize, 'maxMemberSize'),
      maxMembers: posInt(options.maxMembers, SYNC_DB_LIMITS.maxMembers, 'maxMembers'),
      maxTotalSize: posInt(options.maxUncompressedSize, SYNC_DB_LIMITS.maxUncompressedSize, 'maxUncompressedSize'),
      wantData: wantMember,
      // Directory members are optional and libalpm skips them: no entries are built for them.
      includeDirectories: false,
    };
  }

  add(m: TarMember): void {
    const e = m.entry;
    const dbName = this.#dbName;
    let name = e.name;
    // The common case, `dir/file`, is split directly; anything else (`./`, `//`) is normalised first.
    if (name.startsWith('./') || name.includes('//')) {
      if (name.startsWith('./')) this.#prefixed = true;
      name = normalizeTarPath(name);
    }
    const slash = name.indexOf('/');
    if (slash < 0) {
      this.#warnings.push(issue(`top-level member ${JSON.stringify(e.name)} is not in an entry directory (ignored; libalpm rejects or ignores it)`, dbName));
      return;
    }
    const dir = name.slice(0, slash);
    const file = name.slice(slash + 1);
    if (!ENTRY_FILES.has(file)) {
      this.#warnings.push(issue(`member ${JSON.stringify(e.name)} is not desc, depends or files (ignored, as libalpm does)`, dbName));
      return;
    }
    if (e.type === 'hardlink' || m.data === undefined) {
      this.#warnings.push(issue(`member ${JSON.stringify(e.name)} is a ${e.type}, not a regular file (ignored)`, dbName));
      return;
    }
    let p = this.#byDir.get(dir);
    if (p === undefined) {
      // Throws ALPM_BAD_ENTRY_NAME, like libalpm's "invalid name for database entry".
      const split = this.useFast ? splitDirName(dir) : splitEntryName(dir);
      p = { dir, name: split.name, version: split.version, members: {} };
      this.#byDir.set(dir, p);
    }
    const key = file as keyof EntryMembers;
    if (p.members[key] !== undefined) this.#warnings.push(issue(`member ${JSON.stringify(e.name)} appears twice (the last one is used)`, dbName));
    p.members[key] = m.data;
  }

  /**
   * Decode every entry (in the order of each directory's first member): those `add` collected, or
   * `plain`, the entries of {@link scanPlainTar} (which has no duplicate package names).
   */
  finish(compression: DetectedCompression, plain?: Pending[]): SyncDb {
    const dbName = this.#dbName;
    const warnings = this.#warnings;
    if (this.#prefixed) warnings.push(issue('member names start with "./" (read anyway; libalpm cannot read such a database)', dbName));
    const pendings = plain ?? [...this.#byDir.values()];
    const decoded = this.useFast ? fastDecodeAll(pendings) : undefined;
    const entries: SyncDbEntry[] = [];
    const seen = plain === undefined ? new Map<string, string>() : undefined;
    for (let i = 0; i < pendings.length; i++) {
      const p = pendings[i]!;
      if (seen !== undefined) {
        const other = seen.get(p.name);
        if (other !== undefined) {
          warnings.push(issue(`package ${JSON.stringify(p.name)} has two entries, ${JSON.stringify(other)} and ${JSON.stringify(p.dir)} (libalpm: database is inconsistent)`, dbName));
        } else {
          seen.set(p.name, p.dir);
        }
      }
      entries.push(this.entry(p.dir, p.name, p.version, p.members, decoded?.[i]));
    }
    return this.result(compression, entries);
  }

  /** The database of `entries` (each made by {@link entry}). */
  result(compression: DetectedCompression, entries: SyncDbEntry[]): SyncDb {
    const kind: SyncDb['kind'] = this.#anyFiles || (entries.length === 0 && /\.files(\.|$)/.test(this.#dbName)) ? 'files' : 'db';
    return { kind, compression, entries, warnings: this.#warnings };
  }

  /**
   * One entry: `fast` (the fast decoding, when it took the entry) or `decodeEntry` of the members
   * `m`, checked against the directory it came from. Without `keepRaw`, `m` only has to tell
   * which members there are when `fast` is given (see StreamedEntries).
   */
  entry(dir: string, pkgname: string, version: string, m: EntryMembers, fast: DescEntry | undefined): SyncDbEntry {
    const dbName = this.#dbName;
    if (m.files !== undefined) this.#anyFiles = true;
    let d: DescEntry;
    let w: AlpmIssue[];
    if (fast !== undefined) {
      d = fast;
      w = NO_ISSUES.slice();
    } else {
      const texts: { desc?: Uint8Array; depends?: Uint8Array; files?: Uint8Array } = {};
      if (m.desc !== undefined) texts.desc = m.desc;
      if (m.depends !== undefined) texts.depends = m.depends;
      if (m.files !== undefined) texts.files = m.files;
      const label = `${dbName}:${dir}`;
      const mode = this.options.mode;
      const r = decodeEntry(texts, mode !== undefined ? { file: label, mode } : { file: label });
      d = r.entry;
      w = r.warnings;
    }
    // %NAME%/%VERSION% against the directory (libalpm: "database is inconsistent"), checked here
    // with the split already made rather than by decodeEntry's dirName option.
    if (d.name !== undefined && d.name !== pkgname) {
      w.push({ ...issue(`name ${JSON.stringify(d.name)} differs from the directory ${JSON.stringify(dir)} (libalpm: database is inconsistent)`, `${dbName}:${dir}`), section: '%NAME%' });
    }
    if (d.version !== undefined && d.version !== version) {
      w.push({ ...issue(`version ${JSON.stringify(d.version)} differs from the directory ${JSON.stringify(dir)} (libalpm: database is inconsistent)`, `${dbName}:${dir}`), section: '%VERSION%' });
    }
    if (m.desc === undefined) w.push(issue('the entry has no desc member', `${dbName}:${dir}`));
    return new SyncDbEntryObject(dir, pkgname, version, d, m.depends !== undefined ? 'split' : 'merged', this.keepRaw ? m : {}, w);
  }
}

/**
 * Builds what the object literal `{ dir, name, version, entry, layout, raw, warnings }` builds (a
 * plain object, those keys in that order) without the literal's allocation site (see listOf).
 */
const SyncDbEntryObject = function (this: SyncDbEntry, dir: string, name: string, version: string, entry: DescEntry, layout: SyncDbEntry['layout'], raw: EntryMembers, warnings: AlpmIssue[]): void {
  this.dir = dir;
  this.name = name;
  this.version = version;
  this.entry = entry;
  this.layout = layout;
  this.raw = raw;
  this.warnings = warnings;
} as unknown as new (dir: string, name: string, version: string, entry: DescEntry, layout: SyncDbEntry['layout'], raw: EntryMembers, warnings: AlpmIssue[]) => SyncDbEntry;
SyncDbEntryObject.prototype = Object.prototype;

/** `{ dir, name, version, members: {} }`, likewise. */
const PendingObject = function (this: Pending, dir: string, name: string, version: string): void {
  this.dir = dir;
  this.name = name;
  this.version = version;
  this.members = {};
} as unknown as new (dir: string, name: string, version: string) => Pending;
PendingObject.prototype = Object.prototype;

/** Only desc, depends and files members are read; everything else is skipped unbuffered. */
function wantMember(e: TarEntry): boolean {
  if (e.type !== 'file') return false;
  const n = e.name;
  return n.endsWith('/desc') || n.endsWith('/files') || n.endsWith('/depends');
}

/**
 * `splitEntryName` for the usual directory name (ASCII, at most 255 characters, a valid package
 * name): the same split without building error texts or measuring UTF-8. Anything else goes to
 * `splitEntryName`, which decides (and throws).
 */
function splitDirName(dir: string): EntryName {
  const n = dir.length;
  if (n <= 255) {
    const d2 = dir.lastIndexOf('-');
    const d1 = d2 > 0 ? dir.lastIndexOf('-', d2 - 1) : -1;
    const c0 = dir.charCodeAt(0);
    if (d1 > 0 && d2 !== n - 1 && d2 !== d1 + 1 && c0 !== 0x2d && c0 !== 0x2e) {
      let ok = true;
      for (let i = 0; i < n; i++) {
        const c = dir.charCodeAt(i);
        if (c >= 0x80 || (i < d1 && NAME_CHAR[c] !== 1) || c === 0x2f) {
          ok = false;
          break;
        }
      }
      if (ok) return { name: dir.slice(0, d1), version: dir.slice(d1 + 1) };
    }
  }
  return splitEntryName(dir);
}

/** The characters of a package name (`[A-Za-z0-9+_.@-]`), by code. */
const NAME_CHAR = new Uint8Array(128);
for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+_.@-') NAME_CHAR[c.charCodeAt(0)] = 1;

// ---------------------------------------------------------------------------------------------
// The plain-tar walk

const BLOCK = 512;

/** The entry files by name length (`desc` 4, `files` 5, `depends` 7), checked byte by byte. */
const ENTRY_FILE_BYTES: ReadonlyMap<number, { key: keyof EntryMembers; bytes: Uint8Array }> = new Map(
  (['desc', 'files', 'depends'] as const).map((k) => [k.length, { key: k, bytes: new TextEncoder().encode(k) }]),
);

/**
 * The members of an archive as repo-add (and repod, xpkg) writes it, grouped into entries, read
 * straight off the blocks — or undefined as soon as anything differs from that shape, and the
 * caller reads the whole archive with `parseTar` and `add` instead (which then report it; nothing
 * here throws or warns). Accepted are exactly the members for which those two would do nothing
 * but collect the data: ustar/GNU/v7 headers with a valid (unsigned) checksum and octal numbers,
 * directories (type `5`, or `0` with a trailing `/`) with a safe name, and regular files named
 * `<dir>/desc`, `<dir>/depends` or `<dir>/files` (printable ASCII, no ustar prefix), each at most
 * once, within the limits, up to the end of the input or a zero block; a package name in two
 * directories sends the archive to the general path too (it warns there).
 */
export function scanPlainTar(tar: Uint8Array, limits: { maxMemberSize?: number; maxMembers?: number; maxTotalSize?: number }): Pending[] | undefined {
  try {
    return scanPlainTarOrThrow(tar, limits.maxMemberSize!, limits.maxMembers!, limits.maxTotalSize!);
  } catch {
    // splitEntryName refused a directory name: the general path decides (and throws, or warns).
    return undefined;
  }
}

function scanPlainTarOrThrow(tar: Uint8Array, maxMemberSize: number, maxMembers: number, maxTotalSize: number): Pending[] | undefined {
  const len = tar.length;
  const limits = new PlainLimits(maxMemberSize, maxMembers, maxTotalSize);
  const group = new PlainGroups();
  let o = 0;
  while (o < len) {
    if (len - o < BLOCK) return undefined;
    const kind = plainHeader(tar, o, limits);
    if (kind === H_END) break;
    if (kind === H_OTHER) return undefined;
    if (kind === H_DIR) {
      o += BLOCK;
      continue;
    }
    const next = o + hSpan;
    if (next > len) return undefined;
    if (!group.add(tar, o, hDirLen, hKey!, tar.subarray(o + BLOCK, o + BLOCK + hSize))) return undefined;
    o = next;
  }
  return group.pendings;
}

/** The plain walk's count of members and of their data, against the reader's limits. */
class PlainLimits {
  members = 0;
  total = 0;
  readonly sums = new BlockSummer();
  constructor(
    readonly maxMemberSize: number,
    readonly maxMembers: number,
    readonly maxTotalSize: number,
  ) {}
}

/** What {@link plainHeader} found: the end of the archive, a directory, an entry file, anything else. */
const H_OTHER = -1;
const H_END = 0;
const H_DIR = 1;
const H_FILE = 2;
/**
 * For H_FILE: the member's size, its header and data blocks together, the length of its
 * directory name, and which entry file it is.
 */
let hSize = 0;
let hSpan = 0;
let hDirLen = 0;
let hKey: keyof EntryMembers | undefined;

/**
 * Checks the header block at `tar[o]` for the shapes the plain walk accepts (see
 * {@link scanPlainTar}), and counts it against `limits` (H_OTHER once one is passed).
 */
function plainHeader(tar: Uint8Array, o: number, limits: PlainLimits): number {
  const sum = limits.sums.sum(tar, o);
  if (sum === 0) return H_END;
  const stored = storedChecksum(tar, o);
  if (stored < 0 || stored !== sum + checksumFieldCorrection(tar, o)) return H_OTHER;
  // Base-256 numbers (mode, uid, gid, size, mtime) and ustar name prefixes: the general path.
  if (((tar[o + 100]! | tar[o + 108]! | tar[o + 116]! | tar[o + 124]! | tar[o + 136]!) & 0x80) !== 0) return H_OTHER;
  const ustarMagic = tar[o + 257] === 0x75 && tar[o + 258] === 0x73 && tar[o + 259] === 0x74 && tar[o + 260] === 0x61 && tar[o + 261] === 0x72;
  if (ustarMagic && !(tar[o + 262] === 0x20 && tar[o + 263] === 0x20 && tar[o + 264] === 0) && tar[o + 345] !== 0) return H_OTHER;
  // The name: printable ASCII, relative, without `..` components.
  let end = o;
  let slashes = 0;
  let slash = -1;
  let from = o;
  for (; end < o + 100; end++) {
    const c = tar[end]!;
    if (c === 0) break;
    if (c < 0x21 || c > 0x7e) return H_OTHER;
    if (c === 0x2f) {
      if (end === o || (end - from === 2 && tar[from] === 0x2e && tar[from + 1] === 0x2e)) return H_OTHER;
      if (slash < 0) slash = end;
      slashes++;
      from = end + 1;
    }
  }
  if (end === o || (end - from === 2 && tar[from] === 0x2e && tar[from + 1] === 0x2e)) return H_OTHER;
  const flag = tar[o + 156]!;
  if (++limits.members > limits.maxMembers) return H_OTHER;
  // A directory: checked and counted, no data follows.
  if (flag === 0x35 || ((flag === 0x30 || flag === 0) && tar[end - 1] === 0x2f)) return H_DIR;
  // Anything but a regular file named <dir>/<desc|depends|files>: the general path.
  if ((flag !== 0x30 && flag !== 0) || slashes !== 1) return H_OTHER;
  const file = ENTRY_FILE_BYTES.get(end - slash - 1);
  if (file === undefined) return H_OTHER;
  for (let k = 0; k < file.bytes.length; k++) if (tar[slash + 1 + k] !== file.bytes[k]) return H_OTHER;
  // (`./desc` gets here, but `.` does not split into name and version: the general path then.)
  const size = octalField(tar, o + 124, 12);
  limits.total += size;
  if (limits.total > limits.maxTotalSize || size > limits.maxMemberSize) return H_OTHER;
  hSize = size;
  hSpan = BLOCK + size + ((BLOCK - (size % BLOCK)) % BLOCK);
  hDirLen = slash - o;
  hKey = file.key;
  return H_FILE;
}

/** The entry files of a plain walk grouped by directory, in the order of each directory's first member. */
class PlainGroups {
  readonly pendings: Pending[] = [];
  readonly #byName = new Map<string, Pending>();
  #last: Pending | undefined;
  /** The last directory name's bytes (a name field holds at most 100). */
  readonly #lastName = new Uint8Array(100);
  #lastLen = -1;

  /**
   * Files `data` as member `key` of the directory named by `buf[o, o + dirLen)`; false when the
   * plain walk gives up (a package name in two directories, a member twice).
   */
  add(buf: Uint8Array, o: number, dirLen: number, key: keyof EntryMembers, data: Uint8Array): boolean {
    // Members of one directory usually follow each other: compare the name with the last one's
    // before building a string and looking it up.
    let p: Pending | undefined;
    if (dirLen === this.#lastLen) {
      p = this.#last;
      const lastName = this.#lastName;
      for (let k = 0; k < dirLen; k++) {
        if (buf[o + k] !== lastName[k]) {
          p = undefined;
          break;
        }
      }
    }
    if (p === undefined) {
      const dir = utf8.decode(buf.subarray(o, o + dirLen));
      // Throws for a name splitEntryName refuses: scanPlainTar and scanPlainStream give up then.
      const split = splitDirName(dir);
      p = this.#byName.get(split.name);
      if (p === undefined) {
        p = new PendingObject(dir, split.name, split.version);
        this.#byName.set(split.name, p);
        this.pendings.push(p);
      } else if (p.dir !== dir) {
        return false;
      }
      this.#last = p;
      this.#lastName.set(buf.subarray(o, o + dirLen));
      this.#lastLen = dirLen;
    }
    if (p.members[key] !== undefined) return false;
    p.members[key] = data;
    return true;
  }
}

/** The window a compressed database is decoded into, piece by piece (grown for a bigger member). */
const WINDOW = 1024 * 1024;

/**
 * A gzip database (or a zstd one of a single frame) read in one pass over the file, decoded into
 * one reused window as the walk goes, so that the decompressed tar never exists whole:
 * {@link scanPlainTar}'s walk, with each entry's directory name and files copied from the window
 * into a chunk, and every chunk of about 256 KiB decoded with one call and its entries built (the
 * chunked desc decoding, then `decodeEntry` for an entry it does not take). With `keepRaw`, the
 * chunks are kept and `raw` views into them (they hold the entry files only: about half of a
 * database's tar, the rest being headers and padding); without it, one chunk buffer is reused.
 *
 * Undefined when the fast paths are off (strict mode, `fastPath: false`), when the walk gives up
 * (as scanPlainTar does, and also when one directory's files are not next to each other, or come
 * in another order than desc, depends, files), when the data does not decode cleanly to its end,
 * or when {@link decodePieces} does not take it (another compression, several zstd frames, a
 * runtime whose zlib cannot be driven this way): the caller then decompresses the whole file and
 * reads it as before (which reports any error). Throws LIMIT_EXCEEDED past
 * `maxUncompressedSize` of output, as `decompress` does, and INVALID_ARGUMENT for bad limits.
 */
export function scanPlainStream(data: Uint8Array, options: ReadSyncDbOptions = {}): SyncDb | undefined {
  const c = new SyncDbCollector(options);
  if (!c.useFast) return undefined;
  const t = c.tarOptions;
  const z = decodePieces(data, t.maxTotalSize!);
  if (z === undefined) return undefined;
  try {
    const entries = scanPlainStreamOrThrow(z, t.maxMemberSize!, t.maxMembers!, t.maxTotalSize!, c);
    return entries === undefined ? undefined : c.result(sniffCompression(data.subarray(0, SNIFF_BYTES)), entries);
  } catch (e) {
    if (isRepokitError(e) && e.code === 'LIMIT_EXCEEDED') throw e;
    // splitEntryName refused a directory name, or a name came twice while a chunk was being
    // moved (StreamedEntries): the general path decides (and throws, or warns).
    return undefined;
  } finally {
    z.close();
    scratch.length = 0;
    laterValue.length = 0;
  }
}

function scanPlainStreamOrThrow(z: PieceDecoder, maxMemberSize: number, maxMembers: number, maxTotalSize: number, c: SyncDbCollector): SyncDbEntry[] | undefined {
  let win = new Uint8Array(WINDOW);
  // win[pos, fill) is decoded and not walked yet; pos is a multiple of BLOCK (headers stay aligned).
  let fill = 0;
  let pos = 0;
  let ended = false;
  /** Makes `need` bytes from pos available, moving what is left to the front first; false at the end. */
  const more = (need: number): boolean => {
    if (fill - pos >= need) return true;
    if (ended) return false;
    if (pos > 0) {
      win.copyWithin(0, pos, fill);
      fill -= pos;
      pos = 0;
    }
    if (need > win.length) {
      const bigger = new Uint8Array(Math.max(need, 2 * win.length));
      bigger.set(win.subarray(0, fill));
      win = bigger;
    }
    while (fill < need) {
      const room = win.length - fill;
      const wrote = z.read(win, fill, room);
      fill += wrote;
      if (wrote < room) {
        ended = true;
        break;
      }
    }
    return fill - pos >= need;
  };
  const out = new StreamedEntries(c);
  // The directory of the entry being filled, as bytes (a name field holds at most 100).
  const dirName = new Uint8Array(100);
  let dirLen = -1;
  const limits = new PlainLimits(maxMemberSize, maxMembers, maxTotalSize);
  for (;;) {
    if (!more(BLOCK)) {
      // The end of the data with no end-of-archive blocks is accepted, as scanPlainTar does.
      if (fill === pos && !z.failed) break;
      return undefined;
    }
    const kind = plainHeader(win, pos, limits);
    if (kind === H_END) break;
    if (kind === H_OTHER) return undefined;
    if (kind === H_DIR) {
      pos += BLOCK;
      continue;
    }
    const size = hSize;
    const span = hSpan;
    const nameLen = hDirLen;
    const key = hKey!;
    // (This may move the header to the front of the window.)
    if (!more(span)) return undefined;
    let same = nameLen === dirLen;
    for (let k = 0; same && k < nameLen; k++) same = win[pos + k] === dirName[k];
    if (!same) {
      out.begin(win, pos, nameLen);
      dirName.set(win.subarray(pos, pos + nameLen));
      dirLen = nameLen;
    }
    if (!out.member(key, win, pos + BLOCK, size)) return undefined;
    pos += span;
  }
  // What follows the end blocks is decoded too (and dropped), so that a damaged stream fails
  // here as it does in decompress.
  while (!ended) {
    pos = fill;
    more(1);
  }
  if (z.failed || !out.flush(out.count)) return undefined;
  return out.entries;
}

/**
 * A set of strings for the duplicate-name check of a big read: open addressing over a hash of the
 * characters, in a typed array (a `Set` of 15,000 fresh strings costs several milliseconds more).
 */
export class NameSet {
  #slots: Int32Array;
  #hashes: Int32Array;
  readonly #names: string[] = [];

  /**
   * `slots` (a power of two) is sized for a big database from the start (128 KiB): growing
   * rehashes in code that runs too rarely to be optimized.
   */
  constructor(slots = 1 << 15) {
    this.#slots = new Int32Array(slots);
    this.#hashes = new Int32Array(slots >>> 1);
  }

  /** Adds `name`; false when it is there already. */
  add(name: string): boolean {
    let h = 0x811c9dc5;
    for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193);
    const names = this.#names;
    if (2 * (names.length + 1) > this.#slots.length) this.#grow();
    const slots = this.#slots;
    const mask = slots.length - 1;
    for (let i = h & mask; ; i = (i + 1) & mask) {
      const at = slots[i]!;
      if (at === 0) {
        this.#hashes[names.length] = h;
        names.push(name);
        slots[i] = names.length;
        return true;
      }
      if (names[at - 1] === name) return false;
    }
  }

  #grow(): void {
    const n = this.#names.length;
    const hashes = new Int32Array(this.#hashes.length * 2);
    hashes.set(this.#hashes.subarray(0, n));
    const slots = new Int32Array(this.#slots.length * 2);
    const mask = slots.length - 1;
    for (let k = 0; k < n; k++) {
      let i = hashes[k]! & mask;
      while (slots[i] !== 0) i = (i + 1) & mask;
      slots[i] = k + 1;
    }
    this.#slots = slots;
    this.#hashes = hashes;
  }
}

/** The slot of each entry file in a StreamedEntries record. */
const SLOT: Record<keyof EntryMembers, number> = { desc: 0, depends: 1, files: 2 };
const SLOT_KEYS: readonly (keyof EntryMembers)[] = ['desc', 'depends', 'files'];
/** Numbers per entry in StreamedEntries' ranges: the directory name, then desc, depends, files (start, end; -1 when absent). */
const RECORD = 8;
/**
 * The members of a fast-decoded entry whose bytes are not kept, by which are there (bit 0 desc,
 * 1 depends, 2 files): only their presence is looked at, and the objects are never handed out.
 */
const PRESENT: readonly EntryMembers[] = Array.from({ length: 8 }, (_, bits) => {
  const m: EntryMembers = {};
  const none = new Uint8Array(0);
  if (bits & 1) m.desc = none;
  if (bits & 2) m.depends = none;
  if (bits & 4) m.files = none;
  return Object.freeze(m);
});

/**
 * The entries of a streamed walk as they come (see {@link scanPlainStream}): directory names and
 * entry files copied into a chunk, decoded about CHUNK_BYTES at a time. Every method returns
 * false where the fast path gives up.
 */
class StreamedEntries {
  readonly entries: SyncDbEntry[] = [];
  readonly #collector: SyncDbCollector;
  readonly #keep: boolean;
  /** Package names seen, to refuse one in two directories. */
  readonly #names = new NameSet();
  #buf: Uint8Array;
  #fill = 0;
  /** RECORD numbers per entry of the chunk (byte offsets), the last one possibly still filling. */
  #ranges: number[] = [];
  /** Entries begun in all (the chunk's are the last ranges.length / RECORD of them). */
  count = 0;

  constructor(collector: SyncDbCollector) {
    this.#collector = collector;
    this.#keep = collector.keepRaw;
    this.#buf = new Uint8Array(CHUNK_BYTES);
  }

  /** Starts an entry: its directory name is `src[at, at + len)`. */
  begin(src: Uint8Array, at: number, len: number): void {
    if (this.#fill + len > this.#buf.length) this.#move(len);
    const fill = this.#fill;
    this.#ranges.push(fill, fill + len, -1, -1, -1, -1, -1, -1);
    // (A name is short: copied by hand rather than through a subarray.)
    const buf = this.#buf;
    for (let k = 0; k < len; k++) buf[fill + k] = src[at + k]!;
    this.#fill = fill + len;
    this.count++;
  }

  /** Adds `src[at, at + size)` as file `key` of the current entry. */
  member(key: keyof EntryMembers, src: Uint8Array, at: number, size: number): boolean {
    const r = this.#ranges;
    const base = r.length - RECORD;
    const slot = SLOT[key];
    // Twice, or after a later one (ranges must ascend for the character offsets): give up.
    for (let k = slot; k < 3; k++) if (r[base + 2 + 2 * k] !== -1) return false;
    if (this.#fill + size > this.#buf.length) this.#move(size);
    const b = r.length - RECORD;
    this.#buf.set(src.subarray(at, at + size), this.#fill);
    r[b + 2 + 2 * slot] = this.#fill;
    r[b + 3 + 2 * slot] = this.#fill + size;
    this.#fill += size;
    return true;
  }

  /**
   * Makes room for `need` more bytes of the current entry: the entries before it are decoded, and
   * it moves to the front of a new chunk (or of the same one, when chunks are not kept).
   */
  #move(need: number): void {
    const r = this.#ranges;
    const from = r[r.length - RECORD]!;
    // (scanPlainStream turns this into giving up.)
    if (!this.flush(this.count - 1)) throw new RangeError('a package name in two directories');
    const old = this.#buf;
    const part = this.#fill - from;
    const size = Math.max(CHUNK_BYTES, part + need);
    this.#buf = this.#keep || size > old.length ? new Uint8Array(size) : old;
    if (this.#buf === old) old.copyWithin(0, from, this.#fill);
    else this.#buf.set(old.subarray(from, this.#fill));
    for (let k = 0; k < RECORD; k++) if (r[k]! >= 0) r[k] = r[k]! - from;
    this.#fill = part;
  }

  /** Decodes the chunk's entries up to entry `upTo` (exclusive; the rest stay in the ranges). */
  flush(upTo: number): boolean {
    const r = this.#ranges;
    const n = r.length / RECORD - (this.count - upTo);
    if (n <= 0) return true;
    const buf = this.#buf;
    const bytes = r[(n - 1) * RECORD + 1]!;
    let end = bytes;
    for (let k = 2; k < RECORD; k++) end = Math.max(end, r[(n - 1) * RECORD + k]!);
    const done = r.splice(0, n * RECORD);
    // (done keeps the byte offsets: the member views and the member-by-member decoding use them.)
    const chars = done.slice();
    const text = chunkText(buf, end, chars);
    const keep = this.#keep;
    for (let e = 0; e < n; e++) {
      const o = e * RECORD;
      const dir = text !== undefined ? text.slice(chars[o]!, chars[o + 1]!) : utf8.decode(buf.subarray(done[o]!, done[o + 1]!));
      const split = splitDirName(dir);
      if (!this.#names.add(split.name)) return false;
      let d: DescEntry | undefined;
      if (text !== undefined) {
        d = fastDecodeRanges(text, chars[o + 2]!, chars[o + 3]!, chars[o + 4]!, chars[o + 5]!, chars[o + 6]!, chars[o + 7]!);
      } else {
        const view = (k: number): Uint8Array | undefined => (done[o + 2 + 2 * k]! < 0 ? undefined : buf.subarray(done[o + 2 + 2 * k]!, done[o + 3 + 2 * k]!));
        d = fastDecode(view(0), view(1), view(2));
      }
      let m: EntryMembers;
      if (keep || d === undefined) {
        m = {};
        for (let k = 0; k < 3; k++) {
          const at = done[o + 2 + 2 * k]!;
          if (at < 0) continue;
          const to = done[o + 3 + 2 * k]!;
          // Kept: a view into the kept chunk; not kept, but decodeEntry will read it: a copy.
          m[SLOT_KEYS[k]!] = keep ? buf.subarray(at, to) : buf.slice(at, to);
        }
      } else {
        // Only which members there are counts: one shared object per combination.
        m = PRESENT[(done[o + 2]! >= 0 ? 1 : 0) | (done[o + 4]! >= 0 ? 2 : 0) | (done[o + 6]! >= 0 ? 4 : 0)]!;
      }
      this.entries.push(this.#collector.entry(dir, split.name, split.version, m, d));
    }
    return true;
  }
}

// ---------------------------------------------------------------------------------------------
// The desc fast path

const utf8 = new TextDecoder('utf-8', { fatal: false });
const utf8Fatal = new TextDecoder('utf-8', { fatal: true });
const KIND_BY_HEADER = new Map<string, SectionSpec>(DESC_SECTIONS.map((x) => [`%${x.header}%`, x]));

/** How the fast path stores a section (`SECTION_KIND`). */
const KIND_SINGLE = 0;
const KIND_NUMBER = 1;
const KIND_LIST = 2;
const KIND_OTHER = 3;

/**
 * Known header lines by length and first two letters of the name (`len * 1024 + c1 % 32 * 32 +
 * c2 % 32`): the index in DESC_SECTIONS plus one, 0 for none. One candidate per slot, confirmed
 * with one comparison.
 */
const HEADER_SLOTS = new Uint8Array(64 * 1024);
const HEADER_LINES = DESC_SECTIONS.map((spec) => `%${spec.header}%`);
const SECTION_KIND = Uint8Array.from(DESC_SECTIONS, (spec) =>
  spec.kind === 'single' ? KIND_SINGLE : spec.kind === 'number' ? KIND_NUMBER : spec.kind === 'list' || spec.kind === 'files' ? KIND_LIST : KIND_OTHER,
);
HEADER_LINES.forEach((line, i) => {
  const slot = headerSlot(line.length, line.charCodeAt(1), line.charCodeAt(2));
  if (HEADER_SLOTS[slot] !== 0) throw new Error(`two desc headers share slot ${slot}`);
  HEADER_SLOTS[slot] = i + 1;
});

function headerSlot(length: number, c1: number, c2: number): number {
  return ((length & 63) << 10) | ((c1 & 31) << 5) | (c2 & 31);
}

/** The index in DESC_SECTIONS of the header on `text[pos, end)`, or -1 if that line is none. */
function headerAt(text: string, pos: number, end: number): number {
  const length = end - pos;
  if (length < 5 || length > 63 || text.charCodeAt(pos) !== 0x25) return -1;
  const i = HEADER_SLOTS[headerSlot(length, text.charCodeAt(pos + 1), text.charCodeAt(pos + 2))]! - 1;
  return i >= 0 && text.startsWith(HEADER_LINES[i]!, pos) ? i : -1;
}

/** Whether a value line reads as a known header (the general decoder treats it specially). */
function looksLikeHeader(v: string): boolean {
  return v.length >= 3 && v.charCodeAt(0) === 0x25 && v.charCodeAt(v.length - 1) === 0x25 && KIND_BY_HEADER.has(v);
}

/** Decoded member texts are gathered into chunks of about this size, decoded with one call. */
const CHUNK_BYTES = 256 * 1024;

/**
 * {@link fastDecode} for every entry (undefined where it gives up). The members' bytes are copied
 * into chunks of about 256 KiB and each chunk decoded at once: besides saving a decoder call per
 * member, a chunk is big enough to be allocated outside the young generation, so the collector
 * never copies the texts that the values are slices of. A chunk that is not valid UTF-8, has a
 * NUL or a U+FFFD, or has a member that cannot be decoded on its own, is decoded member by member.
 */
function fastDecodeAll(pendings: readonly Pending[]): (DescEntry | undefined)[] {
  const out: (DescEntry | undefined)[] = new Array(pendings.length);
  let buf = new Uint8Array(CHUNK_BYTES);
  // Per entry of the chunk: start and end of desc, depends and files in the chunk (-1: absent).
  let ranges: number[] = [];
  let first = 0;
  let fill = 0;
  const flush = (upTo: number): void => {
    if (upTo === first) return;
    const text = chunkText(buf, fill, ranges);
    for (let k = first; k < upTo; k++) {
      const r = (k - first) * 6;
      if (text === undefined) {
        const m = pendings[k]!.members;
        out[k] = fastDecode(m.desc, m.depends, m.files);
      } else {
        out[k] = fastDecodeRanges(text, ranges[r]!, ranges[r + 1]!, ranges[r + 2]!, ranges[r + 3]!, ranges[r + 4]!, ranges[r + 5]!);
      }
    }
    first = upTo;
    fill = 0;
    ranges = [];
  };
  for (let k = 0; k < pendings.length; k++) {
    const m = pendings[k]!.members;
    const need = (m.desc?.length ?? 0) + (m.depends?.length ?? 0) + (m.files?.length ?? 0);
    if (fill + need > buf.length) {
      flush(k);
      if (need > buf.length) buf = new Uint8Array(need);
    }
    fill = place(buf, fill, m.desc, ranges);
    fill = place(buf, fill, m.depends, ranges);
    fill = place(buf, fill, m.files, ranges);
  }
  flush(pendings.length);
  return out;
}

/**
 * The text of `buf[0, fill)` decoded with one call, with the byte offsets in `ranges` turned into
 * offsets in it (see toCharOffsets; they change only where the text is not plain ASCII), or
 * undefined when the chunk is to be decoded member by member: not valid UTF-8, a NUL, a U+FFFD,
 * or a member that cannot be decoded on its own.
 */
function chunkText(buf: Uint8Array, fill: number, ranges: number[]): string | undefined {
  let text: string;
  try {
    text = utf8Fatal.decode(buf.subarray(0, fill));
  } catch {
    return undefined;
  }
  if (text.includes('\0')) return undefined;
  // Not plain ASCII: character offsets differ from byte offsets, and are counted.
  if (text.length !== fill && (text.includes('\uFFFD') || !toCharOffsets(buf, fill, ranges))) return undefined;
  return text;
}

/**
 * Turns the byte offsets in `ranges` (ascending, -1 for absent members) into offsets in the
 * UTF-16 text that `buf[0, fill)` decodes to, which is known to be valid UTF-8. False when a
 * member starts with a continuation byte (a sequence split between two members, which are invalid
 * apart) or with a byte-order mark (dropped when a member is decoded alone): decode member by
 * member then.
 */
function toCharOffsets(buf: Uint8Array, fill: number, ranges: number[]): boolean {
  let at = 0;
  let chars = 0;
  for (let r = 0; r < ranges.length; r++) {
    const to = ranges[r]!;
    if (to < 0) continue;
    for (; at < to; at++) {
      const b = buf[at]!;
      // Every byte but a continuation byte starts a character; four-byte ones take two units.
      if ((b & 0xc0) !== 0x80) chars += b >= 0xf0 ? 2 : 1;
    }
    if (r % 2 === 0 && to < fill) {
      const b = buf[to]!;
      if ((b & 0xc0) === 0x80 || (b === 0xef && buf[to + 1] === 0xbb && buf[to + 2] === 0xbf)) return false;
    }
    ranges[r] = chars;
  }
  return true;
}

/** Copies `part` (if any) to `buf[fill]` and notes where it lies; returns the new fill. */
function place(buf: Uint8Array, fill: number, part: Uint8Array | undefined, ranges: number[]): number {
  if (part === undefined) {
    ranges.push(-1, -1);
    return fill;
  }
  buf.set(part, fill);
  ranges.push(fill, fill + part.length);
  return fill + part.length;
}

/** {@link fastDecodeRanges} on separately decoded members. */
function fastDecode(desc: Uint8Array | undefined, depends: Uint8Array | undefined, files: Uint8Array | undefined): DescEntry | undefined {
  let text = '';
  const at = [-1, -1, -1, -1, -1, -1];
  const parts = [desc, depends, files];
  for (let k = 0; k < 3; k++) {
    const bytes = parts[k];
    if (bytes === undefined) continue;
    const t = utf8.decode(bytes);
    if (t.includes('\uFFFD') || t.includes('\0')) return undefined;
    at[2 * k] = text.length;
    text += t;
    at[2 * k + 1] = text.length;
  }
  return fastDecodeRanges(text, at[0]!, at[1]!, at[2]!, at[3]!, at[4]!, at[5]!);
}

/**
 * The tolerant decoding of a canonical entry (what repo-add, repod and xpkg write), several
 * times faster than the general decoder: one pass over each member's text (`text[start, end)`,
 * -1 when absent; known to hold no NUL and no U+FFFD), header lines matched in place, no line
 * array. It returns undefined — and the caller falls back to `decodeEntry` — at the first thing
 * the general decoder would warn about or treat specially (unknown or repeated section, a header
 * read as a list value, a single section at the end of the text, a bad number, a file name
 * libalpm rejects, `%BACKUP%`/`%DATA%`, an overlong line), so that whatever it returns equals
 * `decodeEntry(texts).entry` with no warnings.
 */
function fastDecodeRanges(text: string, s0: number, e0: number, s1: number, e1: number, s2: number, e2: number): DescEntry | undefined {
  // Lists are kept aside and handed to the constructor; other sections are stored afterwards in
  // text order, so that the keys come in the order the general decoder gives them.
  let groups: string[] | undefined;
  let license: string[] | undefined;
  let replaces: string[] | undefined;
  let conflicts: string[] | undefined;
  let provides: string[] | undefined;
  let depends: string[] | undefined;
  let optdepends: string[] | undefined;
  let makedepends: string[] | undefined;
  let checkdepends: string[] | undefined;
  let stored = 0;
  let seen = 0;
  for (let part = 0; part < 3; part++) {
    let pos = part === 0 ? s0 : part === 1 ? s1 : s2;
    if (pos < 0) continue;
    const n = part === 0 ? e0 : part === 1 ? e1 : e2;
    while (pos < n) {
      let nl = text.indexOf('\n', pos);
      if (nl < 0 || nl > n) nl = n;
      if (nl === pos) {
        pos = nl + 1;
        continue;
      }
      const h = headerAt(text, pos, nl);
      if (h < 0) return undefined;
      const bit = 1 << h;
      if ((seen & bit) !== 0) return undefined;
      seen |= bit;
      pos = nl + 1;
      const kind = SECTION_KIND[h]!;
      if (kind === KIND_SINGLE || kind === KIND_NUMBER) {
        if (pos >= n) return undefined;
        nl = text.indexOf('\n', pos);
        if (nl < 0 || nl > n) nl = n;
        if (nl - pos > MAX_LINE_LENGTH) return undefined;
        if (kind === KIND_NUMBER) {
          // A run of ASCII digits, read in place; more than 15 digits may not be a safe integer.
          if (nl === pos || nl - pos > 15) return undefined;
          let num = 0;
          for (let k = pos; k < nl; k++) {
            const c = text.charCodeAt(k);
            if (c < 0x30 || c > 0x39) return undefined;
            num = num * 10 + (c - 0x30);
          }
          laterSection[stored] = h;
          laterValue[stored++] = num;
        } else {
          const v = text.slice(pos, nl);
          if (h === 0 && (v.charCodeAt(0) === 0x2e || v.includes('/'))) return undefined;
          laterSection[stored] = h;
          laterValue[stored++] = v;
        }
        pos = nl + 1;
        continue;
      }
      if (kind !== KIND_LIST) return undefined;
      // Values are gathered in a scratch array and copied once: the list gets exactly their
      // number of slots (pushing onto an empty array reserves 16 or more), which keeps a big
      // database's entries a good deal smaller.
      let count = 0;
      while (pos < n) {
        nl = text.indexOf('\n', pos);
        if (nl < 0 || nl > n) nl = n;
        if (nl === pos) {
          pos = nl + 1;
          break;
        }
        if (nl - pos > MAX_LINE_LENGTH) return undefined;
        const v = text.slice(pos, nl);
        pos = nl + 1;
        if (looksLikeHeader(v)) return undefined;
        scratch[count++] = v;
      }
      const list = listOf(count);
      switch (h) {
        case 5:
          groups = list;
          break;
        case 12:
          license = list;
          break;
        case 16:
          replaces = list;
          break;
        case 17:
          conflicts = list;
          break;
        case 18:
          provides = list;
          break;
        case 19:
          depends = list;
          break;
        case 20:
          optdepends = list;
          break;
        case 21:
          makedepends = list;
          break;
        case 22:
          checkdepends = list;
          break;
        default:
          // %FILES%: not one of emptyDescEntry's lists, so stored in text order like a value.
          laterSection[stored] = h;
          laterValue[stored++] = list;
      }
    }
  }
  const e = new FastDescEntry(
    groups ?? NO_STRINGS.slice(),
    license ?? NO_STRINGS.slice(),
    replaces ?? NO_STRINGS.slice(),
    conflicts ?? NO_STRINGS.slice(),
    provides ?? NO_STRINGS.slice(),
    depends ?? NO_STRINGS.slice(),
    optdepends ?? NO_STRINGS.slice(),
    makedepends ?? NO_STRINGS.slice(),
    checkdepends ?? NO_STRINGS.slice(),
    NO_UNKNOWN.slice(),
    false,
  );
  for (let k = 0; k < stored; k++) {
    const h = laterSection[k]!;
    const v = laterValue[k]!;
    if (typeof v === 'string') setSingle(e, h, v);
    else if (typeof v === 'number') setNumber(e, h, v);
    else e.files = v;
  }
  return e;
}

/**
 * The first `count` values of `scratch` as a new array of exactly that length. Lists (and the
 * empty ones, copies of NO_STRINGS) are made by `slice`, not array literals: a literal carries an
 * allocation site, and in a fresh process V8 changes its mind about where such a site should
 * allocate (young or old generation) several times during one big read, throwing away the
 * decoder's optimized code each time (three compilations of 20 ms and more, measured).
 */
function listOf(count: number): string[] {
  return scratch.slice(0, count);
}

/** Never changed: `slice()` of them makes the fresh empty lists (see {@link listOf}). */
const NO_STRINGS: string[] = [];
const NO_UNKNOWN: DescEntry['unknown'] = [];
const NO_ISSUES: AlpmIssue[] = [];

/** Reused by {@link fastDecodeRanges} (which does not re-enter); only its first `count` slots count. */
const scratch: string[] = [];
/** The single values (and `%FILES%`) of the entry being decoded, in text order: section indexes and values. */
const laterSection: number[] = [];
const laterValue: (string | number | string[])[] = [];

interface FastDescEntryConstructor {
  new (
    groups: string[],
    license: string[],
    replaces: string[],
    conflicts: string[],
    provides: string[],
    depends: string[],
    optdepends: string[],
    makedepends: string[],
    checkdepends: string[],
    unknown: DescEntry['unknown'],
    reserve: false,
  ): DescEntry;
}

/**
 * Builds what `emptyDescEntry()` builds — a plain object (its prototype is Object.prototype), the
 * same lists as the same keys in the same order — with the lists given. The assignments under
 * `reserve` never run: V8 sizes a constructor's objects by the property assignments it sees in
 * its body, so every section fits in the object itself instead of a property store that is
 * reallocated three slots at a time as the values are added.
 */
const FastDescEntry = function (
  this: DescEntry,
  groups: string[],
  license: string[],
  replaces: string[],
  conflicts: string[],
  provides: string[],
  depends: string[],
  optdepends: string[],
  makedepends: string[],
  checkdepends: string[],
  unknown: DescEntry['unknown'],
  reserve: boolean,
): void {
  this.groups = groups;
  this.license = license;
  this.replaces = replaces;
  this.conflicts = conflicts;
  this.provides = provides;
  this.depends = depends;
  this.optdepends = optdepends;
  this.makedepends = makedepends;
  this.checkdepends = checkdepends;
  this.unknown = unknown;
  if (reserve) {
    this.filename = '';
    this.name = '';
    this.base = '';
    this.version = '';
    this.desc = '';
    this.csize = 0;
    this.isize = 0;
    this.md5sum = '';
    this.sha256sum = '';
    this.pgpsig = '';
    this.url = '';
    this.arch = '';
    this.builddate = 0;
    this.packager = '';
    this.files = [];
  }
} as unknown as FastDescEntryConstructor;
FastDescEntry.prototype = Object.prototype;

// Stores by property name (not `entry[key] = v`), chosen by the section's index: each site sees
// one property, which V8 compiles to a plain store instead of a generic keyed one.
function setSingle(e: DescEntry, section: number, v: string): void {
  switch (section) {
    case 0:
      e.filename = v;
      break;
    case 1:
      e.name = v;
      break;
    case 2:
      e.base = v;
      break;
    case 3:
      e.version = v;
      break;
    case 4:
      e.desc = v;
      break;
    case 8:
      e.md5sum = v;
      break;
    case 9:
      e.sha256sum = v;
      break;
    case 10:
      e.pgpsig = v;
      break;
    case 11:
      e.url = v;
      break;
    case 13:
      e.arch = v;
      break;
    case 15:
      e.packager = v;
      break;
    default:
      (e as unknown as Record<string, unknown>)[DESC_SECTIONS[section]!.key] = v;
  }
}

function setNumber(e: DescEntry, section: number, v: number): void {
  switch (section) {
    case 6:
      e.csize = v;
      break;
    case 7:
      e.isize = v;
      break;
    case 14:
      e.builddate = v;
      break;
    default:
      (e as unknown as Record<string, unknown>)[DESC_SECTIONS[section]!.key] = v;
  }
}

// The switches above rely on DESC_SECTIONS' order.
for (const [i, key] of [[0, 'filename'], [4, 'desc'], [5, 'groups'], [6, 'csize'], [13, 'arch'], [15, 'packager'], [12, 'license'], [22, 'checkdepends'], [23, 'files']] as const) {
  if (DESC_SECTIONS[i]!.key !== key) throw new Error(`DESC_SECTIONS[${i}] is not ${key}`);
}

/**
 * Read a sync database file (a path — a `<repo>.db` symlink is followed — or its bytes), any
 * compression repokit decodes (gzip, xz, zstd, bzip2, none; others are UNSUPPORTED_COMPRESSION),
 * and decode every entry. Errors carry the path. A gzip file (or a zstd file of one frame) is
 * decoded on the calling thread as it is walked (see scanPlainStream); anything else, and any
 * file that walk does not take, is decompressed whole first (gzip and zstd on Node's thread pool).
 */
export async function readSyncDb(input: string | URL | Uint8Array | ArrayBuffer, options: ReadSyncDbOptions = {}): Promise<SyncDb> {
  const path = typeof input === 'string' ? input : input instanceof URL ? nodeBuiltin<typeof import('node:url')>('node:url').fileURLToPath(input) : undefined;
  try {
    let bytes: Uint8Array;
    if (path !== undefined) {
      bytes = await readWhole(path, posInt(options.maxFileSize, SYNC_DB_LIMITS.maxFileSize, 'maxFileSize'));
    } else if (input instanceof Uint8Array) {
      bytes = input;
    } else if (input instanceof ArrayBuffer) {
      bytes = new Uint8Array(input);
    } else {
      throw new RepokitError('INVALID_ARGUMENT', 'input must be a path, URL, Uint8Array or ArrayBuffer');
    }
    const compression = sniffCompression(bytes.subarray(0, SNIFF_BYTES));
    const maxOut = posInt(options.maxUncompressedSize, SYNC_DB_LIMITS.maxUncompressedSize, 'maxUncompressedSize');
    const name = options.name ?? (path !== undefined ? nodeBuiltin<typeof import('node:path')>('node:path').basename(path) : 'db');
    // (An already aborted signal is left to decompress to honour.)
    if ((compression === 'gzip' || compression === 'zstd') && options.signal?.aborted !== true) {
      argOptions(options);
      const db = scanPlainStream(bytes, { ...options, name });
      if (db !== undefined) return db;
    }
    const tar = await decompress(bytes, { maxOutput: maxOut, ...(options.signal ? { signal: options.signal } : {}) });
    // The compressed bytes are not needed any more: let them go before the entries are built.
    bytes = EMPTY;
    return parseSyncDbTar(tar, { ...options, name, compression });
  } catch (e) {
    if (isRepokitError(e) && path !== undefined) e.withFile(path);
    throw e;
  }
}

const EMPTY = new Uint8Array(0);


async function readWhole(path: string, max: number): Promise<Uint8Array> {
  const fs = nodeBuiltin<typeof import('node:fs/promises')>('node:fs/promises');
  let fh: import('node:fs/promises').FileHandle | undefined;
  try {
    fh = await fs.open(path, 'r');
    const st = await fh.stat();
    if (st.size > max) throw new RepokitError('LIMIT_EXCEEDED', `the database is ${st.size} bytes, more than the limit of ${max}`);
    const b = await fh.readFile();
    return new Uint8Array(b.buffer, b.byteOffset, b.length);
  } catch (e) {
    if (isRepokitError(e)) throw e;
    const sys = e as { code?: unknown; syscall?: unknown };
    const msg = typeof sys.code === 'string' && typeof sys.syscall === 'string' ? `cannot ${sys.syscall}: ${sys.code}` : (e as Error).message;
    throw new RepokitError('IO_ERROR', msg, { file: path, cause: e });
  } finally {
    await fh?.close().catch(() => undefined);
  }
}
