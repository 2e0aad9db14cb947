/**
 * props.plist / files.plist views: writing what xbps-create wrote (golden bytes from the corpus
 * packages, built from the options in generated/MANIFEST.json), reading legacy and malformed
 * entries, and prototype safety of `alternatives`.
 */
import { describe, expect, it } from 'vitest';
import {
  filesToPlist,
  parsePlistDict,
  plistInteger,
  propsToPlist,
  readFiles,
  readProps,
  writePlist,
  type PlistDict,
  type PlistValue,
} from '../../src/xbps/codecs.js';
import { isRepokitError } from '../../src/shared/errors.js';
import { CORPUS_PLISTS, CORPUS_SKIP } from './plist-corpus.js';

const runIf = CORPUS_SKIP === undefined ? it : it.skip;
const SKIP = CORPUS_SKIP ?? '';
const member = (suffix: string): Uint8Array => {
  const c = CORPUS_PLISTS.find((x) => x.id.endsWith(suffix));
  if (c === undefined) throw new Error(`corpus member ${suffix} not found`);
  return c.bytes;
};
const text = (b: Uint8Array): string => new TextDecoder().decode(b);

describe(`propsToPlist writes what xbps-create wrote ${SKIP}`, () => {
  runIf('lumen-core-2.1.0_1: every xbps-create option (generated/MANIFEST.json) gives the same bytes', () => {
    const original = member('generated/pkgs/lumen-core-2.1.0_1.x86_64.xbps!./props.plist');
    const read = readProps(parsePlistDict(original));
    // installed_size and INSTALL.msg come from the destdir, not from the command line.
    const ours = propsToPlist({
      pkgver: 'lumen-core-2.1.0_1',
      architecture: 'x86_64',
      shortDesc: 'Lumen core <engine> & runtime',
      longDesc: 'Lumen core engine.\nSecond line of the long description.',
      homepage: 'https://lumen.example.org/core',
      license: 'MIT, Apache-2.0',
      maintainer: 'Lumen Maintainer <lumen@example.org>',
      runDepends: ['lumen-libs>=2.1.0_1', 'glibc>=2.36_1', 'lumen-data-1.0_1', 'lumen-conf<3.0_1', 'shadow>=0'],
      conflicts: ['lumen-legacy<2.0_1', 'lumen-core-ng>=0'],
      provides: ['lumen-engine-2.1.0_1', 'cmd:lumen-2.1.0_1'],
      replaces: ['lumen-old>=0', 'lumen-core-classic<2.0_1'],
      confFiles: ['/etc/lumen/lumen.conf', '/etc/lumen/extra.conf'],
      shlibRequires: ['liblumen.so.2', 'libc.so.6'],
      alternatives: {
        'lumen-editor': ['/usr/bin/editor:/usr/bin/lumen-edit', '/usr/share/man/man1/editor.1:/usr/share/man/man1/lumen-edit.1'],
      },
      tags: 'devel lumen',
      changelog: 'https://lumen.example.org/changelog',
      packagedWith: 'xbps-src-corpus-1',
      buildOptions: '+tls -x11',
      sourceRevisions: 'lumen-core:1a2b3c4',
      sourcepkg: 'lumen-core',
      installedSize: read.installedSize!,
      installMsg: read.installMsg!,
    });
    expect(text(writePlist(ours))).toBe(text(original));
  });

  runIf('lumen-meta-2023.11_1: a package without files (installed_size 0 is still written)', () => {
    const original = member('generated/pkgs/lumen-meta-2023.11_1.noarch.xbps!./props.plist');
    const ours = propsToPlist({
      pkgver: 'lumen-meta-2023.11_1',
      architecture: 'noarch',
      shortDesc: 'Lumen meta package',
      runDepends: ['lumen-core>=2.1.0_1', 'lumen-tools>=0', 'lumen-i18n>=0'],
    });
    expect(text(writePlist(ours))).toBe(text(original));
    expect(text(writePlist(filesToPlist({})))).toBe(text(member('generated/pkgs/lumen-meta-2023.11_1.noarch.xbps!./files.plist')));
  });

  runIf('every files.plist: readFiles -> filesToPlist -> writePlist gives the same bytes', () => {
    const all = CORPUS_PLISTS.filter((c) => c.id.endsWith('!./files.plist'));
    expect(all.length).toBeGreaterThan(10);
    for (const c of all) {
      const f = readFiles(parsePlistDict(c.bytes));
      expect(text(writePlist(filesToPlist(f))), c.id).toBe(text(c.bytes));
    }
  });

  runIf('every props.plist reads, and its pkgname/version keys agree with the pkgver', () => {
    for (const c of CORPUS_PLISTS.filter((x) => x.id.endsWith('!./props.plist'))) {
      const p = readProps(parsePlistDict(c.bytes), { file: c.id });
      expect(p.raw.get('pkgname'), c.id).toBe(p.pkgname);
      expect(p.raw.get('version'), c.id).toBe(p.version);
      expect(c.id).toContain(`${p.pkgver}.${p.architecture}.xbps`);
    }
  });
});

describe('readProps', () => {
  const entry = (pairs: [string, PlistValue][]): PlistDict => new Map(pairs);

  it('reads a minimal index entry; absent lists are empty, absent scalars absent', () => {
    const p = readProps(entry([['pkgver', 'spm-1.0_3'], ['architecture', 'x86_64'], ['filename-size', plistInteger(1462850943)]]));
    expect(p.pkgname).toBe('spm');
    expect(p.version).toBe('1.0_3');
    expect(p.filenameSize).toBe(1462850943);
    expect(p.runDepends).toEqual([]);
    expect(p.preserve).toBe(false);
    expect('shortDesc' in p).toBe(false);
  });

  it('synthesises pkgver from legacy pkgname + version (old index formats)', () => {
    const p = readProps(entry([['pkgname', 'foo'], ['version', '1.0'], ['architecture', 'i686']]));
    expect(p.pkgver).toBe('foo-1.0');
    expect(p.pkgname).toBe('foo');
    expect(p.version).toBe('1.0');
  });

  it('keeps alternatives groups such as __proto__ as plain data', () => {
    const alt = new Map<string, PlistValue>([['__proto__', ['/a:/b']], ['constructor', ['/c:/d']]]);
    const p = readProps(entry([['pkgver', 'x-1_1'], ['architecture', 'noarch'], ['alternatives', alt]]));
    expect(Object.keys(p.alternatives)).toEqual(['__proto__', 'constructor']);
    expect(p.alternatives['__proto__']).toEqual(['/a:/b']);
    expect(Object.getPrototypeOf(p.alternatives)).toBeNull();
    expect(({} as Record<string, unknown>)['0']).toBeUndefined();
  });

  it('refuses missing required keys and wrongly typed known keys', () => {
    const bad: [string, PlistDict][] = [
      ['no pkgver', entry([['architecture', 'x86_64']])],
      ['bad pkgver', entry([['pkgver', 'foo'], ['architecture', 'x86_64']])],
      ['no architecture', entry([['pkgver', 'foo-1_1']])],
      ['run_depends not an array', entry([['pkgver', 'foo-1_1'], ['architecture', 'a'], ['run_depends', 'bar']])],
      ['run_depends with a dict', entry([['pkgver', 'foo-1_1'], ['architecture', 'a'], ['run_depends', [new Map()]]])],
      ['negative size', entry([['pkgver', 'foo-1_1'], ['architecture', 'a'], ['installed_size', plistInteger(-1)]])],
      ['huge size', entry([['pkgver', 'foo-1_1'], ['architecture', 'a'], ['installed_size', plistInteger(1n << 60n)]])],
      ['string size', entry([['pkgver', 'foo-1_1'], ['architecture', 'a'], ['installed_size', '12']])],
      ['preserve string', entry([['pkgver', 'foo-1_1'], ['architecture', 'a'], ['preserve', 'yes']])],
      ['install-msg string', entry([['pkgver', 'foo-1_1'], ['architecture', 'a'], ['install-msg', 'hi']])],
      ['alternatives array', entry([['pkgver', 'foo-1_1'], ['architecture', 'a'], ['alternatives', []]])],
    ];
    for (const [what, d] of bad) {
      try {
        readProps(d, { file: 'x.plist' });
        expect.fail(`${what}: no error`);
      } catch (e) {
        expect(isRepokitError(e) && e.code, what).toBe('XBPS_BAD_PROPS');
        expect(isRepokitError(e) && e.file, what).toBe('x.plist');
      }
    }
  });

  it('propsToPlist refuses an invalid pkgver and omits empty lists and a false preserve', () => {
    expect(() => propsToPlist({ pkgver: 'foo', architecture: 'x', shortDesc: 'y' })).toThrow(/pkgver/);
    const d = propsToPlist({ pkgver: 'foo-1_1', architecture: 'x', shortDesc: 'y', runDepends: [], preserve: false, installMsg: new Uint8Array() });
    expect([...d.keys()].sort()).toEqual(['architecture', 'installed_size', 'pkgname', 'pkgver', 'short_desc', 'version']);
  });
});

describe('readFiles', () => {
  it('refuses entries without file or target', () => {
    const f = (pairs: [string, PlistValue][]): PlistDict => new Map(pairs);
    for (const d of [
      f([['files', [new Map([['sha256', 'x']])]]]),
      f([['links', [new Map([['file', '/a']])]]]),
      f([['dirs', ['not a dict']]]),
      f([['files', new Map()]]),
    ]) {
      try {
        readFiles(d);
        expect.fail('no error');
      } catch (e) {
        expect(isRepokitError(e) && e.code).toBe('XBPS_BAD_PROPS');
      }
    }
  });
});
