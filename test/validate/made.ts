/**
 * Files of every kind made here, so detection and validation are covered without ../shared:
 * pacman packages by the real makepkg, a sync database by the real repo-add, the entry files and
 * .PKGINFO/.BUILDINFO taken out of them by bsdtar; xbps packages and repodata, apt-rpm lists and
 * releases (no xbps or ALT apt installs here) by repokit's own writers from real RPMs in
 * fixtures/rpm; a repod.conf by hand.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { SAMPLE_PKGBUILDS, buildPackages, makepkgVersion, toolAvailable } from '../helpers/makepkg.js';
import { compress, type Compression } from '../../src/shared/compression.js';
import { writeTar } from '../../src/shared/tar.js';
import { filesToPlist, propsToPlist, writePlist, writeRepodata, indexEntryFromPackage } from '../../src/xbps/index.js';
import { buildPkglist, buildSrclist, formatComponentRelease, formatRelease, scanPackageFileSync } from '../../src/aptrpm/index.js';
import type { FileKind } from '../../src/validate/index.js';
import { REPO_ROOT } from './corpus.js';

export interface MadeFile {
  path: string;
  kind: FileKind;
  /** How it was made, for test names. */
  how: string;
}

export const HAVE_ALPM_TOOLS = (() => {
  try {
    return toolAvailable('makepkg') && toolAvailable('fakeroot', ['-v']) && toolAvailable('repo-add', ['--help']) && toolAvailable('bsdtar') && makepkgVersion() !== null;
  } catch (e) {
    if (process.env['CI']) throw e;
    return false;
  }
})();

function sh(cmd: string, args: string[], cwd?: string): void {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr}`);
}

/** pacman files: packages (makepkg), a .db/.files of every compression (repo-add), and their members (bsdtar). */
export async function makeAlpmFiles(dir: string): Promise<MadeFile[]> {
  const built = await buildPackages(SAMPLE_PKGBUILDS.slice(0, 3));
  const out: MadeFile[] = built.map((b) => ({ path: b.path, kind: 'alpm-package', how: `makepkg ${b.fileName}` }));
  const repo = join(dir, 'repo');
  mkdirSync(repo);
  for (const b of built) copyFileSync(b.path, join(repo, b.fileName));
  for (const ext of ['gz', 'xz', 'zst', 'bz2']) {
    const db = join(repo, `rk-${ext}.db.tar.${ext}`);
    sh('repo-add', ['-q', db, ...built.map((b) => join(repo, b.fileName))]);
    out.push({ path: db, kind: 'alpm-db', how: `repo-add .db.tar.${ext}` });
    out.push({ path: join(repo, `rk-${ext}.files.tar.${ext}`), kind: 'alpm-db', how: `repo-add .files.tar.${ext}` });
  }
  const x = join(dir, 'x');
  mkdirSync(x);
  sh('bsdtar', ['-xf', join(repo, 'rk-gz.files.tar.gz')], x);
  sh('bsdtar', ['-xf', built[0]!.path, '.PKGINFO', '.BUILDINFO'], x);
  const entry = spawnSync('bsdtar', ['-tf', join(repo, 'rk-gz.db.tar.gz')], { encoding: 'utf8' }).stdout.split('\n').find((l) => l.endsWith('/desc'))!;
  out.push({ path: join(x, entry), kind: 'alpm-desc', how: 'repo-add desc' });
  out.push({ path: join(x, entry.replace(/desc$/, 'files')), kind: 'alpm-desc', how: 'repo-add files' });
  out.push({ path: join(x, '.PKGINFO'), kind: 'pkginfo', how: 'makepkg .PKGINFO' });
  out.push({ path: join(x, '.BUILDINFO'), kind: 'buildinfo', how: 'makepkg .BUILDINFO' });
  return out;
}

const RPMS = ['hello-1.0-1.noarch.rpm', 'plain-2.0-1.noarch.rpm'].map((f) => join(REPO_ROOT, 'fixtures', 'rpm', f));
const SRPM = join(REPO_ROOT, 'fixtures', 'rpm', 'hello-1.0-1.src.rpm');

/** Files of the formats whose tools do not install here, written by repokit's writers. */
export async function makeOtherFiles(dir: string): Promise<MadeFile[]> {
  const out: MadeFile[] = [];
  const put = (name: string, data: Uint8Array | string, kind: FileKind, how: string): string => {
    const path = join(dir, name);
    writeFileSync(path, data);
    out.push({ path, kind, how });
    return path;
  };
  for (const f of [...RPMS, SRPM]) out.push({ path: f, kind: 'rpm', how: `fixtures/rpm ${f.split('/').pop()}` });
  // xbps: a package laid out as xbps-create lays it out, in every compression, and repodata.
  const props = propsToPlist({ pkgver: 'hello-1.0_1', architecture: 'noarch', shortDesc: 'Says hello', installedSize: 42 });
  const files = filesToPlist({ files: [{ file: '/usr/bin/hello', sha256: 'ab'.repeat(32), size: 42 }] });
  const tar = writeTar([
    { name: './props.plist', data: writePlist(props) },
    { name: './files.plist', data: writePlist(files) },
    { name: './usr/bin/hello', data: new TextEncoder().encode('#!/bin/sh\n') },
  ]);
  for (const c of ['zstd', 'xz', 'gzip', 'bzip2', 'lz4', 'none'] as Compression[]) {
    put(`hello-1.0_1.noarch.${c}.xbps`, await compress(tar, c), 'xbps-package', `xbps package (${c})`);
  }
  const entry = indexEntryFromPackage({ props, pkgver: 'hello-1.0_1', sha256: 'ab'.repeat(32), size: 1234 }, 'hello');
  for (const c of ['zstd', 'gzip', 'none'] as Compression[]) {
    put(`${c}-x86_64-repodata`, await writeRepodata({ index: new Map([['hello', entry]]) }, { compression: c }), 'xbps-repodata', `repodata (${c})`);
  }
  put('props.plist', writePlist(props), 'plist', 'props.plist');
  // apt-rpm: lists from real RPMs, and the releases.
  const records = RPMS.map((f) => {
    const s = scanPackageFileSync(f);
    return { header: s.package.header, file: s.file };
  });
  const list = buildPkglist(records, { component: 'classic' });
  put('pkglist.classic', list, 'aptrpm-pkglist', 'pkglist');
  put('pkglist.classic.xz', await compress(list, 'xz'), 'aptrpm-pkglist', 'pkglist.xz');
  put('pkglist.classic.bz2', await compress(list, 'bzip2'), 'aptrpm-pkglist', 'pkglist.bz2');
  const src = scanPackageFileSync(SRPM);
  put('srclist.classic', buildSrclist([{ header: src.package.header, file: src.file }], { component: 'classic' }), 'aptrpm-srclist', 'srclist');
  put('release.classic', formatComponentRelease({ component: 'classic', architecture: 'noarch' }), 'aptrpm-release', 'release.classic');
  put('release', formatRelease({ date: new Date(0) }, [{ path: 'base/pkglist.classic', size: list.length, md5: '0'.repeat(32) }]), 'aptrpm-release', 'release');
  put('repod.conf', '[[repositories]]\nname = "core"\narchitecture = "x86_64"\ntesting = "core-testing"\n', 'repod-conf', 'repod.conf');
  return out;
}

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'repokit-validate-'));
}

/**
 * For a describe block: make the files of {@link makeOtherFiles} (and of {@link makeAlpmFiles} when
 * the pacman tools are here) in a temporary directory before its tests and remove them after. The
 * returned list is filled by the time the tests run.
 */
export function useMadeFiles(): readonly MadeFile[] {
  const made: MadeFile[] = [];
  let dir: string | undefined;
  beforeAll(async () => {
    dir = tempDir();
    made.push(...(await makeOtherFiles(dir)));
    if (HAVE_ALPM_TOOLS) made.push(...(await makeAlpmFiles(dir)));
  }, 600_000);
  afterAll(() => {
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });
  return made;
}

export { readFileSync };
