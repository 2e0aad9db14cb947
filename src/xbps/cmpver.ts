/**
 * Version comparison and dependency patterns exactly as xbps does them: `xbps_cmpver` (NetBSD's
 * dewey algorithm as adapted in xbps's lib/external/dewey.c), `xbps_pkg_reverts`,
 * `xbps_pkgpattern_match` (relational `dewey_match` or `fnmatch(3)` globbing) and
 * `xbps_pkgpattern_name`.
 */
import { pkgverVersion, XBPS_MAX_NAME_BYTES } from './pkgver.js';
import { utf8Length } from './plist-parse.js';

/** A parsed dewey version: its components and the `_revision`. */
interface Dewey {
  v: number[];
  revision: number;
}

// Modifiers in xbps's order (first match wins), matched case-insensitively.
const ALPHA = -3;
const BETA = -2;
const RC = -1;
const DOT = 0;

function lower(c: number): number {
  return c >= 0x41 && c <= 0x5a ? c | 0x20 : c;
}

/** Case-insensitive ASCII prefix test (`strncasecmp(s + at, word, word.length) == 0`). */
function hasWord(s: string, at: number, word: string): boolean {
  if (at + word.length > s.length) return false;
  for (let k = 0; k < word.length; k++) if (lower(s.charCodeAt(at + k)) !== word.charCodeAt(k)) return false;
  return true;
}

/**
 * xbps's `mkversion`: digits runs are C `int`s (they wrap at 32 bits, as observed with gcc),
 * `alpha`/`beta`/`pre`/`rc`/`pl`/`.` are modifiers, `_N` sets the revision, any other ASCII
 * letter adds `0` and its alphabet position, everything else is skipped.
 */
function mkversion(s: string): Dewey {
  const v: number[] = [];
  let revision = 0;
  let i = 0;
  const n = s.length;
  while (i < n) {
    const c = s.charCodeAt(i);
    if (c >= 0x30 && c <= 0x39) {
      let x = 0;
      while (i < n) {
        const d = s.charCodeAt(i) - 0x30;
        if (d < 0 || d > 9) break;
        x = (Math.imul(x, 10) + d) | 0;
        i++;
      }
      v.push(x);
      continue;
    }
    if (hasWord(s, i, 'alpha')) (v.push(ALPHA), (i += 5));
    else if (hasWord(s, i, 'beta')) (v.push(BETA), (i += 4));
    else if (hasWord(s, i, 'pre')) (v.push(RC), (i += 3));
    else if (hasWord(s, i, 'rc')) (v.push(RC), (i += 2));
    else if (hasWord(s, i, 'pl')) (v.push(DOT), (i += 2));
    else if (c === 0x2e /* . */) (v.push(DOT), (i += 1));
    else if (c === 0x5f /* _ */) {
      i++;
      let x = 0;
      while (i < n) {
        const d = s.charCodeAt(i) - 0x30;
        if (d < 0 || d > 9) break;
        x = (Math.imul(x, 10) + d) | 0;
        i++;
      }
      revision = x;
    } else {
      const l = lower(c);
      if (l >= 0x61 && l <= 0x7a) v.push(DOT, l - 0x61 + 1);
      i++;
    }
  }
  return { v, revision };
}

/** The difference the C code computes (`int` subtraction, wrapping). */
function deweyDiff(a: Dewey, b: Dewey): number {
  const n = Math.max(a.v.length, b.v.length);
  for (let i = 0; i < n; i++) {
    const d = ((a.v[i] ?? 0) - (b.v[i] ?? 0)) | 0;
    if (d !== 0) return d;
  }
  return (a.revision - b.revision) | 0;
}

/**
 * `xbps_cmpver`: compare two versions or whole pkgvers (xbps passes pkgvers such as
 * `foo-1.0_1`; name characters then count on both sides). Returns -1, 0 or 1.
 *
 * Includes xbps's 32-bit wrap of long digit runs: `foo-4294967297_1` < `foo-2_1`.
 */
export function cmpver(a: string, b: string): -1 | 0 | 1 {
  const d = deweyDiff(mkversion(a), mkversion(b));
  return d < 0 ? -1 : d > 0 ? 1 : 0;
}

/** What {@link comparePackages} needs of a package: its pkgver and optional `reverts` list. */
export interface PackageVersionInfo {
  pkgver: string;
  reverts?: readonly string[] | undefined;
}

/**
 * `xbps_pkg_reverts`: true when `pkg.reverts` lists the `version_revision` of `pkgver`
 * (exact string match). False when `pkgver` is not a valid pkgver.
 */
export function pkgReverts(pkg: PackageVersionInfo, pkgver: string): boolean {
  const reverts = pkg.reverts;
  if (reverts === undefined || reverts.length === 0) return false;
  const version = pkgverVersion(pkgver);
  if (version === undefined) return false;
  return reverts.includes(version);
}

/**
 * Compare two packages the way `xbps-rindex -a` decides which one is newer: `cmpver` on the
 * whole pkgvers, then `reverts`: if `a` is older but reverts `b`'s version, `a` is newer (1);
 * if `a` is newer but `b` reverts `a`'s version, `b` is newer (-1).
 */
export function comparePackages(a: PackageVersionInfo, b: PackageVersionInfo): -1 | 0 | 1 {
  const c = cmpver(a.pkgver, b.pkgver);
  if (c < 0 && pkgReverts(a, b.pkgver)) return 1;
  if (c > 0 && pkgReverts(b, a.pkgver)) return -1;
  return c;
}

// ---------------------------------------------------------------------------------------------
// Patterns

const enum Op {
  LT,
  LE,
  EQ,
  GE,
  GT,
  NE,
}

const TESTS: readonly (readonly [string, Op])[] = [
  ['<=', Op.LE],
  ['<', Op.LT],
  ['>=', Op.GE],
  ['>', Op.GT],
  ['==', Op.EQ],
  ['!=', Op.NE],
];

function mktest(s: string, at: number): { op: Op; len: number } | undefined {
  for (const [t, op] of TESTS) if (s.startsWith(t, at)) return { op, len: t.length };
  return undefined;
}

function holds(diff: number, op: Op): boolean {
  switch (op) {
    case Op.LT:
      return diff < 0;
    case Op.LE:
      return diff <= 0;
    case Op.GT:
      return diff > 0;
    case Op.GE:
      return diff >= 0;
    case Op.EQ:
      return diff === 0;
    default:
      return diff !== 0;
  }
}

function deweyCmp(lhs: string, op: Op, rhs: string): boolean {
  return holds(deweyDiff(mkversion(lhs), mkversion(rhs)), op);
}

/** xbps's PKG_PATTERN_MAX: the lower bound of `name>A<B` is cut to 1023 characters. */
const PATTERN_MAX = 1024;

/** `dewey_match`: `name>=1.0`, `name<2`, `name>1.0<2.0` against a pkgver. */
function deweyMatch(pattern: string, pkg: string): boolean {
  const dash = pkg.lastIndexOf('-');
  if (dash < 0) return false;
  let sep = firstOf(pattern, '<>');
  if (sep < 0) return false;
  if (sep !== dash || !pkg.startsWith(pattern.slice(0, sep))) return false;
  const version = pkg.slice(dash + 1);
  const t = mktest(pattern, sep);
  if (t === undefined) return false;
  sep += t.len;
  let sep2 = -1;
  if (t.op === Op.GT || t.op === Op.GE) {
    sep2 = pattern.indexOf('<', sep);
    if (sep2 >= 0) {
      const t2 = mktest(pattern, sep2)!;
      if (!deweyCmp(version, t2.op, pattern.slice(sep2 + t2.len))) return false;
    }
  }
  const lowerBound = sep2 >= 0 ? pattern.slice(sep, Math.min(sep2, sep + PATTERN_MAX - 1)) : pattern.slice(sep);
  return deweyCmp(version, t.op, lowerBound);
}

function firstOf(s: string, chars: string): number {
  for (let i = 0; i < s.length; i++) if (chars.includes(s[i]!)) return i;
  return -1;
}

/**
 * `xbps_pkgpattern_match`: does the pkgver `pkg` satisfy the dependency pattern? A pattern is
 * an exact pkgver (`foo-1.0_1`), a relational one (`foo>=1.0_1`, `foo<2`, `foo>1<2`, `==`,
 * `!=` after `<`/`>` forms) or a glob (`foo-[0-9]*`, fnmatch with FNM_PERIOD).
 */
export function pkgpatternMatch(pkg: string, pattern: string): boolean {
  if (pattern === pkg) return true;
  if (firstOf(pattern, '<>') >= 0) return deweyMatch(pattern, pkg);
  if (firstOf(pattern, '*?[]') >= 0) return fnmatch(pattern, pkg);
  return false;
}

/**
 * `xbps_pkgpattern_name`: the package name of a pattern (`systemd>=43` → `systemd`,
 * `systemd-[0-9]*` → `systemd`), or undefined when it has no pattern character, starts with
 * one, or the name is longer than 63 bytes.
 */
export function pkgpatternName(pattern: string): string | undefined {
  const at = firstOf(pattern, '><*?[]');
  if (at <= 0) return undefined;
  let name = pattern.slice(0, at);
  if (name.endsWith('-')) name = name.slice(0, -1);
  if (utf8Length(name) > XBPS_MAX_NAME_BYTES) return undefined;
  return name;
}

/** `xbps_pkgpattern_version`: the pattern from its first `><*?[]` on, or undefined. */
export function pkgpatternVersion(pattern: string): string | undefined {
  const at = firstOf(pattern, '><*?[]');
  return at < 0 ? undefined : pattern.slice(at);
}

/**
 * The package name a dependency refers to, the way xbps resolves `run_depends` entries: the
 * pattern's name, else the pkgver's name, else the string itself.
 */
export function dependencyName(dep: string): string {
  const n = pkgpatternName(dep);
  if (n !== undefined) return n;
  const dash = dep.lastIndexOf('-');
  if (dash > 0 && pkgverVersion(dep) !== undefined) return dep.slice(0, dash);
  return dep;
}

// ---------------------------------------------------------------------------------------------
// fnmatch(3) with FNM_PERIOD (no FNM_PATHNAME, backslash escapes), C locale.

const CLASSES: Readonly<Record<string, (c: number) => boolean>> = {
  alnum: (c) => isAlpha(c) || (c >= 0x30 && c <= 0x39),
  alpha: (c) => isAlpha(c),
  blank: (c) => c === 0x20 || c === 0x09,
  cntrl: (c) => c < 0x20 || c === 0x7f,
  digit: (c) => c >= 0x30 && c <= 0x39,
  graph: (c) => c > 0x20 && c < 0x7f,
  lower: (c) => c >= 0x61 && c <= 0x7a,
  print: (c) => c >= 0x20 && c < 0x7f,
  punct: (c) => c > 0x20 && c < 0x7f && !isAlpha(c) && !(c >= 0x30 && c <= 0x39),
  space: (c) => c === 0x20 || (c >= 0x09 && c <= 0x0d),
  upper: (c) => c >= 0x41 && c <= 0x5a,
  xdigit: (c) => (c >= 0x30 && c <= 0x39) || ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x66),
};

function isAlpha(c: number): boolean {
  const l = c | 0x20;
  return l >= 0x61 && l <= 0x7a;
}

/**
 * Match a bracket expression starting at `p` (just after '['). Returns the index after ']'
 * and whether `c` matched, or undefined when the bracket is not closed (then '[' is literal).
 */
function bracket(pat: string, p: number, c: number): { next: number; matched: boolean } | undefined {
  let negate = false;
  if (pat[p] === '!' || pat[p] === '^') {
    negate = true;
    p++;
  }
  let matched = false;
  let first = true;
  while (p < pat.length) {
    let ch = pat[p]!;
    if (ch === ']' && !first) return { next: p + 1, matched: matched !== negate };
    first = false;
    if (ch === '[' && pat[p + 1] === ':') {
      const close = pat.indexOf(':]', p + 2);
      if (close >= 0) {
        const test = CLASSES[pat.slice(p + 2, close)];
        if (test !== undefined) {
          if (test(c)) matched = true;
          p = close + 2;
          continue;
        }
      }
    }
    if (ch === '\\' && p + 1 < pat.length) ch = pat[++p]!;
    const lo = ch.charCodeAt(0);
    p++;
    if (pat[p] === '-' && p + 1 < pat.length && pat[p + 1] !== ']') {
      let hiCh = pat[p + 1]!;
      p += 2;
      if (hiCh === '\\' && p < pat.length) hiCh = pat[p++]!;
      const hi = hiCh.charCodeAt(0);
      if (c >= lo && c <= hi) matched = true;
      continue;
    }
    if (c === lo) matched = true;
  }
  return undefined;
}

/** One step: does the pattern token at `p` match character `c`; where does the token end. */
function matchOne(pat: string, p: number, c: number, atStart: boolean): { next: number; ok: boolean } {
  const ch = pat[p]!;
  if (ch === '?') return { next: p + 1, ok: !(atStart && c === 0x2e) };
  if (ch === '[') {
    const b = bracket(pat, p + 1, c);
    if (b !== undefined) return { next: b.next, ok: b.matched && !(atStart && c === 0x2e) };
    return { next: p + 1, ok: c === 0x5b };
  }
  if (ch === '\\' && p + 1 < pat.length) return { next: p + 2, ok: pat.charCodeAt(p + 1) === c };
  return { next: p + 1, ok: pat.charCodeAt(p) === c };
}

/**
 * `fnmatch(pattern, s, FNM_PERIOD) == 0`. Backtracks only to the last '*', which is enough for
 * globs and keeps the work at O(|pattern| · |s|).
 */
export function fnmatch(pattern: string, s: string): boolean {
  let p = 0;
  let i = 0;
  let starP = -1;
  let starI = -1;
  while (i < s.length) {
    const c = s.charCodeAt(i);
    if (p < pattern.length && pattern[p] === '*') {
      // FNM_PERIOD: a leading '.' cannot be matched by a wildcard.
      while (pattern[p] === '*') p++;
      if (i === 0 && c === 0x2e) {
        starP = -1;
        continue;
      }
      starP = p;
      starI = i;
      continue;
    }
    if (p < pattern.length) {
      const m = matchOne(pattern, p, c, i === 0);
      if (m.ok) {
        p = m.next;
        i++;
        continue;
      }
    }
    if (starP < 0) return false;
    p = starP;
    i = ++starI;
  }
  while (pattern[p] === '*') p++;
  return p === pattern.length;
}
