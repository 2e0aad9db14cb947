/**
 * The modes of xbps-rindex on a repository directory: add (`-a`), clean (`-c`), remove obsolete
 * package files (`-r`), sign the repository (`-s`) and its packages (`-S`). Each mode takes
 * `<arch>-repodata.lock`, reads the current repodata, and replaces it atomically (mode 0664) only
 * when something changed.
 *
 * The decisions (which package wins, what gets staged) are pure functions here
 * ({@link addToStage}, {@link commitStage}); reading, hashing and writing are edges.
 */
import { RepokitError, isRepokitError } from '../shared/errors.js';
import type { Compression } from '../shared/compression.js';
import { nodeBuiltin } from '../shared/input.js';
import { writeFileAtomic, withLockFile, type LockOptions } from '../shared/atomic.js';
import { cmpver, pkgverName, pkgverVersion } from './codecs.js';
import type { PlistDict } from './types.js';
import {
  entryArch,
  entryFileName,
  entrySha256,
  entryStrings,
  parseXbpsFileName,
  repoMetaDict,
  repodataFileName,
  type XbpsIndexEntry,
  type XbpsRepodata,
} from './repodata.js';
import { readRepodata } from './repodata-read.js';
import { indexEntryFromPackage, writeRepodata } from './repodata-write.js';
import { readXbpsPackage, readXbpsPackageHead, type XbpsPackage } from './package.js';
import { HashPool, defaultWorkerCount, hashFileHere, type FileHash } from './rindex-hash.js';
import { publicKeyInfo, signPackage } from './signature.js';

type NodeFs = typeof import('node:fs');
type NodePath = typeof import('node:path');

const fsp = () => nodeBuiltin<NodeFs>('node:fs').promises;
const pathm = () => nodeBuiltin<NodePath>('node:path');

// --- pure decisions ----------------------------------------------------------------------------

/** Does `entry`'s `reverts` list hold the version_revision of `pkgver` (xbps_pkg_reverts)? */
export function entryReverts(entry: PlistDict, pkgver: string): boolean {
  const version = pkgverVersion(pkgver);
  if (version === undefined) return false;
  const list = entry.get('reverts');
  return Array.isArray(list) && list.some((r) => r === version);
}

/** Why a package was not put into the stage. */
export type AddSkipReason = 'already-registered' | 'older' | 'unmatched-arch';

/**
 * Decide whether `candidate` replaces the current entry of the same name, as `xbps-rindex -a`
 * does: the current entry is looked up in the stage first, then in the index; without `force`
 * the whole pkgvers are compared with `xbps_cmpver`, and a package whose `reverts` names the other
 * one's version wins (or loses) regardless. Equal pkgvers are skipped.
 *
 * Returns undefined when the candidate goes into the stage, else why it is skipped.
 */
export function addDecision(
  candidate: XbpsIndexEntry,
  index: ReadonlyMap<string, XbpsIndexEntry>,
  stage: ReadonlyMap<string, XbpsIndexEntry>,
  force: boolean,
): Exclude<AddSkipReason, 'unmatched-arch'> | undefined {
  const current = stage.get(candidate.pkgname) ?? index.get(candidate.pkgname);
  if (current === undefined || force) return undefined;
  let cmp = cmpver(candidate.pkgver, current.pkgver);
  if (cmp < 0 && entryReverts(candidate.dict, current.pkgver)) cmp = 1;
  else if (cmp > 0 && entryReverts(current.dict, candidate.pkgver)) cmp = -1;
  if (cmp === 0) return 'already-registered';
  return cmp < 0 ? 'older' : undefined;
}

/** Result of {@link commitStage}. */
export interface StageCommit {
  /** The new index. */
  index: Map<string, XbpsIndexEntry>;
  /** The new stage (empty when the staged packages were published). */
  stage: Map<string, XbpsIndexEntry>;
  /** False when the stage was kept because published packages would lose shlibs they need. */
  consistent: boolean;
  /** soname → names of index packages that still need it (empty when consistent). */
  missingShlibs: Map<string, string[]>;
}

/**
 * xbps-rindex's staging rule (`repodata_commit`): the stage `S` (previously staged plus newly
 * added packages) is merged into the index `I` unless that would leave a package of `I` needing a
 * soname that only the replaced versions provided. Then the index stays unchanged and everything
 * stays staged.
 */
export function commitStage(index: ReadonlyMap<string, XbpsIndexEntry>, stage: ReadonlyMap<string, XbpsIndexEntry>): StageCommit {
  // 1. sonames the currently published versions of the staged packages provide
  const oldShlibs = new Map<string, string>();
  for (const name of stage.keys()) {
    const published = index.get(name);
    if (published === undefined) continue;
    for (const so of entryStrings(published.dict, 'shlib-provides', name)) oldShlibs.set(so, name);
  }
  // 2. which index packages (in their staged form when staged) require them
  const used = new Map<string, string[]>();
  for (const name of index.keys()) {
    const p = stage.get(name) ?? index.get(name)!;
    for (const so of entryStrings(p.dict, 'shlib-requires', name)) {
      if (!oldShlibs.has(so)) continue;
      const users = used.get(so) ?? [];
      users.push(name);
      used.set(so, users);
    }
  }
  // 3. still provided by an index package that is not being replaced
  for (const [name, e] of index) {
    if (stage.has(name)) continue;
    for (const so of entryStrings(e.dict, 'shlib-provides', name)) used.delete(so);
  }
  // 4. provided by the new versions
  for (const [name, e] of stage) for (const so of entryStrings(e.dict, 'shlib-provides', name)) used.delete(so);

  if (used.size > 0) return { index: new Map(index), stage: new Map(stage), consistent: false, missingShlibs: used };
  const merged = new Map(index);
  for (const [name, e] of stage) merged.set(name, e);
  return { index: merged, stage: new Map(), consistent: true, missingShlibs: new Map() };
}

// --- common ------------------------------------------------------------------------------------

/** Options shared by every mode. */
export interface RindexCommonOptions {
  /** Repository architecture (default: the machine's, `os.machine()`; xbps uses XBPS_TARGET_ARCH/XBPS_ARCH, then uname -m). */
  arch?: string;
  /** Repodata compression when it is rewritten (default zstd; xbps-rindex never keeps the old one). */
  compression?: Compression;
  /** Wait for `<arch>-repodata.lock` instead of failing with LOCKED (default true, as xbps-rindex waits). */
  wait?: boolean;
  /** Give up waiting for the lock after this many ms (default: forever). */
  lockTimeoutMs?: number;
  /** Hashing worker threads (default: one per core, at most 4; 0 hashes on the calling thread). */
  workers?: number;
  /** Receives the lines xbps-rindex would print ("index: added `foo-1.0_1' (x86_64).", ...). */
  log?: (line: string) => void;
  signal?: AbortSignal;
}

function archOf(options: RindexCommonOptions): string {
  if (options.arch !== undefined) {
    if (!/^[A-Za-z0-9_][A-Za-z0-9_.+-]*$/.test(options.arch)) throw new RepokitError('INVALID_ARGUMENT', `not an architecture name: ${JSON.stringify(options.arch)}`);
    return options.arch;
  }
  return nodeBuiltin<typeof import('node:os')>('node:os').machine();
}

function lockOptions(options: RindexCommonOptions): LockOptions {
  const o: LockOptions = { wait: options.wait ?? true, pollMs: 200 };
  if (options.lockTimeoutMs !== undefined) o.timeoutMs = options.lockTimeoutMs;
  if (options.signal !== undefined) o.signal = options.signal;
  return o;
}

/** The repodata in `dir` for `arch`, or an empty one when the file does not exist. */
async function loadRepodata(path: string): Promise<XbpsRepodata | undefined> {
  try {
    return await readRepodata(path);
  } catch (e) {
    if (isRepokitError(e) && e.code === 'IO_ERROR' && /ENOENT/.test(e.detail)) return undefined;
    throw e;
  }
}

async function saveRepodata(path: string, index: ReadonlyMap<string, XbpsIndexEntry>, stage: ReadonlyMap<string, XbpsIndexEntry>, meta: PlistDict | undefined, compression: Compression | undefined): Promise<void> {
  const bytes = await writeRepodata({ index, stage, meta }, compression === undefined ? {} : { compression });
  await writeFileAtomic(path, bytes, { mode: 0o664 });
}

/** The meta to carry forward: a dict meta as it was; `DEADBEEF`/empty mean unsigned. */
function metaOf(repo: XbpsRepodata | undefined): PlistDict | undefined {
  return repo?.meta?.dict;
}

/** Hash many files: through a worker pool when the files are big enough to be worth it. */
class Hasher {
  #pool: HashPool | undefined;
  constructor(workers: number, totalBytes: number) {
    // Below a few MiB, thread start-up costs more than it saves.
    if (workers > 0 && totalBytes >= 4 * 1024 * 1024) this.#pool = new HashPool(workers);
  }
  hash(path: string): Promise<FileHash> {
    return this.#pool ? this.#pool.hash(path) : hashFileHere(path);
  }
  async close(): Promise<void> {
    await this.#pool?.close();
  }
}

async function totalSize(paths: readonly string[]): Promise<number> {
  let n = 0;
  for (const p of paths) n += await fsp().stat(p).then((s) => s.size, () => 0);
  return n;
}

/** Map `fn` over `items` with at most `limit` in flight; results in input order. */
async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  let failed: { e: unknown } | undefined;
  const run = async (): Promise<void> => {
    while (failed === undefined && next < items.length) {
      const i = next++;
      try {
        out[i] = await fn(items[i]!, i);
      } catch (e) {
        failed ??= { e };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, run));
  if (failed) throw failed.e;
  return out;
}

/** Files up to this size are read whole on the calling thread: one open, one read, one-shot hash. */
const SMALL_FILE = 256 * 1024;

/**
 * A package as the indexer needs it: props.plist, SHA-256 and size. Small files are read whole
 * with synchronous calls (open, fstat, read, close: for cached small files far cheaper than four
 * thread-pool round trips) and parsed from memory; big ones have their head read here while a
 * worker hashes the whole file, so both cores work. Results are in `paths` order. `onRead` is told
 * the size of each file once it is read (for progress reports; the Repository facade uses it).
 */
export async function readForIndex(paths: readonly string[], options: RindexCommonOptions, onRead?: (size: number) => void): Promise<{ path: string; pkg: XbpsPackage }[]> {
  const fs = nodeBuiltin<NodeFs>('node:fs');
  const signal = options.signal ? { signal: options.signal } : {};
  const out = new Array<{ path: string; pkg: XbpsPackage }>(paths.length);
  const big: { i: number; size: number }[] = [];
  for (let i = 0; i < paths.length; i++) {
    const path = paths[i]!;
    options.signal?.throwIfAborted();
    let bytes: Uint8Array | undefined;
    let size = 0;
    let fd: number | undefined;
    try {
      fd = fs.openSync(path, 'r');
      size = fs.fstatSync(fd).size;
      if (size <= SMALL_FILE) {
        bytes = new Uint8Array(size);
        let got = 0;
        for (let n; got < size && (n = fs.readSync(fd, bytes, got, size - got, got)) > 0; ) got += n;
        if (got < size) bytes = bytes.subarray(0, got);
      }
    } catch (e) {
      throw new RepokitError('IO_ERROR', `cannot read: ${String((e as { code?: unknown }).code ?? e)}`, { file: path, cause: e });
    } finally {
      if (fd !== undefined) fs.closeSync(fd);
    }
    if (bytes === undefined) {
      big.push({ i, size });
      continue;
    }
    try {
      out[i] = { path, pkg: await readXbpsPackage(bytes, { files: false, ...signal }) };
    } catch (e) {
      if (isRepokitError(e)) e.withFile(path);
      throw e;
    }
    onRead?.(size);
  }
  if (big.length === 0) return out;
  const hasher = new Hasher(options.workers ?? defaultWorkerCount(), big.reduce((n, b) => n + b.size, 0));
  try {
    await mapLimit(big, 8, async ({ i }) => {
      const path = paths[i]!;
      const [head, h] = await Promise.all([readXbpsPackageHead(path, { files: false, ...signal }), hasher.hash(path)]);
      out[i] = { path, pkg: { ...head, sha256: h.sha256, size: h.size } };
      onRead?.(h.size);
    });
  } finally {
    await hasher.close();
  }
  return out;
}

// --- add -------------------------------------------------------------------------------------------

/** Options of {@link rindexAdd}. */
export interface RindexAddOptions extends RindexCommonOptions {
  /** Replace entries even when the pkgver is equal or older (`xbps-rindex -f`). */
  force?: boolean;
}

/** What {@link rindexAdd} did. */
export interface RindexAddResult {
  /** Path of the repodata file. */
  repodata: string;
  /** True when the repodata file was (re)written. */
  written: boolean;
  /** pkgvers that went into the stage and from there into the index (or stayed staged). */
  added: string[];
  /** Packages left out, with the reason. */
  skipped: { file: string; pkgver: string; reason: AddSkipReason }[];
  /** False when the stage could not be published (see {@link StageCommit}). */
  consistent: boolean;
  /** For an inconsistent stage: soname → index packages needing it. */
  missingShlibs: Map<string, string[]>;
}

/**
 * `xbps-rindex -a`: add packages to the repodata of their directory (all must be in one
 * directory). Packages of another architecture than the repository's (or `noarch`) are skipped,
 * newer pkgvers replace older ones, equal ones are skipped unless `force`; then the staging rule
 * decides between index and stage ({@link commitStage}). Nothing is written when nothing was added
 * and nothing was staged before.
 */
export async function rindexAdd(packages: readonly string[], options: RindexAddOptions = {}): Promise<RindexAddResult> {
  if (packages.length === 0) throw new RepokitError('INVALID_ARGUMENT', 'no packages to add');
  const p = pathm();
  const arch = archOf(options);
  const dir = p.dirname(p.resolve(packages[0]!));
  const files = packages.map((f) => p.resolve(f));
  for (const f of files) {
    if (p.dirname(f) !== dir) throw new RepokitError('XBPS_NOT_INDEXABLE', `${f} is not in the repository directory ${dir} (all packages must be in the first one's directory)`, { file: f });
  }
  const repodataPath = p.join(dir, repodataFileName(arch));
  const log = options.log ?? (() => undefined);
  return withLockFile(`${repodataPath}.lock`, async () => {
    const repo = await loadRepodata(repodataPath);
    const index = new Map(repo?.index ?? []);
    const stage = new Map(repo?.stage ?? []);
    const hadStage = stage.size > 0;
    const read = await readForIndex(files, options);
    const added: string[] = [];
    const skipped: RindexAddResult['skipped'] = [];
    for (const { path, pkg } of read) {
      if (pkg.architecture !== arch && pkg.architecture !== 'noarch') {
        log(`index: ignoring ${pkg.pkgver}, unmatched arch (${pkg.architecture})`);
        skipped.push({ file: path, pkgver: pkg.pkgver, reason: 'unmatched-arch' });
        continue;
      }
      const name = pkgverName(pkg.pkgver);
      if (name === undefined) throw new RepokitError('XBPS_BAD_PACKAGE', `props.plist pkgver "${pkg.pkgver}" is not name-version_revision`, { file: path });
      const entry = indexEntryFromPackage(pkg, name);
      const why = addDecision(entry, index, stage, options.force ?? false);
      if (why !== undefined) {
        log(`index: skipping \`${pkg.pkgver}' (${arch}), already registered.`);
        skipped.push({ file: path, pkgver: pkg.pkgver, reason: why });
        continue;
      }
      stage.set(name, entry);
      added.push(pkg.pkgver);
    }
    if (added.length === 0 && !hadStage) {
      return { repodata: repodataPath, written: false, added, skipped, consistent: true, missingShlibs: new Map() };
    }
    const commit = commitStage(index, stage);
    if (commit.consistent) {
      for (const e of stage.values()) log(`index: added \`${e.pkgver}' (${arch}).`);
    } else {
      for (const [so, users] of commit.missingShlibs) log(`Inconsistent shlibs: ${so} (needed by ${users.join(', ')})`);
      for (const e of stage.values()) log(`stage: added \`${e.pkgver}' (${arch})`);
    }
    await saveRepodata(repodataPath, commit.index, commit.stage, metaOf(repo), options.compression);
    log(`index: ${commit.index.size} packages registered.`);
    return { repodata: repodataPath, written: true, added, skipped, consistent: commit.consistent, missingShlibs: commit.missingShlibs };
  }, lockOptions(options));
}

/** The `.xbps` files of `dir` for `arch`: `*.<arch>.xbps` and `*.noarch.xbps`, sorted by name. */
export async function repositoryPackages(dir: string, arch: string): Promise<string[]> {
  let names: string[];
  try {
    names = await fsp().readdir(dir);
  } catch (e) {
    throw new RepokitError('IO_ERROR', `cannot list: ${String((e as { code?: unknown }).code ?? e)}`, { file: dir, cause: e });
  }
  return names
    .filter((n) => {
      const f = parseXbpsFileName(n);
      return f !== undefined && (f.arch === arch || f.arch === 'noarch');
    })
    .sort()
    .map((n) => pathm().join(dir, n));
}

// --- clean -----------------------------------------------------------------------------------------

/** Options of {@link rindexClean}. */
export interface RindexCleanOptions extends RindexCommonOptions {
  /** Also drop entries whose file's SHA-256 differs from `filename-sha256` (default true; xbps-rindex needs -C for this). */
  hashCheck?: boolean;
}

/** What {@link rindexClean} did. */
export interface RindexCleanResult {
  repodata: string;
  written: boolean;
  /** pkgvers removed from the index or stage, with the reason. */
  removed: { pkgver: string; from: 'index' | 'stage'; reason: 'missing' | 'hash-mismatch' }[];
}

/**
 * `xbps-rindex -c` (with `-C` by default): drop index and stage entries whose package file is
 * missing or unreadable, or whose SHA-256 differs from `filename-sha256`. Rewrites the repodata
 * only when something was dropped; does not try to unstage.
 */
export async function rindexClean(dir: string, options: RindexCleanOptions = {}): Promise<RindexCleanResult> {
  const arch = archOf(options);
  const repodataPath = pathm().join(dir, repodataFileName(arch));
  const log = options.log ?? (() => undefined);
  return withLockFile(`${repodataPath}.lock`, async () => {
    const repo = await readRepodata(repodataPath);
    const check = options.hashCheck ?? true;
    const all = [...[...repo.index.values()].map((e) => ({ e, from: 'index' as const })), ...[...repo.stage.values()].map((e) => ({ e, from: 'stage' as const }))];
    const paths = all.map(({ e }) => pathm().join(dir, entryFileName(e)));
    const hasher = new Hasher(check ? (options.workers ?? defaultWorkerCount()) : 0, check ? await totalSize(paths) : 0);
    let verdicts: ('ok' | 'missing' | 'hash-mismatch')[];
    try {
      verdicts = await mapLimit(all, 8, async ({ e }, i) => {
        const path = paths[i]!;
        if (!check) return fsp().access(path, nodeBuiltin<NodeFs>('node:fs').constants.R_OK).then(() => 'ok' as const, () => 'missing' as const);
        try {
          const h = await hasher.hash(path);
          return h.sha256 === entrySha256(e)?.toLowerCase() ? 'ok' : 'hash-mismatch';
        } catch (err) {
          if (isRepokitError(err) && err.code === 'IO_ERROR') return 'missing';
          throw err;
        }
      });
    } finally {
      await hasher.close();
    }
    const removed: RindexCleanResult['removed'] = [];
    const index = new Map(repo.index);
    const stage = new Map(repo.stage);
    all.forEach(({ e, from }, i) => {
      const v = verdicts[i]!;
      if (v === 'ok') return;
      (from === 'index' ? index : stage).delete(e.pkgname);
      removed.push({ pkgver: e.pkgver, from, reason: v });
      log(`index: removed ${from === 'stage' ? 'staged ' : ''}pkg ${e.pkgver}${v === 'hash-mismatch' ? ' (sha256 mismatch)' : ''}`);
    });
    if (removed.length === 0) return { repodata: repodataPath, written: false, removed };
    await saveRepodata(repodataPath, index, stage, metaOf(repo), options.compression);
    return { repodata: repodataPath, written: true, removed };
  }, lockOptions(options));
}

// --- remove obsoletes ------------------------------------------------------------------------------

/**
 * `xbps-rindex -r`: delete every `*.<arch>.xbps` / `*.noarch.xbps` in `dir` whose pkgver is not the
 * pkgver of the same-named entry in the index or the stage, with its `.sig` and `.sig2`. Returns
 * the deleted package paths.
 */
export async function rindexRemoveObsoletes(dir: string, options: RindexCommonOptions = {}): Promise<string[]> {
  const arch = archOf(options);
  const repodataPath = pathm().join(dir, repodataFileName(arch));
  const log = options.log ?? (() => undefined);
  return withLockFile(`${repodataPath}.lock`, async () => {
    const repo = await readRepodata(repodataPath);
    const removed: string[] = [];
    for (const path of await repositoryPackages(dir, arch)) {
      const { pkgver } = parseXbpsFileName(path)!;
      const name = pkgverName(pkgver);
      const current = name === undefined ? [] : [repo.index.get(name)?.pkgver, repo.stage.get(name)?.pkgver];
      if (current.includes(pkgver)) continue;
      for (const f of [path, `${path}.sig`, `${path}.sig2`]) {
        await fsp().unlink(f).catch((e: { code?: string }) => {
          if (e.code !== 'ENOENT') throw new RepokitError('IO_ERROR', `cannot unlink: ${String(e.code)}`, { file: f, cause: e });
        });
      }
      log(`Removed obsolete package \`${pathm().basename(path)}'.`);
      removed.push(path);
    }
    return removed;
  }, lockOptions(options));
}

// --- sign ------------------------------------------------------------------------------------------

/** Options of {@link rindexSign}. */
export interface RindexSignOptions extends RindexCommonOptions {
  /** RSA private key (PEM), or only its public half when `publicKeyOnly` signing of the repodata is wanted. */
  key: string | Uint8Array;
  /** `--signedby`: who signs, e.g. "Void Linux". */
  signedBy: string;
  /** Passphrase of an encrypted key. */
  passphrase?: string;
}

/** What {@link rindexSign} did. */
export interface RindexSignResult {
  repodata: string;
  /** False when the meta already held this key and signer. */
  written: boolean;
  publicKeySize: number;
}

/**
 * `xbps-rindex -s`: record the repository key in `index-meta.plist` (`public-key` as PEM,
 * `public-key-size` in bits, `signature-by`, `signature-type` "rsa"). The key may be the private
 * key or just the public one (the meta holds only the public half). Requires a non-empty index;
 * rewrites only when key, size or signer changed.
 */
export async function rindexSign(dir: string, options: RindexSignOptions): Promise<RindexSignResult> {
  const arch = archOf(options);
  const repodataPath = pathm().join(dir, repodataFileName(arch));
  const { publicKey, publicKeySize } = publicKeyInfo(options.key, options.passphrase);
  if (options.signedBy === '') throw new RepokitError('INVALID_ARGUMENT', 'signedBy must not be empty');
  return withLockFile(`${repodataPath}.lock`, async () => {
    const repo = await readRepodata(repodataPath);
    if (repo.index.size === 0) throw new RepokitError('XBPS_BAD_REPODATA', 'cannot sign an empty repository index', { file: repodataPath });
    const old = repo.meta;
    const same =
      old !== undefined &&
      old.signatureBy === options.signedBy &&
      old.publicKeySize === publicKeySize &&
      old.publicKey !== undefined &&
      new TextDecoder().decode(old.publicKey) === new TextDecoder().decode(publicKey);
    if (same) return { repodata: repodataPath, written: false, publicKeySize };
    const meta = repoMetaDict(publicKey, publicKeySize, options.signedBy);
    await saveRepodata(repodataPath, repo.index, repo.stage, meta, options.compression);
    options.log?.(`Initialized signed repository (${repo.index.size} packages)`);
    return { repodata: repodataPath, written: true, publicKeySize };
  }, lockOptions(options));
}

/** Options of {@link signPackages}. */
export interface SignPackagesOptions {
  /** RSA private key (PEM). */
  key: string | Uint8Array;
  passphrase?: string;
  /** Overwrite existing signature files (`-f`). */
  force?: boolean;
  /** Also write the legacy `.sig` for xbps ≤ 0.59 clients (default false). */
  legacy?: boolean;
  /** Hashing worker threads (default: one per core, at most 4; 0 hashes on the calling thread). */
  workers?: number;
  /** Receives the lines xbps-rindex would print ("signed successfully <file>", ...). */
  log?: (line: string) => void;
}

/**
 * `xbps-rindex -S`: write `<pkg>.sig2` (RSA PKCS#1 v1.5 SHA-256 over the whole file) next to each
 * package, skipping packages that already have one unless `force`. Returns the signature files
 * written.
 */
export async function signPackages(packages: readonly string[], options: SignPackagesOptions): Promise<string[]> {
  // Fail on a bad key before hashing anything.
  publicKeyInfo(options.key, options.passphrase);
  const exists = (f: string) => fsp().access(f).then(() => true, () => false);
  const todo: string[] = [];
  for (const p of packages) {
    const sigs = options.legacy ? [`${p}.sig2`, `${p}.sig`] : [`${p}.sig2`];
    if (options.force || !(await Promise.all(sigs.map(exists))).every(Boolean)) todo.push(p);
  }
  const hasher = new Hasher(options.workers ?? defaultWorkerCount(), await totalSize(todo));
  const written: string[] = [];
  try {
    const hashes = await mapLimit(todo, 8, (p) => hasher.hash(p));
    for (let i = 0; i < todo.length; i++) {
      const p = todo[i]!;
      const sign = options.passphrase === undefined ? {} : { passphrase: options.passphrase };
      await writeFileAtomic(`${p}.sig2`, signPackage(hashes[i]!.sha256, options.key, sign), { mode: 0o644 });
      written.push(`${p}.sig2`);
      if (options.legacy) {
        await writeFileAtomic(`${p}.sig`, signPackage(hashes[i]!.sha256, options.key, { ...sign, kind: 'sig' }), { mode: 0o644 });
        written.push(`${p}.sig`);
      }
      options.log?.(`signed successfully ${pathm().basename(p)}`);
    }
  } finally {
    await hasher.close();
  }
  return written;
}

/** The packages an index refers to, as paths in `dir` (index and stage entries). */
export function indexedPackagePaths(repo: XbpsRepodata, dir: string): string[] {
  const out: string[] = [];
  for (const e of [...repo.index.values(), ...repo.stage.values()]) if (entryArch(e) !== undefined) out.push(pathm().join(dir, entryFileName(e)));
  return out;
}
