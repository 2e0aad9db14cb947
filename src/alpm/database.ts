/**
 * Packages and sync databases: reading package files, reading and writing `.db`/`.files`
 * archives, and repo-add's add/remove/verify under its lock file.
 */
export {
  readPackage,
  packageDescEntry,
  signatureToPgpsig,
  isListedInFiles,
  sortFileList,
  PACKAGE_LIMITS,
  MAX_SIGNATURE_SIZE,
  type PackageInput,
  type ReadPackageOptions,
  type AlpmPackageFile,
  type PackageDescOptions,
} from './package.js';
export {
  readSyncDb,
  parseSyncDbTar,
  SYNC_DB_LIMITS,
  type SyncDb,
  type SyncDbEntry,
  type EntryMembers,
  type ReadSyncDbOptions,
} from './sync-db-read.js';
export {
  writeSyncDb,
  buildSyncDb,
  syncDbTar,
  syncDbFileName,
  installArchives,
  type SyncDbWriteOptions,
  type SyncDbWriteEntry,
  type SyncDbArchives,
  type WrittenSyncDb,
  type DbSigner,
  type InstallOptions,
} from './sync-db-write.js';
export { gpgSigner, gpgVerifier, type DbVerifier, type GpgOptions, type GpgSignerOptions } from './gpg.js';
export {
  repoAdd,
  repoRemove,
  repoVerify,
  readRepo,
  resolveDbPath,
  type DbPath,
  type RepoState,
  type RepoAddOptions,
  type RepoAddOutcome,
  type RepoRemoveOptions,
  type RepoSignOptions,
  type RepoChange,
  type VerifyProblem,
  type VerifyReport,
} from './repo.js';
