/**
 * The xpkg project's database layout (reference: ../shared/reference/alpm.md §6, and the issue's
 * seed: desc plus a separate depends file, .db.tar.zst by default, a <repo>.db alias). The
 * fixture is hand-written here in xpkg's byte layout: per entry `dir/desc` and (only when
 * non-empty) `dir/depends`, no directory members, entries by package name, GNU tar headers as the
 * Rust tar crate writes them (magic "ustar  \0", type flag NUL, mode 0644, uid/gid 0, mtime 0, no
 * user or group names), two zero blocks at the end. The reader must read it, and the writer with
 * `layout: 'xpkg'` must reproduce it byte for byte.
 */
import { mkdtempSync, readlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { emptyDescEntry, encodeDepends, encodeDesc, type DescEntry } from '../../src/alpm/codecs.js';
import { parseSyncDbTar, readSyncDb, syncDbTar, writeSyncDb } from '../../src/alpm/database.js';
import { parseTar } from '../../src/shared/tar.js';

const te = new TextEncoder();

/** One 512-byte header in xpkg's layout, written field by field. */
function xpkgHeader(name: string, size: number): Uint8Array {
  const h = new Uint8Array(512);
  const put = (at: number, s: string): void => h.set(te.encode(s), at);
  put(0, name);
  put(100, '0000644\0');
  put(108, '0000000\0');
  put(116, '0000000\0');
  put(124, `${size.toString(8).padStart(11, '0')}\0`);
  put(136, '00000000000\0');
  // byte 156 (type flag) stays NUL: xpkg never sets the entry type.
  put(257, 'ustar  \0');
  put(148, '        ');
  const sum = h.reduce((a, b) => a + b, 0);
  put(148, `${sum.toString(8).padStart(7, '0')}\0`);
  return h;
}

function xpkgFixture(members: [string, string][]): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const [name, text] of members) {
    const data = te.encode(text);
    parts.push(xpkgHeader(name, data.length), data, new Uint8Array((512 - (data.length % 512)) % 512));
  }
  parts.push(new Uint8Array(1024));
  return new Uint8Array(Buffer.concat(parts));
}

const SHA = 'c0'.repeat(32);
// "xy" sorts before "xy+" by name although "xy+-2-1" sorts before "xy-1.0-1" by directory.
const XY_DESC = `%FILENAME%\nxy-1.0-1-x86_64.xp\n\n%NAME%\nxy\n\n%VERSION%\n1.0-1\n\n%DESC%\nA tool\n\n%CSIZE%\n1234\n\n%ISIZE%\n5678\n\n%SHA256SUM%\n${SHA}\n\n%URL%\nhttps://example.invalid/xy\n\n%LICENSE%\nMIT\n\n%ARCH%\nx86_64\n\n%BUILDDATE%\n1700000000\n\n%PACKAGER%\nX <x@example.invalid>\n\n`;
const XY_DEPENDS = '%DEPENDS%\nglibc\nzlib>=1.3\n\n%MAKEDEPENDS%\ncargo\n\n%CHECKDEPENDS%\npython\n\n%OPTDEPENDS%\nbash: completion\n\n%PROVIDES%\nxy-bin=1.0\n\n%CONFLICTS%\nxy-git\n\n%REPLACES%\nold-xy\n\n';
const XYP_DESC = `%FILENAME%\nxy+-2-1-any.xp\n\n%NAME%\nxy+\n\n%VERSION%\n2-1\n\n%CSIZE%\n10\n\n%ISIZE%\n0\n\n%SHA256SUM%\n${SHA}\n\n%ARCH%\nany\n\n%BUILDDATE%\n0\n\n`;
const FIXTURE = xpkgFixture([
  ['xy-1.0-1/desc', XY_DESC],
  ['xy-1.0-1/depends', XY_DEPENDS],
  ['xy+-2-1/desc', XYP_DESC],
]);

function xyEntry(): DescEntry {
  return {
    ...emptyDescEntry(),
    filename: 'xy-1.0-1-x86_64.xp',
    name: 'xy',
    version: '1.0-1',
    desc: 'A tool',
    csize: 1234,
    isize: 5678,
    sha256sum: SHA,
    url: 'https://example.invalid/xy',
    license: ['MIT'],
    arch: 'x86_64',
    builddate: 1700000000,
    packager: 'X <x@example.invalid>',
    depends: ['glibc', 'zlib>=1.3'],
    makedepends: ['cargo'],
    checkdepends: ['python'],
    optdepends: ['bash: completion'],
    provides: ['xy-bin=1.0'],
    conflicts: ['xy-git'],
    replaces: ['old-xy'],
  };
}

function xypEntry(): DescEntry {
  return { ...emptyDescEntry(), filename: 'xy+-2-1-any.xp', name: 'xy+', version: '2-1', csize: 10, isize: 0, sha256sum: SHA, arch: 'any', builddate: 0 };
}

describe('xpkg layout', () => {
  it('the hand-written fixture has the header bytes the reference describes', () => {
    expect(FIXTURE.length).toBe(512 * (3 + 3 + 2)); // 3 headers, 3 data blocks, 2 zero blocks, no record padding
    expect(Buffer.from(FIXTURE.subarray(257, 265)).toString('latin1')).toBe('ustar  \0');
    expect(FIXTURE[156]).toBe(0);
    expect([...parseTar(FIXTURE)].map((m) => [m.entry.name, m.entry.type, m.entry.mode, m.entry.uid, m.entry.mtime, m.entry.uname])).toEqual([
      ['xy-1.0-1/desc', 'file', 0o644, 0, 0, ''],
      ['xy-1.0-1/depends', 'file', 0o644, 0, 0, ''],
      ['xy+-2-1/desc', 'file', 0o644, 0, 0, ''],
    ]);
  });

  it('the reader merges desc and depends (REPLACES from depends) and needs no directory members', () => {
    const db = parseSyncDbTar(FIXTURE);
    expect(db.warnings).toEqual([]);
    expect(db.entries.map((e) => [e.dir, e.layout, e.warnings])).toEqual([
      ['xy-1.0-1', 'split', []],
      ['xy+-2-1', 'merged', []],
    ]);
    expect(db.entries[0]!.entry).toEqual(xyEntry());
    expect(db.entries[1]!.entry).toEqual(xypEntry());
    // The general decoder agrees with the fast path.
    expect(parseSyncDbTar(FIXTURE, { fastPath: false }).entries.map((e) => e.entry)).toEqual([xyEntry(), xypEntry()]);
  });

  it("layout 'xpkg' writes the fixture byte for byte, in any input order", () => {
    for (const order of [[xyEntry(), xypEntry()], [xypEntry(), xyEntry()]]) {
      const tar = syncDbTar(order.map((entry) => ({ entry })), 'db', { layout: 'xpkg' });
      expect(Buffer.from(tar).equals(Buffer.from(FIXTURE))).toBe(true);
    }
    expect(encodeDesc(xyEntry(), { layout: 'xpkg' })).toBe(XY_DESC);
    expect(encodeDepends(xyEntry(), { layout: 'xpkg' })).toBe(XY_DEPENDS);
    expect(encodeDepends(xypEntry(), { layout: 'xpkg' })).toBe('');
  });

  it('xpkg leaves out BASE, GROUPS, MD5SUM, PGPSIG and all but the first LICENSE; pacman 4.x split keeps them', () => {
    const e = { ...xyEntry(), base: 'xy-base', groups: ['g'], md5sum: 'a'.repeat(32), pgpsig: 'iQ==', license: ['MIT', 'Apache-2.0'] };
    expect(encodeDesc(e, { layout: 'xpkg' })).toBe(XY_DESC);
    const split = encodeDesc(e, { layout: 'split', version: 1 });
    for (const h of ['%BASE%', '%GROUPS%', '%MD5SUM%', '%PGPSIG%', '%REPLACES%', 'Apache-2.0']) expect(split).toContain(h);
    expect(encodeDepends(e)).not.toContain('%REPLACES%');
    expect(encodeDepends(e).split('\n').filter((l) => l.startsWith('%'))).toEqual(['%DEPENDS%', '%CONFLICTS%', '%PROVIDES%', '%OPTDEPENDS%', '%MAKEDEPENDS%', '%CHECKDEPENDS%']);
  });

  it('a zstd xpkg-layout repository with its <repo>.db alias reads back; long names get a GNU long-name record', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'repokit-alpm-xpkg-'));
    const long = { ...xypEntry(), name: `x${'y'.repeat(110)}`, filename: 'long-2-1-any.xp' };
    const w = await writeSyncDb(dir, 'x', [{ entry: xyEntry() }, { entry: long }], { layout: 'xpkg', compression: 'zstd' });
    expect(readlinkSync(w.dbAlias)).toBe('x.db.tar.zst');
    const db = await readSyncDb(w.dbAlias);
    expect(db.entries.map((e) => e.dir)).toEqual(['xy-1.0-1', `${long.name}-2-1`]);
    expect(db.entries[1]!.entry.name).toBe(long.name);
    expect(db.warnings).toEqual([]);
    const tar = syncDbTar([{ entry: long }], 'db', { layout: 'xpkg' });
    expect(Buffer.from(tar.subarray(0, 13)).toString('latin1')).toBe('././@LongLink');
    expect(tar[156]).toBe(0x4c);
  });
});
