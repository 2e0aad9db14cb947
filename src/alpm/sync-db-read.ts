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
import { normalizeTarPath, parseTar, type TarEntry } from '../shared/tar.js';
import { decodeEntry } from './desc.js';
import { splitEntryName } from './filename.js';
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
   * what `decodeEntry` gives and hands every entry with anything unusual to `decodeEntry`;
   * `false` sends every entry there (used by the tests that check the two agree).
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
  const dbName = options.name ?? 'db';
  const useFast = options.fastPath !== false && options.mode !== 'strict';
  const keepRaw = options.keepRaw !== false;
  const warnings: AlpmIssue[] = [];
  const byDir = new Map<string, Pending>();
  const wantData = (e: TarEntry): boolean => {
    if (e.type !== 'file') return false;
    const n = e.name;
    return n.endsWith('/desc') || n.endsWith('/files') || n.endsWith('/depends');
  };
  let prefixed = false;
  for (const m of parseTar(tar, {
    maxMemberSize: posInt(options.maxMemberSize, SYNC_DB_LIMITS.maxMemberSize, 'maxMemberSize'),
    maxMembers: posInt(options.maxMembers, SYNC_DB_LIMITS.maxMembers, 'maxMembers'),
    maxTotalSize: posInt(options.maxUncompressedSize, SYNC_DB_LIMITS.maxUncompressedSize, 'maxUncompressedSize'),
    wantData,
  })) {
    const e = m.entry;
    if (e.type === 'directory') continue; // optional; libalpm skips them too
    let name = e.name;
    // The common case, `dir/file`, is split directly; anything else (`./`, `//`) is normalised first.
    if (name.startsWith('./') || name.includes('//')) {
      if (name.startsWith('./')) prefixed = true;
      name = normalizeTarPath(name);
    }
    const slash = name.indexOf('/');
    if (slash < 0) {
      warnings.push(issue(`top-level member ${JSON.stringify(e.name)} is not in an entry directory (ignored; libalpm rejects or ignores it)`, dbName));
      continue;
    }
    const dir = name.slice(0, slash);
    const file = name.slice(slash + 1);
    if (!ENTRY_FILES.has(file)) {
      warnings.push(issue(`member ${JSON.stringify(e.name)} is not desc, depends or files (ignored, as libalpm does)`, dbName));
      continue;
    }
    if (e.type === 'hardlink' || m.data === undefined) {
      warnings.push(issue(`member ${JSON.stringify(e.name)} is a ${e.type}, not a regular file (ignored)`, dbName));
      continue;
    }
    let p = byDir.get(dir);
    if (p === undefined) {
      // Throws ALPM_BAD_ENTRY_NAME, like libalpm's "invalid name for database entry".
      const split = splitEntryName(dir);
      p = { dir, name: split.name, version: split.version, members: {} };
      byDir.set(dir, p);
    }
    const key = file as keyof EntryMembers;
    if (p.members[key] !== undefined) warnings.push(issue(`member ${JSON.stringify(e.name)} appears twice (the last one is used)`, dbName));
    p.members[key] = m.data;
  }
  if (prefixed) warnings.push(issue('member names start with "./" (read anyway; libalpm cannot read such a database)', dbName));

  const entries: SyncDbEntry[] = [];
  const seen = new Map<string, string>();
  let anyFiles = false;
  for (const p of byDir.values()) {
    const pkgname = p.name;
    const version = p.version;
    const label = `${dbName}:${p.dir}`;
    const texts: { desc?: Uint8Array; depends?: Uint8Array; files?: Uint8Array } = {};
    if (p.members.desc !== undefined) texts.desc = p.members.desc;
    if (p.members.depends !== undefined) texts.depends = p.members.depends;
    if (p.members.files !== undefined) {
      texts.files = p.members.files;
      anyFiles = true;
    }
    const fast = useFast ? fastDecode(texts) : undefined;
    const decoded = fast !== undefined ? { entry: fast, warnings: [] as AlpmIssue[] } : decodeEntry(texts, options.mode !== undefined ? { file: label, mode: options.mode } : { file: label });
    const w = decoded.warnings;
    // %NAME%/%VERSION% against the directory (libalpm: "database is inconsistent"), checked here
    // with the split already made rather than by decodeEntry's dirName option.
    const d = decoded.entry;
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
  return { kind, compression: options.compression ?? 'none', entries, warnings };
}

const utf8 = new TextDecoder('utf-8', { fatal: false });
const KIND_BY_HEADER = new Map<string, SectionSpec>(DESC_SECTIONS.map((x) => [`%${x.header}%`, x]));

/**
 * The tolerant decoding of a canonical entry (what repo-add, repod and xpkg write), about three
 * times faster than the general decoder: one pass over each member without a line array. It
 * returns undefined — and the caller falls back to `decodeEntry` — at the first thing the
 * general decoder would warn about or treat specially (unknown or repeated section, NUL, invalid
 * UTF-8, a header read as a list value, a single section at the end of the text, a bad number,
 * a file name libalpm rejects, `%BACKUP%`/`%DATA%`, an overlong line), so that whatever it
 * returns equals `decodeEntry(texts).entry` with no warnings.
 */
function fastDecode(texts: { desc?: Uint8Array; depends?: Uint8Array; files?: Uint8Array }): DescEntry | undefined {
  const e = emptyDescEntry();
  const rec = e as unknown as Record<string, unknown>;
  const seen = new Set<string>();
  for (const bytes of [texts.desc, texts.depends, texts.files]) {
    if (bytes === undefined) continue;
    const text = utf8.decode(bytes);
    if (text.includes('\uFFFD') || text.includes('\0')) return undefined;
    const n = text.length;
    let pos = 0;
    // The next line (without its '\n'), or undefined at the end of the text.
    const next = (): string | undefined => {
      if (pos >= n) return undefined;
      let nl = text.indexOf('\n', pos);
      if (nl < 0) nl = n;
      const line = text.slice(pos, nl);
      pos = nl + 1;
      return line;
    };
    for (let line = next(); line !== undefined; line = next()) {
      if (line === '') continue;
      const spec = KIND_BY_HEADER.get(line);
      if (spec === undefined || seen.has(line)) return undefined;
      seen.add(line);
      if (spec.kind === 'single' || spec.kind === 'number') {
        const v = next();
        if (v === undefined || v.length > MAX_LINE_LENGTH) return undefined;
        if (spec.kind === 'number') {
          if (!/^[0-9]+$/.test(v)) return undefined;
          const num = Number(v);
          if (!Number.isSafeInteger(num)) return undefined;
          rec[spec.key] = num;
        } else {
          if (spec.header === 'FILENAME' && (v.startsWith('.') || v.includes('/'))) return undefined;
          rec[spec.key] = v;
        }
        continue;
      }
      if (spec.kind !== 'list' && spec.kind !== 'files') return undefined;
      const list = spec.kind === 'files' ? (e.files ??= []) : (rec[spec.key] as string[]);
      for (let v = next(); v !== undefined && v !== ''; v = next()) {
        if (v.length > MAX_LINE_LENGTH || KIND_BY_HEADER.has(v)) return undefined;
        list.push(v);
      }
    }
  }
  return e;
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
    const tar = await decompress(bytes, { maxOutput: maxOut, ...(options.signal ? { signal: options.signal } : {}) });
    const name = options.name ?? (path !== undefined ? nodeBuiltin<typeof import('node:path')>('node:path').basename(path) : 'db');
    return parseSyncDbTar(tar, { ...options, name, compression });
  } catch (e) {
    if (isRepokitError(e) && path !== undefined) e.withFile(path);
    throw e;
  }
}

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
