/**
 * xbps_cmpver, reverts and dependency patterns, as table tests. Vectors: the reference's §5.5
 * (upstream tests/xbps/libxbps/cmpver and outputs of `xbps-uhelper cmpver` 0.60.7) and
 * upstream tests/xbps/libxbps/pkgpattern_match.
 */
import { describe, expect, it } from 'vitest';
import {
  cmpver,
  comparePackages,
  dependencyName,
  fnmatch,
  pkgReverts,
  pkgpatternMatch,
  pkgpatternName,
  pkgpatternVersion,
} from '../../src/xbps/codecs.js';

/** [a, b, expected cmpver(a, b)] */
const CMPVER: readonly [string, string, -1 | 0 | 1][] = [
  // upstream cmpver tests
  ['foo-1.0', 'foo-1.0', 0],
  ['foo-1.0', 'foo-1.0_1', -1],
  ['foo-1.0_1', 'foo-1.0', 1],
  ['foo-2.0rc2', 'foo-2.0rc3', -1],
  ['foo-2.0rc3', 'foo-2.0rc2', 1],
  ['foo-129', 'foo-129_1', -1],
  ['foo-blah-100dpi-21', 'foo-blah-100dpi-21_0', 0],
  ['foo-blah-100dpi-21', 'foo-blah-100dpi-2.1', 1],
  ['foo-1.0.1', 'foo-1.0_1', 1],
  // xbps-uhelper cmpver 0.60.7
  ['1.0_1', '1.0.0_1', 0],
  ['1.0rc1_1', '1.0_1', -1],
  ['1.0RC1_1', '1.0rc1_1', 0],
  ['1.0a_1', '1.0.1_1', 0],
  ['1.0b_1', '1.0.2_1', 0],
  ['1.0pl1_1', '1.0.1_1', 0],
  ['1.0alpha_1', '1.0beta_1', -1],
  ['1.0pre1_1', '1.0rc1_1', 0],
  ['1.10_1', '1.9_1', 1],
  ['1.0_10', '1.0_9', 1],
  ['1.0~rc1_1', '1.0_1', -1],
  ['1.0+git20200101_1', '1.0_1', 1],
  ['foo-1_1', 'bar-1_1', 1],
  // the 32-bit wrap: 4294967297 is 1 in a C int
  ['foo-4294967297_1', 'foo-2_1', -1],
  ['foo-4294967297_1', 'foo-1_1', 0],
  // date-style versions are safe
  ['foo-20240101_1', 'foo-20231231_1', 1],
];

describe('cmpver (xbps_cmpver)', () => {
  for (const [a, b, want] of CMPVER) {
    it(`${a} vs ${b} -> ${want}`, () => {
      expect(cmpver(a, b)).toBe(want);
      expect(cmpver(b, a)).toBe((want === 0 ? 0 : -want) as -1 | 0 | 1);
    });
  }

  it('is reflexive and antisymmetric on a mixed set', () => {
    const vs = ['1.0_1', '1.0a_1', '1.0alpha_1', '1.0.1_1', '2_1', '1.0_2', '1.0pl_1', 'v1_1', '1.0-rc_1'];
    for (const a of vs) {
      expect(cmpver(a, a)).toBe(0);
      for (const b of vs) expect(cmpver(a, b)).toBe(-cmpver(b, a) || 0);
    }
  });
});

describe('reverts (xbps_pkg_reverts, as xbps-rindex -a uses it)', () => {
  it('pkgReverts matches the version_revision of the other pkgver exactly', () => {
    const pkg = { pkgver: 'foo-1.0_1', reverts: ['1.1_1', '2.0_1'] };
    expect(pkgReverts(pkg, 'foo-1.1_1')).toBe(true);
    expect(pkgReverts(pkg, 'foo-1.1_2')).toBe(false);
    expect(pkgReverts(pkg, 'foo-1.1')).toBe(false); // not a pkgver
    expect(pkgReverts({ pkgver: 'foo-1.0_1' }, 'foo-1.1_1')).toBe(false);
  });

  it('comparePackages: an older package that reverts the newer one wins, and vice versa', () => {
    const old = { pkgver: 'foo-1.0_1', reverts: ['1.1_1'] };
    const bad = { pkgver: 'foo-1.1_1' };
    expect(cmpver(old.pkgver, bad.pkgver)).toBe(-1);
    expect(comparePackages(old, bad)).toBe(1);
    expect(comparePackages(bad, old)).toBe(-1);
    // Without reverts, plain cmpver.
    expect(comparePackages({ pkgver: 'foo-1.0_2' }, { pkgver: 'foo-1.0_1' })).toBe(1);
    expect(comparePackages({ pkgver: 'foo-1.0_1' }, { pkgver: 'foo-1.0_1' })).toBe(0);
    // reverts listing a different version changes nothing.
    expect(comparePackages({ pkgver: 'foo-1.0_1', reverts: ['1.2_1'] }, bad)).toBe(-1);
  });
});

/** [pkgver, pattern, matches] */
const PATTERNS: readonly [string, string, boolean][] = [
  // upstream pkgpattern_match tests
  ['foo-1.0', 'foo>=0', true],
  ['foo-1.0', 'foo>=1.0', true],
  ['foo-1.0', 'foo>=1.0<1.0_1', true],
  ['foo-1.0', 'foo>1.0_1', false],
  ['foo-1.0', 'foo<1.0', false],
  ['foo-1.0', 'foo-1.0', true],
  ['foo-1.0', 'foo-[0-1].[0-9]*', true],
  ['foo-1.0', 'foo-[1-2].[1-9]*', false],
  ['foo-1.01', 'foo-1.[0-9]?', true],
  ['foo-1.01', 'foo-1.[1-9]?', false],
  ['foo-1.01', 'foo-1.[0-2][2-4]?', false],
  ['foo-1.02', 'foo>=1.[0-2][2-4]?', true],
  ['foo-1.12', 'foo>=1.[0-2][2-4]?', true],
  ['foo-1.22', 'foo>=1.[0-2][2-4]?', true],
  ['foo-1.23', 'foo>=1.[0-2][2-4]?', true],
  ['foo-1.24', 'foo>=1.[0-2][2-4]?', true],
  ['foo-1.11', 'foo-1.[0-2][2-4]?', false],
  // run_depends of the corpus packages
  ['glibc-2.36_1', 'glibc>=2.36_1', true],
  ['glibc-2.35_9', 'glibc>=2.36_1', false],
  ['lumen-libs-2.1.0_1', 'lumen-libs<3_1', true],
  ['lumen-libs-3_1', 'lumen-libs<3_1', false],
  ['lumen-core-2.1.0_1', 'lumen-core>=2.0_1', true],
  ['shadow-4.14_1', 'shadow>=0', true],
  ['lumen-data-1.0_1', 'lumen-data-1.0_1', true],
  ['lumen-data-1.0_2', 'lumen-data-1.0_1', false],
  // the name must match exactly, including its length
  ['foobar-1.0_1', 'foo>=0', false],
  ['fo-1.0_1', 'foo>=0', false],
  // == and != after a relational operator, and <= bounds
  ['foo-1.0_1', 'foo<=1.0_1', true],
  ['foo-1.0_2', 'foo<=1.0_1', false],
  ['foo-1.5_1', 'foo>1.0<2.0', true],
  ['foo-2.0_1', 'foo>1.0<2.0', false],
  ['foo-2.0_1', 'foo>1.0<=2.0_1', true],
  // globs: FNM_PERIOD, escapes, classes
  ['foo-1.0_1', 'foo-*', true],
  ['foo-1.0_1', '*-1.0_1', true],
  ['.hidden-1_1', '*-1_1', false],
  ['.hidden-1_1', '.hidden-*', true],
  ['foo-1.0_1', 'foo-[[:digit:]]*', true],
  ['foo-a.0_1', 'foo-[!0-9]*', true],
  ['foo-1.0_1', 'foo-[!0-9]*', false],
  ['foo-1.0_1', 'foo?1.0_1', true],
  ['foo*-1_1', 'foo\\*-*', true],
  ['foox-1_1', 'foo\\*-*', false],
  ['nothing', 'other', false],
];

describe('pkgpatternMatch (xbps_pkgpattern_match)', () => {
  for (const [pkg, pattern, want] of PATTERNS) {
    it(`${pkg} ${want ? 'matches' : 'does not match'} ${pattern}`, () => {
      expect(pkgpatternMatch(pkg, pattern)).toBe(want);
    });
  }

  it('globs do not backtrack exponentially', () => {
    expect(fnmatch('*a*a*a*a*a*a*a*a*a*b', 'a'.repeat(5000))).toBe(false);
  });
});

describe('pattern names (xbps_pkgpattern_name, xbps_pkgpattern_version)', () => {
  const names: [string, string | undefined][] = [
    ['systemd>=43', 'systemd'],
    ['systemd>43', 'systemd'],
    ['systemd<43', 'systemd'],
    ['systemd<=43', 'systemd'],
    ['systemd>4[3-9]?', 'systemd'],
    ['systemd<4_1?', 'systemd'],
    ['systemd-[0-9]*', 'systemd'],
    ['*nslookup', undefined],
    ['plainname', undefined],
    [`${'n'.repeat(64)}>=1`, undefined],
  ];
  for (const [pattern, want] of names) {
    it(`${pattern.slice(0, 20)} -> ${want}`, () => expect(pkgpatternName(pattern)).toBe(want));
  }

  it('pkgpatternVersion is the pattern from its first operator on', () => {
    expect(pkgpatternVersion('foo>=1.0<2')).toBe('>=1.0<2');
    expect(pkgpatternVersion('foo-1.0_1')).toBeUndefined();
  });

  it('dependencyName resolves patterns, pkgvers and bare names', () => {
    expect(dependencyName('glibc>=2.36_1')).toBe('glibc');
    expect(dependencyName('lumen-data-1.0_1')).toBe('lumen-data');
    expect(dependencyName('foo-[0-9]*')).toBe('foo');
    expect(dependencyName('bare')).toBe('bare');
  });
});
