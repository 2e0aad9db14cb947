/**
 * Unit tests for parseHeader: one hand-built header per validation rule of rpm.md §2 (H, G, E, I,
 * S and the strict profile of §2.8), each breaking exactly one rule. Every failure asserts the
 * error code and the absolute byte offset, and snapshots the message (the archlinux/alpm style of
 * snapshot-tested diagnostics), so a change in wording shows up in review.
 *
 * Headers come from ./hdr-builder.ts, which keeps index order as given and exposes every position;
 * a test builds a valid header, proves it parses, then patches one field.
 */
import { describe, expect, it } from 'vitest';
import {
  HEADER_MAX_BYTES,
  MAIN_HEADER_LIMITS,
  MAX_ARRAY_COUNT,
  SIGNATURE_HEADER_LIMITS,
  checkHeaderIntro,
  parseHeader,
  type Header,
  type ParseHeaderOptions,
} from '../../src/rpm/header.js';
import { RpmType as T } from '../../src/rpm/types.js';
import { expectError } from '../helpers/errors.js';
import { buildHeader, concat, headerIntro, patchEntry, setI32, setU32, type TestEntry } from './hdr-builder.js';



const parse = (b: Uint8Array, o: ParseHeaderOptions = {}): Header => parseHeader(b, o);
const main = (b: Uint8Array, o: ParseHeaderOptions = {}): Header => parseHeader(b, { kind: 'main', ...o });
const sig = (b: Uint8Array, o: ParseHeaderOptions = {}): Header => parseHeader(b, { kind: 'signature', ...o });

// Unknown tag numbers: rpm does not type-check them (E8), so they isolate the other rules.
const U1 = 30001;
const U2 = 30002;

const NAME: TestEntry = { tag: 1000, type: T.STRING, value: 'hello' };
const VERSION: TestEntry = { tag: 1001, type: T.STRING, value: '2.0' };

/** A valid main header with a region and two strings. */
function mainHeader() {
  return buildHeader([NAME, VERSION], { region: 63 });
}

describe('builder sanity', () => {
  it('valid main, signature, blob and region-less headers parse', () => {
    const m = mainHeader();
    const h = main(m.bytes);
    expect(h.il).toBe(3);
    expect(h.region).toMatchObject({ tag: 63, ril: 3, rdl: m.dl, trailerOffset: m.trailerOffset });
    expect(h.region?.trailer).toEqual({ tag: 63, type: T.BIN, offset: -48, count: 16 });
    expect(h.getString(1000)).toBe('hello');
    expect(h.tags()).toEqual([63, 1000, 1001]);

    const s = buildHeader([{ tag: 1000, type: T.INT32, value: [42] }], { region: 62 });
    expect(sig(s.bytes).getNumber(1000)).toBe(42);

    const b = buildHeader([NAME], { region: null, magic: false });
    const bh = parse(b.bytes, { magic: false });
    expect(bh.hasMagic).toBe(false);
    expect(bh.dataStart).toBe(8 + 16);
    expect(bh.region).toBeNull();
    expect(bh.getString(1000)).toBe('hello');
  });
});

describe('H1-H4: intro, limits and size', () => {
  it('H1 bad magic', () => {
    const b = mainHeader().bytes;
    b[3] = 0x02; // header version byte
    expectError(() => main(b), 'RPM_BAD_HEADER_MAGIC', 0);
    expectError(() => main(b, { base: 4504 }), 'RPM_BAD_HEADER_MAGIC', 4504);
  });

  it('H1 reserved magic bytes must be zero too', () => {
    const b = mainHeader().bytes;
    b[7] = 1;
    expectError(() => main(b), 'RPM_BAD_HEADER_MAGIC', 0);
  });

  it('an intro shorter than 16 bytes is truncated', () => {
    expectError(() => main(mainHeader().bytes.subarray(0, 15)), 'TRUNCATED', 0);
    expectError(() => parse(new Uint8Array(7), { magic: false, base: 10 }), 'TRUNCATED', 10);
  });

  describe('H2 signature limits: il <= 32, dl <= 64 MiB', () => {
    it('il 32 and dl 64 MiB pass the intro check', () => {
      expect(checkHeaderIntro(headerIntro(32, 64 * 1024 * 1024), { kind: 'signature' })).toEqual({
        il: 32,
        dl: 64 * 1024 * 1024,
        total: 16 + 16 * 32 + 64 * 1024 * 1024,
      });
      expect(SIGNATURE_HEADER_LIMITS).toEqual({ maxIndexEntries: 32, maxDataBytes: 64 * 1024 * 1024 });
    });
    it('il 33 is rejected (at the il field)', () => {
      expectError(() => checkHeaderIntro(headerIntro(33, 0), { kind: 'signature' }), 'LIMIT_EXCEEDED', 8);
    });
    it('dl 64 MiB + 1 is rejected (at the dl field)', () => {
      expectError(() => checkHeaderIntro(headerIntro(1, 64 * 1024 * 1024 + 1), { kind: 'signature', base: 96 }), 'LIMIT_EXCEEDED', 108);
    });
    it('parseHeader checks the limits before complaining about missing bytes', () => {
      expectError(() => sig(headerIntro(33, 16)), 'LIMIT_EXCEEDED', 8);
    });
    it('limits can be lowered but never raised above rpm', () => {
      expectError(() => checkHeaderIntro(headerIntro(33, 0), { kind: 'signature', limits: { maxIndexEntries: 1000 } }), 'LIMIT_EXCEEDED', 8);
      expectError(() => checkHeaderIntro(headerIntro(5, 0), { kind: 'signature', limits: { maxIndexEntries: 4 } }), 'LIMIT_EXCEEDED', 8);
      expectError(() => checkHeaderIntro(headerIntro(1, 101), { kind: 'signature', limits: { maxDataBytes: 100 } }), 'LIMIT_EXCEEDED', 12);
    });
  });

  describe('H2 main limits: il <= 0xFFFF, dl <= 0x0FFFFFFF', () => {
    it('il 0xFFFF passes, 0x10000 is rejected', () => {
      expect(checkHeaderIntro(headerIntro(0xffff, 0), { kind: 'main' }).il).toBe(0xffff);
      expectError(() => checkHeaderIntro(headerIntro(0x10000, 0), { kind: 'main' }), 'LIMIT_EXCEEDED', 8);
      expect(MAIN_HEADER_LIMITS).toEqual({ maxIndexEntries: 0xffff, maxDataBytes: 0x0fffffff });
    });
    it('dl 0x10000000 is rejected', () => {
      expectError(() => checkHeaderIntro(headerIntro(1, 0x10000000), { kind: 'main' }), 'LIMIT_EXCEEDED', 12);
    });
    it('blobs use the main limits (il 33 is fine)', () => {
      expect(checkHeaderIntro(headerIntro(33, 0), { kind: 'blob' }).il).toBe(33);
    });
    it('a uint32 il with the top bit set is a limit error, not a negative count', () => {
      expectError(() => checkHeaderIntro(headerIntro(0xffffffff, 0), { kind: 'main' }), 'LIMIT_EXCEEDED', 8);
    });
    it('lowered limits via options', () => {
      expectError(() => checkHeaderIntro(headerIntro(5, 0), { kind: 'main', limits: { maxIndexEntries: 4 } }), 'LIMIT_EXCEEDED', 8);
      expectError(() => main(mainHeader().bytes, { limits: { maxDataBytes: 8 } }), 'LIMIT_EXCEEDED', 12);
      expect(() => main(mainHeader().bytes, { limits: { maxIndexEntries: 3 } })).not.toThrow();
    });
  });

  describe('H3 pvlen = 8 + 16*il + dl must be below 256 MiB', () => {
    it('the largest blob below the limit passes the intro check', () => {
      const dl = HEADER_MAX_BYTES - 8 - 16 * 1 - 1;
      expect(checkHeaderIntro(headerIntro(1, dl), { kind: 'main' }).total).toBe(16 + 16 + dl);
    });
    it('pvlen == 256 MiB is rejected', () => {
      expectError(() => checkHeaderIntro(headerIntro(1, HEADER_MAX_BYTES - 8 - 16), { kind: 'main' }), 'LIMIT_EXCEEDED', 0);
    });
    it('dl at its own maximum still fails pvlen', () => {
      expectError(() => checkHeaderIntro(headerIntro(0, 0x0fffffff), { kind: 'main', base: 50 }), 'LIMIT_EXCEEDED', 50);
    });
  });

  it('H4 truncated header (offset = where the input ends)', () => {
    const b = mainHeader().bytes;
    expectError(() => main(b.subarray(0, b.length - 1)), 'TRUNCATED', b.length - 1);
    expectError(() => main(b.subarray(0, 20), { base: 100 }), 'TRUNCATED', 120);
  });

  it('trailing bytes after the header are rejected unless allowTrailing', () => {
    const m = mainHeader();
    const b = concat(m.bytes, Uint8Array.of(0, 0, 0));
    expectError(() => main(b), 'RPM_BAD_DATA', m.bytes.length);
    const h = main(b, { allowTrailing: true });
    expect(h.byteLength).toBe(m.bytes.length);
    expect(h.getString(1001)).toBe('2.0');
  });
});

describe('G1-G7: the region', () => {
  it('G1 il 0: "region: no tags" (at the il field)', () => {
    expectError(() => main(headerIntro(0, 0)), 'RPM_BAD_REGION', 8);
    expectError(() => parse(headerIntro(0, 0, false), { magic: false }), 'RPM_BAD_REGION', 0);
  });

  it('G3 region entry with a bad type', () => {
    const m = mainHeader();
    patchEntry(m, 0, 'type', T.INT32);
    expectError(() => main(m.bytes), 'RPM_BAD_REGION', 16);
  });

  it('G3 region entry with a bad count', () => {
    const m = mainHeader();
    patchEntry(m, 0, 'count', 15);
    expectError(() => main(m.bytes), 'RPM_BAD_REGION', 16);
  });

  it('G4 region offset out of range (trailer would not fit)', () => {
    const m = mainHeader();
    patchEntry(m, 0, 'offset', m.dl - 15);
    expectError(() => main(m.bytes), 'RPM_BAD_REGION', 16);
  });

  it('G4 negative region offset', () => {
    const m = mainHeader();
    patchEntry(m, 0, 'offset', -1);
    expectError(() => main(m.bytes), 'RPM_BAD_REGION', 16);
  });

  describe('G5 the trailer', () => {
    const trailerAt = (m: ReturnType<typeof mainHeader>) => m.dataStart + m.trailerOffset;
    it('bad tag', () => {
      const m = mainHeader();
      setU32(m.bytes, trailerAt(m), 62);
      expectError(() => main(m.bytes), 'RPM_BAD_REGION', trailerAt(m));
    });
    it('bad type', () => {
      const m = mainHeader();
      setU32(m.bytes, trailerAt(m) + 4, T.INT32);
      expectError(() => main(m.bytes), 'RPM_BAD_REGION', trailerAt(m));
    });
    it('bad count', () => {
      const m = mainHeader();
      setU32(m.bytes, trailerAt(m) + 12, 8);
      expectError(() => main(m.bytes, { base: 4504 }), 'RPM_BAD_REGION', 4504 + trailerAt(m));
    });
    it('HEADERIMAGE (61) in a signature trailer is accepted as 62', () => {
      const s = buildHeader([{ tag: 1000, type: T.INT32, value: [7] }], { region: 62 });
      setU32(s.bytes, s.dataStart + s.trailerOffset, 61);
      const h = sig(s.bytes);
      expect(h.region?.tag).toBe(62);
      expect(h.region?.trailer.tag).toBe(61);
      expect(h.getNumber(1000)).toBe(7);
    });
    it('HEADERIMAGE (61) in a main trailer is not', () => {
      const m = mainHeader();
      setU32(m.bytes, trailerAt(m), 61);
      expectError(() => main(m.bytes), 'RPM_BAD_REGION', trailerAt(m));
    });
  });

  describe('G6 region size', () => {
    const trailerOff = (m: ReturnType<typeof mainHeader>) => m.dataStart + m.trailerOffset + 8;
    const trailerAt = (m: ReturnType<typeof mainHeader>) => m.dataStart + m.trailerOffset;
    it('ril not a multiple of 16', () => {
      const m = mainHeader();
      setI32(m.bytes, trailerOff(m), -17);
      expectError(() => main(m.bytes), 'RPM_BAD_REGION', trailerAt(m));
    });
    it('ril > il', () => {
      const m = mainHeader();
      setI32(m.bytes, trailerOff(m), -16 * (m.il + 1));
      expectError(() => main(m.bytes), 'RPM_BAD_REGION', trailerAt(m));
    });
    it('a positive trailer offset (negative ril)', () => {
      const m = mainHeader();
      setI32(m.bytes, trailerOff(m), 16);
      expectError(() => main(m.bytes), 'RPM_BAD_REGION', trailerAt(m));
    });
    it('ril 0 passes rpm\'s check but covers nothing: rejected', () => {
      const m = mainHeader();
      setI32(m.bytes, trailerOff(m), 0);
      expectError(() => main(m.bytes), 'RPM_BAD_REGION', trailerAt(m));
    });
  });

  describe('G7 main header: the region must cover the whole header', () => {
    it('entries after the region in a main header: tag number mismatch', () => {
      const m = buildHeader([NAME], { region: 63, dribbles: [VERSION] });
      expectError(() => main(m.bytes), 'RPM_BAD_REGION', m.dataStart + m.trailerOffset);
      // the same bytes are a fine blob (headerImport does not ask for exact size)
      const h = parse(m.bytes);
      expect(h.getString(1001)).toBe('2.0');
      expect(h.entry(1001)?.inRegion).toBe(false);
    });
    it('data after the trailer (rdl < dl) in a main header', () => {
      const m = mainHeader();
      const grown = concat(m.bytes, new Uint8Array(8));
      setU32(grown, 12, m.dl + 8);
      expectError(() => main(grown), 'RPM_BAD_REGION', m.dataStart + m.trailerOffset);
    });
  });
});

describe('signature dribbles (entries after the region)', () => {
  const SIZE: TestEntry = { tag: 1000, type: T.INT32, value: [5] };

  it('are accepted in a signature header, outside the region', () => {
    const s = buildHeader([SIZE], {
      region: 62,
      dribbles: [
        { tag: 274, type: T.STRING_ARRAY, value: ['abcd', ''] },
        { tag: 275, type: T.INT32, value: [2] },
      ],
    });
    const warnings: string[] = [];
    const h = sig(s.bytes, { warnings });
    expect(warnings).toEqual([]);
    expect(h.il).toBe(4);
    expect(h.region).toMatchObject({ ril: 2, rdl: s.trailerOffset + 16 });
    expect(h.entries.map((e) => [e.tag, e.inRegion])).toEqual([
      [62, true],
      [1000, true],
      [274, false],
      [275, false],
    ]);
    expect(h.getStringArray(274)).toEqual(['abcd', '']);
    expect(h.getNumber(275)).toBe(2);
  });

  it('a dribble overrides a region entry with the same tag', () => {
    const s = buildHeader([SIZE], { region: 62, dribbles: [{ tag: 1000, type: T.INT32, value: [9] }] });
    const warnings: string[] = [];
    const h = sig(s.bytes, { warnings });
    expect(h.getNumber(1000)).toBe(9);
    expect(h.entry(1000)?.inRegion).toBe(false);
    expect(h.valueOf(h.entries[1]!)).toEqual([5]); // the shadowed region entry is still decodable
    expect(warnings).toMatchSnapshot();
  });

  it('a BASENAMES dribble deletes OLDFILENAMES', () => {
    const s = buildHeader([{ tag: 1027, type: T.STRING_ARRAY, value: ['/usr/bin/a'] }], {
      region: 62,
      dribbles: [{ tag: 1117, type: T.STRING_ARRAY, value: ['a'] }],
    });
    const h = sig(s.bytes);
    expect(h.has(1027)).toBe(false);
    expect(h.getStringArray(1117)).toEqual(['a']);
  });

  it('a BASENAMES dribble keeps an OLDFILENAMES dribble (rpm deletes only the region copy)', () => {
    const s = buildHeader([{ tag: 1000, type: T.INT32, value: [1] }], {
      region: 62,
      dribbles: [
        { tag: 1027, type: T.STRING_ARRAY, value: ['/a'] },
        { tag: 1117, type: T.STRING_ARRAY, value: ['a'] },
      ],
    });
    const h = sig(s.bytes);
    expect(h.getStringArray(1027)).toEqual(['/a']);
  });

  it('BASENAMES inside the region leaves OLDFILENAMES alone', () => {
    const s = buildHeader(
      [
        { tag: 1027, type: T.STRING_ARRAY, value: ['/usr/bin/a'] },
        { tag: 1117, type: T.STRING_ARRAY, value: ['a'] },
      ],
      { region: 62 },
    );
    const h = sig(s.bytes);
    expect(h.has(1027)).toBe(true);
    expect(h.has(1117)).toBe(true);
  });

  it('strict rejects dribbles', () => {
    const s = buildHeader([SIZE], { region: 62, dribbles: [{ tag: 275, type: T.INT32, value: [2] }] });
    expectError(() => sig(s.bytes, { profile: 'strict', base: 96 }), 'RPM_BAD_REGION', 96 + s.dataStart + s.trailerOffset);
  });
});

describe('G2: region-less (legacy v3) headers', () => {
  it('a signature header without region is accepted with a warning', () => {
    const s = buildHeader([{ tag: 1000, type: T.INT32, value: [5] }], { region: null });
    const warnings: string[] = [];
    const h = sig(s.bytes, { warnings });
    expect(h.region).toBeNull();
    expect(h.entries[0]).toMatchObject({ tag: 1000, inRegion: true });
    expect(warnings).toMatchSnapshot();
  });

  it('a main header without region is accepted with a warning, and is not type-checked (like rpm)', () => {
    const m = buildHeader([{ tag: 1000, type: T.INT32, value: [1] }], { region: null });
    const warnings: string[] = [];
    const h = main(m.bytes, { warnings });
    expect(h.getNumbers(1000)).toEqual([1]);
    expect(warnings).toMatchSnapshot();
  });

  it('a region-less blob (apt-rpm pkglist, rpmdb) is not worth a warning', () => {
    const warnings: string[] = [];
    parse(buildHeader([NAME], { region: null }).bytes, { warnings });
    expect(warnings).toEqual([]);
  });

  it('strict rejects region-less headers', () => {
    const m = buildHeader([NAME], { region: null });
    expectError(() => main(m.bytes, { profile: 'strict' }), 'RPM_NO_REGION', 16);
    expectError(() => sig(m.bytes, { profile: 'strict' }), 'RPM_NO_REGION', 16);
  });

  it('without a region, entry 0 goes through the entry checks too (62 in a main header is tag < 100)', () => {
    const s = buildHeader([NAME], { region: 62 });
    expectError(() => main(s.bytes), 'RPM_BAD_ENTRY', 16);
  });
});

describe('E1-E11: index entries', () => {
  it('E1 data overlapping the previous entry', () => {
    const m = buildHeader(
      [
        { tag: U1, type: T.STRING, value: 'abc' },
        { tag: U2, type: T.STRING, value: 'de' },
      ],
      { region: 63 },
    );
    patchEntry(m, 2, 'offset', 2);
    expectError(() => main(m.bytes), 'RPM_BAD_DATA', m.entryPos(2));
  });

  it('E2 tag below 100', () => {
    const m = mainHeader();
    patchEntry(m, 1, 'tag', 99);
    expectError(() => main(m.bytes), 'RPM_BAD_ENTRY', m.entryPos(1));
  });

  it('E2 a second region tag after entry 0', () => {
    const m = mainHeader();
    patchEntry(m, 2, 'tag', 63);
    expectError(() => main(m.bytes), 'RPM_BAD_ENTRY', m.entryPos(2));
  });

  it('E3 type NULL (0)', () => {
    const m = mainHeader();
    patchEntry(m, 1, 'type', 0);
    expectError(() => main(m.bytes), 'RPM_BAD_ENTRY', m.entryPos(1));
  });

  it('E3 type 10', () => {
    const m = mainHeader();
    patchEntry(m, 1, 'type', 10);
    expectError(() => main(m.bytes), 'RPM_BAD_ENTRY', m.entryPos(1));
  });

  it('E4 count 0', () => {
    const m = buildHeader([{ tag: U1, type: T.INT8, value: [1, 2] }], { region: 63 });
    patchEntry(m, 1, 'count', 0);
    expectError(() => main(m.bytes), 'RPM_BAD_ENTRY', m.entryPos(1));
  });

  it('E4 count > dl', () => {
    const m = buildHeader([{ tag: U1, type: T.INT8, value: [1, 2] }], { region: 63 });
    patchEntry(m, 1, 'count', m.dl + 1);
    expectError(() => main(m.bytes), 'RPM_BAD_ENTRY', m.entryPos(1));
  });

  describe('E7 count > 0xFFFFF for non-BIN types', () => {
    const big = new Uint8Array(MAX_ARRAY_COUNT + 1);
    it('INT8 with 0x100000 elements is rejected', () => {
      const m = buildHeader([{ tag: U1, type: T.INT8, raw: big }], { region: 63 });
      expectError(() => main(m.bytes), 'RPM_BAD_ENTRY', m.entryPos(1));
    });
    it('INT8 with exactly 0xFFFFF elements is fine', () => {
      const m = buildHeader([{ tag: U1, type: T.INT8, raw: big.subarray(1) }], { region: 63 });
      expect(main(m.bytes).entry(U1)?.count).toBe(0xfffff);
    });
    it('BIN is exempt', () => {
      const m = buildHeader([{ tag: U1, type: T.BIN, raw: big }], { region: 63 });
      expect(main(m.bytes).getBinary(U1)?.length).toBe(0x100000);
    });
  });

  describe('E5 misaligned data', () => {
    const cases: [string, number, number[] | bigint[], number][] = [
      ['INT16', T.INT16, [1], 1],
      ['INT32', T.INT32, [1], 2],
      ['INT64', T.INT64, [1n], 4],
    ];
    it.each(cases)('%s', (_name, type, value, badOffset) => {
      const m = buildHeader(
        [
          { tag: U1, type: T.INT8, value: [7] },
          { tag: U2, type, value },
        ],
        { region: 63 },
      );
      expect(() => main(m.bytes)).not.toThrow();
      patchEntry(m, 2, 'offset', badOffset);
      expectError(() => main(m.bytes), 'RPM_BAD_ENTRY', m.entryPos(2));
    });
  });

  it('E6 offset beyond dl', () => {
    const m = buildHeader([{ tag: U1, type: T.INT8, value: [7] }], { region: 63 });
    patchEntry(m, 1, 'offset', m.dl + 1);
    expectError(() => main(m.bytes), 'RPM_BAD_ENTRY', m.entryPos(1));
  });

  it('E6 a negative offset is caught by the overlap check first (as in rpm: end 0 > offset)', () => {
    const m = buildHeader([{ tag: U1, type: T.INT32, value: [7] }], { region: 63 });
    patchEntry(m, 1, 'offset', -4);
    expectError(() => main(m.bytes), 'RPM_BAD_DATA', m.entryPos(1));
  });

  describe('E8 main-header tag types', () => {
    it('a known tag with the wrong type is rejected', () => {
      const m = buildHeader([{ tag: 1000, type: T.INT32, value: [1] }], { region: 63 });
      expectError(() => main(m.bytes), 'RPM_BAD_TAG_TYPE', m.entryPos(1));
    });
    it('INT32 where rpm wants INT64 (LONGSIZE) is rejected', () => {
      const m = buildHeader([{ tag: 5009, type: T.INT32, value: [1] }], { region: 63 });
      expectError(() => main(m.bytes), 'RPM_BAD_TAG_TYPE', m.entryPos(1));
    });
    it('string-class tags accept any string type', () => {
      const m = buildHeader(
        [
          { tag: 1000, type: T.STRING_ARRAY, value: ['hello'] }, // NAME (s) as s[]
          { tag: 1004, type: T.STRING, value: 'summary' }, // SUMMARY (s{}) as s
          { tag: 1085, type: T.STRING, value: '/bin/sh' }, // PREINPROG (s[]) as s, as old packages have it
        ],
        { region: 63 },
      );
      const h = main(m.bytes);
      expect(h.getString(1000)).toBe('hello');
      expect(h.getI18n(1004)).toBe('summary');
      expect(h.getStringArray(1085)).toEqual(['/bin/sh']);
    });
    it('unknown tags are not type-checked', () => {
      const m = buildHeader([{ tag: U1, type: T.INT64, value: [1n] }], { region: 63 });
      expect(main(m.bytes).getBigInts(U1)).toEqual([1n]);
    });
    it('signature headers and region-62 blobs are not type-checked', () => {
      const s = buildHeader([{ tag: 1008, type: T.INT32, value: [0] }], { region: 62 });
      expect(sig(s.bytes).getNumber(1008)).toBe(0); // RESERVEDSPACE is BIN in rpm's table
      expect(parse(s.bytes).getNumber(1008)).toBe(0);
    });
  });

  describe('E9 the data must fit', () => {
    it('STRING without a NUL before the end of the data', () => {
      const b = buildHeader([{ tag: U1, type: T.STRING, raw: Uint8Array.of(0x61, 0x62, 0x63), count: 1 }], { region: null });
      expectError(() => parse(b.bytes), 'RPM_BAD_DATA', b.dataStart);
    });
    it('STRING with count 2', () => {
      const m = buildHeader([{ tag: U1, type: T.STRING, raw: Uint8Array.of(0x61, 0, 0x62, 0), count: 2 }], { region: 63 });
      expectError(() => main(m.bytes), 'RPM_BAD_DATA', m.dataStart);
    });
    it('STRING_ARRAY with fewer strings than its count', () => {
      const b = buildHeader([{ tag: U1, type: T.STRING_ARRAY, raw: Uint8Array.of(0x61, 0, 0x62, 0), count: 3 }], { region: null });
      expectError(() => parse(b.bytes, { base: 1000 }), 'RPM_BAD_DATA', 1000 + b.dataStart);
    });
    it('INT32 array running past the data', () => {
      const b = buildHeader([{ tag: U1, type: T.INT32, raw: new Uint8Array(4), count: 2 }], { region: null });
      expectError(() => parse(b.bytes), 'RPM_BAD_DATA', b.dataStart);
    });
  });

  describe('E11 data must not overlap the region trailer', () => {
    it('a string whose NUL is inside the trailer', () => {
      const m = buildHeader(
        [
          NAME,
          { tag: U1, type: T.STRING, raw: Uint8Array.of(0x61, 0x62), count: 1 }, // no NUL: the scan reaches the trailer
        ],
        { region: 63 },
      );
      expectError(() => main(m.bytes), 'RPM_BAD_DATA', m.dataStart + m.offsets[2]!);
    });
    it('an INT8 array extending into the trailer', () => {
      const m = buildHeader([{ tag: U1, type: T.INT8, value: [1, 2] }], { region: 63 });
      patchEntry(m, 1, 'count', 3);
      expectError(() => main(m.bytes), 'RPM_BAD_DATA', m.dataStart);
    });
  });
});

describe('I1-I4: packing, duplicates, order', () => {
  function gapped() {
    const m = buildHeader(
      [
        { tag: U1, type: T.STRING, value: 'ab' },
        { tag: U2, type: T.STRING, value: 'cd' },
      ],
      { region: 63 },
    );
    patchEntry(m, 2, 'offset', m.offsets[2]! + 1); // now reads "d": one byte of data nobody owns
    return m;
  }

  it('I1 a gap in the packing: the entries no longer add up to dl', () => {
    const m = gapped();
    expectError(() => main(m.bytes), 'RPM_BAD_DATA', 12);
  });

  it('I1 in strict mode the offset itself is checked', () => {
    const m = gapped();
    expectError(() => main(m.bytes, { profile: 'strict' }), 'RPM_BAD_DATA', m.entryPos(2));
  });

  it('I1 region-less: no trailer in the sum', () => {
    const b = buildHeader([{ tag: U1, type: T.STRING, value: 'ab' }], { region: null });
    const grown = concat(b.bytes, Uint8Array.of(0));
    setU32(grown, 12, b.dl + 1);
    expectError(() => parse(grown), 'RPM_BAD_DATA', 12);
  });

  it('I4 duplicate tags: rpm profile keeps the last one, with a warning', () => {
    const m = buildHeader(
      [
        { tag: U1, type: T.STRING, value: 'first' },
        { tag: U1, type: T.STRING, value: 'second' },
      ],
      { region: 63 },
    );
    const warnings: string[] = [];
    expect(main(m.bytes, { warnings }).getString(U1)).toBe('second');
    expect(warnings).toMatchSnapshot();
    expectError(() => main(m.bytes, { profile: 'strict' }), 'RPM_DUPLICATE_TAG', m.entryPos(2));
  });

  it('I4 unsorted tags: accepted and sorted by rpm, rejected by strict', () => {
    const m = buildHeader(
      [
        { tag: U2, type: T.STRING, value: 'two' },
        { tag: U1, type: T.STRING, value: 'one' },
      ],
      { region: 63 },
    );
    const h = main(m.bytes);
    expect(h.tags()).toEqual([63, U1, U2]);
    expect(h.getString(U1)).toBe('one');
    expectError(() => main(m.bytes, { profile: 'strict' }), 'RPM_DUPLICATE_TAG', m.entryPos(2));
  });
});

describe('S1: signature tag types and sizes', () => {
  const sigWith = (...entries: TestEntry[]) => buildHeader(entries, { region: 62 });

  it('the usual signature tags with the right shapes are accepted', () => {
    const s = sigWith(
      { tag: 268, type: T.BIN, value: Uint8Array.of(1, 2, 3) },
      { tag: 269, type: T.STRING, value: 'a'.repeat(40) },
      { tag: 270, type: T.INT64, value: [5n] },
      { tag: 273, type: T.STRING, value: 'b'.repeat(64) },
      { tag: 1000, type: T.INT32, value: [5] },
      { tag: 1004, type: T.BIN, value: new Uint8Array(16) },
      { tag: 1007, type: T.INT32, value: [5] },
      { tag: 1008, type: T.BIN, value: new Uint8Array(8) },
    );
    expect(sig(s.bytes).tags()).toEqual([62, 268, 269, 270, 273, 1000, 1004, 1007, 1008]);
  });

  it('SIZE stored as INT16', () => {
    const s = sigWith({ tag: 1000, type: T.INT16, value: [5] });
    expectError(() => sig(s.bytes, { base: 96 }), 'RPM_BAD_SIGNATURE_TAG', 96 + s.dataStart + s.offsets[1]!);
  });

  it('SIZE with count 2', () => {
    const s = sigWith({ tag: 1000, type: T.INT32, value: [5, 6] });
    expectError(() => sig(s.bytes), 'RPM_BAD_SIGNATURE_TAG', s.dataStart);
  });

  it('MD5 with 8 bytes', () => {
    const s = sigWith({ tag: 269, type: T.STRING, value: 'x' }, { tag: 1004, type: T.BIN, value: new Uint8Array(8) });
    expectError(() => sig(s.bytes), 'RPM_BAD_SIGNATURE_TAG', s.dataStart + s.offsets[2]!);
  });

  it('SHA256 as a string array', () => {
    const s = sigWith({ tag: 273, type: T.STRING_ARRAY, value: ['ab'] });
    expectError(() => sig(s.bytes), 'RPM_BAD_SIGNATURE_TAG', s.dataStart);
  });

  it('LONGSIZE as INT32', () => {
    const s = sigWith({ tag: 270, type: T.INT32, value: [5] });
    expectError(() => sig(s.bytes), 'RPM_BAD_SIGNATURE_TAG', s.dataStart);
  });

  it('v6: with RESERVED (999) and SHA3_256 (279), bad legacy tags >= 1000 are skipped with a warning', () => {
    const entries: TestEntry[] = [
      { tag: 279, type: T.STRING, value: 'c'.repeat(64) },
      { tag: 999, type: T.BIN, value: new Uint8Array(8) },
      { tag: 1000, type: T.INT16, value: [5] },
      { tag: 1002, type: T.STRING, value: 'not a packet' },
    ];
    const warnings: string[] = [];
    const h = sig(sigWith(...entries).bytes, { warnings });
    expect(h.has(1002)).toBe(true);
    expect(warnings).toMatchSnapshot();
    // without RESERVED the same SIZE is an error
    const s = sigWith(entries[0]!, entries[2]!);
    expectError(() => sig(s.bytes), 'RPM_BAD_SIGNATURE_TAG', s.dataStart + s.offsets[2]!);
  });

  it('strict: unknown signature tags are rejected', () => {
    const s = sigWith({ tag: 5000, type: T.INT32, value: [1] });
    expect(() => sig(s.bytes)).not.toThrow();
    expectError(() => sig(s.bytes, { profile: 'strict' }), 'RPM_BAD_SIGNATURE_TAG', s.dataStart);
  });
});

describe('§2.8 strict profile', () => {
  it('non-zero alignment padding', () => {
    const m = buildHeader(
      [
        { tag: U1, type: T.INT8, value: [1] },
        { tag: U2, type: T.INT32, value: [2] },
      ],
      { region: 63 },
    );
    m.bytes[m.dataStart + 2] = 0xff;
    expect(main(m.bytes).getNumber(U2)).toBe(2); // rpm never looks at padding
    expectError(() => main(m.bytes, { profile: 'strict' }), 'RPM_BAD_PADDING', m.dataStart + 2);
  });

  it('non-printable signature string', () => {
    const s = buildHeader([{ tag: 273, type: T.STRING, value: 'ab\u0001cd' }], { region: 62 });
    expect(sig(s.bytes).getString(273)).toBe('ab\u0001cd');
    expectError(() => sig(s.bytes, { profile: 'strict', base: 96 }), 'RPM_BAD_STRING', 96 + s.dataStart);
  });

  it('invalid UTF-8 in the main header', () => {
    const m = buildHeader([NAME, { tag: 1001, type: T.STRING, raw: Uint8Array.of(0x31, 0xff, 0x32, 0), count: 1 }], {
      region: 63,
    });
    expect(main(m.bytes).getString(1001)).toBe('1\ufffd2');
    expectError(() => main(m.bytes, { profile: 'strict' }), 'RPM_BAD_STRING', m.dataStart + m.offsets[2]!);
  });

  it('scalar tag with count > 1', () => {
    const m = buildHeader([NAME, { tag: 1003, type: T.INT32, value: [1, 2] }], { region: 63 });
    expect(main(m.bytes).getNumbers(1003)).toEqual([1, 2]);
    expectError(() => main(m.bytes, { profile: 'strict' }), 'RPM_BAD_ENTRY', m.dataStart + m.offsets[2]!);
  });

  it('a clean header passes strict', () => {
    expect(() => main(mainHeader().bytes, { profile: 'strict' })).not.toThrow();
  });
});

describe('decoding', () => {
  const entries: TestEntry[] = [
    { tag: U1, type: T.CHAR, value: [65, 255] },
    { tag: U1 + 1, type: T.INT8, value: [0, 128, 255] },
    { tag: U1 + 2, type: T.INT16, value: [0, 0o100644, 65535] },
    { tag: U1 + 3, type: T.INT32, value: [0, 0x7fffffff, 0xffffffff] },
    { tag: U1 + 4, type: T.INT64, value: [0n, 2n ** 53n - 1n] },
    { tag: U1 + 5, type: T.INT64, value: [2n ** 64n - 1n] },
    { tag: U1 + 6, type: T.STRING, value: 'héllo wörld' },
    { tag: U1 + 7, type: T.BIN, value: Uint8Array.of(0, 1, 0xfe, 0xff) },
    { tag: U1 + 8, type: T.STRING_ARRAY, value: ['a', '', 'ü'] },
    { tag: U1 + 9, type: T.I18NSTRING, value: ['C text', 'de text'] },
  ];
  const BASE = 1000;
  const built = buildHeader(entries, { region: null });
  const h = parse(built.bytes, { base: BASE });
  const dataAt = (i: number) => BASE + built.dataStart + built.offsets[i]!;

  it('get() value shape per type', () => {
    expect(h.get(U1)).toEqual([65, 255]);
    expect(h.get(U1 + 1)).toEqual([0, 128, 255]);
    expect(h.get(U1 + 2)).toEqual([0, 0o100644, 65535]); // unsigned
    expect(h.get(U1 + 3)).toEqual([0, 0x7fffffff, 0xffffffff]); // unsigned
    expect(h.get(U1 + 4)).toEqual([0n, 2n ** 53n - 1n]);
    expect(h.get(U1 + 5)).toEqual([2n ** 64n - 1n]); // unsigned
    expect(h.get(U1 + 6)).toBe('héllo wörld');
    expect(h.get(U1 + 7)).toEqual(Uint8Array.of(0, 1, 0xfe, 0xff));
    expect(h.get(U1 + 8)).toEqual(['a', '', 'ü']);
    expect(h.get(U1 + 9)).toEqual(['C text', 'de text']);
    expect(h.get(99999)).toBeUndefined();
  });

  it('getNumbers / getNumber / getBigInts', () => {
    expect(h.getNumbers(U1 + 2)).toEqual([0, 0o100644, 65535]);
    expect(h.getNumber(U1 + 3)).toBe(0);
    expect(h.getNumbers(U1 + 4)).toEqual([0, 2 ** 53 - 1]); // INT64 converted when exact
    expect(h.getBigInts(U1 + 4)).toEqual([0n, 2n ** 53n - 1n]);
    expect(h.getBigInts(U1 + 3)).toEqual([0n, 0x7fffffffn, 0xffffffffn]); // widened
    expect(h.getBigInts(U1 + 5)).toEqual([2n ** 64n - 1n]);
  });

  it('INT64 beyond 2^53 through getNumbers is LIMIT_EXCEEDED', () => {
    expectError(() => h.getNumbers(U1 + 5), 'LIMIT_EXCEEDED', dataAt(5));
  });

  it('getString / getStringArray', () => {
    expect(h.getString(U1 + 6)).toBe('héllo wörld');
    expect(h.getString(U1 + 8)).toBe('a'); // first element
    expect(h.getString(U1 + 9)).toBe('C text');
    expect(h.getStringArray(U1 + 6)).toEqual(['héllo wörld']);
    expect(h.getStringArray(U1 + 8)).toEqual(['a', '', 'ü']);
    expect(h.getStringArray(U1 + 9)).toEqual(['C text', 'de text']);
  });

  it('getBinary is a view into the header bytes', () => {
    const bin = h.getBinary(U1 + 7)!;
    expect(bin).toEqual(Uint8Array.of(0, 1, 0xfe, 0xff));
    expect(bin.buffer).toBe(built.bytes.buffer);
    expect(h.raw(U1 + 7)).toEqual(bin);
  });

  it('absent tags give undefined from every getter', () => {
    const getters: ((tag: number) => unknown)[] = [
      (t) => h.getString(t),
      (t) => h.getStringArray(t),
      (t) => h.getNumbers(t),
      (t) => h.getNumber(t),
      (t) => h.getBigInts(t),
      (t) => h.getBinary(t),
      (t) => h.getI18n(t, 'de'),
      (t) => h.get(t),
      (t) => h.entry(t),
    ];
    for (const get of getters) expect(get(424242)).toBeUndefined();
    expect(h.has(424242)).toBe(false);
    expect(h.raw(424242)).toBeUndefined();
  });

  it.each([
    ['getString on INT32', () => h.getString(U1 + 3), 3],
    ['getStringArray on INT16', () => h.getStringArray(U1 + 2), 2],
    ['getNumbers on STRING', () => h.getNumbers(U1 + 6), 6],
    ['getNumbers on BIN', () => h.getNumbers(U1 + 7), 7],
    ['getBigInts on STRING_ARRAY', () => h.getBigInts(U1 + 8), 8],
    ['getBinary on STRING', () => h.getBinary(U1 + 6), 6],
    ['getI18n on INT8', () => h.getI18n(U1 + 1), 1],
  ] as const)('type mismatch: %s', (_name, fn, i) => {
    expectError(fn, 'RPM_BAD_TAG_TYPE', dataAt(i));
  });

  describe('getI18n', () => {
    const SUMMARY = 1004;
    const i18n = (table: string[] | null, values: string[]) => {
      const es: TestEntry[] = [];
      if (table) es.push({ tag: 100, type: T.STRING_ARRAY, value: table });
      es.push({ tag: SUMMARY, type: T.I18NSTRING, value: values });
      return parse(buildHeader(es, { region: 63 }).bytes);
    };
    const locale = 'de_DE.UTF-8@euro';

    it('exact match first', () => {
      const x = i18n(['C', 'de', 'de_DE', 'de_DE.UTF-8', 'de_DE.UTF-8@euro'], ['c', 'de', 'de_DE', 'utf8', 'euro']);
      expect(x.getI18n(SUMMARY, locale)).toBe('euro');
      expect(x.getI18n(SUMMARY, 'de_DE.UTF-8')).toBe('utf8');
      expect(x.getI18n(SUMMARY, 'de_DE')).toBe('de_DE');
      expect(x.getI18n(SUMMARY, 'de')).toBe('de');
    });
    it('fallbacks: de_DE.UTF-8@euro -> de_DE.UTF-8 -> de_DE -> de -> element 0', () => {
      expect(i18n(['C', 'de', 'de_DE', 'de_DE.UTF-8'], ['c', 'de', 'de_DE', 'utf8']).getI18n(SUMMARY, locale)).toBe('utf8');
      expect(i18n(['C', 'de', 'de_DE'], ['c', 'de', 'de_DE']).getI18n(SUMMARY, locale)).toBe('de_DE');
      expect(i18n(['C', 'de'], ['c', 'de']).getI18n(SUMMARY, locale)).toBe('de');
      expect(i18n(['C', 'fr'], ['c', 'fr']).getI18n(SUMMARY, locale)).toBe('c');
      expect(i18n(['C', 'de'], ['c', 'de']).getI18n(SUMMARY, 'de_AT')).toBe('de');
    });
    it('default locale C and unknown locales give element 0', () => {
      const x = i18n(['C', 'de'], ['c', 'de']);
      expect(x.getI18n(SUMMARY)).toBe('c');
      expect(x.getI18n(SUMMARY, 'ja_JP')).toBe('c');
    });
    it('an entry with fewer elements than the table is bounded by its own count', () => {
      expect(i18n(['C', 'de', 'fr'], ['only C']).getI18n(SUMMARY, 'de')).toBe('only C');
      expect(i18n(['C', 'de', 'fr'], ['c', 'de']).getI18n(SUMMARY, 'fr')).toBe('c');
      expect(i18n(['C', 'de', 'fr'], ['c', 'de']).getI18n(SUMMARY, 'de')).toBe('de');
    });
    it('a table shorter than the entry bounds the lookup too', () => {
      expect(i18n(['C'], ['c', 'de']).getI18n(SUMMARY, 'de')).toBe('c');
    });
    it('without a HEADERI18NTABLE element 0 is used', () => {
      expect(i18n(null, ['x', 'y']).getI18n(SUMMARY, 'de')).toBe('x');
    });
    it('a plain STRING is returned as is', () => {
      const x = parse(buildHeader([{ tag: SUMMARY, type: T.STRING, value: 'plain' }], { region: null }).bytes);
      expect(x.getI18n(SUMMARY, 'de')).toBe('plain');
    });
  });
});
