/**
 * Small, dependency-free building blocks for hostile-input fuzz tests: a seeded PRNG, byte-level
 * mutations that record what they did, fuzz-size knobs from the environment, and a guard that
 * classifies what a decoder threw. Format-specific fuzzers (RPM, ALPM, XBPS, ...) add their own
 * structure-aware mutations on top of these.
 *
 * Everything is deterministic for a given seed, so a failing case is reproduced by its seed and
 * case number alone; the recorded recipe says in words what was done to the bytes.
 */
import { isRepokitError } from '../../src/shared/errors.js';

// ---------------------------------------------------------------------------------------------
// PRNG

/** SplitMix32-style mixing of a 32-bit value (used to derive independent per-case seeds). */
export function mix32(x: number): number {
  x = (x + 0x9e3779b9) | 0;
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

/** The seed of case `index` in a run seeded with `seed`: independent of how cases are batched. */
export function caseSeed(seed: number, index: number): number {
  return mix32(mix32(seed >>> 0) ^ Math.imul(index + 1, 0x27d4eb2d));
}

/** sfc32: a small, fast, well-distributed 32-bit PRNG (good enough for fuzzing, not for crypto). */
export class Prng {
  #a: number;
  #b: number;
  #c: number;
  #d: number;

  constructor(seed: number) {
    this.#a = 0x9e3779b9;
    this.#b = 0x243f6a88;
    this.#c = 0xb7e15162;
    this.#d = seed >>> 0;
    for (let i = 0; i < 12; i++) this.u32();
  }

  /** A uniform uint32. */
  u32(): number {
    const t = (((this.#a + this.#b) | 0) + this.#d) | 0;
    this.#d = (this.#d + 1) | 0;
    this.#a = this.#b ^ (this.#b >>> 9);
    this.#b = (this.#c + (this.#c << 3)) | 0;
    this.#c = (this.#c << 21) | (this.#c >>> 11);
    this.#c = (this.#c + t) | 0;
    return t >>> 0;
  }

  /** A float in [0, 1). */
  float(): number {
    return this.u32() / 0x100000000;
  }

  /** An integer in [0, n) (n >= 1). */
  int(n: number): number {
    return Math.floor(this.float() * n);
  }

  /** An integer in [lo, hi] inclusive. */
  range(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }

  chance(p: number): boolean {
    return this.float() < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('Prng.pick: empty list');
    return items[this.int(items.length)]!;
  }

  /** Pick by weight: `[[weight, value], ...]`. */
  weighted<T>(items: readonly (readonly [number, T])[]): T {
    let total = 0;
    for (const [w] of items) total += w;
    let r = this.float() * total;
    for (const [w, v] of items) {
      if ((r -= w) < 0) return v;
    }
    return items[items.length - 1]![1];
  }

  /** Small sizes are much more likely than large ones: 1..max, roughly log-uniform. */
  smallInt(max: number): number {
    const bits = Math.ceil(Math.log2(Math.max(2, max + 1)));
    return Math.min(max, Math.max(1, this.int(2 ** this.range(1, bits))));
  }

  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = this.u32() & 0xff;
    return out;
  }
}

/**
 * `n` bytes of mixed data for compressor tests: small-alphabet text, runs, random bytes and
 * repeats at long distances, so that every kind of match and literal a codec has gets exercised.
 */
export function compressibleSample(rng: Prng, n: number): Uint8Array {
  const out = new Uint8Array(n);
  let i = 0;
  while (i < n) {
    const kind = rng.int(4);
    const len = Math.min(n - i, 1 + rng.int(kind === 3 ? 5000 : 300));
    if (kind === 0) for (let k = 0; k < len; k++) out[i + k] = 0x61 + rng.int(6);
    else if (kind === 1) out.fill(rng.int(256), i, i + len);
    else if (kind === 2) for (let k = 0; k < len; k++) out[i + k] = rng.int(256);
    else if (i > 0) {
      const from = rng.int(i);
      for (let k = 0; k < len; k++) out[i + k] = out[from + (k % (i - from))]!;
    }
    i += len;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Environment knobs

export interface FuzzConfig {
  seed: number;
  cases: number;
  /** Where the numbers came from, for test names and reports. */
  source: string;
}

/**
 * Case count and seed: `REPOKIT_FUZZ_CASES` wins; else `ciCases` when `CI` is set; else
 * `localCases`. The seed is `REPOKIT_FUZZ_SEED` (decimal or 0x hex) or `defaultSeed`.
 */
export function fuzzConfig(defaultSeed: number, ciCases: number, localCases: number): FuzzConfig {
  const env = process.env;
  const seedText = env['REPOKIT_FUZZ_SEED'];
  const seed = seedText !== undefined && seedText.trim() !== '' ? Number(seedText.trim()) >>> 0 : defaultSeed >>> 0;
  const casesText = env['REPOKIT_FUZZ_CASES'];
  if (casesText !== undefined && casesText.trim() !== '') {
    const n = Number(casesText.trim());
    if (!Number.isInteger(n) || n < 0) throw new Error(`REPOKIT_FUZZ_CASES must be a non-negative integer, got ${casesText}`);
    return { seed, cases: n, source: 'REPOKIT_FUZZ_CASES' };
  }
  if (env['CI'] !== undefined && env['CI'] !== '' && env['CI'] !== 'false' && env['CI'] !== '0') {
    return { seed, cases: ciCases, source: 'CI' };
  }
  return { seed, cases: localCases, source: 'local default' };
}

// ---------------------------------------------------------------------------------------------
// Byte mutations. Each returns a new buffer (the input is never modified) and appends a short
// description to `log`.

export type Log = string[];

export const hex32 = (v: number): string => `0x${(v >>> 0).toString(16)}`;

/** Byte values that tend to matter: zero, all ones, sign bits, small counts, ASCII and NUL. */
export const INTERESTING_BYTES: readonly number[] = [0x00, 0x01, 0x02, 0x0f, 0x10, 0x20, 0x41, 0x7f, 0x80, 0x81, 0xfe, 0xff];

/** 32-bit values that tend to matter for counts, sizes and offsets. */
export const INTERESTING_U32: readonly number[] = [
  0, 1, 2, 3, 4, 7, 8, 15, 16, 17, 0xff, 0x100, 0xffff, 0x10000, 0xfffff, 0x100000, 0x0fffffff, 0x10000000,
  0x7fffffff, 0x80000000, 0x80000001, 0xfffffff0, 0xfffffffe, 0xffffffff,
];

export function readU32(b: Uint8Array, at: number): number {
  return ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0;
}

/** Write a big-endian uint32 in place; bytes past the end are silently dropped. */
export function writeU32(b: Uint8Array, at: number, v: number): void {
  for (let k = 0; k < 4; k++) {
    const p = at + k;
    if (p >= 0 && p < b.length) b[p] = (v >>> (24 - 8 * k)) & 0xff;
  }
}

/** Copy `src` into `b` at `at` in place; bytes that fall outside `b` are silently dropped. */
export function putBytes(b: Uint8Array, src: Uint8Array, at: number): void {
  for (let k = 0; k < src.length; k++) {
    const p = at + k;
    if (p >= 0 && p < b.length) b[p] = src[k]!;
  }
}

/** A position in [lo, hi) clamped to the buffer, or a random one anywhere if the range is empty. */
function posIn(rng: Prng, b: Uint8Array, lo = 0, hi = b.length): number {
  const l = Math.max(0, Math.min(lo, b.length));
  const h = Math.max(l, Math.min(hi, b.length));
  if (h > l) return rng.range(l, h - 1);
  return b.length === 0 ? 0 : rng.int(b.length);
}

export function flipBits(rng: Prng, b: Uint8Array, log: Log, lo = 0, hi = b.length, what = 'bytes'): Uint8Array {
  const out = b.slice();
  if (out.length === 0) return out;
  const n = rng.smallInt(8);
  const where: string[] = [];
  for (let i = 0; i < n; i++) {
    const p = posIn(rng, out, lo, hi);
    const bit = rng.int(8);
    out[p]! ^= 1 << bit;
    where.push(`${p}.${bit}`);
  }
  log.push(`flip bits in ${what} [${where.join(' ')}]`);
  return out;
}

export function overwriteBytes(rng: Prng, b: Uint8Array, log: Log, lo = 0, hi = b.length, what = 'bytes'): Uint8Array {
  const out = b.slice();
  if (out.length === 0) return out;
  const n = rng.smallInt(8);
  const where: string[] = [];
  for (let i = 0; i < n; i++) {
    const p = posIn(rng, out, lo, hi);
    const v = rng.chance(0.6) ? rng.pick(INTERESTING_BYTES) : rng.u32() & 0xff;
    out[p] = v;
    where.push(`${p}=${v.toString(16)}`);
  }
  log.push(`overwrite ${what} [${where.join(' ')}]`);
  return out;
}

export function truncateAt(b: Uint8Array, at: number, log: Log, why = ''): Uint8Array {
  const n = Math.max(0, Math.min(b.length, at));
  log.push(`truncate to ${n} bytes${why ? ` (${why})` : ''}`);
  return b.slice(0, n);
}

export function insertBytes(b: Uint8Array, at: number, ins: Uint8Array, log: Log): Uint8Array {
  const p = Math.max(0, Math.min(b.length, at));
  const out = new Uint8Array(b.length + ins.length);
  out.set(b.subarray(0, p), 0);
  out.set(ins, p);
  out.set(b.subarray(p), p + ins.length);
  log.push(`insert ${ins.length} bytes at ${p} (${shortHex(ins)})`);
  return out;
}

export function removeBytes(b: Uint8Array, at: number, n: number, log: Log): Uint8Array {
  const p = Math.max(0, Math.min(b.length, at));
  const k = Math.max(0, Math.min(n, b.length - p));
  const out = new Uint8Array(b.length - k);
  out.set(b.subarray(0, p), 0);
  out.set(b.subarray(p + k), p);
  log.push(`remove ${k} bytes at ${p}`);
  return out;
}

/**
 * One to three generic byte mutations of `b`: flip bits, overwrite, truncate, insert (bytes from
 * `insert`), remove; `extra` adds format-specific mutations, picked as often as each generic one.
 */
export function mutateBytes(
  rng: Prng,
  b: Uint8Array,
  log: Log,
  insert: (rng: Prng, n: number) => Uint8Array,
  extra: readonly ((rng: Prng, b: Uint8Array, log: Log) => Uint8Array)[] = [],
): Uint8Array {
  const steps = 1 + rng.int(3);
  for (let s = 0; s < steps; s++) {
    const k = rng.int(5 + extra.length);
    if (k === 0) b = flipBits(rng, b, log);
    else if (k === 1) b = overwriteBytes(rng, b, log);
    else if (k === 2) b = truncateAt(b, rng.int(b.length + 1), log);
    else if (k === 3) b = insertBytes(b, rng.int(b.length + 1), insert(rng, 1 + rng.int(40)), log);
    else if (k === 4) b = removeBytes(b, rng.int(b.length), 1 + rng.int(40), log);
    else b = extra[k - 5]!(rng, b, log);
  }
  return b;
}

/** a[0, cutA) followed by b[cutB, end). */
export function splice(a: Uint8Array, cutA: number, b: Uint8Array, cutB: number, log: Log, what = ''): Uint8Array {
  const pa = Math.max(0, Math.min(a.length, cutA));
  const pb = Math.max(0, Math.min(b.length, cutB));
  const out = new Uint8Array(pa + b.length - pb);
  out.set(a.subarray(0, pa), 0);
  out.set(b.subarray(pb), pa);
  log.push(`splice a[0,${pa}) + b[${pb},${b.length})${what ? ` (${what})` : ''}`);
  return out;
}

export function shortHex(b: Uint8Array, max = 16): string {
  let s = '';
  for (let i = 0; i < Math.min(b.length, max); i++) s += b[i]!.toString(16).padStart(2, '0');
  return b.length > max ? `${s}…` : s;
}

/** The byte ranges where two equal-length buffers differ, as "start..end:hex" (for reports). */
export function describeDiff(a: Uint8Array, b: Uint8Array, maxRanges = 8): string {
  if (a.length !== b.length) return `length ${a.length} -> ${b.length}`;
  const out: string[] = [];
  for (let i = 0; i < a.length && out.length < maxRanges; i++) {
    if (a[i] === b[i]) continue;
    let j = i;
    while (j < a.length && a[j] !== b[j]) j++;
    out.push(`${i}..${j}:${shortHex(b.subarray(i, j))}`);
    i = j;
  }
  return out.length === 0 ? 'identical' : out.join(' ');
}

// ---------------------------------------------------------------------------------------------
// Outcome checking

export interface FuzzFailure {
  /** What was being exercised: "parseRpm", "rpmMetadata", "header.get(1000)", ... */
  step: string;
  /** Human-readable recipe: seed file, case number, mutations. */
  recipe: string;
  /** Why it counts as a failure: a foreign exception, a hang, a broken invariant. */
  problem: string;
  stack: string;
}

/** True if `e` is what a decoder may throw for bad input. */
export function isAllowedError(e: unknown): boolean {
  return isRepokitError(e);
}

export function describeThrown(e: unknown): { problem: string; stack: string } {
  if (e instanceof Error) {
    return { problem: `${e.constructor.name}: ${e.message}`, stack: e.stack ?? String(e) };
  }
  return { problem: `non-Error thrown: ${String(e)}`, stack: String(e) };
}

/**
 * Run `fn`; return what it produced or `undefined` when it threw an allowed (typed) error. A
 * foreign exception is recorded in `failures` and also yields `undefined`.
 */
export function guard<T>(failures: FuzzFailure[], step: string, recipe: () => string, fn: () => T): T | undefined {
  try {
    return fn();
  } catch (e) {
    if (!isAllowedError(e)) failures.push({ step, recipe: recipe(), ...describeThrown(e) });
    return undefined;
  }
}

/** A compact multi-line report of the first few failures. */
export function formatFailures(failures: readonly FuzzFailure[], max = 5): string {
  const lines = [`${failures.length} failure(s); the first ${Math.min(max, failures.length)}:`];
  for (const f of failures.slice(0, max)) {
    lines.push(`- [${f.step}] ${f.problem}`, `  recipe: ${f.recipe}`, `  ${f.stack.split('\n').slice(0, 8).join('\n  ')}`);
  }
  return lines.join('\n');
}
