/**
 * Barrel of the XBPS codecs: the proplib plist dialect, props.plist/files.plist views, pkgver
 * parsing, `xbps_cmpver` and dependency patterns. All pure (no node: imports).
 *
 * API summary (for the repository part, which builds on these):
 *
 * ```ts
 * // Value model (types.ts)
 * type PlistDict = Map<string, PlistValue>;            // keys in read order; writer sorts
 * type PlistArray = PlistValue[];
 * interface PlistInteger { type: 'integer'; value: bigint; unsigned: boolean }
 * type PlistValue = string | boolean | PlistInteger | Uint8Array | PlistArray | PlistDict;
 * type PlistInput = PlistValue | number | bigint (recursively, in arrays and Maps);
 * plistInteger(v: number | bigint, unsigned = v >= 0): PlistInteger
 * integerValue(i: PlistInteger): number | bigint      // number when safe
 * isPlistInteger(v), isPlistDict(v), plistType(v), plistEqual(a, b)
 *
 * // Reader (plist-parse.ts)
 * parsePlist(input: string | Uint8Array, options?: ParsePlistOptions): PlistDict | PlistArray
 * parsePlistDict(input: string | Uint8Array, options?: ParsePlistOptions): PlistDict  // 0 bytes -> empty Map
 * interface ParsePlistOptions { maxBytes?; maxDepth?; maxValues?; file? }
 *
 * // Writer (plist-write.ts)
 * writePlist(value: PlistInput, options?: WritePlistOptions): Uint8Array  // byte-identical to proplib
 * formatPlist(value: PlistInput, options?: WritePlistOptions): string
 * compareUtf8(a, b): number                           // proplib's key order
 *
 * // props.plist / files.plist (props.ts)
 * readProps(dict: PlistDict, options?: { file? }): XbpsProps  // typed view, `raw` keeps the dict; throws XBPS_BAD_PROPS
 * propsToPlist(props: XbpsPropsInput): PlistDict     // what xbps-create writes
 * readFiles(dict: PlistDict, options?): XbpsFiles; filesToPlist(files: XbpsFilesInput): PlistDict
 *
 * // pkgver (pkgver.ts)
 * parsePkgver(s): Pkgver {pkgver,name,version,versionOnly,revision} (throws XBPS_BAD_PKGVER); tryParsePkgver, isPkgver
 * pkgverName(s), pkgverVersion(s), pkgverRevision(s): string | undefined  // xbps_pkg_name/_version/_revision
 * parseBinpkgFilename(name): { pkgver, arch } | undefined                  // xbps_binpkg_pkgver/_arch
 *
 * // Versions and patterns (cmpver.ts)
 * cmpver(a, b): -1 | 0 | 1                             // xbps_cmpver, 32-bit wrap included
 * comparePackages(a: PackageVersionInfo, b: PackageVersionInfo): -1 | 0 | 1  // with `reverts`
 * pkgReverts(pkg, pkgver): boolean                     // xbps_pkg_reverts
 * pkgpatternMatch(pkgver, pattern): boolean            // xbps_pkgpattern_match
 * pkgpatternName(pattern), pkgpatternVersion(pattern), dependencyName(dep), fnmatch(pattern, s)
 * ```
 */
export * from './types.js';
export {
  parsePlist,
  parsePlistDict,
  PLIST_DEFAULT_MAX_BYTES,
  PLIST_DEFAULT_MAX_DEPTH,
  PLIST_DEFAULT_MAX_VALUES,
  PLIST_MAX_KEY_BYTES,
  type ParsePlistOptions,
} from './plist-parse.js';
export { writePlist, formatPlist, compareUtf8, PLIST_HEADER, PLIST_FOOTER, type WritePlistOptions } from './plist-write.js';
export {
  readProps,
  propsToPlist,
  readFiles,
  filesToPlist,
  type XbpsProps,
  type XbpsPropsInput,
  type XbpsAlternatives,
  type XbpsFiles,
  type XbpsFilesInput,
  type XbpsFileEntry,
  type XbpsLinkEntry,
  type ReadPropsOptions,
} from './props.js';
export {
  parsePkgver,
  tryParsePkgver,
  isPkgver,
  pkgverName,
  pkgverVersion,
  pkgverRevision,
  parseBinpkgFilename,
  binpkgFilename,
  XBPS_MAX_NAME_BYTES,
  type Pkgver,
} from './pkgver.js';
export {
  cmpver,
  comparePackages,
  pkgReverts,
  pkgpatternMatch,
  pkgpatternName,
  pkgpatternVersion,
  dependencyName,
  fnmatch,
  type PackageVersionInfo,
} from './cmpver.js';
