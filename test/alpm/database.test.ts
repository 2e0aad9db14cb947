/**
 * Sync databases: conformance over the shared corpus (repo-add 6.0.2 databases in every
 * compression, real repo-add ≥ 6.1 databases from a public repository) against what libalpm
 * reported for them, the layouts in the wild (no directory members, any member order, the split
 * desc + depends layout of pacman 4.x, `./` prefixes; xpkg's layout is in xpkg.test.ts), and the writer: deterministic,
 * every compression, desc v1/v2, split layout, aliases.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeDesc, emptyDescEntry, encodeDesc, parseDependency, type DescEntry } from '../../src/alpm/codecs.js';
import { buildSyncDb, parseSyncDbTar, readSyncDb, syncDbTar, writeSyncDb, type SyncDbWriteEntry } from '../../src/alpm/database.js';
import { compress, decompress, type Compression } from '../../src/shared/compression.js';
import { parseTar } from '../../src/shared/tar.js';
import { missingTools, rawTar, xzUnavailable } from '../helpers/alpm-packages.js';

const CORPUS = new URL('../../../shared/corpus/alpm/', import.meta.url).pathname;
const hasCorpus = existsSync(join(CORPUS, 'generated', 'MANIFEST.json'));
const xzWhy = await xzUnavailable();
const td = new TextDecoder();
const te = new TextEncoder();

interface Expected {
  list: string[];
  packages: { name: string; version: string; libalpm: Record<string, unknown> }[];
}

function sample(name: string, version: string, extra: Partial<DescEntry> = {}): DescEntry {
  return {
    ...emptyDescEntry(),
    filename: `${name}-${version}-any.pkg.tar.zst`,
    name,
    base: name,
    version,
    desc: `the ${name} package`,
    csize: 100,
    isize: 200,
    md5sum: '0123456789abcdef0123456789abcdef',
    sha256sum: 'ab'.repeat(32),
    arch: 'any',
    builddate: 1700000000,
    packager: 'T <t@example.invalid>',
    depends: ['glibc>=2.35', 'zlib'],
    provides: [`${name}-virtual=${version.split('-')[0]}`],
    files: ['usr/', `usr/${name}`],
    ...extra,
  };
}

if (!hasCorpus) {
  it.skip(`conformance: ${CORPUS}generated (repo-add 6.0.2) (skipped: the shared corpus is absent)`, () => {});
} else describe(`conformance: ${CORPUS}generated (repo-add 6.0.2)`, () => {
  const dbs = hasCorpus
    ? readdirSync(join(CORPUS, 'generated', 'db')).flatMap((c) => readdirSync(join(CORPUS, 'generated', 'db', c)).map((f) => `db/${c}/${f}`))
    : [];
  for (const rel of dbs) {
    const expected = JSON.parse(readFileSync(join(CORPUS, 'generated', 'expected', `${rel.replaceAll('/', '__')}.json`), 'utf8')) as Expected;
    const isXz = rel.endsWith('.xz');
    it.skipIf(isXz && xzWhy !== null)(`${rel} reads like libalpm reads it${isXz && xzWhy !== null ? ` (skipped: ${xzWhy})` : ''}`, async () => {
      const path = join(CORPUS, 'generated', rel);
      const db = await readSyncDb(path);
      if (rel.endsWith('.lz4')) expect(db.compression).toBe('lz4');
      expect(await readSyncDb(path, { fastPath: false })).toEqual(db);
      expect(db.kind).toBe(rel.includes('.files.') ? 'files' : 'db');
      expect(db.warnings).toEqual([]);
      expect(db.entries.map((e) => `nimbus ${e.name} ${e.version}`).sort()).toEqual([...expected.list].sort());
      for (const x of expected.packages) {
        const e = db.entries.find((y) => y.name === x.name)!;
        const l = x.libalpm;
        const d = e.entry;
        expect(e.warnings, x.name).toEqual([]);
        expect({ name: e.name, version: e.version }).toEqual({ name: l['name'], version: l['version'] });
        expect(d.base ?? null).toBe(l['base']);
        expect(d.desc ?? null).toBe(l['desc']);
        expect(d.url ?? null).toBe(l['url']);
        expect(d.arch ?? null).toBe(l['arch']);
        expect(d.packager ?? null).toBe(l['packager']);
        expect(d.filename).toBe(l['filename']);
        expect(d.md5sum ?? null).toBe(l['md5sum']);
        expect(d.sha256sum ?? null).toBe(l['sha256sum']);
        expect(d.pgpsig ?? null).toBe(l['base64_sig']);
        expect(d.builddate).toBe(l['builddate']);
        expect(d.csize).toBe(l['csize']);
        expect(d.isize).toBe(l['isize']);
        expect(d.license).toEqual(l['licenses']);
        for (const k of ['groups', 'depends', 'optdepends', 'makedepends', 'checkdepends', 'conflicts', 'provides', 'replaces'] as const) {
          const want = l[k] as { string: string; name: string; mod: string; version: string | null; desc: string | null }[];
          expect(d[k], `${x.name} ${k}`).toEqual(want.map((w) => (typeof w === 'string' ? w : w.string)));
          // libalpm's own parse of each relation matches parseDependency's.
          for (const w of want) {
            if (typeof w === 'string') continue;
            const dep = parseDependency(w.string);
            expect([dep.name, dep.operator ?? 'any', dep.version ?? null, dep.description ?? null], w.string).toEqual([w.name, w.mod, w.version, w.desc]);
          }
        }
        if (db.kind === 'files') expect(d.files, x.name).toEqual(l['files']);
        else expect(d.files).toBeUndefined();
      }
    });
  }
});

const PUBLIC = join(CORPUS, 'public');
if (!hasCorpus) {
  it.skip(`conformance: ${CORPUS}public (repo-add ≥ 6.1, polaris-linux-distro) (skipped: the shared corpus is absent)`, () => {});
} else describe(`conformance: ${CORPUS}public (repo-add ≥ 6.1, polaris-linux-distro)`, () => {
  const manifest = hasCorpus
    ? (JSON.parse(readFileSync(join(PUBLIC, 'MANIFEST.json'), 'utf8')) as { file: string; tool_facts?: { bsdtar?: { entries?: string[]; members_in_order?: string[] } } }[])
    : [];
  for (const m of manifest.filter((x) => /\.(db|files)\.tar/.test(x.file))) {
    it(`${m.file}: every entry, in the order bsdtar lists the members`, async () => {
      const db = await readSyncDb(join(PUBLIC, m.file), { keepRaw: true });
      expect(await readSyncDb(join(PUBLIC, m.file), { keepRaw: true, fastPath: false })).toEqual(db);
      expect(db.warnings).toEqual([]);
      const facts = m.tool_facts?.bsdtar;
      if (facts?.entries !== undefined) expect(db.entries.map((e) => e.dir).sort()).toEqual([...facts.entries].sort());
      for (const e of db.entries) {
        expect(e.warnings, e.dir).toEqual([]);
        expect(e.entry.name).toBe(e.name);
        expect(e.entry.version).toBe(e.version);
        // desc v2 as repo-add ≥ 6.1 writes it: re-encoding gives the stored bytes.
        expect(encodeDesc(e.entry), e.dir).toBe(td.decode(e.raw.desc));
        if (db.kind === 'files') expect(e.entry.files?.length, e.dir).toBeGreaterThan(0);
      }
    });
  }
});

describe('reading the layouts in the wild', () => {
  const desc = (name: string, version: string) => encodeDesc(sample(name, version));

  it('needs no directory members and accepts any member order', () => {
    const a = sample('alpha', '1.0-1');
    const tar = rawTar([
      { name: 'beta-2:3.1-2/files', data: '%FILES%\nusr/\nusr/beta\n' },
      { name: 'alpha-1.0-1/desc', data: desc('alpha', '1.0-1') },
      { name: 'beta-2:3.1-2/desc', data: desc('beta', '2:3.1-2') },
    ]);
    const db = parseSyncDbTar(tar);
    expect(db.kind).toBe('files');
    expect(db.entries.map((e) => [e.name, e.version])).toEqual([
      ['beta', '2:3.1-2'],
      ['alpha', '1.0-1'],
    ]);
    expect(db.entries[1]!.entry.depends).toEqual(a.depends);
    expect(db.entries[0]!.entry.files).toEqual(['usr/', 'usr/beta']);
    expect(db.entries[1]!.entry.files).toBeUndefined();
  });

  it('merges the split desc + depends layout (pacman 4.x) into one entry', () => {
    const e = sample('split', '1-1', { optdepends: ['x: for x'], conflicts: ['other'] });
    const tar = rawTar([
      { name: 'split-1-1/depends', data: '%DEPENDS%\nglibc>=2.35\nzlib\n\n%CONFLICTS%\nother\n\n%PROVIDES%\nsplit-virtual=1\n\n%OPTDEPENDS%\nx: for x\n\n' },
      { name: 'split-1-1/desc', data: encodeDesc(e, { layout: 'split', version: 1 }) },
    ]);
    const db = parseSyncDbTar(tar);
    const got = db.entries[0]!;
    expect(got.layout).toBe('split');
    expect(got.warnings).toEqual([]);
    const { files: _f, ...want } = e;
    expect(got.entry).toEqual(want);
  });

  it('reads what the split writer makes, without directory members', async () => {
    const entries = [sample('x-release', '1.0-4'), sample('xpm', '0.2-1', { depends: [] })].map((entry) => ({ entry }));
    const tar = syncDbTar(entries, 'db', { layout: 'split', directoryEntries: false });
    const names = [...parseTar(tar)].map((m) => m.entry.name);
    expect(names).toEqual(['x-release-1.0-4/desc', 'x-release-1.0-4/depends', 'xpm-0.2-1/desc', 'xpm-0.2-1/depends']);
    const db = await readSyncDb(await compress(tar, 'zstd'));
    expect(db.compression).toBe('zstd');
    expect(db.entries.map((e) => e.layout)).toEqual(['split', 'split']);
    expect(db.entries[0]!.entry.depends).toEqual(['glibc>=2.35', 'zlib']);
    expect(db.entries[1]!.entry.depends).toEqual([]);
  });

  it('warns about members libalpm ignores and about two entries of one name', () => {
    const tar = rawTar([
      { name: 'repo.deltas', data: 'x' },
      { name: 'a-1-1/', type: '5' },
      { name: 'a-1-1/desc', data: desc('a', '1-1') },
      { name: 'a-1-1/deltas', data: '%DELTAS%\n' },
      { name: 'a-2-1/desc', data: desc('a', '2-1') },
    ]);
    const db = parseSyncDbTar(tar);
    expect(db.entries.map((e) => e.dir)).toEqual(['a-1-1', 'a-2-1']);
    const text = db.warnings.map((w) => w.message).join('\n');
    expect(text).toMatch(/repo\.deltas/);
    expect(text).toMatch(/a-1-1\/deltas/);
    expect(text).toMatch(/two entries/);
  });

  it('reads "./"-prefixed members with a warning and reports desc/directory mismatches', () => {
    const tar = rawTar([{ name: './b-1-1/desc', data: desc('b', '1-2') }]);
    const db = parseSyncDbTar(tar);
    expect(db.entries[0]!.dir).toBe('b-1-1');
    expect(db.warnings.map((w) => w.message).join()).toMatch(/"\.\/"/);
    expect(db.entries[0]!.warnings.map((w) => w.message).join()).toMatch(/differs from the directory/);
  });

  it('rejects an entry directory that does not split into name and version, like libalpm', () => {
    const tar = rawTar([{ name: 'nohyphen/desc', data: desc('x', '1-1') }]);
    expect(() => parseSyncDbTar(tar)).toThrow(expect.objectContaining({ code: 'ALPM_BAD_ENTRY_NAME' }));
  });

  it('strict mode throws for an invalid entry that tolerant mode reads', () => {
    const bad = '%NAME%\nc\n\n%VERSION%\n1-1\n\n%UNKNOWNKEY%\nv\n\n';
    const tar = rawTar([{ name: 'c-1-1/desc', data: bad }]);
    expect(parseSyncDbTar(tar).entries[0]!.warnings.length).toBeGreaterThan(0);
    expect(() => parseSyncDbTar(tar, { mode: 'strict' })).toThrow(expect.objectContaining({ code: 'ALPM_BAD_DESC' }));
  });

  it('an empty archive is an empty database; the name decides db or files', () => {
    const empty = new Uint8Array(1024);
    expect(parseSyncDbTar(empty).entries).toEqual([]);
    expect(parseSyncDbTar(empty, { name: 'x.files.tar.gz' }).kind).toBe('files');
    expect(parseSyncDbTar(empty, { name: 'x.db.tar.gz' }).kind).toBe('db');
  });
});

describe('writing', () => {
  const entries: SyncDbWriteEntry[] = [sample('zeta', '1-1'), sample('alpha', '1:2.0-3'), sample('mid', '0.1-1', { files: [] })].map((entry) => ({ entry }));

  it('orders members like repo-add (dir/, dir/desc, dir/files) by directory name, owner root, fixed mtime', () => {
    const files = [...parseTar(syncDbTar(entries, 'files', { mtime: 1700000000 }))].map((m) => m.entry);
    expect(files.map((e) => e.name)).toEqual([
      'alpha-1:2.0-3/', 'alpha-1:2.0-3/desc', 'alpha-1:2.0-3/files',
      'mid-0.1-1/', 'mid-0.1-1/desc', 'mid-0.1-1/files',
      'zeta-1-1/', 'zeta-1-1/desc', 'zeta-1-1/files',
    ]);
    for (const e of files) {
      expect([e.uid, e.gid, e.uname, e.gname, e.mtime]).toEqual([0, 0, 'root', 'root', 1700000000]);
      expect(e.mode).toBe(e.type === 'directory' ? 0o755 : 0o644);
    }
    const db = [...parseTar(syncDbTar(entries, 'db'))].map((m) => m.entry.name);
    expect(db).toEqual(['alpha-1:2.0-3/', 'alpha-1:2.0-3/desc', 'mid-0.1-1/', 'mid-0.1-1/desc', 'zeta-1-1/', 'zeta-1-1/desc']);
    expect(syncDbTar(entries, 'db').length % 10240).toBe(0);
  });

  const comps: Compression[] = ['gzip', 'xz', 'zstd', 'bzip2', 'none'];
  for (const c of comps) {
    it.skipIf(c === 'xz' && xzWhy !== null)(`${c}: deterministic, and reads back to the same entries${c === 'xz' && xzWhy !== null ? ` (skipped: ${xzWhy})` : ''}`, async () => {
      const a = await buildSyncDb(entries, { compression: c });
      const b = await buildSyncDb([...entries].reverse(), { compression: c });
      expect(Buffer.from(a.db).equals(Buffer.from(b.db))).toBe(true);
      expect(Buffer.from(a.files).equals(Buffer.from(b.files))).toBe(true);
      const db = await readSyncDb(a.db);
      const files = await readSyncDb(a.files);
      expect(db.compression).toBe(c);
      expect(files.kind).toBe('files');
      for (const e of entries) {
        const got = files.entries.find((x) => x.name === e.entry.name)!.entry;
        const { md5sum: _m, ...want } = e.entry; // v2 (default) leaves %MD5SUM% out
        expect(got).toEqual(want);
        expect(db.entries.find((x) => x.name === e.entry.name)!.entry.files).toBeUndefined();
      }
      // The system's bsdtar reads it too.
      // (A missing bsdtar skips this check locally and fails under CI.)
      if (missingTools(['bsdtar']) === null) {
        const r = spawnSync('bsdtar', ['-tf', '-'], { input: a.files, encoding: 'utf8' });
        expect(r.status, r.stderr).toBe(0);
        expect(r.stdout.trim().split('\n')).toContain('alpha-1:2.0-3/files');
      }
    });
  }

  it('desc v1 keeps %MD5SUM%; v2 drops it', async () => {
    const one = [{ entry: sample('a', '1-1') }];
    const v1 = parseSyncDbTar(syncDbTar(one, 'db', { descVersion: 1 }), { keepRaw: true });
    const v2 = parseSyncDbTar(syncDbTar(one, 'db', { descVersion: 2 }), { keepRaw: true });
    expect(td.decode(v1.entries[0]!.raw.desc)).toContain('%MD5SUM%\n0123456789abcdef0123456789abcdef\n');
    expect(td.decode(v2.entries[0]!.raw.desc)).not.toContain('%MD5SUM%');
    expect(() => syncDbTar(one, 'db', { descVersion: 3 as 1 })).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    expect(() => syncDbTar(one, 'db', { filesVersion: 2 as 1 })).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });

  it('gives the stored bytes in raw only with keepRaw', async () => {
    const tar = syncDbTar([{ entry: sample('a', '1-1') }], 'files');
    for (const read of [parseSyncDbTar(tar), await readSyncDb(await compress(tar, 'gzip')), await readSyncDb(await compress(tar, 'zstd'))]) {
      expect(read.entries[0]!.raw).toEqual({});
      expect(read.kind).toBe('files');
    }
    for (const read of [parseSyncDbTar(tar, { keepRaw: true }), await readSyncDb(await compress(tar, 'gzip'), { keepRaw: true })]) {
      expect(Object.keys(read.entries[0]!.raw)).toEqual(['desc', 'files']);
      expect(td.decode(read.entries[0]!.raw.desc)).toBe(encodeDesc(sample('a', '1-1')));
    }
  });

  it('copies stored members byte for byte unless told to re-encode', () => {
    const odd = te.encode('%NAME%\nodd\n\n%VERSION%\n1-1\n\n%CUSTOM%\nkept\n\n');
    const e: SyncDbWriteEntry = { entry: decodeDesc(odd).entry, raw: { desc: odd } };
    const kept = parseSyncDbTar(syncDbTar([e], 'db'), { keepRaw: true }).entries[0]!;
    expect(td.decode(kept.raw.desc)).toBe(td.decode(odd));
    const re = parseSyncDbTar(syncDbTar([e], 'db', { reencode: true }), { keepRaw: true }).entries[0]!;
    expect(td.decode(re.raw.desc)).toBe('%NAME%\nodd\n\n%VERSION%\n1-1\n\n');
  });

  it('refuses two entries for one directory and directory names that are not one component', () => {
    expect(() => syncDbTar([entries[0]!, entries[0]!], 'db')).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    expect(() => syncDbTar([{ entry: sample('a', '1-1'), dir: '../a-1-1' }], 'db')).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    expect(() => syncDbTar([{ entry: { ...emptyDescEntry() } }], 'db')).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });

  it('writeSyncDb writes both archives and relative symlink aliases, and replaces them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'repokit-alpm-write-'));
    const w = await writeSyncDb(dir, 'core', entries, { compression: 'zstd' });
    expect(w.db).toBe(join(dir, 'core.db.tar.zst'));
    expect(w.files).toBe(join(dir, 'core.files.tar.zst'));
    expect(w.aliasKind).toBe('symlink');
    expect(lstatSync(join(dir, 'core.db')).isSymbolicLink()).toBe(true);
    expect(readlinkSync(join(dir, 'core.db'))).toBe('core.db.tar.zst');
    expect(readlinkSync(join(dir, 'core.files'))).toBe('core.files.tar.zst');
    expect((await readSyncDb(join(dir, 'core.db'))).entries.length).toBe(3);
    // A plain copy at the alias's place (hosting without symlinks) is replaced by the link.
    writeFileSync(join(dir, 'core.db'), 'stale');
    await writeSyncDb(dir, 'core', entries.slice(0, 1), { compression: 'zstd' });
    expect((await readSyncDb(join(dir, 'core.db'))).entries.length).toBe(1);
    expect(readdirSync(dir).sort()).toEqual(['core.db', 'core.db.tar.zst', 'core.files', 'core.files.tar.zst']);
    await expect(writeSyncDb(dir, 'a/b', entries)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });

  it('decompress(bytes) of what the writer made is a tar the tar reader accepts member by member', async () => {
    const { db } = await buildSyncDb(entries, { compression: 'gzip', level: 9 });
    const tar = await decompress(db);
    expect([...parseTar(tar)].length).toBe(6);
  });
});
