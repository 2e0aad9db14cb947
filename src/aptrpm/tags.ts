/**
 * Tag numbers of apt-rpm indexes: ALT's private CRPMTAG_* tags and the rpm tags genpkglist and
 * gensrclist copy from a package's main header (reference aptrpm.md §4.1-4.3, §5).
 */

/** ALT apt's private tags (apt-repo-tools `crpmtag.h`), all above rpm's own tag range. */
export const CRPMTAG = {
  /** STRING: the package file name, e.g. `foo-1.0-alt1.x86_64.rpm`. */
  FILENAME: 1000000,
  /** INT32: the package file size in bytes. */
  FILESIZE: 1000001,
  /** STRING: lowercase hex MD5 of the package file. */
  MD5: 1000005,
  /** STRING: lowercase hex BLAKE2b-512 of the package file (apt-repo-tools >= 0.8). */
  BLAKE2B: 1000009,
  /** STRING: where the file lives relative to the dist directory, e.g. `RPMS.classic`. */
  DIRECTORY: 1000010,
  /** STRING_ARRAY (srclist only): names of the binary packages built from this source package. */
  BINARY: 1000011,
} as const;

/** rpm tags used by the generators by name. */
export const TAG = {
  HEADERI18NTABLE: 100,
  NAME: 1000,
  VERSION: 1001,
  RELEASE: 1002,
  EPOCH: 1003,
  SUMMARY: 1004,
  DESCRIPTION: 1005,
  BUILDTIME: 1006,
  SIZE: 1009,
  VENDOR: 1011,
  PACKAGER: 1015,
  GROUP: 1016,
  ARCH: 1022,
  SOURCERPM: 1044,
  PROVIDENAME: 1047,
  REQUIREFLAGS: 1048,
  REQUIRENAME: 1049,
  REQUIREVERSION: 1050,
  CONFLICTFLAGS: 1053,
  CONFLICTNAME: 1054,
  CONFLICTVERSION: 1055,
  CHANGELOGTIME: 1080,
  CHANGELOGNAME: 1081,
  CHANGELOGTEXT: 1082,
  OBSOLETENAME: 1090,
  SOURCEPACKAGE: 1106,
  PROVIDEFLAGS: 1112,
  PROVIDEVERSION: 1113,
  OBSOLETEFLAGS: 1114,
  OBSOLETEVERSION: 1115,
  DIRINDEXES: 1116,
  BASENAMES: 1117,
  DIRNAMES: 1118,
  DISTTAG: 1155,
} as const;

/**
 * The main-header tags genpkglist copies raw into a pkglist header (apt-repo-tools 0.6.0.20's list
 * plus DISTTAG, which current ALT output carries). Absent tags are skipped.
 */
export const PKGLIST_COPIED_TAGS: readonly number[] = Object.freeze([
  TAG.HEADERI18NTABLE,
  TAG.NAME,
  TAG.VERSION,
  TAG.RELEASE,
  TAG.EPOCH,
  TAG.SUMMARY,
  TAG.DESCRIPTION,
  TAG.BUILDTIME,
  TAG.SIZE,
  TAG.VENDOR,
  TAG.PACKAGER,
  TAG.GROUP,
  TAG.ARCH,
  TAG.SOURCERPM,
  TAG.PROVIDENAME,
  TAG.REQUIREFLAGS,
  TAG.REQUIRENAME,
  TAG.REQUIREVERSION,
  TAG.CONFLICTFLAGS,
  TAG.CONFLICTNAME,
  TAG.CONFLICTVERSION,
  TAG.OBSOLETENAME,
  TAG.PROVIDEFLAGS,
  TAG.PROVIDEVERSION,
  TAG.OBSOLETEFLAGS,
  TAG.OBSOLETEVERSION,
  TAG.DISTTAG,
]);

/** The main-header tags gensrclist copies raw into a srclist header. */
export const SRCLIST_COPIED_TAGS: readonly number[] = Object.freeze([
  TAG.HEADERI18NTABLE,
  TAG.NAME,
  TAG.VERSION,
  TAG.RELEASE,
  TAG.EPOCH,
  TAG.SUMMARY,
  TAG.DESCRIPTION,
  TAG.SIZE,
  TAG.VENDOR,
  TAG.PACKAGER,
  TAG.GROUP,
  TAG.ARCH,
  TAG.REQUIREFLAGS,
  TAG.REQUIRENAME,
  TAG.REQUIREVERSION,
]);

/** Dependency-name tags whose `/…` entries make a file "useful" (genpkglist's findDepFiles). */
export const PATH_DEPENDENCY_TAGS: readonly number[] = Object.freeze([
  TAG.REQUIRENAME,
  TAG.PROVIDENAME,
  TAG.CONFLICTNAME,
  TAG.OBSOLETENAME,
]);
