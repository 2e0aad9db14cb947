/**
 * lzip (src/shared/lzip.ts through src/shared/compression.ts): interop both ways with the real
 * `lzip` (every level, multi-member files, empty and 1-byte data) and bsdtar, the dictionary-size
 * coding, damaged members (CRC, sizes, truncation, header fields; offsets), trailing data, the
 * output cap, and fuzzing of the decoder (only RepokitError may escape, nothing may hang).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compress, decompress, decompressStream } from '../../src/shared/compression.js';
import { isRepokitError } from '../../src/shared/errors.js';
import { crc32, lzipDictByte, lzipDictSize } from '../../src/shared/lzip.js';
import { writeTar } from '../../src/shared/tar.js';
import { Prng, caseSeed, compressibleSample, describeThrown, formatFailures, fuzzConfig, mutateBytes, overwriteBytes, type FuzzFailure, type Log } from '../helpers/fuzz.js';
import { rpmErrorAsync } from '../helpers/errors.js';
import { isCi, missingToolNote, runTool } from './tools.js';

const note = missingToolNote('lzip');
const bsdtarNote = missingToolNote('bsdtar');

/** Whether @napi-rs/lzma loads here (CI must have it). */
const lzmaReason: string | null = await compress(new Uint8Array(1), 'lzip').then(
  () => null,
  (e: unknown) => {
    if (isCi()) throw e;
    return isRepokitError(e) ? e.detail.slice(0, 80) : String(e);
  },
);
const lzmaNote = lzmaReason === null ? '' : ` (skipped: ${lzmaReason})`;

const same = (a: Uint8Array, b: Uint8Array): boolean => Buffer.compare(a, b) === 0;
const data = compressibleSample(new Prng(0x1a), 1_300_000);
const CASES: [string, Uint8Array][] = [
  ['empty', new Uint8Array(0)],
  ['1 byte', new Uint8Array([7])],
  ['text', new TextEncoder().encode('%NAME%\nfoo\n\n%VERSION%\n1.0-1\n\n'.repeat(3000))],
  ['mixed 1.3 MB', data],
];

async function streamDecode(z: Uint8Array, piece: number, maxOutput?: number): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  async function* chunks(): AsyncGenerator<Uint8Array> {
    for (let i = 0; i < z.length; i += piece) yield z.subarray(i, i + piece);
  }
  for await (const c of decompressStream(chunks(), maxOutput === undefined ? {} : { maxOutput })) parts.push(c.slice());
  return Buffer.concat(parts);
}

describe('lzip dictionary size byte', () => {
  it('codes and decodes sizes as lzip does', () => {
    expect(lzipDictSize(0x0c)).toBe(4096);
    expect(lzipDictSize(0x17)).toBe(8 << 20);
    expect(lzipDictSize(0xf7)).toBe((8 << 20) - 7 * (1 << 19));
    expect(lzipDictSize(0x1d)).toBe(1 << 29);
    expect(lzipDictSize(0x0b)).toBeUndefined();
    expect(lzipDictSize(0x1e)).toBeUndefined();
    for (const size of [1, 4096, 4097, 5000, 65536, 100_000, 3_000_000, 8 << 20, (1 << 29) - 1]) {
      const b = lzipDictByte(size);
      const got = lzipDictSize(b)!;
      expect(got, `size ${size}`).toBeGreaterThanOrEqual(Math.max(size, 4096));
      // The smallest such code: one step less would be too small.
      expect(got - got / 16 < Math.max(size, 4096) || got === 4096 || (b & 0xe0) === 0xe0, `size ${size}`).toBe(true);
    }
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
  });
});

describe.skipIf(note !== '' || lzmaNote !== '')(`lzip interop with the lzip tool${note}${lzmaNote}`, () => {
  for (const [name, d] of CASES) {
    it(`${name}: ours -> lzip -t / -d; lzip -> ours (whole and streamed)`, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'repokit-lzip-'));
      const ours = await compress(d, 'lzip');
      expect(same(ours.subarray(0, 5), new Uint8Array([0x4c, 0x5a, 0x49, 0x50, 1]))).toBe(true);
      writeFileSync(join(dir, 'x.lz'), ours);
      runTool('lzip', ['-t', join(dir, 'x.lz')]);
      expect(same(runTool('lzip', ['-d', '-c'], ours), d)).toBe(true);
      for (const level of ['-0', '-6', '-9']) {
        const theirs = runTool('lzip', ['-c', level], d);
        expect(same(await decompress(theirs), d), level).toBe(true);
        expect(same(await streamDecode(theirs, 7777), d), level).toBe(true);
      }
    });
  }

  it('multi-member files (lzip -b) and members followed by trailing data', async () => {
    const noise = new Uint8Array(300_000);
    const rng = new Prng(3);
    for (let i = 0; i < noise.length; i++) noise[i] = rng.int(256);
    const split = runTool('lzip', ['-c', '-b', '100KiB'], noise);
    expect(split.length).toBeGreaterThan(300_000); // three members of at most 100 KiB
    expect(same(await decompress(split), noise)).toBe(true);
    // Members of separately compressed files, concatenated (as `cat a.lz b.lz`).
    const theirs = Buffer.concat([runTool('lzip', ['-c'], data.subarray(0, 500_000)), runTool('lzip', ['-c', '-0'], data.subarray(500_000))]);
    expect(same(await decompress(theirs), data)).toBe(true);
    expect(same(await streamDecode(theirs, 65536), data)).toBe(true);
    // Trailing zeros / garbage after the last member is ignored, as lzip and libarchive do.
    const padded = Buffer.concat([theirs, new Uint8Array(10240)]);
    expect(same(await decompress(padded), data)).toBe(true);
    expect(runTool('lzip', ['-d', '-c'], padded).length).toBe(data.length);
  });

  it('every level 0..9 gives a stream lzip accepts; the header dictionary shrinks to the data', async () => {
    const small = data.subarray(0, 50_000);
    for (let level = 0; level <= 9; level++) {
      const z = await compress(small, 'lzip', { level });
      expect(same(runTool('lzip', ['-d', '-c'], z), small), `level ${level}`).toBe(true);
      expect(lzipDictSize(z[5]!)!, `level ${level}`).toBeLessThanOrEqual(65536);
    }
    expect((await rpmErrorAsync(compress(small, 'lzip', { level: 10 }))).code).toBe('INVALID_ARGUMENT');
  });

  it.skipIf(bsdtarNote !== '')(`bsdtar reads a .tar.lz repokit wrote${bsdtarNote}`, async () => {
    const tar = writeTar([{ name: 'a/b.txt', data: new TextEncoder().encode('hello lzip\n') }]);
    const dir = mkdtempSync(join(tmpdir(), 'repokit-lzip-'));
    writeFileSync(join(dir, 'x.tar.lz'), await compress(tar, 'lzip'));
    expect(new TextDecoder().decode(runTool('bsdtar', ['-xOf', join(dir, 'x.tar.lz'), 'a/b.txt']))).toBe('hello lzip\n');
  });
});

describe.skipIf(lzmaNote !== '')(`lzip damaged data and limits${lzmaNote}`, () => {
  const text = new TextEncoder().encode('lzip test data '.repeat(5000));
  const good = (): Promise<Uint8Array> => compress(text, 'lzip');

  it('checks the CRC32 and both sizes of the trailer', async () => {
    const z = await good();
    const n = z.length;
    const badCrc = z.slice();
    badCrc[n - 20] = badCrc[n - 20]! ^ 1;
    const e1 = await rpmErrorAsync(decompress(badCrc));
    expect([e1.code, e1.offset]).toEqual(['CORRUPT_COMPRESSED_DATA', n - 20]);
    const badSize = z.slice();
    badSize[n - 16] = badSize[n - 16]! ^ 1;
    expect((await rpmErrorAsync(decompress(badSize))).code).toBe('CORRUPT_COMPRESSED_DATA');
    // A member size that points nowhere: no trailer is found.
    const badMember = z.slice();
    badMember[n - 8] = badMember[n - 8]! ^ 0x40;
    expect((await rpmErrorAsync(decompress(badMember))).code).toBe('TRUNCATED');
  });

  it('rejects truncated data, unknown versions and invalid dictionary sizes', async () => {
    const z = await good();
    expect((await rpmErrorAsync(decompress(z.subarray(0, z.length - 1)))).code).toBe('TRUNCATED');
    expect((await rpmErrorAsync(decompress(z.subarray(0, 5)))).code).toBe('TRUNCATED');
    const v0 = z.slice();
    v0[4] = 0;
    const e = await rpmErrorAsync(decompress(v0));
    expect([e.code, e.offset]).toEqual(['UNSUPPORTED_COMPRESSION', 4]);
    const dict = z.slice();
    dict[5] = 0x0b;
    expect((await rpmErrorAsync(decompress(dict))).code).toBe('CORRUPT_COMPRESSED_DATA');
    // Damage inside the LZMA data.
    const body = z.slice();
    for (let i = 20; i < 40; i++) body[i] = body[i]! ^ 0xa5;
    expect(['CORRUPT_COMPRESSED_DATA', 'TRUNCATED']).toContain((await rpmErrorAsync(decompress(body))).code);
  });

  it('stops at maxOutput: early from the declared size, and while decoding a member that lies', async () => {
    const zeros = new Uint8Array(64 << 20);
    const bomb = await compress(zeros, 'lzip', { level: 0 });
    expect(bomb.length).toBeLessThan(1 << 20);
    const e1 = await rpmErrorAsync(decompress(bomb, { maxOutput: 1 << 20 }));
    expect(e1.code).toBe('LIMIT_EXCEEDED');
    // Trailer says 100 bytes: the decoder must stop as soon as it passes them.
    const liar = bomb.slice();
    const t = liar.length - 16;
    liar.fill(0, t, t + 8);
    liar[t] = 100;
    expect((await rpmErrorAsync(decompress(liar))).code).toBe('CORRUPT_COMPRESSED_DATA');
    expect((await rpmErrorAsync(streamDecode(bomb, 4096, 1 << 20))).code).toBe('LIMIT_EXCEEDED');
  });
});

describe.skipIf(lzmaNote !== '')(`lzip fuzz${lzmaNote}`, () => {
  const cfg = fuzzConfig(0x4c5a4950, 1500, 250);
  it(`mutated members throw only RepokitError and finish (${cfg.cases} cases, seed ${cfg.seed}, ${cfg.source})`, async () => {
    const seeds = [await compress(compressibleSample(new Prng(1), 3000), 'lzip'), await compress(compressibleSample(new Prng(2), 30_000), 'lzip', { level: 1 })];
    seeds.push(Buffer.concat([seeds[0]!, seeds[1]!]));
    const failures: FuzzFailure[] = [];
    for (let i = 0; i < cfg.cases; i++) {
      const rng = new Prng(caseSeed(cfg.seed, i));
      const log: Log = [];
      const b = mutateBytes(rng, seeds[rng.int(seeds.length)]!, log, compressibleSample, [
        (r, x, l) => overwriteBytes(r, x, l, Math.max(0, x.length - 20), x.length, 'trailer'),
      ]);
      try {
        await decompress(b, { maxOutput: 1 << 22 });
      } catch (e) {
        if (!isRepokitError(e)) failures.push({ step: 'decompress(lzip)', recipe: `case ${i}: ${log.join('; ')}`, ...describeThrown(e) });
      }
    }
    expect(failures, formatFailures(failures)).toEqual([]);
  });
});
