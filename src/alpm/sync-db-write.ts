/**
 * Writing sync databases: `<repo>.db.tar<.c>` (entries with `desc`) and `<repo>.files.tar<.c>`
 * (`desc` + `files`), plus the `<repo>.db` / `<repo>.files` aliases. The archives are
 * deterministic: entries in byte order of their directory names, each as `dir/` (0755), `dir/desc`
 * (0644) and, in the files database, `dir/files`; owner root (0/0), a fixed mtime (default 0),
 * restricted-pax headers padded to 10240-byte records as bsdtar writes them. The same entries and
 * options always give the same bytes.
 */
import { RepokitError } from '../shared/errors.js';
import { encodeUtf8 } from '../shared/bytes.js';
import { nodeBuiltin } from '../shared/input.js';
import { COMPRESSION_SUFFIX, compress, type Compression } from '../shared/compression.js';
import { writeTar, type TarWriteEntry } from '../shared/tar.js';
import { hardLinkOrCopyAtomic, linkOrCopyAtomic, writeFileAtomic } from '../shared/atomic.js';
import { encodeDepends, encodeDesc, encodeFiles, type DescVersion } from './desc.js';
import { entryDirName } from './filename.js';
import { compareCodePoints } from './text.js';
import { encodeXpkgDepends, encodeXpkgDesc, xpkgTar, type XpkgTarMember } from './xpkg.js';
import type { DescEntry } from './types.js';
import type { EntryMembers } from './sync-db-read.js';
import { argArray, argObject, argOptions, argString } from './args.js';

/** How to write a database (the names match repod.conf's `[syncdb_settings]`, mapped). */
export interface SyncDbWriteOptions {
  /** Archive compression (default `'gzip'`, as Arch's own repositories and repod use). */
  compression?: Compression;
  /** Compression level (default: the command-line tool's default, as repo-add gets). */
  level?: number;
  /** `desc` layout: 2 (default, pacman ≥ 6.1: no `%MD5SUM%`) or 1 (`%MD5SUM%` written when known). */
  descVersion?: DescVersion;
  /** `files` layout: 1, the only one there is. */
  filesVersion?: 1;
  /**
   * Write `%PGPSIG%` when an entry has one (default true). False leaves every signature out, as
   * repod's `desc_version = 2` does "to lower the size" of the database.
   */
  pgpsig?: boolean;
  /**
   * `'merged'` (default): one `desc` (repo-add, pacman ≥ 5.0). `'split'`: pacman 4.x's `desc`
   * plus `depends` (an empty `depends` is written too). `'xpkg'`: the xpkg project's layout, byte
   * for byte (its own `desc` and `depends` sections and order, `depends` only when non-empty,
   * entries by package name, no directory members, the Rust tar crate's GNU headers, no record
   * padding; `descVersion`, `pgpsig` and `directoryEntries` do not apply). xpkg itself writes
   * no `.files` database; repokit's has the same layout plus each entry's `files` member.
   */
  layout?: 'merged' | 'split' | 'xpkg';
  /** Write `dir/` members (default true, as repo-add does; libalpm does not need them). */
  directoryEntries?: boolean;
  /** mtime of every member, seconds (default 0). */
  mtime?: number;
  /**
   * Re-encode entries that carry their stored members (`raw`) instead of copying those bytes
   * (default false: untouched entries are kept byte for byte, as repo-add keeps them).
   */
  reencode?: boolean;
}

/** An entry to write: its desc (with `files` for the files database) and optionally its stored members. */
export interface SyncDbWriteEntry {
  entry: DescEntry;
  /** Directory name; default `<entry.name>-<entry.version>`. */
  dir?: string;
  /** Stored members, copied verbatim unless `reencode` (a `files` member only goes to the files database). */
  raw?: EntryMembers;
}

/** The two archives of a repository, compressed. */
export interface SyncDbArchives {
  db: Uint8Array;
  files: Uint8Array;
}

function checkOptions(o: SyncDbWriteOptions): Required<Pick<SyncDbWriteOptions, 'compression' | 'descVersion' | 'layout' | 'directoryEntries' | 'mtime' | 'pgpsig'>> {
  const compression = o.compression ?? 'gzip';
  if (!(compression in COMPRESSION_SUFFIX)) {
    throw new RepokitError('INVALID_ARGUMENT', `compression must be one of ${Object.keys(COMPRESSION_SUFFIX).join(', ')}, not ${String(compression)}`);
  }
  const descVersion = o.descVersion ?? 2;
  if (descVersion !== 1 && descVersion !== 2) throw new RepokitError('INVALID_ARGUMENT', `descVersion must be 1 or 2, not ${String(descVersion)}`);
  if (o.filesVersion !== undefined && o.filesVersion !== 1) throw new RepokitError('INVALID_ARGUMENT', `filesVersion must be 1, not ${String(o.filesVersion)}`);
  const layout = o.layout ?? 'merged';
  if (layout !== 'merged' && layout !== 'split' && layout !== 'xpkg') throw new RepokitError('INVALID_ARGUMENT', `layout must be 'merged', 'split' or 'xpkg', not ${String(layout)}`);
  const mtime = o.mtime ?? 0;
  if (!Number.isSafeInteger(mtime) || mtime < 0) throw new RepokitError('INVALID_ARGUMENT', `mtime must be a non-negative integer, not ${String(mtime)}`);
  if (o.pgpsig !== undefined && typeof o.pgpsig !== 'boolean') throw new RepokitError('INVALID_ARGUMENT', `pgpsig must be a boolean, not ${String(o.pgpsig)}`);
  return { compression, descVersion, layout, directoryEntries: o.directoryEntries !== false, mtime, pgpsig: o.pgpsig !== false };
}

function withoutPgpsig(entry: DescEntry): DescEntry {
  const copy = { ...entry };
  delete copy.pgpsig;
  return copy;
}

/** The directory name of an entry to write (checked: one path component, no `..`). */
export function writeEntryDir(e: SyncDbWriteEntry): string {
  argObject(e, 'entry to write');
  argObject(e.entry, 'entry to write: entry');
  let dir = e.dir;
  if (dir === undefined) {
    if (e.entry.name === undefined || e.entry.version === undefined) {
      throw new RepokitError('INVALID_ARGUMENT', 'an entry to write needs name and version (or dir)');
    }
    dir = entryDirName({ name: e.entry.name, version: e.entry.version });
  }
  if (dir === '' || dir === '.' || dir === '..' || dir.includes('/') || dir.includes('\0') || dir.includes('\n')) {
    throw new RepokitError('INVALID_ARGUMENT', `entry directory ${JSON.stringify(dir)} is not a single path component`);
  }
  return dir;
}

/**
 * The uncompressed tar of a database (`kind` `'db'` or `'files'`): deterministic, pure. Throws
 * INVALID_ARGUMENT for two entries with the same directory or a bad directory name, ALPM_ENCODE
 * for a value the desc format cannot hold.
 */
export function syncDbTar(entries: readonly SyncDbWriteEntry[], kind: 'db' | 'files', options: SyncDbWriteOptions = {}): Uint8Array {
  argArray(entries, 'entries');
  if (kind !== 'db' && kind !== 'files') throw new RepokitError('INVALID_ARGUMENT', `kind must be 'db' or 'files', not ${String(kind)}`);
  const o = checkOptions(options);
  if (o.layout === 'xpkg') return xpkgSyncDbTar(entries, kind, options.reencode === true, o.mtime);
  const withDir = entries.map((e) => ({ e, dir: writeEntryDir(e) }));
  withDir.sort((a, b) => compareCodePoints(a.dir, b.dir));
  const members: TarWriteEntry[] = [];
  const common = { mtime: o.mtime, uid: 0, gid: 0, uname: 'root', gname: 'root' };
  for (let i = 0; i < withDir.length; i++) {
    const { e, dir } = withDir[i]!;
    if (i > 0 && withDir[i - 1]!.dir === dir) throw new RepokitError('INVALID_ARGUMENT', `two entries for the directory ${JSON.stringify(dir)}`);
    if (o.directoryEntries) members.push({ name: `${dir}/`, type: 'directory', mode: 0o755, ...common });
    const file = (name: string, data: Uint8Array): void => {
      members.push({ name: `${dir}/${name}`, type: 'file', mode: 0o644, data, ...common });
    };
    // Without signatures, stored members that carry one must be re-encoded too.
    const entry = !o.pgpsig && e.entry.pgpsig !== undefined ? withoutPgpsig(e.entry) : e.entry;
    const raw = options.reencode === true || entry !== e.entry ? undefined : e.raw;
    if (raw?.desc !== undefined) {
      file('desc', raw.desc);
      if (raw.depends !== undefined) file('depends', raw.depends);
    } else if (o.layout === 'split') {
      file('desc', encodeUtf8(encodeDesc(entry, { version: o.descVersion, layout: 'split' })));
      const deps = encodeDepends(entry);
      // repo-add 4.x always created depends, xpkg too; an empty one is harmless.
      file('depends', encodeUtf8(deps));
    } else {
      file('desc', encodeUtf8(encodeDesc(entry, { version: o.descVersion })));
    }
    if (kind === 'files') {
      if (raw?.files !== undefined) file('files', raw.files);
      else if (e.entry.files !== undefined) file('files', encodeUtf8(encodeFiles(e.entry.files)));
    }
  }
  return writeTar(members, { format: 'pax', padToRecord: true });
}

/** {@link syncDbTar} in xpkg's layout (see the `layout` option). */
function xpkgSyncDbTar(entries: readonly SyncDbWriteEntry[], kind: 'db' | 'files', reencode: boolean, mtime: number): Uint8Array {
  // xpkg keys its entries by package name (a BTreeMap): byte order of the name, then the directory.
  const withDir = entries.map((e) => ({ e, dir: writeEntryDir(e), name: e.entry.name ?? '' }));
  withDir.sort((a, b) => compareCodePoints(a.name, b.name) || compareCodePoints(a.dir, b.dir));
  const members: XpkgTarMember[] = [];
  const dirs = new Set<string>();
  for (const { e, dir } of withDir) {
    if (dirs.has(dir)) throw new RepokitError('INVALID_ARGUMENT', `two entries for the directory ${JSON.stringify(dir)}`);
    dirs.add(dir);
    const raw = reencode ? undefined : e.raw;
    if (raw?.desc !== undefined) {
      members.push({ name: `${dir}/desc`, data: raw.desc });
      if (raw.depends !== undefined) members.push({ name: `${dir}/depends`, data: raw.depends });
    } else {
      members.push({ name: `${dir}/desc`, data: encodeUtf8(encodeXpkgDesc(e.entry)) });
      const deps = encodeXpkgDepends(e.entry);
      if (deps !== '') members.push({ name: `${dir}/depends`, data: encodeUtf8(deps) });
    }
    if (kind === 'files') {
      if (raw?.files !== undefined) members.push({ name: `${dir}/files`, data: raw.files });
      else if (e.entry.files !== undefined) members.push({ name: `${dir}/files`, data: encodeUtf8(encodeFiles(e.entry.files)) });
    }
  }
  return xpkgTar(members, mtime);
}

/** Both archives of a repository, compressed (deterministic). */
export async function buildSyncDb(entries: readonly SyncDbWriteEntry[], options: SyncDbWriteOptions = {}): Promise<SyncDbArchives> {
  argArray(entries, 'entries');
  const o = checkOptions(options);
  const copts = options.level !== undefined ? { level: options.level } : {};
  const db = await compress(syncDbTar(entries, 'db', options), o.compression, copts);
  const files = await compress(syncDbTar(entries, 'files', options), o.compression, copts);
  return { db, files };
}

/**
 * Signs a database archive (repo-add `-s`): gets the compressed archive exactly as it will be
 * installed and the path it will have, and returns a binary (not ASCII-armored) detached OpenPGP
 * signature of those bytes. {@link gpgSigner} runs `gpg` as repo-add does; any other signer
 * (a hardware token, a remote service, an OpenPGP library) fits the same shape.
 */
export type DbSigner = (archive: Uint8Array, file: string) => Promise<Uint8Array>;

/** How {@link writeSyncDb} and {@link installArchives} install the archives. */
export interface InstallOptions {
  /**
   * Sign both archives and install `<archive>.sig` next to each, with the alias links
   * `<repo>.db.sig` and `<repo>.files.sig`, as repo-add `-s` does. Both signatures are made
   * before anything on disk changes: if the signer fails, nothing is written (ALPM_DB_SIGN_FAILED;
   * repo-add only warns and installs the database unsigned).
   */
  sign?: DbSigner;
  /**
   * Keep the archives being replaced as `<archive>.old`, and their signatures as
   * `<archive>.old.sig`, as repo-add does: hard links made before the new archives are renamed
   * in (copies where hard links are refused). An archive without a signature removes a stale
   * `<archive>.old.sig`. Default false here; repoAdd and repoRemove default to true.
   */
  backup?: boolean;
}

/** Where {@link writeSyncDb} put things. */
export interface WrittenSyncDb {
  /** `<dir>/<repo>.db.tar<.c>` */
  db: string;
  /** `<dir>/<repo>.files.tar<.c>` */
  files: string;
  /** `<dir>/<repo>.db` */
  dbAlias: string;
  /** `<dir>/<repo>.files` */
  filesAlias: string;
  /** How the aliases were made: a relative symlink, or a copy where symlinks are refused. */
  aliasKind: 'symlink' | 'copy';
  /**
   * Detached signatures of the old archives that were deleted and not replaced (they would not
   * match the new archives): empty when the new archives are signed.
   */
  removedSignatures: string[];
  /** With `sign`: the signatures written, `<archive>.sig` for both archives, then the alias links `<repo>.db.sig` and `<repo>.files.sig`. */
  signatures: string[];
  /** With `backup`: the `<archive>.old` and `<archive>.old.sig` files made (none for an archive that did not exist). */
  backups: string[];
}

/** The archive file name of a repository: `<repo>.<db|files>.tar<suffix>`. */
export function syncDbFileName(repo: string, kind: 'db' | 'files', compression: Compression): string {
  argString(repo, 'repo');
  return `${repo}.${kind}.tar${COMPRESSION_SUFFIX[compression]}`;
}

function checkRepoName(repo: string): void {
  // alpm-repo-name: no '/', '?', '!' or newline, no leading '-'.
  if (typeof repo !== 'string' || repo === '' || /[/?!\n\0]/.test(repo) || repo.startsWith('-') || repo === '.' || repo === '..') {
    throw new RepokitError('INVALID_ARGUMENT', `invalid repository name ${JSON.stringify(repo)}`);
  }
}

/**
 * Write a repository's databases into `dir`: `<repo>.db.tar<.c>` and `<repo>.files.tar<.c>`,
 * each replaced atomically (temporary file, fsync, rename, directory fsync), then the aliases
 * `<repo>.db` and `<repo>.files` (relative symlinks, or copies where links are refused), also
 * atomically. A crash leaves every file either old or new, never partial. Takes no lock: see
 * `repoAdd`/`repoRemove` (repo.ts) for the locked read-modify-write.
 */
export async function writeSyncDb(dir: string, repo: string, entries: readonly SyncDbWriteEntry[], options: SyncDbWriteOptions & InstallOptions = {}): Promise<WrittenSyncDb> {
  argString(dir, 'dir');
  argArray(entries, 'entries');
  checkRepoName(repo);
  const o = checkOptions(options);
  const archives = await buildSyncDb(entries, options);
  return installArchives(dir, repo, o.compression, archives, installOptions(options));
}

/** The {@link InstallOptions} among other options. */
function installOptions(o: InstallOptions): InstallOptions {
  const out: InstallOptions = {};
  if (o.sign !== undefined) out.sign = o.sign;
  if (o.backup !== undefined) out.backup = o.backup;
  return out;
}

/**
 * Put already built archives in place: stale signatures out first, then the archives, then the
 * aliases. A detached signature of the old archives (`<repo>.db.tar<.c>.sig`,
 * `<repo>.files.tar<.c>.sig` and the alias links `<repo>.db.sig`, `<repo>.files.sig`) would not
 * match the new ones: repo-add means to move them aside (to `.old.sig`), and repokit deletes them
 * before the first new archive is renamed in, so that no moment has a new database next to an
 * old signature. With `sign`, each archive's new signature is installed right after the archive
 * (a reader in between finds no signature, never a wrong one). Without it, if the write then
 * fails, the old database stays, unsigned. With `backup`, the archives and signatures being
 * replaced get their `.old` names first.
 */
export async function installArchives(dir: string, repo: string, compression: Compression, archives: SyncDbArchives, options: InstallOptions = {}): Promise<WrittenSyncDb> {
  argString(dir, 'dir');
  checkRepoName(repo);
  argObject(archives, 'archives');
  argOptions(options);
  if (options.sign !== undefined && typeof options.sign !== 'function') throw new RepokitError('INVALID_ARGUMENT', 'sign must be a function (archive bytes, path) => signature bytes');
  if (options.backup !== undefined && typeof options.backup !== 'boolean') throw new RepokitError('INVALID_ARGUMENT', 'backup must be a boolean');
  const path = nodeBuiltin<typeof import('node:path')>('node:path');
  const db = path.join(dir, syncDbFileName(repo, 'db', compression));
  const files = path.join(dir, syncDbFileName(repo, 'files', compression));
  const dbAlias = path.join(dir, `${repo}.db`);
  const filesAlias = path.join(dir, `${repo}.files`);
  // Signed before anything changes: a failing signer leaves the repository as it was.
  const dbSig = options.sign !== undefined ? await signArchive(options.sign, archives.db, db) : undefined;
  const filesSig = options.sign !== undefined ? await signArchive(options.sign, archives.files, files) : undefined;
  const backups: string[] = [];
  if (options.backup === true) {
    for (const archive of [db, files]) {
      if ((await hardLinkOrCopyAtomic(archive, `${archive}.old`)) === 'absent') continue;
      backups.push(`${archive}.old`);
      // The old archive's signature goes along; without one, a stale .old.sig would not match.
      if ((await hardLinkOrCopyAtomic(`${archive}.sig`, `${archive}.old.sig`)) !== 'absent') backups.push(`${archive}.old.sig`);
      else await removeSignatures([`${archive}.old.sig`]);
    }
  }
  const removed = await removeSignatures([`${dbAlias}.sig`, `${filesAlias}.sig`, `${db}.sig`, `${files}.sig`]);
  await writeFileAtomic(db, archives.db, { mode: 0o644 });
  if (dbSig !== undefined) await writeFileAtomic(`${db}.sig`, dbSig, { mode: 0o644 });
  await writeFileAtomic(files, archives.files, { mode: 0o644 });
  if (filesSig !== undefined) await writeFileAtomic(`${files}.sig`, filesSig, { mode: 0o644 });
  const k1 = await linkOrCopyAtomic(db, dbAlias);
  const k2 = await linkOrCopyAtomic(files, filesAlias);
  const signatures: string[] = [];
  if (dbSig !== undefined && filesSig !== undefined) {
    await linkOrCopyAtomic(`${db}.sig`, `${dbAlias}.sig`);
    await linkOrCopyAtomic(`${files}.sig`, `${filesAlias}.sig`);
    signatures.push(`${db}.sig`, `${files}.sig`, `${dbAlias}.sig`, `${filesAlias}.sig`);
  }
  return {
    db,
    files,
    dbAlias,
    filesAlias,
    aliasKind: k1 === 'copy' || k2 === 'copy' ? 'copy' : 'symlink',
    removedSignatures: signatures.length > 0 ? [] : removed,
    signatures,
    backups,
  };
}

/** The signer's signature of one archive, checked to be binary OpenPGP (what repo-add's `gpg --no-armor` gives). */
async function signArchive(sign: DbSigner, archive: Uint8Array, file: string): Promise<Uint8Array> {
  let sig: unknown;
  try {
    sig = await sign(archive, file);
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    throw new RepokitError('ALPM_DB_SIGN_FAILED', `signing failed: ${why}`, { file, cause: e });
  }
  if (!(sig instanceof Uint8Array) || sig.length === 0) throw new RepokitError('ALPM_DB_SIGN_FAILED', 'the signer returned no signature bytes', { file });
  // An OpenPGP packet's first byte has its top bit set; an armored signature starts with "-----".
  if ((sig[0]! & 0x80) === 0) throw new RepokitError('ALPM_DB_SIGN_FAILED', 'the signer returned no binary OpenPGP signature (ASCII-armored? pacman expects --no-armor)', { file });
  return sig;
}

/** Delete those of `paths` that exist (files or links); returns the ones deleted. */
async function removeSignatures(paths: readonly string[]): Promise<string[]> {
  const fs = nodeBuiltin<typeof import('node:fs/promises')>('node:fs/promises');
  const removed: string[] = [];
  for (const p of paths) {
    try {
      await fs.lstat(p);
    } catch (e) {
      if ((e as { code?: unknown }).code === 'ENOENT') continue;
      throw new RepokitError('IO_ERROR', `cannot check for a stale signature: ${String((e as { code?: unknown }).code ?? (e as Error).message)}`, { file: p, cause: e });
    }
    try {
      await fs.unlink(p);
    } catch (e) {
      if ((e as { code?: unknown }).code === 'ENOENT') continue;
      throw new RepokitError('IO_ERROR', `cannot remove the stale signature: ${String((e as { code?: unknown }).code ?? (e as Error).message)}`, { file: p, cause: e });
    }
    removed.push(p);
  }
  return removed;
}
