/**
 * repo-add / repo-remove semantics over a repository directory: read the `.db` and `.files`
 * archives, change entries, write both archives atomically and refresh the aliases — all under
 * repo-add's lock file `<db>.lck`, so repokit and a concurrent repo-add never interleave.
 *
 * Differences from repo-add (see docs/alpm.md): adding an older version than the database holds
 * is refused unless `force` (repo-add only warns, or skips with `-p`); entries are written in
 * byte order of their directory names (repo-add: the shell's locale order); the archives are
 * deterministic; untouched entries are copied byte for byte, as repo-add does.
 */
import { RepokitError, isRepokitError } from '../shared/errors.js';
import { nodeBuiltin } from '../shared/input.js';
import { COMPRESSION_SUFFIX, sniffCompression, type Compression } from '../shared/compression.js';
import { toHex } from '../shared/bytes.js';
import { hashFile } from '../shared/hash.js';
import { withLockFile, type LockOptions } from '../shared/atomic.js';
import { vercmp } from './vercmp.js';
import { packageDescEntry, type AlpmPackageFile } from './package.js';
import { defaultReadWorkers, readPackages } from './read-pool.js';
import { readSyncDb, SYNC_DB_LIMITS, type SyncDbEntry } from './sync-db-read.js';
import { buildSyncDb, installArchives, syncDbFileName, type DbSigner, type InstallOptions, type SyncDbWriteEntry, type SyncDbWriteOptions, type WrittenSyncDb } from './sync-db-write.js';
import type { DbVerifier } from './gpg.js';
import type { AlpmIssue } from './validate.js';

type NodePath = typeof import('node:path');
type NodeFsPromises = typeof import('node:fs/promises');

/** The parts of a database path. */
export interface DbPath {
  /** Absolute directory of the repository. */
  dir: string;
  /** Repository name (`<repo>` of `<repo>.db.tar.gz`). */
  repo: string;
  /** Archive compression, from the file name. */
  compression: Compression;
  /** Absolute path of `<repo>.db.tar<.c>`. */
  db: string;
  /** Absolute path of `<repo>.files.tar<.c>`. */
  files: string;
  /** repo-add's lock file: `<db>.lck`. */
  lock: string;
}

/** Every suffix repo-add accepts, and the compression it writes (lzop and lrzip run the programs). */
const SUFFIX_TO_COMPRESSION: Record<string, Compression> = Object.fromEntries(Object.entries(COMPRESSION_SUFFIX).map(([c, s]) => [s, c as Compression]));
const DB_NAME = /^(.+)\.db\.tar(\.gz|\.bz2|\.xz|\.zst|\.lrz|\.lzo|\.Z|\.lz4|\.lz)?$/;

/**
 * Split a database path as repo-add does (`<repo>.db.tar[.gz|.bz2|.xz|.zst|.lz4|.lz|.Z|.lzo|.lrz]`);
 * the suffix decides the compression written (`.lzo` and `.lrz` need the `lzop` / `lrzip`
 * program when the database is written, as for repo-add). The alias `<repo>.db` is accepted too
 * (repo-add refuses it): a symlink is resolved to its target's name; a plain copy gets the
 * compression its content has. Throws ALPM_BAD_DB_PATH.
 */
export async function resolveDbPath(dbPath: string): Promise<DbPath> {
  const path = nodeBuiltin<NodePath>('node:path');
  const fs = nodeBuiltin<NodeFsPromises>('node:fs/promises');
  const abs = path.resolve(dbPath);
  const dir = path.dirname(abs);
  let base = path.basename(abs);
  if (base.endsWith('.db') && !DB_NAME.test(base)) {
    const repo = base.slice(0, -3);
    let target: string | undefined;
    try {
      target = await fs.readlink(abs);
    } catch (e) {
      const code = (e as { code?: unknown }).code;
      if (code === 'ENOENT') {
        throw new RepokitError('ALPM_BAD_DB_PATH', `${JSON.stringify(base)} does not exist; name the archive (${repo}.db.tar.gz, .xz, .zst, .bz2, .lz4, .lz, .Z, .lzo, .lrz or .tar) to create it`, { file: abs });
      }
      if (code !== 'EINVAL') throw ioError(e, abs);
      // A copy instead of a link: its content says which compression to use.
      base = `${repo}.db.tar${COMPRESSION_SUFFIX[await copyCompression(abs)]}`;
    }
    if (target !== undefined) base = path.basename(target);
  }
  const m = DB_NAME.exec(base);
  if (m === null) {
    throw new RepokitError('ALPM_BAD_DB_PATH', `${JSON.stringify(base)} does not have a valid database archive extension (<repo>.db.tar[.gz|.xz|.zst|.bz2|.lz4|.lz|.Z|.lzo|.lrz])`, { file: abs });
  }
  const repo = m[1]!;
  const suffix = m[2] ?? '';
  const compression = SUFFIX_TO_COMPRESSION[suffix];
  if (compression === undefined) {
    throw new RepokitError('UNSUPPORTED_COMPRESSION', `repokit cannot write ${suffix} databases`, { file: abs });
  }
  const db = path.join(dir, syncDbFileName(repo, 'db', compression));
  return { dir, repo, compression, db, files: path.join(dir, syncDbFileName(repo, 'files', compression)), lock: `${db}.lck` };
}

function ioError(e: unknown, file: string): RepokitError {
  const sys = e as { code?: unknown; syscall?: unknown };
  const what = typeof sys.code === 'string' ? `${typeof sys.syscall === 'string' ? `${sys.syscall}: ` : ''}${sys.code}` : String((e as Error).message);
  return new RepokitError('IO_ERROR', `cannot read the database path (${what})`, { file, cause: e });
}

/**
 * The compression of a `<repo>.db` that is a regular file (a copy of the archive). Anything that
 * is neither a compressed stream repokit writes nor a tar archive is refused, so that a stray
 * file is never taken for an empty database and replaced.
 */
async function copyCompression(abs: string): Promise<Compression> {
  const fs = nodeBuiltin<NodeFsPromises>('node:fs/promises');
  let fh: import('node:fs/promises').FileHandle;
  try {
    fh = await fs.open(abs, 'r');
  } catch (e) {
    throw ioError(e, abs);
  }
  try {
    const head = new Uint8Array(512);
    let bytesRead: number;
    try {
      ({ bytesRead } = await fh.read(head, 0, 512, 0));
    } catch (e) {
      throw ioError(e, abs);
    }
    const c = sniffCompression(head.subarray(0, bytesRead));
    if (c === 'none' && !(bytesRead === 512 && isTarHeader(head))) {
      throw new RepokitError(
        'ALPM_BAD_DB_PATH',
        `${abs.slice(abs.lastIndexOf('/') + 1)} is a regular file but not a database archive (neither compressed nor a tar); refusing to treat it as one and replace it`,
        { file: abs },
      );
    }
    return c;
  } finally {
    await fh.close().catch(() => undefined);
  }
}

/** A tar header block ("ustar" magic, POSIX or GNU, and a matching checksum), or the zero block of an empty archive. */
function isTarHeader(b: Uint8Array): boolean {
  if (b.every((x) => x === 0)) return true;
  const magic = String.fromCharCode(...b.subarray(257, 262));
  if (magic !== 'ustar') return false;
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 0x20 : b[i]!;
  const field = String.fromCharCode(...b.subarray(148, 156)).replace(/[\0 ]+$/, '').trim();
  return /^[0-7]+$/.test(field) && parseInt(field, 8) === sum;
}

async function exists(p: string): Promise<boolean> {
  try {
    await nodeBuiltin<NodeFsPromises>('node:fs/promises').stat(p);
    return true;
  } catch {
    return false;
  }
}

/** The entries of a repository: `.db` entries with the `files` members of the `.files` database merged in. */
export interface RepoState {
  entries: SyncDbEntry[];
  warnings: AlpmIssue[];
  /** Whether each archive existed. */
  hadDb: boolean;
  hadFiles: boolean;
}

/** Read both archives of a repository (missing ones are empty). */
export async function readRepo(p: DbPath, options: { signal?: AbortSignal } = {}): Promise<RepoState> {
  // The stored bytes are kept: the entries left as they are are written back byte for byte.
  const sig = options.signal ? { signal: options.signal, keepRaw: true } : { keepRaw: true };
  const hadDb = await exists(p.db);
  const hadFiles = await exists(p.files);
  const db = hadDb ? await readSyncDb(p.db, sig) : undefined;
  const files = hadFiles ? await readSyncDb(p.files, sig) : undefined;
  const warnings = [...(db?.warnings ?? []), ...(files?.warnings ?? [])];
  const filesByDir = new Map((files?.entries ?? []).map((e) => [e.dir, e]));
  const entries: SyncDbEntry[] = [];
  for (const e of db?.entries ?? []) {
    const f = filesByDir.get(e.dir);
    filesByDir.delete(e.dir);
    if (f?.raw.files !== undefined) {
      e.raw = { ...e.raw, files: f.raw.files };
      if (f.entry.files !== undefined) e.entry.files = f.entry.files;
    }
    entries.push(e);
  }
  // Entries only in the files database (an interrupted run of an older tool): keep them.
  for (const f of filesByDir.values()) {
    warnings.push({ message: `entry ${JSON.stringify(f.dir)} is only in the files database`, file: p.files });
    entries.push(f);
  }
  return { entries, warnings, hadDb, hadFiles };
}

/** Signing, verification and `.old` backups of the database archives, shared by {@link repoAdd} and {@link repoRemove}. */
export interface RepoSignOptions {
  /**
   * Sign the new archives (repo-add `-s`, with `gpgSigner({ key })` for `-k`): `<archive>.sig`
   * next to each and the alias links `<repo>.db.sig`, `<repo>.files.sig`. Both are signed before
   * anything is written; a failing signer leaves the repository as it was (ALPM_DB_SIGN_FAILED).
   * A database that would otherwise stay as it is is rewritten when an archive has no signature.
   */
  sign?: DbSigner;
  /**
   * Before changing anything, check the existing database archive's `<archive>.sig` (repo-add
   * `-v`, with `gpgVerifier()`): a bad signature is ALPM_DB_BAD_SIGNATURE and nothing is written;
   * a missing one is a warning, as in repo-add.
   */
  verify?: DbVerifier;
  /**
   * Keep the archives being replaced as `<archive>.old` (and their signatures as
   * `<archive>.old.sig`), hard links made before the new archives go in, as repo-add does
   * (default true).
   */
  backup?: boolean;
}

/** Options of {@link repoAdd}. */
export interface RepoAddOptions extends SyncDbWriteOptions, RepoSignOptions {
  /** Add packages whose `name-version` is already in the database only if absent (repo-add `-n/--new`). */
  onlyIfAbsent?: boolean;
  /** Allow replacing a newer version with an older one (default: refused with ALPM_OLDER_VERSION). */
  force?: boolean;
  /** Embed `<pkg>.sig` as `%PGPSIG%` when it exists (repo-add ≥ 6.1 `--include-sigs`). */
  includeSigs?: boolean;
  /**
   * After the databases are written, delete the package files of the entries that were replaced
   * (their `%FILENAME%` in the database's directory) and their `.sig` files, as repo-add `-R`
   * (`--remove`) does. A file name that is not a plain name in that directory, or that is one of
   * the package files just added, is never deleted.
   */
  removeOld?: boolean;
  /** How to wait for the lock (default: fail at once with LOCKED, like repo-add without `-w`). */
  lock?: LockOptions;
  /** Packages read in parallel on the calling thread when `workers` is 0 (default 4). */
  concurrency?: number;
  /**
   * Worker threads that read and hash the package files (default: one per available core, from 8
   * packages on; fewer are read on the calling thread). 0 reads them on the calling thread. The
   * output is the same whatever the count.
   */
  workers?: number;
  signal?: AbortSignal;
}

/** What happened to one package file given to {@link repoAdd}. */
export interface RepoAddOutcome {
  file: string;
  name: string;
  version: string;
  /** `added` (new name), `replaced` (other versions removed), `skipped` (`onlyIfAbsent` and present). */
  action: 'added' | 'replaced' | 'skipped';
  /** The entry directories it replaced. */
  replaced: string[];
  /** With `removeOld`: the files deleted from the repository directory (packages and `.sig`s). */
  removedFiles: string[];
}

/** Result of {@link repoAdd} and {@link repoRemove}. */
export interface RepoChange {
  /** Where the databases are (undefined when nothing was written). */
  written: WrittenSyncDb | undefined;
  warnings: AlpmIssue[];
}

function entryFromPackage(pkg: AlpmPackageFile): SyncDbEntry {
  const entry = packageDescEntry(pkg);
  const name = entry.name!;
  const version = entry.version!;
  return { dir: `${name}-${version}`, name, version, entry, layout: 'merged', raw: {}, warnings: [] };
}

/**
 * Add package files to a repository, like `repo-add DB PKG...`: each package replaces every entry
 * of the same name; with `onlyIfAbsent` a package whose `name-version` is present is skipped;
 * replacing a newer version is refused (ALPM_OLDER_VERSION) unless `force`. All or nothing: any
 * error (unreadable package, refused downgrade, bad signature) leaves the database untouched.
 * The databases are rewritten only when something changed or they did not exist.
 */
export async function repoAdd(dbPath: string, packages: readonly string[], options: RepoAddOptions = {}): Promise<RepoChange & { outcomes: RepoAddOutcome[] }> {
  const p = await resolveDbPath(dbPath);
  if (!(await exists(p.dir))) throw new RepokitError('IO_ERROR', 'the repository directory does not exist', { file: p.dir });
  return withLockFile(p.lock, async () => {
    const verified = await verifyExisting(p, options.verify);
    const state = await readRepo(p, options.signal ? { signal: options.signal } : {});
    state.warnings.unshift(...verified);
    const workers = options.workers ?? (packages.length >= 8 ? defaultReadWorkers() : 0);
    const read = await readPackages(packages, workers, {
      signature: options.includeSigs === true,
      concurrency: options.concurrency ?? 4,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    const entries = state.entries;
    const outcomes: RepoAddOutcome[] = [];
    const oldFiles: { outcome: RepoAddOutcome; filename: string | undefined }[] = [];
    let changed = false;
    for (let i = 0; i < read.length; i++) {
      const pkg = read[i]!;
      const file = packages[i]!;
      let fresh: SyncDbEntry;
      try {
        fresh = entryFromPackage(pkg);
      } catch (e) {
        if (isRepokitError(e)) e.withFile(file);
        throw e;
      }
      const same = entries.filter((e) => e.name === fresh.name);
      if (options.onlyIfAbsent === true && same.some((e) => e.dir === fresh.dir)) {
        outcomes.push({ file, name: fresh.name, version: fresh.version, action: 'skipped', replaced: [], removedFiles: [] });
        continue;
      }
      if (options.force !== true) {
        const newer = same.find((e) => vercmp(e.entry.version ?? e.version, fresh.version) > 0);
        if (newer !== undefined) {
          throw new RepokitError(
            'ALPM_OLDER_VERSION',
            `${fresh.name} ${fresh.version} is older than ${newer.entry.version ?? newer.version} in the database (pass force / --force to downgrade)`,
            { file },
          );
        }
      }
      const replaced = same.map((e) => e.dir);
      for (let j = entries.length - 1; j >= 0; j--) if (entries[j]!.name === fresh.name) entries.splice(j, 1);
      entries.push(fresh);
      const outcome: RepoAddOutcome = { file, name: fresh.name, version: fresh.version, action: replaced.length > 0 ? 'replaced' : 'added', replaced, removedFiles: [] };
      outcomes.push(outcome);
      if (options.removeOld === true) for (const e of same) oldFiles.push({ outcome, filename: e.entry.filename });
      changed = true;
    }
    const written = changed || !state.hadDb || !state.hadFiles || (await wantsSignature(p, options)) ? await write(p, entries, options) : undefined;
    // Only once the new databases are in place: a crash before leaves the old database with its files.
    const warnings = oldFiles.length > 0 ? [...state.warnings, ...(await removeOldFiles(p.dir, oldFiles, packages, entries))] : state.warnings;
    return { written, warnings, outcomes };
  }, options.lock ?? {});
}

/**
 * repo-add `-R`: delete the replaced entries' package files and their `.sig`s from the repository
 * directory. Names that would leave it (`/`, `.`, `..`), files that one of the given packages is,
 * and files that an entry still in the database names are kept. A missing file is no error; a
 * file that cannot be deleted is a warning (the databases are written by then).
 */
async function removeOldFiles(
  dir: string,
  old: readonly { outcome: RepoAddOutcome; filename: string | undefined }[],
  added: readonly string[],
  kept: readonly SyncDbEntry[],
): Promise<AlpmIssue[]> {
  const warnings: AlpmIssue[] = [];
  const path = nodeBuiltin<NodePath>('node:path');
  const fs = nodeBuiltin<NodeFsPromises>('node:fs/promises');
  const real = async (f: string): Promise<string> => fs.realpath(f).catch(() => path.resolve(f));
  const protectedFiles = new Set(await Promise.all(added.map(real)));
  const stillNamed = new Set(kept.map((e) => e.entry.filename));
  for (const { outcome, filename } of old) {
    if (filename === undefined || filename === '' || filename === '.' || filename === '..' || filename.includes('/') || filename.includes('\0')) continue;
    if (stillNamed.has(filename)) continue;
    const target = path.join(dir, filename);
    if (protectedFiles.has(await real(target))) continue;
    for (const f of [target, `${target}.sig`]) {
      try {
        await fs.unlink(f);
        outcome.removedFiles.push(f);
      } catch (e) {
        const code = (e as { code?: unknown }).code;
        if (code !== 'ENOENT') warnings.push({ message: `cannot delete the replaced package file (${typeof code === 'string' ? code : String(e)})`, file: f });
      }
    }
  }
  return warnings;
}

/** Options of {@link repoRemove}. */
export interface RepoRemoveOptions extends SyncDbWriteOptions, RepoSignOptions {
  /** Names that are not in the database are ignored instead of failing (ALPM_NOT_IN_DB). */
  ignoreMissing?: boolean;
  lock?: LockOptions;
  signal?: AbortSignal;
}

/**
 * Remove every entry of each package name, like `repo-remove DB NAME...`. The database must exist
 * (IO_ERROR otherwise); a name without entry is ALPM_NOT_IN_DB (nothing is written) unless
 * `ignoreMissing`.
 */
export async function repoRemove(dbPath: string, names: readonly string[], options: RepoRemoveOptions = {}): Promise<RepoChange & { removed: string[] }> {
  const p = await resolveDbPath(dbPath);
  return withLockFile(p.lock, async () => {
    if (!(await exists(p.db))) throw new RepokitError('IO_ERROR', 'the database does not exist', { file: p.db });
    const verified = await verifyExisting(p, options.verify);
    const state = await readRepo(p, options.signal ? { signal: options.signal } : {});
    state.warnings.unshift(...verified);
    const removed: string[] = [];
    let entries = state.entries;
    for (const name of names) {
      const hit = entries.filter((e) => e.name === name);
      if (hit.length === 0) {
        if (options.ignoreMissing === true) continue;
        throw new RepokitError('ALPM_NOT_IN_DB', `no package named ${JSON.stringify(name)} in the database`, { file: p.db });
      }
      removed.push(...hit.map((e) => e.dir));
      entries = entries.filter((e) => e.name !== name);
    }
    const written = removed.length > 0 || !state.hadFiles || (await wantsSignature(p, options)) ? await write(p, entries, options) : undefined;
    return { written, warnings: state.warnings, removed };
  }, options.lock ?? {});
}

async function write(p: DbPath, entries: readonly SyncDbEntry[], options: SyncDbWriteOptions & RepoSignOptions): Promise<WrittenSyncDb> {
  const toWrite: SyncDbWriteEntry[] = entries.map((e) => ({ entry: e.entry, dir: e.dir, raw: e.raw }));
  // The database path decides the compression, as for repo-add.
  const archives = await buildSyncDb(toWrite, { ...options, compression: p.compression });
  const install: InstallOptions = { backup: options.backup ?? true };
  if (options.sign !== undefined) install.sign = options.sign;
  return installArchives(p.dir, p.repo, p.compression, archives, install);
}

/**
 * Whether an unchanged database is rewritten anyway to sign it: `sign` was asked for and an
 * archive has no signature (repo-add rewrites and signs on every run).
 */
async function wantsSignature(p: DbPath, options: RepoSignOptions): Promise<boolean> {
  return options.sign !== undefined && !(await isSigned(p));
}

/** Whether both archives have their `<archive>.sig`. */
export async function isSigned(p: DbPath): Promise<boolean> {
  return (await exists(`${p.db}.sig`)) && (await exists(`${p.files}.sig`));
}

/** Largest `<archive>.sig` read for `verify` (64 KiB). */
const MAX_DB_SIGNATURE = 64 * 1024;

/**
 * repo-add `-v`: the existing database archive against its `<archive>.sig`, before anything
 * changes. No database: nothing to check. No signature: a warning (repo-add: "No existing
 * signature found, skipping verification"). A signature that does not verify: ALPM_DB_BAD_SIGNATURE.
 */
export async function verifyExisting(p: DbPath, verify: DbVerifier | undefined): Promise<AlpmIssue[]> {
  if (verify === undefined) return [];
  if (typeof verify !== 'function') throw new RepokitError('INVALID_ARGUMENT', 'verify must be a function (archive bytes, signature bytes, path) => Promise<void>');
  const fs = nodeBuiltin<NodeFsPromises>('node:fs/promises');
  const read = async (f: string, max: number, code: 'LIMIT_EXCEEDED' | 'ALPM_DB_BAD_SIGNATURE'): Promise<Uint8Array | undefined> => {
    try {
      const size = (await fs.stat(f)).size;
      if (size > max) throw new RepokitError(code, `${size} bytes, more than the limit of ${max}`, { file: f });
      return new Uint8Array(await fs.readFile(f));
    } catch (e) {
      if (isRepokitError(e)) throw e;
      const code = (e as { code?: unknown }).code;
      if (code === 'ENOENT') return undefined;
      throw new RepokitError('IO_ERROR', `cannot read: ${typeof code === 'string' ? code : String(e)}`, { file: f, cause: e });
    }
  };
  const archive = await read(p.db, SYNC_DB_LIMITS.maxFileSize, 'LIMIT_EXCEEDED');
  if (archive === undefined) return [];
  // A detached signature is a few hundred bytes; gpg itself refuses nothing by size.
  const sig = await read(`${p.db}.sig`, MAX_DB_SIGNATURE, 'ALPM_DB_BAD_SIGNATURE');
  if (sig === undefined) return [{ message: 'the database has no signature: not verified', file: p.db }];
  try {
    await verify(archive, sig, p.db);
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    throw new RepokitError('ALPM_DB_BAD_SIGNATURE', `the database signature does not verify: ${why}`, { file: `${p.db}.sig`, cause: e });
  }
  return [];
}

/** One problem found by {@link repoVerify}. */
export interface VerifyProblem {
  dir: string;
  filename: string | undefined;
  message: string;
}

/** Result of {@link repoVerify}. */
export interface VerifyReport {
  ok: boolean;
  /** Entries checked. */
  checked: number;
  problems: VerifyProblem[];
}

/**
 * Check that every entry's package file exists next to the database (or in `packageDir`) with
 * the recorded `%CSIZE%` and `%SHA256SUM%` (`%MD5SUM%` when there is no SHA-256), and that the
 * `.files` database has the same entries as the `.db`.
 */
export async function repoVerify(dbPath: string, options: { packageDir?: string; signal?: AbortSignal } = {}): Promise<VerifyReport> {
  const p = await resolveDbPath(dbPath);
  const path = nodeBuiltin<NodePath>('node:path');
  const fs = nodeBuiltin<NodeFsPromises>('node:fs/promises');
  const sig = options.signal ? { signal: options.signal } : {};
  const db = await readSyncDb(p.db, sig);
  const problems: VerifyProblem[] = [];
  if (await exists(p.files)) {
    const files = await readSyncDb(p.files, sig);
    const a = new Set(db.entries.map((e) => e.dir));
    const b = new Set(files.entries.map((e) => e.dir));
    for (const d of a) if (!b.has(d)) problems.push({ dir: d, filename: undefined, message: 'missing from the files database' });
    for (const d of b) if (!a.has(d)) problems.push({ dir: d, filename: undefined, message: 'only in the files database' });
  } else {
    problems.push({ dir: '', filename: undefined, message: `the files database ${path.basename(p.files)} is missing` });
  }
  const pkgDir = options.packageDir !== undefined ? path.resolve(options.packageDir) : p.dir;
  for (const e of db.entries) {
    const d = e.entry;
    const filename = d.filename;
    if (filename === undefined) {
      problems.push({ dir: e.dir, filename, message: 'the entry has no %FILENAME%' });
      continue;
    }
    if (filename.includes('/') || filename.startsWith('.')) {
      problems.push({ dir: e.dir, filename, message: 'the %FILENAME% is not a plain file name' });
      continue;
    }
    const file = path.join(pkgDir, filename);
    let size: number;
    try {
      const st = await fs.stat(file);
      if (!st.isFile()) throw new Error('not a file');
      size = st.size;
    } catch {
      problems.push({ dir: e.dir, filename, message: 'the package file is missing' });
      continue;
    }
    if (d.csize !== undefined && d.csize !== size) {
      problems.push({ dir: e.dir, filename, message: `size ${size} differs from %CSIZE% ${d.csize}` });
      continue;
    }
    const algos = d.sha256sum !== undefined ? (['sha256'] as const) : d.md5sum !== undefined ? (['md5'] as const) : ([] as const);
    if (algos.length === 0) {
      problems.push({ dir: e.dir, filename, message: 'the entry has no checksum' });
      continue;
    }
    const h = await hashFile(file, algos, sig);
    const want = (d.sha256sum ?? d.md5sum ?? '').toLowerCase();
    const got = toHex(h.digests[algos[0]]);
    if (got !== want) problems.push({ dir: e.dir, filename, message: `${algos[0]} ${got} differs from the database's ${want}` });
  }
  return { ok: problems.length === 0, checked: db.entries.length, problems };
}
