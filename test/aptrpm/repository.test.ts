/**
 * Repository trees on disk: buildArchIndexes (layout, release contents, write order, stale-file
 * cleanup, srclists), verifyArch (every listed file and package, through the compressed form
 * when the plain list is not published), and the registry facade (add, duplicate, invalid,
 * remove, last package gone). Uses the shared corpus's RPM set.
 */
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import {
  AptRpmRepository,
  buildArchIndexes,
  listArches,
  parsePkglist,
  parseRelease,
  readPkglistHeaders,
  verifyArch,
} from '../../src/aptrpm/index.js';
import { decompress } from '../../src/shared/compression.js';
import { rpmErrorAsync } from '../helpers/errors.js';
import { HAVE_CORPUS, RPM_GENERATED, describeWithCompressors } from './helpers.js';

const top = mkdtempSync(join(tmpdir(), 'repokit-aptrpm-repo-'));
afterAll(() => rmSync(top, { recursive: true, force: true }));
let root = '';
let n = 0;
beforeEach(() => {
  root = join(top, `t${n++}`);
  mkdirSync(root);
});

const md5 = (b: Uint8Array) => createHash('md5').update(b).digest('hex');
const corpus = (suffix: string) => (HAVE_CORPUS ? readdirSync(RPM_GENERATED).filter((f) => f.endsWith(suffix)).sort() : []);

function place(arch: string, component: string, files: readonly string[]): void {
  const dir = join(root, arch, `RPMS.${component}`);
  mkdirSync(dir, { recursive: true });
  for (const f of files) copyFileSync(join(RPM_GENERATED, f), join(dir, f));
}

describeWithCompressors('buildArchIndexes', ['xz', 'bzip2'], () => {
  it('writes base/ as genbasedir lays it out; the release lists every file with its real size and hashes', async () => {
    place('x86_64', 'classic', corpus('.x86_64.rpm'));
    const r = await buildArchIndexes(root, 'x86_64', {
      compress: ['xz', 'bzip2'],
      release: { origin: 'Repokit', label: 'test', date: new Date(0) },
    });
    const base = join(root, 'x86_64', 'base');
    expect(readdirSync(base).sort()).toEqual(['pkglist.classic', 'pkglist.classic.bz2', 'pkglist.classic.xz', 'release', 'release.classic']);
    expect(r.files.map((f) => f.path)).toEqual(['base/pkglist.classic', 'base/pkglist.classic.bz2', 'base/pkglist.classic.xz', 'base/release.classic']);
    const release = parseRelease(readFileSync(join(base, 'release')));
    expect(release.fields.get('Components')).toBe('classic');
    expect(release.fields.get('Architectures')).toBe('x86_64');
    expect(release.fields.get('Origin')).toBe('Repokit');
    for (const c of release.md5) {
      const b = readFileSync(join(root, 'x86_64', c.path));
      expect([c.size, c.hash]).toEqual([b.length, md5(b)]);
    }
    expect(release.blake2b.length).toBe(release.md5.length);
    // The compressed forms hold the very same list.
    const plain = readFileSync(join(base, 'pkglist.classic'));
    expect(md5(await decompress(readFileSync(join(base, 'pkglist.classic.xz'))))).toBe(md5(plain));
    expect(md5(await decompress(readFileSync(join(base, 'pkglist.classic.bz2'))))).toBe(md5(plain));
    expect([...parsePkglist(plain)].map((e) => e.header.getString(1000000))).toEqual(r.components[0]!.packages);
    expect(readFileSync(join(base, 'release.classic'), 'utf8')).toContain('Architecture: x86_64\n');
    // The release is written last.
    const mtime = (f: string) => statSync(join(base, f)).mtimeMs;
    for (const f of readdirSync(base)) expect(mtime('release')).toBeGreaterThanOrEqual(mtime(f));
    expect((await verifyArch(root, 'x86_64')).ok).toBe(true);
  });

  it('several components and arches; stale files go when compressions or components change', async () => {
    place('noarch', 'classic', corpus('.noarch.rpm').slice(0, 3));
    place('noarch', 'extra', corpus('.noarch.rpm').slice(3));
    place('x86_64', 'classic', corpus('.x86_64.rpm'));
    await buildArchIndexes(root, 'noarch', { compress: ['xz', 'bzip2'] });
    await buildArchIndexes(root, 'x86_64');
    expect(await listArches(root)).toEqual(['noarch', 'x86_64']);
    const base = join(root, 'noarch', 'base');
    expect(parseRelease(readFileSync(join(base, 'release'))).fields.get('Components')).toBe('classic extra');
    expect(readdirSync(base)).toContain('pkglist.extra.bz2');
    rmSync(join(root, 'noarch', 'RPMS.extra'), { recursive: true });
    await buildArchIndexes(root, 'noarch', { compress: ['xz'], uncompressed: false });
    expect(readdirSync(base).sort()).toEqual(['pkglist.classic.xz', 'release', 'release.classic']);
    // The unpublished plain list is still listed, and verifies through its .xz, as apt checks it.
    const report = await verifyArch(root, 'noarch');
    expect(report.ok).toBe(true);
    expect(report.files.find((f) => f.path === 'base/pkglist.classic')).toMatchObject({ status: 'ok', via: 'base/pkglist.classic.xz' });
    expect(report.files.filter((f) => f.path.startsWith('RPMS.classic/')).length).toBe(3);
  });

  it('source packages: srclist from ROOT/SRPMS.<comp> (or ARCH/SRPMS.<comp> with flat), with the binaries each built', async () => {
    place('x86_64', 'classic', corpus('.x86_64.rpm'));
    mkdirSync(join(root, 'SRPMS.classic'));
    for (const f of corpus('.src.rpm')) copyFileSync(join(RPM_GENERATED, f), join(root, 'SRPMS.classic', f));
    const r = await buildArchIndexes(root, 'x86_64', { compress: ['xz'] });
    expect(r.files.map((f) => f.path)).toEqual([
      'base/pkglist.classic',
      'base/srclist.classic',
      'base/pkglist.classic.xz',
      'base/srclist.classic.xz',
      'base/release.classic',
    ]);
    const src = await readPkglistHeaders(join(root, 'x86_64', 'base', 'srclist.classic.xz'));
    expect(src.length).toBe(corpus('.src.rpm').length);
    const core = src.find((h) => h.getString(1000000) === 'aurora-core-2.4.1-7.src.rpm')!;
    expect(core.getStringArray(1000011)).toEqual(['aurora-core', 'aurora-core-devel']);
    expect(core.getString(1000010)).toBe('../SRPMS.classic');
    const report = await verifyArch(root, 'x86_64');
    expect(report.ok).toBe(true);
    expect(report.files.some((f) => f.path === '../SRPMS.classic/aurora-core-2.4.1-7.src.rpm' && f.status === 'ok')).toBe(true);
    // flat: the sources live next to RPMS.<comp>.
    rmSync(join(root, 'SRPMS.classic'), { recursive: true });
    mkdirSync(join(root, 'x86_64', 'SRPMS.classic'));
    copyFileSync(join(RPM_GENERATED, 'aurora-lib-1.2.3-1.src.rpm'), join(root, 'x86_64', 'SRPMS.classic', 'aurora-lib-1.2.3-1.src.rpm'));
    await buildArchIndexes(root, 'x86_64', { compress: [], flat: true });
    const [flat] = [...parsePkglist(readFileSync(join(root, 'x86_64', 'base', 'srclist.classic')))];
    expect(flat!.header.getString(1000010)).toBe('./SRPMS.classic');
    expect((await verifyArch(root, 'x86_64')).ok).toBe(true);
  });

  it('verify reports a changed file, a changed package and a missing one', async () => {
    place('x86_64', 'classic', corpus('.x86_64.rpm'));
    await buildArchIndexes(root, 'x86_64');
    const base = join(root, 'x86_64', 'base');
    const rel = readFileSync(join(base, 'release.classic'), 'utf8');
    writeFileSync(join(base, 'release.classic'), rel.replace('Unknown', 'unknown'));
    const pkgs = readdirSync(join(root, 'x86_64', 'RPMS.classic'));
    const first = join(root, 'x86_64', 'RPMS.classic', pkgs[0]!);
    const bytes = readFileSync(first);
    bytes[bytes.length - 1] = bytes[bytes.length - 1]! ^ 1;
    writeFileSync(first, bytes);
    rmSync(join(root, 'x86_64', 'RPMS.classic', pkgs[1]!));
    const report = await verifyArch(root, 'x86_64');
    expect(report.ok).toBe(false);
    const bad = Object.fromEntries(report.files.filter((f) => f.status !== 'ok').map((f) => [f.path, f.status]));
    expect(bad).toEqual({ 'base/release.classic': 'hash', [`RPMS.classic/${pkgs[0]}`]: 'hash', [`RPMS.classic/${pkgs[1]}`]: 'missing' });
    const e = await rpmErrorAsync(verifyArch(root, 'i586'));
    expect(e.code).toBe('IO_ERROR');
  });
}, { needsCorpus: true });

describe('buildArchIndexes arguments', () => {
  it('refuses names that cannot be directories', async () => {
    expect((await rpmErrorAsync(buildArchIndexes(root, '../x'))).code).toBe('APTRPM_BAD_NAME');
    expect((await rpmErrorAsync(buildArchIndexes(root, 'x86_64', { components: ['a/b'] }))).code).toBe('APTRPM_BAD_NAME');
  });
});

describeWithCompressors('AptRpmRepository (registry facade)', ['xz'], () => {
  const rpm = (f: string) => readFileSync(join(RPM_GENERATED, f));

  it('add: stored by ARCH tag as N-V-R.A.rpm, indexes rebuilt; a duplicate file name is refused with its own code', async () => {
    const repo = new AptRpmRepository(root, { release: { origin: 'Forgejo', label: 'Forgejo', date: new Date(0) } });
    const x = corpus('.x86_64.rpm')[0]!;
    const added = await repo.addPackage(rpm(x));
    expect(added).toMatchObject({ arch: 'x86_64', component: 'classic', fileName: x });
    expect(existsSync(join(root, 'x86_64', 'RPMS.classic', x))).toBe(true);
    expect(added.index!.components[0]!.packages).toEqual([x]);
    const noarch = await repo.addPackage(join(RPM_GENERATED, corpus('.noarch.rpm')[0]!));
    expect(noarch.arch).toBe('noarch');
    expect(await repo.arches()).toEqual(['noarch', 'x86_64']);
    const dup = await rpmErrorAsync(repo.addPackage(rpm(x)));
    expect(dup.code).toBe('APTRPM_DUPLICATE_PACKAGE');
    expect((await repo.verify('x86_64')).ok).toBe(true);
    expect(existsSync(join(root, '.aptrpm.lock'))).toBe(false);
  });

  it('invalid and source packages are refused as APTRPM_INVALID_PACKAGE, with the RPM error as cause', async () => {
    const repo = new AptRpmRepository(root);
    const bad = await rpmErrorAsync(repo.addPackage(new TextEncoder().encode('not an rpm')));
    expect(bad.code).toBe('APTRPM_INVALID_PACKAGE');
    expect((bad.cause as { code?: string }).code).toBe('RPM_BAD_LEAD');
    const src = await rpmErrorAsync(repo.addPackage(rpm(corpus('.src.rpm')[0]!)));
    expect(src.code).toBe('APTRPM_INVALID_PACKAGE');
    expect(existsSync(join(root, 'x86_64'))).toBe(false);
  });

  it('remove: rebuilds, refuses what is not there, and drops the indexes with the last package', async () => {
    const repo = new AptRpmRepository(root);
    const [a, b] = corpus('.x86_64.rpm');
    await repo.addPackage(rpm(a!));
    await repo.addPackage(rpm(b!));
    const r1 = await repo.removePackage('x86_64', a!);
    expect(r1.droppedIndexes).toBe(false);
    expect(r1.index!.components[0]!.packages).toEqual([b]);
    expect((await rpmErrorAsync(repo.removePackage('x86_64', a!))).code).toBe('APTRPM_PACKAGE_NOT_FOUND');
    expect((await rpmErrorAsync(repo.removePackage('x86_64', '../../etc/passwd'))).code).toBe('APTRPM_PACKAGE_NOT_FOUND');
    const r2 = await repo.removePackage('x86_64', b!);
    expect(r2.droppedIndexes).toBe(true);
    expect(existsSync(join(root, 'x86_64'))).toBe(false);
    expect(await repo.arches()).toEqual([]);
  });
}, { needsCorpus: true });
