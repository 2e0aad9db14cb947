/** The shared byte plumbing: bounded reads, limits, hex and UTF-8 helpers. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ByteReader, bytesEqual, concatBytes, decodeUtf8, encodeUtf8, fromHex, isValidUtf8, toHex } from '../../src/shared/bytes.js';
import { isRepokitError } from '../../src/shared/errors.js';
import { errorOf } from '../helpers/errors.js';

const fails = errorOf;

describe('ByteReader', () => {
  const b = Uint8Array.of(0x01, 0x02, 0xff, 0xfe, 0x80, 0, 0, 1, 0x61, 0x62, 0, 0x63);

  it('reads big-endian integers and advances', () => {
    const r = new ByteReader(b, 100);
    expect(r.u8()).toBe(1);
    expect(r.u8()).toBe(2);
    expect(r.u16()).toBe(0xfffe);
    expect(r.i32()).toBe(-0x7fffffff);
    expect(r.offset).toBe(108);
    expect(r.paddedString(4)).toBe('ab');
    expect(r.remaining).toBe(0);
  });

  it('reports truncation with the absolute offset, never a RangeError', () => {
    const r = new ByteReader(b.subarray(0, 3), 1000);
    r.u16();
    expect(fails(() => r.u32('count'))).toEqual({ code: 'TRUNCATED', offset: 1002 });
    expect(fails(() => r.take(2))).toEqual({ code: 'TRUNCATED', offset: 1002 });
    expect(fails(() => r.take(-1))).toEqual({ code: 'TRUNCATED', offset: 1002 });
    expect(fails(() => r.skip(Number.NaN))).toEqual({ code: 'TRUNCATED', offset: 1002 });
  });

  it('enforces the caller limit on a single take before looking at the input', () => {
    const r = new ByteReader(new Uint8Array(64), 0, { maxTake: 16 });
    expect(r.take(16).length).toBe(16);
    expect(fails(() => r.take(17))).toEqual({ code: 'LIMIT_EXCEEDED', offset: 16 });
    expect(fails(() => r.skip(0xffffffff))).toEqual({ code: 'LIMIT_EXCEEDED', offset: 16 });
    expect(fails(() => new ByteReader(b, 0, { maxTake: -1 }))).toMatchObject({ code: 'INVALID_ARGUMENT' });
  });

  it('take returns a view, not a copy', () => {
    const buf = Uint8Array.of(1, 2, 3, 4);
    const v = new ByteReader(buf).take(2);
    buf[0] = 9;
    expect(v[0]).toBe(9);
  });

  it('any sequence of reads on any input throws only typed errors', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), fc.array(fc.integer({ min: 0, max: 6 }), { maxLength: 20 }), fc.integer({ min: -5, max: 50 }), (bytes, ops, n) => {
        const r = new ByteReader(bytes, 0, { maxTake: 32 });
        try {
          for (const op of ops) {
            if (op === 0) r.u8();
            else if (op === 1) r.u16();
            else if (op === 2) r.u32();
            else if (op === 3) r.i32();
            else if (op === 4) r.take(n);
            else if (op === 5) r.skip(n);
            else r.paddedString(Math.max(0, n));
          }
        } catch (e) {
          expect(isRepokitError(e)).toBe(true);
        }
      }),
      { numRuns: 2000 },
    );
  });
});

describe('helpers', () => {
  it('hex round-trips and rejects non-hex', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (b) => {
        expect(bytesEqual(fromHex(toHex(b)), b)).toBe(true);
      }),
    );
    expect(toHex(Uint8Array.of(0, 15, 255))).toBe('000fff');
    expect(fails(() => fromHex('abc')).code).toBe('INVALID_ARGUMENT');
    expect(fails(() => fromHex('zz')).code).toBe('INVALID_ARGUMENT');
  });

  it('UTF-8 decoding matches TextDecoder on both the ASCII fast path and the general path', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (b) => {
        expect(decodeUtf8(b, 0, b.length)).toBe(new TextDecoder().decode(b));
      }),
    );
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (s) => {
        expect(decodeUtf8(encodeUtf8(s), 0, encodeUtf8(s).length)).toBe(s);
      }),
    );
    expect(isValidUtf8(Uint8Array.of(0xc3, 0xa9))).toBe(true);
    expect(isValidUtf8(Uint8Array.of(0xc3))).toBe(false);
  });

  it('concatBytes and bytesEqual', () => {
    expect(concatBytes([Uint8Array.of(1), Uint8Array.of(), Uint8Array.of(2, 3)])).toEqual(Uint8Array.of(1, 2, 3));
    const one = Uint8Array.of(4, 5);
    expect(concatBytes([one])).toBe(one); // no copy for a single part (documented: callers must not write into it)
    expect(concatBytes([])).toEqual(new Uint8Array(0));
    expect(bytesEqual(Uint8Array.of(1, 2), Uint8Array.of(1, 2))).toBe(true);
    expect(bytesEqual(Uint8Array.of(1, 2), Uint8Array.of(1))).toBe(false);
  });
});
