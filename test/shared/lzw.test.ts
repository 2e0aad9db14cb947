/**
 * compress (.Z, LZW) codec (src/shared/lzw.ts): interop both ways with the real `compress` /
 * `uncompress` (ncompress) and `gzip -d` on empty, 1-byte, repetitive, random and > 1 MiB data
 * (enough to fill the 16-bit dictionary and make both sides emit CLEAR), every code width, the
 * non-block mode, hand-made hostile streams (offsets checked), the output cap, and fuzzing (only
 * RepokitError may escape, nothing may hang).
 */
import { describe, expect, it } from 'vitest';
import { LzwDecoder, lzwCompress, lzwDecompress } from '../../src/shared/lzw.js';
import { compress, decompress, decompressStream } from '../../src/shared/compression.js';
import { Prng, caseSeed, compressibleSample, formatFailures, fuzzConfig, guard, mutateBytes, type FuzzFailure, type Log } from '../helpers/fuzz.js';
import { rpmError, rpmErrorAsync } from '../helpers/errors.js';
import { missingToolNote, runTool } from './tools.js';

const note = missingToolNote('compress', 'uncompress', 'gzip');

function random(rng: Prng, n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = rng.int(256);
  return out;
}

const rng0 = new Prng(0x5a5a);
const CASES: [string, Uint8Array][] = [
  ['empty', new Uint8Array(0)],
  ['1 byte', new Uint8Array([0x41])],
  ['2 bytes', new Uint8Array([0xff, 0x00])],
  ['repetitive 3 MiB', new TextEncoder().encode('abcabcabd\n'.repeat(300_000))],
  ['zeros 2 MiB', new Uint8Array(2 << 20)],
  ['random 1.5 MiB', random(rng0, 1_500_000)],
  ['mixed 2 MiB', compressibleSample(rng0, 2 << 20)],
];

/** `compress` exits 2 when the output is not smaller (a warning); -f still writes it. */
function theirCompress(data: Uint8Array, bits = 16): Uint8Array {
  return runTool('compress', ['-c', '-f', `-b${bits}`], data);
}

/** Chunked decode through the incremental decoder. */
function decodeChunked(z: Uint8Array, size: number): Uint8Array {
  const d = new LzwDecoder();
  const parts: Uint8Array[] = [];
  for (let i = 0; i < z.length; i += size) parts.push(...d.push(z.subarray(i, i + size)));
  parts.push(...d.end());
  return Buffer.concat(parts);
}

describe.skipIf(note !== '')(`compress (.Z) interop with ncompress and gzip${note}`, () => {
  for (const [name, data] of CASES) {
    it(`${name}: ours -> uncompress and gzip -d; compress -> ours`, () => {
      const ours = lzwCompress(data);
      expect(Buffer.compare(runTool('uncompress', ['-c'], ours), data)).toBe(0);
      expect(Buffer.compare(runTool('gzip', ['-d', '-c'], ours), data)).toBe(0);
      const theirs = theirCompress(data);
      expect(Buffer.compare(lzwDecompress(theirs), data)).toBe(0);
      expect(Buffer.compare(decodeChunked(theirs, 4093), data)).toBe(0);
      expect(Buffer.compare(lzwDecompress(ours), data)).toBe(0);
    });
  }

  it('both encoders really reach the full dictionary and CLEAR on large incompressible data', () => {
    // Text fills the 65536 codes; random data after it makes the ratio fall, and both clear.
    const text = new TextEncoder().encode(Array.from({ length: 60_000 }, (_, i) => `line ${i} ${(i * 7) % 13}\n`).join(''));
    const data = Buffer.concat([text, random(new Prng(5), 700_000)]);
    expect(Buffer.compare(runTool('uncompress', ['-c'], lzwCompress(data)), data)).toBe(0);
    for (const z of [lzwCompress(data), theirCompress(data)]) expect(countClears(z)).toBeGreaterThan(0);
  });

  it('every code width 10..16 both ways (compress -b); -b9 is refused (ncompress cannot read its own)', () => {
    const data = compressibleSample(new Prng(9), 300_000);
    expect(rpmError(() => lzwCompress(data, 9)).code).toBe('INVALID_ARGUMENT');
    // Short 9-bit streams (fewer than 256 codes) are fine for everyone, and for us.
    const short = new TextEncoder().encode('hello hello hello');
    expect(new TextDecoder().decode(lzwDecompress(theirCompress(short, 9)))).toBe('hello hello hello');
    for (let bits = 10; bits <= 16; bits++) {
      const ours = lzwCompress(data, bits);
      expect(ours[2], `flags for ${bits}`).toBe(0x80 | bits);
      expect(Buffer.compare(runTool('uncompress', ['-c'], ours), data), `ours ${bits}`).toBe(0);
      expect(Buffer.compare(lzwDecompress(theirCompress(data, bits)), data), `theirs ${bits}`).toBe(0);
    }
  });

  it('compress() / decompress() / decompressStream() of the shared module use the codec', async () => {
    const data = CASES[6]![1];
    const z = await compress(data, 'compress');
    expect(Buffer.compare(z, lzwCompress(data))).toBe(0);
    expect(Buffer.compare(await decompress(theirCompress(data)), data)).toBe(0);
    const parts: Uint8Array[] = [];
    const theirs = theirCompress(data);
    async function* chunks(): AsyncGenerator<Uint8Array> {
      for (let i = 0; i < theirs.length; i += 10_000) yield theirs.subarray(i, i + 10_000);
    }
    for await (const c of decompressStream(chunks())) parts.push(c.slice());
    expect(Buffer.compare(Buffer.concat(parts), data)).toBe(0);
    expect((await rpmErrorAsync(compress(data, 'compress', { level: 17 }))).code).toBe('INVALID_ARGUMENT');
  });
});

/**
 * Count CLEAR codes by walking the stream with the reader's rules (widths, group padding, the
 * next free code), independently of the decoder; throws when the walk reads an undefined code.
 */
function countClears(z: Uint8Array): number {
  const maxBits = z[2]! & 0x1f;
  let pos = 24;
  let seg = pos;
  let n = 9;
  let free = 257;
  let first = true;
  let clears = 0;
  const total = z.length * 8;
  while (pos + n <= total) {
    let code = 0;
    for (let k = 0; k < n; k++) code |= ((z[(pos + k) >> 3]! >> ((pos + k) & 7)) & 1) << k;
    pos += n;
    const group = n * 8;
    if (first) {
      first = false;
      continue;
    }
    if (code === 256) {
      clears++;
      pos = seg + Math.ceil((pos - seg) / group) * group;
      seg = pos;
      n = 9;
      free = 256;
      continue;
    }
    // A lost trace would soon read codes that are not defined yet.
    if (code > free) throw new Error(`trace lost at bit ${pos}: code ${code}, next free ${free}`);
    if (free < 1 << maxBits) free++;
    const maxCode = n === maxBits ? 1 << maxBits : (1 << n) - 1;
    if (free > maxCode) {
      pos = seg + Math.ceil((pos - seg) / group) * group;
      seg = pos;
      n++;
    }
  }
  return clears;
}

/** LSB-first packing of (code, width) pairs after a header, no padding logic (tiny streams only). */
function pack(flags: number, codes: readonly [number, number][]): Uint8Array {
  const out = [0x1f, 0x9d, flags];
  let acc = 0;
  let bits = 0;
  for (const [code, width] of codes) {
    acc |= code << bits;
    bits += width;
    while (bits >= 8) {
      out.push(acc & 0xff);
      acc >>>= 8;
      bits -= 8;
    }
  }
  if (bits > 0) out.push(acc & 0xff);
  return new Uint8Array(out);
}

describe('compress (.Z) decoder on hand-made streams', () => {
  it('decodes literals, a KwKwK code and the non-block mode', () => {
    // a, b, then 257 = "ab", then 259 = KwKwK ("ab" + "a" = "aba").
    expect(new TextDecoder().decode(lzwDecompress(pack(0x90, [[0x61, 9], [0x62, 9], [257, 9], [259, 9]])))).toBe('abababa');
    // Without block mode the first free code is 256.
    expect(new TextDecoder().decode(lzwDecompress(pack(0x10, [[0x61, 9], [0x62, 9], [256, 9]])))).toBe('abab');
  });

  it('rejects a bad header, an undefined code and a non-literal first code, with offsets', () => {
    expect(rpmError(() => lzwDecompress(new Uint8Array([0x1f, 0x9d, 0x90 | 0x20]))).code).toBe('CORRUPT_COMPRESSED_DATA');
    const e1 = rpmError(() => lzwDecompress(new Uint8Array([0x1f, 0x9d, 0x88])));
    expect([e1.code, e1.offset]).toEqual(['CORRUPT_COMPRESSED_DATA', 2]);
    expect(rpmError(() => lzwDecompress(new Uint8Array([0x1f, 0x9d, 0x91]))).code).toBe('CORRUPT_COMPRESSED_DATA');
    // Code 300 where 258 is the next to be defined: the third code starts at bit 18 = byte 3 + 2.
    const e2 = rpmError(() => lzwDecompress(pack(0x90, [[0x61, 9], [0x62, 9], [300, 9]])));
    expect([e2.code, e2.offset]).toEqual(['CORRUPT_COMPRESSED_DATA', 5]);
    const e3 = rpmError(() => lzwDecompress(pack(0x90, [[257, 9]])));
    expect([e3.code, e3.offset]).toEqual(['CORRUPT_COMPRESSED_DATA', 3]);
    expect(rpmError(() => lzwDecompress(new Uint8Array([0x1f, 0x9d]))).code).toBe('TRUNCATED');
  });

  it('stops at maxOutput, in both decode paths', async () => {
    const bomb = lzwCompress(new Uint8Array(64 << 20));
    expect(bomb.length).toBeLessThan(200_000);
    expect(rpmError(() => lzwDecompress(bomb, { maxOutput: 1 << 20 })).code).toBe('LIMIT_EXCEEDED');
    expect((await rpmErrorAsync(decompress(bomb, { maxOutput: 1 << 20 }))).code).toBe('LIMIT_EXCEEDED');
    const it = decompressStream((async function* () {
      yield bomb;
    })(), { maxOutput: 1 << 20 });
    const e = await rpmErrorAsync((async () => {
      for await (const _ of it) void _;
    })());
    expect(e.code).toBe('LIMIT_EXCEEDED');
  });

  it('round-trips random data of many sizes through our own encoder and decoder', () => {
    const rng = new Prng(77);
    for (let i = 0; i < 60; i++) {
      const data = compressibleSample(rng, rng.int(i < 30 ? 600 : 200_000));
      const z = lzwCompress(data, 10 + rng.int(7));
      expect(Buffer.compare(decodeChunked(z, 1 + rng.int(3000)), data), `case ${i}`).toBe(0);
    }
  });
});

describe('compress (.Z) fuzz', () => {
  const cfg = fuzzConfig(0x1f9d, 10_000, 1_500);
  it(`mutated streams throw only RepokitError and finish (${cfg.cases} cases, seed ${cfg.seed}, ${cfg.source})`, () => {
    const seeds = [lzwCompress(compressibleSample(new Prng(1), 3000)), lzwCompress(compressibleSample(new Prng(2), 40_000), 12), lzwCompress(random(new Prng(3), 5000), 10)];
    const failures: FuzzFailure[] = [];
    for (let i = 0; i < cfg.cases; i++) {
      const rng = new Prng(caseSeed(cfg.seed, i));
      const log: Log = [];
      const input = mutateBytes(rng, seeds[rng.int(seeds.length)]!, log, random);
      guard(failures, 'lzwDecompress', () => `case ${i}: ${log.join('; ')}`, () => lzwDecompress(input, { maxOutput: 1 << 22 }));
    }
    expect(failures, formatFailures(failures)).toEqual([]);
  });
});
