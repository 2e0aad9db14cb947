/**
 * Builds pacman packages with the real `makepkg` from PKGBUILD descriptions, once per content
 * hash, into a cache directory under os.tmpdir(). Shared by the ALPM codec and database tests.
 *
 * - makepkg refuses to run as root: when the tests run as root, a system user
 *   `repokit-makepkg` is created (useradd) and makepkg runs under its uid/gid. Otherwise it runs
 *   as the current user.
 * - Deterministic: SOURCE_DATE_EPOCH (build date, clamped mtimes), fixed PACKAGER, TZ=UTC, a
 *   throw-away HOME, and a build path derived from the content hash, so rebuilding the same set
 *   with the same makepkg gives the same bytes.
 * - Compression is chosen per PKGBUILD by PKGEXT (`.pkg.tar.zst`, `.xz`, `.gz`, `.bz2`, or `.pkg.tar`).
 * - Files of a package are described as data (content, mode, symlinks, empty directories); they
 *   are staged next to the PKGBUILD and copied into $pkgdir by package().
 * - Concurrent callers (vitest forks) serialise on a lock directory; a finished set is moved into
 *   place with one rename and reused while its manifest is complete.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const THIS_FILE = fileURLToPath(import.meta.url);
export const MAKEPKG_SOURCE_DATE_EPOCH = 1_700_000_000;
export const MAKEPKG_PACKAGER = 'Repokit Tests <tests@repokit.invalid>';
const BUILD_USER = 'repokit-makepkg';
const LOCK_WAIT_MS = 10 * 60_000;
const LOCK_STALE_MS = 10 * 60_000;

export type PkgExt = '.pkg.tar.zst' | '.pkg.tar.xz' | '.pkg.tar.gz' | '.pkg.tar.bz2' | '.pkg.tar';

/** A file in a package: text/bytes (mode default 0644), a symlink, or an empty directory. */
export type FileSpec = string | Uint8Array | { data: string | Uint8Array; mode?: number } | { symlink: string } | { dir: true; mode?: number };

/** One package of a PKGBUILD (split PKGBUILDs have several). */
export interface PackageSpec {
  pkgname: string;
  pkgdesc?: string;
  arch?: string[];
  url?: string;
  license?: string[];
  groups?: string[];
  depends?: string[];
  optdepends?: string[];
  provides?: string[];
  conflicts?: string[];
  replaces?: string[];
  backup?: string[];
  /** Contents of an install script (.INSTALL in the package). */
  install?: string;
  /** Contents of a changelog (.CHANGELOG in the package). */
  changelog?: string;
  /** Paths relative to $pkgdir. */
  files?: Record<string, FileSpec>;
}

export interface PkgbuildSpec {
  /** Required for split PKGBUILDs (more than one package). */
  pkgbase?: string;
  pkgver: string;
  pkgrel: string;
  epoch?: number;
  makedepends?: string[];
  checkdepends?: string[];
  /** makepkg options (default `!strip !debug !zipman`, so no binutils are needed). */
  options?: string[];
  packages: PackageSpec[];
  /** Compression (default `.pkg.tar.zst`). */
  pkgext?: PkgExt;
  packager?: string;
}

export interface BuiltPackage {
  /** Absolute path of the package file in the cache. */
  path: string;
  fileName: string;
  pkgname: string;
  /** Index of the PKGBUILD in the list given to {@link buildPackages}. */
  pkgbuild: number;
}

interface Manifest {
  hash: string;
  makepkg: string;
  packages: BuiltPackage[];
}

let versionCache: string | null | undefined;
/** `makepkg --version`, or null when makepkg (or fakeroot) is not installed. */
export function makepkgVersion(): string | null {
  if (versionCache === undefined) {
    const r = spawnSync('makepkg', ['--version'], { encoding: 'utf8' });
    const f = spawnSync('fakeroot', ['-v'], { encoding: 'utf8' });
    versionCache = r.status === 0 && f.status === 0 ? (r.stdout.split('\n')[0] ?? '').trim() : null;
  }
  return versionCache;
}

/** True when a real tool runs here; under CI a missing tool is a failure, not a skip. */
export function toolAvailable(tool: string, args: readonly string[] = ['--version']): boolean {
  const ok = spawnSync(tool, [...args], { encoding: 'utf8' }).status === 0;
  if (!ok && process.env['CI'] !== undefined && process.env['CI'] !== '' && process.env['CI'] !== 'false') {
    throw new Error(`${tool} is required under CI but does not run here`);
  }
  return ok;
}

/** Single-quote a string for bash. */
export function shq(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

function arr(xs: readonly string[] | undefined): string {
  return `(${(xs ?? []).map(shq).join(' ')})`;
}

const PKG_FIELDS = ['pkgdesc', 'url'] as const;
const PKG_ARRAYS = ['arch', 'license', 'groups', 'depends', 'optdepends', 'provides', 'conflicts', 'replaces', 'backup'] as const;

/** The PKGBUILD text for a spec (exported for debugging and for tests of odd fields). */
export function pkgbuildText(spec: PkgbuildSpec): string {
  const split = spec.packages.length > 1;
  const first = spec.packages[0];
  if (first === undefined) throw new Error('a PKGBUILD needs at least one package');
  if (split && spec.pkgbase === undefined) throw new Error('a split PKGBUILD needs pkgbase');
  const l: string[] = [];
  if (spec.pkgbase !== undefined) l.push(`pkgbase=${shq(spec.pkgbase)}`);
  l.push(split ? `pkgname=${arr(spec.packages.map((p) => p.pkgname))}` : `pkgname=${shq(first.pkgname)}`);
  l.push(`pkgver=${shq(spec.pkgver)}`, `pkgrel=${shq(spec.pkgrel)}`);
  if (spec.epoch !== undefined) l.push(`epoch=${spec.epoch}`);
  // Global arch: required; split packages may override it in their package function.
  // makepkg refuses 'any' next to other architectures: a split PKGBUILD gets the union of the
  // real ones (or 'any' when there are none), and each package function sets its own.
  const real = [...new Set(spec.packages.flatMap((p) => p.arch ?? ['any']).filter((a) => a !== 'any'))];
  l.push(`arch=${arr(split ? (real.length > 0 ? real : ['any']) : (first.arch ?? ['any']))}`);
  l.push(`options=${arr(spec.options ?? ['!strip', '!debug', '!zipman'])}`);
  if (spec.makedepends !== undefined) l.push(`makedepends=${arr(spec.makedepends)}`);
  if (spec.checkdepends !== undefined) l.push(`checkdepends=${arr(spec.checkdepends)}`);
  const body = (p: PackageSpec): string[] => {
    const b: string[] = [];
    for (const f of PKG_FIELDS) if (p[f] !== undefined) b.push(`${f}=${shq(p[f])}`);
    for (const f of PKG_ARRAYS) if (p[f] !== undefined && !(f === 'arch' && !split)) b.push(`${f}=${arr(p[f])}`);
    if (p.install !== undefined) b.push(`install=${shq(`${p.pkgname}.install`)}`);
    if (p.changelog !== undefined) b.push(`changelog=${shq(`${p.pkgname}.changelog`)}`);
    return b;
  };
  if (!split) l.push(...body(first));
  for (const p of spec.packages) {
    l.push(`package${split ? `_${p.pkgname}` : ''}() {`);
    if (split) l.push(...body(p).map((x) => `  ${x}`));
    l.push(`  cp -a "$startdir/payload-${p.pkgname}/." "$pkgdir/"`, '}');
  }
  return `${l.join('\n')}\n`;
}

function stagePayload(dir: string, files: Record<string, FileSpec> | undefined): void {
  mkdirSync(dir, { recursive: true });
  for (const [rel, f] of Object.entries(files ?? {})) {
    if (rel.startsWith('/') || rel.split('/').includes('..')) throw new Error(`bad payload path ${rel}`);
    const path = join(dir, rel);
    mkdirSync(dirname(path), { recursive: true });
    if (typeof f === 'string' || f instanceof Uint8Array) {
      writeFileSync(path, f);
      chmodSync(path, 0o644);
    } else if ('symlink' in f) {
      symlinkSync(f.symlink, path);
    } else if ('dir' in f) {
      mkdirSync(path, { recursive: true });
      chmodSync(path, f.mode ?? 0o755);
    } else {
      writeFileSync(path, f.data);
      chmodSync(path, f.mode ?? 0o644);
    }
  }
}

/** uid/gid to build as: the current user, or (as root) the build user, created on first use. */
function buildIdentity(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  let r = spawnSync('id', ['-u', BUILD_USER], { encoding: 'utf8' });
  if (r.status !== 0) {
    const add = spawnSync('useradd', ['--system', '--no-create-home', '--shell', '/bin/false', BUILD_USER], { encoding: 'utf8' });
    // A concurrent fork may have created it first.
    r = spawnSync('id', ['-u', BUILD_USER], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`cannot create build user ${BUILD_USER}: ${add.stderr}`);
  }
  const g = spawnSync('id', ['-g', BUILD_USER], { encoding: 'utf8' });
  return { uid: Number(r.stdout.trim()), gid: Number(g.stdout.trim()) };
}

function chownTree(path: string, id: { uid: number; gid: number }): void {
  chownSync(path, id.uid, id.gid);
  const st = statSync(path);
  if (!st.isDirectory()) return;
  for (const name of readdirSync(path)) {
    const p = join(path, name);
    try {
      if (statSync(p).isDirectory() || statSync(p).isFile()) chownTree(p, id);
    } catch {
      // dangling symlink in a payload: leave it
    }
  }
}

function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv, id: { uid: number; gid: number } | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], ...(id ?? {}) });
    let log = '';
    child.stdout.on('data', (d: Buffer) => (log += d.toString()));
    child.stderr.on('data', (d: Buffer) => (log += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`${cmd} ${args.join(' ')} in ${cwd} failed (${code}):\n${log}`))));
  });
}

async function withLock<T>(lock: string, fn: () => Promise<T>): Promise<T> {
  const start = Date.now();
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      try {
        if (Date.now() - statSync(lock).mtimeMs > LOCK_STALE_MS) rmSync(lock, { recursive: true, force: true });
      } catch {
        // vanished meanwhile
      }
      if (Date.now() - start > LOCK_WAIT_MS) throw new Error(`timed out waiting for ${lock}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

function canonical(value: unknown): unknown {
  if (value instanceof Uint8Array) return { bytes: Buffer.from(value).toString('base64') };
  if (Array.isArray(value)) return value.map(canonical);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.keys(value).sort().map((k) => [k, canonical((value as Record<string, unknown>)[k])]));
  }
  return value;
}

/**
 * Build every PKGBUILD (or reuse the cached result) and return the package files, in PKGBUILD
 * order and, within a split PKGBUILD, package order. Throws when makepkg is missing or fails.
 */
export async function buildPackages(specs: readonly PkgbuildSpec[], options: { cacheName?: string } = {}): Promise<BuiltPackage[]> {
  const version = makepkgVersion();
  if (version === null) throw new Error('makepkg/fakeroot are not installed');
  const hash = createHash('sha256')
    .update(JSON.stringify(canonical(specs)))
    .update(readFileSync(THIS_FILE))
    .update(version)
    .digest('hex')
    .slice(0, 16);
  const root = join(tmpdir(), 'repokit-makepkg');
  mkdirSync(root, { recursive: true });
  chmodSync(root, 0o755);
  const final = join(root, `${options.cacheName ?? 'set'}-${hash}`);
  const manifestPath = join(final, 'manifest.json');
  const cached = (): BuiltPackage[] | undefined => {
    if (!existsSync(manifestPath)) return undefined;
    const m = JSON.parse(readFileSync(manifestPath, 'utf8')) as Manifest;
    return m.packages.every((p) => existsSync(p.path)) ? m.packages : undefined;
  };
  const hit = cached();
  if (hit !== undefined) return hit;
  return withLock(`${final}.lock`, async () => {
    const again = cached();
    if (again !== undefined) return again;
    const id = buildIdentity();
    // The build happens at the final path (so .BUILDINFO's builddir/startdir are stable) under a
    // work name; the manifest written last marks it complete.
    rmSync(final, { recursive: true, force: true });
    mkdirSync(final, { recursive: true });
    const out = join(final, 'packages');
    mkdirSync(out);
    const packages: BuiltPackage[] = [];
    for (let i = 0; i < specs.length; i++) {
      const spec = specs[i]!;
      const dir = join(final, `pkgbuild-${i}`);
      mkdirSync(dir);
      writeFileSync(join(dir, 'PKGBUILD'), pkgbuildText(spec));
      for (const p of spec.packages) {
        stagePayload(join(dir, `payload-${p.pkgname}`), p.files);
        if (p.install !== undefined) writeFileSync(join(dir, `${p.pkgname}.install`), p.install);
        if (p.changelog !== undefined) writeFileSync(join(dir, `${p.pkgname}.changelog`), p.changelog);
      }
    }
    const home = join(final, 'home');
    mkdirSync(home);
    if (id !== undefined) chownTree(final, id);
    for (let i = 0; i < specs.length; i++) {
      const spec = specs[i]!;
      const dir = join(final, `pkgbuild-${i}`);
      const env: NodeJS.ProcessEnv = {
        PATH: process.env['PATH'] ?? '/usr/bin:/bin',
        HOME: home,
        TZ: 'UTC',
        LANG: 'C.UTF-8',
        LC_ALL: 'C.UTF-8',
        SOURCE_DATE_EPOCH: String(MAKEPKG_SOURCE_DATE_EPOCH),
        PACKAGER: spec.packager ?? MAKEPKG_PACKAGER,
        PKGEXT: spec.pkgext ?? '.pkg.tar.zst',
        PKGDEST: out,
        BUILDDIR: join(dir, 'build'),
        SRCDEST: join(dir, 'src'),
      };
      await run('makepkg', ['-f', '-d', '--nocheck', '--noconfirm', '--skipinteg', '--nocolor'], dir, env, id);
      const fullver = `${spec.epoch !== undefined && spec.epoch > 0 ? `${spec.epoch}:` : ''}${spec.pkgver}-${spec.pkgrel}`;
      for (const p of spec.packages) {
        const prefix = `${p.pkgname}-${fullver}-`;
        const fileName = readdirSync(out).find((f) => f.startsWith(prefix) && f.endsWith(spec.pkgext ?? '.pkg.tar.zst') && /^[^-]+$/.test(f.slice(prefix.length).split('.')[0]!));
        if (fileName === undefined) throw new Error(`makepkg did not produce ${prefix}*`);
        packages.push({ path: join(out, fileName), fileName, pkgname: p.pkgname, pkgbuild: i });
      }
    }
    const manifest: Manifest = { hash, makepkg: version, packages };
    const tmp = `${manifestPath}.tmp`;
    writeFileSync(tmp, JSON.stringify(manifest, null, 1));
    renameSync(tmp, manifestPath);
    return packages;
  });
}

/**
 * A varied set of PKGBUILDs for interop tests (one build, shared through the cache): every
 * compression makepkg writes, an epoch, a split package with its own arch, versioned and soname
 * relations, optdepends with descriptions, backup files, install script and changelog,
 * symlinks and empty directories, non-ASCII text and file names, whitespace runs in pkgdesc,
 * and a package whose empty fields repo-add leaves out.
 */
export const SAMPLE_PKGBUILDS: readonly PkgbuildSpec[] = [
  {
    pkgver: '1.2.3',
    pkgrel: '1',
    pkgext: '.pkg.tar.zst',
    makedepends: ['cmake>=3.20', 'ninja'],
    checkdepends: ['python-pytest'],
    packages: [
      {
        pkgname: 'rk-relations',
        pkgdesc: 'Relations:   depends,\toptdepends   and more',
        arch: ['x86_64'],
        url: 'https://example.invalid/relations',
        license: ['GPL-2.0-or-later', 'LGPL-2.1-only'],
        groups: ['rk', 'rk-devel'],
        depends: ['glibc', 'zlib>=1.2', 'bash<6', 'coreutils<=9.9', 'rk-epoch=2:1.0-1', 'libfoo.so=1-64'],
        optdepends: ['python: scripting support', 'rk-docs>=0.7: offline documentation', 'rk-noreason'],
        provides: ['rk-rel=1.2.3', 'librkrel.so=0-64', 'rk-virtual'],
        conflicts: ['rk-rel-git', 'rk-relations-legacy<0.5'],
        replaces: ['rk-relations-old<=0.6'],
        backup: ['etc/rk/relations.conf'],
        files: {
          'etc/rk/relations.conf': 'key = value\n',
          'usr/bin/rk-rel': { data: '#!/bin/sh\necho rel\n', mode: 0o755 },
          'usr/lib/rk/data.bin': new Uint8Array([0, 1, 2, 255]),
          'usr/lib/rk/link': { symlink: 'data.bin' },
          'usr/share/rk/empty': { dir: true },
        },
      },
    ],
  },
  {
    pkgver: '1.0.0',
    pkgrel: '1',
    epoch: 2,
    pkgext: '.pkg.tar.xz',
    packages: [
      {
        pkgname: 'rk-epoch',
        pkgdesc: 'Übersetzungen — ünïcödé, 日本語',
        arch: ['any'],
        url: 'https://example.invalid/epoch',
        license: ['MIT'],
        install: 'post_install() {\n  echo hi\n}\n',
        changelog: '2023-11-14 first\n',
        files: { 'usr/share/rk/ünïcödé.txt': 'u\n', 'usr/share/rk/a b.txt': 'space\n', 'usr/share/rk/Z-upper': 'z\n' },
      },
    ],
  },
  {
    pkgbase: 'rk-suite',
    pkgver: '3.2.1',
    pkgrel: '2',
    pkgext: '.pkg.tar.gz',
    makedepends: ['rk-build'],
    packages: [
      {
        pkgname: 'rk-core',
        pkgdesc: 'Suite core',
        arch: ['x86_64'],
        license: ['Apache-2.0'],
        groups: ['rk'],
        depends: ['rk-conf'],
        files: { 'usr/bin/rk-core': { data: '#!/bin/sh\n', mode: 0o755 }, 'usr/lib/rk-core/.hidden': 'dot file not at the top\n' },
      },
      {
        pkgname: 'rk-extras',
        pkgdesc: 'Suite extras',
        arch: ['any'],
        depends: ['rk-core=3.2.1-2'],
        files: { 'usr/share/rk-extras/readme': 'extras\n' },
      },
    ],
  },
  {
    pkgver: '0.1',
    pkgrel: '1',
    pkgext: '.pkg.tar.bz2',
    packages: [{ pkgname: 'rk-bare', arch: ['any'], files: {} }],
  },
  {
    pkgver: '5',
    pkgrel: '3.1',
    pkgext: '.pkg.tar',
    packages: [
      {
        pkgname: 'rk-plain',
        pkgdesc: 'Uncompressed package',
        arch: ['any'],
        license: ['custom:rk'],
        files: { 'usr/share/licenses/rk-plain/LICENSE': 'free\n' },
      },
    ],
  },
];
