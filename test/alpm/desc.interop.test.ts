/**
 * Interop with the real makepkg and repo-add: packages built from SAMPLE_PKGBUILDS are added to a
 * database with `repo-add`; for every package, repokit's desc (from the package's .PKGINFO read
 * as repo-add reads it, plus csize/sha256/md5 computed here and the embedded .sig) and files
 * entries must equal what repo-add wrote, byte for byte. repo-add's own output must decode
 * (tolerant and strict) and re-encode to itself; .PKGINFO and .BUILDINFO written by makepkg must
 * decode strictly and .PKGINFO must re-encode to itself.
 *
 * The installed repo-add decides the desc version: pacman ≤ 6.0 writes %MD5SUM% (v1) and embeds
 * %PGPSIG% whenever <pkg>.sig exists; pacman ≥ 6.1 writes v2 and embeds only with --include-sigs.
 */
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { copyFileSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  decodeBuildinfo,
  decodeDesc,
  decodeFiles,
  decodePkginfo,
  descEntryFromPkginfo,
  encodeDesc,
  encodeFiles,
  encodePkginfo,
  parsePackageFileName,
  splitEntryName,
  validateDesc,
  type DescVersion,
} from '../../src/alpm/codecs.js';
import { SAMPLE_PKGBUILDS, buildPackages, makepkgVersion, toolAvailable, type BuiltPackage } from '../helpers/makepkg.js';

// toolAvailable throws under CI when a tool is missing (there the interop must run).
const haveTools =
  toolAvailable('makepkg') && toolAvailable('fakeroot', ['-v']) && toolAvailable('repo-add') && toolAvailable('bsdtar') && makepkgVersion() !== null;
const why = haveTools ? '' : ' (skipped: makepkg, fakeroot, repo-add or bsdtar missing)';

function sh(cmd: string, args: string[], cwd?: string): Buffer {
  const r = spawnSync(cmd, args, { cwd, maxBuffer: 64 << 20, env: { ...process.env, LC_ALL: 'C.UTF-8', TZ: 'UTC' } });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr?.toString()}`);
  return r.stdout;
}

/** The pacman version behind repo-add (1 = writes %MD5SUM%; 2 = pacman ≥ 6.1). */
function repoAddDescVersion(): DescVersion {
  const m = /v(\d+)\.(\d+)/.exec(sh('repo-add', ['--version']).toString());
  const [major, minor] = [Number(m?.[1] ?? 0), Number(m?.[2] ?? 0)];
  return major > 6 || (major === 6 && minor >= 1) ? 2 : 1;
}

describe.skipIf(!haveTools)(`desc/files equal repo-add's, byte for byte${why}`, () => {
  let work: string;
  let built: BuiltPackage[];
  let version: DescVersion;
  const entries = new Map<string, { desc: Buffer; files: Buffer }>();
  const copies = new Map<string, string>();
  const SIGNED = 'rk-extras';

  beforeAll(async () => {
    built = await buildPackages(SAMPLE_PKGBUILDS, { cacheName: 'samples' });
    version = repoAddDescVersion();
    work = mkdtempSync(join(tmpdir(), 'rk-desc-interop-'));
    for (const p of built) {
      const copy = join(work, p.fileName);
      copyFileSync(p.path, copy);
      copies.set(p.pkgname, copy);
      // A binary "signature" (repo-add only base64s it; a real OpenPGP packet is not needed).
      if (p.pkgname === SIGNED) writeFileSync(`${copy}.sig`, Buffer.concat([Buffer.from([0x88, 0x75]), randomBytes(117)]));
    }
    const db = join(work, 'rk.db.tar.gz');
    const args = [...(version === 2 ? ['--include-sigs'] : []), db, ...copies.values()];
    sh('repo-add', args, work);
    for (const kind of ['db', 'files'] as const) {
      const dir = join(work, `x-${kind}`);
      sh('mkdir', ['-p', dir]);
      sh('bsdtar', ['-xf', join(work, `rk.${kind}.tar.gz`), '-C', dir]);
    }
    for (const name of readdirSync(join(work, 'x-files'))) {
      entries.set(name, { desc: readFileSync(join(work, 'x-db', name, 'desc')), files: readFileSync(join(work, 'x-files', name, 'files')) });
    }
  }, 600_000);

  afterAll(() => {
    if (work !== undefined) rmSync(work, { recursive: true, force: true });
  });

  it('repo-add made one entry per package, named name-version', () => {
    expect(entries.size).toBe(built.length);
    for (const dir of entries.keys()) {
      const { name, version: v } = splitEntryName(dir);
      expect(built.some((p) => p.pkgname === name && parsePackageFileName(p.fileName).version === v), dir).toBe(true);
    }
  });

  it('encodeDesc(descEntryFromPkginfo(.PKGINFO, file facts)) is repo-add\'s desc', () => {
    for (const p of built) {
      const file = copies.get(p.pkgname)!;
      const bytes = readFileSync(file);
      const pkginfo = sh('bsdtar', ['-xOf', file, '.PKGINFO']).toString('utf8');
      const sig = p.pkgname === SIGNED ? readFileSync(`${file}.sig`).toString('base64') : undefined;
      const entry = descEntryFromPkginfo(pkginfo, {
        filename: p.fileName,
        csize: bytes.length,
        sha256sum: createHash('sha256').update(bytes).digest('hex'),
        md5sum: createHash('md5').update(bytes).digest('hex'),
        ...(sig !== undefined ? { pgpsig: sig } : {}),
      });
      const dir = `${entry.name}-${entry.version}`;
      const real = entries.get(dir)?.desc.toString('utf8');
      expect(real, dir).toBeDefined();
      expect(encodeDesc(entry, { version }), dir).toBe(real);
      if (version === 1) {
        // What pacman ≥ 6.1 writes for the same package: the same without %MD5SUM% (derived, not observed here).
        expect(encodeDesc(entry, { version: 2 })).toBe(real!.replace(/%MD5SUM%\n[0-9a-f]{32}\n\n/, ''));
      }
    }
  });

  it('encodeFiles(package member list) is repo-add\'s files', () => {
    for (const p of built) {
      const file = copies.get(p.pkgname)!;
      const members = sh('bsdtar', ['-tf', file]).toString('utf8').split('\n').filter((n) => n !== '' && !n.startsWith('.'));
      const { name, version: v } = parsePackageFileName(p.fileName);
      const real = entries.get(`${name}-${v}`)!.files.toString('utf8');
      expect(encodeFiles(members), p.fileName).toBe(real);
      expect(encodeFiles(decodeFiles(real).entry), p.fileName).toBe(real);
      expect(decodeFiles(real, { mode: 'strict' }).entry.files.length).toBe(new Set(members).size);
    }
  });

  it('repo-add\'s desc decodes without warnings and re-encodes to itself', () => {
    for (const [dir, { desc }] of entries) {
      const { entry, warnings } = decodeDesc(desc, { file: `${dir}/desc` });
      expect(warnings, dir).toEqual([]);
      expect(encodeDesc(entry, { version }), dir).toBe(desc.toString('utf8'));
      const { name, version: v } = splitEntryName(dir);
      expect([entry.name, entry.version]).toEqual([name, v]);
    }
  });

  it('strict validation accepts repo-add output (v1 without a signature lacks only %PGPSIG%)', () => {
    for (const [dir, { desc }] of entries) {
      const problems = validateDesc(desc);
      const signed = dir.startsWith(`${SIGNED}-`);
      if (version === 2 || signed) expect(problems, dir).toEqual([]);
      else expect(problems.map((p) => p.message), dir).toEqual(['Missing section: %PGPSIG% (required in desc version 1)']);
    }
  });

  it('makepkg\'s .PKGINFO decodes strictly and re-encodes to itself; .BUILDINFO decodes strictly', () => {
    for (const p of built) {
      const file = copies.get(p.pkgname)!;
      const text = sh('bsdtar', ['-xOf', file, '.PKGINFO']).toString('utf8');
      const { entry } = decodePkginfo(text, { mode: 'strict' });
      expect(entry.pkgname).toBe(p.pkgname);
      expect(encodePkginfo(entry), p.fileName).toBe(text);
      const bi = decodeBuildinfo(sh('bsdtar', ['-xOf', file, '.BUILDINFO']), { mode: 'strict' }).entry;
      expect([bi.pkgname, bi.pkgver, bi.format]).toEqual([p.pkgname, entry.pkgver, 2]);
    }
  });
});
