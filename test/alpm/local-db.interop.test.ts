/**
 * The local database against the real pacman: the makepkg-built sample packages (one of them with
 * a `backup` file) are installed with `pacman -U -dd --noscriptlet` into a private root and
 * dbpath; every `local/<name>-<version>/desc` and `files` pacman wrote must decode without
 * warnings (the `%BACKUP%` md5 equal to the installed file's) and re-encode byte for byte.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeFiles, decodeLocalDesc, encodeFiles, encodeLocalDesc, validateFiles } from '../../src/alpm/codecs.js';
import { readPackage } from '../../src/alpm/database.js';
import { missingTools } from '../helpers/alpm-packages.js';
import { SAMPLE_PKGBUILDS, buildPackages, type BuiltPackage } from '../helpers/makepkg.js';

const missing = missingTools(['makepkg', 'fakeroot', 'pacman']);

describe.skipIf(missing !== null)(`local database written by pacman -U${missing !== null ? ` (skipped: ${missing})` : ''}`, () => {
  let pkgs: BuiltPackage[] = [];
  let root = '';
  let local = '';

  beforeAll(async () => {
    pkgs = await buildPackages(SAMPLE_PKGBUILDS);
    const t = mkdtempSync(join(tmpdir(), 'repokit-alpm-local-'));
    root = join(t, 'root');
    for (const d of [root, join(t, 'db'), join(t, 'cache')]) mkdirSync(d);
    writeFileSync(join(t, 'pacman.conf'), '[options]\nArchitecture = auto\nSigLevel = Never\nLocalFileSigLevel = Never\n');
    const r = spawnSync(
      'pacman',
      ['-U', '-dd', '--noconfirm', '--noscriptlet', '--config', join(t, 'pacman.conf'), '--root', root, '--dbpath', join(t, 'db'), '--cachedir', join(t, 'cache'), ...pkgs.map((p) => p.path)],
      { encoding: 'utf8', env: { ...process.env, LC_ALL: 'C' } },
    );
    expect(r.status, `${r.stderr}${r.stdout}`).toBe(0);
    local = join(t, 'db', 'local');
  }, 15 * 60_000);

  it('every package has a local entry; desc decodes without warnings and re-encodes byte for byte', async () => {
    const dirs = readdirSync(local).filter((d) => d !== 'ALPM_DB_VERSION').sort();
    expect(dirs.length).toBe(pkgs.length);
    for (const dir of dirs) {
      const text = readFileSync(join(local, dir, 'desc'), 'utf8');
      const { entry, warnings } = decodeLocalDesc(text, { file: `${dir}/desc` });
      expect(warnings, dir).toEqual([]);
      expect(entry.unknown, dir).toEqual([]);
      expect(`${entry.name}-${entry.version}`).toBe(dir);
      expect(entry.installdate, dir).toBeGreaterThan(0);
      expect(encodeLocalDesc(entry), dir).toBe(text);
      // The same fields as the package's .PKGINFO.
      const built = pkgs.find((p) => p.fileName.startsWith(`${entry.name}-`) && p.pkgname === entry.name)!;
      const pkg = await readPackage(built.path);
      expect(entry.isize ?? 0, dir).toBe(Number(pkg.pkginfo.size ?? 0));
      expect(entry.depends, dir).toEqual(pkg.pkginfo.depend);
      expect(entry.optdepends, dir).toEqual(pkg.pkginfo.optdepend);
    }
  });

  it('files (with %BACKUP%) decode without warnings, validate, and re-encode byte for byte', async () => {
    let backups = 0;
    for (const dir of readdirSync(local).filter((d) => d !== 'ALPM_DB_VERSION')) {
      const text = readFileSync(join(local, dir, 'files'), 'utf8');
      const { entry, warnings } = decodeFiles(text, { file: `${dir}/files` });
      expect(warnings, dir).toEqual([]);
      // A package without files gets an empty local `files` (alpm-repo-files' strict rules want a header).
      if (text !== '') {
        expect(validateFiles(text), dir).toEqual([]);
        expect(decodeFiles(text, { mode: 'strict' }).entry, dir).toEqual(entry);
      } else {
        expect(entry.files, dir).toEqual([]);
      }
      expect(encodeFiles(entry, { layout: 'local' }), dir).toBe(text);
      const name = decodeLocalDesc(readFileSync(join(local, dir, 'desc'), 'utf8')).entry.name!;
      const built = pkgs.find((p) => p.pkgname === name)!;
      expect(entry.files, dir).toEqual((await readPackage(built.path)).files);
      for (const b of entry.backup ?? []) {
        backups++;
        expect(b.md5, `${dir}: ${b.path}`).toBe(createHash('md5').update(readFileSync(join(root, b.path))).digest('hex'));
      }
    }
    // rk-relations declares backup=(etc/rk/relations.conf).
    expect(backups).toBe(1);
  });
});
