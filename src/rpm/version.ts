/**
 * RPM version comparison: `rpmvercmp`, EVR parsing and comparison, package-vs-package comparison
 * and dependency range overlap, with the same results as rpm (reference: docs in
 * `rpm.md` §4; rpm's `rpmio/rpmvercmp.cc`, `rpmio/rpmver.cc`, `lib/rpmds.cc`, `lib/headerutil.cc`).
 *
 * Strings are examined as UTF-16 code units. rpm works on bytes, but its character classes are
 * ASCII-only (`0-9`, `A-Z`, `a-z`, plus `~` and `^`), every other byte is a separator, and segments
 * only ever hold ASCII letters or digits. A non-ASCII character is a separator in both views
 * (all of its UTF-8 bytes are >= 0x80, all of its UTF-16 units are >= 0x80), so the results are the
 * same as rpm's on the UTF-8 encoding of the string.
 *
 * Like rpm, which sees C strings, the comparison functions treat a NUL character as the end of
 * the string. {@link parseEvr} rejects NUL instead, since it would silently drop text.
 */
import { RepokitError } from '../shared/errors.js';
import { RPMSENSE } from './tags.js';

/** An `[epoch:]version[-release]` split the way rpm's `rpmverParse` does it. */
export interface Evr {
  /** The digits before `:` (`"0"` for a bare leading `:`), or `null` when there is no epoch. */
  epoch: string | null;
  version: string;
  /** The text after the last `-`, or `null` when there is no `-`. */
  release: string | null;
}

const CH_0 = 0x30;
const CH_9 = 0x39;
const CH_TILDE = 0x7e;
const CH_CARET = 0x5e;
const CH_COLON = 0x3a;
const UINT32_MAX = 0xffff_ffff;

function isDigit(c: number): boolean {
  return c >= CH_0 && c <= CH_9;
}

function isAlpha(c: number): boolean {
  return (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
}

/** Anything that is not an ASCII letter or digit, `~` or `^`. */
function isSeparator(c: number): boolean {
  return !isDigit(c) && !isAlpha(c) && c !== CH_TILDE && c !== CH_CARET;
}

function requireString(value: unknown, what: string): string {
  if (typeof value !== 'string') {
    throw new RepokitError('INVALID_ARGUMENT', `${what} must be a string, got ${describe(value)}`);
  }
  return value;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value;
}

/** The part of `s` a C function would see: everything before the first NUL. */
function cString(s: string): string {
  const nul = s.indexOf('\0');
  return nul === -1 ? s : s.slice(0, nul);
}

/** rpmvercmp on strings already cut at NUL. */
function vercmp(a: string, b: string): -1 | 0 | 1 {
  if (a === b) return 0;
  const na = a.length;
  const nb = b.length;
  let i = 0;
  let j = 0;

  while (i < na || j < nb) {
    while (i < na && isSeparator(a.charCodeAt(i))) i++;
    while (j < nb && isSeparator(b.charCodeAt(j))) j++;
    // -1 stands for the end of the string (C's NUL terminator).
    const ca = i < na ? a.charCodeAt(i) : -1;
    const cb = j < nb ? b.charCodeAt(j) : -1;

    // `~` sorts before everything, even the end of the string.
    if (ca === CH_TILDE || cb === CH_TILDE) {
      if (ca !== CH_TILDE) return 1;
      if (cb !== CH_TILDE) return -1;
      i++;
      j++;
      continue;
    }

    // `^` sorts after the end of the string but before any other segment.
    if (ca === CH_CARET || cb === CH_CARET) {
      if (ca === -1) return -1;
      if (cb === -1) return 1;
      if (ca !== CH_CARET) return 1;
      if (cb !== CH_CARET) return -1;
      i++;
      j++;
      continue;
    }

    if (ca === -1 || cb === -1) break;

    // One segment from each: a digit run if `a` starts with a digit, else a letter run.
    const numeric = isDigit(ca);
    const inSegment = numeric ? isDigit : isAlpha;
    let ea = i;
    let eb = j;
    while (ea < na && inSegment(a.charCodeAt(ea))) ea++;
    while (eb < nb && inSegment(b.charCodeAt(eb))) eb++;

    // `a`'s segment is never empty here. An empty one in `b` means the classes differ:
    // numeric segments are newer than alphabetic ones.
    if (eb === j) return numeric ? 1 : -1;

    if (numeric) {
      while (i < ea && a.charCodeAt(i) === CH_0) i++;
      while (j < eb && b.charCodeAt(j) === CH_0) j++;
      const la = ea - i;
      const lb = eb - j;
      if (la > lb) return 1;
      if (lb > la) return -1;
    }

    // strcmp of the two segments (ASCII only, so code units order like bytes).
    const la = ea - i;
    const lb = eb - j;
    const n = la < lb ? la : lb;
    for (let k = 0; k < n; k++) {
      const d = a.charCodeAt(i + k) - b.charCodeAt(j + k);
      if (d !== 0) return d < 0 ? -1 : 1;
    }
    if (la !== lb) return la < lb ? -1 : 1;

    i = ea;
    j = eb;
  }

  // Every segment matched; only separators may differ.
  if (i >= na && j >= nb) return 0;
  return i >= na ? -1 : 1;
}

/**
 * rpm's `rpmvercmp`: compare two version (or release) strings segment by segment.
 *
 * Returns 1 when `a` is newer, 0 when they are equal, -1 when `b` is newer. Digit runs compare
 * numerically (leading zeros ignored, any length), letter runs bytewise (so `Z` < `a`), a digit run
 * beats a letter run, all other characters are separators (so `2_0` equals `2.0`, and non-ASCII
 * letters compare equal to each other), `~` sorts before everything including the end of the
 * string (`1.0~rc1` < `1.0`), and `^` sorts after the end but before anything else
 * (`1.0` < `1.0^git1` < `1.0.1`).
 *
 * @throws RepokitError INVALID_ARGUMENT when an argument is not a string.
 */
export function rpmvercmp(a: string, b: string): -1 | 0 | 1 {
  return vercmp(cString(requireString(a, 'rpmvercmp: a')), cString(requireString(b, 'rpmvercmp: b')));
}

/**
 * Split an `[epoch:]version[-release]` string like rpm's `rpmverParse`.
 *
 * - The epoch is the run of leading ASCII digits when it is followed by `:`; a bare leading `:`
 *   gives epoch `"0"`; otherwise the epoch is `null` (and a later `:` belongs to the version).
 * - The release is the text after the **last** `-` (possibly empty), or `null` without a `-`.
 * - The version is what is left between them (possibly empty, as in `"-1"`).
 *
 * @throws RepokitError RPM_BAD_VERSION for an empty string (rpm returns no version for it) or a
 *   string containing NUL; INVALID_ARGUMENT when `evr` is not a string.
 */
export function parseEvr(evr: string): Evr {
  requireString(evr, 'parseEvr: evr');
  if (evr.length === 0) {
    throw new RepokitError('RPM_BAD_VERSION', 'empty EVR string');
  }
  const nul = evr.indexOf('\0');
  if (nul !== -1) {
    throw new RepokitError('RPM_BAD_VERSION', `EVR string contains a NUL character at index ${nul}`);
  }
  let s = 0;
  while (s < evr.length && isDigit(evr.charCodeAt(s))) s++;
  // Leading digits contain no '-', so the last '-' overall is the last one after them.
  const dash = evr.lastIndexOf('-');
  const versionEnd = dash === -1 ? evr.length : dash;
  const release = dash === -1 ? null : evr.slice(dash + 1);
  if (s < evr.length && evr.charCodeAt(s) === CH_COLON) {
    const epoch = s === 0 ? '0' : evr.slice(0, s);
    return { epoch, version: evr.slice(s + 1, versionEnd), release };
  }
  return { epoch: null, version: evr.slice(0, versionEnd), release };
}

/**
 * Format `[E:]V[-R]`: the epoch and `:` only when an epoch is given (`0` included), the `-` and
 * release only when a release is given (an empty release gives a trailing `-`, as rpm does).
 *
 * The result always parses back with {@link parseEvr} to the same parts (numeric epochs as their
 * decimal string).
 *
 * @throws RepokitError RPM_BAD_VERSION when the parts cannot be written so that they parse back
 *   (an epoch that is not all digits, a `-` in the release, a `-` in the version when there is no
 *   release, a version that would be taken for an epoch, NUL, or an empty result); INVALID_ARGUMENT for wrong argument types or an
 *   epoch number that is not a non-negative safe integer.
 */
export function formatEvr(evr: {
  epoch?: string | number | null;
  version: string;
  release?: string | null;
}): string {
  if (typeof evr !== 'object' || evr === null) {
    throw new RepokitError('INVALID_ARGUMENT', `formatEvr: expected an object, got ${describe(evr)}`);
  }
  const version = requireString(evr.version, 'formatEvr: version');
  const rawEpoch: unknown = evr.epoch;
  let epoch: string | null;
  if (rawEpoch === undefined || rawEpoch === null) {
    epoch = null;
  } else if (typeof rawEpoch === 'number') {
    if (!Number.isSafeInteger(rawEpoch) || rawEpoch < 0) {
      throw new RepokitError('INVALID_ARGUMENT', `formatEvr: epoch must be a non-negative integer, got ${rawEpoch}`);
    }
    epoch = String(rawEpoch);
  } else if (typeof rawEpoch === 'string') {
    epoch = rawEpoch;
  } else {
    throw new RepokitError('INVALID_ARGUMENT', `formatEvr: epoch must be a string, number or null, got ${describe(rawEpoch)}`);
  }
  const rawRelease: unknown = evr.release;
  let release: string | null;
  if (rawRelease === undefined || rawRelease === null) {
    release = null;
  } else {
    release = requireString(rawRelease, 'formatEvr: release');
  }

  if (epoch !== null && !/^[0-9]+$/.test(epoch)) {
    throw new RepokitError('RPM_BAD_VERSION', `formatEvr: epoch ${JSON.stringify(epoch)} is not a run of digits`);
  }
  const out = (epoch === null ? '' : `${epoch}:`) + version + (release === null ? '' : `-${release}`);

  let back: Evr | undefined;
  try {
    back = parseEvr(out);
  } catch {
    back = undefined;
  }
  if (back === undefined || back.epoch !== epoch || back.version !== version || back.release !== release) {
    throw new RepokitError(
      'RPM_BAD_VERSION',
      `formatEvr: ${JSON.stringify({ epoch, version, release })} cannot be written as an EVR that parses back to the same parts`,
    );
  }
  return out;
}

function toEvr(value: unknown, what: string): Evr {
  if (typeof value === 'string') return parseEvr(value);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new RepokitError('INVALID_ARGUMENT', `${what} must be an EVR string or an Evr object, got ${describe(value)}`);
  }
  const o = value as Record<string, unknown>;
  const version = requireString(o['version'], `${what}.version`);
  const epoch = o['epoch'] === undefined || o['epoch'] === null ? null : requireString(o['epoch'], `${what}.epoch`);
  const release =
    o['release'] === undefined || o['release'] === null ? null : requireString(o['release'], `${what}.release`);
  return { epoch, version, release };
}

/** rpm's `compare_values`: NULL < any string, two strings by rpmvercmp. */
function compareOptional(a: string | null, b: string | null): -1 | 0 | 1 {
  if (a === null) return b === null ? 0 : -1;
  if (b === null) return 1;
  return vercmp(cString(a), cString(b));
}

/**
 * rpm's `rpmverCmp` (what `rpm.ver` comparisons and `rpm.labelCompare` use): a missing epoch
 * counts as `"0"` and epochs compare with rpmvercmp (so `00:1` equals `1`), then versions, then
 * releases, where a missing release sorts before any release (`1.0` < `1.0-1`, and even
 * `1.0` < `1.0-`).
 *
 * Strings are parsed with {@link parseEvr}; `Evr` objects are used as they are (an `undefined`
 * epoch or release counts as `null`).
 *
 * @throws RepokitError RPM_BAD_VERSION when a string does not parse; INVALID_ARGUMENT for wrong
 *   argument types.
 */
export function compareEvr(a: Evr | string, b: Evr | string): -1 | 0 | 1 {
  const x = toEvr(a, 'compareEvr: a');
  const y = toEvr(b, 'compareEvr: b');
  const rc = compareOptional(x.epoch ?? '0', y.epoch ?? '0');
  if (rc !== 0) return rc;
  const rv = compareOptional(x.version, y.version);
  if (rv !== 0) return rv;
  return compareOptional(x.release, y.release);
}

interface PackageVersion {
  epoch?: number | null;
  version: string;
  release: string;
}

function packageEpoch(p: PackageVersion, what: string): number {
  const e: unknown = p.epoch;
  if (e === undefined || e === null) return 0;
  if (typeof e !== 'number' || !Number.isInteger(e) || e < 0 || e > UINT32_MAX) {
    throw new RepokitError(
      'INVALID_ARGUMENT',
      `${what}.epoch must be an integer from 0 to ${UINT32_MAX} (an RPM EPOCH tag value), got ${typeof e === 'number' ? e : describe(e)}`,
    );
  }
  return e;
}

function requirePackage(p: unknown, what: string): PackageVersion {
  if (typeof p !== 'object' || p === null || Array.isArray(p)) {
    throw new RepokitError('INVALID_ARGUMENT', `${what} must be an object, got ${describe(p)}`);
  }
  const o = p as Record<string, unknown>;
  requireString(o['version'], `${what}.version`);
  requireString(o['release'], `${what}.release`);
  return p as PackageVersion;
}

/**
 * rpm's `rpmVersionCompare` for two packages (headers): EPOCH as unsigned 32-bit integers (missing
 * = 0), then rpmvercmp of VERSION, then rpmvercmp of RELEASE.
 *
 * @throws RepokitError INVALID_ARGUMENT for wrong argument types or an epoch outside 0..2^32-1.
 */
export function comparePackageVersions(
  a: { epoch?: number | null; version: string; release: string },
  b: { epoch?: number | null; version: string; release: string },
): -1 | 0 | 1 {
  const pa = requirePackage(a, 'comparePackageVersions: a');
  const pb = requirePackage(b, 'comparePackageVersions: b');
  const ea = packageEpoch(pa, 'comparePackageVersions: a');
  const eb = packageEpoch(pb, 'comparePackageVersions: b');
  if (ea !== eb) return ea < eb ? -1 : 1;
  const rv = vercmp(cString(pa.version), cString(pb.version));
  if (rv !== 0) return rv;
  return vercmp(cString(pa.release), cString(pb.release));
}

function requireRange(r: unknown, what: string): { evr: string; flags: number } {
  if (typeof r !== 'object' || r === null || Array.isArray(r)) {
    throw new RepokitError('INVALID_ARGUMENT', `${what} must be an object, got ${describe(r)}`);
  }
  const o = r as Record<string, unknown>;
  const evr = requireString(o['evr'], `${what}.evr`);
  const flags = o['flags'];
  if (typeof flags !== 'number' || !Number.isInteger(flags) || flags < 0 || flags > UINT32_MAX) {
    throw new RepokitError(
      'INVALID_ARGUMENT',
      `${what}.flags must be an integer from 0 to ${UINT32_MAX} (rpmsenseFlags), got ${typeof flags === 'number' ? flags : describe(flags)}`,
    );
  }
  return { evr, flags };
}

/**
 * Whether two dependency ranges of the same name overlap, as rpm's `rpmdsCompare` decides it
 * (the name check is left to the caller). `flags` are rpmsenseFlags: LESS = 2, GREATER = 4,
 * EQUAL = 8; other bits are ignored except the legacy bit 1, which rpm counts as a sense.
 *
 * - If either side has no sense bits (`flags & 15 === 0`) or an empty EVR, they always overlap.
 * - Otherwise both EVRs are parsed ({@link parseEvr}) and compared as `rpmverOverlap` does:
 *   epochs only when both have one (otherwise a side whose epoch is > 0 is greater); then versions;
 *   then releases only when both are non-empty — when versions are equal and one side has no
 *   release, the ranges overlap if the side *without* a release has EQUAL
 *   (`foo = 1.0` matches `foo = 1.0-3`).
 * - Then: a < b overlaps if a has GREATER or b has LESS; a > b if a has LESS or b has GREATER;
 *   a == b if both have EQUAL, both LESS or both GREATER.
 *
 * @throws RepokitError RPM_BAD_VERSION when an EVR contains NUL; INVALID_ARGUMENT for wrong
 *   argument types or flags outside 0..2^32-1.
 */
export function rangesOverlap(a: { evr: string; flags: number }, b: { evr: string; flags: number }): boolean {
  const ra = requireRange(a, 'rangesOverlap: a');
  const rb = requireRange(b, 'rangesOverlap: b');
  const f1 = ra.flags;
  const f2 = rb.flags;

  // An existence test (no sense bits) on either side always overlaps.
  if ((f1 & RPMSENSE.SENSEMASK) === 0 || (f2 & RPMSENSE.SENSEMASK) === 0) return true;
  // So does an empty EVR on either side.
  if (ra.evr.length === 0 || rb.evr.length === 0) return true;

  const v1 = parseEvr(ra.evr);
  const v2 = parseEvr(rb.evr);

  let sense: number = 0;
  // Parsed epochs are never empty strings, and are all digits: atol(e) > 0 iff a digit is non-zero.
  if (v1.epoch !== null && v2.epoch !== null) {
    sense = vercmp(v1.epoch, v2.epoch);
  } else if (v1.epoch !== null && /[1-9]/.test(v1.epoch)) {
    sense = 1;
  } else if (v2.epoch !== null && /[1-9]/.test(v2.epoch)) {
    sense = -1;
  }

  if (sense === 0) {
    sense = vercmp(v1.version, v2.version);
    if (sense === 0) {
      // An empty release counts as no release here (unlike in compareEvr).
      const r1 = v1.release ?? '';
      const r2 = v2.release ?? '';
      if (r1 !== '' && r2 !== '') {
        sense = vercmp(r1, r2);
      } else if ((r1 !== '' && (f2 & RPMSENSE.EQUAL) !== 0) || (r2 !== '' && (f1 & RPMSENSE.EQUAL) !== 0)) {
        // The side without a release matches any release when it includes EQUAL.
        return true;
      }
    }
  }

  if (sense < 0) return (f1 & RPMSENSE.GREATER) !== 0 || (f2 & RPMSENSE.LESS) !== 0;
  if (sense > 0) return (f1 & RPMSENSE.LESS) !== 0 || (f2 & RPMSENSE.GREATER) !== 0;
  return (
    ((f1 & RPMSENSE.EQUAL) !== 0 && (f2 & RPMSENSE.EQUAL) !== 0) ||
    ((f1 & RPMSENSE.LESS) !== 0 && (f2 & RPMSENSE.LESS) !== 0) ||
    ((f1 & RPMSENSE.GREATER) !== 0 && (f2 & RPMSENSE.GREATER) !== 0)
  );
}
