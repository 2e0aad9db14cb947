import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeHeader, encodedHeaderSize } from '../../src/rpm/encode.js';
import type { EncodeHeaderOptions } from '../../src/rpm/encode.js';
import { HEADER_MAGIC, RpmType, TYPE_ALIGN } from '../../src/rpm/types.js';
import type { HeaderEntryInput, HeaderValue, RpmType as RpmTypeT } from '../../src/rpm/types.js';
import { isRepokitError } from '../../src/shared/errors.js';

// ---------------------------------------------------------------------------------------------
// A deliberately tiny, independent parser (the real reader is written elsewhere).

interface ParsedEntry {
  tag: number;
  type: number;
  offset: number;
  count: number;
  /** Data length implied by type and count (strings: up to the count-th NUL). */
  length: number;
}

interface Parsed {
  il: number;
  dl: number;
  dataStart: number;
  entries: ParsedEntry[];
  bytes: Uint8Array;
}

function hex(s: string): Uint8Array {
  const clean = s.replace(/\s+/g, '');
  return Uint8Array.from(clean.match(/../g) ?? [], (h) => parseInt(h, 16));
}

function toHex(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
}

function parse(bytes: Uint8Array, magic = true): Parsed {
  let p = 0;
  if (magic) {
    expect(toHex(bytes.subarray(0, 8))).toBe(toHex(HEADER_MAGIC));
    p = 8;
  }
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const il = dv.getUint32(p);
  const dl = dv.getUint32(p + 4);
  const dataStart = p + 8 + 16 * il;
  expect(bytes.length).toBe(dataStart + dl);
  const entries: ParsedEntry[] = [];
  for (let i = 0; i < il; i++) {
    const q = p + 8 + 16 * i;
    const tag = dv.getUint32(q);
    const type = dv.getUint32(q + 4);
    const offset = dv.getInt32(q + 8);
    const count = dv.getUint32(q + 12);
    let length: number;
    if (type === RpmType.STRING || type === RpmType.STRING_ARRAY || type === RpmType.I18NSTRING) {
      let pos = dataStart + offset;
      for (let k = 0; k < count; k++) {
        while (bytes[pos] !== 0) {
          if (pos >= bytes.length) throw new Error('unterminated string');
          pos++;
        }
        pos++;
      }
      length = pos - (dataStart + offset);
    } else {
      length = count * ([0, 1, 1, 2, 4, 8, 0, 1][type] ?? NaN);
    }
    entries.push({ tag, type, offset, count, length });
  }
  return { il, dl, dataStart, entries, bytes };
}

/** Check the layout rules rpm's reader applies to a region-less header. */
function checkLayout(h: Parsed): void {
  let end = 0;
  for (const e of h.entries) {
    const align = TYPE_ALIGN[e.type] ?? 1;
    expect(e.offset % align).toBe(0); // E5 alignment
    expect(e.offset).toBeGreaterThanOrEqual(end); // E1 no overlap, increasing
    expect(e.offset).toBe(end + ((align - (end % align)) % align)); // I1 tight packing
    expect(e.count).toBeGreaterThan(0);
    expect(e.length).toBeGreaterThan(0);
    end = e.offset + e.length;
  }
  expect(end).toBe(h.dl); // no trailing padding
  // Padding bytes are zero.
  const covered = new Uint8Array(h.dl);
  for (const e of h.entries) covered.fill(1, e.offset, e.offset + e.length);
  for (let i = 0; i < h.dl; i++) if (covered[i] === 0) expect(h.bytes[h.dataStart + i]).toBe(0);
}

const dec = new TextDecoder();

/** Decode the value of one parsed entry, in the shape encodeHeader takes (unsigned numbers). */
function valueOf(h: Parsed, e: ParsedEntry): HeaderValue {
  const dv = new DataView(h.bytes.buffer, h.bytes.byteOffset, h.bytes.byteLength);
  const at = h.dataStart + e.offset;
  switch (e.type) {
    case RpmType.STRING:
      return dec.decode(h.bytes.subarray(at, at + e.length - 1));
    case RpmType.STRING_ARRAY:
    case RpmType.I18NSTRING:
      return dec.decode(h.bytes.subarray(at, at + e.length - 1)).split('\0');
    case RpmType.CHAR:
    case RpmType.INT8:
      return Array.from(h.bytes.subarray(at, at + e.count));
    case RpmType.INT16:
      return Array.from({ length: e.count }, (_, i) => dv.getUint16(at + 2 * i));
    case RpmType.INT32:
      return Array.from({ length: e.count }, (_, i) => dv.getUint32(at + 4 * i));
    case RpmType.INT64:
      return Array.from({ length: e.count }, (_, i) => dv.getBigUint64(at + 8 * i));
    case RpmType.BIN:
      return h.bytes.slice(at, at + e.count);
    default:
      throw new Error(`type ${e.type}`);
  }
}

/** What a value reads back as: numbers unsigned, INT64 as bigint, lone surrogates as U+FFFD. */
function normalize(type: number, v: HeaderValue): HeaderValue {
  const wellFormed = (s: string): string => Buffer.from(s, 'utf8').toString('utf8');
  switch (type) {
    case RpmType.STRING:
      return wellFormed(v as string);
    case RpmType.STRING_ARRAY:
    case RpmType.I18NSTRING:
      return (v as string[]).map(wellFormed);
    case RpmType.CHAR:
    case RpmType.INT8:
      return (v as number[]).map((x) => x & 0xff);
    case RpmType.INT16:
      return (v as number[]).map((x) => x & 0xffff);
    case RpmType.INT32:
      return (v as number[]).map((x) => x >>> 0);
    case RpmType.INT64:
      return (v as (bigint | number)[]).map((x) => BigInt.asUintN(64, BigInt(x)));
    default:
      return Uint8Array.from(v as Uint8Array);
  }
}

function expectEncodeError(
  entries: readonly HeaderEntryInput[],
  pattern: RegExp,
  options?: EncodeHeaderOptions,
  fns: readonly ((e: readonly HeaderEntryInput[], o?: EncodeHeaderOptions) => unknown)[] = [encodeHeader, encodedHeaderSize],
): void {
  for (const fn of fns) {
    let caught: unknown;
    try {
      fn(entries, options);
    } catch (e) {
      caught = e;
    }
    expect(caught, `${fn.name} should throw`).toBeDefined();
    expect(isRepokitError(caught)).toBe(true);
    if (isRepokitError(caught)) {
      expect(caught.code).toBe('RPM_ENCODE');
      expect(caught.message).toMatch(pattern);
    }
  }
}

// Casting helper for deliberately wrong inputs.
const bad = (e: { tag: unknown; type: unknown; value: unknown }): HeaderEntryInput => e as HeaderEntryInput;

// ---------------------------------------------------------------------------------------------

describe('encodeHeader: hand-computed bytes', () => {
  it('aligns an INT32 after an odd-length string (3-entry header with magic)', () => {
    const out = encodeHeader([
      { tag: 1000, type: RpmType.STRING, value: 'ab' },
      { tag: 1003, type: RpmType.INT32, value: [1] },
      { tag: 1004, type: RpmType.STRING, value: 'x' },
    ]);
    const expected = hex(`
      8eade801 00000000
      00000003 0000000a
      000003e8 00000006 00000000 00000001
      000003eb 00000004 00000004 00000001
      000003ec 00000006 00000008 00000001
      61620000 00000001 7800
    `);
    expect(toHex(out)).toBe(toHex(expected));
    expect(out.length).toBe(74);
    expect(encodedHeaderSize([
      { tag: 1000, type: RpmType.STRING, value: 'ab' },
      { tag: 1003, type: RpmType.INT32, value: [1] },
      { tag: 1004, type: RpmType.STRING, value: 'x' },
    ])).toBe(74);
  });

  it('pads before INT16 to 2 and INT64 to 8 (no magic)', () => {
    const entries: HeaderEntryInput[] = [
      { tag: 1103, type: RpmType.BIN, value: Uint8Array.of(0xaa, 0xbb) },
      { tag: 1100, type: RpmType.INT8, value: [7] },
      { tag: 1102, type: RpmType.INT64, value: [1n] },
      { tag: 1101, type: RpmType.INT16, value: [0x1234] },
    ];
    const expected = hex(`
      00000004 00000012
      0000044c 00000002 00000000 00000001
      0000044d 00000003 00000002 00000001
      0000044e 00000005 00000008 00000001
      0000044f 00000007 00000010 00000002
      07001234 00000000 00000000 00000001 aabb
    `);
    expect(toHex(encodeHeader(entries, { magic: false }))).toBe(toHex(expected));
    expect(encodedHeaderSize(entries, { magic: false })).toBe(expected.length);
  });

  it('writes STRING_ARRAY/I18NSTRING as back-to-back NUL-terminated strings with count = elements', () => {
    const out = encodeHeader(
      [
        { tag: 100, type: RpmType.STRING_ARRAY, value: ['C', 'de'] },
        { tag: 1004, type: RpmType.I18NSTRING, value: ['', 'Zä'] },
      ],
      { magic: false },
    );
    const expected = hex(`
      00000002 0000000a
      00000064 00000008 00000000 00000002
      000003ec 00000009 00000005 00000002
      43006465 00 00 5ac3a400
    `);
    expect(toHex(out)).toBe(toHex(expected));
  });
});

describe('encodeHeader: every type', () => {
  const entries: HeaderEntryInput[] = [
    { tag: 1100, type: RpmType.CHAR, value: [0, 65, 255, -1, -128] },
    { tag: 1101, type: RpmType.INT8, value: [1, 2, 3, -128] },
    { tag: 1102, type: RpmType.INT16, value: [0, 0o100644, 0xffff, -1, -32768] },
    { tag: 1103, type: RpmType.INT32, value: [0, 1, 0x7fffffff, 0xffffffff, -1, -0x80000000] },
    { tag: 1104, type: RpmType.INT64, value: [0n, 1n, 2n ** 64n - 1n, -(2n ** 63n), -1n] },
    { tag: 1105, type: RpmType.INT64, value: [0, 2 ** 53 - 1, -(2 ** 53 - 1), 4294967296, -1] as unknown as bigint[] },
    { tag: 1106, type: RpmType.STRING, value: 'héllo wörld 日本 😀' },
    { tag: 1107, type: RpmType.BIN, value: Uint8Array.of(0, 1, 2, 255) },
    { tag: 1108, type: RpmType.STRING_ARRAY, value: ['a', '', 'ccc', 'ñ'] },
    { tag: 1109, type: RpmType.I18NSTRING, value: ['Summary', 'Zusammenfassung'] },
    { tag: 1110, type: RpmType.STRING, value: '' },
    { tag: 1111, type: RpmType.STRING, value: 'x'.repeat(300) + 'é' },
  ];

  it('round-trips every type through an independent parser', () => {
    const out = encodeHeader(entries);
    const h = parse(out);
    checkLayout(h);
    expect(h.il).toBe(entries.length);
    for (const [i, e] of entries.entries()) {
      const p = h.entries[i]!;
      expect(p.tag).toBe(e.tag);
      expect(p.type).toBe(e.type);
      expect(valueOf(h, p)).toEqual(normalize(e.type, e.value));
    }
  });

  it('stores negative numbers two’s-complement', () => {
    const h = parse(encodeHeader(entries));
    expect(valueOf(h, h.entries[0]!)).toEqual([0, 65, 255, 255, 128]);
    expect(valueOf(h, h.entries[2]!)).toEqual([0, 0o100644, 0xffff, 0xffff, 0x8000]);
    expect(valueOf(h, h.entries[3]!)).toEqual([0, 1, 0x7fffffff, 0xffffffff, 0xffffffff, 0x80000000]);
    expect(valueOf(h, h.entries[4]!)).toEqual([0n, 1n, 2n ** 64n - 1n, 2n ** 63n, 2n ** 64n - 1n]);
    expect(valueOf(h, h.entries[5]!)).toEqual([0n, 2n ** 53n - 1n, 2n ** 64n - (2n ** 53n - 1n), 4294967296n, 2n ** 64n - 1n]);
  });

  it('counts: STRING = 1, arrays = elements, BIN = bytes', () => {
    const h = parse(encodeHeader(entries));
    expect(h.entries.map((e) => e.count)).toEqual([5, 4, 5, 6, 5, 5, 1, 4, 4, 2, 1, 1]);
  });

  it('encodes strings as UTF-8 (surrogate pairs as 4 bytes, lone surrogates as U+FFFD)', () => {
    const out = encodeHeader([{ tag: 1000, type: RpmType.STRING_ARRAY, value: ['é', '😀', '\ud800', 'a\udc00b', 'x'.repeat(60) + '\ud83d'] }], {
      magic: false,
    });
    const h = parse(out, false);
    const at = h.dataStart;
    expect(toHex(out.subarray(at, at + 3 + 5 + 4 + 6))).toBe('c3a900' + 'f09f988000' + 'efbfbd00' + '61efbfbd6200');
    expect(toHex(out.subarray(out.length - 4))).toBe('efbfbd00');
    expect(h.dl).toBe(3 + 5 + 4 + 6 + 64);
  });

  it('accepts Buffer (a Uint8Array subclass) and views with a byteOffset for BIN', () => {
    const backing = Uint8Array.of(9, 9, 1, 2, 3, 9);
    const out = encodeHeader(
      [
        { tag: 1146, type: RpmType.BIN, value: Buffer.from([4, 5]) },
        { tag: 261, type: RpmType.BIN, value: backing.subarray(2, 5) },
      ],
      { magic: false },
    );
    expect(toHex(out.subarray(out.length - 5))).toBe('0102030405');
  });

  it('writes tags up to 0x7FFFFFFF', () => {
    const h = parse(encodeHeader([{ tag: 0x7fffffff, type: RpmType.INT8, value: [1] }]));
    expect(h.entries[0]!.tag).toBe(0x7fffffff);
  });
});

describe('encodeHeader: ordering', () => {
  const unsorted: HeaderEntryInput[] = [
    { tag: 1005, type: RpmType.STRING, value: 'desc' },
    { tag: 100, type: RpmType.STRING_ARRAY, value: ['C'] },
    { tag: 1000, type: RpmType.STRING, value: 'name' },
    { tag: 1003, type: RpmType.INT32, value: [2] },
  ];

  it('sorts by tag by default and lays data out in index order', () => {
    const out = encodeHeader(unsorted);
    const h = parse(out);
    checkLayout(h);
    expect(h.entries.map((e) => e.tag)).toEqual([100, 1000, 1003, 1005]);
    const sorted = [...unsorted].sort((a, b) => a.tag - b.tag);
    expect(toHex(out)).toBe(toHex(encodeHeader(sorted)));
  });

  it('does not modify the input array', () => {
    const copy = [...unsorted];
    encodeHeader(unsorted);
    expect(unsorted).toEqual(copy);
  });

  it('keepOrder keeps the given order (still packed and aligned)', () => {
    const h = parse(encodeHeader(unsorted, { keepOrder: true }));
    checkLayout(h);
    expect(h.entries.map((e) => e.tag)).toEqual([1005, 100, 1000, 1003]);
    expect(h.entries.map((e) => e.offset)).toEqual([0, 5, 7, 12]);
    expect(encodedHeaderSize(unsorted, { keepOrder: true })).toBe(h.bytes.length);
  });

  it('keepOrder with already sorted input is the same as the default', () => {
    const sorted = [...unsorted].sort((a, b) => a.tag - b.tag);
    expect(toHex(encodeHeader(sorted, { keepOrder: true }))).toBe(toHex(encodeHeader(unsorted)));
  });

  it('magic: false drops exactly the 8 magic bytes', () => {
    const a = encodeHeader(unsorted);
    const b = encodeHeader(unsorted, { magic: false });
    expect(toHex(b)).toBe(toHex(a.subarray(8)));
    expect(encodedHeaderSize(unsorted, { magic: false })).toBe(b.length);
  });
});

describe('encodeHeader: errors (RepokitError RPM_ENCODE naming the tag)', () => {
  const ok: HeaderEntryInput = { tag: 1000, type: RpmType.STRING, value: 'name' };

  it('rejects JS values that do not match the type', () => {
    expectEncodeError([bad({ tag: 1001, type: RpmType.STRING, value: 5 })], /tag 1001 \(STRING\).*must be a string/);
    expectEncodeError([bad({ tag: 1001, type: RpmType.STRING, value: ['a'] })], /tag 1001.*must be a string/);
    expectEncodeError([bad({ tag: 1002, type: RpmType.STRING_ARRAY, value: 'a' })], /tag 1002 \(STRING_ARRAY\).*array of strings/);
    expectEncodeError([bad({ tag: 1002, type: RpmType.STRING_ARRAY, value: ['a', 1] })], /tag 1002.*element 1 is not a string/);
    expectEncodeError([bad({ tag: 1004, type: RpmType.I18NSTRING, value: 'Summary' })], /tag 1004 \(I18NSTRING\)/);
    expectEncodeError([bad({ tag: 1006, type: RpmType.INT32, value: 5 })], /tag 1006 \(INT32\).*array of numbers/);
    expectEncodeError([bad({ tag: 1006, type: RpmType.INT32, value: ['5'] })], /tag 1006.*element 0/);
    expectEncodeError([bad({ tag: 1006, type: RpmType.INT32, value: [5n] })], /tag 1006.*element 0/);
    expectEncodeError([bad({ tag: 1006, type: RpmType.INT32, value: [1.5] })], /tag 1006.*element 0 \(1\.5\)/);
    expectEncodeError([bad({ tag: 1006, type: RpmType.INT32, value: [NaN] })], /tag 1006/);
    expectEncodeError([bad({ tag: 1006, type: RpmType.INT32, value: [1, , 2] })], /tag 1006.*element 1/); // hole
    expectEncodeError([bad({ tag: 1007, type: RpmType.INT64, value: ['1'] })], /tag 1007 \(INT64\).*element 0/);
    expectEncodeError([bad({ tag: 1007, type: RpmType.INT64, value: [2 ** 53] })], /tag 1007.*safe integer/);
    expectEncodeError([bad({ tag: 1007, type: RpmType.INT64, value: [0.5] })], /tag 1007/);
    expectEncodeError([bad({ tag: 1008, type: RpmType.BIN, value: [1, 2] })], /tag 1008 \(BIN\).*Uint8Array/);
    expectEncodeError([bad({ tag: 1008, type: RpmType.BIN, value: 'ab' })], /tag 1008.*Uint8Array/);
    expectEncodeError([bad({ tag: 1008, type: RpmType.BIN, value: new Uint16Array(2) })], /tag 1008.*Uint8Array/);
  });

  it('rejects empty values (rpm rejects count 0)', () => {
    expectEncodeError([{ tag: 1002, type: RpmType.STRING_ARRAY, value: [] }], /tag 1002.*empty/);
    expectEncodeError([{ tag: 1004, type: RpmType.I18NSTRING, value: [] }], /tag 1004.*empty/);
    expectEncodeError([{ tag: 1006, type: RpmType.INT32, value: [] }], /tag 1006.*empty/);
    expectEncodeError([{ tag: 1006, type: RpmType.CHAR, value: [] }], /tag 1006.*empty/);
    expectEncodeError([{ tag: 1007, type: RpmType.INT64, value: [] }], /tag 1007.*empty/);
    expectEncodeError([{ tag: 1008, type: RpmType.BIN, value: new Uint8Array(0) }], /tag 1008.*empty/);
  });

  it('rejects integers outside the type’s range', () => {
    const cases: [RpmTypeT, number, number][] = [
      [RpmType.CHAR, -128, 255],
      [RpmType.INT8, -128, 255],
      [RpmType.INT16, -32768, 65535],
      [RpmType.INT32, -(2 ** 31), 2 ** 32 - 1],
    ];
    for (const [type, lo, hi] of cases) {
      expect(() => encodeHeader([{ tag: 1100, type, value: [lo, hi] }])).not.toThrow();
      expectEncodeError([{ tag: 1100, type, value: [lo - 1] }], /tag 1100.*not an integer in/);
      expectEncodeError([{ tag: 1100, type, value: [0, hi + 1] }], /tag 1100.*element 1/);
    }
    expectEncodeError([{ tag: 1100, type: RpmType.INT64, value: [2n ** 64n] }], /tag 1100.*outside/);
    expectEncodeError([{ tag: 1100, type: RpmType.INT64, value: [-(2n ** 63n) - 1n] }], /tag 1100.*outside/);
  });

  it('rejects NUL characters in strings', () => {
    expectEncodeError([{ tag: 1000, type: RpmType.STRING, value: 'a\0b' }], /tag 1000 \(STRING\): string contains a NUL character/);
    expectEncodeError([{ tag: 1049, type: RpmType.STRING_ARRAY, value: ['ok', '\0'] }], /tag 1049.*element 1 contains a NUL character/);
    expectEncodeError([{ tag: 1004, type: RpmType.I18NSTRING, value: ['x\u0000'] }], /tag 1004.*NUL/);
    // the non-ASCII and long-string paths
    expectEncodeError([{ tag: 1005, type: RpmType.STRING, value: 'é\0' }], /tag 1005.*NUL/);
    expectEncodeError([{ tag: 1005, type: RpmType.STRING, value: 'x'.repeat(100) + '\0' + 'y' }], /tag 1005.*NUL/);
    expectEncodeError([{ tag: 1005, type: RpmType.STRING_ARRAY, value: ['a', 'ü'.repeat(40) + '\0'] }], /tag 1005.*element 1.*NUL/);
  });

  it('a failed call leaves nothing behind for the next one', () => {
    const entries: HeaderEntryInput[] = [
      { tag: 1000, type: RpmType.STRING, value: 'name' },
      { tag: 1001, type: RpmType.STRING_ARRAY, value: ['a', 'bb', 'é'.repeat(50)] },
    ];
    const before = toHex(encodeHeader(entries));
    expectEncodeError([{ tag: 1000, type: RpmType.STRING_ARRAY, value: ['x'.repeat(5000), 'y', 5] as string[] }], /element 2/);
    expect(toHex(encodeHeader(entries))).toBe(before);
  });

  it('rejects duplicate tags (sorted and keepOrder paths)', () => {
    const dup: HeaderEntryInput[] = [ok, { tag: 1001, type: RpmType.STRING, value: 'v' }, { tag: 1000, type: RpmType.STRING, value: 'other' }];
    expectEncodeError(dup, /tag 1000.*duplicate tag/);
    expectEncodeError(dup, /tag 1000.*duplicate tag/, { keepOrder: true });
    expectEncodeError([ok, ok], /tag 1000.*duplicate/);
  });

  it('rejects region tags and anything below 100, and tags that are not int32 integers', () => {
    for (const tag of [63, 62, 61, 99, 0, -1]) {
      expectEncodeError([ok, { tag, type: RpmType.BIN, value: new Uint8Array(16) }], new RegExp(`tag ${tag} .*below 100`));
    }
    expectEncodeError([bad({ tag: 1000.5, type: RpmType.STRING, value: 'x' })], /tag 1000\.5.*integer/);
    expectEncodeError([bad({ tag: '1000', type: RpmType.STRING, value: 'x' })], /tag 1000.*integer/);
    expectEncodeError([{ tag: 2 ** 31, type: RpmType.STRING, value: 'x' }], /tag 2147483648.*signed 32-bit/);
    expectEncodeError([{ tag: 2 ** 32 + 1000, type: RpmType.STRING, value: 'x' }], /signed 32-bit/);
  });

  it('rejects type NULL and unknown types', () => {
    expectEncodeError([bad({ tag: 1000, type: RpmType.NULL, value: [] })], /tag 1000 \(NULL\).*NULL cannot be encoded/);
    expectEncodeError([bad({ tag: 1000, type: 10, value: ['x'] })], /tag 1000 \(type 10\).*unknown type/);
    expectEncodeError([bad({ tag: 1000, type: -1, value: 'x' })], /tag 1000.*unknown type/);
    expectEncodeError([bad({ tag: 1000, type: 'STRING', value: 'x' })], /tag 1000 \(type STRING\).*unknown type/);
    expectEncodeError([bad({ tag: 1000, type: 6.5, value: 'x' })], /unknown type/);
  });

  it('rejects non-BIN counts over 0xFFFFF (BIN is exempt)', () => {
    const max = 0xfffff;
    expect(encodedHeaderSize([{ tag: 1100, type: RpmType.INT8, value: new Array<number>(max).fill(0) }])).toBe(16 + 16 + max);
    expectEncodeError([{ tag: 1100, type: RpmType.INT8, value: new Array<number>(max + 1).fill(0) }], /tag 1100.*1048576 elements exceed.*1048575/);
    expectEncodeError([{ tag: 1100, type: RpmType.INT32, value: new Array<number>(max + 1).fill(0) }], /tag 1100.*exceed/);
    expectEncodeError([{ tag: 1100, type: RpmType.INT64, value: new Array<bigint>(max + 1).fill(0n) }], /tag 1100.*exceed/);
    expectEncodeError([{ tag: 1100, type: RpmType.STRING_ARRAY, value: new Array<string>(max + 1).fill('') }], /tag 1100.*exceed/);
    expect(encodedHeaderSize([{ tag: 1100, type: RpmType.STRING_ARRAY, value: new Array<string>(max).fill('') }])).toBe(16 + 16 + max);
    expect(encodedHeaderSize([{ tag: 1100, type: RpmType.BIN, value: new Uint8Array(max + 1) }])).toBe(16 + 16 + max + 1);
  });

  it('rejects headers over rpm’s size limit (8 + 16·il + dl < 256 MiB)', () => {
    const limit = 256 * 1024 * 1024;
    // One BIN entry: 8 + 16 + dl must stay below 2^28.
    const maxDl = limit - 1 - 24;
    const big = new Uint8Array(maxDl + 1); // zero pages, not touched
    expect(encodedHeaderSize([{ tag: 1100, type: RpmType.BIN, value: big.subarray(0, maxDl) }], { magic: false })).toBe(limit - 1);
    expectEncodeError([{ tag: 1100, type: RpmType.BIN, value: big }], /tag 1100.*limit/);
    // The limit counts the index too and is checked on the running total.
    expectEncodeError(
      [
        { tag: 1099, type: RpmType.INT8, value: [1] },
        { tag: 1100, type: RpmType.BIN, value: big.subarray(0, maxDl - 16) },
      ],
      /tag 1100.*limit/,
    );
    // Strings: the running total is checked inside a STRING_ARRAY too (many references to one
    // long string: large data without large input memory; one function only, it is slow-ish).
    const mib = 'a'.repeat(1024 * 1024 - 1);
    expectEncodeError([{ tag: 1100, type: RpmType.STRING_ARRAY, value: new Array<string>(256).fill(mib) }], /tag 1100.*limit/, {}, [
      encodedHeaderSize,
    ]);
    // One huge string: refused without reserving 3 bytes per character.
    expectEncodeError([{ tag: 1101, type: RpmType.STRING, value: 'a'.repeat(limit) }], /tag 1101.*limit/);
    expectEncodeError([{ tag: 1101, type: RpmType.STRING, value: 'é'.repeat(limit / 2) }], /tag 1101.*limit/, {}, [encodedHeaderSize]);
    expectEncodeError(
      [
        { tag: 1099, type: RpmType.BIN, value: big.subarray(0, maxDl - 3 * 1024 * 1024) },
        { tag: 1100, type: RpmType.STRING_ARRAY, value: [mib, mib, mib, 'x'] },
      ],
      /tag 1100.*limit/,
    );
  });

  it('rejects more than 0xFFFF entries and an empty entry list', () => {
    const many = Array.from({ length: 0x10000 }, (_, i): HeaderEntryInput => ({ tag: 1000 + i, type: RpmType.INT8, value: [1] }));
    expectEncodeError(many, /65536 entries exceed.*65535/);
    expect(encodedHeaderSize(many.slice(1))).toBe(16 + 16 * 0xffff + 0xffff);
    expectEncodeError([], /at least one entry/);
  });

  it('rejects entries that are not objects and entries that is not an array', () => {
    expectEncodeError([ok, null as unknown as HeaderEntryInput], /entry is not an object/);
    expectEncodeError('nope' as unknown as HeaderEntryInput[], /must be an array/);
  });

  it('validates every entry before writing anything', () => {
    // A bad entry at the end still fails, and the error names it.
    expectEncodeError([ok, { tag: 1001, type: RpmType.STRING, value: 'v' }, { tag: 1002, type: RpmType.INT16, value: [70000] }], /tag 1002 \(INT16\)/);
  });
});

// ---------------------------------------------------------------------------------------------
// Property test

const text = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.string({ unit: 'binary', maxLength: 8 }).map((s) => s.replaceAll('\0', '')),
  fc.string({ maxLength: 80 }),
);
const intIn = (lo: number, hi: number): fc.Arbitrary<number> => fc.integer({ min: lo, max: hi });
const nonEmpty = <T>(a: fc.Arbitrary<T>, max = 6): fc.Arbitrary<T[]> => fc.array(a, { minLength: 1, maxLength: max });

const valueFor: Record<number, fc.Arbitrary<HeaderValue>> = {
  [RpmType.CHAR]: nonEmpty(intIn(-128, 255)),
  [RpmType.INT8]: nonEmpty(intIn(-128, 255)),
  [RpmType.INT16]: nonEmpty(intIn(-32768, 65535)),
  [RpmType.INT32]: nonEmpty(intIn(-(2 ** 31), 2 ** 32 - 1)),
  [RpmType.INT64]: fc.oneof(
    nonEmpty(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 64n - 1n })),
    nonEmpty(fc.maxSafeInteger()) as unknown as fc.Arbitrary<bigint[]>,
  ),
  [RpmType.STRING]: text,
  [RpmType.BIN]: fc.uint8Array({ minLength: 1, maxLength: 20 }),
  [RpmType.STRING_ARRAY]: nonEmpty(text),
  [RpmType.I18NSTRING]: nonEmpty(text, 3),
};

const entryFor = (tag: number): fc.Arbitrary<HeaderEntryInput> =>
  fc
    .constantFrom<RpmTypeT>(1, 2, 3, 4, 5, 6, 7, 8, 9)
    .chain((type) => valueFor[type]!.map((value): HeaderEntryInput => ({ tag, type, value })));

const entryList = fc
  .uniqueArray(fc.oneof(fc.integer({ min: 100, max: 1200 }), fc.integer({ min: 100, max: 0x7fffffff })), { minLength: 1, maxLength: 25 })
  .chain((tags) => fc.tuple(...tags.map(entryFor)));

describe('encodeHeader: properties', () => {
  it('size matches encodedHeaderSize; offsets aligned, increasing, non-overlapping, tightly packed; values round-trip', () => {
    fc.assert(
      fc.property(entryList, fc.boolean(), fc.boolean(), (entries, magic, keepOrder) => {
        const options = { magic, keepOrder };
        const out = encodeHeader(entries, options);
        expect(out.length).toBe(encodedHeaderSize(entries, options));
        const h = parse(out, magic);
        checkLayout(h);
        const expectedOrder = keepOrder ? entries : [...entries].sort((a, b) => a.tag - b.tag);
        expect(h.entries.map((e) => e.tag)).toEqual(expectedOrder.map((e) => e.tag));
        for (const [i, e] of expectedOrder.entries()) {
          const p = h.entries[i]!;
          expect(p.type).toBe(e.type);
          expect(valueOf(h, p)).toEqual(normalize(e.type, e.value));
        }
        if (!keepOrder) {
          for (let i = 1; i < h.entries.length; i++) expect(h.entries[i]!.tag).toBeGreaterThan(h.entries[i - 1]!.tag);
        }
      }),
      { numRuns: 500, seed: 20240601 },
    );
  });
});
