/**
 * The TypeScript bzip2 codec: round trips over inputs that hit RLE1 run limits and block
 * boundaries, interop with the real bzip2 both ways (multi-block, multi-stream), chunked input,
 * and damage detection (block and stream CRCs, truncation).
 */
import { describe, expect, it } from 'vitest';
import { Bzip2Decoder, bzip2Compress } from '../../src/shared/bzip2.js';
import { rpmError } from '../helpers/errors.js';
import { hasTool, runTool } from './tools.js';

function decode(data: Uint8Array, chunk = data.length || 1, maxOutput?: number): Uint8Array {
  const dec = new Bzip2Decoder(maxOutput === undefined ? {} : { maxOutput });
  const parts: Uint8Array[] = [];
  for (let i = 0; i < data.length; i += chunk) for (const c of dec.push(data.subarray(i, i + chunk))) parts.push(c);
  for (const c of dec.end()) parts.push(c);
  return join(...parts);
}

function join(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function noise(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

const runs = (...spec: [number, number][]): Uint8Array => join(...spec.map(([byte, len]) => new Uint8Array(len).fill(byte)));

const INPUTS: Record<string, Uint8Array> = {
  empty: new Uint8Array(0),
  'one byte': new Uint8Array([42]),
  'runs of 3, 4, 5, 255, 256, 259 and 1000': runs([1, 3], [2, 4], [3, 5], [4, 255], [5, 256], [6, 259], [7, 1000]),
  'every byte value': Uint8Array.from({ length: 256 * 3 }, (_, i) => i & 0xff),
  periodic: new TextEncoder().encode('ab'.repeat(150_000)),
  'noise across blocks at level 1': noise(250_000, 7),
  'mixed, 2.5 blocks at level 1': join(noise(60_000, 3), runs([0, 100_000]), new TextEncoder().encode('%FILES%\nusr/bin/x\n'.repeat(5000)), noise(20_000, 9)),
};

describe('bzip2Compress + Bzip2Decoder', () => {
  for (const [name, input] of Object.entries(INPUTS)) {
    it(`round-trips: ${name}`, () => {
      for (const level of [1, 9]) {
        const c = bzip2Compress([input], level);
        expect(decode(c), `level ${level}`).toEqual(input);
      }
    });
  }

  it('decodes input pushed one byte at a time', () => {
    const input = INPUTS['runs of 3, 4, 5, 255, 256, 259 and 1000']!;
    expect(decode(bzip2Compress([input], 9), 1)).toEqual(input);
  });

  it('refuses a bad level', () => {
    expect(rpmError(() => bzip2Compress([], 0)).code).toBe('INVALID_ARGUMENT');
  });
});

describe.skipIf(!hasTool('bzip2'))(`interop with the real bzip2${hasTool('bzip2') ? '' : ' (skipped: bzip2 not installed)'}`, () => {
  for (const [name, input] of Object.entries(INPUTS)) {
    it(`bzip2 -d accepts ours, and we decode bzip2's: ${name}`, () => {
      for (const level of [1, 9]) {
        expect(runTool('bzip2', ['-d', '-c'], bzip2Compress([input], level)), `ours at ${level}`).toEqual(input);
        expect(decode(runTool('bzip2', ['-c', `-${level}`], input), 4096), `theirs at ${level}`).toEqual(input);
      }
    });
  }

  it('decodes concatenated streams (pbzip2/lbzip2 style) and ignores trailing garbage', () => {
    const a = runTool('bzip2', ['-c'], new TextEncoder().encode('first\n'));
    const b = bzip2Compress([new TextEncoder().encode('second\n')], 5);
    const e = runTool('bzip2', ['-c'], new Uint8Array(0));
    expect(new TextDecoder().decode(decode(join(a, e, b, a), 3))).toBe('first\nsecond\nfirst\n');
    expect(new TextDecoder().decode(decode(join(a, new TextEncoder().encode('garbage'))))).toBe('first\n');
  });

  it('detects damage: bad header, block CRC, stream CRC, truncation', () => {
    const good = runTool('bzip2', ['-c'], INPUTS['mixed, 2.5 blocks at level 1']!);
    const badHeader = good.slice();
    badHeader[3] = 0x30;
    expect(rpmError(() => decode(badHeader)).code).toBe('CORRUPT_COMPRESSED_DATA');
    // Block CRC: the 4 bytes after the 6-byte block magic that follows the 4-byte header.
    const badBlockCrc = good.slice();
    badBlockCrc[10]! ^= 0x01;
    expect(rpmError(() => decode(badBlockCrc)).detail).toMatch(/block CRC mismatch/);
    // The stream CRC ends 0-7 bits before the end: flip a bit in the last full byte but one.
    const badStreamCrc = good.slice();
    badStreamCrc[badStreamCrc.length - 2]! ^= 0x10;
    expect(rpmError(() => decode(badStreamCrc)).code).toBe('CORRUPT_COMPRESSED_DATA');
    for (const cut of [2, 4, 20, Math.floor(good.length / 2), good.length - 1]) {
      expect(rpmError(() => decode(good.subarray(0, cut), 1000)).code, `cut at ${cut}`).toBe('TRUNCATED');
    }
  });

  it('maxOutput stops the decoder with LIMIT_EXCEEDED', () => {
    const c = bzip2Compress([new Uint8Array(5_000_000)], 9);
    expect(rpmError(() => decode(c, c.length, 1_000_000)).code).toBe('LIMIT_EXCEEDED');
  });
});
