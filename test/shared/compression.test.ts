/**
 * Compression: sniffing, round trips, interop with the real gzip/xz/zstd/bzip2/lz4 in both directions
 * (including multi-member and concatenated inputs), output caps against bombs, error mapping, and
 * back-pressure of the streaming decoder.
 */
import { constants as zlibConstants, gzipSync, zstdCompressSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import {
  COMPRESSION_SUFFIX,
  compress,
  decompress,
  decompressStream,
  decodePieces,
  sniffCompression,
  type Compression,
  type PieceDecoder,
} from '../../src/shared/compression.js';
import { isRepokitError } from '../../src/shared/errors.js';
import { rpmErrorAsync } from '../helpers/errors.js';
import { hasTool, missingToolNote, runTool } from './tools.js';

const enc = new TextEncoder();

/** Deterministic pseudo-random bytes (xorshift) that do not compress. */
function noise(n: number, seed = 1): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

async function* chunked(b: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < b.length; i += size) yield b.subarray(i, i + size);
}

/** Whether @napi-rs/lzma (with its native binding) loads here; CI must have it. */
const xzReason: string | null = await compress(new Uint8Array(1), 'xz').then(
  () => null,
  (e: unknown) => {
    const ci = process.env['CI'];
    if (ci !== undefined && ci !== '' && ci !== '0' && ci.toLowerCase() !== 'false') throw e;
    return isRepokitError(e) ? e.detail.slice(0, 80) : String(e);
  },
);

const TOOL: Record<Exclude<Compression, 'none'>, string> = { gzip: 'gzip', xz: 'xz', zstd: 'zstd', bzip2: 'bzip2', lz4: 'lz4', lzip: 'lzip', compress: 'compress', lzop: 'lzop', lrzip: 'lrzip' };
const CODECS = ['gzip', 'zstd', 'bzip2', 'xz', 'lz4'] as const;

function skipReason(c: Exclude<Compression, 'none'>): string | null {
  if (c === 'xz' && xzReason !== null) return `@napi-rs/lzma unavailable: ${xzReason}`;
  if (!hasTool(TOOL[c])) return `${TOOL[c]} is not installed`;
  return null;
}

const sample = concat(enc.encode('%NAME%\nfoo\n\n%VERSION%\n1.0-1\n\n'.repeat(2000)), noise(50_000), new Uint8Array(70_000));

describe('sniffCompression', () => {
  it('recognises each format by its magic bytes', () => {
    const cases: [number[], string][] = [
      [[0x1f, 0x8b, 8, 0], 'gzip'],
      [[0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00], 'xz'],
      [[0x28, 0xb5, 0x2f, 0xfd], 'zstd'],
      [[0x42, 0x5a, 0x68, 0x39, 0x31], 'bzip2'],
      [[0x04, 0x22, 0x4d, 0x18], 'lz4'],
      [[0x02, 0x21, 0x4c, 0x18], 'lz4'],
      [[0x4c, 0x5a, 0x49, 0x50, 1], 'lzip'],
      [[0x4c, 0x52, 0x5a, 0x49, 0], 'lrzip'],
      [[0x89, 0x4c, 0x5a, 0x4f, 0x00, 0x0d, 0x0a, 0x1a, 0x0a], 'lzop'],
      [[0x1f, 0x9d, 0x90], 'compress'],
      [[0x42, 0x5a, 0x68, 0x30], 'none'], // BZh0 is not a block size
      [[0x1f], 'none'],
      [[], 'none'],
      [[...enc.encode('index.plist')], 'none'],
    ];
    for (const [bytes, kind] of cases) expect(sniffCompression(new Uint8Array(bytes)), bytes.join(',')).toBe(kind);
  });

  it('looks past skippable frames (zstd unless an lz4 frame follows)', () => {
    const skip = [0x50, 0x2a, 0x4d, 0x18, 3, 0, 0, 0, 9, 9, 9];
    expect(sniffCompression(new Uint8Array(skip))).toBe('zstd');
    expect(sniffCompression(new Uint8Array([...skip, 0x28, 0xb5, 0x2f, 0xfd]))).toBe('zstd');
    expect(sniffCompression(new Uint8Array([...skip, 0x04, 0x22, 0x4d, 0x18]))).toBe('lz4');
  });

  it('decodes lzip and compress too (damaged here: typed errors, not UNSUPPORTED_COMPRESSION)', async () => {
    // Deeper tests: test/shared/lzip.test.ts, lzw.test.ts, external-compression.test.ts.
    expect((await rpmErrorAsync(decompress(new Uint8Array([0x4c, 0x5a, 0x49, 0x50, 1, 0x0c, 0, 0, 0])))).code).toBe('TRUNCATED');
    expect((await rpmErrorAsync(decompress(new Uint8Array([0x1f, 0x9d, 0xb0, 0, 0, 0])))).code).toBe('CORRUPT_COMPRESSED_DATA');
  });

  it('has the usual suffixes', () => {
    expect(COMPRESSION_SUFFIX).toEqual({ none: '', gzip: '.gz', xz: '.xz', zstd: '.zst', bzip2: '.bz2', lz4: '.lz4', lzip: '.lz', compress: '.Z', lzop: '.lzo', lrzip: '.lrz' });
  });
});

describe.each(CODECS)('%s', (codec) => {
  const reason = skipReason(codec);
  const tool = TOOL[codec];

  it.skipIf(reason !== null)(`round-trips and is deterministic${reason ? ` (skipped: ${reason})` : ''}`, async () => {
    for (const input of [new Uint8Array(0), enc.encode('x'), sample]) {
      const a = await compress(input, codec);
      const b = await compress([input.subarray(0, 7), input.subarray(7)], codec);
      expect(sniffCompression(a)).toBe(codec);
      expect(b).toEqual(a);
      expect(await decompress(a)).toEqual(input);
    }
  });

  it.skipIf(reason !== null)(`output is accepted by the real ${tool} -d${reason ? ` (skipped: ${reason})` : ''}`, async () => {
    for (const level of codec === 'zstd' ? [1, 9, 19] : [1, 9]) {
      const c = await compress(sample, codec, { level });
      expect(runTool(tool, ['-d', '-c'], c), `level ${level}`).toEqual(sample);
    }
  });

  it.skipIf(reason !== null)(`decodes the real ${tool}'s output, also several members/streams/frames back to back${reason ? ` (skipped: ${reason})` : ''}`, async () => {
    const a = runTool(tool, ['-c'], sample);
    const b = runTool(tool, ['-c', codec === 'zstd' ? '-19' : '-1'], enc.encode('second part\n'));
    const empty = runTool(tool, ['-c'], new Uint8Array(0));
    expect(await decompress(a)).toEqual(sample);
    const joined = concat(a, empty, b, a);
    const want = concat(sample, enc.encode('second part\n'), sample);
    expect(await decompress(joined)).toEqual(want);
    // Streaming, in awkward chunk sizes.
    for (const size of [1, 7, 4096]) {
      const parts: Uint8Array[] = [];
      for await (const c of decompressStream(chunked(size === 1 ? b : joined, size))) parts.push(c.slice());
      expect(concat(...parts), `chunk size ${size}`).toEqual(size === 1 ? enc.encode('second part\n') : want);
    }
  });

  it.skipIf(reason !== null)(`stops a 1 GiB bomb at maxOutput without materialising it${reason ? ` (skipped: ${reason})` : ''}`, async () => {
    // 64 concatenated members of 16 MiB of zeros each: 1 GiB of output from a small input.
    const member = await compress(new Uint8Array(16 << 20), codec, { level: 1 });
    const bomb = concat(...Array.from({ length: 64 }, () => member));
    const cap = 1 << 20;
    const e = await rpmErrorAsync(decompress(bomb, { maxOutput: cap }));
    expect(e.code).toBe('LIMIT_EXCEEDED');
    // The stream hands out no more than the cap before failing, in chunks of at most 64 KiB.
    let seen = 0;
    let largest = 0;
    const e2 = await rpmErrorAsync(
      (async () => {
        for await (const c of decompressStream(chunked(bomb, 65536), { maxOutput: cap })) {
          seen += c.length;
          largest = Math.max(largest, c.length);
        }
      })(),
    );
    expect(e2.code).toBe('LIMIT_EXCEEDED');
    expect(seen).toBeLessThanOrEqual(cap);
    expect(largest).toBeLessThanOrEqual(65536);
  });

  it.skipIf(reason !== null)(`maps damage to CORRUPT_COMPRESSED_DATA and short input to TRUNCATED${reason ? ` (skipped: ${reason})` : ''}`, async () => {
    const good = await compress(sample, codec);
    const cut = await rpmErrorAsync(decompress(good.subarray(0, Math.floor(good.length / 2))));
    expect(cut.code).toBe('TRUNCATED');
    // The stream decoder too (Node 22's zstd decoder ends a cut frame without an error of its own).
    const streamCut = await rpmErrorAsync(
      (async () => {
        for await (const c of decompressStream(chunked(good.subarray(0, Math.floor(good.length / 2)), 4096))) void c;
      })(),
    );
    expect(streamCut.code).toBe('TRUNCATED');
    // A flipped byte in the middle of the data: a bad bit stream or a checksum mismatch.
    const bad = good.slice();
    bad[Math.floor(bad.length / 2)]! ^= 0x55;
    const e = await rpmErrorAsync(decompress(bad));
    expect(['CORRUPT_COMPRESSED_DATA', 'TRUNCATED']).toContain(e.code);
    // The trailing checksum itself (gzip: CRC32 + ISIZE; xz: stream footer CRC; zstd: XXH64; bzip2: stream CRC).
    const tail = good.slice();
    tail[tail.length - (codec === 'gzip' ? 8 : codec === 'bzip2' ? 3 : 4)]! ^= 0x01;
    expect((await rpmErrorAsync(decompress(tail))).code).toBe('CORRUPT_COMPRESSED_DATA');
  });
}, 120_000);

describe('lz4 as the lz4 tool writes it', () => {
  it.skipIf(!hasTool('lz4'))(`the frame header (flags, block size, header checksum) equals the real lz4's for every input size${missingToolNote('lz4')}`, async () => {
    for (const n of [0, 1000, 65536, 65537, 300_000, 2_000_000, 5_000_000]) {
      const input = sample.length >= n ? sample.subarray(0, n) : concat(sample, new Uint8Array(n - sample.length));
      const ours = await compress(input, 'lz4');
      const theirs = runTool('lz4', ['-q', '-c'], input);
      // magic, FLG (independent blocks, content checksum), BD (block size), HC.
      expect([...ours.subarray(0, 7)], `${n} bytes`).toEqual([...theirs.subarray(0, 7)]);
      expect(await decompress(theirs)).toEqual(input);
    }
  });

  it('decompressStream checks the abort signal between chunks', async () => {
    const packed = await compress(noise(1 << 20), 'lz4');
    const ac = new AbortController();
    const it = decompressStream(chunked(packed, 4096), { signal: ac.signal })[Symbol.asyncIterator]();
    expect((await it.next()).done).toBe(false);
    ac.abort(new Error('stop lz4'));
    await expect(it.next()).rejects.toThrow('stop lz4');
  });

  it('decompress gives an abort a chance between 1 MiB pieces of input', async () => {
    // Incompressible input: the frame is as large as the data, several pieces long.
    const packed = await compress(noise(3 << 20), 'lz4');
    const ac = new AbortController();
    setTimeout(() => ac.abort(new Error('stop lz4 whole')), 0);
    await expect(decompress(packed, { signal: ac.signal })).rejects.toThrow('stop lz4 whole');
    expect(await decompress(packed, { signal: new AbortController().signal })).toEqual(noise(3 << 20));
  });

  it('stops at maxOutput, also when the frame announces its size', async () => {
    const packed = await compress(sample, 'lz4');
    expect(await decompress(packed, { maxOutput: sample.length })).toEqual(sample);
    expect((await rpmErrorAsync(decompress(packed, { maxOutput: sample.length - 1 }))).code).toBe('LIMIT_EXCEEDED');
    const { lz4Compress } = await import('../../src/shared/lz4.js');
    const sized = lz4Compress(new Uint8Array(5 << 20), { contentSize: true });
    const e = await rpmErrorAsync(decompress(sized, { maxOutput: 1 << 20 }));
    expect(e.code).toBe('LIMIT_EXCEEDED');
    expect(e.offset).toBe(6);
  });
});

describe('decompress / decompressStream', () => {
  it('passes uncompressed data through, subject to maxOutput', async () => {
    const plain = enc.encode('not compressed');
    expect(await decompress(plain)).toBe(plain);
    expect((await rpmErrorAsync(decompress(plain, { maxOutput: 3 }))).code).toBe('LIMIT_EXCEEDED');
    const parts: Uint8Array[] = [];
    for await (const c of decompressStream(chunked(plain, 3))) parts.push(c);
    expect(concat(...parts)).toEqual(plain);
  });

  it('rejects bad options and a bad level', async () => {
    expect((await rpmErrorAsync(decompress(new Uint8Array(1), { maxOutput: -1 }))).code).toBe('INVALID_ARGUMENT');
    expect((await rpmErrorAsync(compress(new Uint8Array(1), 'gzip', { level: 10 }))).code).toBe('INVALID_ARGUMENT');
    expect((await rpmErrorAsync(compress(new Uint8Array(1), 'brotli' as Compression))).code).toBe('INVALID_ARGUMENT');
    expect((await rpmErrorAsync(compress(new Uint8Array(1), 'lz4', { level: 13 }))).code).toBe('INVALID_ARGUMENT');
    expect((await rpmErrorAsync(compress(new Uint8Array(1), 'lz4', { level: 0 }))).code).toBe('INVALID_ARGUMENT');
  });

  it('gzip headers are reproducible: no name, mtime 0 (like gzip -n)', async () => {
    const gz = await compress(sample, 'gzip');
    expect([...gz.subarray(0, 10)].slice(0, 4)).toEqual([0x1f, 0x8b, 8, 0]); // FLG 0: no name, no comment
    expect([...gz.subarray(4, 8)]).toEqual([0, 0, 0, 0]);
  });

  it('pulls input only as output is consumed (back-pressure)', async () => {
    const big = await compress(noise(4 << 20), 'gzip', { level: 1 });
    let pulled = 0;
    async function* source(): AsyncGenerator<Uint8Array> {
      for (let i = 0; i < big.length; i += 16384) {
        pulled++;
        yield big.subarray(i, i + 16384);
      }
    }
    const total = Math.ceil(big.length / 16384);
    const it = decompressStream(source())[Symbol.asyncIterator]();
    const first = await it.next();
    expect(first.done).toBe(false);
    await new Promise((r) => setTimeout(r, 50));
    expect(pulled).toBeLessThan(total / 4);
    await it.return?.(undefined);
  });

  it('an exact output cap passes and one byte less fails, whatever size the gzip trailer or zstd header declares', async () => {
    for (const codec of ['gzip', 'zstd'] as const) {
      const c = await compress(sample, codec);
      expect(await decompress(c, { maxOutput: sample.length })).toEqual(sample);
      expect((await rpmErrorAsync(decompress(c, { maxOutput: sample.length - 1 }))).code).toBe('LIMIT_EXCEEDED');
    }
    // A forged gzip size (ISIZE 0xffffffff) only sizes the first buffer (at most 64 times the input
    // or 1 MiB); the length check then fails.
    const forged = (await compress(sample, 'gzip')).slice();
    forged.fill(0xff, forged.length - 4);
    expect((await rpmErrorAsync(decompress(forged))).code).toBe('CORRUPT_COMPRESSED_DATA');
    // A gzip whose last member is tiny (the trailer then understates the total).
    const two = concat(await compress(sample, 'gzip'), await compress(enc.encode('x'), 'gzip'));
    expect(await decompress(two)).toEqual(concat(sample, enc.encode('x')));
  });

  it('propagates an aborted signal', async () => {
    const ac = new AbortController();
    ac.abort(new Error('stop'));
    await expect(decompress(await compress(sample, 'gzip'), { signal: ac.signal })).rejects.toThrow('stop');
  });

  it.skipIf(!hasTool('zstd'))(`skips zstd skippable frames between frames and refuses garbage after them${missingToolNote('zstd')}`, async () => {
    const skippable = new Uint8Array([0x5e, 0x2a, 0x4d, 0x18, 5, 0, 0, 0, 1, 2, 3, 4, 5]);
    const a = runTool('zstd', ['-c'], enc.encode('first '));
    const b = runTool('zstd', ['-c', '--no-check'], enc.encode('second'));
    expect(await decompress(concat(skippable, a, skippable, b, skippable))).toEqual(enc.encode('first second'));
    const e = await rpmErrorAsync(decompress(concat(a, enc.encode('garbage!'))));
    expect(e.code).toBe('CORRUPT_COMPRESSED_DATA');
  });

  it.skipIf(!hasTool('gzip'))(`tolerates zero padding after the last gzip member, like Node and libarchive${missingToolNote('gzip')}`, async () => {
    const gz = concat(runTool('gzip', ['-c'], enc.encode('abc')), new Uint8Array(100));
    expect(await decompress(gz)).toEqual(enc.encode('abc'));
  });
});

describe('decodePieces (gzip inflated into buffers the caller provides)', () => {
  const data = Uint8Array.from({ length: 700_000 }, (_, i) => (i * 7919) % 251 ^ (i >> 9));
  const gz = new Uint8Array(gzipSync(data));

  /** Everything `pieces` gives, read `room` bytes at a time into one reused buffer. */
  function drain(pieces: PieceDecoder, room: number): Uint8Array {
    const out: number[] = [];
    const buf = new Uint8Array(room + 3);
    for (;;) {
      const n = pieces.read(buf, 3, room);
      for (let i = 0; i < n; i++) out.push(buf[3 + i]!);
      if (n < room) break;
    }
    return Uint8Array.from(out);
  }

  it('gives the inflated bytes, whatever the piece size', () => {
    for (const room of [1, 511, 4096, 65_536, 1 << 20]) {
      const pieces = decodePieces(gz, 1 << 30)!;
      expect(Buffer.from(drain(pieces, room)).equals(Buffer.from(data)), `room ${room}`).toBe(true);
      expect(pieces.failed).toBe(false);
      expect(pieces.read(new Uint8Array(10), 0, 10)).toBe(0);
      pieces.close();
    }
  });

  it('reads every member of a multi-member file', () => {
    const two = new Uint8Array([...gzipSync(data.subarray(0, 1000)), ...gzipSync(data.subarray(1000))]);
    const pieces = decodePieces(two, 1 << 30)!;
    expect(Buffer.from(drain(pieces, 4096)).equals(Buffer.from(data))).toBe(true);
    expect(pieces.failed).toBe(false);
  });

  it('sets failed, never throws, for a damaged stream; throws LIMIT_EXCEEDED past maxOutput', () => {
    const damaged = [gz.subarray(0, gz.length >> 1), Uint8Array.from(gz, (b, i) => (i === gz.length - 6 ? b ^ 1 : b)), new Uint8Array([...gz, 1, 2, 3])];
    for (const bytes of damaged) {
      const pieces = decodePieces(bytes, 1 << 30)!;
      expect(() => drain(pieces, 8192)).not.toThrow();
      expect(pieces.failed).toBe(true);
      expect(pieces.read(new Uint8Array(10), 0, 10)).toBe(0);
      pieces.close();
    }
    const limited = decodePieces(gz, 100_000)!;
    expect(() => drain(limited, 8192)).toThrow(expect.objectContaining({ code: 'LIMIT_EXCEEDED', message: 'decompressed data is larger than maxOutput (100000 bytes)' }));
    limited.close();
  });
});

describe('decodePieces for zstd (one complete frame only)', () => {
  const data = Uint8Array.from({ length: 700_000 }, (_, i) => (i * 7919) % 251 ^ (i >> 9));
  const one = new Uint8Array(zstdCompressSync(data, { params: { [zlibConstants.ZSTD_c_checksumFlag]: 1 } }));

  it('gives the decoded bytes of one frame, whatever the piece size', () => {
    for (const room of [1, 4096, 1 << 20]) {
      const pieces = decodePieces(one, 1 << 30)!;
      const out: Uint8Array[] = [];
      for (;;) {
        const buf = new Uint8Array(room);
        const n = pieces.read(buf, 0, room);
        out.push(buf.subarray(0, n));
        if (n < room) break;
      }
      pieces.close();
      expect(Buffer.concat(out).equals(Buffer.from(data)), `room ${room}`).toBe(true);
      expect(pieces.failed).toBe(false);
    }
  });

  it('leaves several frames, a cut frame and other compressions to decompress; a bad checksum is failed', () => {
    const two = new Uint8Array([...zstdCompressSync(data.subarray(0, 1000)), ...zstdCompressSync(data.subarray(1000))]);
    expect(decodePieces(two, 1 << 30)).toBeUndefined();
    expect(decodePieces(one.subarray(0, one.length - 10), 1 << 30)).toBeUndefined();
    expect(decodePieces(data, 1 << 30)).toBeUndefined();
    const bad = one.slice();
    bad[bad.length - 2]! ^= 1;
    const pieces = decodePieces(bad, 1 << 30)!;
    const buf = new Uint8Array(1 << 20);
    while (pieces.read(buf, 0, buf.length) === buf.length);
    expect(pieces.failed).toBe(true);
    pieces.close();
    const limited = decodePieces(one, 100_000)!;
    expect(() => {
      while (limited.read(buf, 0, buf.length) === buf.length);
    }).toThrow(expect.objectContaining({ code: 'LIMIT_EXCEEDED' }));
    limited.close();
  });
});
