/**
 * pkgver strings (`name-version_revision`) with xbps's exact rules (`xbps_pkg_name`,
 * `xbps_pkg_version`, `xbps_pkg_revision`, `xbps_binpkg_pkgver`, `xbps_binpkg_arch` in
 * lib/util.c).
 *
 * The name is everything before the LAST '-'. After it, scanning up to the first '_', the first
 * ASCII digit decides: the text after the next '_' must be non-empty and only digits and '_'
 * (so `perl-Digest-1.17_01_1` is valid, with revision `1`). Names are at most 63 bytes.
 */
import { RepokitError } from '../shared/errors.js';
import { utf8Length } from './plist-parse.js';

/** xbps's `XBPS_NAME_SIZE` minus the NUL: the longest package name, in bytes. */
export const XBPS_MAX_NAME_BYTES = 63;

/** The parts of a pkgver. */
export interface Pkgver {
  /** The whole string, e.g. `foo-1.0_1`. */
  pkgver: string;
  /** `foo` (xbps_pkg_name). */
  name: string;
  /** `1.0_1`: version and revision, what props.plist `version` and `reverts` entries hold (xbps_pkg_version). */
  version: string;
  /** `1.0`: the version without the revision (everything before the last '_'). */
  versionOnly: string;
  /** `1`: the text after the last '_' (xbps_pkg_revision). */
  revision: string;
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

/** xbps's `is_revision`: non-empty, only digits and '_'. */
function isRevision(s: string, from: number): boolean {
  if (from >= s.length) return false;
  for (let i = from; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (!isDigit(c) && c !== 0x5f) return false;
  }
  return true;
}

/**
 * Index of the '_' that starts the revision part (the first '_' after the first digit that
 * follows the last '-'), or -1 when the string is not a pkgver.
 */
function revisionStart(s: string): { dash: number; underscore: number } | undefined {
  const dash = s.lastIndexOf('-');
  if (dash < 0) return undefined;
  for (let i = dash + 1; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x5f) return undefined;
    if (isDigit(c)) {
      const u = s.indexOf('_', i + 1);
      if (u < 0) continue; // xbps keeps scanning when no '_' follows this digit
      return isRevision(s, u + 1) ? { dash, underscore: u } : undefined;
    }
  }
  return undefined;
}

/** The parts of a pkgver, or undefined when xbps would not accept it as one. */
export function tryParsePkgver(s: string): Pkgver | undefined {
  const r = revisionStart(s);
  if (r === undefined) return undefined;
  const name = s.slice(0, r.dash);
  if (utf8Length(name) > XBPS_MAX_NAME_BYTES) return undefined;
  const version = s.slice(r.dash + 1);
  const lastUnderscore = s.lastIndexOf('_');
  return {
    pkgver: s,
    name,
    version,
    versionOnly: s.slice(r.dash + 1, lastUnderscore),
    revision: s.slice(lastUnderscore + 1),
  };
}

/**
 * The parts of a pkgver.
 *
 * @throws RepokitError `XBPS_BAD_PKGVER` when xbps would not accept the string as a pkgver.
 */
export function parsePkgver(s: string): Pkgver {
  const p = tryParsePkgver(s);
  if (p === undefined) {
    const why = revisionStart(s) === undefined ? 'expected name-version_revision' : `the name is longer than ${XBPS_MAX_NAME_BYTES} bytes`;
    throw new RepokitError('XBPS_BAD_PKGVER', `"${s}" is not a valid pkgver: ${why}`);
  }
  return p;
}

/** True when xbps accepts the string as a pkgver. */
export function isPkgver(s: string): boolean {
  return tryParsePkgver(s) !== undefined;
}

/** `xbps_pkg_name`: the package name of a pkgver, or undefined when it is not one. */
export function pkgverName(s: string): string | undefined {
  return tryParsePkgver(s)?.name;
}

/**
 * `xbps_pkg_version`: `version_revision` of a pkgver, or undefined when it is not one. Unlike
 * {@link pkgverName} there is no name length limit (xbps does not check it here either).
 */
export function pkgverVersion(s: string): string | undefined {
  const r = revisionStart(s);
  return r === undefined ? undefined : s.slice(r.dash + 1);
}

/** `xbps_pkg_revision`: the text after the last '_' of a pkgver, or undefined when it is not one. */
export function pkgverRevision(s: string): string | undefined {
  const r = revisionStart(s);
  return r === undefined ? undefined : s.slice(s.lastIndexOf('_') + 1);
}

/**
 * `xbps_binpkg_pkgver` + `xbps_binpkg_arch`: split a package file name
 * `<pkgver>.<arch>.xbps` (a directory part is ignored). Undefined when the name does not end
 * in `.xbps`, has no arch, or its pkgver is invalid.
 */
export function parseBinpkgFilename(path: string): { pkgver: string; arch: string } | undefined {
  const slash = path.lastIndexOf('/');
  const base = slash >= 0 ? path.slice(slash + 1) : path;
  // xbps strips the last 5 characters without checking them; we do check for ".xbps".
  if (!base.endsWith('.xbps')) return undefined;
  const stem = base.slice(0, -5);
  const dot = stem.lastIndexOf('.');
  if (dot < 0) return undefined;
  const pkgver = stem.slice(0, dot);
  if (pkgverVersion(pkgver) === undefined) return undefined;
  return { pkgver, arch: stem.slice(dot + 1) };
}

/** The package file name xbps uses: `<pkgver>.<arch>.xbps` (`xbps_pkg_path`). */
export function binpkgFilename(pkgver: string, arch: string): string {
  return `${pkgver}.${arch}.xbps`;
}
