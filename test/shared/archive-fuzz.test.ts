/**
 * Hostile-input fuzzing of the tar reader and the decompressors: mutated archives and compressed
 * streams may only make them throw RepokitError, must terminate, and the sync and async tar
 * drivers must agree on every input. Seeds and case counts: REPOKIT_FUZZ_SEED / REPOKIT_FUZZ_CASES.
 */
import { describe, expect, it } from 'vitest';
import { compress, decompress, decompressStream, type Compression } from '../../src/shared/compression.js';
import { Bzip2Decoder } from '../../src/shared/bzip2.js';
import { isRepokitError } from '../../src/shared/errors.js';
import { parseTar, readTar, writeTar } from '../../src/shared/tar.js';
import {
  Prng,
  caseSeed,
  describeThrown,
  flipBits,
  formatFailures,
  fuzzConfig,
  insertBytes,
  overwriteBytes,
  removeBytes,
  splice,
  truncateAt,
  type FuzzFailure,
  type Log,
} from '../helpers/fuzz.js';
import { isCi } from './tools.js';

const enc = new TextEncoder();
/** Why xz cannot be written here (the @napi-rs/lzma binding is missing), or null; under CI that throws. */
const xzMissing: string | null = await compress(new Uint8Array(1), 'xz').then(
  () => null,
  (e: unknown) => {
    if (!(isRepokitError(e) && e.code === 'UNSUPPORTED_COMPRESSION')) throw e;
    if (isCi()) throw new Error("xz cannot be written here; CI must have @napi-rs/lzma's native binding", { cause: e });
    return `@napi-rs/lzma unavailable: ${e.detail.slice(0, 80)}`;
  },
);
const cfg = fuzzConfig(0x7a5, 3000, 400);

const SEEDS: Uint8Array[] = [
  writeTar([
    { name: 'pkg-1.0-1', type: 'directory' },
    { name: 'pkg-1.0-1/desc', data: enc.encode('%NAME%\npkg\n\n%VERSION%\n1.0-1\n\n') },
    { name: `${'long/'.repeat(30)}name`, data: enc.encode('x'.repeat(700)) },
    { name: 'ünï', type: 'symlink', linkname: 'pkg-1.0-1/desc' },
  ]),
  writeTar(
    [
      { name: 'a'.repeat(150), data: enc.encode('gnu long name') },
      { name: 'b', type: 'symlink', linkname: 'c'.repeat(120) },
      { name: 'big', data: new Uint8Array(1500), uid: 0o7777777 + 1 },
    ],
    { format: 'gnu' },
  ),
  writeTar([{ name: 'index.plist', data: enc.encode('<plist><dict/></plist>'), pax: { comment: 'x', mtime: '1.5' } }]),
];

function mutate(rng: Prng, seed: Uint8Array, log: Log): Uint8Array {
  let b = seed;
  const steps = rng.range(1, 3);
  for (let s = 0; s < steps; s++) {
    const headerish = rng.chance(0.5);
    const block = rng.int(Math.max(1, Math.floor(b.length / 512))) * 512;
    const [lo, hi] = headerish ? [block, block + 512] : [0, b.length];
    switch (rng.int(6)) {
      case 0:
        b = flipBits(rng, b, log, lo, hi);
        break;
      case 1:
        b = overwriteBytes(rng, b, log, lo, hi);
        break;
      case 2:
        b = truncateAt(b, rng.int(b.length + 1), log);
        break;
      case 3:
        b = insertBytes(b, rng.int(b.length + 1), rng.bytes(rng.smallInt(600)), log);
        break;
      case 4:
        b = removeBytes(b, rng.int(b.length + 1), rng.smallInt(600), log);
        break;
      default:
        b = splice(b, rng.int(b.length + 1), rng.pick(SEEDS), rng.int(1500), log);
    }
  }
  return b;
}

async function* chunks(b: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < b.length; i += size) yield b.subarray(i, i + size);
}

type Outcome = string;

/**
 * parseTar's outcome; with `directories` 'skip', directories are dropped from the list, with
 * 'exclude' the reader is asked to leave them out (`includeDirectories: false`).
 */
function syncOutcome(b: Uint8Array, directories: 'keep' | 'skip' | 'exclude' = 'keep'): Outcome {
  const names: string[] = [];
  try {
    for (const m of parseTar(b, { maxMemberSize: 1 << 20, includeDirectories: directories !== 'exclude' })) {
      if (directories !== 'skip' || m.entry.type !== 'directory') names.push(`${m.entry.name}:${m.entry.size}:${m.data?.length ?? '-'}`);
    }
    return `ok ${names.join('|')}`;
  } catch (e) {
    if (!isRepokitError(e)) throw e;
    return `${e.code}@${e.offset} after ${names.join('|')}`;
  }
}

async function asyncOutcome(b: Uint8Array, size: number): Promise<Outcome> {
  const names: string[] = [];
  try {
    for await (const m of readTar(chunks(b, size), { maxMemberSize: 1 << 20 })) names.push(`${m.entry.name}:${m.entry.size}:${m.data?.length ?? '-'}`);
    return `ok ${names.join('|')}`;
  } catch (e) {
    if (!isRepokitError(e)) throw e;
    return `${e.code}@${e.offset} after ${names.join('|')}`;
  }
}

/** The outcome of a decoder: the output's length and a sample of it, or the error code. */
function decoded(r: PromiseSettledResult<Uint8Array>): string {
  if (r.status === 'fulfilled') return `ok ${r.value.length} ${r.value.subarray(0, 64).join(',')}`;
  const e: unknown = r.reason;
  if (!isRepokitError(e)) throw e;
  return e.code;
}

/** decompressStream over 4 KiB input chunks, joined. */
async function streamJoined(b: Uint8Array, maxOutput: number): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const c of decompressStream(chunks(b, 4096), { maxOutput })) parts.push(c.slice());
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

describe(`fuzz (${cfg.cases} cases per target, seed ${cfg.seed}, ${cfg.source})`, () => {
  it('tar: only RepokitError, parseTar and readTar agree, and so does includeDirectories: false', async () => {
    const failures: FuzzFailure[] = [];
    for (let i = 0; i < cfg.cases; i++) {
      const rng = new Prng(caseSeed(cfg.seed, i));
      const log: Log = [];
      const seedIndex = rng.int(SEEDS.length);
      const input = mutate(rng, SEEDS[seedIndex]!, log);
      const recipe = (): string => `seed ${cfg.seed} case ${i}: tar seed ${seedIndex}, ${log.join('; ')}`;
      try {
        const a = syncOutcome(input);
        const b = await asyncOutcome(input, rng.pick([1, 100, 512, 4096]));
        if (a !== b) failures.push({ step: 'tar', recipe: recipe(), problem: `sync ${a} != async ${b}`, stack: '' });
        // includeDirectories: false gives the same outcome with the directories left out.
        const all = syncOutcome(input, 'skip');
        const without = syncOutcome(input, 'exclude');
        if (all !== without) failures.push({ step: 'tar', recipe: recipe(), problem: `without directories ${without} != ${all}`, stack: '' });
      } catch (e) {
        failures.push({ step: 'tar', recipe: recipe(), ...describeThrown(e) });
      }
    }
    expect(failures, formatFailures(failures)).toEqual([]);
  });

  const codecs: Exclude<Compression, 'none'>[] = ['gzip', 'zstd', 'bzip2', 'xz', 'lz4'];
  for (const codec of codecs) {
    const skip = codec === 'xz' && xzMissing !== null;
    it.skipIf(skip)(`${codec}: only RepokitError from mutated streams${skip ? ` (skipped: ${xzMissing})` : ''}`, async () => {
      const packed = await Promise.all(SEEDS.map((s) => compress(s, codec, { level: 1 })));
      const failures: FuzzFailure[] = [];
      const cases = codec === 'xz' ? Math.ceil(cfg.cases / 4) : cfg.cases;
      for (let i = 0; i < cases; i++) {
        const rng = new Prng(caseSeed(cfg.seed ^ 0x55, i));
        const log: Log = [];
        const seed = rng.pick(packed);
        let b = seed;
        const op = rng.int(4);
        if (op === 0) b = flipBits(rng, b, log);
        else if (op === 1) b = overwriteBytes(rng, b, log, 0, Math.min(b.length, 40), 'header');
        else if (op === 2) b = truncateAt(b, rng.int(b.length), log);
        else b = insertBytes(b, rng.int(b.length + 1), rng.bytes(rng.smallInt(64)), log);
        try {
          // The one-pass decoding of decompress and the stream decoders: only RepokitError, and
          // the same outcome.
          const [whole, streamed] = await Promise.allSettled([decompress(b, { maxOutput: 1 << 20 }), streamJoined(b, 1 << 20)]);
          const x = decoded(whole);
          const y = decoded(streamed);
          if (x !== y) failures.push({ step: codec, recipe: `seed ${cfg.seed} case ${i}: ${log.join('; ')}`, problem: `decompress ${x} != decompressStream ${y}`, stack: '' });
        } catch (e) {
          failures.push({ step: codec, recipe: `seed ${cfg.seed} case ${i}: ${log.join('; ')}`, ...describeThrown(e) });
        }
      }
      expect(failures, formatFailures(failures)).toEqual([]);
    });
  }

  it('bzip2 decoder fed random bytes after a valid header terminates with RepokitError', () => {
    const failures: FuzzFailure[] = [];
    for (let i = 0; i < cfg.cases; i++) {
      const rng = new Prng(caseSeed(cfg.seed ^ 0xb2, i));
      const body = rng.bytes(rng.smallInt(4000));
      // Start like a block, so the random bits reach the table and symbol decoding.
      const input = new Uint8Array([0x42, 0x5a, 0x68, 0x39, 0x31, 0x41, 0x59, 0x26, 0x53, 0x59, ...body]);
      try {
        const d = new Bzip2Decoder({ maxOutput: 1 << 20 });
        for (const _ of d.push(input)) void _;
        for (const _ of d.end()) void _;
      } catch (e) {
        if (!isRepokitError(e)) failures.push({ step: 'bzip2-random', recipe: `seed ${cfg.seed} case ${i}`, ...describeThrown(e) });
      }
    }
    expect(failures, formatFailures(failures)).toEqual([]);
  });
});
