/**
 * Names, versions and package file names (`name-[epoch:]pkgver-pkgrel-arch.pkg.tar[.ext]`), with
 * the ALPM specification's value rules (alpm-package-name, alpm-pkgver, alpm-pkgrel,
 * alpm-epoch, alpm-architecture) and libalpm's split of a database entry directory name.
 */
import { encodeUtf8 } from '../shared/bytes.js';
import { RepokitError } from '../shared/errors.js';
import { argObject, argOptions, argString } from './args.js';

/** alpm-package-name: `[A-Za-z0-9@._+-]+`, not starting with `-` or `.`. */
const NAME_RE = /^[A-Za-z0-9@_+][A-Za-z0-9@._+-]*$/;
/** alpm-pkgver: printable ASCII without `:`, `/`, `-`, `<`, `>`, `=` or whitespace. */
const PKGVER_RE = /^[\x21-\x2c\x2e\x30-\x39\x3b\x3f-\x7e]+$/;
const PKGREL_RE = /^[0-9]+(?:\.[0-9]+)?$/;
const EPOCH_RE = /^[0-9]+$/;
const ARCH_RE = /^[A-Za-z0-9_]+$/;

/** The compressions a package or database file name may end in (pacman's nine, plus none). */
export const ALPM_COMPRESSION_SUFFIXES = ['', '.gz', '.bz2', '.xz', '.zst', '.lrz', '.lzo', '.Z', '.lz4', '.lz'] as const;
export type AlpmCompressionSuffix = (typeof ALPM_COMPRESSION_SUFFIXES)[number];

/** True for a valid alpm-package-name (also the rule libalpm applies to db entry names). */
export function isValidPackageName(name: string): boolean {
  return NAME_RE.test(name);
}

/** True for a valid alpm-architecture (`[A-Za-z0-9_]+`). */
export function isValidArchitecture(arch: string): boolean {
  return ARCH_RE.test(arch);
}

/** A full package version split into its parts. */
export interface PackageVersion {
  /** Absent when the version has no `epoch:` prefix (epoch 0). */
  epoch?: number;
  pkgver: string;
  /** Absent in a minimal version (`1.0`, as dependency versions may be). */
  pkgrel?: string;
}

/** Why `text` is not a valid version, or undefined. `requireRel` demands a pkgrel (a full version). */
export function versionProblem(text: string, requireRel = true): string | undefined {
  argString(text, 'text');
  let rest = text;
  const colon = rest.indexOf(':');
  if (colon >= 0) {
    const epoch = rest.slice(0, colon);
    if (!EPOCH_RE.test(epoch)) return `invalid epoch ${JSON.stringify(epoch)} in version ${JSON.stringify(text)}`;
    if (!Number.isSafeInteger(Number(epoch))) return `epoch too large in version ${JSON.stringify(text)}`;
    rest = rest.slice(colon + 1);
  }
  const dash = rest.lastIndexOf('-');
  const pkgver = dash >= 0 ? rest.slice(0, dash) : rest;
  if (dash >= 0) {
    const pkgrel = rest.slice(dash + 1);
    if (!PKGREL_RE.test(pkgrel)) return `invalid pkgrel ${JSON.stringify(pkgrel)} in version ${JSON.stringify(text)}`;
  } else if (requireRel) {
    return `version ${JSON.stringify(text)} has no pkgrel (expected [epoch:]pkgver-pkgrel)`;
  }
  if (!PKGVER_RE.test(pkgver)) return `invalid pkgver ${JSON.stringify(pkgver)} in version ${JSON.stringify(text)}`;
  return undefined;
}

/**
 * Split a version `[epoch:]pkgver[-pkgrel]` (validated: alpm-pkgver, alpm-pkgrel, alpm-epoch).
 * With `requireRel` (the default) the pkgrel must be present. Throws ALPM_BAD_VERSION.
 */
export function parseVersion(text: string, options: { requireRel?: boolean } = {}): PackageVersion {
  argString(text, 'text');
  argOptions(options);
  const problem = versionProblem(text, options.requireRel ?? true);
  if (problem !== undefined) throw new RepokitError('ALPM_BAD_VERSION', problem);
  let rest = text;
  const out: PackageVersion = { pkgver: '' };
  const colon = rest.indexOf(':');
  if (colon >= 0) {
    out.epoch = Number(rest.slice(0, colon));
    rest = rest.slice(colon + 1);
  }
  const dash = rest.lastIndexOf('-');
  if (dash >= 0) {
    out.pkgver = rest.slice(0, dash);
    out.pkgrel = rest.slice(dash + 1);
  } else {
    out.pkgver = rest;
  }
  return out;
}

/** `[epoch:]pkgver[-pkgrel]`; an epoch of 0 is written only when `keepZeroEpoch` (makepkg omits it). */
export function formatVersion(v: PackageVersion, options: { keepZeroEpoch?: boolean } = {}): string {
  argObject(v, 'version');
  argOptions(options);
  const epoch = v.epoch !== undefined && (v.epoch !== 0 || options.keepZeroEpoch === true) ? `${v.epoch}:` : '';
  return `${epoch}${v.pkgver}${v.pkgrel !== undefined ? `-${v.pkgrel}` : ''}`;
}

/** A package file name split into its parts. */
export interface PackageFileName {
  name: string;
  /** The full version `[epoch:]pkgver-pkgrel` as it appears in the name. */
  version: string;
  arch: string;
  /** The compression suffix after `.pkg.tar` (`''`, `.zst`, `.xz`, ...). */
  compression: AlpmCompressionSuffix;
}

/**
 * Parse `name-[epoch:]pkgver-pkgrel-arch.pkg.tar[.ext]` (makepkg's naming; the name may contain
 * `-`, so the split is from the right). Every part is validated by the ALPM rules; a name that
 * fails throws ALPM_BAD_FILENAME with the reason.
 */
export function parsePackageFileName(fileName: string): PackageFileName {
  argString(fileName, 'fileName');
  const problem = packageFileNameProblem(fileName);
  if (problem !== undefined) throw new RepokitError('ALPM_BAD_FILENAME', problem);
  return splitFileName(fileName)!;
}

function splitFileName(fileName: string): PackageFileName | undefined {
  const at = fileName.lastIndexOf('.pkg.tar');
  if (at < 0) return undefined;
  const suffix = fileName.slice(at + '.pkg.tar'.length);
  if (!(ALPM_COMPRESSION_SUFFIXES as readonly string[]).includes(suffix)) return undefined;
  const stem = fileName.slice(0, at);
  const d3 = stem.lastIndexOf('-');
  const d2 = d3 > 0 ? stem.lastIndexOf('-', d3 - 1) : -1;
  const d1 = d2 > 0 ? stem.lastIndexOf('-', d2 - 1) : -1;
  if (d1 <= 0) return undefined;
  return {
    name: stem.slice(0, d1),
    version: stem.slice(d1 + 1, d3),
    arch: stem.slice(d3 + 1),
    compression: suffix as AlpmCompressionSuffix,
  };
}

/** Why `fileName` is not a valid package file name, or undefined. */
export function packageFileNameProblem(fileName: string): string | undefined {
  argString(fileName, 'fileName');
  const q = JSON.stringify(fileName);
  if (fileName.includes('/')) return `package file name ${q} contains '/'`;
  const at = fileName.lastIndexOf('.pkg.tar');
  if (at < 0) return `package file name ${q} does not contain .pkg.tar`;
  const suffix = fileName.slice(at + '.pkg.tar'.length);
  if (!(ALPM_COMPRESSION_SUFFIXES as readonly string[]).includes(suffix)) {
    return `package file name ${q} has an unknown compression suffix ${JSON.stringify(suffix)}`;
  }
  const parts = splitFileName(fileName);
  if (parts === undefined) return `package file name ${q} is not name-version-release-arch.pkg.tar${suffix}`;
  if (!isValidPackageName(parts.name)) return `invalid package name ${JSON.stringify(parts.name)} in file name ${q}`;
  const v = versionProblem(parts.version);
  if (v !== undefined) return `${v} in file name ${q}`;
  if (!isValidArchitecture(parts.arch)) return `invalid architecture ${JSON.stringify(parts.arch)} in file name ${q}`;
  return undefined;
}

/** makepkg's file name: `${name}-${version}-${arch}.pkg.tar${compression}` (default `.zst`). */
export function formatPackageFileName(parts: { name: string; version: string; arch: string; compression?: AlpmCompressionSuffix }): string {
  argObject(parts, 'parts');
  return `${parts.name}-${parts.version}-${parts.arch}.pkg.tar${parts.compression ?? '.zst'}`;
}

/**
 * libalpm's own check of `%FILENAME%` (be_sync.c): no leading `.`, no `/`, at most PATH_MAX
 * (4096) bytes. Returns the reason it fails, or undefined. (Much looser than the file-name
 * grammar: pacman installs `*.xp` files too.)
 */
export function libalpmFileNameProblem(fileName: string): string | undefined {
  argString(fileName, 'fileName');
  if (fileName.startsWith('.')) return `file name ${JSON.stringify(fileName)} starts with '.'`;
  if (fileName.includes('/')) return `file name ${JSON.stringify(fileName)} contains '/'`;
  if (fileName.length >= 4096) return `file name is longer than PATH_MAX`;
  return undefined;
}

/** Name and full version of a sync-database entry directory. */
export interface EntryName {
  name: string;
  version: string;
}

/**
 * Split a database entry directory name `name-pkgver-pkgrel` at its last two `-` (libalpm
 * `_alpm_splitname`), then apply `_alpm_pkg_check_meta`: the name's character set, at most one
 * `-` and no `/` in the version, and `name-version` at most NAME_MAX (255) bytes. Throws
 * ALPM_BAD_ENTRY_NAME. A trailing `/` (a directory member) is ignored.
 */
export function splitEntryName(dirName: string): EntryName {
  argString(dirName, 'dirName');
  const clean = dirName.endsWith('/') ? dirName.slice(0, -1) : dirName;
  const q = JSON.stringify(dirName);
  const d2 = clean.lastIndexOf('-');
  const d1 = d2 > 0 ? clean.lastIndexOf('-', d2 - 1) : -1;
  if (d1 <= 0 || d2 === clean.length - 1 || d2 === d1 + 1) {
    throw new RepokitError('ALPM_BAD_ENTRY_NAME', `invalid name for database entry ${q} (expected name-pkgver-pkgrel)`);
  }
  const name = clean.slice(0, d1);
  const version = clean.slice(d1 + 1);
  if (!/^[A-Za-z0-9+_.@-]+$/.test(name) || name.startsWith('-') || name.startsWith('.')) {
    throw new RepokitError('ALPM_BAD_ENTRY_NAME', `invalid package name ${JSON.stringify(name)} in database entry ${q}`);
  }
  if (version.includes('/')) throw new RepokitError('ALPM_BAD_ENTRY_NAME', `version of database entry ${q} contains '/'`);
  if (encodeUtf8(clean).length > 255) {
    throw new RepokitError('ALPM_BAD_ENTRY_NAME', `database entry name ${q} is longer than NAME_MAX (255 bytes)`);
  }
  return { name, version };
}

/** The directory name of an entry in a sync database: `${name}-${version}`. */
export function entryDirName(entry: { name: string; version: string }): string {
  argObject(entry, 'entry');
  return `${entry.name}-${entry.version}`;
}
