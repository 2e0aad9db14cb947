/**
 * Helpers of the Repository facade tests: tiny pacman packages (raw tar + gzip, any arch and
 * relations), tiny binary RPMs built with the real rpmbuild (cached in the temp directory), and
 * a bundle of src/repository for child processes (esbuild, next to node_modules so the optional
 * native dependencies resolve).
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzip, rawTar } from '../helpers/alpm-packages.js';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const FIXTURES = join(REPO_ROOT, 'fixtures');
export const SHARED = join(REPO_ROOT, '..', 'shared');

export function tempDir(prefix = 'repokit-repository-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export interface AlpmSpec {
  arch?: string;
  depends?: string[];
  optdepends?: string[];
  provides?: string[];
  desc?: string;
  /** Extra bytes in the payload (to change the checksum of an equal version). */
  salt?: string;
}

/** Write `<dir>/<name>-<version>-<arch>.pkg.tar.gz`, a small but complete pacman package. */
export function alpmPackage(dir: string, name: string, version: string, spec: AlpmSpec = {}): string {
  const arch = spec.arch ?? 'any';
  const rel = (k: string, xs: string[] | undefined) => (xs ?? []).map((x) => `${k} = ${x}\n`).join('');
  const pkginfo =
    `pkgname = ${name}\npkgbase = ${name}\npkgver = ${version}\npkgdesc = ${spec.desc ?? `the ${name} package`}\n` +
    `url = https://example.invalid\nbuilddate = 1700000000\npackager = Tests <t@example.invalid>\nsize = 4\narch = ${arch}\nlicense = MIT\n` +
    rel('depend', spec.depends) +
    rel('optdepend', spec.optdepends) +
    rel('provides', spec.provides);
  const p = join(dir, `${name}-${version}-${arch}.pkg.tar.gz`);
  writeFileSync(
    p,
    gzip(
      rawTar([
        { name: '.PKGINFO', data: pkginfo },
        { name: 'usr/', type: '5' },
        { name: `usr/${name}`, data: `data ${spec.salt ?? ''}` },
      ]),
    ),
  );
  return p;
}

/** Null when rpmbuild runs here, else why not (throws under CI). */
export function rpmbuildMissing(): string | null {
  const ok = spawnSync('rpmbuild', ['--version'], { stdio: 'ignore' }).status === 0;
  if (ok) return null;
  const ci = process.env['CI'];
  if (ci !== undefined && ci !== '' && ci !== '0' && ci.toLowerCase() !== 'false') throw new Error('rpmbuild is not installed; CI must install it');
  return 'rpmbuild is not installed';
}

/**
 * A tiny binary RPM `name-version-release.arch.rpm` built by rpmbuild (cached by content), copied
 * into `dir`. `requires` become Requires: lines.
 */
export function rpmPackage(dir: string, name: string, version: string, release = '1', options: { arch?: string; requires?: string[] } = {}): string {
  const arch = options.arch ?? 'noarch';
  const spec = [
    `Name: ${name}`,
    `Version: ${version}`,
    `Release: ${release}`,
    `Summary: the ${name} package`,
    'License: MIT',
    `BuildArch: ${arch}`,
    ...(options.requires ?? []).map((r) => `Requires: ${r}`),
    '%description',
    `A test package called ${name}.`,
    '%install',
    `mkdir -p %{buildroot}/usr/share/${name}`,
    `echo ${version} > %{buildroot}/usr/share/${name}/version`,
    '%files',
    `/usr/share/${name}/version`,
    '',
  ].join('\n');
  const hash = createHash('sha256').update(spec).digest('hex').slice(0, 16);
  const cache = join(tmpdir(), 'repokit-repository-rpms', hash);
  const file = `${name}-${version}-${release}.${arch}.rpm`;
  if (!existsSync(join(cache, file))) {
    const work = mkdtempSync(join(tmpdir(), 'repokit-rpmbuild-'));
    try {
      writeFileSync(join(work, 'p.spec'), spec);
      const r = spawnSync(
        'rpmbuild',
        ['-bb', '--define', `_topdir ${work}`, '--define', '_buildhost repokit.example', '--define', 'use_source_date_epoch_as_buildtime 1', join(work, 'p.spec')],
        { encoding: 'utf8', env: { ...process.env, SOURCE_DATE_EPOCH: '1700000000' } },
      );
      if (r.status !== 0) throw new Error(`rpmbuild failed: ${r.stderr}`);
      const built = join(work, 'RPMS', arch, file);
      mkdirSync(cache, { recursive: true });
      const tmp = join(cache, `.${file}.${process.pid}`);
      writeFileSync(tmp, readFileSync(built));
      renameSync(tmp, join(cache, file));
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  }
  const out = join(dir, file);
  writeFileSync(out, readFileSync(join(cache, file)));
  return out;
}

let bundled: string | undefined;
/** src/repository bundled into one ESM file (for child processes); built once per test process. */
export async function repositoryBundle(): Promise<string> {
  if (bundled !== undefined) return bundled;
  const { build } = await import('esbuild');
  const dir = join(REPO_ROOT, 'node_modules', '.cache', 'repokit-repository-tests');
  mkdirSync(dir, { recursive: true });
  const out = join(dir, `repo-${process.pid}-${Date.now()}.mjs`);
  await build({
    entryPoints: [join(REPO_ROOT, 'src', 'repository', 'index.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    outfile: out,
    external: ['@napi-rs/lzma', 'smol-toml'],
    logLevel: 'warning',
  });
  bundled = out;
  return out;
}

/** Remove bundles left by earlier runs (best effort). */
export function cleanBundles(): void {
  const dir = join(REPO_ROOT, 'node_modules', '.cache', 'repokit-repository-tests');
  if (!existsSync(dir)) return;
  for (const f of readdirSync(dir)) if (f.includes(`-${process.pid}-`)) rmSync(join(dir, f), { force: true });
}

/** Every file under `dir` (relative paths) with its bytes, for before/after comparisons. */
export function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string, rel: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const r = rel === '' ? e.name : `${rel}/${e.name}`;
      if (e.isDirectory()) walk(join(d, e.name), r);
      else if (e.isSymbolicLink()) out.set(r, `-> ${readlinkSync(join(d, e.name))}`);
      else out.set(r, createHash('sha256').update(readFileSync(join(d, e.name))).digest('hex'));
    }
  };
  walk(dir, '');
  return out;
}
