/**
 * Interop: rpm itself (python3-rpm 4.18, i.e. librpm's header reader) must read back what
 * encodeHeader writes, tag by tag: same tags, same raw types and counts, same values.
 *
 * - Single blobs go through `rpm.hdr(bytes)`, which takes an on-disk blob WITHOUT the 8-byte magic
 *   (headerImport); with the magic it says "bad header".
 * - Header lists (the apt-rpm pkglist format: magic + blob, back to back) go through
 *   `rpm.readHeaderListFromFile`, which calls headerRead(fd, HEADER_MAGIC_YES) in a loop.
 *
 * Skipped when python3-rpm is missing, unless CI is set (then it fails).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeHeader } from '../../src/rpm/encode.js';
import { RpmType } from '../../src/rpm/types.js';
import type { HeaderEntryInput, HeaderValue, RpmType as RpmTypeT } from '../../src/rpm/types.js';
import { concatBytes } from '../../src/shared/bytes.js';
import { probePythonRpm, readWithPythonRpm } from '../helpers/encode-python.js';
import type { PyHeader, PyValue, RawEntry } from '../helpers/encode-python.js';

const probe = probePythonRpm();

// ---------------------------------------------------------------------------------------------
// Expected views

function wellFormed(s: string): string {
  return Buffer.from(s, 'utf8').toString('utf8');
}

/** All elements as librpm holds them after import (unsigned numbers, decimal strings). */
function rawValues(type: number, v: HeaderValue): string[] | string {
  switch (type) {
    case RpmType.STRING:
      return [wellFormed(v as string)];
    case RpmType.STRING_ARRAY:
    case RpmType.I18NSTRING:
      return (v as string[]).map(wellFormed);
    case RpmType.CHAR:
    case RpmType.INT8:
      return (v as number[]).map((x) => String(x & 0xff));
    case RpmType.INT16:
      return (v as number[]).map((x) => String(x & 0xffff));
    case RpmType.INT32:
      return (v as number[]).map((x) => String(x >>> 0));
    case RpmType.INT64:
      return (v as (bigint | number)[]).map((x) => BigInt.asUintN(64, BigInt(x)).toString());
    default:
      return Buffer.from(v as Uint8Array).toString('hex');
  }
}

function countOf(e: HeaderEntryInput): number {
  if (e.type === RpmType.STRING) return 1;
  return (e.value as ArrayLike<unknown>).length;
}

function expectedRaw(e: HeaderEntryInput): RawEntry {
  const value = rawValues(e.type, e.value);
  // librpm reports a STRING entry's value through rpmtdGetString as one string.
  return { tag: e.tag, type: e.type, count: countOf(e), value };
}

/**
 * What `hdr[tag]` returns through the Python API for this entry: a list for tags rpm knows as
 * arrays, else the first element (unknown tags, scalar tags); I18NSTRING resolves to element
 * `i18nIndex` (0 under LANG=C); numbers come from PyLong_FromLongLong(uint64), so INT64 values
 * ≥ 2^63 come back negative.
 */
function expectedPy(e: HeaderEntryInput, isList: boolean, i18nIndex: number): PyValue {
  const items: PyValue[] = (() => {
    switch (e.type) {
      case RpmType.BIN:
        return [{ hex: Buffer.from(e.value as Uint8Array).toString('hex') }];
      case RpmType.STRING:
      case RpmType.STRING_ARRAY:
        return (rawValues(e.type, e.value) as string[]).map((s): PyValue => s);
      case RpmType.I18NSTRING: {
        const all = rawValues(e.type, e.value) as string[];
        return [all[i18nIndex < all.length ? i18nIndex : 0]!];
      }
      case RpmType.INT64:
        return (rawValues(e.type, e.value) as string[]).map((s): PyValue => ({ int: BigInt.asIntN(64, BigInt(s)).toString() }));
      default:
        return (rawValues(e.type, e.value) as string[]).map((s): PyValue => ({ int: s }));
    }
  })();
  return isList ? items : items[0]!;
}

function sortedByTag(entries: readonly HeaderEntryInput[]): HeaderEntryInput[] {
  return [...entries].sort((a, b) => a.tag - b.tag);
}

/** Compare what python saw with what we encoded. */
function expectSame(py: PyHeader | undefined, entries: readonly HeaderEntryInput[], label: string, i18nIndex = 0): void {
  expect(py, label).toBeDefined();
  if (py === undefined) return;
  if (!py.ok) throw new Error(`${label}: python3-rpm rejected the header: ${py.error}`);
  const sorted = sortedByTag(entries);
  expect(py.keys, `${label}: tags`).toEqual(sorted.map((e) => e.tag));
  expect(py.raw, `${label}: raw entries`).toEqual(sorted.map(expectedRaw));
  for (const e of sorted) {
    const got = py.py[String(e.tag)];
    const [, isList] = py.table[String(e.tag)] ?? [0, false];
    expect(Array.isArray(got), `${label}: hdr[${e.tag}] is a list`).toBe(isList);
    expect(got, `${label}: hdr[${e.tag}]`).toEqual(expectedPy(e, isList, i18nIndex));
  }
}

const isStringType = (t: number): boolean => t === RpmType.STRING || t === RpmType.STRING_ARRAY || t === RpmType.I18NSTRING;

/**
 * rpm's type check for tags it knows (hdrchkTagType, applied to region headers only): the type
 * must match its tag table, string types being interchangeable among themselves.
 */
function expectTableTypes(py: PyHeader | undefined, entries: readonly HeaderEntryInput[], label: string): void {
  if (!py?.ok) throw new Error(`${label}: not read`);
  for (const e of entries) {
    const [tableType] = py.table[String(e.tag)] ?? [0, false];
    if (tableType === 0) continue; // unknown to rpm (ALT's CRPMTAG_*): not type-checked
    if (isStringType(tableType) && isStringType(e.type)) continue;
    expect(e.type, `${label}: tag ${e.tag} type vs rpm's tag table`).toBe(tableType);
  }
}

// ---------------------------------------------------------------------------------------------
// Header builders

const T = RpmType;

function everyTypeHeader(): HeaderEntryInput[] {
  return [
    { tag: 1100000, type: T.CHAR, value: [0, 65, 255, -1] },
    { tag: 1100001, type: T.INT8, value: [1, 2, 3, 200, -128] },
    { tag: 1100002, type: T.INT16, value: [0, 0o100644, 0o40755, 0xffff, -2] },
    { tag: 1100003, type: T.INT32, value: [0, 1, 0x7fffffff, 0x80000000, 0xffffffff, -3] },
    { tag: 1100004, type: T.INT64, value: [0n, 1n, 2n ** 32n, 2n ** 63n - 1n, 2n ** 63n, 2n ** 64n - 1n, -5n] },
    { tag: 1100005, type: T.INT64, value: [2 ** 53 - 1, 7, -(2 ** 40)] as unknown as bigint[] },
    { tag: 1100006, type: T.STRING, value: 'héllo wörld 日本 😀' },
    { tag: 1100007, type: T.BIN, value: Uint8Array.from({ length: 37 }, (_, i) => (i * 73) & 0xff) },
    { tag: 1100008, type: T.STRING_ARRAY, value: ['a', '', 'ccc', 'ñ', 'x'.repeat(500)] },
    { tag: 1100009, type: T.I18NSTRING, value: ['Summary', 'Zusammenfassung'] },
    { tag: 1100010, type: T.STRING, value: '' },
    { tag: 1100011, type: T.INT8, value: [9] }, // odd length before the INT16 below
    { tag: 1100012, type: T.INT16, value: [1] },
    { tag: 1100013, type: T.STRING, value: 'odd' },
    { tag: 1100014, type: T.INT64, value: [42n] },
    // known tags of each storage type
    { tag: 1000, type: T.STRING, value: 'every-type' },
    { tag: 1030, type: T.INT16, value: [0o100644, 0o120777] }, // FILEMODES
    { tag: 1028, type: T.INT32, value: [1, 2] }, // FILESIZES
    { tag: 5008, type: T.INT64, value: [2n ** 33n, 1n] }, // LONGFILESIZES
    { tag: 1029, type: T.CHAR, value: [0, 1] }, // FILESTATES (CHAR array)
    { tag: 1146, type: T.BIN, value: Uint8Array.of(1, 2, 3, 4) }, // SOURCEPKGID
  ];
}

function i18nHeader(): HeaderEntryInput[] {
  return [
    { tag: 100, type: T.STRING_ARRAY, value: ['C', 'de', 'fr'] },
    { tag: 1000, type: T.STRING, value: 'i18n' },
    { tag: 1004, type: T.I18NSTRING, value: ['Summary', 'Zusammenfassung', 'Résumé'] },
    { tag: 1005, type: T.I18NSTRING, value: ['Description\nline 2', 'Beschreibung', 'Description en français'] },
    { tag: 1016, type: T.I18NSTRING, value: ['Applications/System'] }, // fewer than the table
  ];
}

/** A package-like header as apt-rpm's genpkglist / an .rpm main header would carry. */
function packageHeader(i: number): HeaderEntryInput[] {
  const name = `pkg${i}-lib${'x'.repeat(i % 5)}`;
  const nfiles = 1 + (i % 7);
  const dirs = ['/usr/bin/', '/usr/lib64/', `/usr/share/doc/${name}/`];
  const bases = Array.from({ length: nfiles }, (_, k) => (k === 0 ? name : `file${k}.so.${i}`));
  const dirIndexes = bases.map((_, k) => k % dirs.length);
  const deps = ['/bin/sh', 'libc.so.6()(64bit)', 'rpmlib(PayloadIsZstd)', `dep-${i}`].slice(0, 1 + (i % 4));
  const entries: HeaderEntryInput[] = [
    { tag: 100, type: T.STRING_ARRAY, value: ['C'] },
    { tag: 261, type: T.BIN, value: Uint8Array.from({ length: 16 }, (_, k) => (k * 31 + i) & 0xff) }, // SIGMD5
    { tag: 1000, type: T.STRING, value: name }, // NAME
    { tag: 1001, type: T.STRING, value: `${1 + (i % 3)}.${i}.0` }, // VERSION
    { tag: 1002, type: T.STRING, value: `alt${i % 4}` }, // RELEASE
    { tag: 1004, type: T.I18NSTRING, value: [`Summary of ${name} — ünïcode`] }, // SUMMARY
    { tag: 1005, type: T.I18NSTRING, value: [`Long description of ${name}.\n${'Lorem ipsum dolor sit amet. '.repeat(1 + (i % 9))}`] },
    { tag: 1006, type: T.INT32, value: [1_700_000_000 + i] }, // BUILDTIME
    { tag: 1009, type: T.INT32, value: [12345 * (i + 1)] }, // SIZE
    { tag: 1015, type: T.STRING, value: 'Packager <p@example.org>' }, // PACKAGER
    { tag: 1016, type: T.I18NSTRING, value: ['System/Libraries'] }, // GROUP
    { tag: 1022, type: T.STRING, value: i % 2 === 0 ? 'x86_64' : 'noarch' }, // ARCH
    { tag: 1028, type: T.INT32, value: bases.map((_, k) => k * 1000 + i) }, // FILESIZES
    { tag: 1030, type: T.INT16, value: bases.map((_, k) => (k === 0 ? 0o100755 : 0o100644)) }, // FILEMODES
    { tag: 1044, type: T.STRING, value: `${name}-1.0-alt1.src.rpm` }, // SOURCERPM
    { tag: 1047, type: T.STRING_ARRAY, value: [name, `${name}(x86-64)`] }, // PROVIDENAME
    { tag: 1048, type: T.INT32, value: deps.map((d, k) => (d.startsWith('rpmlib') ? 0x1000008 : k === 0 ? 0x100 : 0)) }, // REQUIREFLAGS
    { tag: 1049, type: T.STRING_ARRAY, value: deps }, // REQUIRENAME
    { tag: 1050, type: T.STRING_ARRAY, value: deps.map((d) => (d.startsWith('rpmlib') ? '5.4.18-1' : '')) }, // REQUIREVERSION
    { tag: 1112, type: T.INT32, value: [8, 8] }, // PROVIDEFLAGS
    { tag: 1113, type: T.STRING_ARRAY, value: ['1.0-alt1', '1.0-alt1'] }, // PROVIDEVERSION
    { tag: 1116, type: T.INT32, value: dirIndexes }, // DIRINDEXES
    { tag: 1117, type: T.STRING_ARRAY, value: bases }, // BASENAMES
    { tag: 1118, type: T.STRING_ARRAY, value: dirs }, // DIRNAMES
    { tag: 1146, type: T.BIN, value: Uint8Array.from({ length: 16 }, (_, k) => (k * 7 + i) & 0xff) }, // SOURCEPKGID
    { tag: 1155, type: T.STRING, value: `sisyphus+${300000 + i}.100.1.1` }, // DISTTAG
    { tag: 5008, type: T.INT64, value: bases.map((_, k) => (k === 0 ? 5n * 2n ** 32n + BigInt(i) : BigInt(k))) }, // LONGFILESIZES
    { tag: 1000000, type: T.STRING, value: `${name}-1.0-alt1.x86_64.rpm` }, // CRPMTAG_FILENAME
    { tag: 1000001, type: T.INT32, value: [4000 + i] }, // CRPMTAG_FILESIZE
    { tag: 1000005, type: T.STRING, value: 'd41d8cd98f00b204e9800998ecf8427e' }, // CRPMTAG_MD5
    { tag: 1000010, type: T.STRING, value: 'RPMS.classic' }, // CRPMTAG_DIRECTORY
  ];
  if (i % 3 === 1) entries.push({ tag: 1003, type: T.INT32, value: [i] }); // EPOCH, sometimes
  if (i % 4 === 2) {
    // a changelog
    entries.push(
      { tag: 1080, type: T.INT32, value: [1_690_000_000, 1_680_000_000] },
      { tag: 1081, type: T.STRING_ARRAY, value: ['Jane Dœ <j@example.org> 1.0-alt1', 'John <x@y> 0.9-alt1'] },
      { tag: 1082, type: T.STRING_ARRAY, value: ['- new upstream release', '- initial build'] },
    );
  }
  return entries;
}

// Random headers: unknown tags (rpm does not type-check them), every type, fixed seed.
const text = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.string({ unit: 'binary', maxLength: 10 }).map((s) => s.replaceAll('\0', '')),
  fc.string({ maxLength: 200 }),
);
const nonEmpty = <V>(a: fc.Arbitrary<V>, max = 8): fc.Arbitrary<V[]> => fc.array(a, { minLength: 1, maxLength: max });
const valueFor: Record<number, fc.Arbitrary<HeaderValue>> = {
  [T.CHAR]: nonEmpty(fc.integer({ min: -128, max: 255 })),
  [T.INT8]: nonEmpty(fc.integer({ min: -128, max: 255 })),
  [T.INT16]: nonEmpty(fc.integer({ min: -32768, max: 65535 })),
  [T.INT32]: nonEmpty(fc.integer({ min: -(2 ** 31), max: 2 ** 32 - 1 })),
  [T.INT64]: fc.oneof(
    nonEmpty(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 64n - 1n })),
    nonEmpty(fc.maxSafeInteger()) as unknown as fc.Arbitrary<bigint[]>,
  ),
  [T.STRING]: text,
  [T.BIN]: fc.uint8Array({ minLength: 1, maxLength: 64 }),
  [T.STRING_ARRAY]: nonEmpty(text),
  [T.I18NSTRING]: nonEmpty(text, 4),
};
const randomHeader = fc
  .uniqueArray(fc.integer({ min: 1_100_000, max: 0x7fffffff }), { minLength: 1, maxLength: 40 })
  .chain((tags) =>
    fc.tuple(
      ...tags.map((tag) =>
        fc
          .constantFrom<RpmTypeT>(1, 2, 3, 4, 5, 6, 7, 8, 9)
          .chain((type) => valueFor[type]!.map((value): HeaderEntryInput => ({ tag, type, value }))),
      ),
    ),
  );
const RANDOM_COUNT = 200;
const randomHeaders: HeaderEntryInput[][] = fc.sample(randomHeader, { seed: 4242, numRuns: RANDOM_COUNT });
const PACKAGE_COUNT = 24;
const packageHeaders = Array.from({ length: PACKAGE_COUNT }, (_, i) => packageHeader(i));

// ---------------------------------------------------------------------------------------------

if (!probe.ok && process.env['CI']) {
  describe('encodeHeader × python3-rpm', () => {
    it('needs python3-rpm in CI', () => {
      throw new Error(`${probe.reason}; CI is set, so the interop tests may not be skipped`);
    });
  });
}

describe.skipIf(!probe.ok)(`encodeHeader × python3-rpm${probe.ok ? ` ${probe.version}` : ` (skipped: ${probe.reason})`}`, () => {
  const tmp = mkdtempSync(join(tmpdir(), 'repokit-encode-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('reads every type, known and unknown tags, sorted and keepOrder', () => {
    const entries = everyTypeHeader();
    const shuffled = [...entries].reverse();
    const r = readWithPythonRpm({
      blobs: [encodeHeader(entries, { magic: false }), encodeHeader(shuffled, { magic: false, keepOrder: true })],
    });
    expectSame(r.blobs[0], entries, 'every type');
    expectTableTypes(r.blobs[0], entries.filter((e) => e.tag < 1100000), 'every type, known tags');
    // rpm accepts an unsorted region-less index (it sorts after import).
    expectSame(r.blobs[1], entries, 'every type, keepOrder reversed');
  });

  it('reads I18N strings against HEADERI18NTABLE, per locale', () => {
    const entries = i18nHeader();
    const blob = encodeHeader(entries, { magic: false });
    const c = readWithPythonRpm({ blobs: [blob] });
    expectSame(c.blobs[0], entries, 'i18n, LANG=C', 0);
    expectTableTypes(c.blobs[0], entries, 'i18n');
    const de = readWithPythonRpm({ blobs: [blob] }, { LANGUAGE: 'de' });
    expectSame(de.blobs[0], entries, 'i18n, LANGUAGE=de', 1);
    const fr = readWithPythonRpm({ blobs: [blob] }, { LANGUAGE: 'fr_FR.UTF-8' });
    expectSame(fr.blobs[0], entries, 'i18n, LANGUAGE=fr_FR.UTF-8', 2);
    // GROUP has one element: every locale falls back to it.
    const h = de.blobs[0];
    expect(h?.ok && h.py['1016']).toBe('Applications/System');
    expect(h?.ok && h.py['1004']).toBe('Zusammenfassung');
  });

  it(`reads ${PACKAGE_COUNT} package-like headers`, () => {
    const r = readWithPythonRpm({ blobs: packageHeaders.map((e) => encodeHeader(e, { magic: false })) });
    expect(r.blobs).toHaveLength(PACKAGE_COUNT);
    packageHeaders.forEach((e, i) => {
      expectSame(r.blobs[i], e, `package ${i}`);
      expectTableTypes(r.blobs[i], e, `package ${i}`);
    });
    // Spot checks through rpm's own tag semantics.
    const p1 = r.blobs[1];
    expect(p1?.ok && p1.py['1000']).toBe('pkg1-libx');
    expect(p1?.ok && p1.py['1003']).toEqual({ int: '1' });
    expect(p1?.ok && p1.py['1030']).toEqual([{ int: String(0o100755) }, { int: String(0o100644) }]);
    expect(p1?.ok && p1.py['5008']).toEqual([{ int: String(5n * 2n ** 32n + 1n) }, { int: '1' }]);
    expect(p1?.ok && p1.py['1117']).toEqual(['pkg1-libx', 'file1.so.1']);
  });

  it(`reads ${RANDOM_COUNT} random headers (fixed seed, unknown tags, every type)`, () => {
    const blobs = randomHeaders.map((e, i) => encodeHeader(e, { magic: false, keepOrder: i % 5 === 0 }));
    const r = readWithPythonRpm({ blobs });
    expect(r.blobs).toHaveLength(RANDOM_COUNT);
    randomHeaders.forEach((e, i) => expectSame(r.blobs[i], e, `random ${i}`));
  });

  it('reads a header list (magic + blob, back to back) with readHeaderListFromFile', () => {
    const list = [...packageHeaders.slice(0, 8), i18nHeader(), everyTypeHeader(), ...randomHeaders.slice(0, 20)];
    const file = join(tmp, 'pkglist.classic');
    writeFileSync(file, concatBytes(list.map((e) => encodeHeader(e))));
    const one = join(tmp, 'single');
    writeFileSync(one, encodeHeader(packageHeaders[3]!));
    const r = readWithPythonRpm({ files: [file, one] });
    const f = r.files[0];
    if (!f?.ok) throw new Error(`readHeaderListFromFile failed: ${f?.error}`);
    expect(f.headers).toHaveLength(list.length);
    list.forEach((e, i) => expectSame(f.headers[i], e, `list ${i}`));
    const g = r.files[1];
    if (!g?.ok) throw new Error(`readHeaderListFromFile failed: ${g?.error}`);
    expect(g.headers).toHaveLength(1);
    expectSame(g.headers[0], packageHeaders[3]!, 'single-header list');
  });

  it('rpm rejects what the encoder refuses to write (so the encoder’s rules are the reader’s rules)', () => {
    const good = encodeHeader([
      { tag: 1000, type: T.STRING, value: 'ab' },
      { tag: 1003, type: T.INT32, value: [1] },
    ]);
    const noMagic = good.subarray(8);
    const patch = (f: (dv: DataView, b: Uint8Array) => void, from: Uint8Array = noMagic): Uint8Array => {
      const b = Uint8Array.from(from);
      f(new DataView(b.buffer), b);
      return b;
    };
    // Index entry i starts at 8 + 16·i in a magic-less blob.
    const cases: [string, Uint8Array][] = [
      ['control: the good blob', noMagic],
      ['with the 8-byte magic (rpm.hdr wants the bare blob)', good],
      ['trailing zero padding after the last item', patch((dv, b) => {
        void b;
        dv.setUint32(4, dv.getUint32(4) + 1);
      }, concatBytes([noMagic, new Uint8Array(1)]))],
      ['INT32 not aligned (packed right after the string)', patch((dv) => dv.setUint32(8 + 16 + 8, 3))],
      ['count 0', patch((dv) => dv.setUint32(8 + 16 + 12, 0))],
      ['tag 99', patch((dv) => dv.setUint32(8, 99))],
      ['tag 2^31 (read back as a negative int32)', patch((dv) => dv.setUint32(8 + 16, 0x80000000 + 1003))],
      ['type NULL', patch((dv) => dv.setUint32(8 + 16 + 4, 0))],
      ['type 10', patch((dv) => dv.setUint32(8 + 16 + 4, 10))],
      ['no entries (il = 0, dl = 0)', new Uint8Array(8)],
      ['duplicate tag (accepted by rpm; the encoder refuses it anyway)', patch((dv) => dv.setUint32(8 + 16, 1000))],
    ];
    const r = readWithPythonRpm({ blobs: cases.map((c) => c[1]) });
    const verdict = Object.fromEntries(cases.map(([name], i) => [name, r.blobs[i]?.ok === true]));
    expect(verdict).toEqual({
      'control: the good blob': true,
      'with the 8-byte magic (rpm.hdr wants the bare blob)': false,
      'trailing zero padding after the last item': false,
      'INT32 not aligned (packed right after the string)': false,
      'count 0': false,
      'tag 99': false,
      'tag 2^31 (read back as a negative int32)': false,
      'type NULL': false,
      'type 10': false,
      'no entries (il = 0, dl = 0)': false,
      'duplicate tag (accepted by rpm; the encoder refuses it anyway)': true,
    });
  });
});
