/**
 * Reading sync databases (`<repo>.db.tar.*` and `<repo>.files.tar.*`) the way libalpm does: the
 * compression is sniffed, directory members are optional, member order does not matter, and the
 * `desc`, legacy `depends` and `files` members of one `<name>-<version>/` directory are merged
 * into one entry (the pacman ≥ 5.0 layout, the pacman 4.x split layout, and xpkg's desc plus
 * `depends` without directory members all read the same way).
 *
 * {@link parseSyncDbTar} is pure (an uncompressed tar in, entries out); {@link readSyncDb} adds
 * the file reading and decompression at the edge.
 */
import { RepokitError, isRepokitError } from '../shared/errors.js';
import { nodeBuiltin } from '../shared/input.js';
import { decompress, sniffCompression, SNIFF_BYTES, type DetectedCompression } from '../shared/compression.js';
import { normalizeTarPath, parseTar, type TarEntry, type TarMember, type TarReadOptions } from '../shared/tar.js';
import { decodeEntry } from './desc.js';
import { splitEntryName, type EntryName } from './filename.js';
import { DESC_SECTIONS, emptyDescEntry, type DescEntry, type SectionSpec } from './types.js';
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
  /** The members as stored (kept so that untouched entries are rewritten byte for byte). */
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
  /** Keep each entry's member bytes in `raw` (default true; they are views, not copies). */
  keepRaw?: boolean;
  maxFileSize?: number;
  maxUncompressedSize?: number;
  maxMemberSize?: number;
  maxMembers?: number;
  /**
   * Decode canonical entries with the reader's own fast path (default true). It gives exactly
   * what `decodeEntry` (and `splitEntryName`, for directory names) gives and hands every entry
   * with anything unusual to them; `false` sends every entry there (used by the tests that check
   * the two agree).
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

interface Pending {
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
  const c = new SyncDbCollector(options);
  for (const m of parseTar(tar, c.tarOptions)) c.add(m);
  try {
    return c.finish(options.compression ?? 'none');
  } finally {
    // Drop the scratch list's references, so that nothing of this database outlives its result.
    scratch.length = 0;
  }
}

/** Groups the members of a sync database tar by entry directory as they come, then decodes every entry. */
class SyncDbCollector {
  readonly options: ReadSyncDbOptions;
  readonly tarOptions: TarReadOptions;
  readonly #dbName: string;
  readonly #useFast: boolean;
  readonly #warnings: AlpmIssue[] = [];
  readonly #byDir = new Map<string, Pending>();
  #prefixed = false;

  constructor(options: ReadSyncDbOptions) {
    this.options = options;
    this.#dbName = options.name ?? 'db';
    this.#useFast = options.fastPath !== false && options.mode !== 'strict';
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
      const split = this.#useFast ? splitDirName(dir) : splitEntryName(dir);
      p = { dir, name: split.name, version: split.version, members: {} };
      this.#byDir.set(dir, p);
    }
    const key = file as keyof EntryMembers;
    if (p.members[key] !== undefined) this.#warnings.push(issue(`member ${JSON.stringify(e.name)} appears twice (the last one is used)`, dbName));
    p.members[key] = m.data;
  }

  /** Decode every entry (in the order of each directory's first member). */
  finish(compression: DetectedCompression): SyncDb {
    const options = this.options;
    const dbName = this.#dbName;
    const useFast = this.#useFast;
    const keepRaw = options.keepRaw !== false;
    const warnings = this.#warnings;
    const byDir = this.#byDir;
    if (this.#prefixed) warnings.push(issue('member names start with "./" (read anyway; libalpm cannot read such a database)', dbName));

    const entries: SyncDbEntry[] = [];
    const seen = new Map<string, string>();
    let anyFiles = false;
    for (const p of byDir.values()) {
      const pkgname = p.name;
      const version = p.version;
      const label = `${dbName}:${p.dir}`;
      const m = p.members;
      if (m.files !== undefined) anyFiles = true;
      const fast = useFast ? fastDecode(m.desc, m.depends, m.files) : undefined;
      let d: DescEntry;
      let w: AlpmIssue[];
      if (fast !== undefined) {
        d = fast;
        w = [];
      } else {
        const texts: { desc?: Uint8Array; depends?: Uint8Array; files?: Uint8Array } = {};
        if (m.desc !== undefined) texts.desc = m.desc;
        if (m.depends !== undefined) texts.depends = m.depends;
        if (m.files !== undefined) texts.files = m.files;
        const decoded = decodeEntry(texts, options.mode !== undefined ? { file: label, mode: options.mode } : { file: label });
        d = decoded.entry;
        w = decoded.warnings;
      }
      // %NAME%/%VERSION% against the directory (libalpm: "database is inconsistent"), checked here
      // with the split already made rather than by decodeEntry's dirName option.
      if (d.name !== undefined && d.name !== pkgname) {
        w.push({ ...issue(`name ${JSON.stringify(d.name)} differs from the directory ${JSON.stringify(p.dir)} (libalpm: database is inconsistent)`, label), section: '%NAME%' });
      }
      if (d.version !== undefined && d.version !== version) {
        w.push({ ...issue(`version ${JSON.stringify(d.version)} differs from the directory ${JSON.stringify(p.dir)} (libalpm: database is inconsistent)`, label), section: '%VERSION%' });
      }
      if (p.members.desc === undefined) w.push(issue('the entry has no desc member', label));
      const other = seen.get(pkgname);
      if (other !== undefined) {
        warnings.push(issue(`package ${JSON.stringify(pkgname)} has two entries, ${JSON.stringify(other)} and ${JSON.stringify(p.dir)} (libalpm: database is inconsistent)`, dbName));
      } else {
        seen.set(pkgname, p.dir);
      }
      entries.push({
        dir: p.dir,
        name: pkgname,
        version,
        entry: d,
        layout: p.members.depends !== undefined ? 'split' : 'merged',
        raw: keepRaw ? p.members : {},
        warnings: w,
      });
    }
    const kind: SyncDb['kind'] = anyFiles || (entries.length === 0 && /\.files(\.|$)/.test(dbName)) ? 'files' : 'db';
    return { kind, compression, entries, warnings };
  }
}

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

const utf8 = new TextDecoder('utf-8', { fatal: false });
const KIND_BY_HEADER = new Map<string, SectionSpec>(DESC_SECTIONS.map((x) => [`%${x.header}%`, x]));

/** A known header line, for matching in place. */
interface HeaderLine {
  line: string;
  spec: SectionSpec;
  /** One bit per section, to notice a repeated one. */
  bit: number;
}

/** Known header lines by length, so that a line is compared with a few candidates without slicing it. */
const HEADERS_BY_LENGTH: HeaderLine[][] = [];
DESC_SECTIONS.forEach((spec, i) => {
  const line = `%${spec.header}%`;
  (HEADERS_BY_LENGTH[line.length] ??= []).push({ line, spec, bit: 2 ** i });
});

/** The header on `text[pos, end)`, if that line is one. */
function headerAt(text: string, pos: number, end: number): HeaderLine | undefined {
  if (text.charCodeAt(pos) !== 0x25) return undefined;
  const candidates = HEADERS_BY_LENGTH[end - pos];
  if (candidates === undefined) return undefined;
  for (const h of candidates) if (text.startsWith(h.line, pos)) return h;
  return undefined;
}

/** Whether a value line reads as a known header (the general decoder treats it specially). */
function looksLikeHeader(v: string): boolean {
  return v.length >= 3 && v.charCodeAt(0) === 0x25 && v.charCodeAt(v.length - 1) === 0x25 && KIND_BY_HEADER.has(v);
}

/** A non-empty run of ASCII digits. */
function isDigits(v: string): boolean {
  if (v.length === 0) return false;
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return false;
  }
  return true;
}

/**
 * The tolerant decoding of a canonical entry (what repo-add, repod and xpkg write), several
 * times faster than the general decoder: one pass over each member, header lines matched in
 * place, no line array. It returns undefined — and the caller falls back to `decodeEntry` — at the
 * first thing the general decoder would warn about or treat specially (unknown or repeated
 * section, NUL, invalid UTF-8, a header read as a list value, a single section at the end of the
 * text, a bad number, a file name libalpm rejects, `%BACKUP%`/`%DATA%`, an overlong line), so that
 * whatever it returns equals `decodeEntry(texts).entry` with no warnings.
 */
function fastDecode(desc: Uint8Array | undefined, depends: Uint8Array | undefined, files: Uint8Array | undefined): DescEntry | undefined {
  const e = emptyDescEntry();
  let seen = 0;
  for (let part = 0; part < 3; part++) {
    const bytes = part === 0 ? desc : part === 1 ? depends : files;
    if (bytes === undefined) continue;
    const text = utf8.decode(bytes);
    if (text.includes('\uFFFD') || text.includes('\0')) return undefined;
    const n = text.length;
    let pos = 0;
    while (pos < n) {
      let nl = text.indexOf('\n', pos);
      if (nl < 0) nl = n;
      if (nl === pos) {
        pos = nl + 1;
        continue;
      }
      const h = headerAt(text, pos, nl);
      if (h === undefined || (seen & h.bit) !== 0) return undefined;
      seen |= h.bit;
      pos = nl + 1;
      const spec = h.spec;
      if (spec.kind === 'single' || spec.kind === 'number') {
        if (pos >= n) return undefined;
        nl = text.indexOf('\n', pos);
        if (nl < 0) nl = n;
        if (nl - pos > MAX_LINE_LENGTH) return undefined;
        const v = text.slice(pos, nl);
        pos = nl + 1;
        if (spec.kind === 'number') {
          if (!isDigits(v)) return undefined;
          const num = Number(v);
          if (!Number.isSafeInteger(num)) return undefined;
          setNumber(e, spec.key, num);
        } else {
          if (spec.header === 'FILENAME' && (v.charCodeAt(0) === 0x2e || v.includes('/'))) return undefined;
          setSingle(e, spec.key, v);
        }
        continue;
      }
      if (spec.kind !== 'list' && spec.kind !== 'files') return undefined;
      // Values are gathered in a scratch array and copied once: the list gets exactly their
      // number of slots (pushing onto an empty array reserves 16 or more), which keeps a big
      // database's entries a good deal smaller.
      let count = 0;
      while (pos < n) {
        nl = text.indexOf('\n', pos);
        if (nl < 0) nl = n;
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
      setList(e, spec.key, scratch.slice(0, count));
    }
  }
  return e;
}

/** Reused by {@link fastDecode} (which does not re-enter); only its first `count` slots count. */
const scratch: string[] = [];

// Stores by property name (not `entry[key] = v`): each site sees one property, which V8 compiles
// to a plain store instead of a generic keyed one that adds properties through the runtime.
function setSingle(e: DescEntry, key: keyof DescEntry, v: string): void {
  switch (key) {
    case 'filename':
      e.filename = v;
      break;
    case 'name':
      e.name = v;
      break;
    case 'base':
      e.base = v;
      break;
    case 'version':
      e.version = v;
      break;
    case 'desc':
      e.desc = v;
      break;
    case 'md5sum':
      e.md5sum = v;
      break;
    case 'sha256sum':
      e.sha256sum = v;
      break;
    case 'pgpsig':
      e.pgpsig = v;
      break;
    case 'url':
      e.url = v;
      break;
    case 'arch':
      e.arch = v;
      break;
    case 'packager':
      e.packager = v;
      break;
    default:
      (e as unknown as Record<string, unknown>)[key] = v;
  }
}

function setNumber(e: DescEntry, key: keyof DescEntry, v: number): void {
  switch (key) {
    case 'csize':
      e.csize = v;
      break;
    case 'isize':
      e.isize = v;
      break;
    case 'builddate':
      e.builddate = v;
      break;
    default:
      (e as unknown as Record<string, unknown>)[key] = v;
  }
}

function setList(e: DescEntry, key: keyof DescEntry, v: string[]): void {
  switch (key) {
    case 'groups':
      e.groups = v;
      break;
    case 'license':
      e.license = v;
      break;
    case 'replaces':
      e.replaces = v;
      break;
    case 'conflicts':
      e.conflicts = v;
      break;
    case 'provides':
      e.provides = v;
      break;
    case 'depends':
      e.depends = v;
      break;
    case 'optdepends':
      e.optdepends = v;
      break;
    case 'makedepends':
      e.makedepends = v;
      break;
    case 'checkdepends':
      e.checkdepends = v;
      break;
    case 'files':
      e.files = v;
      break;
    default:
      (e as unknown as Record<string, unknown>)[key] = v;
  }
}

/**
 * Read a sync database file (a path — a `<repo>.db` symlink is followed — or its bytes), any
 * compression repokit decodes (gzip, xz, zstd, bzip2, none; others are UNSUPPORTED_COMPRESSION),
 * and decode every entry. Errors carry the path.
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
