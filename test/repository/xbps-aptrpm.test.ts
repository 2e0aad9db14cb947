/**
 * The Repository facade over XBPS (packages made with bsdtar as xbps-create lays them out) and
 * apt-rpm (binary RPMs built with rpmbuild): add / replace / skip reasons, remove, the view,
 * write (read back with the format's own reader), and identical output for any concurrency.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Repository } from '../../src/repository/index.js';
import { readRepodata } from '../../src/xbps/repodata-read.js';
import { readPkglistHeaders } from '../../src/aptrpm/reader.js';
import { CRPMTAG } from '../../src/aptrpm/tags.js';
import { haveTools, makePackage } from '../xbps/repodata-fixtures.js';
import { alpmPackage, rpmbuildMissing, rpmPackage, snapshot, tempDir } from './helpers.js';

const noXbpsTools = haveTools();
const noRpmbuild = rpmbuildMissing();

describe.skipIf(noXbpsTools !== null)(`Repository (xbps)${noXbpsTools ? ` (skipped: ${noXbpsTools})` : ''}`, () => {
  it('adds, replaces, skips (older, equal, wrong arch, other kinds), removes; writes <arch>-repodata', async () => {
    const dir = tempDir();
    const a1 = makePackage(dir, { pkgver: 'foo-1.0_1', extra: [['run_depends', ['glibc>=2.36_1', 'bar-1.0_1', 'baz']]] });
    const b = makePackage(dir, { pkgver: 'bar-1.0_1', arch: 'noarch' });
    const other = makePackage(dir, { pkgver: 'arm-1.0_1', arch: 'aarch64' });
    const pacman = alpmPackage(dir, 'p', '1-1');
    const repo = await Repository.open({ format: 'xbps', dir, arch: 'x86_64' });
    const before = snapshot(dir);
    const r = await repo.add([a1, b, other, pacman]);
    expect(snapshot(dir)).toEqual(before);
    expect(r.added.map((v) => `${v.name} ${v.version.text}`)).toEqual(['foo 1.0_1', 'bar 1.0_1']);
    expect(r.skipped.map((s) => [s.path, s.reason])).toEqual([
      [other, 'wrong-arch'],
      [pacman, 'not-a-package'],
    ]);
    const foo = repo.find('foo')!;
    expect(foo).toMatchObject({ format: 'xbps', arch: 'x86_64', summary: 'the foo package', fileName: 'foo-1.0_1.x86_64.xbps', size: readFileSync(a1).length, installedSize: 4 });
    expect(foo.version).toMatchObject({ version: '1.0', release: '1', epoch: undefined });
    expect(foo.dependencies.depends).toEqual([{ name: 'glibc', operator: '>=', version: '2.36_1' }, { name: 'bar', operator: '=', version: '1.0_1' }, { name: 'baz' }]);
    const w = await repo.write();
    expect(w.files).toEqual([join(dir, 'x86_64-repodata')]);
    let rd = await readRepodata(join(dir, 'x86_64-repodata'));
    expect([...rd.index.values()].map((e) => e.pkgver).sort()).toEqual(['bar-1.0_1', 'foo-1.0_1']);
    expect(rd.index.get('foo')!.dict.get('filename-sha256')).toBe(foo.checksums.sha256);

    const a2 = makePackage(dir, { pkgver: 'foo-1.1_1' });
    const a0 = makePackage(dir, { pkgver: 'foo-0.9_1' });
    const r2 = await repo.add([a2, a0, b]);
    expect(r2.replaced.map((x) => `${x.old.version.text} -> ${x.new.version.text}`)).toEqual(['1.0_1 -> 1.1_1']);
    expect(r2.skipped.map((s) => s.reason)).toEqual(['older', 'already-present']);
    expect(repo.remove(['bar', 'none'])).toMatchObject({ missing: ['none'] });
    await repo.write();
    rd = await readRepodata(join(dir, 'x86_64-repodata'));
    expect([...rd.index.values()].map((e) => e.pkgver)).toEqual(['foo-1.1_1']);
  });

  it('refuses packages outside the repository directory (xbps finds them next to the repodata)', async () => {
    const dir = tempDir();
    const elsewhere = makePackage(tempDir(), { pkgver: 'foo-1.0_1' });
    const repo = await Repository.open({ format: 'xbps', dir, arch: 'x86_64' });
    await expect(repo.add([elsewhere])).rejects.toMatchObject({ code: 'XBPS_NOT_INDEXABLE' });
  });

  it('the repodata is byte-identical whatever the concurrency (big files are hashed on workers)', async () => {
    const out: Buffer[] = [];
    const big = new Uint8Array(5 * 1024 * 1024).map((_, i) => (i * 7919) % 251);
    const src = tempDir();
    const pkgs = [makePackage(src, { pkgver: 'big-1.0_1', payload: big, compression: 'none' }), ...Array.from({ length: 6 }, (_, i) => makePackage(src, { pkgver: `s${i}-1.0_1` }))];
    for (const concurrency of [1, 3]) {
      const dir = tempDir();
      const paths = pkgs.map((p) => {
        const to = join(dir, p.slice(p.lastIndexOf('/') + 1));
        writeFileSync(to, readFileSync(p));
        return to;
      });
      const repo = await Repository.open({ format: 'xbps', dir, arch: 'x86_64', concurrency });
      await repo.add(paths, { concurrency });
      await repo.write();
      out.push(readFileSync(join(dir, 'x86_64-repodata')));
    }
    expect(out[1]!.equals(out[0]!)).toBe(true);
  });
});

describe.skipIf(noRpmbuild !== null)(`Repository (aptrpm)${noRpmbuild ? ` (skipped: ${noRpmbuild})` : ''}`, () => {
  it('copies binary RPMs into <arch>/RPMS.<component>, writes base/, replaces and removes files only after the index', async () => {
    const src = tempDir();
    const root = tempDir();
    const h1 = rpmPackage(src, 'rk-hello', '1.0', '1', { requires: ['rk-lib >= 2.0'] });
    const lib = rpmPackage(src, 'rk-lib', '2.0', '1');
    const text = join(src, 'readme.txt');
    writeFileSync(text, 'hi');
    const repo = await Repository.open({ format: 'aptrpm', dir: root, compression: 'none' });
    const r = await repo.add([h1, lib, text]);
    expect(r.added.map((v) => `${v.name} ${v.version.text}`)).toEqual(['rk-hello 1.0-1', 'rk-lib 2.0-1']);
    expect(r.skipped.map((s) => s.reason)).toEqual(['not-a-package']);
    expect(existsSync(join(root, 'noarch'))).toBe(false);
    const hello = repo.find('rk-hello')!;
    expect(hello).toMatchObject({ format: 'aptrpm', arch: 'noarch', component: 'classic', summary: 'the rk-hello package', description: 'A test package called rk-hello.', fileName: 'rk-hello-1.0-1.noarch.rpm' });
    expect(hello.dependencies.depends).toContainEqual({ name: 'rk-lib', operator: '>=', version: '2.0' });
    expect(hello.dependencies.depends.some((d) => d.name.startsWith('rpmlib('))).toBe(false);
    const w = await repo.write();
    expect(w.packageFiles.copied.map((f) => f.slice(root.length + 1)).sort()).toEqual(['noarch/RPMS.classic/rk-hello-1.0-1.noarch.rpm', 'noarch/RPMS.classic/rk-lib-2.0-1.noarch.rpm']);
    const list = join(root, 'noarch', 'base', 'pkglist.classic');
    let headers = await readPkglistHeaders(list);
    expect(headers.map((h) => h.getString(CRPMTAG.FILENAME)).sort()).toEqual(['rk-hello-1.0-1.noarch.rpm', 'rk-lib-2.0-1.noarch.rpm']);
    expect(headers.find((h) => h.getString(1000) === 'rk-hello')!.getString(CRPMTAG.MD5)).toBe(hello.checksums.md5);

    // Reopened: the view comes from the pkglist; a newer version replaces the file.
    const again = await Repository.open({ format: 'aptrpm', dir: root, compression: 'none' });
    expect(again.find('rk-hello')!.checksums).toEqual(hello.checksums);
    const h2 = rpmPackage(src, 'rk-hello', '1.1', '1');
    const r2 = await again.add([h2, h1]);
    expect(r2.replaced.map((x) => x.new.version.text)).toEqual(['1.1-1']);
    expect(r2.skipped.map((s) => s.reason)).toEqual(['older']);
    const w2 = await again.write();
    expect(w2.packageFiles.deleted).toEqual([join(root, 'noarch', 'RPMS.classic', 'rk-hello-1.0-1.noarch.rpm')]);
    expect(existsSync(w2.packageFiles.deleted[0]!)).toBe(false);
    headers = await readPkglistHeaders(list);
    expect(headers.map((h) => h.getString(CRPMTAG.FILENAME)).sort()).toEqual(['rk-hello-1.1-1.noarch.rpm', 'rk-lib-2.0-1.noarch.rpm']);

    // Removing the last packages of an arch drops its indexes.
    again.remove(['rk-hello', 'rk-lib']);
    await again.write();
    expect(existsSync(join(root, 'noarch', 'base', 'release'))).toBe(false);
    expect(existsSync(join(root, 'noarch', 'RPMS.classic', 'rk-lib-2.0-1.noarch.rpm'))).toBe(false);
  });

  it('source RPMs are skipped with their reason; other arches with --arch are wrong-arch', async () => {
    const src = tempDir();
    const repo = await Repository.open({ format: 'aptrpm', dir: tempDir(), arch: 'x86_64' });
    const srpm = join(src, 'hello-1.0-1.src.rpm');
    writeFileSync(srpm, readFileSync(new URL('../../fixtures/rpm/hello-1.0-1.src.rpm', import.meta.url)));
    const x = rpmPackage(src, 'rk-x', '1', '1', { arch: 'x86_64' });
    const r = await repo.add([srpm, x, rpmPackage(src, 'rk-n', '1', '1')]);
    expect(r.skipped.map((s) => s.reason)).toEqual(['source-package']);
    expect(r.added.map((v) => v.arch)).toEqual(['x86_64', 'noarch']);
  });

  it('abort during write: ABORTED, no package copied, no index written; the retry writes both', async () => {
    const src = tempDir();
    const root = tempDir();
    const repo = await Repository.open({ format: 'aptrpm', dir: root });
    await repo.add([rpmPackage(src, 'rk-a', '1', '1')]);
    await repo.write();
    await repo.add([rpmPackage(src, 'rk-b', '1', '1')]);
    const before = snapshot(root);
    const ac = new AbortController();
    const e = await repo.write({ signal: ac.signal, onProgress: (p) => p.phase === 'load' && p.done === p.total && ac.abort() }).catch((x: unknown) => x);
    expect(e).toMatchObject({ code: 'ABORTED' });
    expect(snapshot(root)).toEqual(before);
    const w = await repo.write();
    expect(w.packageFiles.copied).toEqual([join(root, 'noarch', 'RPMS.classic', 'rk-b-1-1.noarch.rpm')]);
    expect((await readPkglistHeaders(join(root, 'noarch', 'base', 'pkglist.classic'))).map((h) => h.getString(1000))).toEqual(['rk-a', 'rk-b']);
  });

  it('the lists are byte-identical whatever the concurrency', async () => {
    const src = tempDir();
    const pkgs = [rpmPackage(src, 'rk-a', '1', '1'), rpmPackage(src, 'rk-b', '1', '1'), rpmPackage(src, 'rk-c', '2', '3')];
    const out: Buffer[][] = [];
    for (const concurrency of [1, 3]) {
      const root = tempDir();
      const repo = await Repository.open({ format: 'aptrpm', dir: root });
      await repo.add(pkgs, { concurrency });
      await repo.write({ concurrency });
      out.push(['pkglist.classic', 'pkglist.classic.xz', 'release.classic'].map((f) => readFileSync(join(root, 'noarch', 'base', f))));
    }
    for (let i = 0; i < 3; i++) expect(out[1]![i]!.equals(out[0]![i]!)).toBe(true);
  });
});
