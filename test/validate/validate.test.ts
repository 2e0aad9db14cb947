/**
 * validateBytes / validatePath: the corpus's negative ALPM fixtures give the problems archlinux/alpm's
 * validator expects (message and line); real files from the corpus, makepkg, repo-add and rpmbuild
 * give none (or exactly the documented ones); damaged files give the problem with its code,
 * member and position.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateBytes, validatePath, type ValidationProblem, type ValidationResult } from '../../src/validate/index.js';
import { compress } from '../../src/shared/compression.js';
import { createHasher } from '../../src/shared/hash.js';
import { toHex } from '../../src/shared/bytes.js';
import { writeTar } from '../../src/shared/tar.js';
import { encodeRawHeader, stringEntry } from '../../src/aptrpm/raw-header.js';
import { buildPkglist, formatRelease, scanPackageFileSync } from '../../src/aptrpm/index.js';
import { writePlist, writeRepodata, indexEntryFromPackage, type PlistValue } from '../../src/xbps/index.js';
import { SKIP_CORPUS, REPO_ROOT, corpusFiles, expectedKind, type CorpusFile } from './corpus.js';
import { HAVE_ALPM_TOOLS, tempDir, useMadeFiles } from './made.js';
import { missingTools, tinyPackage } from '../helpers/alpm-packages.js';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const codes = (r: ValidationResult): string[] => [...new Set(r.problems.map((p) => p.code))].sort();
const hex = (algorithm: 'md5' | 'blake2b512', data: Uint8Array): string => {
  const h = createHasher(algorithm);
  h.update(data);
  return toHex(h.digest());
};

describe(`negative ALPM fixtures of the corpus (archlinux/alpm)${SKIP_CORPUS}`, () => {
  const negatives = corpusFiles().filter((f) => f.entry['expected_error_alpm_repo_db'] !== undefined);
  it.skipIf(negatives.length === 0)('are all here', () => expect(negatives.length).toBe(9));
  it.each(negatives.map((f) => [f.id, f] as const))('%s', async (_id, f: CorpusFile) => {
    const expected = (f.entry['expected_error_alpm_repo_db'] as { message: string }).message;
    const r = await validatePath(f.path);
    expect(r.kind).toBe('alpm-desc');
    expect(codes(r)).toEqual([f.id.endsWith('.files') ? 'ALPM_BAD_FILES' : 'ALPM_BAD_DESC']);
    if (expected === 'Missing section: %PGPSIG%') {
      // A deliberate difference: a v1 desc without %PGPSIG% is what repo-add <= 6.0 writes for an
      // unsigned package, and pacman reads it; it is a warning here, the only problem of the file.
      expect(r.ok).toBe(true);
      expect(r.problems).toEqual([{ code: 'ALPM_BAD_DESC', severity: 'warning', section: '%PGPSIG%', message: expect.stringMatching(/^Missing section: %PGPSIG% \(required in desc version 1; repo-add 6\.0 and older .* pacman accepts/) }]);
      return;
    }
    expect(r.ok).toBe(false);
    expect(r.problems.some((p) => p.severity === 'error')).toBe(true);
    // The validator's message is either one line ("Missing section: %PGPSIG%") or a parse error
    // "at line N, column M" followed by what it expected.
    const at = /parse error at line (\d+), column (\d+)/.exec(expected);
    if (at === null) {
      expect(r.problems.map((p) => p.message).some((m) => m.startsWith(expected))).toBe(true);
    } else {
      const line = Number(at[1]);
      const hit = r.problems.find((p) => p.line === line);
      expect(hit, JSON.stringify(r.problems)).toBeDefined();
      const last = expected.trim().split('\n').pop()!;
      // The snapshot ends with the validator's "expected ..." or "invalid ..." wording; ours reuses it where it has one.
      if (/^expected (no further path|%FILES%|relative path)/.test(last)) expect(hit!.message).toContain(last.replace(/^expected /, ''));
    }
  });
});

describe(`valid files of the corpus${SKIP_CORPUS}`, () => {
  const files = corpusFiles().filter((f) => f.entry['expected_error_alpm_repo_db'] === undefined && expectedKind(f) !== 'unknown');
  // Known exceptions, each with the reason: the strict rules flag them, and should.
  const expectedProblems: [RegExp, string[], string][] = [
    [/xscriptordev_x-repo/, ['ALPM_BAD_BUILDINFO', 'ALPM_BAD_PKGINFO'], 'xpkg leaves out pkgbase and packager and adds CFLAGS-style keys'],
    [/hello-1\.0-1\.x86_64\.rpm-v3$/, ['RPM_NO_REGION'], 'a v3 package: no region, which the strict profile refuses'],
    [/-badima\.rpm$/, ['RPM_BAD_REGION'], 'IMA signatures added as signature dribbles'],
    [/-corrupted\.rpm$/, ['RPM_DUPLICATE_TAG'], 'deliberately corrupted'],
  ];
  it.skipIf(files.length === 0)('are here', () => expect(files.length).toBeGreaterThan(100));
  it.each(files.map((f) => [f.id, f] as const))('%s', async (id, f) => {
    const r = await validatePath(f.path);
    expect(r.kind).toBe(expectedKind(f));
    const exception = expectedProblems.find(([re]) => re.test(id));
    if (exception !== undefined) {
      expect(codes(r)).toEqual(exception[1]);
      expect(r.ok).toBe(false);
      return;
    }
    if (id.includes('alpm/generated/db/')) {
      // repo-add 6.0 writes desc v1 (%MD5SUM%) without %PGPSIG% for unsigned packages: one warning per entry, ok.
      expect(r.problems.length).toBeGreaterThan(0);
      expect(r.problems.every((p) => p.severity === 'warning' && p.message.startsWith('Missing section: %PGPSIG%') && p.member?.endsWith('/desc'))).toBe(true);
      expect(r.ok).toBe(true);
      return;
    }
    if (f.id.startsWith('rpm/public/')) {
      // Third-party RPMs: the strict profile may refuse some layouts rpm accepts, but never with a foreign code.
      expect(r.problems.every((p) => p.code.startsWith('RPM_') || p.code === 'VALIDATE_DIGEST_MISMATCH')).toBe(true);
      return;
    }
    expect(r.problems).toEqual([]);
    expect(r.ok).toBe(true);
  });
});

describe(`files made here${HAVE_ALPM_TOOLS ? '' : ' (pacman files skipped: makepkg, repo-add or bsdtar missing)'}`, () => {
  const made = useMadeFiles();

  it('validate ok (repo-add 6.0 entries: only the %PGPSIG% warning, as desc v1 requires it)', async () => {
    const report: string[] = [];
    const warned: string[] = [];
    for (const m of made) {
      const r = await validatePath(m.path, { checkListedFiles: false });
      if (r.problems.length > 0) warned.push(m.how);
      expect(r.kind, m.how).toBe(m.kind);
      const rest = r.problems.filter((p) => !(p.severity === 'warning' && p.message.startsWith('Missing section: %PGPSIG%')));
      if (rest.length > 0 || !r.ok) report.push(`${m.how}: ok=${r.ok} ${JSON.stringify(rest)}`);
      // The warning is about repo-add's unsigned entries and nothing else.
      if (r.problems.length > 0) expect(m.how, JSON.stringify(r.problems)).toMatch(/^repo-add (\.db|\.files|desc)/);
    }
    expect(report).toEqual([]);
    // Every database and desc repo-add made is unsigned desc v1, so each has the warning.
    if (HAVE_ALPM_TOOLS) expect(warned.sort()).toEqual(made.filter((m) => /^repo-add (\.db|\.files|desc)/.test(m.how)).map((m) => m.how).sort());
  });
});

describe('damaged files', () => {
  let dir: string;
  beforeAll(() => {
    dir = tempDir();
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('an RPM whose payload changed: the MD5 and payload digests, with their offsets', async () => {
    const b = readFileSync(join(REPO_ROOT, 'fixtures/rpm/hello-1.0-1.noarch.rpm'));
    b[b.length - 1]! ^= 0xff;
    const r = await validateBytes(b);
    expect(r.kind).toBe('rpm');
    expect(codes(r)).toEqual(['VALIDATE_DIGEST_MISMATCH']);
    expect(r.problems.map((p) => p.message.split(':')[0]).sort()).toEqual(['MD5 digest', 'Payload SHA256 digest']);
    expect(r.problems.every((p) => typeof p.offset === 'number' && p.offset > 96)).toBe(true);
  });

  it('a sync database: every bad entry, naming its member and line', async () => {
    const good = '%FILENAME%\nok-1.0-1-any.pkg.tar.zst\n\n%NAME%\nok\n\n%BASE%\nok\n\n%VERSION%\n1.0-1\n\n%CSIZE%\n1\n\n%ISIZE%\n1\n\n%SHA256SUM%\n' +
      'ab'.repeat(32) + '\n\n%ARCH%\nany\n\n%BUILDDATE%\n1\n\n%PACKAGER%\nme\n\n';
    const bad = good.replaceAll('ok', 'bad').replace('%ARCH%\nany', '%ARCH%\nany thing');
    const tar = writeTar([
      { name: 'ok-1.0-1/', type: 'directory' },
      { name: 'ok-1.0-1/desc', data: enc(good) },
      { name: 'bad-1.0-1/', type: 'directory' },
      { name: 'bad-1.0-1/desc', data: enc(bad) },
      { name: 'bad-1.0-1/files', data: enc('%FILES%\n/abs\n') },
    ]);
    const r = await validateBytes(await compress(tar, 'zstd'), { name: 'test.files.tar.zst' });
    expect(r.kind).toBe('alpm-db');
    const one = (p: ValidationProblem): string => `${p.code} ${p.member}:${p.line} ${p.section}`;
    expect(r.problems.map(one)).toEqual(['ALPM_BAD_DESC bad-1.0-1/desc:23 %ARCH%', 'ALPM_BAD_FILES bad-1.0-1/files:2 %FILES%']);
  });

  it('an xbps package with a bad pkgver, and repodata filing an entry under another name', async () => {
    const props = new Map<string, PlistValue>([['architecture', 'noarch'], ['pkgver', 'hello-1.0']]);
    const tar = writeTar([{ name: './props.plist', data: writePlist(props) }, { name: './files.plist', data: new Uint8Array(0) }]);
    const r = await validateBytes(await compress(tar, 'zstd'));
    expect(r.kind).toBe('xbps-package');
    expect(r.problems.map((p) => `${p.code} ${p.member}`)).toEqual(['XBPS_BAD_PROPS props.plist']);
    const entry = indexEntryFromPackage({ props: new Map<string, PlistValue>([['architecture', 'noarch'], ['pkgver', 'hello-1.0_1']]), pkgver: 'hello-1.0_1', sha256: 'ab'.repeat(32), size: 1 }, 'hello');
    entry.dict.set('installed_size', 'big');
    const repo = await validateBytes(await writeRepodata({ index: new Map([['other', { ...entry, pkgname: 'other' }]]) }));
    expect(repo.kind).toBe('xbps-repodata');
    expect(repo.problems.map((p) => `${p.code} ${p.member} ${p.section}`).sort()).toEqual(['XBPS_BAD_ENTRY index.plist other', 'XBPS_BAD_PROPS index.plist other']);
  });

  it('a pkglist header without what apt needs', async () => {
    const blob = encodeRawHeader([stringEntry(1000, 'foo'), stringEntry(1001, '1.0'), stringEntry(1002, '1'), stringEntry(1022, 'noarch'), stringEntry(1044, 'foo-1.0-1.src.rpm')]);
    const r = await validateBytes(await compress(blob, 'xz'), { name: 'pkglist.classic.xz' });
    expect(r.kind).toBe('aptrpm-pkglist');
    expect(r.problems.map((p) => `${p.code} ${p.section} @${p.offset} ${p.message.split(' (')[0]}`)).toEqual([
      'APTRPM_BAD_PKGLIST header 0 (foo) @0 no CRPMTAG_FILENAME',
      'APTRPM_BAD_PKGLIST header 0 (foo) @0 no CRPMTAG_FILESIZE',
      'APTRPM_BAD_PKGLIST header 0 (foo) @0 no CRPMTAG_DIRECTORY',
      'APTRPM_BAD_PKGLIST header 0 (foo) @0 no CRPMTAG_MD5',
    ]);
  });

  it('a release checks the files it lists when they are beside it (a plain list through its .xz)', async () => {
    const base = join(dir, 'x86_64', 'base');
    mkdirSync(base, { recursive: true });
    const rpm = scanPackageFileSync(join(REPO_ROOT, 'fixtures/rpm/hello-1.0-1.noarch.rpm'));
    const list = buildPkglist([{ header: rpm.package.header, file: rpm.file }], { component: 'classic' });
    const xz = await compress(list, 'xz');
    writeFileSync(join(base, 'pkglist.classic.xz'), xz);
    const entry = (path: string, data: Uint8Array) => ({ path, size: data.length, md5: hex('md5', data), blake2b: hex('blake2b512', data) });
    const release = join(base, 'release');
    writeFileSync(release, formatRelease({ date: new Date(0) }, [entry('base/pkglist.classic', list), entry('base/pkglist.classic.xz', xz)]));
    expect(await validatePath(release)).toEqual({ kind: 'aptrpm-release', ok: true, problems: [] });
    const bad = xz.slice();
    bad[bad.length - 20]! ^= 1;
    writeFileSync(join(base, 'pkglist.classic.xz'), bad);
    const r = await validatePath(release);
    // The plain list is read through the damaged .xz (which no longer decodes); the .xz itself has other digests.
    expect(r.problems.map((p) => `${p.code} ${p.member} ${p.line ?? '-'} ${p.code === 'CORRUPT_COMPRESSED_DATA' ? '' : p.message}`)).toEqual([
      'CORRUPT_COMPRESSED_DATA base/pkglist.classic.xz - ',
      "VALIDATE_DIGEST_MISMATCH base/pkglist.classic.xz 9 base/pkglist.classic.xz: MD5 differs from the release's",
      "VALIDATE_DIGEST_MISMATCH base/pkglist.classic.xz 12 base/pkglist.classic.xz: BLAKE2b differs from the release's",
    ]);
    // Not checked without the files (validateBytes reads nothing) or when told not to.
    expect((await validateBytes(readFileSync(release))).ok).toBe(true);
    expect((await validatePath(release, { checkListedFiles: false })).ok).toBe(true);
    copyFileSync(release, join(dir, 'release'));
    expect((await validatePath(join(dir, 'release'))).ok).toBe(true);
  });

  it('validatePath throws only when the path itself cannot be read', async () => {
    await expect(validatePath(join(dir, 'missing'))).rejects.toMatchObject({ code: 'IO_ERROR' });
    await expect(validatePath(dir)).rejects.toMatchObject({ code: 'IO_ERROR' });
    const big = join(dir, 'big.desc');
    writeFileSync(big, '%NAME%\nfoo\n'.repeat(100));
    expect(await validatePath(big, { maxFileSize: 100 })).toEqual({
      kind: 'alpm-desc',
      ok: false,
      problems: [{ code: 'LIMIT_EXCEEDED', severity: 'error', message: 'the file is 1100 bytes, more than the limit of 100' }],
    });
  });

  it('an unknown kind is one problem; --kind forces a kind', async () => {
    expect(await validateBytes(enc('hello\n'))).toEqual({
      kind: 'unknown',
      ok: false,
      problems: [expect.objectContaining({ code: 'VALIDATE_UNKNOWN_KIND', severity: 'error' })],
    });
    const r = await validateBytes(enc('hello\n'), { kind: 'pkginfo' });
    expect(r.kind).toBe('pkginfo');
    expect(r.problems[0]).toMatchObject({ code: 'ALPM_BAD_PKGINFO', line: 1 });
  });

  it('a lone depends file: dependency sections only, none required', async () => {
    expect((await validateBytes(enc('%DEPENDS%\nglibc\nzlib>=1.2\n\n%PROVIDES%\nlibz.so=1-64\n\n'), { name: 'depends' })).problems).toEqual([]);
    const r = await validateBytes(enc('%DEPENDS%\nglibc>=\n\n%NAME%\nfoo\n\n'), { name: 'depends' });
    expect(r.problems.map((p) => `${p.code} ${p.line} ${p.section}`)).toEqual(['ALPM_BAD_DESC 2 %DEPENDS%', 'ALPM_BAD_DESC 4 %NAME%']);
  });
});

describe('severity: warnings do not make a file invalid', () => {
  const v1 = (extra: string, without?: string): Uint8Array => {
    const sections: [string, string][] = [
      ['FILENAME', 'ok-1.0-1-any.pkg.tar.zst'], ['NAME', 'ok'], ['BASE', 'ok'], ['VERSION', '1.0-1'], ['CSIZE', '1'], ['ISIZE', '1'],
      ['MD5SUM', 'cd'.repeat(16)], ['SHA256SUM', 'ab'.repeat(32)], ['ARCH', 'any'], ['BUILDDATE', '1'], ['PACKAGER', 'me'],
    ];
    return enc(sections.filter(([k]) => k !== without).map(([k, v]) => `%${k}%\n${v}\n\n`).join('') + extra);
  };

  it('VALIDATE_WARNING is a warning: ok unless there is also an error', async () => {
    const warnOnly = await validateBytes(enc('[[repositories]]\nname = "core"\narchitecture = "x86_64"\nfoo = 1\n'), { name: 'repod.conf' });
    expect(warnOnly.kind).toBe('repod-conf');
    expect(warnOnly.ok).toBe(true);
    expect(warnOnly.problems.map((p) => `${p.severity} ${p.code}`)).toEqual(['warning VALIDATE_WARNING']);
    const both = await validateBytes(enc('[[repositories]]\nname = "core"\narchitecture = "x86_65"\nfoo = 1\n'), { name: 'repod.conf' });
    expect(both.ok).toBe(false);
    expect(both.problems.map((p) => `${p.severity} ${p.code}`)).toEqual(['error REPOD_INVALID_CONFIG', 'warning VALIDATE_WARNING']);
  });

  it('a desc v1 without %PGPSIG% is one warning saying why; every other missing section stays an error', async () => {
    const unsigned = await validateBytes(v1(''), { name: 'desc' });
    expect(unsigned).toEqual({
      kind: 'alpm-desc',
      ok: true,
      problems: [
        {
          code: 'ALPM_BAD_DESC',
          severity: 'warning',
          section: '%PGPSIG%',
          message: 'Missing section: %PGPSIG% (required in desc version 1; repo-add 6.0 and older leave it out for packages without a .sig, and pacman accepts that)',
        },
      ],
    });
    expect(await validateBytes(v1('%PGPSIG%\nAAAA\n\n'), { name: 'desc' })).toEqual({ kind: 'alpm-desc', ok: true, problems: [] });
    const noPackager = await validateBytes(v1('', 'PACKAGER'), { name: 'desc' });
    expect(noPackager.ok).toBe(false);
    expect(noPackager.problems.map((p) => `${p.severity} ${p.section}`).sort()).toEqual(['error %PACKAGER%', 'warning %PGPSIG%']);
    // Version 2 (no %MD5SUM%) does not have %PGPSIG% among its required sections; its own missing ones are errors.
    const v2 = await validateBytes(v1('', 'MD5SUM'), { name: 'desc' });
    expect(v2.problems).toEqual([]);
    const v2NoArch = await validateBytes(enc(new TextDecoder().decode(v1('', 'MD5SUM')).replace('%ARCH%\nany\n\n', '')), { name: 'desc' });
    expect(v2NoArch.ok).toBe(false);
    expect(v2NoArch.problems.map((p) => `${p.severity} ${p.message}`)).toEqual(['error Missing section: %ARCH% (required in desc version 2)']);
  });

  const noRepoAdd = missingTools(['repo-add', 'bsdtar']);
  it.skipIf(noRepoAdd !== null)(`a database the real repo-add just made, one package signed and one not, is ok with one warning${noRepoAdd === null ? '' : ` (skipped: ${noRepoAdd})`}`, async () => {
    const dir = tempDir();
    try {
      for (const name of ['signed', 'unsigned']) writeFileSync(join(dir, `${name}-1.0-1-any.pkg.tar.gz`), tinyPackage(name, '1.0-1'));
      // repo-add embeds any PKG.sig as %PGPSIG% (base64) without checking it (no --verify).
      writeFileSync(join(dir, 'signed-1.0-1-any.pkg.tar.gz.sig'), new Uint8Array(96).map((_, i) => (i * 37) & 0xff));
      const db = join(dir, 'rk.db.tar.zst');
      const add = spawnSync('repo-add', ['-q', db, join(dir, 'signed-1.0-1-any.pkg.tar.gz'), join(dir, 'unsigned-1.0-1-any.pkg.tar.gz')], { encoding: 'utf8' });
      expect(add.status, add.stderr).toBe(0);
      for (const path of [db, join(dir, 'rk.files.tar.zst')]) {
        const r = await validatePath(path);
        expect(r.kind).toBe('alpm-db');
        expect(r.ok).toBe(true);
        expect(r.problems.map((p) => `${p.severity} ${p.code} ${p.member} ${p.message.split(' (')[0]}`)).toEqual(['warning ALPM_BAD_DESC unsigned-1.0-1/desc Missing section: %PGPSIG%']);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
