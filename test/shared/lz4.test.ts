/**
 * LZ4 frame codec (src/shared/lz4.ts): xxHash32 vectors, round trips, hand-built frames for the
 * parts of the format the encoder does not write (skippable frames, concatenation, uncompressed
 * and linked blocks, checksums, dictionary IDs), interop with the real `lz4` tool both ways
 * (skipped locally without it, a failure under CI), the corpus's lz4 database, and fuzzing (only
 * RepokitError may escape, nothing may hang).
 */
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isRepokitError } from '../../src/shared/errors.js';
import { Lz4Decoder, lz4Compress, lz4Decompress, lz4DecompressStream, xxhash32, Xxh32 } from '../../src/shared/lz4.js';
import { Prng, caseSeed, compressibleSample, flipBits, formatFailures, fuzzConfig, guard, insertBytes, overwriteBytes, removeBytes, truncateAt, type FuzzFailure, type Log } from '../helpers/fuzz.js';
import { missingToolNote, runTool } from './tools.js';

const enc = new TextEncoder();
const lz4Note = missingToolNote('lz4');
const CORPUS_LZ4 = new URL('../../../shared/corpus/alpm/generated/db/lz4/', import.meta.url);
const corpusNote = existsSync(CORPUS_LZ4) ? '' : ' (skipped: ../shared/corpus is absent)';

const u32 = (v: number): number[] => [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, v >>> 24];

/** A frame built by hand: descriptor flags and blocks given as [stored bytes, uncompressed?]. */
function frame(opts: { linked?: boolean; blockChecksum?: boolean; contentChecksum?: boolean; contentSize?: number; dict?: boolean; bd?: number }, blocks: [Uint8Array, boolean][], content: Uint8Array): Uint8Array {
  const flg = 0x40 | (opts.linked === true ? 0 : 0x20) | (opts.blockChecksum === true ? 0x10 : 0) | (opts.contentSize !== undefined ? 0x08 : 0) | (opts.contentChecksum === true ? 0x04 : 0) | (opts.dict === true ? 1 : 0);
  const desc = [flg, opts.bd ?? 0x40];
  if (opts.contentSize !== undefined) desc.push(...u32(opts.contentSize), 0, 0, 0, 0);
  if (opts.dict === true) desc.push(1, 2, 3, 4);
  desc.push((xxhash32(Uint8Array.from(desc)) >>> 8) & 0xff);
  const out = [...u32(0x184d2204), ...desc];
  for (const [b, raw] of blocks) {
    out.push(...u32((b.length | (raw ? 0x80000000 : 0)) >>> 0), ...b);
    if (opts.blockChecksum === true) out.push(...u32(xxhash32(b)));
  }
  out.push(0, 0, 0, 0);
  if (opts.contentChecksum === true) out.push(...u32(xxhash32(content)));
  return Uint8Array.from(out);
}

function code(fn: () => unknown): string {
  try {
    fn();
    return 'ok';
  } catch (e) {
    if (!isRepokitError(e)) throw e;
    return e.code;
  }
}

describe('xxHash32', () => {
  it('matches the reference vectors, one-shot and streamed in odd pieces', () => {
    expect(xxhash32(new Uint8Array(0))).toBe(0x02cc5d05);
    expect(xxhash32(enc.encode('a'))).toBe(0x550d7456);
    expect(xxhash32(enc.encode('abc'))).toBe(0x32d153ff);
    expect(xxhash32(enc.encode('Nobody inspects the spammish repetition'))).toBe(0xe2293b2f);
    const data = compressibleSample(new Prng(7), 1000);
    const h = new Xxh32();
    for (let i = 0; i < data.length; i += 7) h.update(data.subarray(i, i + 7));
    expect(h.digest()).toBe(xxhash32(data));
  });
});

describe('lz4 round trips', () => {
  it('compresses and decompresses data of many sizes and kinds, at every level', () => {
    const rng = new Prng(0x6c7a34);
    const sizes = [0, 1, 4, 5, 12, 13, 14, 15, 16, 19, 64, 255, 256, 270, 1000, 65535, 65536, 65537, 300_000];
    for (const n of sizes) {
      const data = compressibleSample(rng, n);
      for (const level of [1, 3, 9]) {
        const c = lz4Compress(data, { level });
        expect(lz4Decompress(c), `n=${n} level=${level}`).toEqual(data);
      }
    }
    const zeros = new Uint8Array(5_000_000);
    const c = lz4Compress(zeros);
    expect(c.length).toBeLessThan(30_000);
    expect(lz4Decompress(c)).toEqual(zeros);
  });

  it('writes the options it is given (block size, checksums, content size) and refuses bad ones', () => {
    const data = compressibleSample(new Prng(3), 200_000);
    for (const blockSize of [65536, 262144] as const) {
      for (const blockChecksum of [false, true]) {
        const c = lz4Compress(data, { blockSize, blockChecksum, contentChecksum: !blockChecksum, contentSize: blockChecksum });
        expect(c[5]).toBe(blockSize === 65536 ? 0x40 : 0x50);
        expect(lz4Decompress(c)).toEqual(data);
      }
    }
    expect(code(() => lz4Compress(data, { level: 0 }))).toBe('INVALID_ARGUMENT');
    expect(code(() => lz4Compress(data, { blockSize: 1000 as 65536 }))).toBe('INVALID_ARGUMENT');
    expect(code(() => lz4Compress('text' as unknown as Uint8Array))).toBe('INVALID_ARGUMENT');
    expect(code(() => lz4Decompress(null as unknown as Uint8Array))).toBe('INVALID_ARGUMENT');
  });

  it('is deterministic', () => {
    const data = compressibleSample(new Prng(5), 100_000);
    expect(lz4Compress(data, { level: 4 })).toEqual(lz4Compress(data, { level: 4 }));
  });

  it('streams: any chunking gives the same output, and the decoder holds no more than a block', async () => {
    const data = compressibleSample(new Prng(11), 400_000);
    const c = lz4Compress(data, { blockSize: 65536 });
    const rng = new Prng(12);
    for (let round = 0; round < 5; round++) {
      const chunks: Uint8Array[] = [];
      for (let i = 0; i < c.length; ) {
        const n = 1 + rng.int(round === 0 ? 3 : 20_000);
        chunks.push(c.subarray(i, i + n));
        i += n;
      }
      const out: Uint8Array[] = [];
      for await (const o of lz4DecompressStream(chunks)) out.push(o);
      expect(Buffer.concat(out)).toEqual(Buffer.from(data));
    }
    const d = new Lz4Decoder();
    expect(d.push(c.subarray(0, 100))).toEqual([]);
    expect(() => d.end()).toThrow(expect.objectContaining({ code: 'TRUNCATED' }));
  });
});

describe('lz4 frames built by hand', () => {
  const text = enc.encode('hello hello hello hello, world');
  // "hello " once, then a match of 17 bytes at offset 6, then 7 literals.
  const block = Uint8Array.from([0x6d, ...enc.encode('hello '), 6, 0, 0x70, ...enc.encode(', world')]);

  it('decodes compressed and uncompressed blocks, checksums and the content size', () => {
    expect(lz4Decompress(frame({}, [[block, false]], text))).toEqual(text);
    expect(lz4Decompress(frame({ blockChecksum: true, contentChecksum: true, contentSize: text.length }, [[block, false]], text))).toEqual(text);
    expect(lz4Decompress(frame({ contentChecksum: true }, [[text, true]], text))).toEqual(text);
    expect(lz4Decompress(frame({}, [], new Uint8Array(0)))).toEqual(new Uint8Array(0));
  });

  it('linked blocks may refer to the previous block; independent ones may not', () => {
    // A 19-byte match reaching 30 bytes back (the first block's start), then an empty literal run.
    const second = Uint8Array.from([0x0f, 30, 0, 0x00, 0x00]);
    const want = new Uint8Array([...text, ...text.subarray(0, 19)]);
    expect(lz4Decompress(frame({ linked: true, contentChecksum: true }, [[block, false], [second, false]], want))).toEqual(want);
    expect(code(() => lz4Decompress(frame({}, [[block, false], [second, false]], want)))).toBe('CORRUPT_COMPRESSED_DATA');
    // The window survives uncompressed blocks too.
    expect(lz4Decompress(frame({ linked: true }, [[text, true], [second, false]], want))).toEqual(want);
  });

  it('skips zero padding after the last frame (libarchive pads what it writes to a pipe), in any chunking', async () => {
    const a = lz4Compress(text);
    for (const pad of [1, 3, 4, 10240 - a.length]) {
      const padded = Buffer.concat([a, new Uint8Array(pad)]);
      expect(lz4Decompress(padded), `${pad} zeros`).toEqual(text);
      for (const size of [1, 5, 4096]) {
        const parts: Uint8Array[] = [];
        const chunks = Array.from({ length: Math.ceil(padded.length / size) }, (_, i) => padded.subarray(i * size, (i + 1) * size));
        for await (const c of lz4DecompressStream(chunks)) parts.push(c);
        expect(Buffer.concat(parts), `${pad} zeros in chunks of ${size}`).toEqual(Buffer.from(text));
      }
    }
  });

  it('reads concatenated frames, skippable frames and the legacy frame', () => {
    const a = lz4Compress(enc.encode('first '));
    const b = lz4Compress(enc.encode('second'));
    const skip = Uint8Array.from([...u32(0x184d2a5a), ...u32(3), 9, 9, 9]);
    expect(new TextDecoder().decode(lz4Decompress(Buffer.concat([skip, a, skip, b])))).toBe('first second');
    const legacy = Uint8Array.from([...u32(0x184c2102), ...u32(block.length), ...block, ...u32(block.length), ...block]);
    expect(lz4Decompress(legacy)).toEqual(new Uint8Array([...text, ...text]));
    // A legacy frame followed by a modern one.
    expect(new TextDecoder().decode(lz4Decompress(Buffer.concat([legacy, a])).subarray(text.length * 2))).toBe('first ');
  });

  it('reports damage, truncation, dictionaries and the output limit as typed errors', () => {
    const good = frame({ blockChecksum: true, contentChecksum: true, contentSize: text.length }, [[block, false]], text);
    const at = (i: number, v: number): Uint8Array => {
      const b = good.slice();
      b[i] = v;
      return b;
    };
    expect(code(() => lz4Decompress(at(0, 0x05)))).toBe('CORRUPT_COMPRESSED_DATA'); // magic
    expect(code(() => lz4Decompress(at(4, good[4]! ^ 0x80)))).toBe('CORRUPT_COMPRESSED_DATA'); // version
    expect(code(() => lz4Decompress(at(5, 0x30)))).toBe('CORRUPT_COMPRESSED_DATA'); // block size ID 3
    expect(code(() => lz4Decompress(at(14, good[14]! ^ 1)))).toBe('CORRUPT_COMPRESSED_DATA'); // header checksum
    expect(code(() => lz4Decompress(at(20, good[20]! ^ 1)))).toBe('CORRUPT_COMPRESSED_DATA'); // block checksum
    expect(code(() => lz4Decompress(at(good.length - 1, good[good.length - 1]! ^ 1)))).toBe('CORRUPT_COMPRESSED_DATA'); // content checksum
    expect(code(() => lz4Decompress(frame({ contentSize: text.length + 1 }, [[block, false]], text)))).toBe('CORRUPT_COMPRESSED_DATA');
    expect(code(() => lz4Decompress(frame({}, [[Uint8Array.from([0x00, 1, 0]), false]], text)))).toBe('CORRUPT_COMPRESSED_DATA'); // offset before start
    expect(code(() => lz4Decompress(frame({}, [[Uint8Array.from([0x10, 0x41, 0, 0]), false]], text)))).toBe('CORRUPT_COMPRESSED_DATA'); // offset 0
    expect(code(() => lz4Decompress(frame({ dict: true }, [[block, false]], text)))).toBe('UNSUPPORTED_COMPRESSION');
    for (const n of [0, 3, 5, 10, good.length - 1]) expect(code(() => lz4Decompress(good.subarray(0, n))), `cut at ${n}`).toBe('TRUNCATED');
    expect(code(() => lz4Decompress(Buffer.concat([good, Buffer.from('junk')])))).toBe('CORRUPT_COMPRESSED_DATA');
    expect(code(() => lz4Decompress(Buffer.concat([good, new Uint8Array(600), Buffer.from('junk')])))).toBe('CORRUPT_COMPRESSED_DATA');
    expect(code(() => lz4Decompress(Buffer.concat([new Uint8Array(8), good])))).toBe('CORRUPT_COMPRESSED_DATA');
    expect(code(() => lz4Decompress(Buffer.concat([good, Uint8Array.from([0, 0, 1])])))).toBe('TRUNCATED');
    expect(code(() => lz4Decompress(good, { maxOutput: text.length - 1 }))).toBe('LIMIT_EXCEEDED'); // announced size
    expect(code(() => lz4Decompress(frame({}, [[block, false]], text), { maxOutput: 10 }))).toBe('LIMIT_EXCEEDED');
    expect(code(() => lz4Decompress(lz4Compress(new Uint8Array(1_000_000), { contentSize: false }), { maxOutput: 999_999 }))).toBe('LIMIT_EXCEEDED');
    expect(lz4Decompress(good, { maxOutput: text.length })).toEqual(text);
  });
});

describe('lz4 interop', () => {
  it(`the real lz4 reads what repokit writes, and repokit reads every frame option of lz4${lz4Note}`, () => {
    if (lz4Note !== '') return;
    const data = compressibleSample(new Prng(0x1234), 1_500_000);
    for (const level of [1, 6]) {
      expect(Buffer.from(runTool('lz4', ['-dc'], lz4Compress(data, { level })))).toEqual(Buffer.from(data));
    }
    expect(Buffer.from(runTool('lz4', ['-dc'], lz4Compress(data, { blockSize: 65536, blockChecksum: true, contentSize: false })))).toEqual(Buffer.from(data));
    expect(runTool('lz4', ['-dc'], lz4Compress(new Uint8Array(0))).length).toBe(0);
    const variants = [['-1'], ['-9'], ['--fast=5'], ['-BD'], ['-B4', '-BD'], ['-B5', '-BX'], ['-B6', '--content-size'], ['--no-frame-crc'], ['-l'], ['-12', '-B4', '-BD', '-BX']];
    for (const args of variants) {
      const c = runTool('lz4', ['-c', ...args], data);
      expect(Buffer.from(lz4Decompress(c)), args.join(' ')).toEqual(Buffer.from(data));
    }
    // Two frames written by lz4, concatenated.
    const two = Buffer.concat([runTool('lz4', ['-c'], data.subarray(0, 1000)), runTool('lz4', ['-c', '-BD'], data.subarray(1000))]);
    expect(Buffer.from(lz4Decompress(two))).toEqual(Buffer.from(data));
  });

  it(`reads the corpus's lz4 sync databases as lz4 -d does${corpusNote}${lz4Note}`, () => {
    if (corpusNote !== '' || lz4Note !== '') return;
    for (const f of ['nimbus.db.tar.lz4', 'nimbus.files.tar.lz4']) {
      const bytes = readFileSync(new URL(f, CORPUS_LZ4));
      expect(Buffer.from(lz4Decompress(bytes))).toEqual(Buffer.from(runTool('lz4', ['-dc'], bytes)));
    }
  });
});

describe('lz4 fuzz', () => {
  const cfg = fuzzConfig(0x4c5a3446, 20_000, 2_000);
  it(`mutated frames throw only RepokitError and finish quickly (${cfg.cases} cases, seed ${cfg.seed}, ${cfg.source})`, () => {
    const seedRng = new Prng(99);
    const seeds = [
      lz4Compress(compressibleSample(seedRng, 3000)),
      lz4Compress(compressibleSample(seedRng, 3000), { blockSize: 65536, blockChecksum: true, contentSize: false }),
      frame({ linked: true, contentChecksum: true }, [[Uint8Array.from([0x6d, ...enc.encode('hello '), 6, 0, 0x70, ...enc.encode(', world')]), false]], enc.encode('hello hello hello hello, world')),
      Uint8Array.from([...u32(0x184c2102), ...u32(4), 0x30, 0x61, 0x62, 0x63]),
      Uint8Array.from([...u32(0x184d2a50), ...u32(2), 1, 2, ...lz4Compress(enc.encode('x'))]),
    ];
    const failures: FuzzFailure[] = [];
    for (let i = 0; i < cfg.cases; i++) {
      const rng = new Prng(caseSeed(cfg.seed, i));
      const log: Log = [];
      let b = rng.pick(seeds);
      for (let m = 1 + rng.int(3); m > 0; m--) {
        const op = rng.int(5);
        if (op === 0) b = flipBits(rng, b, log);
        else if (op === 1) b = overwriteBytes(rng, b, log);
        else if (op === 2) b = truncateAt(b, rng.int(b.length + 1), log);
        else if (op === 3) b = insertBytes(b, rng.int(b.length + 1), rng.bytes(1 + rng.int(8)), log);
        else b = removeBytes(b, rng.int(b.length + 1), 1 + rng.int(8), log);
      }
      const start = performance.now();
      guard(failures, 'lz4Decompress', () => `case ${i}: ${log.join('; ')}`, () => lz4Decompress(b, { maxOutput: 1 << 24 }));
      const ms = performance.now() - start;
      if (ms > 2000) failures.push({ step: 'lz4Decompress', recipe: `case ${i}: ${log.join('; ')}`, problem: `took ${ms} ms`, stack: '' });
    }
    expect(failures, formatFailures(failures)).toEqual([]);
  });

  it('a flood of tiny blocks or frames does not make the decoder allocate per block maximum', () => {
    // 200,000 one-byte blocks in a 4 MiB-block linked frame, and 100,000 empty frames.
    const blocks: [Uint8Array, boolean][] = Array.from({ length: 200_000 }, () => [Uint8Array.from([0x10, 0x41]), false]);
    const want = new Uint8Array(200_000).fill(0x41);
    expect(lz4Decompress(frame({ linked: true, bd: 0x70 }, blocks, want))).toEqual(want);
    const empty = frame({ bd: 0x70 }, [], new Uint8Array(0));
    expect(lz4Decompress(Buffer.concat(Array.from({ length: 100_000 }, () => empty))).length).toBe(0);
  });
});
