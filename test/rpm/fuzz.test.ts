/**
 * Hostile-input fuzzing of the RPM reader.
 *
 * Real packages (every `.rpm` under ../shared/corpus/rpm and under fixtures/) are mutated with
 * structure-aware mutations: bit flips and byte overwrites (anywhere, and concentrated in the lead,
 * the header intros, the index entries and the region trailers), truncation at random points and at
 * structure boundaries, il/dl and entry tag/type/offset/count set to extremes, region trailer
 * corruption, swapped/duplicated/removed index entries, NUL terminators removed from string data,
 * inserted/removed bytes and spliced packages. Each case is parsed, and when that succeeds every
 * lazy path (typed metadata, JSON, every tag of both headers, I18N lookups, the strict profile) is
 * exercised. The only acceptable exception is a RepokitError; no case may take more than
 * HANG_MS; crafted inputs claiming huge sizes must be rejected without allocating what they claim.
 *
 * Knobs: REPOKIT_FUZZ_CASES (case count; default 50,000 when CI is set, 5,000 otherwise),
 * REPOKIT_FUZZ_SEED (default 0x52504d31), REPOKIT_FUZZ_VERBOSE=1 (per-mutator statistics).
 * A failing case is reproduced from its seed and case number: `REPOKIT_FUZZ_SEED=<seed>
 * REPOKIT_FUZZ_ONLY=<case>[,<case>...] npx vitest run test/rpm/fuzz` runs just those cases, prints
 * their recipes and writes their bytes to $TMPDIR/repokit-fuzz-failures/ (where the bytes of
 * failing cases of a normal run go too). Case inputs do not depend on how cases are batched.
 *
 * A synchronous infinite loop cannot be timed out from inside the same thread: it would show up as
 * the run never finishing (CI's job timeout), not as a HANG_MS failure. Slow-but-finite cases are
 * caught by HANG_MS.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, describe, expect, it } from 'vitest';
import {
  DEPENDENCY_KINDS,
  MAIN_TAGS,
  SIGNATURE_TAGS,
  changelog,
  dependencies,
  fileDigestAlgorithm,
  filePaths,
  files,
  headerEvr,
  installedSize,
  packageEpoch,
  packageName,
  parseHeader,
  parseRpm,
  payloadInfo,
  readRpm,
  readRpmSync,
  rpmMetadata,
  rpmReadSteps,
  rpmTagsToJson,
  type Header,
  type ReadRpmOptions,
  type RpmPackage,
} from '../../src/rpm/index.js';
import { RepokitError, isRepokitError } from '../../src/shared/errors.js';
import { BufferSource, driveSync } from '../../src/shared/input.js';
import {
  INTERESTING_BYTES,
  Prng,
  caseSeed,
  describeThrown,
  flipBits,
  formatFailures,
  fuzzConfig,
  guard,
  hex32,
  insertBytes,
  overwriteBytes,
  putBytes,
  readU32,
  removeBytes,
  splice,
  truncateAt,
  writeU32,
  type FuzzFailure,
  type Log,
} from '../helpers/fuzz.js';

// ---------------------------------------------------------------------------------------------
// Configuration

const CONFIG = fuzzConfig(0x52504d31 /* "RPM1" */, 50_000, 5_000);
/** Cases per `it` block: keeps each block far below the 120 s test timeout. */
const BLOCK = 10_000;
/** A single case slower than this counts as a hang. */
const HANG_MS = 2_000;
/** Growth of process.memoryUsage().arrayBuffers within a block of cases that counts as a failure. */
const CASE_ALLOC_BOUND = 128 * 1024 * 1024;
/** Mutated cases also fed through the stream and file readers. */
const IO_CASES = Math.min(500, Math.max(20, Math.ceil(CONFIG.cases / 10)));

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SHARED_RPM_DIR = path.resolve(REPO_ROOT, '../shared/corpus/rpm');
const FIXTURES_DIR = path.resolve(REPO_ROOT, 'fixtures');
const FAILURE_DIR = path.join(os.tmpdir(), 'repokit-fuzz-failures');

const SIG_LIMITS = { il: 32, dl: 64 * 1024 * 1024 };
const MAIN_LIMITS = { il: 0xffff, dl: 0x0fffffff };
const HEADER_MAX_BYTES = 256 * 1024 * 1024;
const MiB = 1024 * 1024;

// ---------------------------------------------------------------------------------------------
// Seeds and their layout

interface EntryLayout {
  /** Absolute position of the 16-byte index entry. */
  pos: number;
  tag: number;
  type: number;
  /** Signed, relative to the data section. */
  offset: number;
  count: number;
}

interface HeaderLayout {
  name: 'sig' | 'main';
  start: number;
  il: number;
  dl: number;
  indexStart: number;
  dataStart: number;
  end: number;
  entries: EntryLayout[];
  /** Absolute position of the region trailer, when entry 0 is a region tag pointing inside the file. */
  trailer: number | undefined;
  limits: { il: number; dl: number };
}

interface Seed {
  name: string;
  bytes: Uint8Array;
  sig: HeaderLayout | undefined;
  pad: number;
  main: HeaderLayout | undefined;
  /** Structure boundaries (absolute positions) for truncation, insertion and splicing. */
  boundaries: number[];
  headers: HeaderLayout[];
}

function walkRpms(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = path.join(dir, name);
    const st = statSync(p);
    if (st.isDirectory()) out.push(...walkRpms(p));
    else if (st.isFile() && name.endsWith('.rpm')) out.push(p);
  }
  return out;
}

function headerLayout(b: Uint8Array, start: number, name: 'sig' | 'main'): HeaderLayout | undefined {
  if (start + 16 > b.length) return undefined;
  const il = readU32(b, start + 8);
  const dl = readU32(b, start + 12);
  const indexStart = start + 16;
  const dataStart = indexStart + 16 * il;
  const entries: EntryLayout[] = [];
  const n = Math.min(il, Math.floor((b.length - indexStart) / 16), 4096);
  for (let i = 0; i < n; i++) {
    const pos = indexStart + 16 * i;
    entries.push({ pos, tag: readU32(b, pos), type: readU32(b, pos + 4), offset: readU32(b, pos + 8) | 0, count: readU32(b, pos + 12) });
  }
  const e0 = entries[0];
  let trailer: number | undefined;
  if (e0 && e0.tag >= 61 && e0.tag <= 63 && e0.offset >= 0 && dataStart + e0.offset + 16 <= b.length) trailer = dataStart + e0.offset;
  return {
    name,
    start,
    il,
    dl,
    indexStart,
    dataStart,
    end: dataStart + dl,
    entries,
    trailer,
    limits: name === 'sig' ? SIG_LIMITS : MAIN_LIMITS,
  };
}

function layoutOf(name: string, bytes: Uint8Array): Seed {
  const sig = headerLayout(bytes, 96, 'sig');
  const pad = sig ? (8 - (sig.dl % 8)) % 8 : 0;
  const main = sig ? headerLayout(bytes, sig.end + pad, 'main') : undefined;
  const bset = new Set<number>([0, 1, 4, 95, 96, 97]);
  const headers: HeaderLayout[] = [];
  for (const h of [sig, main]) {
    if (!h) continue;
    headers.push(h);
    for (const p of [h.start, h.start + 8, h.start + 12, h.indexStart, h.dataStart, h.end, h.end + pad]) bset.add(p);
    for (const e of h.entries) {
      bset.add(e.pos);
      bset.add(e.pos + 8);
      if (e.offset >= 0) bset.add(h.dataStart + e.offset);
    }
    if (h.trailer !== undefined) bset.add(h.trailer);
  }
  bset.add(bytes.length);
  const boundaries = [...bset].filter((p) => p >= 0 && p <= bytes.length).sort((a, b) => a - b);
  return { name, bytes, sig, pad, main, boundaries, headers };
}

function loadSeeds(): { seeds: Seed[]; sources: string[] } {
  const sources: string[] = [];
  const files: { name: string; file: string }[] = [];
  for (const [label, dir] of [
    ['../shared/corpus/rpm', SHARED_RPM_DIR],
    ['fixtures', FIXTURES_DIR],
  ] as const) {
    const found = walkRpms(dir);
    if (found.length > 0) sources.push(`${found.length} from ${label}`);
    for (const f of found) files.push({ name: `${label}/${path.relative(dir, f)}`, file: f });
  }
  const seeds = files.map(({ name, file }) => layoutOf(name, new Uint8Array(readFileSync(file))));
  return { seeds, sources };
}

// ---------------------------------------------------------------------------------------------
// Mutations

type Mutator = (rng: Prng, b: Uint8Array, s: Seed, log: Log, all: readonly Seed[]) => Uint8Array;

function pickHeader(rng: Prng, s: Seed): HeaderLayout | undefined {
  if (s.headers.length === 0) return undefined;
  if (s.main && rng.chance(0.6)) return s.main;
  return rng.pick(s.headers);
}

function pickEntry(rng: Prng, h: HeaderLayout): { e: EntryLayout; i: number } | undefined {
  if (h.entries.length === 0) return undefined;
  // The region entry gets extra attention.
  const i = rng.chance(0.2) ? 0 : rng.int(h.entries.length);
  return { e: h.entries[i]!, i };
}

function pvlenEdge(il: number): number {
  return HEADER_MAX_BYTES - 8 - 16 * il - 1;
}

const ilValues = (h: HeaderLayout): number[] => [
  0, 1, 2, h.limits.il, h.limits.il + 1, 0xffffffff, 0x7fffffff, 0x80000000, h.il - 1, h.il + 1, h.il + 2, 0x10000, 0xfffff, 0x100000,
];

const dlValues = (h: HeaderLayout): number[] => [
  0, 1, 15, 16, 17, h.limits.dl, h.limits.dl + 1, 0xffffffff, 0x7fffffff, 0x80000000, 0x0fffffff, 0x10000000, h.dl - 1, h.dl + 1,
  h.dl - 8, h.dl + 8, h.dl - 16, h.dl + 16, pvlenEdge(h.il), pvlenEdge(h.il) + 1, 0xfffff, 0x100000,
];

/** The values the issue asks for, plus the header's own dl and its neighbours. */
const extremeValues = (h: HeaderLayout): number[] => [
  0, 1, 0xffffffff, 0x7fffffff, 0x80000000, h.dl, h.dl - 1, h.dl + 1, 0xfffff, 0x100000, 0x0fffffff, 0x10000000, 0xfffffff0,
];

function fieldValue(rng: Prng, h: HeaderLayout, e: EntryLayout, field: number): number {
  const common = extremeValues(h);
  switch (field) {
    case 0: // tag
      return rng.pick([
        ...common,
        61, 62, 63, 64, 99, 100, 1000, 1004, 1044, 1106, 1116, 1117, 1118, 1027, 5114, 1000 + rng.int(200), e.tag - 1, e.tag + 1,
        rng.pick(h.entries).tag,
      ]);
    case 1: // type
      return rng.chance(0.6) ? rng.range(0, 10) : rng.pick(common);
    case 2: // offset
      return rng.pick([...common, e.offset - 1, e.offset + 1, e.offset + 4, e.offset + 8, h.dl - 16, -16, -(16 * h.il), rng.pick(h.entries).offset]);
    default: // count
      return rng.pick([...common, e.count - 1, e.count + 1, 2 * e.count, 16, 0x1000000, 0x1000001]);
  }
}

const FIELD_NAMES = ['tag', 'type', 'offset', 'count'] as const;

const mutators: readonly (readonly [number, string, Mutator])[] = [
  [6, 'flip-anywhere', (rng, b, _s, log) => flipBits(rng, b, log)],
  [5, 'overwrite-anywhere', (rng, b, _s, log) => overwriteBytes(rng, b, log)],
  [
    12,
    'flip-structure',
    (rng, b, s, log) => {
      const areas: [string, number, number][] = [['lead', 0, 96]];
      for (const h of s.headers) {
        areas.push([`${h.name} intro`, h.start, h.indexStart]);
        areas.push([`${h.name} index`, h.indexStart, h.dataStart], [`${h.name} index`, h.indexStart, h.dataStart]);
        areas.push([`${h.name} data`, h.dataStart, h.end]);
        if (h.trailer !== undefined) areas.push([`${h.name} trailer`, h.trailer, h.trailer + 16]);
      }
      const [what, lo, hi] = rng.pick(areas);
      return rng.chance(0.5) ? flipBits(rng, b, log, lo, hi, what) : overwriteBytes(rng, b, log, lo, hi, what);
    },
  ],
  [4, 'truncate-random', (rng, b, _s, log) => truncateAt(b, rng.int(b.length + 1), log)],
  [
    6,
    'truncate-boundary',
    (rng, b, s, log) => {
      const p = rng.pick(s.boundaries) + (rng.chance(0.5) ? 0 : rng.range(-3, 3));
      return truncateAt(b, p, log, 'near a structure boundary');
    },
  ],
  [
    8,
    'set-il-dl',
    (rng, b, s, log) => {
      const h = pickHeader(rng, s);
      if (!h) return b;
      const out = b.slice();
      const isIl = rng.chance(0.5);
      const v = (isIl ? rng.pick(ilValues(h)) : rng.pick(dlValues(h))) >>> 0;
      writeU32(out, h.start + (isIl ? 8 : 12), v);
      log.push(`${h.name}.${isIl ? 'il' : 'dl'} = ${hex32(v)}`);
      return out;
    },
  ],
  [
    14,
    'set-entry-field',
    (rng, b, s, log) => {
      const h = pickHeader(rng, s);
      const pe = h && pickEntry(rng, h);
      if (!h || !pe) return b;
      const out = b.slice();
      const field = rng.int(4);
      const v = fieldValue(rng, h, pe.e, field) >>> 0;
      writeU32(out, pe.e.pos + 4 * field, v);
      log.push(`${h.name}.entry[${pe.i}].${FIELD_NAMES[field]} = ${hex32(v)} (was tag ${pe.e.tag} type ${pe.e.type} offset ${pe.e.offset} count ${pe.e.count})`);
      return out;
    },
  ],
  [
    6,
    'corrupt-trailer',
    (rng, b, s, log) => {
      const hs = s.headers.filter((h) => h.trailer !== undefined);
      if (hs.length === 0) return b;
      const h = rng.pick(hs);
      const t = h.trailer!;
      if (rng.chance(0.3)) return flipBits(rng, b, log, t, t + 16, `${h.name} trailer`);
      const out = b.slice();
      const field = rng.int(4);
      const values = [
        [0, 61, 62, 63, 64, 100, 0xffffffff],
        [0, 1, 6, 7, 8, 0xffffffff],
        [0, 16, -16, -(16 * h.il) + 16, -(16 * h.il) - 16, -(16 * h.il) - 8, 0x80000000, 0x7fffffff, 16 * h.il],
        [0, 1, 15, 17, 0xffffffff],
      ][field]!;
      const v = rng.pick(values) >>> 0;
      writeU32(out, t + 4 * field, v);
      log.push(`${h.name}.trailer.${FIELD_NAMES[field]} = ${hex32(v)}`);
      return out;
    },
  ],
  [
    5,
    'swap-entries',
    (rng, b, s, log) => {
      const h = pickHeader(rng, s);
      if (!h || h.entries.length < 2) return b;
      const i = rng.int(h.entries.length);
      let j = rng.chance(0.5) ? (i + 1) % h.entries.length : rng.int(h.entries.length);
      if (j === i) j = (i + 1) % h.entries.length;
      const out = b.slice();
      const a = h.entries[i]!.pos;
      const c = h.entries[j]!.pos;
      putBytes(out, b.slice(a, a + 16), c);
      putBytes(out, b.slice(c, c + 16), a);
      log.push(`${h.name}: swap index entries ${i} and ${j}`);
      return out;
    },
  ],
  [
    5,
    'duplicate-entry',
    (rng, b, s, log) => {
      const h = pickHeader(rng, s);
      if (!h || h.entries.length < 1) return b;
      const i = rng.int(h.entries.length);
      const src = b.slice(h.entries[i]!.pos, h.entries[i]!.pos + 16);
      if (rng.chance(0.5) && h.entries.length >= 2) {
        let j = rng.int(h.entries.length);
        if (j === i) j = (i + 1) % h.entries.length;
        const out = b.slice();
        putBytes(out, src, h.entries[j]!.pos);
        log.push(`${h.name}: copy index entry ${i} over entry ${j}`);
        return out;
      }
      // Insert the copy (right after the original, or anywhere) and grow il to match.
      const at = rng.chance(0.5) ? i + 1 : rng.int(h.entries.length + 1);
      const out = insertBytes(b, h.indexStart + 16 * at, src, log);
      writeU32(out, h.start + 8, h.il + 1);
      log.push(`${h.name}: (insert duplicate of entry ${i} at index ${at}), il = ${h.il + 1}`);
      return out;
    },
  ],
  [
    3,
    'remove-entry',
    (rng, b, s, log) => {
      const h = pickHeader(rng, s);
      if (!h || h.entries.length < 1) return b;
      const i = rng.int(h.entries.length);
      const out = removeBytes(b, h.entries[i]!.pos, 16, log);
      writeU32(out, h.start + 8, h.il - 1);
      log.push(`${h.name}: (remove index entry ${i}), il = ${h.il - 1}`);
      return out;
    },
  ],
  [
    8,
    'break-strings',
    (rng, b, s, log) => {
      const cands: { h: HeaderLayout; e: EntryLayout }[] = [];
      for (const h of s.headers) {
        for (const e of h.entries) if ((e.type === 6 || e.type === 8 || e.type === 9) && e.offset >= 0) cands.push({ h, e });
      }
      if (cands.length === 0) return b;
      const { h, e } = rng.pick(cands);
      // The entry's NULs, scanning no further than its count and the data end.
      const nuls: number[] = [];
      const lim = Math.min(h.end, b.length);
      for (let p = h.dataStart + e.offset; p < lim && nuls.length < Math.min(e.count, 1 << 16); p++) if (b[p] === 0) nuls.push(p);
      if (nuls.length === 0) return b;
      const mode = rng.int(5);
      const z = rng.chance(0.5) ? nuls[nuls.length - 1]! : rng.pick(nuls);
      const what = `${h.name} tag ${e.tag} (type ${e.type}, count ${e.count})`;
      if (mode === 0) {
        const out = b.slice();
        out[z] = rng.pick([0x41, 0x2f, 0xff, 0xc3, 0x80]);
        log.push(`${what}: NUL at ${z} replaced by ${out[z]!.toString(16)}`);
        return out;
      }
      if (mode === 1) {
        const out = b.slice();
        for (const p of nuls) out[p] = 0x41;
        log.push(`${what}: all ${nuls.length} NULs replaced by 'A'`);
        return out;
      }
      if (mode === 2) {
        log.push(`${what}: NUL at ${z} removed`);
        return removeBytes(b, z, 1, log);
      }
      if (mode === 3) {
        const out = removeBytes(b, z, 1, log);
        writeU32(out, h.start + 12, h.dl - 1);
        log.push(`${what}: NUL at ${z} removed and dl = ${h.dl - 1}`);
        return out;
      }
      // An extra NUL inside the data: one string becomes two.
      const p = rng.range(h.dataStart + e.offset, z);
      const out = b.slice();
      out[p] = 0;
      log.push(`${what}: byte ${p} set to NUL`);
      return out;
    },
  ],
  [
    6,
    'insert-remove-bytes',
    (rng, b, s, log) => {
      const at = rng.chance(0.6) ? rng.pick(s.boundaries) : rng.int(b.length + 1);
      const n = rng.chance(0.5) ? rng.pick([1, 2, 3, 4, 7, 8, 15, 16, 17, 32]) : rng.smallInt(256);
      if (rng.chance(0.5)) return removeBytes(b, at, n, log);
      const ins = rng.chance(0.5) ? new Uint8Array(n) : rng.chance(0.5) ? new Uint8Array(n).fill(rng.pick(INTERESTING_BYTES)) : rng.bytes(n);
      return insertBytes(b, at, ins, log);
    },
  ],
  [
    6,
    'splice',
    (rng, b, s, log, all) => {
      const o = rng.pick(all);
      const mode = rng.int(4);
      if (mode === 0 && s.main && o.main) return splice(b, s.main.start, o.bytes, o.main.start, log, `sig of ${s.name}, main of ${o.name}`);
      if (mode === 1 && s.main && o.main) {
        return splice(b, s.main.dataStart, o.bytes, o.main.dataStart, log, `main index of ${s.name}, main data of ${o.name}`);
      }
      if (mode === 2) return splice(b, rng.pick(s.boundaries), o.bytes, rng.pick(o.boundaries), log, `boundaries, other ${o.name}`);
      return splice(b, rng.int(b.length + 1), o.bytes, rng.int(o.bytes.length + 1), log, `random cuts, other ${o.name}`);
    },
  ],
  [
    6,
    'strip-region',
    (rng, b, s, log) => {
      // Turn a header into the legacy v3 layout (no region, so no type checks) and keep it valid.
      const h = rng.chance(0.8) && s.main ? s.main : pickHeader(rng, s);
      const out = h ? stripRegion(b, h, log) : undefined;
      if (!out || !h) return b;
      // Usually also make some values of the wrong type, which only a region-less header lets through.
      let r = out;
      for (let n = rng.chance(0.7) ? rng.range(1, 4) : 0; n > 0; n--) {
        const l = layoutOf(s.name, r);
        const hh = h.name === 'sig' ? l.sig : l.main;
        if (hh) r = rng.chance(0.5) ? retype(rng, r, hh, log) : retag(rng, r, hh, log);
      }
      return r;
    },
  ],
  [6, 'retype-entry', (rng, b, s, log) => (pickHeader(rng, s) ? retype(rng, b, pickHeader(rng, s)!, log) : b)],
  [6, 'retag-same-type', (rng, b, s, log) => (pickHeader(rng, s) ? retag(rng, b, pickHeader(rng, s)!, log) : b)],
  [
    8,
    'corrupt-values',
    (rng, b, s, log) => {
      // Keep the structure, damage the values: this is what reaches the lazy decoders.
      const h = pickHeader(rng, s);
      const pe = h && h.entries.length > 1 ? { e: h.entries[rng.range(1, h.entries.length - 1)]! } : undefined;
      if (!h || !pe || pe.e.offset < 0) return b;
      const e = pe.e;
      const p = h.dataStart + e.offset;
      const out = b.slice();
      if (e.type === 3 || e.type === 4 || e.type === 5) {
        const size = e.type === 3 ? 2 : e.type === 4 ? 4 : 8;
        const k = rng.int(Math.max(1, Math.min(e.count, 1 << 16)));
        const v = rng.pick([0, 1, 0xff, 0x7fffffff, 0x80000000, 0xffffffff, rng.u32()]);
        for (let q = 0; q < size; q++) if (p + size * k + q < out.length) out[p + size * k + q] = q < size - 4 ? 0xff : (v >>> (8 * (size - 1 - q))) & 0xff;
        log.push(`${h.name} tag ${e.tag}: element ${k} set to ${hex32(v)}${size === 8 ? ' (high word 0xffffffff)' : ''}`);
        return out;
      }
      // Strings, BIN, CHAR: overwrite a few non-NUL bytes with bytes that are not valid UTF-8.
      const end = Math.min(out.length, h.end, p + 4096);
      const where: number[] = [];
      for (let n = rng.smallInt(4); n > 0; n--) {
        const q = rng.range(p, Math.max(p, end - 1));
        if (out[q] !== 0 && q < out.length) {
          out[q] = rng.pick([0x80, 0xc3, 0xe2, 0xf0, 0xff, 0xfe, 0x01, 0x7f]);
          where.push(q);
        }
      }
      log.push(`${h.name} tag ${e.tag}: bytes [${where.join(' ')}] made non-UTF-8`);
      return out;
    },
  ],
];

/** Remove the region entry and its trailer (the trailer must be the last 16 data bytes). */
function stripRegion(b: Uint8Array, h: HeaderLayout, log: Log): Uint8Array | undefined {
  const e0 = h.entries[0];
  if (!e0 || h.trailer === undefined || e0.offset !== h.dl - 16 || h.end > b.length) return undefined;
  const quiet: Log = [];
  let out = removeBytes(b, h.trailer, 16, quiet);
  out = removeBytes(out, e0.pos, 16, quiet);
  writeU32(out, h.start + 8, h.il - 1);
  writeU32(out, h.start + 12, h.dl - 16);
  log.push(`${h.name}: region entry and trailer removed (legacy v3 layout), il ${h.il - 1}, dl ${h.dl - 16}`);
  return out;
}

/** Byte length of an entry's data as the reader computes it, or -1. */
function entryLength(b: Uint8Array, h: HeaderLayout, e: EntryLayout): number {
  const size = [0, 1, 1, 2, 4, 8, 0, 1, 0, 0][e.type];
  if (size === undefined || e.offset < 0) return -1;
  const p = h.dataStart + e.offset;
  if (size > 0) return size * e.count <= h.dl - e.offset ? size * e.count : -1;
  let q = p;
  const end = Math.min(b.length, h.end);
  for (let k = 0; k < e.count; k++) {
    while (q < end && b[q] !== 0) q++;
    if (q >= end) return -1;
    q++;
  }
  return q - p;
}

/** Give an entry another type (and the count that keeps its byte length), when one fits. */
function retype(rng: Prng, b: Uint8Array, h: HeaderLayout, log: Log): Uint8Array {
  const cands = h.entries.filter((e) => e.tag >= 100);
  if (cands.length === 0) return b;
  const e = rng.pick(cands);
  const len = entryLength(b, h, e);
  if (len <= 0) return b;
  const options: [number, number][] = [
    [1, len],
    [2, len],
    [7, len],
  ];
  if (len % 2 === 0 && e.offset % 2 === 0) options.push([3, len / 2]);
  if (len % 4 === 0 && e.offset % 4 === 0) options.push([4, len / 4]);
  if (len % 8 === 0 && e.offset % 8 === 0) options.push([5, len / 8]);
  const p = h.dataStart + e.offset;
  if (b[p + len - 1] === 0) {
    let nuls = 0;
    for (let q = p; q < p + len; q++) if (b[q] === 0) nuls++;
    options.push([8, nuls], [9, nuls]);
    if (nuls === 1) options.push([6, 1]);
  }
  const [type, count] = rng.pick(options);
  const out = b.slice();
  writeU32(out, e.pos + 4, type);
  writeU32(out, e.pos + 12, count);
  log.push(`${h.name}: tag ${e.tag} retyped ${e.type}x${e.count} -> ${type}x${count}`);
  return out;
}

/** Give an entry the number of another tag of the same type: a known tag, or one already present. */
function retag(rng: Prng, b: Uint8Array, h: HeaderLayout, log: Log): Uint8Array {
  const cands = h.entries.filter((e) => e.tag >= 100);
  if (cands.length === 0) return b;
  const e = rng.pick(cands);
  const same = h.entries.filter((f) => f !== e && f.type === e.type && f.tag >= 100).map((f) => f.tag);
  const known = (h.name === 'sig' ? SIGNATURE_TAGS : MAIN_TAGS).filter((t) => t.type === e.type || (t.type !== null && [6, 8, 9].includes(t.type) && [6, 8, 9].includes(e.type))).map((t) => t.tag);
  const pool = rng.chance(0.4) && same.length > 0 ? same : known.length > 0 ? known : same;
  if (pool.length === 0) return b;
  const tag = rng.pick(pool);
  const out = b.slice();
  writeU32(out, e.pos, tag);
  log.push(`${h.name}: tag ${e.tag} (type ${e.type}, count ${e.count}) renumbered to ${tag}`);
  return out;
}

interface FuzzCase {
  index: number;
  seed: Seed;
  bytes: Uint8Array;
  log: Log;
  /** Names of the mutators applied, in order. */
  ops: string[];
}

function makeCase(seeds: readonly Seed[], runSeed: number, index: number): FuzzCase {
  const rng = new Prng(caseSeed(runSeed, index));
  const seed = rng.pick(seeds);
  const log: Log = [];
  const ops: string[] = [];
  let b = seed.bytes;
  const rounds = rng.weighted([
    [70, 1],
    [20, 2],
    [10, 3],
  ]);
  for (let r = 0; r < rounds; r++) {
    const [, name, fn] = rng.weighted(mutators.map((m) => [m[0], m] as const));
    const before = log.length;
    ops.push(name);
    // Later rounds see the layout of what the earlier rounds produced.
    b = fn(rng, b, r === 0 ? seed : layoutOf(seed.name, b), log, seeds);
    if (log.length === before) log.push(`${name}: not applicable`);
  }
  return { index, seed, bytes: b, log, ops };
}

function recipeOf(c: FuzzCase, runSeed: number): string {
  return `REPOKIT_FUZZ_SEED=${hex32(runSeed)} case #${c.index}, seed file ${c.seed.name} (${c.seed.bytes.length} bytes) -> ${c.bytes.length} bytes: ${c.log.join('; ')}`;
}

// ---------------------------------------------------------------------------------------------
// Exercising a case

interface Stats {
  cases: number;
  parsed: number;
  strictParsed: number;
  metadataOk: number;
  codes: Map<string, number>;
  slowest: { ms: number; recipe: string };
  ms: number;
  /** Per mutator (the first one applied): [cases, parsed by the rpm profile]. */
  byMutator: Map<string, [number, number]>;
  /** Highest process.memoryUsage().arrayBuffers growth seen (sampled every 256 cases). */
  maxArrayBufferGrowth: number;
}

function newStats(): Stats {
  return {
    cases: 0,
    parsed: 0,
    strictParsed: 0,
    metadataOk: 0,
    codes: new Map(),
    slowest: { ms: 0, recipe: '' },
    ms: 0,
    byMutator: new Map(),
    maxArrayBufferGrowth: 0,
  };
}

function codeOf(e: unknown): string {
  return isRepokitError(e) ? e.code : 'FOREIGN';
}

/**
 * Every entry by position, and every tag by get(), raw(), the typed accessor that fits its type,
 * getI18n for string types, and for one tag in eight one accessor that does not fit (which must fail
 * typed). Not every misfit is called on every tag: each typed failure builds an Error with a stack,
 * and doing that several times per tag would dominate the run time. `typed: false` stops at get/raw.
 */
function exerciseHeader(h: Header, fail: (step: string, fn: () => unknown) => unknown, which: string, typed = true): void {
  for (const e of h.entries) fail(`${which}.valueOf(entry ${e.index}, tag ${e.tag})`, () => h.valueOf(e));
  let k = 0;
  for (const tag of h.tags()) {
    fail(`${which}.get(${tag})`, () => h.get(tag));
    fail(`${which}.raw(${tag})`, () => h.raw(tag));
    if (!typed) continue;
    const type = h.entry(tag)!.type;
    const fits: (() => unknown)[] = [];
    const misfits: (() => unknown)[] = [];
    const add = (ok: boolean, f: () => unknown) => (ok ? fits : misfits).push(f);
    add(type === 6 || type === 8 || type === 9, () => h.getString(tag));
    add(type === 6 || type === 8 || type === 9, () => h.getStringArray(tag));
    add(type === 6 || type === 8 || type === 9, () => h.getI18n(tag));
    add(type === 6 || type === 8 || type === 9, () => h.getI18n(tag, 'de_DE.UTF-8@euro'));
    add(type >= 1 && type <= 5, () => h.getNumbers(tag));
    add(type >= 1 && type <= 5, () => h.getNumber(tag));
    add(type >= 1 && type <= 5, () => h.getBigInts(tag));
    add(type === 7, () => h.getBinary(tag));
    for (const f of fits) fail(`${which} typed accessor on tag ${tag} (type ${type})`, f);
    // One tag in eight: enough to cover the mismatch path without drowning the run in Error construction.
    if (misfits.length > 0 && k++ % 8 === 0) fail(`${which} mismatched accessor on tag ${tag} (type ${type})`, misfits[(k >>> 3) % misfits.length]!);
  }
}

function invariant(ok: boolean, what: string): void {
  if (!ok) throw new Error(`invariant broken: ${what}`);
}

/** The checks every successfully parsed package must pass. */
function checkPackage(pkg: RpmPackage, bytes: Uint8Array): void {
  for (const h of [pkg.signature, pkg.header]) {
    invariant(h.byteLength === 16 + 16 * h.il + h.dl, `${h.kind} byteLength ${h.byteLength} != 16 + 16*${h.il} + ${h.dl}`);
    invariant(h.entries.length === h.il, `${h.kind} has ${h.entries.length} entries for il ${h.il}`);
    for (const e of h.entries) {
      invariant(e.offset >= 0 && e.offset + e.length <= h.dl, `${h.kind} tag ${e.tag} data [${e.offset}, +${e.length}) outside dl ${h.dl}`);
    }
  }
  invariant(pkg.offsets.header === 96 + pkg.signature.byteLength + pkg.offsets.signaturePadding, 'offsets.header');
  invariant(pkg.offsets.payload === pkg.offsets.header + pkg.header.byteLength, 'offsets.payload');
  invariant(pkg.offsets.payload <= bytes.length, `payload offset ${pkg.offsets.payload} beyond the input (${bytes.length})`);
}

function exercise(bytes: Uint8Array, failures: FuzzFailure[], recipe: () => string, stats: Stats, seed: Seed): void {
  const fail = (step: string, fn: () => unknown): unknown => guard(failures, step, recipe, fn);
  let pkg: RpmPackage | undefined;
  try {
    pkg = parseRpm(bytes);
    stats.parsed++;
  } catch (e) {
    const code = codeOf(e);
    stats.codes.set(code, (stats.codes.get(code) ?? 0) + 1);
    if (!isRepokitError(e)) failures.push({ step: 'parseRpm', recipe: recipe(), ...describeThrown(e) });
  }
  if (pkg) {
    stats.codes.set('ok', (stats.codes.get('ok') ?? 0) + 1);
    const p = pkg;
    fail('invariants', () => checkPackage(p, bytes));
    const md = fail('rpmMetadata', () => rpmMetadata(p));
    if (md !== undefined) {
      stats.metadataOk++;
      fail('JSON.stringify(rpmMetadata)', () => JSON.stringify(md));
    }
    fail('rpmMetadata(de_DE)', () => rpmMetadata(p, { locale: 'de_DE.UTF-8@euro' }));
    const json = fail('rpmTagsToJson', () => rpmTagsToJson(p));
    if (json !== undefined) fail('JSON.stringify(rpmTagsToJson)', () => JSON.stringify(json));
    const h = p.header;
    fail('format', () => p.format);
    fail('isSource', () => p.isSource);
    fail('packageName', () => packageName(h));
    fail('packageEpoch', () => packageEpoch(h));
    fail('installedSize', () => installedSize(h));
    fail('headerEvr', () => headerEvr(h));
    fail('payloadInfo', () => payloadInfo(h));
    fail('fileDigestAlgorithm', () => fileDigestAlgorithm(h));
    fail('filePaths', () => filePaths(h));
    fail('files', () => files(h));
    fail('changelog', () => changelog(h));
    for (const k of DEPENDENCY_KINDS) fail(`dependencies(${k.kind})`, () => dependencies(h, k.kind));
    exerciseHeader(p.signature, fail, 'signature');
    exerciseHeader(p.header, fail, 'header');
  }
  // The strict profile: never throws anything else, and accepts nothing the rpm profile rejects.
  const strict = fail('parseRpm(strict)', () => parseRpm(bytes, { profile: 'strict' })) as RpmPackage | undefined;
  if (strict) {
    stats.strictParsed++;
    if (!pkg) failures.push({ step: 'parseRpm(strict)', recipe: recipe(), problem: 'strict profile accepted what the rpm profile rejected', stack: '' });
    else fail('rpmMetadata(strict)', () => rpmMetadata(strict));
  }
  // Standalone header blobs (the apt-rpm pkglist / rpmdb path): any region tag, with and without magic.
  for (const start of [96, seed.main?.start]) {
    if (start === undefined || start >= bytes.length) continue;
    for (const magic of [true, false]) {
      const view = bytes.subarray(magic ? start : start + 8);
      const h = fail(`parseHeader(blob @${start}, magic ${magic})`, () => parseHeader(view, { kind: 'blob', magic, allowTrailing: true }));
      if (h) exerciseHeader(h as Header, fail, `blob@${start}`, false);
    }
  }
}

function runCase(c: FuzzCase, runSeed: number, failures: FuzzFailure[], stats: Stats): void {
  const recipe = () => recipeOf(c, runSeed);
  const t0 = performance.now();
  const parsedBefore = stats.parsed;
  exercise(c.bytes, failures, recipe, stats, c.seed);
  const ms = performance.now() - t0;
  const m = stats.byMutator.get(c.ops[0]!) ?? [0, 0];
  m[0]++;
  m[1] += stats.parsed - parsedBefore;
  stats.byMutator.set(c.ops[0]!, m);
  stats.cases++;
  stats.ms += ms;
  if (ms > stats.slowest.ms) stats.slowest = { ms, recipe: recipe() };
  if (ms > HANG_MS) failures.push({ step: 'timing', recipe: recipe(), problem: `case took ${ms.toFixed(0)} ms (limit ${HANG_MS} ms)`, stack: '' });
}

function saveFailures(failures: readonly FuzzFailure[], cases: ReadonlyMap<string, Uint8Array>): string {
  return failures.length === 0 ? '' : writeCases(cases);
}

/** Write (up to 20) case inputs to FAILURE_DIR; returns a note for the report. */
function writeCases(cases: ReadonlyMap<string, Uint8Array>): string {
  mkdirSync(FAILURE_DIR, { recursive: true });
  const written: string[] = [];
  for (const [name, bytes] of [...cases].slice(0, 20)) {
    const p = path.join(FAILURE_DIR, name);
    writeFileSync(p, bytes);
    written.push(p);
  }
  return written.length > 0 ? `\ncase inputs written to ${FAILURE_DIR} (${written.length} files)` : '';
}

// ---------------------------------------------------------------------------------------------
// Crafted inputs for the allocation checks

function leadBytes(): Uint8Array {
  const b = new Uint8Array(96);
  b.set([0xed, 0xab, 0xee, 0xdb, 3, 0], 0);
  b[79] = 5; // signature type 5
  return b;
}

function intro(il: number, dl: number): Uint8Array {
  const b = new Uint8Array(16);
  b.set([0x8e, 0xad, 0xe8, 0x01, 0, 0, 0, 0], 0);
  writeU32(b, 8, il);
  writeU32(b, 12, dl);
  return b;
}

/** The smallest valid signature header: the region tag 62 alone (il 1, dl 16, no padding). */
function minimalSignature(): Uint8Array {
  const b = new Uint8Array(16 + 16 + 16);
  b.set(intro(1, 16), 0);
  writeU32(b, 16, 62);
  writeU32(b, 20, 7);
  writeU32(b, 24, 0);
  writeU32(b, 28, 16);
  writeU32(b, 32, 62);
  writeU32(b, 36, 7);
  writeU32(b, 40, -16 >>> 0);
  writeU32(b, 44, 16);
  return b;
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** gc() when it can be exposed at run time (V8 flag), else a no-op. */
const gc: () => void = (() => {
  try {
    setFlagsFromString('--expose-gc');
    const f = runInNewContext('gc') as unknown;
    if (typeof f === 'function') return f as () => void;
  } catch {
    // not available: measurements just get noisier
  }
  return () => undefined;
})();

function arrayBuffers(): number {
  return process.memoryUsage().arrayBuffers;
}

/** A Node stream that yields `prefix` and then fresh filler chunks forever, counting what it produced. */
function endlessStream(prefix: Uint8Array, chunkSize: number, fill = 0): { stream: Readable; produced: () => number; peak: () => number } {
  let produced = 0;
  let peak = 0;
  function* gen(): Generator<Uint8Array> {
    produced += prefix.length;
    yield prefix;
    for (;;) {
      peak = Math.max(peak, arrayBuffers());
      produced += chunkSize;
      yield new Uint8Array(chunkSize).fill(fill);
    }
  }
  return { stream: Readable.from(gen()), produced: () => produced, peak: () => peak };
}

async function outcomeAsync(fn: () => Promise<unknown>): Promise<string> {
  try {
    await fn();
    return 'ok';
  } catch (e) {
    return isRepokitError(e) ? e.code : `FOREIGN ${describeThrown(e).problem}`;
  }
}

function outcomeSync(fn: () => unknown): string {
  try {
    fn();
    return 'ok';
  } catch (e) {
    return isRepokitError(e) ? e.code : `FOREIGN ${describeThrown(e).problem}`;
  }
}

// ---------------------------------------------------------------------------------------------
// The tests

const { seeds, sources } = loadSeeds();
const allStats = newStats();

describe('rpm reader fuzz', () => {
  if (seeds.length === 0) {
    it.skip(`skipped: no seed packages (no .rpm under ${SHARED_RPM_DIR}, which is ../shared relative to the repo root, nor under ${FIXTURES_DIR})`, () => {});
    return;
  }

  afterAll(() => {
    if (allStats.cases === 0) return;
    const codes = [...allStats.codes].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${v}`);
    console.log(
      `[rpm fuzz] seed ${hex32(CONFIG.seed)}, ${allStats.cases} cases (${CONFIG.source}) over ${seeds.length} seeds (${sources.join(', ')}) ` +
        `in ${(allStats.ms / 1000).toFixed(1)} s of case time; parsed ${allStats.parsed}, strict ${allStats.strictParsed}, ` +
        `metadata ${allStats.metadataOk}; outcomes: ${codes.join(', ')}; slowest ${allStats.slowest.ms.toFixed(1)} ms; ` +
        `max arrayBuffers growth ${(allStats.maxArrayBufferGrowth / MiB).toFixed(1)} MiB`,
    );
    if (process.env['REPOKIT_FUZZ_VERBOSE']) {
      const rows = [...allStats.byMutator].sort().map(([k, [n, ok]]) => `${k} ${ok}/${n}`);
      console.log(`[rpm fuzz] parsed/cases by first mutator: ${rows.join(', ')}`);
      console.log(`[rpm fuzz] slowest case: ${allStats.slowest.recipe}`);
    }
  });

  it('the harness flags foreign exceptions and accepts RepokitErrors', () => {
    const failures: FuzzFailure[] = [];
    guard(failures, 'typed', () => 'r', () => {
      throw new RepokitError('TRUNCATED', 'fine');
    });
    expect(failures).toEqual([]);
    guard(failures, 'type error', () => 'r1', () => (undefined as unknown as { x: number }).x);
    guard(failures, 'range error', () => 'r2', () => new Array(-1));
    guard(failures, 'look-alike', () => 'r3', () => {
      throw Object.assign(new Error('x'), { name: 'RepokitError', code: 'TRUNCATED' });
    });
    expect(failures.map((f) => f.step)).toEqual(['type error', 'range error', 'look-alike']);
  });

  it(`the ${seeds.length} unmutated seeds (${sources.join(', ')}) pass every lazy path without foreign exceptions`, () => {
    const failures: FuzzFailure[] = [];
    const stats = newStats();
    for (const s of seeds) exercise(s.bytes, failures, () => `unmutated seed ${s.name}`, stats, s);
    expect(failures, formatFailures(failures)).toEqual([]);
    // Nearly all seeds are valid packages; if none parses the fuzzer is mostly testing the lead check.
    expect(stats.parsed).toBeGreaterThan(seeds.length / 2);
  });

  const only = (process.env['REPOKIT_FUZZ_ONLY'] ?? '').split(',').filter((x) => x.trim() !== '').map(Number);
  if (only.length > 0) {
    it(`REPOKIT_FUZZ_ONLY: cases ${only.join(', ')} (seed ${hex32(CONFIG.seed)})`, () => {
      const failures: FuzzFailure[] = [];
      const failing = new Map<string, Uint8Array>();
      for (const i of only) {
        const c = makeCase(seeds, CONFIG.seed, i);
        const stats = newStats();
        runCase(c, CONFIG.seed, failures, stats);
        const outcome = [...stats.codes.keys()].join(' ');
        console.log(`[rpm fuzz] ${recipeOf(c, CONFIG.seed)}\n  -> ${outcome}, ${stats.ms.toFixed(1)} ms`);
        failing.set(`${hex32(CONFIG.seed)}-case-${i}.rpm`, c.bytes);
      }
      console.log(`[rpm fuzz] ${writeCases(failing).trim()}`);
      expect(failures, formatFailures(failures)).toEqual([]);
    });
    return;
  }

  const blocks = Math.ceil(CONFIG.cases / BLOCK);
  for (let k = 0; k < blocks; k++) {
    const from = k * BLOCK;
    const to = Math.min(CONFIG.cases, from + BLOCK);
    it(`mutated cases ${from}..${to - 1} of ${CONFIG.cases} (seed ${hex32(CONFIG.seed)}, ${CONFIG.source}): only RepokitErrors, none over ${HANG_MS} ms`, () => {
      const failures: FuzzFailure[] = [];
      const failing = new Map<string, Uint8Array>();
      gc();
      const base = arrayBuffers();
      for (let i = from; i < to; i++) {
        const c = makeCase(seeds, CONFIG.seed, i);
        const before = failures.length;
        runCase(c, CONFIG.seed, failures, allStats);
        if ((i & 255) === 255) {
          const growth = arrayBuffers() - base;
          allStats.maxArrayBufferGrowth = Math.max(allStats.maxArrayBufferGrowth, growth);
          // Inputs are at most a few hundred KB and buffer parsing works on views: anything near
          // this means some case allocated from a claimed size.
          if (growth > CASE_ALLOC_BOUND) {
            failures.push({ step: 'memory', recipe: recipeOf(c, CONFIG.seed), problem: `arrayBuffers grew by ${(growth / MiB).toFixed(1)} MiB during cases ${i - 255}..${i}`, stack: '' });
            gc();
          }
        }
        if (failures.length > before) failing.set(`${hex32(CONFIG.seed)}-case-${i}.rpm`, c.bytes);
      }
      expect(failures, formatFailures(failures) + saveFailures(failures, failing)).toEqual([]);
    });
  }

  it(`${IO_CASES} mutated cases through readRpm (Node and web streams with random chunking, async file) and readRpmSync (file) agree with parseRpm`, async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'repokit-fuzz-'));
    const file = path.join(dir, 'case.rpm');
    const failures: FuzzFailure[] = [];
    const failing = new Map<string, Uint8Array>();
    const ioSeed = (CONFIG.seed ^ 0x10c0ffee) >>> 0;
    let streamed = 0;
    try {
      for (let i = 0; i < IO_CASES; i++) {
        const c = makeCase(seeds, ioSeed, i);
        const rng = new Prng(caseSeed(ioSeed, i) ^ 0x5a5a5a5a);
        const recipe = () => recipeOf(c, ioSeed) + ` [io case; REPOKIT_FUZZ_SEED here is the io seed derived from ${hex32(CONFIG.seed)}]`;
        const before = failures.length;
        const t0 = performance.now();
        const mismatch = (step: string, got: string, want: string) =>
          failures.push({ step, recipe: recipe(), problem: `outcome ${got}, parseRpm-equivalent gives ${want}`, stack: '' });

        // Without the file-size check (streams have no size) and with it (buffers, files).
        const framing = outcomeSync(() => driveSync(rpmReadSteps(), new BufferSource(c.bytes)));
        const whole = outcomeSync(() => parseRpm(c.bytes));

        // Node stream, random chunk sizes; on success the stream must be left at the payload.
        const chunks = chunk(rng, c.bytes);
        const node = Readable.from(chunks);
        let nodePkg: RpmPackage | undefined;
        const nodeOut = await outcomeAsync(async () => (nodePkg = await readRpm(node)));
        if (nodeOut !== framing) mismatch('readRpm(Node stream)', nodeOut, framing);
        if (nodePkg) {
          streamed++;
          const rest: Uint8Array[] = [];
          for await (const x of node) rest.push(x as Uint8Array);
          const got = concat(...rest);
          const want = c.bytes.subarray(nodePkg.offsets.payload);
          if (Buffer.compare(Buffer.from(got), Buffer.from(want)) !== 0) {
            failures.push({
              step: 'readRpm(Node stream) leftover',
              recipe: recipe(),
              problem: `stream left ${got.length} bytes after the headers, expected the ${want.length} payload bytes`,
              stack: '',
            });
          }
        }

        // Web stream.
        let ci = 0;
        const web = new ReadableStream<Uint8Array>({
          pull(ctrl) {
            if (ci < chunks.length) ctrl.enqueue(chunks[ci++]!);
            else ctrl.close();
          },
        });
        const webOut = await outcomeAsync(() => readRpm(web));
        if (webOut !== framing) mismatch('readRpm(web stream)', webOut, framing);

        // Files, sync and async.
        writeFileSync(file, c.bytes);
        const syncOut = outcomeSync(() => readRpmSync(file));
        if (syncOut !== whole) mismatch('readRpmSync(file)', syncOut, whole);
        const asyncOut = await outcomeAsync(() => readRpm(file));
        if (asyncOut !== whole) mismatch('readRpm(file)', asyncOut, whole);

        for (const o of [framing, whole, nodeOut, webOut, syncOut, asyncOut]) {
          if (o.startsWith('FOREIGN')) failures.push({ step: 'io', recipe: recipe(), problem: o, stack: '' });
        }
        const ms = performance.now() - t0;
        if (ms > HANG_MS) failures.push({ step: 'timing', recipe: recipe(), problem: `io case took ${ms.toFixed(0)} ms`, stack: '' });
        if (failures.length > before) failing.set(`${hex32(ioSeed)}-io-case-${i}.rpm`, c.bytes);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    console.log(`[rpm fuzz] io: ${IO_CASES} cases, ${streamed} read from a Node stream with the payload left unread`);
    // Some must get through, or the leftover-bytes check above never ran.
    expect(streamed).toBeGreaterThan(IO_CASES / 20);
    expect(failures, formatFailures(failures) + saveFailures(failures, failing)).toEqual([]);
  });
});

function chunk(rng: Prng, b: Uint8Array): Uint8Array[] {
  const mode = rng.int(4);
  const out: Uint8Array[] = [];
  for (let p = 0; p < b.length; ) {
    const n = mode === 0 ? 1 + rng.int(3) : mode === 1 ? rng.smallInt(64) : mode === 2 ? rng.smallInt(8192) : b.length;
    // Copies, so a reader that mutated or retained chunks would not corrupt the case bytes.
    out.push(b.slice(p, p + n));
    p += n;
  }
  return out;
}

describe('rpm reader: inputs claiming huge sizes are rejected without allocating them', () => {
  const lead = leadBytes();
  const sig = minimalSignature();
  const pvMaxDl = (il: number) => HEADER_MAX_BYTES - 8 - 16 * il - 1; // largest dl rpm accepts for this il

  const cases: { name: string; bytes: Uint8Array; code: string; options?: ReadRpmOptions }[] = [
    { name: 'signature il 32, dl 64 MiB (at the limits) in a 200-byte input', bytes: concat(lead, intro(32, SIG_LIMITS.dl), new Uint8Array(88)), code: 'TRUNCATED' },
    { name: 'signature il 33', bytes: concat(lead, intro(33, 16), new Uint8Array(64)), code: 'LIMIT_EXCEEDED' },
    { name: 'signature dl 64 MiB + 1', bytes: concat(lead, intro(1, SIG_LIMITS.dl + 1), new Uint8Array(64)), code: 'LIMIT_EXCEEDED' },
    { name: 'signature il and dl 0xFFFFFFFF', bytes: concat(lead, intro(0xffffffff, 0xffffffff)), code: 'LIMIT_EXCEEDED' },
    { name: 'main il 0xFFFF, dl 0x0FFFFFFF (each at its limit, together beyond 256 MiB)', bytes: concat(lead, sig, intro(0xffff, 0x0fffffff)), code: 'LIMIT_EXCEEDED' },
    { name: 'main il 1, dl 0x0FFFFFFF (pvlen beyond 256 MiB)', bytes: concat(lead, sig, intro(1, 0x0fffffff)), code: 'LIMIT_EXCEEDED' },
    { name: 'main il 0x10000', bytes: concat(lead, sig, intro(0x10000, 16)), code: 'LIMIT_EXCEEDED' },
    { name: 'main dl 0x10000000', bytes: concat(lead, sig, intro(1, 0x10000000)), code: 'LIMIT_EXCEEDED' },
    { name: 'main il and dl 0xFFFFFFFF', bytes: concat(lead, sig, intro(0xffffffff, 0xffffffff)), code: 'LIMIT_EXCEEDED' },
    { name: 'main il 1, largest dl rpm accepts, in a small input', bytes: concat(lead, sig, intro(1, pvMaxDl(1)), new Uint8Array(64)), code: 'TRUNCATED' },
    { name: 'main il 0xFFFF, largest dl rpm accepts, in a small input', bytes: concat(lead, sig, intro(0xffff, pvMaxDl(0xffff))), code: 'TRUNCATED' },
    {
      name: 'main dl 1 MiB + 1 with maxDataBytes lowered to 1 MiB',
      bytes: concat(lead, sig, intro(1, MiB + 1)),
      code: 'LIMIT_EXCEEDED',
      options: { limits: { header: { maxDataBytes: MiB } } },
    },
    {
      name: 'main il 101 with maxIndexEntries lowered to 100',
      bytes: concat(lead, sig, intro(101, 16)),
      code: 'LIMIT_EXCEEDED',
      options: { limits: { header: { maxIndexEntries: 100 } } },
    },
    {
      name: 'signature dl 64 KiB + 1 with maxDataBytes lowered to 64 KiB',
      bytes: concat(lead, intro(1, 65536 + 1)),
      code: 'LIMIT_EXCEEDED',
      options: { limits: { signature: { maxDataBytes: 65536 } } },
    },
    {
      name: 'signature il 33 with maxIndexEntries "raised" to 1000 (limits only lower)',
      bytes: concat(lead, intro(33, 16)),
      code: 'LIMIT_EXCEEDED',
      options: { limits: { signature: { maxIndexEntries: 1000 } } },
    },
    {
      name: 'main dl 0x0FFFFFFF with maxDataBytes "raised" to 0x7FFFFFFF',
      bytes: concat(lead, sig, intro(1, 0x0fffffff)),
      code: 'LIMIT_EXCEEDED',
      options: { limits: { header: { maxDataBytes: 0x7fffffff } } },
    },
  ];

  /** Growth allowed for inputs rejected at the intro: nothing is read, so only noise. */
  const NOISE = 2 * MiB;

  for (const c of cases) {
    it(`${c.name}: ${c.code} from buffer, file and endless stream, no big allocation`, async () => {
      const dir = mkdtempSync(path.join(os.tmpdir(), 'repokit-alloc-'));
      const file = path.join(dir, 'crafted.rpm');
      writeFileSync(file, c.bytes);
      try {
        gc();
        const base = arrayBuffers();
        expect(outcomeSync(() => parseRpm(c.bytes, c.options))).toBe(c.code);
        expect(outcomeSync(() => readRpmSync(file, c.options))).toBe(c.code);
        expect(await outcomeAsync(() => readRpm(file, c.options))).toBe(c.code);
        expect(arrayBuffers() - base).toBeLessThan(NOISE);

        // A stream that never ends: a claim at the limit must fail at the intro, not after reading it.
        if (c.code === 'LIMIT_EXCEEDED') {
          gc();
          const before = arrayBuffers();
          const s = endlessStream(c.bytes, 4096);
          expect(await outcomeAsync(() => readRpm(s.stream, c.options))).toBe(c.code);
          s.stream.destroy();
          // Readable.from reads ahead up to 16 objects; anything much beyond that means the reader pulled the claim.
          expect(s.produced()).toBeLessThan(c.bytes.length + 64 * 4096);
          expect(Math.max(arrayBuffers(), s.peak()) - before).toBeLessThan(NOISE);
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }

  it('an endless stream under a claim at a lowered 1 MiB limit buffers about that much, then fails with a typed error', async () => {
    const claim = MiB;
    // il 1, dl 1 MiB; the (zero) index entry is rejected once the header is in memory.
    const prefix = concat(lead, sig, intro(1, claim));
    gc();
    const before = arrayBuffers();
    const s = endlessStream(prefix, 64 * 1024);
    const out = await outcomeAsync(() => readRpm(s.stream, { limits: { header: { maxDataBytes: claim } } }));
    const after = arrayBuffers();
    s.stream.destroy();
    expect(out).not.toMatch(/^FOREIGN|^ok$/);
    const growth = Math.max(after, s.peak()) - before;
    console.log(
      `[rpm fuzz] endless stream, 1 MiB claim: ${out}; produced ${(s.produced() / MiB).toFixed(2)} MiB, ` +
        `arrayBuffers growth ${(growth / MiB).toFixed(2)} MiB (peak sampled while streaming and after the failure)`,
    );
    // What the reader needs is the claim itself; it may hold a copy or two of it plus Readable's read-ahead.
    expect(s.produced()).toBeLessThan(prefix.length + claim + 17 * 64 * 1024);
    expect(growth).toBeLessThan(3 * claim + NOISE);
    // And nothing stays reachable once the read has failed.
    gc();
    expect(arrayBuffers() - before).toBeLessThan(NOISE);
  });

  it('an endless stream under a main header claiming dl = 0x0FFFFFFF stops at the intro', async () => {
    const prefix = concat(lead, sig, intro(1, 0x0fffffff));
    gc();
    const before = arrayBuffers();
    const s = endlessStream(prefix, 64 * 1024, 0xff);
    expect(await outcomeAsync(() => readRpm(s.stream))).toBe('LIMIT_EXCEEDED');
    s.stream.destroy();
    expect(s.produced()).toBeLessThan(prefix.length + 17 * 64 * 1024);
    expect(Math.max(arrayBuffers(), s.peak()) - before).toBeLessThan(NOISE);
  });
});
