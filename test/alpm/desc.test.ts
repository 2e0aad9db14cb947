/**
 * desc/depends/files codec: libalpm's tolerant reading (each quirk with its warning), strict
 * validation (every problem with line and section, one error), and repo-add's byte layout.
 */
import { describe, expect, it } from 'vitest';
import {
  AlpmValidationError,
  decodeDesc,
  decodeEntry,
  decodeFiles,
  emptyDescEntry,
  encodeDepends,
  encodeDesc,
  encodeFiles,
  formatIssue,
  validateDesc,
  validateFiles,
  type DescEntry,
} from '../../src/alpm/codecs.js';
import { isRepokitError } from '../../src/shared/errors.js';
import { rpmError } from '../helpers/errors.js';

const FULL_V2 = `%FILENAME%
foo-1:1.0-2-x86_64.pkg.tar.zst

%NAME%
foo

%BASE%
foo-base

%VERSION%
1:1.0-2

%DESC%
A foo — with ünïcode

%GROUPS%
g1
g2

%CSIZE%
1234

%ISIZE%
5678

%SHA256SUM%
${'a'.repeat(64)}

%URL%
https://example.invalid/

%LICENSE%
MIT

%ARCH%
x86_64

%BUILDDATE%
1700000000

%PACKAGER%
Someone <someone@example.invalid>

%REPLACES%
old-foo

%CONFLICTS%
foo-git

%PROVIDES%
libfoo.so=1-64

%DEPENDS%
glibc
bar>=2:1.0

%OPTDEPENDS%
baz: for baz support

%MAKEDEPENDS%
cmake

%CHECKDEPENDS%
bats

`;

const messages = (ws: { message: string }[]): string[] => ws.map((w) => w.message);

describe('decodeDesc (tolerant)', () => {
  it('reads every section of a v2 entry into the typed model, with no warnings', () => {
    const { entry, warnings } = decodeDesc(FULL_V2);
    expect(warnings).toEqual([]);
    expect(entry).toMatchObject({
      filename: 'foo-1:1.0-2-x86_64.pkg.tar.zst',
      name: 'foo',
      base: 'foo-base',
      version: '1:1.0-2',
      desc: 'A foo — with ünïcode',
      groups: ['g1', 'g2'],
      csize: 1234,
      isize: 5678,
      license: ['MIT'],
      builddate: 1700000000,
      provides: ['libfoo.so=1-64'],
      depends: ['glibc', 'bar>=2:1.0'],
      optdepends: ['baz: for baz support'],
      unknown: [],
    });
    expect(entry.md5sum).toBeUndefined();
    expect(encodeDesc(entry)).toBe(FULL_V2);
  });

  it('accepts bytes, extra blank lines, and a list that ends at the end of the file (with or without newline)', () => {
    const text = '\n\n%NAME%\nfoo\n\n\n\n%DEPENDS%\na\nb';
    const { entry, warnings } = decodeDesc(new TextEncoder().encode(text));
    expect(warnings).toEqual([]);
    expect(entry.depends).toEqual(['a', 'b']);
    expect(decodeDesc(`${text}\n`).entry.depends).toEqual(['a', 'b']);
  });

  it('keeps unknown sections in order with a warning and skips their values up to the empty line', () => {
    const { entry, warnings } = decodeDesc('%NAME%\nfoo\n\n%DELTAS%\nx y z\nw\n\n%FUTURE%\n1\n\n%ARCH%\nany\n\n');
    expect(entry.unknown).toEqual([
      { name: 'DELTAS', values: ['x y z', 'w'], line: 4 },
      { name: 'FUTURE', values: ['1'], line: 8 },
    ]);
    expect(entry.arch).toBe('any');
    expect(warnings).toEqual([
      { line: 4, section: '%DELTAS%', message: 'unknown section %DELTAS% skipped' },
      { line: 8, section: '%FUTURE%', message: 'unknown section %FUTURE% skipped' },
    ]);
    expect(encodeDesc(entry, { keepUnknown: true })).toBe('%NAME%\nfoo\n\n%ARCH%\nany\n\n%DELTAS%\nx y z\nw\n\n%FUTURE%\n1\n\n');
    expect(encodeDesc(entry)).toBe('%NAME%\nfoo\n\n%ARCH%\nany\n\n');
  });

  it('a duplicate single section: the last value wins (libalpm), with a warning; duplicate lists append', () => {
    const { entry, warnings } = decodeDesc('%CSIZE%\n1\n\n%DEPENDS%\na\n\n%CSIZE%\n2\n\n%DEPENDS%\nb\n\n');
    expect(entry.csize).toBe(2);
    expect(entry.depends).toEqual(['a', 'b']);
    expect(warnings).toEqual([{ line: 7, section: '%CSIZE%', message: 'duplicate section (first on line 1); the last value wins, as in libalpm' }]);
  });

  it('a list not followed by an empty line swallows the next header, as in libalpm, with a warning', () => {
    const { entry, warnings } = decodeDesc('%DEPENDS%\na\n%ARCH%\nany\n');
    expect(entry.depends).toEqual(['a', '%ARCH%', 'any']);
    expect(entry.arch).toBeUndefined();
    expect(warnings[0]).toMatchObject({ line: 3, section: '%DEPENDS%' });
  });

  it('a single section takes exactly the next line, even an empty one; stray lines are reported and skipped', () => {
    const { entry, warnings } = decodeDesc('%DESC%\n\n%NAME%\nfoo\nbar\nbaz\n\n%ARCH%\nany\n');
    expect(entry.desc).toBe('');
    expect(entry.name).toBe('foo');
    expect(entry.arch).toBe('any');
    expect(warnings).toEqual([{ line: 5, section: '%NAME%', message: 'unexpected line after the value of %NAME% (a single-valued section has one line)' }]);
  });

  it('CRLF headers do not match (libalpm keeps \\r) and are reported; a NUL ends a line', () => {
    const crlf = decodeDesc('%NAME%\r\nfoo\r\n');
    expect(crlf.entry.name).toBeUndefined();
    expect(messages(crlf.warnings)[0]).toContain('carriage return');
    const nul = decodeDesc('%NAME%\0foo\n');
    expect(nul.entry.name).toBe('foo');
    expect(nul.warnings).toEqual([{ line: 1, column: 7, message: 'NUL byte (libalpm ends the line there)' }]);
  });

  it('reports sizes that are not integers, invalid UTF-8, a header at the end of the file, bad %FILENAME%', () => {
    const { entry, warnings } = decodeDesc(new Uint8Array([...new TextEncoder().encode('%CSIZE%\n12a\n\n%DESC%\n'), 0xff, 0x0a, ...new TextEncoder().encode('%FILENAME%\n.x\n\n%ARCH%\n')]));
    expect(entry.csize).toBeUndefined();
    expect(entry.desc).toBe('\uFFFD');
    expect(entry.filename).toBe('.x');
    expect(messages(warnings)).toEqual([
      'desc is not valid UTF-8 (invalid bytes were replaced by U+FFFD)',
      '"12a" is not a non-negative integer (ignored; libalpm reads it as unknown)',
      'the file name starts with "." (libalpm rejects the entry)',
      'the section has no value (the file ends after the header)',
    ]);
  });

  it('a line over the limit is LIMIT_EXCEEDED (libalpm cannot read it either)', () => {
    const e = rpmError(() => decodeDesc(`%DESC%\n${'x'.repeat(100)}\n`, { maxLineLength: 50 }));
    expect(e.code).toBe('LIMIT_EXCEEDED');
    expect(e.line).toBe(2);
    expect(rpmError(() => decodeDesc('', { maxLineLength: 0 })).code).toBe('INVALID_ARGUMENT');
    expect(rpmError(() => decodeDesc('', { mode: 'lax' as never })).code).toBe('INVALID_ARGUMENT');
    expect(rpmError(() => decodeDesc(42 as never)).code).toBe('INVALID_ARGUMENT');
  });
});

describe('decodeEntry: desc + legacy depends + files, merged as libalpm does', () => {
  const entry: DescEntry = { ...decodeDesc(FULL_V2).entry };
  it('split layout: encodeDesc({layout: split}) + encodeDepends decode back to the same entry', () => {
    const desc = encodeDesc(entry, { layout: 'split' });
    const depends = encodeDepends(entry);
    expect(desc).not.toContain('%DEPENDS%');
    expect(desc).toContain('%REPLACES%');
    expect(depends.split('\n').filter((l) => l.startsWith('%'))).toEqual(['%DEPENDS%', '%CONFLICTS%', '%PROVIDES%', '%OPTDEPENDS%', '%MAKEDEPENDS%', '%CHECKDEPENDS%']);
    const merged = decodeEntry({ desc, depends, files: '%FILES%\nusr/\nusr/bin/\nusr/bin/foo\n' }, { dirName: 'foo-1:1.0-2' });
    expect(merged.warnings).toEqual([]);
    expect(encodeDesc(merged.entry)).toBe(FULL_V2);
    expect(merged.entry.files).toEqual(['usr/', 'usr/bin/', 'usr/bin/foo']);
    expect(decodeEntry({ desc, depends }, { mode: 'strict' }).entry.depends).toEqual(entry.depends);
  });

  it('labels issues with the part they come from and checks the directory name', () => {
    const r = decodeEntry({ desc: '%NAME%\nfoo\n\n%VERSION%\n1-1\n\n', depends: '%WHAT%\nx\n' }, { dirName: 'bar-1-2' });
    expect(r.warnings).toEqual([
      { file: 'depends', line: 1, section: '%WHAT%', message: 'unknown section %WHAT% skipped' },
      { file: 'desc', section: '%NAME%', message: 'name "foo" differs from the directory "bar-1-2" (libalpm: database is inconsistent)' },
      { file: 'desc', section: '%VERSION%', message: 'version "1-1" differs from the directory "bar-1-2" (libalpm: database is inconsistent)' },
    ]);
    expect(rpmError(() => decodeEntry({ desc: '' }, { dirName: 'nodashes' })).code).toBe('ALPM_BAD_ENTRY_NAME');
  });

  it('a section repeated across desc and depends is a duplicate in strict mode', () => {
    const e = rpmError(() => decodeEntry({ desc: FULL_V2, depends: '%DEPENDS%\nx\n\n' }, { mode: 'strict' }));
    expect((e as AlpmValidationError).problems).toEqual([{ file: 'depends', line: 1, section: '%DEPENDS%', message: 'Duplicate section: %DEPENDS% (first on line 53)' }]);
  });
});

describe('strict mode', () => {
  const bad = FULL_V2.replace('%NAME%\nfoo', '%NAME%\nfoo bar')
    .replace('1:1.0-2\n', '1:1.0\n')
    .replace('%CSIZE%\n1234', '%CSIZE%\n-1')
    .replace('bar>=2:1.0', 'bar>=')
    .replace('%PACKAGER%\nSomeone <someone@example.invalid>\n\n', '')
    .replace('%ARCH%', '%MD5SUM%\nxyz\n\n%ARCH%');

  it('collects every problem with its line and section', () => {
    expect(validateDesc(bad, { version: 2 })).toEqual([
      { line: 5, section: '%NAME%', message: 'invalid package name "foo bar"' },
      { line: 11, section: '%VERSION%', message: 'version "1:1.0" has no pkgrel (expected [epoch:]pkgver-pkgrel)' },
      { line: 21, section: '%CSIZE%', message: '"-1" is not a non-negative integer' },
      { line: 35, section: '%MD5SUM%', message: '%MD5SUM% is not allowed in version 2 (removed with pacman 6.1)' },
      { line: 36, section: '%MD5SUM%', message: 'not an MD5 digest (32 hexadecimal digits)' },
      { line: 55, section: '%DEPENDS%', message: 'missing version after >= in "bar>="' },
      { section: '%PACKAGER%', message: 'Missing section: %PACKAGER% (required in desc version 2)' },
    ]);
  });

  it('throws one AlpmValidationError (a RepokitError) positioned at the first problem, carrying all', () => {
    const e = rpmError(() => decodeDesc(bad, { mode: 'strict', version: 2, file: 'repo.db:foo-1/desc' }));
    expect(isRepokitError(e)).toBe(true);
    expect(e).toBeInstanceOf(AlpmValidationError);
    expect(e.code).toBe('ALPM_BAD_DESC');
    expect([e.line, e.file]).toEqual([5, 'repo.db:foo-1/desc']);
    expect(e.message).toBe('repo.db:foo-1/desc: invalid desc entry: %NAME%: invalid package name "foo bar" (and 6 more problems) (line 5)');
    const json = e.toJSON() as { problems: unknown[] };
    expect(json.problems).toHaveLength(7);
    expect(formatIssue((e as AlpmValidationError).problems[0]!)).toBe('repo.db:foo-1/desc:5: %NAME%: invalid package name "foo bar"');
  });

  it('detects v1 by %MD5SUM% (then %PGPSIG% is required) and accepts a full v2 entry', () => {
    expect(validateDesc(FULL_V2)).toEqual([]);
    const v1 = FULL_V2.replace('%SHA256SUM%', `%MD5SUM%\n${'b'.repeat(32)}\n\n%SHA256SUM%`);
    expect(messages(validateDesc(v1))).toEqual(['Missing section: %PGPSIG% (required in desc version 1)']);
    expect(validateDesc(v1.replace('%URL%', '%PGPSIG%\niHUEABYKAB0=\n\n%URL%'))).toEqual([]);
    expect(messages(validateDesc(v1.replace('%URL%', '%PGPSIG%\nnot base64!\n\n%URL%')))).toContain('not base64 (a binary OpenPGP signature without line breaks)');
  });

  it('rejects unknown and local-database sections, stray lines, empty lists, missing final newline', () => {
    const problems = validateDesc(`${FULL_V2}%DATA%\nk=v\n\n%FILES%\nusr/\n\nstray\n\n%GROUPS%\n\n%BACKUP%\netc/x\t${'0'.repeat(32)}`);
    expect(messages(problems)).toEqual([
      'invalid section name %DATA% (not an alpm-repo-desc section)',
      'Duplicate section: %GROUPS% (first on line 16)',
      'line "stray" is not a section header',
      'the section has no values',
      'the file does not end with a newline (libalpm fails on a list cut off at the end of the file)',
      '%FILES% belongs in the files entry, not in desc',
      '%BACKUP% belongs in the files entry, not in desc',
    ].sort((a, b) => problems.findIndex((p) => p.message === a) - problems.findIndex((p) => p.message === b)));
    expect(problems.length).toBe(7);
  });
});

describe('encodeDesc: repo-add layout', () => {
  it('leaves out sections without values or whose first value is empty (format_entry)', () => {
    const e = emptyDescEntry();
    e.name = 'x';
    e.desc = '';
    e.groups = [''];
    e.csize = 0;
    expect(encodeDesc(e)).toBe('%NAME%\nx\n\n%CSIZE%\n0\n\n');
  });
  it('v1 writes %MD5SUM% between %ISIZE% and %SHA256SUM%; v2 does not; %PGPSIG% whenever present', () => {
    const e = emptyDescEntry();
    Object.assign(e, { isize: 1, md5sum: 'm', sha256sum: 's', pgpsig: 'p' });
    expect(encodeDesc(e, { version: 1 })).toBe('%ISIZE%\n1\n\n%MD5SUM%\nm\n\n%SHA256SUM%\ns\n\n%PGPSIG%\np\n\n');
    expect(encodeDesc(e)).toBe('%ISIZE%\n1\n\n%SHA256SUM%\ns\n\n%PGPSIG%\np\n\n');
  });
  it('refuses values that would read back differently (ALPM_ENCODE) and bad options (INVALID_ARGUMENT)', () => {
    const e = emptyDescEntry();
    e.desc = 'two\nlines';
    expect(rpmError(() => encodeDesc(e)).code).toBe('ALPM_ENCODE');
    const f = emptyDescEntry();
    f.depends = ['a', '', 'b'];
    expect(rpmError(() => encodeDesc(f)).code).toBe('ALPM_ENCODE');
    const g = emptyDescEntry();
    g.csize = 1.5;
    expect(rpmError(() => encodeDesc(g)).code).toBe('ALPM_ENCODE');
    expect(rpmError(() => encodeDesc(g, { version: 3 as never })).code).toBe('INVALID_ARGUMENT');
    expect(rpmError(() => encodeDesc(g, { layout: 'x' as never })).code).toBe('INVALID_ARGUMENT');
  });
});

describe('files entries', () => {
  it('encodeFiles sorts by byte order (C locale) and removes duplicates, no trailing empty line', () => {
    // U+FF21 (3 UTF-8 bytes, EF BC A1) sorts before U+1F600 (F0 ...) bytewise, though not by UTF-16 units.
    const paths = ['usr/😀', 'usr/Ａ', 'usr/', 'usr/b', 'usr/B', 'usr/b', 'usr/a-b', 'usr/a/'];
    expect(encodeFiles(paths)).toBe('%FILES%\nusr/\nusr/B\nusr/a-b\nusr/a/\nusr/b\nusr/Ａ\nusr/😀\n');
    expect(encodeFiles([])).toBe('%FILES%\n');
    expect(rpmError(() => encodeFiles(['a\nb'])).code).toBe('ALPM_ENCODE');
  });
  it('local layout: %FILES% and %BACKUP% (path TAB md5), each ending in an empty line; round trip', () => {
    const text = encodeFiles({ files: ['etc/', 'etc/x.conf'], backup: [{ path: 'etc/x.conf', md5: 'd41d8cd98f00b204e9800998ecf8427e' }] }, { layout: 'local' });
    expect(text).toBe('%FILES%\netc/\netc/x.conf\n\n%BACKUP%\netc/x.conf\td41d8cd98f00b204e9800998ecf8427e\n\n');
    const tolerant = decodeFiles(text);
    expect(tolerant.warnings).toEqual([]);
    expect(decodeFiles(text, { mode: 'strict' }).entry).toEqual(tolerant.entry);
    expect(encodeFiles(tolerant.entry, { layout: 'local' })).toBe(text);
  });
  it('strict: absolute, duplicate, orphaned and whitespace paths, text after the list', () => {
    expect(validateFiles('%FILES%\n/abs\nusr/\nusr/\nusr/lib/x\n \n\nmore\n')).toEqual([
      { line: 2, section: '%FILES%', message: 'invalid relative path "/abs": absolute' },
      { line: 4, section: '%FILES%', message: 'duplicate path "usr/"' },
      { line: 5, section: '%FILES%', message: 'the parent directory "usr/lib/" of "usr/lib/x" is not listed before it' },
      { line: 6, section: '%FILES%', message: 'invalid relative path: expected relative path not consisting of whitespaces and/or tabs' },
      { line: 8, section: '%FILES%', message: 'expected no further path after newline (an empty line ends %FILES%)' },
    ]);
    expect(validateFiles('%FILES%\n')).toEqual([]);
  });
});
