/**
 * pacman's version comparison (`alpm_pkg_vercmp` and its `rpmvercmp` variant, libalpm
 * version.c), ported byte for byte: it works on the UTF-8 bytes, so every non-ASCII byte is a
 * separator and separator runs are measured in bytes, as in C.
 */
import { encodeUtf8 } from '../shared/bytes.js';
import { argString } from './args.js';

const isDigit = (c: number): boolean => c >= 0x30 && c <= 0x39;
const isAlpha = (c: number): boolean => (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
const isAlnum = (c: number): boolean => isDigit(c) || isAlpha(c);

/** The bytes of `s` up to its first NUL (a C string ends there). */
function cBytes(s: string): Uint8Array {
  // Most versions are short ASCII: copying char codes beats TextEncoder's call overhead.
  if (s.length <= 64) {
    const out = new Uint8Array(s.length);
    let i = 0;
    for (; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c === 0 || c >= 0x80) break;
      out[i] = c;
    }
    if (i === s.length) return out;
    if (s.charCodeAt(i) === 0) return out.subarray(0, i);
  }
  const b = encodeUtf8(s);
  const nul = b.indexOf(0);
  return nul < 0 ? b : b.subarray(0, nul);
}

function bytesCompare(a: Uint8Array, aFrom: number, aTo: number, b: Uint8Array, bFrom: number, bTo: number): number {
  const n = Math.min(aTo - aFrom, bTo - bFrom);
  for (let i = 0; i < n; i++) {
    const d = a[aFrom + i]! - b[bFrom + i]!;
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  const la = aTo - aFrom;
  const lb = bTo - bFrom;
  return la === lb ? 0 : la < lb ? -1 : 1;
}

/** rpmvercmp as libalpm has it, on byte ranges [.., end). */
function segmentCompare(a: Uint8Array, aEnd: number, b: Uint8Array, bEnd: number, aStart = 0, bStart = 0): -1 | 0 | 1 {
  if (bytesCompare(a, aStart, aEnd, b, bStart, bEnd) === 0) return 0;
  let one = aStart;
  let two = bStart;
  let p1 = aStart;
  let p2 = bStart;
  const at1 = (i: number): number => (i < aEnd ? a[i]! : 0);
  const at2 = (i: number): number => (i < bEnd ? b[i]! : 0);
  while (one < aEnd && two < bEnd) {
    while (one < aEnd && !isAlnum(a[one]!)) one++;
    while (two < bEnd && !isAlnum(b[two]!)) two++;
    if (!(one < aEnd && two < bEnd)) break;
    // A longer run of separators is newer (pacman's own rule, not rpm's).
    if (one - p1 !== two - p2) return one - p1 < two - p2 ? -1 : 1;
    p1 = one;
    p2 = two;
    let isNum: boolean;
    if (isDigit(a[p1]!)) {
      while (p1 < aEnd && isDigit(a[p1]!)) p1++;
      while (p2 < bEnd && isDigit(b[p2]!)) p2++;
      isNum = true;
    } else {
      while (p1 < aEnd && isAlpha(a[p1]!)) p1++;
      while (p2 < bEnd && isAlpha(b[p2]!)) p2++;
      isNum = false;
    }
    // Segments of different types: numeric beats alpha.
    if (two === p2) return isNum ? 1 : -1;
    let s1 = one;
    let s2 = two;
    if (isNum) {
      while (s1 < p1 && a[s1] === 0x30) s1++;
      while (s2 < p2 && b[s2] === 0x30) s2++;
      if (p1 - s1 > p2 - s2) return 1;
      if (p2 - s2 > p1 - s1) return -1;
    }
    const rc = bytesCompare(a, s1, p1, b, s2, p2);
    if (rc !== 0) return rc < 0 ? -1 : 1;
    one = p1;
    two = p2;
  }
  if (one >= aEnd && two >= bEnd) return 0;
  // A remaining alpha part never beats an empty string: 1.0rc < 1.0, 1.0 < 1.0.1.
  if ((one >= aEnd && !isAlpha(at2(two))) || isAlpha(at1(one))) return -1;
  return 1;
}

/**
 * Compare two version segments exactly as libalpm's internal `rpmvercmp` does (no epoch or
 * release handling). Returns -1, 0 or 1.
 */
export function rpmvercmpAlpm(a: string, b: string): -1 | 0 | 1 {
  argString(a, 'a');
  argString(b, 'b');
  const x = cBytes(a);
  const y = cBytes(b);
  return segmentCompare(x, x.length, y, y.length);
}

interface Evr {
  epoch: [number, number];
  version: [number, number];
  release: [number, number] | undefined;
}

const ZERO = encodeUtf8('0');

/** libalpm parseEVR on byte ranges: epoch digits before ':', release after the last '-'. */
function parseEvrRanges(b: Uint8Array): Evr {
  let s = 0;
  while (s < b.length && isDigit(b[s]!)) s++;
  const dash = b.lastIndexOf(0x2d);
  const se = dash >= s ? dash : -1;
  let epoch: [number, number];
  let versionStart: number;
  if (s < b.length && b[s] === 0x3a) {
    epoch = s === 0 ? [-1, -1] : [0, s];
    versionStart = s + 1;
  } else {
    epoch = [-1, -1];
    versionStart = 0;
  }
  if (se >= 0) return { epoch, version: [versionStart, se], release: [se + 1, b.length] };
  return { epoch, version: [versionStart, b.length], release: undefined };
}

/**
 * pacman's `vercmp` / `alpm_pkg_vercmp`: compare two full versions `[epoch:]pkgver[-pkgrel]`.
 * Returns -1 when `a` is older, 0 when equal, 1 when newer. A missing epoch is 0; the releases
 * are compared only when both versions have one (so `1.5-1` equals `1.5`). `undefined`/`null`
 * sorts before any version, as a NULL does in libalpm. Never throws for strings.
 */
export function vercmp(a: string | null | undefined, b: string | null | undefined): -1 | 0 | 1 {
  if (a == null && b == null) return 0;
  if (a == null) return -1;
  if (b == null) return 1;
  const x = cBytes(a);
  const y = cBytes(b);
  if (bytesCompare(x, 0, x.length, y, 0, y.length) === 0) return 0;
  const ex = parseEvrRanges(x);
  const ey = parseEvrRanges(y);
  const [xe, xeEnd] = ex.epoch[0] < 0 ? [ZERO, 1] : [x, ex.epoch[1]];
  const [ye, yeEnd] = ey.epoch[0] < 0 ? [ZERO, 1] : [y, ey.epoch[1]];
  let ret = segmentCompare(xe, xeEnd, ye, yeEnd, ex.epoch[0] < 0 ? 0 : ex.epoch[0], ey.epoch[0] < 0 ? 0 : ey.epoch[0]);
  if (ret !== 0) return ret;
  ret = segmentCompare(x, ex.version[1], y, ey.version[1], ex.version[0], ey.version[0]);
  if (ret !== 0 || ex.release === undefined || ey.release === undefined) return ret;
  return segmentCompare(x, ex.release[1], y, ey.release[1], ex.release[0], ey.release[0]);
}
