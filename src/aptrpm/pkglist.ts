/**
 * pkglist and srclist generation, as ALT's genpkglist and gensrclist (apt-repo-tools) write them
 * (reference aptrpm.md §4.1-4.3, §5). Pure: parsed package headers and file facts in, header
 * blobs out; reading files and hashing them happens in repository.ts.
 */
import { RepokitError } from '../shared/errors.js';
import { concatBytes, decodeUtf8 } from '../shared/bytes.js';
import { RpmType, type Header } from '../rpm/index.js';
import {
  encodeRawHeader,
  int32ArrayEntry,
  int32Entry,
  rawEntryOf,
  splitStrings,
  stringArrayEntry,
  stringArrayEntryFromBytes,
  stringEntry,
  type RawEntry,
} from './raw-header.js';
import { CRPMTAG, PATH_DEPENDENCY_TAGS, PKGLIST_COPIED_TAGS, SRCLIST_COPIED_TAGS, TAG } from './tags.js';

/** What a pkglist says about the package file itself. */
export interface PackageFileInfo {
  /** File name inside `RPMS.<component>/` (or `SRPMS.<component>/`), e.g. `foo-1.0-alt1.x86_64.rpm`. */
  name: string;
  /** File size in bytes (at most 2³²−1: CRPMTAG_FILESIZE is an INT32). */
  size: number;
  /** Lowercase hex MD5 of the file (32 digits). */
  md5: string;
  /** Lowercase hex BLAKE2b-512 of the file (128 digits); omitted from the header when absent. */
  blake2b?: string | undefined;
}

/** A package for an index: its main header (from readRpm) and its file facts. */
export interface PackageRecord {
  header: Header;
  file: PackageFileInfo;
}

/**
 * Which changelog entries to copy (CHANGELOGTIME/NAME/TEXT): `'all'`, `'none'`, or genpkglist's
 * `--changelog-since`: the entries at or after `since` (Unix seconds; entries are newest first)
 * plus the one before them.
 */
export type ChangelogPolicy = 'all' | 'none' | { since: number };

export interface PkglistOptions {
  /** Component name (`classic` by default); CRPMTAG_DIRECTORY becomes `RPMS.<component>`. */
  component?: string;
  /**
   * `'full'` (default; genpkglist `--bloat`): the package's whole file list. `'stripped'`:
   * only genpkglist's "useful files" (see {@link usefulFile}).
   */
  fileList?: 'full' | 'stripped';
  /** Extra paths kept in stripped file lists (genpkglist `--useful-files`). */
  usefulFiles?: Iterable<string>;
  /** Changelog entries to copy; default `'all'` (what ALT publishes). */
  changelog?: ChangelogPolicy;
  /**
   * More main-header tags to copy raw (e.g. LICENSE 1014 and URL 1020, which Forgejo's pkglists
   * carry). apt ignores tags it does not know. Tags the generator writes itself are refused.
   */
  extraTags?: readonly number[];
}

export interface SrclistOptions {
  /** Component name (`classic` by default). */
  component?: string;
  /**
   * Where the source packages are: `false` (default) `<root>/SRPMS.<component>`, written as
   * CRPMTAG_DIRECTORY `../SRPMS.<component>`; `true` (gensrclist `--flat`) `<root>/<arch>/SRPMS.<component>`,
   * written as `./SRPMS.<component>`.
   */
  flat?: boolean;
  /**
   * Binary package names per source package file name (CRPMTAG_BINARY), e.g. from
   * {@link binaryIndex}. Sources without binaries get no CRPMTAG_BINARY entry.
   */
  binaries?: ReadonlyMap<string, readonly string[]>;
  /** gensrclist `--mapi`: leave out source packages that built no binary package. */
  onlyWithBinaries?: boolean;
}

const COMPONENT_RE = /^[A-Za-z0-9][A-Za-z0-9._+-]*$/;

/** Check a component name (it becomes part of file and directory names). */
export function checkComponent(component: string): string {
  if (typeof component !== 'string' || !COMPONENT_RE.test(component) || component.length > 200) {
    throw new RepokitError('APTRPM_BAD_NAME', `component ${JSON.stringify(component)}: use letters, digits and . _ + - (not starting with one of those)`);
  }
  return component;
}

function endsWith(s: string, suffix: string): boolean {
  return s.length >= suffix.length && s.endsWith(suffix);
}

/**
 * genpkglist's test for files kept in a stripped list: `dir` (with its trailing `/`) ends with
 * `/bin/` or `/sbin/`; is `/usr/games/` or `/usr/lib/kde4bin/`; `.jar` files under
 * `/usr/share/java/`; `.ttf`/`.otf` files under `/usr/share/fonts/`; names starting with `lib` that
 * contain `.so` after that; or `dir + base` is in `useful` (the `/…` dependencies of the repository
 * and any extra paths).
 */
export function usefulFile(dir: string, base: string, useful: ReadonlySet<string>): boolean {
  if (endsWith(dir, '/bin/') || endsWith(dir, '/sbin/')) return true;
  if (dir === '/usr/games/' || dir === '/usr/lib/kde4bin/') return true;
  if (dir.startsWith('/usr/share/java/') && endsWith(base, '.jar')) return true;
  if (dir.startsWith('/usr/share/fonts/') && (endsWith(base, '.ttf') || endsWith(base, '.otf'))) return true;
  if (base.startsWith('lib') && base.indexOf('.so', 3) !== -1) return true;
  return useful.has(dir + base);
}

/**
 * Add every dependency name starting with `/` (requires, provides, conflicts, obsoletes) of the
 * headers to `into` (genpkglist's first pass over the repository).
 */
export function collectPathDependencies(headers: Iterable<Header>, into: Set<string> = new Set()): Set<string> {
  for (const h of headers) {
    for (const tag of PATH_DEPENDENCY_TAGS) {
      const e = h.entry(tag);
      if (e === undefined || (e.type !== RpmType.STRING_ARRAY && e.type !== RpmType.STRING)) continue;
      for (const name of h.getStringArray(tag)!) if (name.charCodeAt(0) === 0x2f) into.add(name);
    }
  }
  return into;
}

/** @internal Bytewise comparison of two strings' UTF-8 forms (C strcmp order; JS `<` compares UTF-16 units). */
export function compareBytewise(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.codePointAt(i)!;
    const y = b.codePointAt(i)!;
    if (x !== y) return x < y ? -1 : 1;
    if (x > 0xffff) i++;
  }
  return a.length - b.length;
}

/** @internal SOURCERPM of a main header, '' when absent (the pkglist's first sort key). */
export function sourceRpmOf(h: Header): string {
  const e = h.entry(TAG.SOURCERPM);
  if (e === undefined || e.type !== RpmType.STRING) return '';
  return h.getString(TAG.SOURCERPM)!;
}

/** @internal NAME of a main header, when it is a STRING. */
export function packageNameOf(h: Header): string | undefined {
  return h.entry(TAG.NAME)?.type === RpmType.STRING ? h.getString(TAG.NAME)! : undefined;
}

/** ALT's header order: by SOURCERPM, then by file name (both bytewise). */
export function comparePackageRecords(a: PackageRecord, b: PackageRecord): number {
  return compareBytewise(sourceRpmOf(a.header), sourceRpmOf(b.header)) || compareBytewise(a.file.name, b.file.name);
}

function checkFile(file: PackageFileInfo): void {
  const name = file.name;
  if (typeof name !== 'string' || name === '' || name.includes('/') || name.includes('\0') || name === '.' || name === '..') {
    throw new RepokitError('APTRPM_BAD_NAME', `package file name ${JSON.stringify(name)} is not a plain file name`);
  }
  if (!Number.isSafeInteger(file.size) || file.size < 0) {
    throw new RepokitError('INVALID_ARGUMENT', `${name}: size ${String(file.size)} is not a byte count`);
  }
  if (file.size > 0xffffffff) {
    throw new RepokitError('LIMIT_EXCEEDED', `${name}: ${file.size} bytes do not fit CRPMTAG_FILESIZE (INT32); apt-rpm cannot index files of 4 GiB or more`);
  }
  if (!/^[0-9a-f]{32}$/.test(file.md5)) throw new RepokitError('INVALID_ARGUMENT', `${name}: md5 must be 32 lowercase hex digits`);
  if (file.blake2b !== undefined && !/^[0-9a-f]{128}$/.test(file.blake2b)) {
    throw new RepokitError('INVALID_ARGUMENT', `${name}: blake2b must be 128 lowercase hex digits`);
  }
}

function aptTags(out: RawEntry[], file: PackageFileInfo, directory: string): void {
  out.push(stringEntry(CRPMTAG.FILENAME, file.name));
  out.push(int32Entry(CRPMTAG.FILESIZE, file.size));
  out.push(stringEntry(CRPMTAG.MD5, file.md5));
  if (file.blake2b !== undefined) out.push(stringEntry(CRPMTAG.BLAKE2B, file.blake2b));
  out.push(stringEntry(CRPMTAG.DIRECTORY, directory));
}

function copyTags(out: RawEntry[], h: Header, tags: readonly number[]): void {
  for (const tag of tags) {
    const e = rawEntryOf(h, tag);
    if (e !== undefined) out.push(e);
  }
}

function inconsistent(file: string, msg: string): RepokitError {
  return new RepokitError('RPM_INCONSISTENT', `${file}: ${msg}`);
}

/** The file list as raw element views: directories, basenames, and per file its directory index. */
interface FileTriple {
  dirs: Uint8Array[];
  bases: Uint8Array[];
  index: number[];
  /** Type of the original entries (STRING_ARRAY), kept for the output. */
  dirType: number;
  baseType: number;
}

/** Read and check the package's file list; OLDFILENAMES (old packages) is converted. */
function fileTriple(h: Header, fileName: string): FileTriple | null {
  const b = h.entry(TAG.BASENAMES);
  const d = h.entry(TAG.DIRNAMES);
  const i = h.entry(TAG.DIRINDEXES);
  if (b === undefined && d === undefined && i === undefined) {
    const old = h.entry(1027); // OLDFILENAMES
    if (old === undefined || old.type !== RpmType.STRING_ARRAY) return null;
    return fromOldFilenames(splitStrings(h.raw(1027)!, old.count));
  }
  if (b === undefined || d === undefined || i === undefined) {
    throw inconsistent(fileName, 'BASENAMES, DIRNAMES and DIRINDEXES must be present together');
  }
  if (b.type !== RpmType.STRING_ARRAY || d.type !== RpmType.STRING_ARRAY || i.type !== RpmType.INT32) {
    throw inconsistent(fileName, 'BASENAMES/DIRNAMES must be string arrays and DIRINDEXES INT32');
  }
  if (b.count !== i.count) throw inconsistent(fileName, `${b.count} BASENAMES but ${i.count} DIRINDEXES`);
  const index = h.getNumbers(TAG.DIRINDEXES)!;
  for (const x of index) if (x >= d.count) throw inconsistent(fileName, `DIRINDEXES value ${x} is outside the ${d.count} DIRNAMES`);
  return {
    dirs: splitStrings(h.raw(TAG.DIRNAMES)!, d.count),
    bases: splitStrings(h.raw(TAG.BASENAMES)!, b.count),
    index,
    dirType: d.type,
    baseType: b.type,
  };
}

function fromOldFilenames(paths: Uint8Array[]): FileTriple {
  const dirs: Uint8Array[] = [];
  const dirIndex = new Map<string, number>();
  const bases: Uint8Array[] = [];
  const index: number[] = [];
  for (const p of paths) {
    const slash = p.lastIndexOf(0x2f);
    const dir = p.subarray(0, slash + 1);
    const key = decodeUtf8(dir, 0, dir.length) + '\u0000' + dir.length;
    let k = dirIndex.get(key);
    if (k === undefined) {
      k = dirs.length;
      dirIndex.set(key, k);
      const withNul = new Uint8Array(dir.length + 1);
      withNul.set(dir);
      dirs.push(withNul);
    }
    bases.push(p.subarray(slash + 1));
    index.push(k);
  }
  return { dirs, bases, index, dirType: RpmType.STRING_ARRAY, baseType: RpmType.STRING_ARRAY };
}

function text(b: Uint8Array): string {
  return decodeUtf8(b, 0, b.length - 1);
}

function pushTriple(out: RawEntry[], t: FileTriple): void {
  if (t.bases.length === 0) return;
  out.push(stringArrayEntryFromBytes(TAG.BASENAMES, t.baseType, t.bases));
  out.push(stringArrayEntryFromBytes(TAG.DIRNAMES, t.dirType, t.dirs));
  out.push(int32ArrayEntry(TAG.DIRINDEXES, t.index));
}

/** Keep the useful files; directories are renumbered in first-use order (genpkglist's copyStrippedFileList). */
function stripTriple(t: FileTriple, useful: ReadonlySet<string>): FileTriple {
  const dirText = t.dirs.map(text);
  const newIndex = new Map<number, number>();
  const out: FileTriple = { dirs: [], bases: [], index: [], dirType: t.dirType, baseType: t.baseType };
  for (let f = 0; f < t.bases.length; f++) {
    const di = t.index[f]!;
    if (!usefulFile(dirText[di]!, text(t.bases[f]!), useful)) continue;
    let k = newIndex.get(di);
    if (k === undefined) {
      k = out.dirs.length;
      newIndex.set(di, k);
      out.dirs.push(t.dirs[di]!);
    }
    out.bases.push(t.bases[f]!);
    out.index.push(k);
  }
  return out;
}

function copyChangelog(out: RawEntry[], h: Header, policy: ChangelogPolicy): void {
  if (policy === 'none') return;
  if (policy === 'all') {
    copyTags(out, h, [TAG.CHANGELOGTIME, TAG.CHANGELOGNAME, TAG.CHANGELOGTEXT]);
    return;
  }
  const t = h.entry(TAG.CHANGELOGTIME);
  const n = h.entry(TAG.CHANGELOGNAME);
  const x = h.entry(TAG.CHANGELOGTEXT);
  if (t === undefined || n === undefined || x === undefined) return;
  if (t.type !== RpmType.INT32 || n.type !== RpmType.STRING_ARRAY || x.type !== RpmType.STRING_ARRAY) return;
  if (t.count !== n.count || n.count !== x.count) return; // genpkglist copies nothing then
  const times = h.getNumbers(TAG.CHANGELOGTIME)!;
  let m = 0;
  while (m < times.length && times[m]! >= policy.since) m++;
  if (m < times.length) m++;
  out.push(int32ArrayEntry(TAG.CHANGELOGTIME, times.slice(0, m)));
  out.push(stringArrayEntryFromBytes(TAG.CHANGELOGNAME, n.type, splitStrings(h.raw(TAG.CHANGELOGNAME)!, n.count).slice(0, m)));
  out.push(stringArrayEntryFromBytes(TAG.CHANGELOGTEXT, x.type, splitStrings(h.raw(TAG.CHANGELOGTEXT)!, x.count).slice(0, m)));
}

function checkChangelogPolicy(p: ChangelogPolicy): void {
  if (p === 'all' || p === 'none') return;
  if (typeof p !== 'object' || p === null || !Number.isInteger(p.since) || p.since < 0) {
    throw new RepokitError('INVALID_ARGUMENT', `changelog must be 'all', 'none' or { since: <unix seconds> }`);
  }
}

/** Is this the main header of a binary package (genpkglist requires SOURCERPM)? */
export function isBinaryHeader(h: Header): boolean {
  return h.has(TAG.SOURCERPM) && !h.has(TAG.SOURCEPACKAGE);
}

/** The resolved options and repository-wide state one pkglist header needs. */
export interface PkglistContext {
  directory: string;
  stripped: boolean;
  useful: ReadonlySet<string>;
  changelog: ChangelogPolicy;
  extraTags: readonly number[];
}

/**
 * Resolve options for {@link pkglistHeader}: `headers` are all packages of the pkglist (their `/…`
 * dependencies decide which files a stripped list keeps).
 */
export function pkglistContext(headers: Iterable<Header>, options: PkglistOptions = {}): PkglistContext {
  const component = checkComponent(options.component ?? 'classic');
  const mode = options.fileList ?? 'full';
  if (mode !== 'full' && mode !== 'stripped') throw new RepokitError('INVALID_ARGUMENT', `fileList must be 'full' or 'stripped'`);
  const changelog = options.changelog ?? 'all';
  checkChangelogPolicy(changelog);
  const useful = new Set<string>();
  if (mode === 'stripped') {
    for (const p of options.usefulFiles ?? []) useful.add(p);
    collectPathDependencies(headers, useful);
  }
  const extraTags = [...(options.extraTags ?? [])];
  const own = new Set<number>([...PKGLIST_COPIED_TAGS, TAG.BASENAMES, TAG.DIRNAMES, TAG.DIRINDEXES, TAG.CHANGELOGTIME, TAG.CHANGELOGNAME, TAG.CHANGELOGTEXT, ...Object.values(CRPMTAG)]);
  for (const t of extraTags) {
    if (!Number.isInteger(t) || t < 100 || t >= 1000000 || own.has(t)) {
      throw new RepokitError('INVALID_ARGUMENT', `extraTags: ${String(t)} is not an rpm tag the generator leaves alone`);
    }
  }
  return { directory: `RPMS.${component}`, stripped: mode === 'stripped', useful, changelog, extraTags: [...new Set(extraTags)] };
}

/**
 * One pkglist header for a binary package: the copied tags (raw), the file list (full or stripped,
 * always BASENAMES + DIRNAMES + DIRINDEXES together), the changelog per policy, and the ALT tags
 * FILENAME, FILESIZE, MD5, BLAKE2B (when known) and DIRECTORY; sorted, packed, with the magic.
 */
export function pkglistHeader(record: PackageRecord, context: PkglistContext): Uint8Array {
  const { header: h, file } = record;
  checkFile(file);
  if (!isBinaryHeader(h)) {
    throw new RepokitError('APTRPM_INVALID_PACKAGE', `${file.name}: not a binary package (no SOURCERPM tag)`);
  }
  const out: RawEntry[] = [];
  copyTags(out, h, PKGLIST_COPIED_TAGS);
  copyTags(out, h, context.extraTags);
  const triple = fileTriple(h, file.name);
  if (triple !== null) pushTriple(out, context.stripped ? stripTriple(triple, context.useful) : triple);
  copyChangelog(out, h, context.changelog);
  aptTags(out, file, context.directory);
  return encodeRawHeader(out);
}

/** The packages in pkglist order with their encoded headers. */
export interface PkglistBuild {
  /** Records in the order written (ALT's: SOURCERPM, then file name). */
  records: PackageRecord[];
  /** One header blob per record, same order. */
  headers: Uint8Array[];
  /** Total size in bytes of the pkglist. */
  size: number;
}

/**
 * Build the headers of a pkglist: sorted as ALT sorts them, one header per package. Use
 * {@link buildPkglist} for the concatenated bytes.
 */
export function buildPkglistHeaders(records: readonly PackageRecord[], options: PkglistOptions = {}): PkglistBuild {
  const sorted = records.slice().sort(comparePackageRecords);
  checkUniqueNames(sorted);
  const ctx = pkglistContext(
    sorted.map((r) => r.header),
    options,
  );
  const headers = sorted.map((r) => pkglistHeader(r, ctx));
  let size = 0;
  for (const b of headers) size += b.length;
  return { records: sorted, headers, size };
}

function checkUniqueNames(sorted: readonly PackageRecord[]): void {
  const seen = new Set<string>();
  for (const r of sorted) {
    if (seen.has(r.file.name)) throw new RepokitError('APTRPM_DUPLICATE_PACKAGE', `${r.file.name} is listed twice`);
    seen.add(r.file.name);
  }
}

/** A whole pkglist (uncompressed): the headers of {@link buildPkglistHeaders}, concatenated. */
export function buildPkglist(records: readonly PackageRecord[], options: PkglistOptions = {}): Uint8Array {
  return concatBytes(buildPkglistHeaders(records, options).headers);
}

/**
 * The binary package names built from each source package file (genpkglist's `--index`), in
 * pkglist order: SOURCERPM → NAMEs.
 */
export function binaryIndex(records: readonly PackageRecord[]): Map<string, string[]> {
  return binaryIndexInOrder(records.slice().sort(comparePackageRecords).map((r) => ({ sourceRpm: sourceRpmOf(r.header), name: packageNameOf(r.header) })));
}

/** @internal {@link binaryIndex} of packages already in pkglist order, given their SOURCERPM and NAME. */
export function binaryIndexInOrder(packages: Iterable<{ sourceRpm: string; name: string | undefined }>): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const { sourceRpm, name } of packages) {
    if (sourceRpm === '' || name === undefined) continue;
    let list = out.get(sourceRpm);
    if (list === undefined) out.set(sourceRpm, (list = []));
    list.push(name);
  }
  return out;
}

/**
 * One srclist header for a source package: gensrclist's copied tags (raw), the ALT tags FILENAME,
 * FILESIZE, MD5, BLAKE2B (when known), DIRECTORY (`../SRPMS.<comp>`, or `./SRPMS.<comp>` flat)
 * and BINARY (when the source built binaries).
 */
export function srclistHeader(record: PackageRecord, binaries: readonly string[] | undefined, options: SrclistOptions = {}): Uint8Array {
  const { header: h, file } = record;
  checkFile(file);
  if (isBinaryHeader(h)) throw new RepokitError('APTRPM_INVALID_PACKAGE', `${file.name}: not a source package (it has a SOURCERPM tag)`);
  const component = checkComponent(options.component ?? 'classic');
  const out: RawEntry[] = [];
  copyTags(out, h, SRCLIST_COPIED_TAGS);
  aptTags(out, file, `${options.flat === true ? '.' : '..'}/SRPMS.${component}`);
  if (binaries !== undefined && binaries.length > 0) out.push(stringArrayEntry(CRPMTAG.BINARY, binaries));
  return encodeRawHeader(out);
}

/** The headers of a srclist: source packages in file-name order (gensrclist's alphasort). */
export function buildSrclistHeaders(records: readonly PackageRecord[], options: SrclistOptions = {}): PkglistBuild {
  const sorted = records.slice().sort((a, b) => compareBytewise(a.file.name, b.file.name));
  checkUniqueNames(sorted);
  const kept: PackageRecord[] = [];
  const headers: Uint8Array[] = [];
  let size = 0;
  for (const r of sorted) {
    const bins = options.binaries?.get(r.file.name);
    if (options.onlyWithBinaries === true && (bins === undefined || bins.length === 0)) continue;
    const b = srclistHeader(r, bins, options);
    kept.push(r);
    headers.push(b);
    size += b.length;
  }
  return { records: kept, headers, size };
}

/** A whole srclist (uncompressed). */
export function buildSrclist(records: readonly PackageRecord[], options: SrclistOptions = {}): Uint8Array {
  return concatBytes(buildSrclistHeaders(records, options).headers);
}
