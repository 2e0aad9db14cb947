/**
 * pkgver parsing with xbps's rules. Vectors: the reference's §5.4 (outputs of xbps-uhelper
 * getpkgname/getpkgversion/getpkgrevision 0.60.7) and upstream tests/xbps/libxbps/util.
 */
import { describe, expect, it } from 'vitest';
import {
  binpkgFilename,
  isPkgver,
  parseBinpkgFilename,
  parsePkgver,
  pkgverName,
  pkgverRevision,
  pkgverVersion,
  tryParsePkgver,
} from '../../src/xbps/codecs.js';
import { isRepokitError } from '../../src/shared/errors.js';

/** [pkgver, name, version_revision, revision] */
const VALID: readonly [string, string, string, string][] = [
  ['foo-1.0_1', 'foo', '1.0_1', '1'],
  ['perl-Digest-1.17_01_1', 'perl-Digest', '1.17_01_1', '1'],
  ['foo--1_1', 'foo-', '1_1', '1'],
  ['font-adobe-100dpi-7.8_2', 'font-adobe-100dpi', '7.8_2', '2'],
  ['python-e_dbus-1_1', 'python-e_dbus', '1_1', '1'],
  ['fs-utils-v1_1', 'fs-utils', 'v1_1', '1'],
  ['perl-PerlIO-utf8_strict-0.007_1', 'perl-PerlIO-utf8_strict', '0.007_1', '1'],
  ['systemd_21-43_0', 'systemd_21', '43_0', '0'],
  ['systemd-43_1_0', 'systemd', '43_1_0', '0'],
  ['perl-Module-CoreList-5.20170715_24_1', 'perl-Module-CoreList', '5.20170715_24_1', '1'],
  ['nvim-g0150cc416_0', 'nvim', 'g0150cc416_0', '0'],
  ['noctalia-shell-git-4.6.7(e5677f9)_0', 'noctalia-shell-git', '4.6.7(e5677f9)_0', '0'],
  ['lumen-meta-2023.11_1', 'lumen-meta', '2023.11_1', '1'],
];

const INVALID: readonly string[] = [
  'foo-bar_1',
  'foo-1.0',
  'foo-1.0_1a',
  'foo-1.0_',
  'foo',
  'font-adobe-a',
  'font-adobe-1',
  'font-adobe-100dpi',
  'font-adobe-100dpi-7.8',
  'python-e_dbus',
  'fs-utils-v_1',
  'font-adobe-100dpi-1.8_blah',
  'perl-PerlIO-utf8_strict',
  'python-e_dbus-1',
];

describe('parsePkgver', () => {
  for (const [s, name, version, revision] of VALID) {
    it(`${s} -> ${name} / ${version} / ${revision}`, () => {
      const p = parsePkgver(s);
      expect(p).toEqual({ pkgver: s, name, version, versionOnly: version.slice(0, version.lastIndexOf('_')), revision });
      expect(pkgverName(s)).toBe(name);
      expect(pkgverVersion(s)).toBe(version);
      expect(pkgverRevision(s)).toBe(revision);
      expect(isPkgver(s)).toBe(true);
    });
  }
  for (const s of INVALID) {
    it(`${s} is not a pkgver`, () => {
      expect(tryParsePkgver(s)).toBeUndefined();
      expect(pkgverVersion(s)).toBeUndefined();
      try {
        parsePkgver(s);
        expect.fail('no error');
      } catch (e) {
        expect(isRepokitError(e) && e.code).toBe('XBPS_BAD_PKGVER');
      }
    });
  }

  it('limits names to 63 bytes of UTF-8 (XBPS_NAME_SIZE)', () => {
    expect(pkgverName(`${'a'.repeat(63)}-1_1`)).toBe('a'.repeat(63));
    expect(pkgverName(`${'a'.repeat(64)}-1_1`)).toBeUndefined();
    expect(pkgverName(`${'é'.repeat(32)}-1_1`)).toBeUndefined(); // 64 bytes
    // xbps_pkg_version has no such limit.
    expect(pkgverVersion(`${'a'.repeat(64)}-1_1`)).toBe('1_1');
  });
});

describe('package file names (xbps_binpkg_pkgver, xbps_binpkg_arch)', () => {
  it('splits <pkgver>.<arch>.xbps, ignoring directories', () => {
    expect(parseBinpkgFilename('foo-1.0_1.x86_64.xbps')).toEqual({ pkgver: 'foo-1.0_1', arch: 'x86_64' });
    expect(parseBinpkgFilename('/path/to/foo-1.0_1.x86_64-musl.xbps')).toEqual({ pkgver: 'foo-1.0_1', arch: 'x86_64-musl' });
    expect(parseBinpkgFilename('lumen-meta-2023.11_1.noarch.xbps')).toEqual({ pkgver: 'lumen-meta-2023.11_1', arch: 'noarch' });
    expect(parseBinpkgFilename('foo-1.0.x86_64.xbps')).toBeUndefined();
    expect(parseBinpkgFilename('foo-1.0_1.x86_64')).toBeUndefined();
    expect(parseBinpkgFilename('foo-1.0_1.xbps')).toBeUndefined();
    expect(binpkgFilename('foo-1.0_1', 'noarch')).toBe('foo-1.0_1.noarch.xbps');
  });
});
