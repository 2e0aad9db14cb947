/**
 * The compressions pacman reads beyond gzip/xz/zstd/bzip2/lz4 — lzip (.lz), compress (.Z), lzop
 * (.lzo) and lrzip (.lrz) — end to end with the real tools: makepkg builds packages with
 * PKGEXT=.pkg.tar.lz/.Z/.lzo/.lrz and repokit reads them (repoAdd); repokit writes databases
 * named .db.tar.lz/.Z/.lzo/.lrz in that compression and real pacman -Sy/-Sl/-Si reads them; real
 * repo-add writes databases in these compressions and repokit reads them. Skips locally when a
 * tool is missing; fails under CI.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readPackage, readSyncDb, repoAdd } from '../../src/alpm/database.js';
import { parsePackageFileName } from '../../src/alpm/filename.js';
import { sniffCompression, type Compression } from '../../src/shared/compression.js';
import { Pacman, missingTools } from '../helpers/alpm-packages.js';
import { missingToolNote } from '../shared/tools.js';
import { buildPackages, type BuiltPackage, type PkgExt, type PkgbuildSpec } from '../helpers/makepkg.js';

const FORMATS = [
  { compression: 'lzip', suffix: '.lz', tool: 'lzip' },
  { compression: 'compress', suffix: '.Z', tool: 'compress' },
  { compression: 'lzop', suffix: '.lzo', tool: 'lzop' },
  { compression: 'lrzip', suffix: '.lrz', tool: 'lrzip' },
] as const satisfies readonly { compression: Compression; suffix: string; tool: string }[];

// `compress --version` exits 1, so the compressors are probed by name (skip locally, fail under CI).
const missing = missingTools(['makepkg', 'fakeroot', 'repo-add', 'pacman', 'bsdtar']) ?? (missingToolNote(...FORMATS.map((f) => f.tool)) || null);
const note = missing === null ? '' : missing.startsWith(' (') ? missing : ` (skipped: ${missing})`;

/** One small package per compression (makepkg runs the compressor named by PKGEXT). */
const SPECS: PkgbuildSpec[] = FORMATS.map((f, i) => ({
  pkgver: `1.${i}`,
  pkgrel: '1',
  // PkgExt names the common extensions; makepkg takes any of its nine.
  pkgext: `.pkg.tar${f.suffix}` as PkgExt,
  packages: [
    {
      pkgname: `rkz-${f.compression}`,
      pkgdesc: `A package compressed with ${f.compression}`,
      arch: ['any'],
      license: ['MIT'],
      depends: ['glibc'],
      files: { [`usr/share/rkz-${f.compression}/data.txt`]: `payload of ${f.compression}\n`.repeat(200), [`usr/share/rkz-${f.compression}/empty`]: '' },
    },
  ],
}));

function runRepoAdd(args: readonly string[]): void {
  const r = spawnSync('repo-add', ['-q', '--nocolor', ...args], { encoding: 'utf8', env: { ...process.env, LC_ALL: 'C.UTF-8' } });
  if (r.status !== 0) throw new Error(`repo-add ${args.join(' ')} failed: ${r.stderr}`);
}

describe.skipIf(missing !== null)(`lzip, compress, lzop and lrzip with makepkg, repo-add and pacman${note}`, () => {
  let pkgs: BuiltPackage[] = [];
  let dir = '';

  beforeAll(async () => {
    pkgs = await buildPackages(SPECS, { cacheName: 'compression-interop' });
    dir = mkdtempSync(join(tmpdir(), 'repokit-alpm-zinterop-'));
    for (const p of pkgs) copyFileSync(p.path, join(dir, p.fileName));
  }, 600_000);

  it('reads the packages makepkg made with PKGEXT .pkg.tar.lz / .Z / .lzo / .lrz', async () => {
    expect(pkgs.length).toBe(FORMATS.length);
    for (const f of FORMATS) {
      const p = pkgs.find((x) => x.pkgname === `rkz-${f.compression}`)!;
      expect(p.fileName.endsWith(`.pkg.tar${f.suffix}`), p.fileName).toBe(true);
      expect(parsePackageFileName(p.fileName)?.compression).toBe(f.suffix);
      const bytes = readFileSync(p.path);
      expect(sniffCompression(bytes.subarray(0, 512)), f.compression).toBe(f.compression);
      const pkg = await readPackage(p.path);
      expect(pkg.compression).toBe(f.compression);
      expect(pkg.pkginfo.pkgname).toBe(`rkz-${f.compression}`);
      expect(pkg.filename).toBe(p.fileName);
      expect(pkg.files).toContain(`usr/share/rkz-${f.compression}/data.txt`);
      // Streamed (not from a buffer) gives the same.
      const streamed = await readPackage(
        (async function* () {
          for (let i = 0; i < bytes.length; i += 1000) yield new Uint8Array(bytes.subarray(i, i + 1000));
        })(),
      );
      expect(streamed.sha256sum).toBe(pkg.sha256sum);
      expect(streamed.files).toEqual(pkg.files);
    }
  });

  it('repoAdd writes .db.tar.lz / .Z / .lzo / .lrz in that compression, and pacman -Sy/-Sl/-Si read them', async () => {
    const files = pkgs.map((p) => join(dir, p.fileName));
    for (const f of FORMATS) {
      await repoAdd(join(dir, `rk${f.compression}.db.tar${f.suffix}`), files);
      const db = readFileSync(join(dir, `rk${f.compression}.db.tar${f.suffix}`));
      expect(sniffCompression(db.subarray(0, 512)), f.compression).toBe(f.compression);
      expect(sniffCompression(readFileSync(join(dir, `rk${f.compression}.files.tar${f.suffix}`)).subarray(0, 512))).toBe(f.compression);
      const back = await readSyncDb(join(dir, `rk${f.compression}.db`));
      expect(back.compression).toBe(f.compression);
      expect(back.entries.map((e) => e.entry.name).sort()).toEqual(pkgs.map((p) => p.pkgname).sort());
      // bsdtar (libarchive, which pacman uses) lists the same members.
      const t = spawnSync('bsdtar', ['-tf', join(dir, `rk${f.compression}.db.tar${f.suffix}`)], { encoding: 'utf8' });
      expect(t.status, t.stderr).toBe(0);
      expect(t.stdout).toContain('rkz-lzip-1.0-1/desc');
    }
    const pacman = new Pacman(FORMATS.map((f) => ({ name: `rk${f.compression}`, dir })));
    pacman.run(['-Sy']);
    for (const f of FORMATS) {
      const listed = pacman
        .run(['-Sl', `rk${f.compression}`])
        .trim()
        .split('\n')
        .map((l) => l.split(' ').slice(1, 3).join(' '))
        .sort();
      expect(listed, f.compression).toEqual(pkgs.map((p) => `${p.pkgname} 1.${FORMATS.findIndex((x) => `rkz-${x.compression}` === p.pkgname)}-1`).sort());
      for (const p of pkgs) {
        const info = pacman.info(`rk${f.compression}/${p.pkgname}`);
        expect(info.get('Name')).toBe(p.pkgname);
        expect(info.get('Depends On')).toBe('glibc');
      }
    }
  });

  it('reads the databases real repo-add writes as .db.tar.lz / .Z / .lzo / .lrz', async () => {
    const files = pkgs.map((p) => join(dir, p.fileName));
    for (const f of FORMATS) {
      const path = join(dir, `ra${f.compression}.db.tar${f.suffix}`);
      runRepoAdd([path, ...files]);
      expect(sniffCompression(readFileSync(path).subarray(0, 512)), f.compression).toBe(f.compression);
      const ra = await readSyncDb(path);
      const rk = await readSyncDb(join(dir, `rk${f.compression}.db.tar${f.suffix}`));
      expect(ra.compression).toBe(f.compression);
      // repo-add ≤ 6.0 also writes %MD5SUM% (repokit's default is the v2 desc without it).
      const byName = (db: typeof ra) => db.entries.map((e) => ({ ...e.entry, md5sum: undefined })).sort((a, b) => String(a.name).localeCompare(String(b.name)));
      expect(byName(ra)).toEqual(byName(rk));
      // And repokit adds to repo-add's database in place, keeping its compression.
      const again = await repoAdd(path, files);
      expect(again).toBeDefined();
      expect(sniffCompression(readFileSync(path).subarray(0, 512))).toBe(f.compression);
    }
  });
});
