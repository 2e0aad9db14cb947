/**
 * Typed views of a package's `props.plist` (also the shape of `index.plist` / `stage.plist`
 * entries) and `files.plist`, and their inverse for writing.
 *
 * A view never loses anything: `raw` is the dictionary it was read from, with every key,
 * unknown ones included. Keys are documented in docs/xbps.md; the plist key of each field is
 * given in its comment.
 */
import { RepokitError } from '../shared/errors.js';
import { tryParsePkgver, pkgverVersion } from './pkgver.js';
import type { PlistDict, PlistInput, PlistValue } from './types.js';
import { isPlistInteger, plistInteger, plistType } from './types.js';

/** `alternatives`: group name → `"/link:/target"` entries. A null-prototype record. */
export type XbpsAlternatives = Record<string, string[]>;

/** props.plist, or an index entry (which lacks `pkgname`, `version` and `packaged-with`). */
export interface XbpsProps {
  /** The dictionary this view was read from. */
  raw: PlistDict;
  /** `pkgver`, e.g. `foo-1.0_1` (synthesised from legacy `pkgname` + `version` when absent). */
  pkgver: string;
  /** The package name: from `pkgver` (xbps_pkg_name), else the legacy `pkgname` key. */
  pkgname: string;
  /** `version_revision` of `pkgver` (what props `version` holds), else the `version` key. */
  version: string;
  /** `architecture`: `x86_64`, `noarch`, ... */
  architecture: string;
  /** `short_desc`. */
  shortDesc?: string;
  /** `installed_size` in bytes. */
  installedSize?: number;
  /** `filename-sha256` (index entries): lowercase hex SHA-256 of the .xbps. */
  filenameSha256?: string;
  /** `filename-size` (index entries): size of the .xbps in bytes. */
  filenameSize?: number;
  /** `homepage`. */
  homepage?: string;
  /** `license`. */
  license?: string;
  /** `maintainer`. */
  maintainer?: string;
  /** `long_desc`. */
  longDesc?: string;
  /** `source-revisions`. */
  sourceRevisions?: string;
  /** `sourcepkg`. */
  sourcepkg?: string;
  /** `tags`: one space-separated string. */
  tags?: string;
  /** `build-options`. */
  buildOptions?: string;
  /** `changelog` URL. */
  changelog?: string;
  /** `build-date` (older indexes). */
  buildDate?: string;
  /** `packaged-with` (props.plist, and index entries made before xbps 0.42). */
  packagedWith?: string;
  /** `filename` (index formats before repodata). */
  filename?: string;
  /** `preserve`. */
  preserve: boolean;
  /** `run_depends`: dependency patterns. */
  runDepends: string[];
  /** `conflicts`: patterns. */
  conflicts: string[];
  /** `provides`: virtual pkgvers. */
  provides: string[];
  /** `replaces`: patterns. */
  replaces: string[];
  /** `reverts`: `version_revision` strings. */
  reverts: string[];
  /** `shlib-provides`: sonames. */
  shlibProvides: string[];
  /** `shlib-requires`: sonames. */
  shlibRequires: string[];
  /** `conf_files`: absolute paths. */
  confFiles: string[];
  /** `alternatives`. */
  alternatives: XbpsAlternatives;
  /** `install-msg`: raw bytes of INSTALL.msg. */
  installMsg?: Uint8Array;
  /** `remove-msg`: raw bytes of REMOVE.msg. */
  removeMsg?: Uint8Array;
}

/** Options of {@link readProps} and {@link readFiles}. */
export interface ReadPropsOptions {
  /** Name to put into errors (e.g. the package file, or `index.plist` + key). */
  file?: string;
}

function bad(detail: string, o: ReadPropsOptions): never {
  throw new RepokitError('XBPS_BAD_PROPS', detail, { file: o.file });
}

function wrongType(key: string, want: string, got: PlistValue, o: ReadPropsOptions): never {
  bad(`"${key}" is a ${plistType(got)}, expected ${want}`, o);
}

function str(d: PlistDict, key: string, o: ReadPropsOptions): string | undefined {
  const v = d.get(key);
  if (v === undefined) return undefined;
  if (typeof v !== 'string') wrongType(key, 'a string', v, o);
  return v;
}

function size(d: PlistDict, key: string, o: ReadPropsOptions): number | undefined {
  const v = d.get(key);
  if (v === undefined) return undefined;
  if (!isPlistInteger(v)) wrongType(key, 'an integer', v, o);
  if (v.value < 0n || v.value > BigInt(Number.MAX_SAFE_INTEGER)) bad(`"${key}" is ${v.value}, outside 0..2^53-1`, o);
  return Number(v.value);
}

function strings(d: PlistDict, key: string, o: ReadPropsOptions): string[] {
  const v = d.get(key);
  if (v === undefined) return [];
  if (!Array.isArray(v)) wrongType(key, 'an array of strings', v, o);
  for (const s of v) if (typeof s !== 'string') bad(`"${key}" holds a ${plistType(s)}, expected strings only`, o);
  return v.slice() as string[];
}

function data(d: PlistDict, key: string, o: ReadPropsOptions): Uint8Array | undefined {
  const v = d.get(key);
  if (v === undefined) return undefined;
  if (!(v instanceof Uint8Array)) wrongType(key, 'data', v, o);
  return v;
}

/** Assign only defined values (exactOptionalPropertyTypes: absent keys stay absent). */
function setIf<T extends object, K extends keyof T>(obj: T, key: K, value: T[K] | undefined): void {
  if (value !== undefined) obj[key] = value;
}

/**
 * A typed view of a `props.plist` dictionary or an index entry.
 *
 * @throws RepokitError `XBPS_BAD_PROPS` when `pkgver` (or the legacy `pkgname`) or
 * `architecture` is missing, or a known key has the wrong type.
 */
export function readProps(dict: PlistDict, options: ReadPropsOptions = {}): XbpsProps {
  const o = options;
  let pkgver = str(dict, 'pkgver', o);
  const legacyName = str(dict, 'pkgname', o);
  const legacyVersion = str(dict, 'version', o);
  if (pkgver === undefined) {
    if (legacyName === undefined || legacyVersion === undefined) bad('no "pkgver" (nor legacy "pkgname" + "version")', o);
    pkgver = `${legacyName}-${legacyVersion}`;
  }
  const parsed = tryParsePkgver(pkgver);
  let pkgname: string;
  let version: string;
  if (parsed !== undefined) {
    pkgname = parsed.name;
    version = parsed.version;
  } else if (legacyName !== undefined) {
    // Pre-revision era entries ("foo-1.0" without "_N") still name themselves.
    pkgname = legacyName;
    version = legacyVersion ?? pkgverVersion(pkgver) ?? pkgver.slice(legacyName.length + 1);
  } else {
    throw new RepokitError('XBPS_BAD_PROPS', `"pkgver" is "${pkgver}", not name-version_revision`, { file: o.file });
  }
  const architecture = str(dict, 'architecture', o);
  if (architecture === undefined) bad(`no "architecture" in ${pkgver}`, o);
  const preserve = dict.get('preserve');
  if (preserve !== undefined && typeof preserve !== 'boolean') wrongType('preserve', 'a boolean', preserve, o);
  const props: XbpsProps = {
    raw: dict,
    pkgver,
    pkgname,
    version,
    architecture,
    preserve: preserve === true,
    runDepends: strings(dict, 'run_depends', o),
    conflicts: strings(dict, 'conflicts', o),
    provides: strings(dict, 'provides', o),
    replaces: strings(dict, 'replaces', o),
    reverts: strings(dict, 'reverts', o),
    shlibProvides: strings(dict, 'shlib-provides', o),
    shlibRequires: strings(dict, 'shlib-requires', o),
    confFiles: strings(dict, 'conf_files', o),
    alternatives: readAlternatives(dict, o),
  };
  setIf(props, 'shortDesc', str(dict, 'short_desc', o));
  setIf(props, 'installedSize', size(dict, 'installed_size', o));
  setIf(props, 'filenameSha256', str(dict, 'filename-sha256', o));
  setIf(props, 'filenameSize', size(dict, 'filename-size', o));
  setIf(props, 'homepage', str(dict, 'homepage', o));
  setIf(props, 'license', str(dict, 'license', o));
  setIf(props, 'maintainer', str(dict, 'maintainer', o));
  setIf(props, 'longDesc', str(dict, 'long_desc', o));
  setIf(props, 'sourceRevisions', str(dict, 'source-revisions', o));
  setIf(props, 'sourcepkg', str(dict, 'sourcepkg', o));
  setIf(props, 'tags', str(dict, 'tags', o));
  setIf(props, 'buildOptions', str(dict, 'build-options', o));
  setIf(props, 'changelog', str(dict, 'changelog', o));
  setIf(props, 'buildDate', str(dict, 'build-date', o));
  setIf(props, 'packagedWith', str(dict, 'packaged-with', o));
  setIf(props, 'filename', str(dict, 'filename', o));
  setIf(props, 'installMsg', data(dict, 'install-msg', o));
  setIf(props, 'removeMsg', data(dict, 'remove-msg', o));
  return props;
}

function readAlternatives(dict: PlistDict, o: ReadPropsOptions): XbpsAlternatives {
  const out: XbpsAlternatives = Object.create(null) as XbpsAlternatives;
  const v = dict.get('alternatives');
  if (v === undefined) return out;
  if (!(v instanceof Map)) wrongType('alternatives', 'a dictionary', v, o);
  for (const [group, links] of v) {
    if (!Array.isArray(links)) wrongType(`alternatives/${group}`, 'an array of strings', links, o);
    for (const l of links) if (typeof l !== 'string') bad(`"alternatives/${group}" holds a ${plistType(l)}`, o);
    // A data property, even for "__proto__" (the record has no prototype).
    Object.defineProperty(out, group, { value: links.slice(), enumerable: true, writable: true, configurable: true });
  }
  return out;
}

/** What {@link propsToPlist} writes: the fields of {@link XbpsProps} (all but the required optional). */
export interface XbpsPropsInput {
  pkgver: string;
  architecture: string;
  shortDesc: string;
  /** Defaults to 0 (xbps-create always writes `installed_size`). */
  installedSize?: number | bigint;
  homepage?: string;
  license?: string;
  maintainer?: string;
  longDesc?: string;
  sourceRevisions?: string;
  sourcepkg?: string;
  tags?: string;
  buildOptions?: string;
  changelog?: string;
  packagedWith?: string;
  preserve?: boolean;
  runDepends?: readonly string[];
  conflicts?: readonly string[];
  provides?: readonly string[];
  replaces?: readonly string[];
  reverts?: readonly string[];
  shlibProvides?: readonly string[];
  shlibRequires?: readonly string[];
  confFiles?: readonly string[];
  alternatives?: Readonly<Record<string, readonly string[]>> | ReadonlyMap<string, readonly string[]>;
  installMsg?: Uint8Array;
  removeMsg?: Uint8Array;
  /** More keys, written as given (they replace nothing set by the fields above). */
  extra?: ReadonlyMap<string, PlistInput>;
}

/**
 * The `props.plist` dictionary `xbps-create` would write for these values: `pkgname` and
 * `version` derived from `pkgver`, `installed_size` always, `preserve` only when true, arrays
 * and messages only when non-empty. Write it with `writePlist`.
 *
 * @throws RepokitError `XBPS_BAD_PKGVER` when `pkgver` is not valid.
 */
export function propsToPlist(p: XbpsPropsInput): PlistDict {
  const parsed = tryParsePkgver(p.pkgver);
  if (parsed === undefined) throw new RepokitError('XBPS_BAD_PKGVER', `"${p.pkgver}" is not a valid pkgver`);
  const d: PlistDict = new Map();
  if (p.extra !== undefined) for (const [k, v] of p.extra) d.set(k, toValue(v));
  const s = (key: string, v: string | undefined): void => {
    if (v !== undefined) d.set(key, v);
  };
  const a = (key: string, v: readonly string[] | undefined): void => {
    if (v !== undefined && v.length > 0) d.set(key, v.slice());
  };
  d.set('pkgname', parsed.name);
  d.set('version', parsed.version);
  d.set('pkgver', p.pkgver);
  d.set('architecture', p.architecture);
  d.set('short_desc', p.shortDesc);
  d.set('installed_size', plistInteger(p.installedSize ?? 0, true));
  s('homepage', p.homepage);
  s('license', p.license);
  s('maintainer', p.maintainer);
  s('long_desc', p.longDesc);
  s('source-revisions', p.sourceRevisions);
  s('sourcepkg', p.sourcepkg);
  s('tags', p.tags);
  s('build-options', p.buildOptions);
  s('changelog', p.changelog);
  s('packaged-with', p.packagedWith);
  if (p.preserve === true) d.set('preserve', true);
  a('run_depends', p.runDepends);
  a('conflicts', p.conflicts);
  a('provides', p.provides);
  a('replaces', p.replaces);
  a('reverts', p.reverts);
  a('shlib-provides', p.shlibProvides);
  a('shlib-requires', p.shlibRequires);
  a('conf_files', p.confFiles);
  if (p.alternatives !== undefined) {
    const entries = p.alternatives instanceof Map ? [...p.alternatives] : Object.entries(p.alternatives);
    if (entries.length > 0) d.set('alternatives', new Map(entries.map(([g, l]) => [g, l.slice()] as [string, PlistValue])));
  }
  if (p.installMsg !== undefined && p.installMsg.length > 0) d.set('install-msg', p.installMsg);
  if (p.removeMsg !== undefined && p.removeMsg.length > 0) d.set('remove-msg', p.removeMsg);
  return d;
}

/** Convert writer input (numbers, bigints, read-only containers) into the value model. */
function toValue(v: PlistInput): PlistValue {
  if (typeof v === 'number' || typeof v === 'bigint') return plistInteger(v);
  if (Array.isArray(v)) return (v as readonly PlistInput[]).map(toValue);
  if (v instanceof Map) return new Map([...(v as ReadonlyMap<string, PlistInput>)].map(([k, x]) => [k, toValue(x)] as [string, PlistValue]));
  return v as PlistValue;
}

// ---------------------------------------------------------------------------------------------
// files.plist

/** An entry of `files` or `conf_files`. */
export interface XbpsFileEntry {
  /** `file`: absolute path. */
  file: string;
  /** `sha256`: lowercase hex. */
  sha256?: string;
  /** `size` in bytes (xbps-create omits it when 0; since 0.54). */
  size?: number;
  /** `mtime` (written by xbps 0.44-0.59 only). */
  mtime?: number;
  /** `mutable` (`-M` files). */
  mutable?: boolean;
}

/** An entry of `links`. */
export interface XbpsLinkEntry {
  /** `file`: absolute path of the symlink. */
  file: string;
  /** `target`: absolutised, sanitised target. */
  target: string;
  /** `mtime` (older xbps). */
  mtime?: number;
}

/** A typed view of `files.plist`. */
export interface XbpsFiles {
  /** The dictionary this view was read from. */
  raw: PlistDict;
  files: XbpsFileEntry[];
  confFiles: XbpsFileEntry[];
  links: XbpsLinkEntry[];
  /** `dirs`: directory paths. */
  dirs: string[];
}

function entries(dict: PlistDict, key: string, o: ReadPropsOptions): PlistDict[] {
  const v = dict.get(key);
  if (v === undefined) return [];
  if (!Array.isArray(v)) wrongType(key, 'an array of dictionaries', v, o);
  return v.map((e, i) => {
    if (!(e instanceof Map)) wrongType(`${key}[${i}]`, 'a dictionary', e, o);
    return e;
  });
}

function fileEntry(e: PlistDict, where: string, o: ReadPropsOptions): XbpsFileEntry {
  const file = str(e, 'file', o);
  if (file === undefined) bad(`${where} has no "file"`, o);
  const out: XbpsFileEntry = { file };
  setIf(out, 'sha256', str(e, 'sha256', o));
  setIf(out, 'size', size(e, 'size', o));
  setIf(out, 'mtime', size(e, 'mtime', o));
  const m = e.get('mutable');
  if (m !== undefined) {
    if (typeof m !== 'boolean') wrongType(`${where}/mutable`, 'a boolean', m, o);
    out.mutable = m;
  }
  return out;
}

/**
 * A typed view of a `files.plist` dictionary (missing keys are empty lists).
 *
 * @throws RepokitError `XBPS_BAD_PROPS` when an entry lacks `file` (or a link its `target`) or
 * a known key has the wrong type.
 */
export function readFiles(dict: PlistDict, options: ReadPropsOptions = {}): XbpsFiles {
  const o = options;
  return {
    raw: dict,
    files: entries(dict, 'files', o).map((e, i) => fileEntry(e, `files[${i}]`, o)),
    confFiles: entries(dict, 'conf_files', o).map((e, i) => fileEntry(e, `conf_files[${i}]`, o)),
    links: entries(dict, 'links', o).map((e, i) => {
      const file = str(e, 'file', o);
      const target = str(e, 'target', o);
      if (file === undefined || target === undefined) bad(`links[${i}] needs "file" and "target"`, o);
      const out: XbpsLinkEntry = { file, target };
      setIf(out, 'mtime', size(e, 'mtime', o));
      return out;
    }),
    dirs: entries(dict, 'dirs', o).map((e, i) => {
      const file = str(e, 'file', o);
      if (file === undefined) bad(`dirs[${i}] has no "file"`, o);
      return file;
    }),
  };
}

/** What {@link filesToPlist} writes. */
export interface XbpsFilesInput {
  files?: readonly XbpsFileEntry[];
  confFiles?: readonly XbpsFileEntry[];
  links?: readonly XbpsLinkEntry[];
  dirs?: readonly string[];
}

function fileDict(f: XbpsFileEntry): PlistDict {
  const d: PlistDict = new Map();
  d.set('file', f.file);
  if (f.sha256 !== undefined) d.set('sha256', f.sha256);
  if (f.size !== undefined && f.size !== 0) d.set('size', plistInteger(f.size, true));
  if (f.mtime !== undefined) d.set('mtime', plistInteger(f.mtime, true));
  if (f.mutable === true) d.set('mutable', true);
  return d;
}

/**
 * The `files.plist` dictionary xbps-create would write: each list omitted when empty, `size`
 * omitted when 0, `mutable` only when true. Entries are written in the order given (xbps-create
 * sorts them by path, parents first).
 */
export function filesToPlist(f: XbpsFilesInput): PlistDict {
  const d: PlistDict = new Map();
  if (f.files !== undefined && f.files.length > 0) d.set('files', f.files.map(fileDict));
  if (f.confFiles !== undefined && f.confFiles.length > 0) d.set('conf_files', f.confFiles.map(fileDict));
  if (f.links !== undefined && f.links.length > 0) {
    d.set(
      'links',
      f.links.map((l) => {
        const m: PlistDict = new Map<string, PlistValue>([
          ['file', l.file],
          ['target', l.target],
        ]);
        if (l.mtime !== undefined) m.set('mtime', plistInteger(l.mtime, true));
        return m;
      }),
    );
  }
  if (f.dirs !== undefined && f.dirs.length > 0) d.set('dirs', f.dirs.map((p) => new Map<string, PlistValue>([['file', p]])));
  return d;
}
