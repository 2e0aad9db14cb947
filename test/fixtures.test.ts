/**
 * The packages in fixtures/ (made by scripts/make-fixtures.sh, see fixtures/README.md): each is
 * read by repokit and by the real tool where it is installed (rpm -qp, pacman -Qip, bsdtar), and
 * both agree on name, version and the relations the demo shows. scripts/xbps-pack.sh, which writes
 * the XBPS fixtures because xbps-create cannot be installed here, is checked by rebuilding
 * packages that the real xbps-create 0.60.7 made (the shared corpus) byte for byte.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { readPackage } from '../src/alpm/index.js';
import { readRpmSync, rpmMetadata } from '../src/rpm/index.js';
import { formatPlist, parsePlistDict, readXbpsPackage } from '../src/xbps/index.js';
import { hasTool, missingToolNote } from './shared/tools.js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const FIX = join(ROOT, 'fixtures');
const CORPUS = fileURLToPath(new URL('../../shared/corpus/xbps/generated/', import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'repokit-fixtures-test-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const list = (dir: string, suffix: RegExp) =>
  readdirSync(join(FIX, dir))
    .filter((f) => suffix.test(f))
    .sort();

function tool(cmd: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): string {
  const r = spawnSync(cmd, [...args], { encoding: 'utf8', env: { ...process.env, LC_ALL: 'C', ...env }, maxBuffer: 1 << 26 });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return r.stdout;
}

/** `Key : value` lines of pacman -Qi output; multi-value fields are split on runs of two spaces. */
function pacmanInfo(text: string): Map<string, string[]> {
  const m = new Map<string, string[]>();
  for (const line of text.split('\n')) {
    const x = /^(\S[^:]*?)\s+: (.*)$/.exec(line);
    if (x) m.set(x[1]!, x[2] === 'None' ? [] : x[2]!.split(/ {2,}/));
  }
  return m;
}

const rpms = list('rpm', /\.rpm$/);
const alpms = list('alpm', /\.pkg\.tar(\.\w+)?$/);
const xbpss = list('xbps', /\.xbps$/);

describe('fixtures/ holds what its sources describe', () => {
  it('one RPM per spec (plus source packages), one pacman package per PKGBUILD, one .xbps per template', () => {
    const specs = readdirSync(join(FIX, 'specs')).filter((f) => f.endsWith('.spec'));
    for (const s of specs) expect(rpms.some((f) => f.startsWith(`${s.slice(0, -5)}-`))).toBe(true);
    const pkgbuilds = readdirSync(join(FIX, 'pkgbuilds'), { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name);
    expect(alpms.map((f) => f.replace(/-[^-]+-[^-]+-[^-]+\.pkg\.tar.*$/, '')).sort()).toEqual(pkgbuilds.sort());
    const templates = readdirSync(join(FIX, 'xbps', 'templates')).sort();
    expect(xbpss.map((f) => f.replace(/-[^-]+\.[^.]+\.xbps$/, '')).sort()).toEqual(templates);
  });

  it('every fixture is small (under 16 KiB)', () => {
    for (const [dir, files] of [['rpm', rpms], ['alpm', alpms], ['xbps', xbpss]] as const) {
      for (const f of files) expect(readFileSync(join(FIX, dir, f)).length, `${dir}/${f}`).toBeLessThan(16 * 1024);
    }
  });
});

describe(`RPM fixtures: repokit and rpm -qp agree${missingToolNote('rpm')}`, () => {
  it.each(rpms)('%s', (f) => {
    const path = join(FIX, 'rpm', f);
    const m = rpmMetadata(readRpmSync(path));
    expect(f).toBe(`${m.name}-${m.version}-${m.release}.${m.isSource ? 'src' : m.arch}.rpm`);
    if (!hasTool('rpm')) return;
    const q = tool('rpm', ['-qp', '--nosignature', '--nodigest', '--qf', '%{NAME}|%{EPOCHNUM}|%{VERSION}|%{RELEASE}|%{ARCH}|%{SUMMARY}', path]);
    expect(q).toBe(`${m.name}|${m.epoch ?? 0}|${m.version}|${m.release}|${m.arch}|${m.summary}`);
  });
});

describe(`pacman fixtures: repokit and pacman -Qip agree${missingToolNote('pacman')}`, () => {
  it.each(alpms)('%s', async (f) => {
    const path = join(FIX, 'alpm', f);
    const pkg = await readPackage(path);
    const p = pkg.pkginfo;
    expect(f).toBe(`${p.pkgname}-${p.pkgver}-${p.arch}${f.slice(f.indexOf('.pkg.tar'))}`);
    expect(pkg.metadataFiles).toEqual(expect.arrayContaining(['.PKGINFO', '.BUILDINFO', '.MTREE']));
    expect(p.packager).toBe('Repokit Fixtures <fixtures@repokit.invalid>');
    expect(p.builddate).toBe(1_700_000_000);
    if (!hasTool('pacman')) return;
    const dbpath = join(scratch, 'pacman-db');
    mkdirSync(dbpath, { recursive: true });
    const info = pacmanInfo(tool('pacman', ['-Qip', '--dbpath', dbpath, path]));
    expect(info.get('Name')).toEqual([p.pkgname]);
    expect(info.get('Version')).toEqual([p.pkgver]);
    expect(info.get('Architecture')).toEqual([p.arch]);
    expect(info.get('Depends On')).toEqual(p.depend);
    expect(info.get('Optional Deps')).toEqual(p.optdepend);
    expect(info.get('Provides')).toEqual(p.provides);
    expect(info.get('Conflicts With')).toEqual(p.conflict);
    expect(info.get('Install Script')).toEqual([pkg.metadataFiles.includes('.INSTALL') ? 'Yes' : 'No']);
    const files = tool('pacman', ['-Qlp', '--dbpath', dbpath, path])
      .split('\n')
      .filter(Boolean)
      .map((l) => l.slice(l.indexOf(' ') + 2));
    expect(files.sort()).toEqual(pkg.files.map((x) => x).sort());
  });

  it('hello shows relations, a backup file and an install script (what the demo prints)', async () => {
    const pkg = await readPackage(join(FIX, 'alpm', 'hello-1.0-1-any.pkg.tar.zst'));
    expect(pkg.pkginfo.backup).toEqual(['etc/hello.conf']);
    expect(pkg.pkginfo.optdepend).toEqual(['hello-doc: the manual']);
    expect(pkg.metadataFiles).toContain('.INSTALL');
  });
});

describe(`XBPS fixtures: repokit and bsdtar agree${missingToolNote('bsdtar')}`, () => {
  it.each(xbpss)('%s', async (f) => {
    const path = join(FIX, 'xbps', f);
    const pkg = await readXbpsPackage(path);
    expect(f).toBe(`${pkg.pkgver}.${pkg.architecture}.xbps`);
    expect(pkg.compression).toBe('zstd');
    expect(pkg.leadingMembers.slice(0, 2)).toEqual(['./props.plist', './files.plist']);
    if (!hasTool('bsdtar')) return;
    const members = tool('bsdtar', ['-tf', path]).split('\n').filter(Boolean);
    expect(members.slice(0, 2)).toEqual(['./props.plist', './files.plist']);
    // Both plists as stored are exactly what repokit's proplib-style writer makes of them.
    for (const name of ['./props.plist', './files.plist']) {
      const text = tool('bsdtar', ['-xOf', path, name]);
      expect(formatPlist(parsePlistDict(text)), name).toBe(text);
    }
    const props = tool('bsdtar', ['-xOf', path, './props.plist']);
    expect(/<key>pkgver<\/key>\n\t<string>([^<]*)<\/string>/.exec(props)?.[1]).toBe(pkg.pkgver);
    expect(/<key>pkgname<\/key>\n\t<string>([^<]*)<\/string>/.exec(props)?.[1]).toBe(pkg.pkgver.replace(/-[^-]+$/, ''));
    // Every payload member (regular files and symlinks; xbps stores no directories) is listed.
    const listed = ['files', 'conf_files', 'links'].flatMap((k) => {
      const v = pkg.files?.get(k);
      return Array.isArray(v) ? v.map((e) => `.${String(e instanceof Map ? e.get('file') : '')}`) : [];
    });
    expect(members.slice(2).sort()).toEqual(listed.sort());
    expect(pkg.props.get('pkgver')).toBe(pkg.pkgver);
  });

  it('hello has relations and a configuration file (what the demo prints)', async () => {
    const pkg = await readXbpsPackage(join(FIX, 'xbps', 'hello-1.0_1.noarch.xbps'));
    expect(pkg.props.get('run_depends')).toEqual(['bash>=0', 'libgreet>=2.0_1']);
    expect(pkg.props.get('conf_files')).toEqual(['/etc/hello.conf']);
    expect(pkg.props.get('provides')).toEqual(['greeter-1.0_1']);
  });
});

// xbps-pack.sh options it supports; the corpus packages made with others are not rebuilt.
const UNSUPPORTED = /--alternatives|-B |--build-options|-G |-M |-p |-r /;
const corpusManifest = join(CORPUS, 'MANIFEST.json');
const corpusNote = !existsSync(corpusManifest)
  ? ' (skipped: the shared corpus is absent)'
  : missingToolNote('bsdtar', 'zstd');
interface MadeBy {
  file: string;
  made_by?: string;
}
const rebuildable = existsSync(corpusManifest)
  ? (JSON.parse(readFileSync(corpusManifest, 'utf8')) as { files: MadeBy[] }).files.filter(
      (f) => f.file.startsWith('pkgs/') && f.made_by?.startsWith('xbps-create ') && !UNSUPPORTED.test(f.made_by),
    )
  : [];

describe(`scripts/xbps-pack.sh writes what xbps-create 0.60.7 writes${corpusNote}`, () => {
  it.skipIf(corpusNote !== '')('the corpus has packages it can rebuild', () => {
    expect(rebuildable.length).toBeGreaterThanOrEqual(5);
  });

  it.skipIf(corpusNote !== '').each(rebuildable.map((f) => [f.file, f] as const))('%s, from its contents and its xbps-create command line', (_n, f) => {
    const golden = join(CORPUS, f.file);
    const dir = mkdtempSync(join(scratch, 'pack-'));
    const destdir = join(dir, 'destdir');
    mkdirSync(destdir);
    tool('bsdtar', ['-xpf', golden, '-C', destdir, '--exclude', './props.plist', '--exclude', './files.plist']);
    // The recorded command line, run with xbps-pack.sh in place of xbps-create.
    const cmd = f.made_by!.replace(/^xbps-create /, `${JSON.stringify(join(ROOT, 'scripts', 'xbps-pack.sh'))} `).replace(/<destdir>$/, JSON.stringify(destdir));
    const r = spawnSync('bash', ['-c', cmd], { cwd: dir, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    const name = f.file.slice('pkgs/'.length);
    expect(readFileSync(join(dir, name)).equals(readFileSync(golden))).toBe(true);
  });

  it(`the committed .xbps fixtures decompress to the tar a fresh build writes${missingToolNote('bsdtar', 'zstd')}`, () => {
    if (!hasTool('bsdtar') || !hasTool('zstd')) return;
    const out = join(scratch, 'fresh-xbps');
    tool('bash', [join(ROOT, 'scripts', 'make-xbps-fixtures.sh'), out]);
    expect(readdirSync(out).sort()).toEqual(xbpss);
    // The tar, not the .xbps: another zstd version may compress the same tar differently.
    for (const f of xbpss) {
      const a = spawnSync('zstd', ['-dc', join(out, f)]).stdout;
      const b = spawnSync('zstd', ['-dc', join(FIX, 'xbps', f)]).stdout;
      expect(a.length).toBeGreaterThan(0);
      expect(a.equals(b), f).toBe(true);
    }
  }, 60_000);
});
