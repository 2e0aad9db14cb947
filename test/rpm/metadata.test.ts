/**
 * Typed metadata (rpm.md §2.7 and §3): dependencies (C1), file lists (C2), changelog, sizes and
 * identity, on hand-built main headers. Cross-tag errors assert code and offset and snapshot the
 * message, like header.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { parseHeader, type Header } from '../../src/rpm/header.js';
import {
  allDependencies,
  changelog,
  dependencies,
  fileDigestAlgorithm,
  fileNames,
  filePaths,
  files,
  headerEvr,
  installedSize,
  packageEpoch,
  packageName,
  payloadInfo,
  rpmMetadata,
} from '../../src/rpm/metadata.js';
import { parseRpm } from '../../src/rpm/package.js';
import { RPMTAG } from '../../src/rpm/tags.js';
import { RpmType as T } from '../../src/rpm/types.js';
import { expectError, rpmError } from '../helpers/errors.js';
import { buildHeader, buildPackage, minimalMainEntries, type TestEntry } from './hdr-builder.js';



const BASE = 5000;

/** A main header (region 63) from entries sorted by tag, placed at absolute offset BASE. */
function header(entries: TestEntry[]): { h: Header; dataAt: (tag: number) => number } {
  const sorted = [...entries].sort((a, b) => a.tag - b.tag);
  const b = buildHeader(sorted, { region: 63 });
  const h = parseHeader(b.bytes, { kind: 'main', base: BASE });
  return { h, dataAt: (tag) => BASE + b.dataStart + h.entry(tag)!.offset };
}

const strs = (tag: number, value: string[]): TestEntry => ({ tag, type: T.STRING_ARRAY, value });
const i32 = (tag: number, value: number[]): TestEntry => ({ tag, type: T.INT32, value });
const i16 = (tag: number, value: number[]): TestEntry => ({ tag, type: T.INT16, value });
const i64 = (tag: number, value: bigint[]): TestEntry => ({ tag, type: T.INT64, value });
const str = (tag: number, value: string): TestEntry => ({ tag, type: T.STRING, value });

describe('dependencies (C1)', () => {
  it('name / version / flags triplets', () => {
    const { h } = header([
      strs(RPMTAG.REQUIRENAME, ['/bin/sh', 'libc.so.6()(64bit)', 'rpmlib(CompressedFileNames)', '(a or b)']),
      strs(RPMTAG.REQUIREVERSION, ['', '', '3.0.4-1', '']),
      i32(RPMTAG.REQUIREFLAGS, [0x300, 0x4000, 0x100000a, 0]),
      strs(RPMTAG.PROVIDENAME, ['hello']),
      strs(RPMTAG.PROVIDEVERSION, ['1:2.0-1']),
      i32(RPMTAG.PROVIDEFLAGS, [8]),
    ]);
    expect(dependencies(h, 'requires')).toEqual([
      { name: '/bin/sh', version: '', flags: 0x300, operator: '', flagNames: ['INTERP', 'SCRIPT_PRE'], rich: false },
      { name: 'libc.so.6()(64bit)', version: '', flags: 0x4000, operator: '', flagNames: ['FIND_REQUIRES'], rich: false },
      {
        name: 'rpmlib(CompressedFileNames)',
        version: '3.0.4-1',
        flags: 0x100000a,
        operator: '<=',
        flagNames: ['LESS', 'EQUAL', 'RPMLIB'],
        rich: false,
      },
      { name: '(a or b)', version: '', flags: 0, operator: '', flagNames: [], rich: true },
    ]);
    expect(dependencies(h, 'provides')).toEqual([
      { name: 'hello', version: '1:2.0-1', flags: 8, operator: '=', flagNames: ['EQUAL'], rich: false },
    ]);
    const all = allDependencies(h);
    expect(Object.keys(all)).toEqual(['provides', 'requires', 'conflicts', 'obsoletes', 'recommends', 'suggests', 'supplements', 'enhances']);
    expect(all.conflicts).toEqual([]);
  });

  it('absent version and flags arrays are tolerated (old packages)', () => {
    const { h } = header([strs(RPMTAG.OBSOLETENAME, ['old-a', 'old-b'])]);
    expect(dependencies(h, 'obsoletes')).toEqual([
      { name: 'old-a', version: '', flags: 0, operator: '', flagNames: [], rich: false },
      { name: 'old-b', version: '', flags: 0, operator: '', flagNames: [], rich: false },
    ]);
  });

  it('a VERSION array of another length is RPM_INCONSISTENT', () => {
    const { h, dataAt } = header([strs(RPMTAG.REQUIRENAME, ['a', 'b']), strs(RPMTAG.REQUIREVERSION, ['1'])]);
    expectError(() => dependencies(h, 'requires'), 'RPM_INCONSISTENT', dataAt(RPMTAG.REQUIREVERSION));
  });

  it('a FLAGS array of another length is RPM_INCONSISTENT', () => {
    const { h, dataAt } = header([strs(RPMTAG.CONFLICTNAME, ['a']), i32(RPMTAG.CONFLICTFLAGS, [0, 8])]);
    expectError(() => dependencies(h, 'conflicts'), 'RPM_INCONSISTENT', dataAt(RPMTAG.CONFLICTFLAGS));
  });

  it('triggers carry their script index, which must have the same length', () => {
    const ok = header([
      strs(RPMTAG.TRIGGERNAME, ['glibc', 'bash']),
      strs(RPMTAG.TRIGGERVERSION, ['', '']),
      i32(RPMTAG.TRIGGERFLAGS, [0x10000, 0x20000]),
      i32(RPMTAG.TRIGGERINDEX, [0, 1]),
    ]);
    expect(dependencies(ok.h, 'triggers').map((d) => [d.name, d.index])).toEqual([
      ['glibc', 0],
      ['bash', 1],
    ]);
    const bad = header([strs(RPMTAG.TRIGGERNAME, ['glibc', 'bash']), i32(RPMTAG.TRIGGERINDEX, [0])]);
    expectError(() => dependencies(bad.h, 'triggers'), 'RPM_INCONSISTENT', bad.dataAt(RPMTAG.TRIGGERINDEX));
  });

  it('no names, no dependencies; an unknown kind is INVALID_ARGUMENT', () => {
    const { h } = header([str(RPMTAG.NAME, 'x')]);
    expect(dependencies(h, 'enhances')).toEqual([]);
    expect(rpmError(() => dependencies(h, 'depends')).code).toBe('INVALID_ARGUMENT');
  });
});

describe('files (C2)', () => {
  const compressed = (extra: TestEntry[] = []) => [
    strs(RPMTAG.DIRNAMES, ['/etc/', '/usr/bin/']),
    i32(RPMTAG.DIRINDEXES, [1, 0, 1]),
    strs(RPMTAG.BASENAMES, ['hello', 'hello.conf', 'sh']),
    ...extra,
  ];

  it('paths are DIRNAMES[DIRINDEXES[i]] + BASENAMES[i]', () => {
    const { h } = header(compressed());
    expect(filePaths(h)).toEqual([
      { path: '/usr/bin/hello', dirname: '/usr/bin/', basename: 'hello' },
      { path: '/etc/hello.conf', dirname: '/etc/', basename: 'hello.conf' },
      { path: '/usr/bin/sh', dirname: '/usr/bin/', basename: 'sh' },
    ]);
  });

  it('every per-file attribute', () => {
    const { h } = header(
      compressed([
        i32(RPMTAG.FILESIZES, [100, 20, 7]),
        i16(RPMTAG.FILEMODES, [0o100755, 0o100644, 0o120777]),
        i16(RPMTAG.FILERDEVS, [0, 0, 0]),
        i32(RPMTAG.FILEMTIMES, [1700000000, 1700000001, 1700000002]),
        strs(RPMTAG.FILEDIGESTS, ['aa', 'bb', '']),
        strs(RPMTAG.FILELINKTOS, ['', '', 'bash']),
        i32(RPMTAG.FILEFLAGS, [0, 0x11, 0x40]),
        strs(RPMTAG.FILEUSERNAME, ['root', 'root', 'root']),
        strs(RPMTAG.FILEGROUPNAME, ['root', 'wheel', 'root']),
        i32(RPMTAG.FILEVERIFYFLAGS, [0xffffffff, 0xffffffff, 0]),
        i32(RPMTAG.FILEDEVICES, [1, 1, 1]),
        i32(RPMTAG.FILEINODES, [1, 2, 3]),
        strs(RPMTAG.FILELANGS, ['', 'de', '']),
        i32(RPMTAG.FILECOLORS, [2, 0, 0]),
        strs(RPMTAG.FILECAPS, ['cap_net_raw=ep', '', '']),
        i32(RPMTAG.FILEDIGESTALGO, [8]),
      ]),
    );
    const f = files(h);
    expect(f[0]).toEqual({
      path: '/usr/bin/hello',
      dirname: '/usr/bin/',
      basename: 'hello',
      size: 100,
      mode: 0o100755,
      rdev: 0,
      mtime: 1700000000,
      digest: 'aa',
      linkTo: '',
      flags: 0,
      attributes: {
        config: false,
        doc: false,
        icon: false,
        missingok: false,
        noreplace: false,
        specfile: false,
        ghost: false,
        license: false,
        readme: false,
        pubkey: false,
        artifact: false,
      },
      user: 'root',
      group: 'root',
      verifyFlags: 0xffffffff,
      device: 1,
      inode: 1,
      lang: '',
      color: 2,
      caps: 'cap_net_raw=ep',
    });
    expect(f[1]).toMatchObject({ group: 'wheel', lang: 'de', flags: 0x11, attributes: { config: true, noreplace: true, doc: false } });
    expect(f[2]).toMatchObject({ linkTo: 'bash', mode: 0o120777, attributes: { ghost: true } });
    expect(fileDigestAlgorithm(h)).toEqual({ id: 8, name: 'sha256' });
  });

  it('absent per-file arrays give defaults', () => {
    const { h } = header(compressed());
    expect(files(h)[0]).toMatchObject({ size: 0, mode: 0, digest: '', user: '', group: '', caps: '' });
    expect(fileDigestAlgorithm(h)).toEqual({ id: 1, name: 'md5' });
  });

  it('no files at all', () => {
    const { h } = header([str(RPMTAG.NAME, 'x')]);
    expect(files(h)).toEqual([]);
  });

  it('a directory index outside DIRNAMES', () => {
    const { h, dataAt } = header([
      strs(RPMTAG.DIRNAMES, ['/etc/']),
      i32(RPMTAG.DIRINDEXES, [0, 1]),
      strs(RPMTAG.BASENAMES, ['a', 'b']),
    ]);
    expectError(() => files(h), 'RPM_INCONSISTENT', dataAt(RPMTAG.DIRINDEXES));
  });

  it('DIRINDEXES of another length than BASENAMES', () => {
    const { h, dataAt } = header([strs(RPMTAG.DIRNAMES, ['/etc/']), i32(RPMTAG.DIRINDEXES, [0]), strs(RPMTAG.BASENAMES, ['a', 'b'])]);
    expectError(() => files(h), 'RPM_INCONSISTENT', dataAt(RPMTAG.DIRINDEXES));
  });

  it('DIRNAMES with more entries than BASENAMES', () => {
    const { h, dataAt } = header([strs(RPMTAG.DIRNAMES, ['/a/', '/b/', '/c/']), i32(RPMTAG.DIRINDEXES, [0, 1]), strs(RPMTAG.BASENAMES, ['a', 'b'])]);
    expectError(() => filePaths(h), 'RPM_INCONSISTENT', dataAt(RPMTAG.DIRNAMES));
  });

  it('BASENAMES without DIRNAMES (0 directories)', () => {
    const { h } = header([i32(RPMTAG.DIRINDEXES, [0]), strs(RPMTAG.BASENAMES, ['a'])]);
    // DIRNAMES is absent, so the error points at the start of the data section.
    expectError(() => filePaths(h), 'RPM_INCONSISTENT', BASE + 16 + 16 * 3);
  });

  it.each([
    ['FILEMODES (INT16)', i16(RPMTAG.FILEMODES, [0o644, 0o644])],
    ['FILESIZES (INT32)', i32(RPMTAG.FILESIZES, [1])],
    ['FILEDIGESTS (STRING_ARRAY)', strs(RPMTAG.FILEDIGESTS, ['', '', '', ''])],
    ['LONGFILESIZES (INT64)', i64(RPMTAG.LONGFILESIZES, [1n, 2n])],
  ])('a per-file array of the wrong length: %s', (_name, entry) => {
    const { h, dataAt } = header(compressed([entry]));
    expectError(() => files(h), 'RPM_INCONSISTENT', dataAt(entry.tag));
  });

  it('OLDFILENAMES when there are no BASENAMES (v3 / --nodirtokens)', () => {
    const { h } = header([strs(RPMTAG.OLDFILENAMES, ['/etc/a.conf', '/b', 'rel']), i32(RPMTAG.FILESIZES, [1, 2, 3])]);
    expect(files(h).map((f) => [f.path, f.dirname, f.basename, f.size])).toEqual([
      ['/etc/a.conf', '/etc/', 'a.conf', 1],
      ['/b', '/', 'b', 2],
      ['rel', '', 'rel', 3],
    ]);
  });

  it('BASENAMES win over OLDFILENAMES when both are present', () => {
    const { h } = header(compressed([strs(RPMTAG.OLDFILENAMES, ['/x', '/y', '/z'])]));
    expect(filePaths(h).map((p) => p.path)).toEqual(['/usr/bin/hello', '/etc/hello.conf', '/usr/bin/sh']);
  });

  it('LONGFILESIZES are preferred over FILESIZES', () => {
    const { h } = header(compressed([i32(RPMTAG.FILESIZES, [1, 2, 3]), i64(RPMTAG.LONGFILESIZES, [5_000_000_000n, 20n, 7n])]));
    expect(files(h).map((f) => f.size)).toEqual([5_000_000_000, 20, 7]);
  });

  it('LONGFILESIZES beyond 2^53 cannot be numbers', () => {
    const { h, dataAt } = header(compressed([i64(RPMTAG.LONGFILESIZES, [2n ** 60n, 1n, 1n])]));
    expectError(() => files(h), 'LIMIT_EXCEEDED', dataAt(RPMTAG.LONGFILESIZES));
  });
});

describe('changelog', () => {
  it('parallel arrays, newest first as stored', () => {
    const { h } = header([
      i32(RPMTAG.CHANGELOGTIME, [1700000000, 1600000000]),
      strs(RPMTAG.CHANGELOGNAME, ['Jane <j@example.org> - 2.0-1', 'Joe <joe@example.org> - 1.0-1']),
      strs(RPMTAG.CHANGELOGTEXT, ['- new', '- initial']),
    ]);
    expect(changelog(h)).toEqual([
      { time: 1700000000, name: 'Jane <j@example.org> - 2.0-1', text: '- new' },
      { time: 1600000000, name: 'Joe <joe@example.org> - 1.0-1', text: '- initial' },
    ]);
  });

  it('no CHANGELOGTIME, no changelog', () => {
    expect(changelog(header([strs(RPMTAG.CHANGELOGNAME, ['x'])]).h)).toEqual([]);
  });

  it('arrays of different lengths are RPM_INCONSISTENT', () => {
    const { h, dataAt } = header([
      i32(RPMTAG.CHANGELOGTIME, [1, 2]),
      strs(RPMTAG.CHANGELOGNAME, ['a', 'b']),
      strs(RPMTAG.CHANGELOGTEXT, ['only one']),
    ]);
    expectError(() => changelog(h), 'RPM_INCONSISTENT', dataAt(RPMTAG.CHANGELOGTIME));
  });
});

describe('sizes and identity', () => {
  it('installed size: LONGSIZE over SIZE, null when neither', () => {
    expect(installedSize(header([i32(RPMTAG.SIZE, [1234])]).h)).toBe(1234);
    expect(installedSize(header([i32(RPMTAG.SIZE, [1234]), i64(RPMTAG.LONGSIZE, [6_000_000_000n])]).h)).toBe(6_000_000_000);
    expect(installedSize(header([str(RPMTAG.NAME, 'x')]).h)).toBeNull();
  });

  it('epoch: null when absent, 0 when stored as 0', () => {
    expect(packageEpoch(header([str(RPMTAG.NAME, 'x')]).h)).toBeNull();
    expect(packageEpoch(header([i32(RPMTAG.EPOCH, [0])]).h)).toBe(0);
    expect(headerEvr(header([str(RPMTAG.VERSION, '1.0'), str(RPMTAG.RELEASE, '2'), i32(RPMTAG.EPOCH, [3])]).h)).toBe('3:1.0-2');
  });

  it('missing NAME is RPM_MISSING_TAG at the header', () => {
    const { h } = header([str(RPMTAG.VERSION, '1.0')]);
    expectError(() => packageName(h), 'RPM_MISSING_TAG', BASE);
  });

  it('rpmMetadata: missing NAME, VERSION or RELEASE point at the main header', () => {
    for (const tag of [RPMTAG.NAME, RPMTAG.VERSION, RPMTAG.RELEASE]) {
      const p = buildPackage({ main: minimalMainEntries().filter((e) => e.tag !== tag) });
      expectError(() => rpmMetadata(parseRpm(p.bytes)), 'RPM_MISSING_TAG', p.H);
    }
  });

  it('payload info: format defaults to cpio, compressor and flags null when absent', () => {
    expect(payloadInfo(header([str(RPMTAG.NAME, 'x')]).h)).toEqual({ format: 'cpio', compressor: null, flags: null });
    expect(
      payloadInfo(header([str(RPMTAG.PAYLOADFORMAT, 'cpio'), str(RPMTAG.PAYLOADCOMPRESSOR, 'zstd'), str(RPMTAG.PAYLOADFLAGS, '19')]).h),
    ).toEqual({ format: 'cpio', compressor: 'zstd', flags: '19' });
  });

  it('rpmMetadata of a small binary package', () => {
    const p = buildPackage({
      main: minimalMainEntries([
        { tag: 100, type: T.STRING_ARRAY, value: ['C', 'de'] },
        { tag: RPMTAG.EPOCH, type: T.INT32, value: [2] },
        { tag: RPMTAG.SUMMARY, type: T.I18NSTRING, value: ['A test', 'Ein Test'] },
        { tag: RPMTAG.DESCRIPTION, type: T.I18NSTRING, value: ['Long'] },
        { tag: RPMTAG.LICENSE, type: T.STRING, value: 'MIT' },
        { tag: RPMTAG.BUILDTIME, type: T.INT32, value: [1700000000] },
        { tag: RPMTAG.SIZE, type: T.INT32, value: [42] },
        { tag: RPMTAG.OS, type: T.STRING, value: 'linux' },
      ]),
    });
    const pkg = parseRpm(p.bytes);
    const md = rpmMetadata(pkg);
    expect(md).toMatchObject({
      name: 'test',
      epoch: 2,
      version: '1.0',
      release: '1',
      arch: 'noarch',
      os: 'linux',
      evr: '2:1.0-1',
      nevra: 'test-2:1.0-1.noarch',
      isSource: false,
      format: 4,
      summary: 'A test',
      description: 'Long',
      license: 'MIT',
      group: null,
      buildTime: 1700000000,
      installedSize: 42,
      sourceRpm: 'test-1.0-1.src.rpm',
      payload: { format: 'cpio', compressor: null, flags: null },
      files: [],
      changelog: [],
      fileDigestAlgorithm: { id: 1, name: 'md5' },
      headerRange: { start: p.H, end: p.P },
    });
    expect(rpmMetadata(pkg, { locale: 'de_DE.UTF-8' }).summary).toBe('Ein Test');
    expect(rpmMetadata(pkg, { locale: 'de_DE.UTF-8' }).description).toBe('Long'); // count 1: falls back to C
  });

  it('a source package is named with arch "src"', () => {
    const p = buildPackage({ main: minimalMainEntries([{ tag: 1106, type: T.INT32, value: [1] }]).filter((e) => e.tag !== 1044) });
    const md = rpmMetadata(parseRpm(p.bytes));
    expect({ isSource: md.isSource, arch: md.arch, nevra: md.nevra, sourceRpm: md.sourceRpm }).toEqual({
      isSource: true,
      arch: 'noarch',
      nevra: 'test-1.0-1.src',
      sourceRpm: null,
    });
  });
});

describe('fileNames (the FILENAMES extension)', () => {
  const compressed = (extra: TestEntry[] = []) => [
    strs(RPMTAG.DIRNAMES, ['/etc/', '/usr/bin/']),
    i32(RPMTAG.DIRINDEXES, [1, 0, 1]),
    strs(RPMTAG.BASENAMES, ['hello', 'hello.conf', 'sh']),
    ...extra,
  ];

  it('joins DIRNAMES and BASENAMES like filePaths', () => {
    const { h } = header(compressed([]));
    expect(fileNames(h)).toEqual(filePaths(h).map((p) => p.path));
    expect(fileNames(h)).toEqual(['/usr/bin/hello', '/etc/hello.conf', '/usr/bin/sh']);
  });

  it('falls back to OLDFILENAMES', () => {
    const { h } = header([strs(RPMTAG.OLDFILENAMES, ['/a', '/b'])]);
    expect(fileNames(h)).toEqual(['/a', '/b']);
  });

  it('reports inconsistent file arrays with the same error as filePaths', () => {
    const { h, dataAt } = header([strs(RPMTAG.DIRNAMES, ['/etc/']), i32(RPMTAG.DIRINDEXES, [0]), strs(RPMTAG.BASENAMES, ['a', 'b'])]);
    expectError(() => fileNames(h), 'RPM_INCONSISTENT', dataAt(RPMTAG.DIRINDEXES));
    const bad = header([strs(RPMTAG.DIRNAMES, ['/etc/']), i32(RPMTAG.DIRINDEXES, [3]), strs(RPMTAG.BASENAMES, ['a'])]);
    expectError(() => fileNames(bad.h), 'RPM_INCONSISTENT', bad.dataAt(RPMTAG.DIRINDEXES));
  });
});
