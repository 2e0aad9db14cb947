/**
 * detectFileKind on real files: every file the shared corpus manifests list (by content alone,
 * and with the name), RPMs from fixtures/rpm, pacman packages and databases made by makepkg and
 * repo-add here, and xbps/apt-rpm/repod files made by repokit's writers. The name is needed only
 * for the documented tie-breaks (empty files, .PKGINFO vs .BUILDINFO with shared keys, pkgdb
 * plists), which are tested on their own.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DETECT_HEAD_BYTES, detectFileKind, detectUncompressedKind, FILE_KINDS } from '../../src/validate/index.js';
import { compress } from '../../src/shared/compression.js';
import { toHex } from '../../src/shared/bytes.js';
import { Prng } from '../helpers/fuzz.js';
import { SKIP_CORPUS, corpusFiles, expectedKind } from './corpus.js';
import { HAVE_ALPM_TOOLS, useMadeFiles } from './made.js';
import { hasTool, isCi } from '../shared/tools.js';

const head = (path: string): Uint8Array => readFileSync(path).subarray(0, DETECT_HEAD_BYTES);

describe(`the shared corpus${SKIP_CORPUS}`, () => {
  const files = corpusFiles();
  // Content alone decides, except for a 0-byte file (empty.desc), where only the name can.
  const needsName = (id: string): boolean => readFileSync(files.find((f) => f.id === id)!.path).length === 0;
  it.skipIf(files.length === 0)('lists files of every kind the corpus has', () => {
    const kinds = new Set(files.map(expectedKind));
    expect([...kinds].sort()).toEqual(['alpm-db', 'alpm-desc', 'alpm-package', 'aptrpm-pkglist', 'aptrpm-release', 'plist', 'rpm', 'unknown', 'xbps-package', 'xbps-repodata']);
  });
  it.each(files.map((f) => [f.id, f] as const))('%s', async (id, f) => {
    const want = expectedKind(f);
    expect(await detectFileKind(head(f.path), f.path)).toBe(want);
    if (!needsName(id)) expect(await detectFileKind(head(f.path))).toBe(want);
  });
});

describe(`files made here (makepkg, repo-add, bsdtar${HAVE_ALPM_TOOLS ? '' : ': skipped, tools missing'}; repokit's writers)`, () => {
  const made = useMadeFiles();

  it('cover every kind (pacman kinds only with the tools)', () => {
    const kinds = new Set(made.map((m) => m.kind));
    const want = FILE_KINDS.filter((k) => k !== 'unknown' && (HAVE_ALPM_TOOLS || !['alpm-package', 'alpm-db', 'alpm-desc', 'pkginfo', 'buildinfo'].includes(k)));
    expect([...kinds].sort()).toEqual([...want].sort());
  });

  it('are detected by content alone', async () => {
    const wrong: string[] = [];
    for (const m of made) {
      const got = await detectFileKind(head(m.path));
      if (got !== m.kind) wrong.push(`${m.how}: ${got}, expected ${m.kind}`);
    }
    expect(wrong).toEqual([]);
  });

  it('stay what they are when compressed (gzip, xz, zstd, bzip2, lz4)', async () => {
    const wrong: string[] = [];
    for (const m of made.filter((x) => !/\.(xz|bz2)$/.test(x.how) && ['alpm-desc', 'pkginfo', 'buildinfo', 'plist', 'aptrpm-pkglist', 'aptrpm-srclist', 'repod-conf', 'aptrpm-release'].includes(x.kind))) {
      for (const c of ['gzip', 'xz', 'zstd', 'bzip2', 'lz4'] as const) {
        const packed = await compress(readFileSync(m.path), c);
        const got = await detectFileKind(packed);
        if (got !== m.kind) wrong.push(`${m.how} (${c}): ${got}`);
      }
    }
    expect(wrong).toEqual([]);
  });
});

describe('a long compressed file cut to its head', () => {
  // 40,000 paths with random hex names: about 1.8 MB of text that compresses poorly, so far more
  // than the head holds in any compression.
  const rng = new Prng(7);
  const files = `%FILES%\n${Array.from({ length: 40_000 }, () => `usr/share/doc/pkg/${toHex(rng.bytes(16))}.txt`).join('\n')}\n`;
  it.each(['gzip', 'zstd'] as const)('%s: the decodable prefix decides', async (c) => {
    const packed = await compress(new TextEncoder().encode(files), c);
    expect(packed.length).toBeGreaterThan(DETECT_HEAD_BYTES);
    expect(await detectFileKind(packed.subarray(0, DETECT_HEAD_BYTES))).toBe('alpm-desc');
  });
  it.each(['xz', 'bzip2', 'lz4'] as const)('%s: a block larger than the head does not decode from it: the name decides, or more of the file', async (c) => {
    const packed = await compress(new TextEncoder().encode(files), c);
    expect(await detectFileKind(packed)).toBe('alpm-desc');
    expect(await detectFileKind(packed.subarray(0, DETECT_HEAD_BYTES))).toBe('unknown');
    expect(await detectFileKind(packed.subarray(0, DETECT_HEAD_BYTES), 'core.files.tar.bz2')).toBe('alpm-db');
  });
});

describe('content rules and name tie-breaks', () => {
  const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
  it('an empty file is what its name says (several formats have a valid empty form)', async () => {
    const empty = new Uint8Array(0);
    expect(await detectFileKind(empty, 'core/zlib-1.3-1/desc')).toBe('alpm-desc');
    expect(await detectFileKind(empty, 'depends')).toBe('alpm-desc');
    expect(await detectFileKind(empty, '.PKGINFO')).toBe('pkginfo');
    expect(await detectFileKind(empty, 'x.plist')).toBe('plist');
    expect(await detectFileKind(empty, 'pkglist.classic')).toBe('aptrpm-pkglist');
    expect(await detectFileKind(empty, '/etc/repod.conf')).toBe('repod-conf');
    expect(await detectFileKind(empty)).toBe('unknown');
  });
  it('.PKGINFO and .BUILDINFO by their keys; the name only when only shared keys are there', async () => {
    expect(await detectFileKind(enc('pkgname = a\npkgver = 1-1\nsize = 3\n'))).toBe('pkginfo');
    expect(await detectFileKind(enc('format = 2\npkgname = a\npkgarch = any\n'), '.PKGINFO')).toBe('buildinfo');
    expect(await detectFileKind(enc('pkgname = a\npkgver = 1-1\n'), '.BUILDINFO')).toBe('buildinfo');
    expect(await detectFileKind(enc('pkgname = a\npkgver = 1-1\n'))).toBe('pkginfo');
  });
  it('repod TOML is not mistaken for key = value metadata', async () => {
    expect(await detectFileKind(enc('architecture = "x86_64"\n'))).toBe('repod-conf');
    expect(await detectFileKind(enc('# repod\n[syncdb_settings]\ndesc_version = 2\n'))).toBe('repod-conf');
  });
  it('a dictionary of package dictionaries is a legacy index only when named or compressed like one', async () => {
    const plist = enc('<?xml version="1.0"?>\n<plist version="1.0">\n<dict>\n<key>foo</key>\n<dict>\n<key>pkgver</key>\n<string>foo-1_1</string>\n</dict>\n</dict>\n</plist>\n');
    expect(await detectFileKind(plist, 'pkgdb-0.38.plist')).toBe('plist');
    expect(await detectFileKind(plist, 'x86_64-index.plist')).toBe('xbps-repodata');
    expect(await detectFileKind(await compress(plist, 'gzip'))).toBe('xbps-repodata');
  });
  it('archives repokit cannot decompress go by their name', async () => {
    const lzip = enc('LZIP\x01rest');
    expect(await detectFileKind(lzip, 'foo-1-1-any.pkg.tar.lz')).toBe('alpm-package');
    expect(await detectFileKind(lzip, 'core.db.tar.lz')).toBe('alpm-db');
    expect(await detectFileKind(lzip)).toBe('unknown');
  });
  it('detectUncompressedKind sees compressed bytes as unknown', async () => {
    expect(detectUncompressedKind(await compress(enc('%NAME%\nfoo\n'), 'gzip'))).toBe('unknown');
    expect(detectUncompressedKind(enc('%NAME%\nfoo\n'))).toBe('alpm-desc');
  });
});

describe('looking inside every compression pacman reads', () => {
  // The fixture package's tar, recompressed: detection must see `.PKGINFO` inside, with no name.
  const tarOf = async (): Promise<Uint8Array> => (await import('../../src/shared/compression.js')).decompress(readFileSync('fixtures/alpm/hello-1.0-1-any.pkg.tar.zst'));
  const builtIn = ['gzip', 'xz', 'zstd', 'bzip2', 'lz4', 'lzip', 'compress'] as const;
  it.each(builtIn)('%s', async (c) => {
    expect(await detectFileKind(await compress(await tarOf(), c))).toBe('alpm-package');
  });
  it.each(['lzop', 'lrzip'] as const)(`%s (through its program${hasTool('lzop') && hasTool('lrzip') ? '' : '; skipped where missing'})`, async (c) => {
    if (!hasTool(c)) {
      expect(isCi(), `${c} is missing under CI`).toBe(false);
      return;
    }
    expect(await detectFileKind(await compress(await tarOf(), c))).toBe('alpm-package');
  });
});
