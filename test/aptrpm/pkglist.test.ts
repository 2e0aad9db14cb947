/**
 * pkglist/srclist generation on hand-made headers: what is copied raw, the file-list triple (full,
 * stripped with first-use directory numbering, converted from OLDFILENAMES, refused when
 * inconsistent), changelog policies, ALT tags, ordering and argument checks.
 */
import { describe, expect, it } from 'vitest';
import { encodeHeader, parseHeader, RpmType, type Header, type HeaderEntryInput } from '../../src/rpm/index.js';
import {
  binaryIndex,
  buildPkglist,
  buildPkglistHeaders,
  buildSrclist,
  parsePkglist,
  usefulFile,
  type PackageFileInfo,
} from '../../src/aptrpm/index.js';
import { encodeRawHeader, rawEntryOf } from '../../src/aptrpm/raw-header.js';
import { rpmError } from '../helpers/errors.js';

const MD5 = '0123456789abcdef0123456789abcdef';
const B2 = 'ab'.repeat(64);

function hdr(entries: HeaderEntryInput[]): Header {
  return parseHeader(encodeHeader(entries, { region: 63 }), { kind: 'main' });
}

function pkg(name: string, extra: HeaderEntryInput[] = [], srpm: string | null = `${name}-1-1.src.rpm`): Header {
  const base: HeaderEntryInput[] = [
    { tag: 1000, type: RpmType.STRING, value: name },
    { tag: 1001, type: RpmType.STRING, value: '1' },
    { tag: 1002, type: RpmType.STRING, value: '1' },
    { tag: 1022, type: RpmType.STRING, value: 'x86_64' },
  ];
  if (srpm !== null) base.push({ tag: 1044, type: RpmType.STRING, value: srpm });
  return hdr([...base, ...extra]);
}

const file = (name: string, over: Partial<PackageFileInfo> = {}): PackageFileInfo => ({ name, size: 10, md5: MD5, blake2b: B2, ...over });

function one(h: Header, options: Parameters<typeof buildPkglist>[1] = {}, f = file('p.rpm')): Header {
  const [e] = [...parsePkglist(buildPkglist([{ header: h, file: f }], options))];
  return e!.header;
}

const files = (h: Header) => {
  const b = h.getStringArray(1117);
  if (b === undefined) return [];
  const d = h.getStringArray(1118)!;
  return h.getNumbers(1116)!.map((i, k) => d[i]! + b[k]!);
};

describe('usefulFile (genpkglist rules)', () => {
  const none = new Set<string>();
  it.each([
    ['/usr/bin/', 'x', true],
    ['/opt/foo/sbin/', 'x', true],
    ['/usr/binx/', 'x', false],
    ['/usr/games/', 'x', true],
    ['/usr/games/sub/', 'x', false],
    ['/usr/lib/kde4bin/', 'x', true],
    ['/usr/share/java/a/', 'x.jar', true],
    ['/usr/share/java/', 'x.txt', false],
    ['/usr/share/fonts/t/', 'A.ttf', true],
    ['/usr/share/fonts/t/', 'A.otf', true],
    ['/usr/share/fonts/t/', 'A.pcf', false],
    ['/usr/lib64/', 'libfoo.so.1', true],
    ['/usr/lib64/', 'libfoo.sox', true],
    ['/usr/lib64/', 'lib.so', true], // strstr(b + 3, ".so") matches right after "lib"
    ['/usr/lib64/', 'foo.so', false],
    ['/etc/', 'passwd', false],
  ])('%s%s → %s', (dir, base, want) => {
    expect(usefulFile(dir, base, none)).toBe(want);
  });
  it('paths in the set are useful', () => {
    expect(usefulFile('/etc/', 'passwd', new Set(['/etc/passwd']))).toBe(true);
  });
});

describe('pkglist headers', () => {
  const withFiles = pkg('files', [
    { tag: 1116, type: RpmType.INT32, value: [0, 1, 0, 2, 1] },
    { tag: 1117, type: RpmType.STRING_ARRAY, value: ['README', 'tool', 'LICENSE', 'libx.so.1', 'other'] },
    { tag: 1118, type: RpmType.STRING_ARRAY, value: ['/usr/share/doc/files/', '/usr/bin/', '/usr/lib64/'] },
    { tag: 1047, type: RpmType.STRING_ARRAY, value: ['files'] },
  ]);

  it('full lists are copied raw; stripped lists renumber directories in first-use order', () => {
    const full = one(withFiles);
    expect(full.raw(1117)).toEqual(withFiles.raw(1117));
    expect(full.raw(1116)).toEqual(withFiles.raw(1116));
    const stripped = one(withFiles, { fileList: 'stripped' });
    expect(stripped.getStringArray(1118)).toEqual(['/usr/bin/', '/usr/lib64/']);
    expect(stripped.getNumbers(1116)).toEqual([0, 1, 0]);
    expect(files(stripped)).toEqual(['/usr/bin/tool', '/usr/lib64/libx.so.1', '/usr/bin/other']);
    // A path dependency of another package in the same list keeps a file.
    const other = pkg('needs', [
      { tag: 1049, type: RpmType.STRING_ARRAY, value: ['/usr/share/doc/files/LICENSE'] },
      { tag: 1048, type: RpmType.INT32, value: [0] },
      { tag: 1050, type: RpmType.STRING_ARRAY, value: [''] },
    ]);
    const both = buildPkglistHeaders(
      [
        { header: withFiles, file: file('files-1-1.x86_64.rpm') },
        { header: other, file: file('needs-1-1.x86_64.rpm') },
      ],
      { fileList: 'stripped', usefulFiles: ['/usr/lib64/other'] },
    );
    const h = [...parsePkglist(both.headers[0]!)][0]!.header;
    expect(files(h)).toEqual(['/usr/bin/tool', '/usr/share/doc/files/LICENSE', '/usr/lib64/libx.so.1', '/usr/bin/other']);
    expect(h.getStringArray(1118)).toEqual(['/usr/bin/', '/usr/share/doc/files/', '/usr/lib64/']);
  });

  it('no useful file: no file tags at all (never BASENAMES alone)', () => {
    const h = one(pkg('docs', [
      { tag: 1116, type: RpmType.INT32, value: [0] },
      { tag: 1117, type: RpmType.STRING_ARRAY, value: ['README'] },
      { tag: 1118, type: RpmType.STRING_ARRAY, value: ['/usr/share/doc/'] },
    ]), { fileList: 'stripped' });
    expect([1116, 1117, 1118].map((t) => h.has(t))).toEqual([false, false, false]);
  });

  it('OLDFILENAMES becomes a deduplicated triple', () => {
    const h = one(pkg('old', [{ tag: 1027, type: RpmType.STRING_ARRAY, value: ['/usr/bin/a', '/etc/x.conf', '/usr/bin/b', '/usr/share'] }]));
    expect(h.getStringArray(1118)).toEqual(['/usr/bin/', '/etc/', '/usr/']);
    expect(h.getNumbers(1116)).toEqual([0, 1, 0, 2]);
    expect(files(h)).toEqual(['/usr/bin/a', '/etc/x.conf', '/usr/bin/b', '/usr/share']);
    expect(h.has(1027)).toBe(false);
  });

  it('an inconsistent file list is refused (RPM_INCONSISTENT), not copied', () => {
    const noIndex = pkg('bad', [
      { tag: 1117, type: RpmType.STRING_ARRAY, value: ['a'] },
      { tag: 1118, type: RpmType.STRING_ARRAY, value: ['/'] },
    ]);
    expect(rpmError(() => one(noIndex)).code).toBe('RPM_INCONSISTENT');
    const outOfRange = pkg('bad', [
      { tag: 1116, type: RpmType.INT32, value: [3] },
      { tag: 1117, type: RpmType.STRING_ARRAY, value: ['a'] },
      { tag: 1118, type: RpmType.STRING_ARRAY, value: ['/'] },
    ]);
    expect(rpmError(() => one(outOfRange)).code).toBe('RPM_INCONSISTENT');
  });

  it('changelog: all (default), none, or since N plus one older entry', () => {
    const h = pkg('log', [
      { tag: 1080, type: RpmType.INT32, value: [400, 300, 200, 100] },
      { tag: 1081, type: RpmType.STRING_ARRAY, value: ['d', 'c', 'b', 'a'] },
      { tag: 1082, type: RpmType.STRING_ARRAY, value: ['4', '3', '2', '1'] },
    ]);
    expect(one(h).getNumbers(1080)).toEqual([400, 300, 200, 100]);
    expect(one(h, { changelog: 'none' }).has(1080)).toBe(false);
    expect(one(h, { changelog: { since: 300 } }).getStringArray(1081)).toEqual(['d', 'c', 'b']);
    expect(one(h, { changelog: { since: 50 } }).getNumbers(1080)).toEqual([400, 300, 200, 100]);
    expect(rpmError(() => one(h, { changelog: { since: -1 } })).code).toBe('INVALID_ARGUMENT');
  });

  it('copies the listed tags raw (I18N with its table, EPOCH, DISTTAG, BUILDTIME), nothing else but the ALT tags', () => {
    const h = pkg('i18n', [
      { tag: 100, type: RpmType.STRING_ARRAY, value: ['C', 'de'] },
      { tag: 1003, type: RpmType.INT32, value: [7] },
      { tag: 1004, type: RpmType.I18NSTRING, value: ['hello', 'hallo'] },
      { tag: 1006, type: RpmType.INT32, value: [1700000000] },
      { tag: 1155, type: RpmType.STRING, value: 'p10+1.1' },
      { tag: 1014, type: RpmType.STRING, value: 'MIT' }, // LICENSE: not copied
      { tag: 5034, type: RpmType.STRING_ARRAY, value: ['x'] },
    ]);
    const out = one(h, {}, file('i18n-1-1.x86_64.rpm'));
    for (const t of [100, 1000, 1001, 1002, 1003, 1004, 1006, 1022, 1044, 1155]) expect(out.raw(t), `tag ${t}`).toEqual(h.raw(t));
    expect(out.getI18n(1004, 'de_DE')).toBe('hallo');
    expect(out.tags()).toEqual([100, 1000, 1001, 1002, 1003, 1004, 1006, 1022, 1044, 1155, 1000000, 1000001, 1000005, 1000009, 1000010]);
    expect(out.getString(1000000)).toBe('i18n-1-1.x86_64.rpm');
    expect(out.getNumber(1000001)).toBe(10);
    expect(out.getString(1000010)).toBe('RPMS.classic');
    expect(one(h, { extraTags: [1014] }).getString(1014)).toBe('MIT');
    expect(rpmError(() => one(h, { extraTags: [1000005] })).code).toBe('INVALID_ARGUMENT');
    // Without BLAKE2b the tag is left out.
    expect(one(h, {}, file('x.rpm', { blake2b: undefined })).has(1000009)).toBe(false);
  });

  it('is sorted, packed and aligned as headerExport writes it (the rpm encoder agrees)', () => {
    const h = pkg('align', [
      { tag: 1003, type: RpmType.INT32, value: [1] },
      { tag: 1004, type: RpmType.I18NSTRING, value: ['odd'] },
    ]);
    const bytes = buildPkglist([{ header: h, file: file('a.rpm') }]);
    const back = [...parsePkglist(bytes)][0]!.header;
    const tags = back.entries.map((e) => e.tag);
    expect(tags).toEqual([...tags].sort((x, y) => x - y));
    expect(encodeRawHeader(back.tags().map((t) => rawEntryOf(back, t)!))).toEqual(bytes);
    expect(encodeHeader(back.tags().map((t) => ({ tag: t, type: back.entry(t)!.type as RpmType, value: back.get(t)! })))).toEqual(bytes);
  });

  it('orders headers by SOURCERPM, then file name; refuses duplicates, sources and bad file facts', () => {
    const recs = [
      { header: pkg('z', [], 'a-1.src.rpm'), file: file('z.rpm') },
      { header: pkg('b', [], 'b-1.src.rpm'), file: file('b.rpm') },
      { header: pkg('y', [], 'a-1.src.rpm'), file: file('y.rpm') },
    ];
    expect(buildPkglistHeaders(recs).records.map((r) => r.file.name)).toEqual(['y.rpm', 'z.rpm', 'b.rpm']);
    expect(binaryIndex(recs)).toEqual(new Map([['a-1.src.rpm', ['y', 'z']], ['b-1.src.rpm', ['b']]]));
    expect(rpmError(() => buildPkglist([recs[0]!, { ...recs[1]!, file: file('z.rpm') }])).code).toBe('APTRPM_DUPLICATE_PACKAGE');
    expect(rpmError(() => one(pkg('src', [], null))).code).toBe('APTRPM_INVALID_PACKAGE');
    expect(rpmError(() => one(pkg('a'), {}, file('a/b.rpm'))).code).toBe('APTRPM_BAD_NAME');
    expect(rpmError(() => one(pkg('a'), {}, file('a.rpm', { size: 2 ** 32 }))).code).toBe('LIMIT_EXCEEDED');
    expect(rpmError(() => one(pkg('a'), {}, file('a.rpm', { md5: 'x' }))).code).toBe('INVALID_ARGUMENT');
    expect(rpmError(() => one(pkg('a'), { component: '../x' })).code).toBe('APTRPM_BAD_NAME');
  });
});

describe('srclist headers', () => {
  it("gensrclist's tags, the directory, and CRPMTAG_BINARY only for sources that built something", () => {
    const src = (name: string) =>
      hdr([
        { tag: 1000, type: RpmType.STRING, value: name },
        { tag: 1001, type: RpmType.STRING, value: '1' },
        { tag: 1002, type: RpmType.STRING, value: '1' },
        { tag: 1106, type: RpmType.INT32, value: [1] },
        { tag: 1049, type: RpmType.STRING_ARRAY, value: ['gcc'] },
        { tag: 1048, type: RpmType.INT32, value: [0] },
        { tag: 1050, type: RpmType.STRING_ARRAY, value: [''] },
        { tag: 1112, type: RpmType.INT32, value: [0] }, // not a gensrclist tag
      ]);
    const bins = new Map([['b-1-1.src.rpm', ['b', 'b-devel']]]);
    const list = buildSrclist(
      [
        { header: src('b'), file: file('b-1-1.src.rpm') },
        { header: src('a'), file: file('a-1-1.src.rpm') },
      ],
      { binaries: bins, flat: true },
    );
    const [a, b] = [...parsePkglist(list)].map((e) => e.header);
    expect(a!.getString(1000)).toBe('a');
    expect(a!.has(1000011)).toBe(false);
    expect(a!.has(1112)).toBe(false);
    expect(a!.getStringArray(1049)).toEqual(['gcc']);
    expect(a!.getString(1000010)).toBe('./SRPMS.classic');
    expect(b!.getStringArray(1000011)).toEqual(['b', 'b-devel']);
    const mapi = buildSrclist([{ header: src('a'), file: file('a-1-1.src.rpm') }], { binaries: bins, onlyWithBinaries: true });
    expect(mapi.length).toBe(0);
    expect(rpmError(() => buildSrclist([{ header: pkg('bin'), file: file('bin.rpm') }])).code).toBe('APTRPM_INVALID_PACKAGE');
  });
});
