/**
 * Options and results of the Repository facade.
 */
import type { Compression } from '../shared/compression.js';
import type { DbSigner } from '../alpm/sync-db-write.js';
import type { DbVerifier } from '../alpm/gpg.js';
import type { PackageView, RepositoryFormat } from './view.js';

/** One progress report of a long operation. */
export interface ProgressEvent {
  /** `load` (reading the index), `read` (reading and hashing package files), `write` (replacing index files). */
  phase: 'load' | 'read' | 'write';
  /** Items of this phase done so far (files read, files written); never decreases within a phase. */
  done: number;
  /** Items of this phase in all; the last event of a phase has `done === total`. */
  total: number;
  /** Bytes of package files read so far (`read`), else 0. */
  bytes: number;
  /** Bytes of all package files of the `read` phase. */
  totalBytes?: number;
}

/** Options every long operation takes. */
export interface OperationOptions {
  /** Cancels the operation: it rejects with RepokitError `ABORTED` and nothing on disk has changed. */
  signal?: AbortSignal;
  /** Called as the operation advances (synchronously; keep it cheap). */
  onProgress?: (event: ProgressEvent) => void;
  /**
   * Worker threads for reading and hashing package files (default: the format's own choice, which
   * uses every core for large batches; 1 reads on the calling thread). The output is the same
   * whatever the count.
   */
  concurrency?: number;
}

/** Options of {@link Repository.open}. */
export interface OpenOptions extends OperationOptions {
  format: RepositoryFormat;
  /**
   * The repository directory: where `<name>.db.tar.*` (alpm) or `<arch>-repodata` (xbps) live, next
   * to the packages; for aptrpm the tree's root, holding `<arch>/RPMS.<component>/` and `<arch>/base/`.
   */
  dir: string;
  /** alpm: the repository name (`<name>.db`); default: the directory's base name. */
  name?: string;
  /**
   * xbps: the repository architecture (default: the machine's, as xbps-rindex). alpm and aptrpm:
   * accept only packages of this architecture (and `any` / `noarch`); default: every architecture.
   */
  arch?: string;
  /** aptrpm: the component packages are added to (default `classic`). */
  component?: string;
  /**
   * alpm: the database compression (default: the existing database's, else gzip). xbps: the
   * repodata compression (default zstd). aptrpm: the compressed pkglist published beside the
   * plain one: `xz` (default), `bzip2` or `none`.
   */
  compression?: Compression;
  /** When the lock is held by another process: `wait` (default) for it, or `fail` at once with `LOCKED`. */
  lock?: 'wait' | 'fail';
  /** With `lock: 'wait'`: give up with `LOCKED` after this many milliseconds (default 60 000). */
  lockTimeoutMs?: number;
  /** alpm: embed `<pkg>.sig` as `%PGPSIG%` (repo-add `--include-sigs`). */
  includeSignatures?: boolean;
  /**
   * alpm: sign both database archives at every write (repo-add `-s`; `gpgSigner({ key })` runs
   * gpg): `<archive>.sig` and the `<name>.db.sig`, `<name>.files.sig` links, listed in
   * `WriteResult.files`. A database without signatures is rewritten (and signed) by the next
   * `write` even if nothing changed. A failing signer writes nothing (ALPM_DB_SIGN_FAILED).
   */
  sign?: DbSigner;
  /**
   * alpm: check the database against its `<archive>.sig` whenever it is read — by `open`,
   * `discard`, and by `write` under the lock before anything changes (repo-add `-v`;
   * `gpgVerifier()` runs gpg). A signature that does not verify is ALPM_DB_BAD_SIGNATURE; a
   * missing one is a warning of `write`.
   */
  verify?: DbVerifier;
  /**
   * alpm: keep the archives being replaced as `<archive>.old` (and their signatures as
   * `<archive>.old.sig`), as repo-add does (default false here; repoAdd and the CLI default to
   * true). They are listed in `WriteResult.files`.
   */
  backup?: boolean;
}

/** Options of {@link Repository.add}. */
export interface AddOptions extends OperationOptions {
  /** Also replace a package by an equal or older version (default false: those are skipped). */
  force?: boolean;
}

/** Why a file given to `add` was left out. */
export type SkipReason =
  /** The same version of the package is already in the index. */
  | 'already-present'
  /** The index holds a newer version. */
  | 'older'
  /** The package's architecture is not the repository's. */
  | 'wrong-arch'
  /** The same package (same name and version) came earlier in the same batch. */
  | 'duplicate'
  /** The file is not a package of the repository's format (or not a package at all). */
  | 'not-a-package'
  /** aptrpm: a source RPM (only binary packages go into pkglists). */
  | 'source-package';

/** What `add` (and the replay in `write`) did with the files given. */
export interface AddResult {
  added: PackageView[];
  replaced: { old: PackageView; new: PackageView }[];
  skipped: { path: string; reason: SkipReason; message: string; package?: PackageView }[];
}

/** What `remove` did. */
export interface RemoveResult {
  removed: PackageView[];
  /** Names that matched no package. */
  missing: string[];
}

/** Options of {@link Repository.write}. */
export interface WriteOptions extends OperationOptions {
  /** Rewrite the index even when nothing changed and it exists (default false). */
  rewrite?: boolean;
}

/** What `write` did: the staged operations replayed onto the index on disk, and the files replaced. */
export interface WriteResult {
  /** False when nothing changed and the index already existed (nothing was written). */
  written: boolean;
  /** Index files written (absolute paths); for alpm also the signatures and `.old` backups made. */
  files: string[];
  /** Package files copied into the repository (aptrpm) or removed from it (aptrpm, on remove/replace). */
  packageFiles: { copied: string[]; deleted: string[] };
  /** The replayed `add`s, against the index as it was on disk under the lock. */
  add: AddResult;
  /** The replayed `remove`s. */
  remove: RemoveResult;
  /** Packages in the index after the write. */
  packages: number;
  /** Things worth telling (e.g. xbps packages kept staged for shlib consistency). */
  warnings: string[];
}
