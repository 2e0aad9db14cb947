/**
 * Interop with the real tools: packages built by makepkg (test/helpers/makepkg.ts), databases
 * written by repo-add and by repokit for the same packages, read by real pacman with a private
 * --config/--dbpath. Checks: repokit's desc/files members equal repo-add's byte for byte; repokit
 * reads repo-add's databases into the same entries as its own; pacman lists and shows every
 * package from repokit's databases (in every compression repokit writes) with the same fields as
 * from repo-add's; repo-add and repokit take turns on one `.db.tar.lz4` of `.pkg.tar.lz4`
 * packages; the lock file keeps repo-add and repokit apart.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { encodeDesc, encodeFiles } from '../../src/alpm/codecs.js';
import { packageDescEntry, readPackage, readSyncDb, repoAdd, repoRemove, resolveDbPath, type SyncDb } from '../../src/alpm/database.js';
import { withLockFile } from '../../src/shared/atomic.js';
import { decompress, sniffCompression } from '../../src/shared/compression.js';
import { isRepokitError } from '../../src/shared/errors.js';
import { SAMPLE_PKGBUILDS, buildPackages, type BuiltPackage } from '../helpers/makepkg.js';
import { Pacman, missingTools, xzUnavailable } from '../helpers/alpm-packages.js';

const missing = missingTools(['makepkg', 'fakeroot', 'repo-add', 'pacman', 'bsdtar']);
/** repo-add writes `.db.tar.lz4` with the lz4 tool (and the lz4 packages here are made by it). */
const lz4Missing = missing === null ? missingTools(['lz4']) : null;
const xzWhy = await xzUnavailable();
const suffix = missing !== null ? ` (skipped: ${missing})` : xzWhy !== null ? ` (xz packages left out: ${xzWhy})` : '';

/** repo-add's version: ≤ 6.0 writes %MD5SUM% and embeds every .sig; ≥ 6.1 writes v2 and needs --include-sigs. */
function repoAddVersion(): [number, number] {
  const r = spawnSync('repo-add', ['--version'], { encoding: 'utf8' });
  const m = /(\d+)\.(\d+)/.exec(r.stdout ?? '');
  return m === null ? [0, 0] : [Number(m[1]), Number(m[2])];
}

function runRepoAdd(args: readonly string[]): { status: number | null; stderr: string } {
  const r = spawnSync('repo-add', ['-q', '--nocolor', ...args], { encoding: 'utf8', env: { ...process.env, LC_ALL: 'C.UTF-8' } });
  return { status: r.status, stderr: r.stderr };
}

const td = new TextDecoder();

describe.skipIf(missing !== null)(`interop with makepkg, repo-add and pacman${suffix}`, () => {
  let pkgs: BuiltPackage[] = [];
  let legacy = true;
  let raDir = '';
  let rkDir = '';
  let v2Dir = '';
  let raDb: SyncDb;
  let raFiles: SyncDb;
  let rkDb: SyncDb;
  let rkFiles: SyncDb;

  beforeAll(async () => {
    const built = await buildPackages(SAMPLE_PKGBUILDS);
    pkgs = xzWhy === null ? built : built.filter((p) => !p.fileName.endsWith('.xz'));
    const [major, minor] = repoAddVersion();
    legacy = major < 6 || (major === 6 && minor < 1);
    const stage = (): string => {
      const d = mkdtempSync(join(tmpdir(), 'repokit-alpm-interop-'));
      for (const p of pkgs) copyFileSync(p.path, join(d, p.fileName));
      // A binary "signature" for one package (repo-add only checks it is not armored and ≤ 16 KiB).
      const signed = pkgs.find((p) => p.pkgname === 'rk-bare') ?? pkgs[0]!;
      writeFileSync(join(d, `${signed.fileName}.sig`), new Uint8Array(Array.from({ length: 119 }, (_, i) => (i * 37 + 11) & 0xff)));
      return d;
    };
    raDir = stage();
    rkDir = stage();
    v2Dir = stage();
    const names = pkgs.map((p) => p.fileName);
    const r = runRepoAdd([...(legacy ? [] : ['--include-sigs']), join(raDir, 'ra.db.tar.gz'), ...names.map((n) => join(raDir, n))]);
    expect(r.status, r.stderr).toBe(0);
    await repoAdd(join(rkDir, 'rk.db.tar.gz'), names.map((n) => join(rkDir, n)), { descVersion: legacy ? 1 : 2, includeSigs: true });
    await repoAdd(join(v2Dir, 'v2.db.tar.zst'), names.map((n) => join(v2Dir, n)));
    raDb = await readSyncDb(join(raDir, 'ra.db'), { keepRaw: true });
    raFiles = await readSyncDb(join(raDir, 'ra.files'), { keepRaw: true });
    rkDb = await readSyncDb(join(rkDir, 'rk.db'), { keepRaw: true });
    rkFiles = await readSyncDb(join(rkDir, 'rk.files'), { keepRaw: true });
  }, 15 * 60_000);

  it('builds every sample package and both tools list the same entries', () => {
    expect(pkgs.length).toBeGreaterThanOrEqual(5);
    const dirs = (db: SyncDb) => db.entries.map((e) => e.dir).sort();
    expect(dirs(rkDb)).toEqual(dirs(raDb));
    expect(dirs(rkFiles)).toEqual(dirs(raFiles));
    expect(raDb.entries.length).toBe(pkgs.length);
    expect(readlinkSync(join(rkDir, 'rk.db'))).toBe('rk.db.tar.gz');
    expect(readlinkSync(join(rkDir, 'rk.files'))).toBe('rk.files.tar.gz');
  });

  it("repokit's desc and files members equal repo-add's byte for byte", () => {
    for (const ra of raFiles.entries) {
      const rk = rkFiles.entries.find((e) => e.dir === ra.dir)!;
      expect(td.decode(rk.raw.desc), `${ra.dir}/desc`).toBe(td.decode(ra.raw.desc));
      expect(td.decode(rk.raw.files), `${ra.dir}/files`).toBe(td.decode(ra.raw.files));
    }
    for (const ra of raDb.entries) {
      const rk = rkDb.entries.find((e) => e.dir === ra.dir)!;
      expect(Buffer.from(rk.raw.desc!).equals(Buffer.from(ra.raw.desc!)), `${ra.dir}/desc in .db`).toBe(true);
    }
    // The signed package's entry carries the signature.
    expect(raDb.entries.filter((e) => e.entry.pgpsig !== undefined).length).toBe(1);
  });

  it('encodeDesc(packageDescEntry(readPackage(pkg))) is what repo-add wrote, for every package', async () => {
    for (const p of pkgs) {
      const pkg = await readPackage(join(raDir, p.fileName), { signature: true });
      const entry = packageDescEntry(pkg);
      const ra = raFiles.entries.find((e) => e.dir === `${entry.name}-${entry.version}`)!;
      expect(encodeDesc(entry, { version: legacy ? 1 : 2 }), p.fileName).toBe(td.decode(ra.raw.desc));
      expect(encodeFiles(pkg.files), p.fileName).toBe(td.decode(ra.raw.files));
    }
  });

  it("repokit reads repo-add's databases into the same entries as its own", () => {
    const strip = (db: SyncDb) =>
      db.entries
        .map((e) => ({ dir: e.dir, name: e.name, version: e.version, entry: e.entry, warnings: e.warnings.map((w) => w.message) }))
        .sort((a, b) => (a.dir < b.dir ? -1 : 1));
    expect(strip(rkDb)).toEqual(strip(raDb));
    expect(strip(rkFiles)).toEqual(strip(raFiles));
    expect(raDb.kind).toBe('db');
    expect(raFiles.kind).toBe('files');
    for (const e of raDb.entries) expect(e.warnings).toEqual([]);
  });

  it('pacman -Sl/-Si/-Fl show the same packages and fields from repokit as from repo-add', () => {
    const pacman = new Pacman([
      { name: 'ra', dir: raDir },
      { name: 'rk', dir: rkDir },
      { name: 'v2', dir: v2Dir },
    ]);
    pacman.run(['-Sy']);
    pacman.run(['-Fy']);
    const listed = (repo: string) =>
      pacman
        .run(['-Sl', repo])
        .trim()
        .split('\n')
        .map((l) => l.split(' ').slice(1).join(' '))
        .sort();
    const ra = listed('ra');
    expect(ra.length).toBe(pkgs.length);
    expect(listed('rk')).toEqual(ra);
    expect(listed('v2')).toEqual(ra);
    for (const line of ra) {
      const name = line.split(' ')[0]!;
      const a = pacman.info(`ra/${name}`);
      const b = pacman.info(`rk/${name}`);
      const c = pacman.info(`v2/${name}`);
      expect(a.get('Name')).toBe(name);
      a.delete('Repository');
      b.delete('Repository');
      expect(b, name).toEqual(a);
      // v2: no %MD5SUM% and no embedded signature; every other field is the same.
      c.delete('Repository');
      expect(c.get('Validated By')).toBe('SHA-256 Sum');
      for (const m of [a, c]) m.delete('Validated By');
      expect(c, name).toEqual(a);
      const files = (repo: string) => pacman.run(['-Fl', `${repo}/${name}`]).split('\n').map((l) => l.slice(l.indexOf(' ') + 1)).sort();
      expect(files('rk'), name).toEqual(files('ra'));
      expect(files('v2'), name).toEqual(files('ra'));
    }
  });

  it('repo-add and repokit update each other\'s databases', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'repokit-alpm-mixed-'));
    for (const p of pkgs) copyFileSync(p.path, join(dir, p.fileName));
    const [first, second, ...rest] = pkgs;
    expect(runRepoAdd([join(dir, 'mix.db.tar.gz'), join(dir, first!.fileName)]).status).toBe(0);
    await repoAdd(join(dir, 'mix.db.tar.gz'), [join(dir, second!.fileName)]);
    expect(runRepoAdd([join(dir, 'mix.db.tar.gz'), ...rest.map((p) => join(dir, p.fileName))]).status).toBe(0);
    await repoRemove(join(dir, 'mix.db'), [first!.pkgname]);
    const db = await readSyncDb(join(dir, 'mix.db'));
    expect(db.entries.map((e) => e.name).sort()).toEqual([second!, ...rest].map((p) => p.pkgname).sort());
    const r = spawnSync('repo-remove', ['-q', join(dir, 'mix.db.tar.gz'), second!.pkgname], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const files = await readSyncDb(join(dir, 'mix.files'), { keepRaw: true });
    expect(files.entries.map((e) => e.name).sort()).toEqual(rest.map((p) => p.pkgname).sort());
    // repo-add wrote these last: each entry's file list is the one repo-add wrote for the package.
    for (const e of files.entries) {
      const ra = raFiles.entries.find((x) => x.dir === e.dir)!;
      expect(e.entry.files, e.dir).toEqual(ra.entry.files);
      expect(td.decode(e.raw.files), e.dir).toBe(td.decode(ra.raw.files));
    }
    expect(files.entries.some((e) => (e.entry.files?.length ?? 0) > 0)).toBe(true);
  });

  it('pacman -Sy/-Sl/-Si/-Fy/-Fl read repokit databases in every compression repokit writes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'repokit-alpm-compressions-'));
    for (const p of pkgs) copyFileSync(p.path, join(dir, p.fileName));
    for (const f of readdirSync(rkDir).filter((n) => n.includes('.pkg.tar') && n.endsWith('.sig'))) copyFileSync(join(rkDir, f), join(dir, f));
    const compressions = (['none', 'gzip', 'bzip2', 'xz', 'zstd', 'lz4'] as const).filter((c) => c !== 'xz' || xzWhy === null);
    const suffix = { none: '', gzip: '.gz', bzip2: '.bz2', xz: '.xz', zstd: '.zst', lz4: '.lz4' } as const;
    for (const c of compressions) {
      await repoAdd(join(dir, `c${c}.db.tar${suffix[c]}`), pkgs.map((p) => join(dir, p.fileName)), { descVersion: legacy ? 1 : 2, includeSigs: true });
      expect((await readSyncDb(join(dir, `c${c}.db`))).compression).toBe(c);
    }
    const pacman = new Pacman([{ name: 'ra', dir: raDir }, ...compressions.map((c) => ({ name: `c${c}`, dir }))]);
    pacman.run(['-Sy']);
    pacman.run(['-Fy']);
    const listed = (repo: string) =>
      pacman
        .run(['-Sl', repo])
        .trim()
        .split('\n')
        .map((l) => l.split(' ').slice(1).join(' '))
        .sort();
    const ra = listed('ra');
    expect(ra.length).toBe(pkgs.length);
    for (const c of compressions) {
      expect(listed(`c${c}`), c).toEqual(ra);
      for (const line of ra) {
        const name = line.split(' ')[0]!;
        const a = pacman.info(`ra/${name}`);
        const b = pacman.info(`c${c}/${name}`);
        a.delete('Repository');
        b.delete('Repository');
        expect(b, `${c}: ${name}`).toEqual(a);
        const files = (repo: string) => pacman.run(['-Fl', `${repo}/${name}`]).split('\n').map((l) => l.slice(l.indexOf(' ') + 1)).sort();
        expect(files(`c${c}`), `${c}: ${name}`).toEqual(files('ra'));
      }
    }
  });

  it.skipIf(lz4Missing !== null)(`repo-add and repokit take turns on a .db.tar.lz4 of .pkg.tar.lz4 packages${lz4Missing !== null ? ` (skipped: ${lz4Missing})` : ''}`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'repokit-alpm-lz4-'));
    // Each package again as .pkg.tar.lz4, compressed by the real lz4 (as makepkg's PKGEXT=.pkg.tar.lz4 does).
    const lz4Pkgs = [];
    for (const p of pkgs) {
      const tar = await decompress(readFileSync(p.path));
      const r = spawnSync('lz4', ['-q', '-c'], { input: tar, maxBuffer: 1 << 30 });
      expect(r.status, String(r.stderr)).toBe(0);
      const fileName = p.fileName.replace(/\.pkg\.tar(\.[^.]+)?$/, '.pkg.tar.lz4');
      writeFileSync(join(dir, fileName), r.stdout);
      lz4Pkgs.push(fileName);
    }
    const [first, second, ...rest] = lz4Pkgs;
    const db = join(dir, 'mix.db.tar.lz4');
    const v = { descVersion: legacy ? 1 : 2 } as const;
    // repo-add creates it, repokit adds to repo-add's archive, repo-add adds to repokit's.
    let r = runRepoAdd([db, join(dir, first!)]);
    expect(r.status, r.stderr).toBe(0);
    expect(sniffCompression(readFileSync(db))).toBe('lz4');
    await repoAdd(db, [join(dir, second!)], v);
    expect(sniffCompression(readFileSync(db))).toBe('lz4');
    r = runRepoAdd([db, ...rest.map((n) => join(dir, n))]);
    expect(r.status, r.stderr).toBe(0);
    for (const kind of ['db', 'files'] as const) {
      const read = await readSyncDb(join(dir, `mix.${kind}.tar.lz4`), { keepRaw: true });
      expect(read.compression).toBe('lz4');
      expect(read.entries.map((e) => e.name).sort(), kind).toEqual(pkgs.map((p) => p.pkgname).sort());
      // Every entry (repo-add's and repokit's) is the desc repokit derives from the lz4 package.
      for (const n of lz4Pkgs) {
        const pkg = await readPackage(join(dir, n));
        expect(pkg.compression).toBe('lz4');
        const entry = packageDescEntry(pkg);
        const e = read.entries.find((x) => x.dir === `${entry.name}-${entry.version}`)!;
        expect(td.decode(e.raw.desc), `${kind}: ${n}`).toBe(encodeDesc(entry, { version: legacy ? 1 : 2 }));
        if (kind === 'files') expect(td.decode(e.raw.files), n).toBe(encodeFiles(pkg.files));
      }
    }
    // The real lz4 checks repokit's frames too (header, blocks, content checksum).
    await repoAdd(db, [join(dir, first!)], v);
    const t = spawnSync('lz4', ['-t', '-q', db], { encoding: 'utf8' });
    expect(t.status, t.stderr).toBe(0);
  });

  it("repo-add's lock keeps repokit out and repokit's lock keeps repo-add out", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'repokit-alpm-lock-'));
    for (const p of pkgs) copyFileSync(p.path, join(dir, p.fileName));
    const db = join(dir, 'lk.db.tar.gz');
    expect(runRepoAdd([db, join(dir, pkgs[0]!.fileName)]).status).toBe(0);
    const before = readFileSync(db);
    // A lock file as repo-add leaves it while running (it holds the pid).
    writeFileSync(`${db}.lck`, '999999\n');
    const err = await repoAdd(db, [join(dir, pkgs[1]!.fileName)]).catch((e: unknown) => e);
    expect(isRepokitError(err) && err.code).toBe('LOCKED');
    expect(readFileSync(db).equals(before)).toBe(true);
    rmSync(`${db}.lck`);
    // repokit's lock (the path repoAdd/repoRemove take) keeps a real repo-add out.
    const { lock } = await resolveDbPath(db);
    expect(lock).toBe(`${db}.lck`);
    const refused = await withLockFile(lock, async () => runRepoAdd([db, join(dir, pkgs[2]!.fileName)]));
    expect(refused.status).not.toBe(0);
    expect(refused.stderr).toMatch(/lock/i);
    expect(readFileSync(db).equals(before)).toBe(true);
    await repoAdd(db, [join(dir, pkgs[1]!.fileName)]);
    const after = await readSyncDb(db);
    expect(after.entries.map((e) => e.name)).toContain(pkgs[1]!.pkgname);
    expect(existsSync(`${db}.lck`)).toBe(false);
  });
});
