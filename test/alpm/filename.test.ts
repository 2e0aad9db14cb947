/** Package file names, versions and db entry names (name rules from the ALPM specification). */
import { describe, expect, it } from 'vitest';
import {
  entryDirName,
  formatPackageFileName,
  formatVersion,
  libalpmFileNameProblem,
  parsePackageFileName,
  parseVersion,
  splitEntryName,
} from '../../src/alpm/codecs.js';
import { rpmError } from '../helpers/errors.js';

describe('package file names', () => {
  it.each([
    ['foo-1.0-1-x86_64.pkg.tar.zst', { name: 'foo', version: '1.0-1', arch: 'x86_64', compression: '.zst' }],
    ['upd72020x-fw-1:1.0.0-2-any.pkg.tar.zst', { name: 'upd72020x-fw', version: '1:1.0.0-2', arch: 'any', compression: '.zst' }],
    ['my-pkg-name-r58.f54e05a-1.1-any.pkg.tar', { name: 'my-pkg-name', version: 'r58.f54e05a-1.1', arch: 'any', compression: '' }],
    ['a+b@c_d-2-3-i686.pkg.tar.Z', { name: 'a+b@c_d', version: '2-3', arch: 'i686', compression: '.Z' }],
  ] as const)('%s', (file, parts) => {
    expect(parsePackageFileName(file)).toEqual(parts);
    expect(formatPackageFileName(parts)).toBe(file);
  });
  it.each([
    ['foo-1.0-1-x86_64.xp', 'does not contain .pkg.tar'],
    ['foo-1.0-1-x86_64.pkg.tar.rar', 'unknown compression suffix'],
    ['foo-1.0-x86_64.pkg.tar.zst', 'is not name-version-release-arch'],
    ['-foo-1.0-1-any.pkg.tar.zst', 'invalid package name'],
    ['foo-1.0-1-x86-64bit.pkg.tar.zst', 'invalid pkgrel'],
    ['foo-1.0-1-any$.pkg.tar.zst', 'invalid architecture'],
    ['dir/foo-1.0-1-any.pkg.tar.zst', "contains '/'"],
    ['1.0-1-any.pkg.tar.zst', 'is not name-version-release-arch'],
  ])('%s is refused (%s)', (file, why) => {
    const e = rpmError(() => parsePackageFileName(file));
    expect(e.code).toBe('ALPM_BAD_FILENAME');
    expect(e.message).toContain(why);
  });
  it('libalpm\'s own %FILENAME% check is much looser', () => {
    expect(libalpmFileNameProblem('x-release-1.0-4-any.xp')).toBeUndefined();
    expect(libalpmFileNameProblem('.hidden')).toContain('starts with');
    expect(libalpmFileNameProblem('a/b')).toContain('contains');
  });
});

describe('versions', () => {
  it('parse and format', () => {
    expect(parseVersion('2:1.0.0-1')).toEqual({ epoch: 2, pkgver: '1.0.0', pkgrel: '1' });
    expect(parseVersion('1.0', { requireRel: false })).toEqual({ pkgver: '1.0' });
    expect(formatVersion({ epoch: 0, pkgver: '1', pkgrel: '2' })).toBe('1-2');
    expect(formatVersion({ epoch: 0, pkgver: '1', pkgrel: '2' }, { keepZeroEpoch: true })).toBe('0:1-2');
    for (const bad of ['1.0', 'a:1-1', '1-x', '1-1.2.3', '1<2-1', '-1', '']) expect(rpmError(() => parseVersion(bad)).code).toBe('ALPM_BAD_VERSION');
  });
});

describe('database entry names (libalpm _alpm_splitname + _alpm_pkg_check_meta)', () => {
  it('split at the last two dashes', () => {
    expect(splitEntryName('sddm-theme-eucalyptus-drop-r58.f54e05a-1/')).toEqual({ name: 'sddm-theme-eucalyptus-drop', version: 'r58.f54e05a-1' });
    expect(splitEntryName('upd72020x-fw-1:1.0.0-2')).toEqual({ name: 'upd72020x-fw', version: '1:1.0.0-2' });
    expect(entryDirName({ name: 'a-b', version: '1-2' })).toBe('a-b-1-2');
  });
  it.each(['retroshare-git.deltas', 'foo-1', '-1-2', '.x-1-2', 'f o-1-2', `${'a'.repeat(250)}-1.0-1`, 'a--1'])('%s is refused', (dir) => {
    expect(rpmError(() => splitEntryName(dir)).code).toBe('ALPM_BAD_ENTRY_NAME');
  });
});
