/**
 * Package file names derived from repodata (which may be hostile) stay one path component:
 * `entryFileName` refuses a pkgver or architecture that would reach outside the repository
 * directory, so `clean`, `sign` and `indexedPackagePaths` never touch files elsewhere.
 */
import { describe, expect, it } from 'vitest';
import { entryFileName, indexedPackagePaths, type XbpsIndexEntry, type XbpsRepodata } from '../../src/xbps/index.js';
import { isRepokitError } from '../../src/shared/errors.js';

function entry(pkgver: string, arch: string): XbpsIndexEntry {
  return { pkgname: 'foo', pkgver, dict: new Map([['pkgver', pkgver], ['architecture', arch]]) };
}

describe('entryFileName', () => {
  it('gives <pkgver>.<arch>.xbps for a normal entry', () => {
    expect(entryFileName(entry('foo-1.0_1', 'x86_64'))).toBe('foo-1.0_1.x86_64.xbps');
  });

  it.each([
    ['../../etc/foo-1.0_1', 'x86_64'],
    ['foo-1.0_1', 'x86_64/../../../etc/passwd'],
    ['/etc/foo-1.0_1', 'noarch'],
    ['.hidden-1.0_1', 'noarch'],
    ['foo\0-1.0_1', 'noarch'],
  ])('refuses pkgver %j with arch %j (XBPS_BAD_ENTRY)', (pkgver, arch) => {
    let err: unknown;
    try {
      entryFileName(entry(pkgver, arch));
    } catch (e) {
      err = e;
    }
    expect(isRepokitError(err) && err.code).toBe('XBPS_BAD_ENTRY');
  });

  it('indexedPackagePaths refuses a hostile index instead of naming a path outside the directory', () => {
    const repo = { index: new Map([['foo', entry('../../../tmp/evil-1.0_1', 'noarch')]]), stage: new Map() } as unknown as XbpsRepodata;
    expect(() => indexedPackagePaths(repo, '/srv/repo')).toThrow(/not a package file name/);
  });
});
