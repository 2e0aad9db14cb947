/**
 * The ALPM codecs: pure text/bytes in, typed values out, and back (no I/O).
 *
 * desc / depends / files (sync database entries):
 *   decodeDesc(text: string | Uint8Array, options?: DecodeDescOptions): Decoded<DescEntry>
 *   decodeEntry(texts: { desc?, depends?, files? }, options?: DecodeEntryOptions): Decoded<DescEntry>
 *   validateDesc(text, options?): AlpmIssue[]
 *   encodeDesc(entry: DescEntry, options?: { version?: 1 | 2; layout?: 'merged' | 'split' | 'xpkg'; keepUnknown?: boolean }): string
 *   encodeDepends(entry: DescEntry, options?: { layout?: 'split' | 'xpkg' }): string
 *   decodeLocalDesc(text, options?) / encodeLocalDesc(entry): the local database's desc (pacman -U/-S)
 *   decodeFiles(text, options?): Decoded<FilesEntry>;  validateFiles(text, options?): AlpmIssue[]
 *   encodeFiles(files: readonly string[] | FilesEntry, options?: { layout?: 'sync' | 'local' }): string
 *   emptyDescEntry(): DescEntry;  DESC_SECTIONS
 *   Strict failures throw AlpmValidationError (a RepokitError with `problems: AlpmIssue[]`).
 * Names and versions:
 *   splitEntryName(dir): { name, version };  entryDirName(entry)
 *   parsePackageFileName(name): PackageFileName;  formatPackageFileName(parts)
 *   parseVersion(v, { requireRel? }): PackageVersion;  formatVersion(v);  vercmp(a, b): -1 | 0 | 1
 * Dependencies:
 *   parseDependency(text): Dependency (libalpm, never throws);  parseRelation(text, kind) (validated)
 *   formatDependency(dep);  parseSoname(text);  satisfies(dep, name, version)
 * .PKGINFO / .BUILDINFO:
 *   decodePkginfo(text, { mode? }): Decoded<Pkginfo>;  encodePkginfo(p);  validatePkginfo(text)
 *   descEntryFromPkginfo(pkginfoText | Pkginfo, { filename, csize, sha256sum, md5sum?, pgpsig? }): DescEntry
 *     (what repo-add puts in desc; then encodeDesc(entry, { version }) is repo-add's desc byte for byte)
 *   decodeBuildinfo(text, { mode? }): Decoded<Buildinfo>;  validateBuildinfo(text)
 */
export * from './types.js';
export * from './validate.js';
export {
  decodeDesc,
  decodeEntry,
  validateDesc,
  encodeDesc,
  encodeDepends,
  decodeLocalDesc,
  encodeLocalDesc,
  LOCAL_DESC_SECTIONS,
  decodeFiles,
  validateFiles,
  encodeFiles,
  type DescVersion,
  type DecodeDescOptions,
  type DecodeEntryOptions,
  type EntryTexts,
  type EncodeDescOptions,
  type EncodeDependsOptions,
  type EncodeFilesOptions,
  type FilesEntry,
} from './desc.js';
export * from './filename.js';
export * from './dependency.js';
export { vercmp, rpmvercmpAlpm } from './vercmp.js';
export { MAX_LINE_LENGTH, compareCodePoints } from './text.js';
export {
  decodePkginfo,
  validatePkginfo,
  encodePkginfo,
  emptyPkginfo,
  splitKeyValue,
  readPkginfoLikeRepoAdd,
  descEntryFromPkginfo,
  type Pkginfo,
  type ExtendedData,
  type UnknownKey,
  type DecodeKeyValueOptions,
  type RepoAddFields,
  type PackageFileFacts,
} from './pkginfo.js';
export { decodeBuildinfo, validateBuildinfo, type Buildinfo } from './buildinfo.js';
