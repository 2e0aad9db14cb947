/**
 * Typed views of a main header: identity, dependencies, files, changelog, payload — what a
 * repository index needs. Cross-tag consistency is checked as rpm checks it when it uses the
 * data (rpm.md §2.7).
 */
import { RepokitError } from '../shared/errors.js';
import type { Header } from './header.js';
import type { RpmPackage } from './package.js';
import {
  DEPENDENCY_KINDS,
  RPMFILE,
  RPMTAG,
  dependencyFlagNames,
  flagsOperator,
  hashAlgoName,
  type DependencyOperator,
} from './tags.js';

export interface RpmDependency {
  name: string;
  /** The EVR string as stored ("" when unversioned). */
  version: string;
  /** Raw flags (RPMSENSE bits). */
  flags: number;
  /** The comparison, e.g. ">=" ("" for none). */
  operator: DependencyOperator;
  /** Names of the set flag bits, e.g. ["LESS", "EQUAL", "RPMLIB"] (a frozen array shared between dependencies). */
  flagNames: readonly string[];
  /** A rich (boolean) dependency such as "(a or b)". */
  rich: boolean;
  /** Trigger kinds only: index of the trigger script. */
  index?: number;
}

export type DependencyKindName =
  | 'provides'
  | 'requires'
  | 'conflicts'
  | 'obsoletes'
  | 'recommends'
  | 'suggests'
  | 'supplements'
  | 'enhances';

export type RpmDependencies = Record<DependencyKindName, RpmDependency[]>;

export interface RpmFileFlags {
  config: boolean;
  doc: boolean;
  icon: boolean;
  missingok: boolean;
  noreplace: boolean;
  specfile: boolean;
  ghost: boolean;
  license: boolean;
  readme: boolean;
  pubkey: boolean;
  artifact: boolean;
}

export interface RpmFile {
  path: string;
  dirname: string;
  basename: string;
  /** Size in bytes (LONGFILESIZES when present, else FILESIZES). */
  size: number;
  /** st_mode, including the file type bits. */
  mode: number;
  rdev: number;
  mtime: number;
  /** Hex digest in the package's file digest algorithm ("" for non-regular files). */
  digest: string;
  /** Symlink target ("" for anything else). */
  linkTo: string;
  /** Raw FILEFLAGS. */
  flags: number;
  attributes: RpmFileFlags;
  user: string;
  group: string;
  verifyFlags: number;
  device: number;
  inode: number;
  lang: string;
  color: number;
  /** File capabilities in text form ("" when none). */
  caps: string;
}

export interface RpmChangelogEntry {
  time: number;
  name: string;
  text: string;
}

export interface RpmPayloadInfo {
  /** PAYLOADFORMAT, normally "cpio". */
  format: string;
  /** PAYLOADCOMPRESSOR; rpm assumes "gzip" when absent, but absent is reported as null here. */
  compressor: string | null;
  /** PAYLOADFLAGS, e.g. "9" or "19". */
  flags: string | null;
}

/** Everything a repository index needs from one package. */
export interface RpmMetadata {
  name: string;
  epoch: number | null;
  version: string;
  release: string;
  arch: string;
  os: string | null;
  /** "name-[epoch:]version-release.arch" (arch "src" for source packages, as rpm names them). */
  nevra: string;
  /** "[epoch:]version-release". */
  evr: string;
  isSource: boolean;
  format: 3 | 4 | 6;
  summary: string;
  description: string;
  license: string | null;
  group: string | null;
  url: string | null;
  vendor: string | null;
  packager: string | null;
  distribution: string | null;
  bugUrl: string | null;
  buildTime: number | null;
  buildHost: string | null;
  /** Installed size in bytes (LONGSIZE when present, else SIZE). */
  installedSize: number | null;
  sourceRpm: string | null;
  distTag: string | null;
  payload: RpmPayloadInfo;
  dependencies: RpmDependencies;
  files: RpmFile[];
  /** The file digest algorithm (FILEDIGESTALGO; absent means MD5). */
  fileDigestAlgorithm: { id: number; name: string };
  changelog: RpmChangelogEntry[];
  /** Byte range [start, end) of the main header (createrepo's header-range). */
  headerRange: { start: number; end: number };
}

function required(h: Header, tag: number, name: string): string {
  const v = h.getString(tag);
  if (v === undefined) {
    throw new RepokitError('RPM_MISSING_TAG', `main header has no ${name} tag (${tag})`, { offset: h.base });
  }
  return v;
}

const opt = (v: string | undefined): string | null => (v === undefined ? null : v);

/** NAME; throws `RPM_MISSING_TAG` when absent. */
export function packageName(h: Header): string {
  return required(h, RPMTAG.NAME, 'NAME');
}

/** EPOCH as a number, or null when absent. */
export function packageEpoch(h: Header): number | null {
  return h.has(RPMTAG.EPOCH) ? h.getNumber(RPMTAG.EPOCH) ?? null : null;
}

/** Installed size: LONGSIZE (INT64) when present, else SIZE. */
export function installedSize(h: Header): number | null {
  if (h.has(RPMTAG.LONGSIZE)) return h.getNumber(RPMTAG.LONGSIZE) ?? null;
  if (h.has(RPMTAG.SIZE)) return h.getNumber(RPMTAG.SIZE) ?? null;
  return null;
}

const KIND_BY_NAME: ReadonlyMap<string, (typeof DEPENDENCY_KINDS)[number]> = new Map(DEPENDENCY_KINDS.map((k) => [k.kind, k]));

/**
 * Dependencies of one kind (`provides`, `requires`, `conflicts`, `obsoletes`, `recommends`,
 * `suggests`, `supplements`, `enhances`, ...), checking the name/version/flags triplet counts (C1):
 * `RPM_INCONSISTENT` when they differ, `INVALID_ARGUMENT` for an unknown kind.
 */
export function dependencies(h: Header, kind: string): RpmDependency[] {
  const k = KIND_BY_NAME.get(kind);
  if (!k) throw new RepokitError('INVALID_ARGUMENT', `unknown dependency kind ${JSON.stringify(kind)}`);
  const names = h.getStringArray(k.nameTag);
  if (names === undefined) return [];
  // rpm tolerates absent version/flags arrays (old packages) but not arrays of another length.
  const versions = h.getStringArray(k.versionTag);
  const flags = h.getNumbers(k.flagsTag);
  const index = k.indexTag === undefined ? undefined : h.getNumbers(k.indexTag);
  const n = names.length;
  if (versions !== undefined && versions.length !== n) throw countMismatch(h, kind, k.versionTag, versions.length, k.nameTag, n);
  if (flags !== undefined && flags.length !== n) throw countMismatch(h, kind, k.flagsTag, flags.length, k.nameTag, n);
  if (index !== undefined && index.length !== n) throw countMismatch(h, kind, k.indexTag!, index.length, k.nameTag, n);
  const out: RpmDependency[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const f = flags === undefined ? 0 : flags[i]!;
    const name = names[i]!;
    const d: RpmDependency = {
      name,
      version: versions === undefined ? '' : versions[i]!,
      flags: f,
      operator: flagsOperator(f),
      flagNames: cachedFlagNames(f),
      rich: name.charCodeAt(0) === 0x28, // '('
    };
    if (index !== undefined) d.index = index[i]!;
    out[i] = d;
  }
  return out;
}

function countMismatch(h: Header, kind: string, tag: number, len: number, nameTag: number, n: number): RepokitError {
  return new RepokitError('RPM_INCONSISTENT', `${kind}: tag ${tag} has ${len} entries but tag ${nameTag} has ${n}`, {
    offset: h.base + h.dataStart + h.entry(tag)!.offset,
  });
}

/** The eight weak and strong dependency kinds at once (see {@link dependencies}). */
export function allDependencies(h: Header): RpmDependencies {
  return {
    provides: dependencies(h, 'provides'),
    requires: dependencies(h, 'requires'),
    conflicts: dependencies(h, 'conflicts'),
    obsoletes: dependencies(h, 'obsoletes'),
    recommends: dependencies(h, 'recommends'),
    suggests: dependencies(h, 'suggests'),
    supplements: dependencies(h, 'supplements'),
    enhances: dependencies(h, 'enhances'),
  };
}

/** Flag names per flags value: packages reuse a handful of values, so decode each once. */
const flagNameCache = new Map<number, readonly string[]>();
function cachedFlagNames(f: number): readonly string[] {
  let names = flagNameCache.get(f);
  if (names === undefined) {
    names = Object.freeze(dependencyFlagNames(f));
    if (flagNameCache.size < 4096) flagNameCache.set(f, names);
  }
  return names;
}

/** A FILEFLAGS value as booleans (`config`, `doc`, `noreplace`, ...). */
export function fileAttributes(f: number): RpmFileFlags {
  return {
    config: (f & RPMFILE.CONFIG) !== 0,
    doc: (f & RPMFILE.DOC) !== 0,
    icon: (f & RPMFILE.ICON) !== 0,
    missingok: (f & RPMFILE.MISSINGOK) !== 0,
    noreplace: (f & RPMFILE.NOREPLACE) !== 0,
    specfile: (f & RPMFILE.SPECFILE) !== 0,
    ghost: (f & RPMFILE.GHOST) !== 0,
    license: (f & RPMFILE.LICENSE) !== 0,
    readme: (f & RPMFILE.README) !== 0,
    pubkey: (f & RPMFILE.PUBKEY) !== 0,
    artifact: (f & RPMFILE.ARTIFACT) !== 0,
  };
}

/** Full paths: DIRNAMES[DIRINDEXES[i]] + BASENAMES[i], or OLDFILENAMES (v3 / --nodirtokens). */
export function filePaths(h: Header): { path: string; dirname: string; basename: string }[] {
  const basenames = h.getStringArray(RPMTAG.BASENAMES);
  if (basenames === undefined) {
    const old = h.getStringArray(RPMTAG.OLDFILENAMES) ?? [];
    return old.map((path) => {
      const slash = path.lastIndexOf('/');
      return { path, dirname: path.slice(0, slash + 1), basename: path.slice(slash + 1) };
    });
  }
  const dirnames = h.getStringArray(RPMTAG.DIRNAMES) ?? [];
  const dirindexes = h.getNumbers(RPMTAG.DIRINDEXES) ?? [];
  const where = (tag: number) => ({ offset: h.base + h.dataStart + (h.entry(tag)?.offset ?? 0) });
  if (dirindexes.length !== basenames.length) {
    throw new RepokitError(
      'RPM_INCONSISTENT',
      `DIRINDEXES has ${dirindexes.length} entries but BASENAMES has ${basenames.length}`,
      where(RPMTAG.DIRINDEXES),
    );
  }
  if (dirnames.length < 1 || dirnames.length > basenames.length) {
    throw new RepokitError(
      'RPM_INCONSISTENT',
      `DIRNAMES has ${dirnames.length} entries for ${basenames.length} files`,
      where(RPMTAG.DIRNAMES),
    );
  }
  const out = new Array<{ path: string; dirname: string; basename: string }>(basenames.length);
  for (let i = 0; i < basenames.length; i++) {
    const di = dirindexes[i]!;
    const dirname = dirnames[di];
    if (dirname === undefined) {
      throw new RepokitError(
        'RPM_INCONSISTENT',
        `file ${i}: directory index ${di} is outside DIRNAMES (${dirnames.length} entries)`,
        where(RPMTAG.DIRINDEXES),
      );
    }
    const basename = basenames[i]!;
    out[i] = { path: dirname + basename, dirname, basename };
  }
  return out;
}

/**
 * Full file paths only, like rpm's FILENAMES extension tag: DIRNAMES[DIRINDEXES[i]] + BASENAMES[i]
 * (or OLDFILENAMES), with the same consistency checks as {@link filePaths}.
 */
export function fileNames(h: Header): string[] {
  const basenames = h.getStringArray(RPMTAG.BASENAMES);
  if (basenames === undefined) return h.getStringArray(RPMTAG.OLDFILENAMES)?.slice() ?? [];
  const dirnames = h.getStringArray(RPMTAG.DIRNAMES) ?? [];
  const dirindexes = h.getNumbers(RPMTAG.DIRINDEXES) ?? [];
  if (dirindexes.length !== basenames.length || dirnames.length < 1 || dirnames.length > basenames.length) {
    return filePaths(h).map((f) => f.path); // throws the precise RPM_INCONSISTENT error
  }
  const out = new Array<string>(basenames.length);
  for (let i = 0; i < basenames.length; i++) {
    const dirname = dirnames[dirindexes[i]!];
    if (dirname === undefined) return filePaths(h).map((f) => f.path);
    out[i] = dirname + basenames[i]!;
  }
  return out;
}

/** A per-file array that must have one element per file, or be absent. */
function perFile<T>(h: Header, tag: number, n: number, get: (tag: number) => T[] | undefined): T[] | undefined {
  const v = get(tag);
  if (v !== undefined && v.length !== n) {
    throw new RepokitError('RPM_INCONSISTENT', `tag ${tag}: wrong number of entries (${v.length}, expected ${n})`, {
      offset: h.base + h.dataStart + h.entry(tag)!.offset,
    });
  }
  return v;
}

/** FILEDIGESTALGO and its name; absent means MD5 (1), as in rpm. */
export function fileDigestAlgorithm(h: Header): { id: number; name: string } {
  const id = h.getNumber(RPMTAG.FILEDIGESTALGO) ?? 1;
  return { id, name: hashAlgoName(id) ?? `algo-${id}` };
}

/** The file list with every per-file attribute (rpm.md §2.7 C2 checked). */
export function files(h: Header): RpmFile[] {
  const paths = filePaths(h);
  const n = paths.length;
  if (n === 0) return [];
  const nums = (tag: number) => perFile(h, tag, n, (t) => h.getNumbers(t));
  const strs = (tag: number) => perFile(h, tag, n, (t) => h.getStringArray(t));
  const long = perFile(h, RPMTAG.LONGFILESIZES, n, (t) => h.getNumbers(t));
  const sizes = long ?? nums(RPMTAG.FILESIZES);
  const modes = nums(RPMTAG.FILEMODES);
  const rdevs = nums(RPMTAG.FILERDEVS);
  const mtimes = nums(RPMTAG.FILEMTIMES);
  const digests = strs(RPMTAG.FILEDIGESTS);
  const links = strs(RPMTAG.FILELINKTOS);
  const flags = nums(RPMTAG.FILEFLAGS);
  const users = strs(RPMTAG.FILEUSERNAME);
  const groups = strs(RPMTAG.FILEGROUPNAME);
  const verify = nums(RPMTAG.FILEVERIFYFLAGS);
  const devices = nums(RPMTAG.FILEDEVICES);
  const inodes = nums(RPMTAG.FILEINODES);
  const langs = strs(RPMTAG.FILELANGS);
  const colors = nums(RPMTAG.FILECOLORS);
  const caps = strs(RPMTAG.FILECAPS);
  const out = new Array<RpmFile>(n);
  for (let i = 0; i < n; i++) {
    const p = paths[i]!;
    const f = flags?.[i] ?? 0;
    out[i] = {
      path: p.path,
      dirname: p.dirname,
      basename: p.basename,
      size: sizes?.[i] ?? 0,
      mode: modes?.[i] ?? 0,
      rdev: rdevs?.[i] ?? 0,
      mtime: mtimes?.[i] ?? 0,
      digest: digests?.[i] ?? '',
      linkTo: links?.[i] ?? '',
      flags: f,
      attributes: fileAttributes(f),
      user: users?.[i] ?? '',
      group: groups?.[i] ?? '',
      verifyFlags: verify?.[i] ?? 0,
      device: devices?.[i] ?? 0,
      inode: inodes?.[i] ?? 0,
      lang: langs?.[i] ?? '',
      color: colors?.[i] ?? 0,
      caps: caps?.[i] ?? '',
    };
  }
  return out;
}

/** Changelog entries, newest first as stored. */
export function changelog(h: Header): RpmChangelogEntry[] {
  const times = h.getNumbers(RPMTAG.CHANGELOGTIME);
  if (times === undefined) return [];
  const names = h.getStringArray(RPMTAG.CHANGELOGNAME) ?? [];
  const texts = h.getStringArray(RPMTAG.CHANGELOGTEXT) ?? [];
  if (names.length !== times.length || texts.length !== times.length) {
    throw new RepokitError(
      'RPM_INCONSISTENT',
      `changelog arrays differ in length (time ${times.length}, name ${names.length}, text ${texts.length})`,
      { offset: h.base + h.dataStart + h.entry(RPMTAG.CHANGELOGTIME)!.offset },
    );
  }
  return times.map((time, i) => ({ time, name: names[i]!, text: texts[i]! }));
}

/** PAYLOADFORMAT (default `cpio`), PAYLOADCOMPRESSOR and PAYLOADFLAGS. */
export function payloadInfo(h: Header): RpmPayloadInfo {
  return {
    format: h.getString(RPMTAG.PAYLOADFORMAT) ?? 'cpio',
    compressor: opt(h.getString(RPMTAG.PAYLOADCOMPRESSOR)),
    flags: opt(h.getString(RPMTAG.PAYLOADFLAGS)),
  };
}

/** "[epoch:]version-release" from a header. */
export function headerEvr(h: Header): string {
  const e = packageEpoch(h);
  const vr = `${required(h, RPMTAG.VERSION, 'VERSION')}-${required(h, RPMTAG.RELEASE, 'RELEASE')}`;
  return e === null ? vr : `${e}:${vr}`;
}

/** The typed metadata of a package; `locale` picks I18N strings (default "C"). */
export function rpmMetadata(pkg: RpmPackage, options: { locale?: string } = {}): RpmMetadata {
  const h = pkg.header;
  const locale = options.locale ?? 'C';
  const name = packageName(h);
  const epoch = packageEpoch(h);
  const version = required(h, RPMTAG.VERSION, 'VERSION');
  const release = required(h, RPMTAG.RELEASE, 'RELEASE');
  const isSource = pkg.isSource;
  const arch = h.getString(RPMTAG.ARCH) ?? '';
  const evr = (epoch === null ? '' : `${epoch}:`) + `${version}-${release}`;
  return {
    name,
    epoch,
    version,
    release,
    arch,
    os: opt(h.getString(RPMTAG.OS)),
    nevra: `${name}-${evr}.${isSource ? 'src' : arch}`,
    evr,
    isSource,
    format: pkg.format,
    summary: h.getI18n(RPMTAG.SUMMARY, locale) ?? '',
    description: h.getI18n(RPMTAG.DESCRIPTION, locale) ?? '',
    license: opt(h.getString(RPMTAG.LICENSE)),
    group: opt(h.getI18n(RPMTAG.GROUP, locale)),
    url: opt(h.getString(RPMTAG.URL)),
    vendor: opt(h.getString(RPMTAG.VENDOR)),
    packager: opt(h.getString(RPMTAG.PACKAGER)),
    distribution: opt(h.getString(RPMTAG.DISTRIBUTION)),
    bugUrl: opt(h.getString(RPMTAG.BUGURL)),
    buildTime: h.getNumber(RPMTAG.BUILDTIME) ?? null,
    buildHost: opt(h.getString(RPMTAG.BUILDHOST)),
    installedSize: installedSize(h),
    sourceRpm: opt(h.getString(RPMTAG.SOURCERPM)),
    distTag: opt(h.getString(RPMTAG.DISTTAG)),
    payload: payloadInfo(h),
    dependencies: allDependencies(h),
    files: files(h),
    fileDigestAlgorithm: fileDigestAlgorithm(h),
    changelog: changelog(h),
    headerRange: { start: pkg.offsets.header, end: pkg.offsets.payload },
  };
}
