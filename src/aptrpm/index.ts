/**
 * repokit/aptrpm — apt-rpm (ALT Linux) repository indexes: pkglists and srclists as ALT's
 * genpkglist/gensrclist write them, release files as genbasedir writes them, and repository trees.
 *
 * Pure: {@link buildPkglist}, {@link pkglistHeader}, {@link buildSrclist}, {@link parsePkglist},
 * {@link formatRelease}, {@link formatComponentRelease}, {@link parseRelease}.
 * Edge (Node): {@link readPkglist} (streaming, compressed lists), {@link scanPackageFiles},
 * {@link buildArchIndexes}, {@link verifyArch}, {@link AptRpmRepository}.
 */
export { CRPMTAG, PKGLIST_COPIED_TAGS, SRCLIST_COPIED_TAGS } from './tags.js';
export {
  binaryIndex,
  buildPkglist,
  buildPkglistHeaders,
  buildSrclist,
  buildSrclistHeaders,
  collectPathDependencies,
  comparePackageRecords,
  isBinaryHeader,
  pkglistContext,
  pkglistHeader,
  srclistHeader,
  usefulFile,
  type ChangelogPolicy,
  type PackageFileInfo,
  type PackageRecord,
  type PkglistBuild,
  type PkglistContext,
  type PkglistOptions,
  type SrclistOptions,
} from './pkglist.js';
export { parsePkglist, readPkglist, readPkglistHeaders, type PkglistEntry, type PkglistInput, type ReadPkglistOptions } from './reader.js';
export {
  formatComponentRelease,
  formatRelease,
  formatReleaseDate,
  parseRelease,
  type ComponentReleaseFields,
  type ParsedRelease,
  type ReleaseChecksum,
  type ReleaseFields,
  type ReleaseFile,
} from './release.js';
export { hashFilesInOrder, scanPackageFileSync, scanPackageFiles, type FileDigests, type ScanOptions, type ScannedPackage } from './scan.js';
export {
  AptRpmRepository,
  buildArchIndexes,
  checkArch,
  dropArchIndexes,
  listArches,
  listComponents,
  verifyArch,
  type AddedPackage,
  type ComponentIndex,
  type IndexOptions,
  type IndexResult,
  type ListCompression,
  type ReleaseOptions,
  type RemovedPackage,
  type RepositoryOptions,
  type VerifiedFile,
  type VerifyOptions,
  type VerifyReport,
} from './repository.js';
