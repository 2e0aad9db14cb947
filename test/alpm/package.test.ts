/**
 * Package files: every package of the shared corpus reads (size, SHA-256 and file list as the
 * corpus's pacman/sha256sum facts say), the desc entry made from it equals the one the real
 * repo-add wrote into the corpus databases, every input kind gives the same result, and the
 * repo-add rules for signatures and for the file list hold.
 */
import { createReadStream, existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { encodeDesc, encodeFiles } from '../../src/alpm/codecs.js';
import { isListedInFiles, packageDescEntry, readPackage, readSyncDb, signatureToPgpsig, sortFileList } from '../../src/alpm/database.js';
import { compress } from '../../src/shared/compression.js';
import { createHash } from 'node:crypto';
import { gzip, pkginfo, rawTar, tinyPackage, xzUnavailable } from '../helpers/alpm-packages.js';

const CORPUS = new URL('../../../shared/corpus/alpm/', import.meta.url).pathname;
const hasCorpus = existsSync(join(CORPUS, 'generated', 'MANIFEST.json'));
const xzWhy = await xzUnavailable();
const td = new TextDecoder();

describe.skipIf(!hasCorpus)(`corpus packages${hasCorpus ? '' : ' (skipped: corpus missing)'}`, () => {
  const gen = join(CORPUS, 'generated');
  const genPkgs = hasCorpus ? readdirSync(gen).filter((f) => f.includes('.pkg.tar')) : [];
  for (const f of genPkgs) {
    const skip = f.endsWith('.xz') && xzWhy !== null;
    it.skipIf(skip)(`${f}: size, sha256, files as pacman lists them, desc as repo-add 6.0.2 wrote it${skip ? ` (skipped: ${xzWhy})` : ''}`, async () => {
      const expected = JSON.parse(readFileSync(join(gen, 'expected', `${f}.json`), 'utf8')) as { size: number; sha256: string; files: string[] };
      const pkg = await readPackage(join(gen, f));
      expect(pkg.filename).toBe(f);
      expect(pkg.csize).toBe(expected.size);
      expect(pkg.sha256sum).toBe(expected.sha256);
      expect(pkg.md5sum).toBe(createHash('md5').update(readFileSync(join(gen, f))).digest('hex'));
      expect(pkg.files.map((p) => `/${p}`)).toEqual(expected.files);
      expect(pkg.metadataFiles).toContain('.PKGINFO');
      expect(pkg.compression).toBe(f.endsWith('.zst') ? 'zstd' : f.endsWith('.gz') ? 'gzip' : 'xz');
      // The db that holds this very file (initial or update state) has repo-add's entry for it.
      for (const state of ['gz', 'update']) {
        const files = await readSyncDb(join(gen, 'db', state, 'nimbus.files.tar.gz'), { keepRaw: true });
        const e = packageDescEntry(pkg);
        const stored = files.entries.find((x) => x.dir === `${e.name}-${e.version}`);
        if (stored === undefined) continue;
        expect(encodeDesc(e, { version: 1 })).toBe(td.decode(stored.raw.desc));
        expect(encodeFiles(pkg.files)).toBe(td.decode(stored.raw.files));
      }
    });
  }

  const pub = join(CORPUS, 'public', 'polaris-linux-distro_pacman-repo@fa7e345');
  const pubPkgs = hasCorpus ? readdirSync(pub).filter((f) => f.includes('.pkg.tar')) : [];
  for (const f of pubPkgs) {
    it(`${f}: desc and files equal what repo-add ≥ 6.1 wrote into polaris.files.tar.gz`, async () => {
      // ':' is stored as %3A in the corpus; the original name goes into %FILENAME%.
      const pkg = await readPackage(join(pub, f), { filename: decodeURIComponent(f) });
      const files = await readSyncDb(join(pub, 'polaris.files.tar.gz'), { keepRaw: true });
      const e = packageDescEntry(pkg);
      const stored = files.entries.find((x) => x.dir === `${e.name}-${e.version}`)!;
      expect(stored, `${e.name}-${e.version}`).toBeDefined();
      expect(encodeDesc(e)).toBe(td.decode(stored.raw.desc));
      expect(encodeFiles(pkg.files)).toBe(td.decode(stored.raw.files));
      expect(pkg.pkginfo.format).toBe(2);
    });
  }

  it('the xpkg-built package (GNU headers, no packager) reads', async () => {
    const f = join(CORPUS, 'public', 'xscriptordev_x-repo@8635b82', 'repo', 'x86_64', 'x-release-1.0-4-any.pkg.tar.zst');
    const pkg = await readPackage(f);
    expect([pkg.pkginfo.pkgname, pkg.pkginfo.pkgver, pkg.csize]).toEqual(['x-release', '1.0-4', 1770]);
    expect(pkg.sha256sum).toBe('70ee6cdab122fcb470666f22488a283f33412a4a100bff7c533a2e3307ec4832');
    expect(pkg.metadataFiles).toContain('.INSTALL');
    expect(encodeDesc(packageDescEntry(pkg))).not.toContain('%PACKAGER%');
  });
});

describe('input kinds and compressions', () => {
  const tar = rawTar([
    { name: '.PKGINFO', data: pkginfo('kinds', '1.0-1') },
    { name: '.MTREE', data: 'x' },
    { name: 'usr/', type: '5' },
    { name: 'usr/bin', type: '5' }, // a directory stored without its trailing slash
    { name: 'usr/bin/kinds', data: 'x'.repeat(70000) },
  ]);

  for (const c of ['none', 'gzip', 'zstd', 'bzip2', 'xz'] as const) {
    it.skipIf(c === 'xz' && xzWhy !== null)(`${c}: path, bytes, Node stream, web stream and async iterable agree${c === 'xz' && xzWhy !== null ? ` (skipped: ${xzWhy})` : ''}`, async () => {
      const bytes = await compress(tar, c);
      const dir = mkdtempSync(join(tmpdir(), 'repokit-alpm-pkg-'));
      const path = join(dir, `kinds-1.0-1-any.pkg.tar${c === 'none' ? '' : '.x'}`);
      writeFileSync(path, bytes);
      const a = await readPackage(path);
      const b = await readPackage(bytes);
      const c1 = await readPackage(createReadStream(path, { highWaterMark: 1000 }), { filename: a.filename });
      const d = await readPackage(Readable.toWeb(createReadStream(path)) as ReadableStream<Uint8Array>, { filename: a.filename });
      const e = await readPackage((async function* () {
        for (let i = 0; i < bytes.length; i += 7) yield bytes.subarray(i, i + 7);
      })(), { filename: a.filename });
      expect(a.sha256sum).toBe(createHash('sha256').update(bytes).digest('hex'));
      expect(a.csize).toBe(bytes.length);
      expect(a.files).toEqual(['usr/', 'usr/bin/', 'usr/bin/kinds']);
      expect(a.metadataFiles).toEqual(['.PKGINFO', '.MTREE']);
      for (const x of [c1, d, e]) expect(x).toEqual(a);
      expect({ ...b, filename: a.filename }).toEqual(a);
      // Without a path the name is made up from .PKGINFO and the sniffed compression.
      expect(b.filename).toBe(`kinds-1.0-1-any.pkg.tar${{ none: '', gzip: '.gz', zstd: '.zst', bzip2: '.bz2', xz: '.xz' }[c]}`);
    });
  }
});

describe('large packages', () => {
  it('a package that inflates past 64 MiB is walked streaming, with the same result', async () => {
    const big = rawTar([{ name: '.PKGINFO', data: pkginfo('big', '1-1') }, { name: 'usr/', type: '5' }, { name: 'usr/zeros', data: new Uint8Array(80 * 1024 * 1024) }, { name: 'usr/z', data: 'z' }]);
    const bytes = await compress(big, 'zstd', { level: 1 });
    const pkg = await readPackage(bytes);
    expect(pkg.files).toEqual(['usr/', 'usr/z', 'usr/zeros']);
    expect(pkg.csize).toBe(bytes.length);
    expect(pkg.pkginfo.pkgname).toBe('big');
    await expect(readPackage(bytes, { maxUncompressedSize: 70 * 1024 * 1024 })).rejects.toMatchObject({ code: 'LIMIT_EXCEEDED' });
  });
});

describe("repo-add's rules", () => {
  it('the file list leaves out names starting with "." (after "./"), sorted bytewise and unique', () => {
    expect(['.PKGINFO', '.BUILDINFO', '.hidden/', '.hidden/x', './.MTREE', '././.x'].filter(isListedInFiles)).toEqual([]);
    expect(['usr/.hidden', 'usr/', './usr/', './', 'a..b'].filter(isListedInFiles)).toEqual(['usr/.hidden', 'usr/', './usr/', './', 'a..b']);
    expect(sortFileList(['b', 'a/', 'a', 'a/', 'B', 'é', 'z'])).toEqual(['B', 'a', 'a/', 'b', 'z', 'é']);
  });

  it('a package with a top-level hidden tree and nested dot files lists them as bsdtar --exclude would', async () => {
    const pkg = await readPackage(
      gzip(rawTar([
        { name: '.PKGINFO', data: pkginfo('dots', '1-1') },
        { name: '.hidden/', type: '5' },
        { name: '.hidden/f', data: 'x' },
        { name: 'usr/', type: '5' },
        { name: 'usr/lib/debug/.build-id/', type: '5' },
        { name: 'usr/.dot', data: 'y' },
      ])),
    );
    expect(pkg.files).toEqual(['usr/', 'usr/.dot', 'usr/lib/debug/.build-id/']);
  });

  it('signatures: base64 without line breaks; armored, oversized or absent as repo-add handles them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'repokit-alpm-sig-'));
    const path = join(dir, 'sig-1-1-any.pkg.tar.gz');
    writeFileSync(path, tinyPackage('sig', '1-1'));
    expect((await readPackage(path, { signature: true })).pgpsig).toBeUndefined();
    const sig = new Uint8Array(300).map((_, i) => (i * 13) & 0xff);
    writeFileSync(`${path}.sig`, sig);
    expect((await readPackage(path)).pgpsig).toBeUndefined();
    const got = (await readPackage(path, { signature: true })).pgpsig!;
    expect(got).toBe(Buffer.from(sig).toString('base64'));
    expect(got).not.toMatch(/\n/);
    const entry = packageDescEntry(await readPackage(path, { signature: true }));
    expect(encodeDesc(entry)).toContain(`%PGPSIG%\n${got}\n\n`);
    expect(packageDescEntry(await readPackage(path, { signature: true }), { includeSignature: false }).pgpsig).toBeUndefined();
    writeFileSync(`${path}.sig`, '-----BEGIN PGP SIGNATURE-----\nabc\n-----END PGP SIGNATURE-----\n');
    await expect(readPackage(path, { signature: true })).rejects.toMatchObject({ code: 'ALPM_BAD_SIGNATURE', file: `${path}.sig` });
    writeFileSync(`${path}.sig`, new Uint8Array(16385));
    await expect(readPackage(path, { signature: true })).rejects.toMatchObject({ code: 'ALPM_BAD_SIGNATURE' });
    expect(signatureToPgpsig(new Uint8Array(16384))).toHaveLength(21848);
    expect(signatureToPgpsig(new Uint8Array(0))).toBeUndefined();
    expect((await readPackage(tinyPackage('sig', '1-1'), { signature: sig })).pgpsig).toBe(got);
  });

  it('no .PKGINFO is ALPM_BAD_PACKAGE; no pkgname is ALPM_BAD_PKGINFO when the desc entry is made', async () => {
    const noInfo = gzip(rawTar([{ name: 'usr/x', data: 'x' }]));
    await expect(readPackage(noInfo)).rejects.toMatchObject({ code: 'ALPM_BAD_PACKAGE' });
    const dir = mkdtempSync(join(tmpdir(), 'repokit-alpm-bad-'));
    writeFileSync(join(dir, 'x.pkg.tar.gz'), noInfo);
    await expect(readPackage(join(dir, 'x.pkg.tar.gz'))).rejects.toMatchObject({ code: 'ALPM_BAD_PACKAGE', file: join(dir, 'x.pkg.tar.gz') });
    const noName = await readPackage(gzip(rawTar([{ name: '.PKGINFO', data: 'pkgver = 1-1\n' }])));
    expect(() => packageDescEntry(noName)).toThrow(expect.objectContaining({ code: 'ALPM_BAD_PKGINFO' }));
    await expect(readPackage(join(dir, 'missing.pkg.tar.gz'))).rejects.toMatchObject({ code: 'IO_ERROR' });
  });
});
