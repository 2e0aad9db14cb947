/**
 * Builds the interop RPM set (test/interop/specs/*.spec) with the real
 * `rpmbuild`, once per content hash, into a cache directory under os.tmpdir().
 *
 * - Deterministic: SOURCE_DATE_EPOCH plus rpmbuild's "use it as build time"
 *   and "clamp mtimes" switches, a fixed %_buildhost, TZ=UTC, LC_ALL=C, and a
 *   throw-away HOME so ~/.rpmmacros cannot interfere. Rebuilding with the same
 *   rpmbuild gives byte-identical packages.
 * - Every spec gets its own %_topdir (they run 2 at a time); all packages land
 *   flat in the cache directory as NAME-VERSION-RELEASE.ARCH.rpm (source
 *   packages as *.src.rpm).
 * - A spec may carry a line `# repokit-rpmbuild-args: <args>`; those
 *   whitespace-separated arguments are appended to its rpmbuild command line
 *   (e.g. `--nodirtokens`).
 * - The cache directory name contains a hash of the specs, of this file and of
 *   `rpmbuild --version`; it is only used when its manifest is complete.
 *   Concurrent callers (vitest forks) serialise on a lock directory; the
 *   finished set is moved into place with one rename.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SPEC_DIR = fileURLToPath(new URL('../interop/specs/', import.meta.url));
const THIS_FILE = fileURLToPath(import.meta.url);

/** Seconds since the epoch used for build times and clamped file mtimes (2023-11-14T22:13:20Z). */
export const INTEROP_SOURCE_DATE_EPOCH = 1_700_000_000;
export const INTEROP_BUILDHOST = 'repokit.example';

/** Python interpreter that has the `rpm` module (the pyenv `python3` on PATH does not). */
export const RPM_PYTHON = process.env['REPOKIT_RPM_PYTHON'] ?? '/usr/bin/python3';

const PARALLEL_BUILDS = 2;
const MANIFEST = 'manifest.json';
const LOCK_STALE_MS = 10 * 60_000;
const LOCK_WAIT_MS = 15 * 60_000;

/** Extra files placed in every spec's SOURCES directory (rk-deps.spec uses them as Source0/Patch0). */
const EXTRA_SOURCES: Readonly<Record<string, string>> = {
  'repokit-interop-source.txt': 'line one\nline two\n',
  'repokit-interop.patch':
    '--- a/source.txt\n+++ b/source.txt\n@@ -1,2 +1,2 @@\n line one\n-line two\n+line two (patched)\n',
};

interface Manifest {
  hash: string;
  rpmbuild: string;
  buildMs: number;
  files: string[];
}

let rpmbuildVersion: string | null | undefined;

function getRpmbuildVersion(): string | null {
  if (rpmbuildVersion === undefined) {
    const r = spawnSync('rpmbuild', ['--version'], { encoding: 'utf8' });
    rpmbuildVersion = r.status === 0 && typeof r.stdout === 'string' ? r.stdout.trim() : null;
  }
  return rpmbuildVersion;
}

export function hasRpmbuild(): boolean {
  return getRpmbuildVersion() !== null;
}

let pythonRpmOk: boolean | undefined;

function hasPythonRpm(): boolean {
  if (pythonRpmOk === undefined) {
    const r = spawnSync(RPM_PYTHON, ['-c', 'import rpm, ctypes'], { encoding: 'utf8' });
    pythonRpmOk = r.status === 0;
  }
  return pythonRpmOk;
}

/**
 * Skip helper: when the tool is missing, returns a reason string (use it to skip);
 * when process.env.CI is set it throws instead, because CI must install the tools.
 */
export function requireTool(name: 'rpmbuild' | 'python3-rpm'): string | null {
  let reason: string | null = null;
  if (name === 'rpmbuild') {
    if (!hasRpmbuild()) reason = '`rpmbuild` is not installed (apt-get install rpm / dnf install rpm-build)';
  } else if (!hasPythonRpm()) {
    reason = `python3-rpm is not importable by ${RPM_PYTHON} (apt-get install python3-rpm / dnf install python3-rpm; or set REPOKIT_RPM_PYTHON)`;
  }
  const ci = process.env['CI'];
  if (reason !== null && ci !== undefined && ci !== '' && ci !== '0' && ci.toLowerCase() !== 'false') {
    throw new Error(`${reason}; CI must install it`);
  }
  return reason;
}

interface SpecInfo {
  file: string;
  name: string;
  content: string;
  extraArgs: string[];
}

function readSpecs(): SpecInfo[] {
  const names = readdirSync(SPEC_DIR)
    .filter((f) => f.endsWith('.spec'))
    .sort();
  return names.map((name) => {
    const file = join(SPEC_DIR, name);
    const content = readFileSync(file, 'utf8');
    const extraArgs: string[] = [];
    for (const m of content.matchAll(/^#\s*repokit-rpmbuild-args:(.*)$/gm)) {
      extraArgs.push(...(m[1] ?? '').trim().split(/\s+/).filter(Boolean));
    }
    return { file, name, content, extraArgs };
  });
}

function contentHash(specs: readonly SpecInfo[], rpmbuild: string): string {
  const h = createHash('sha256');
  for (const s of specs) h.update(`${s.name}\0${s.content}\0`);
  h.update(readFileSync(THIS_FILE));
  h.update(`\0${rpmbuild}`);
  return h.digest('hex').slice(0, 16);
}

function readCompleteManifest(dir: string): string[] | null {
  try {
    const m = JSON.parse(readFileSync(join(dir, MANIFEST), 'utf8')) as Manifest;
    if (!Array.isArray(m.files) || m.files.length === 0) return null;
    const paths = m.files.map((f) => join(dir, f));
    return paths.every((p) => existsSync(p)) ? paths : null;
  } catch {
    return null;
  }
}

function rpmbuildArgs(spec: SpecInfo, specPath: string, topdir: string, outDir: string): string[] {
  const defines: Record<string, string> = {
    _topdir: topdir,
    _rpmdir: outDir,
    _srcrpmdir: outDir,
    _build_name_fmt: '%%{NAME}-%%{VERSION}-%%{RELEASE}.%%{ARCH}.rpm',
    _tmppath: join(topdir, 'tmp'),
    _buildhost: INTEROP_BUILDHOST,
    use_source_date_epoch_as_buildtime: '1',
    clamp_mtime_to_source_date_epoch: '1',
    source_date_epoch_from_changelog: '0',
    // No brp-* post-processing (strip, man page compression): faster, and
    // independent of which binutils/compressors the host has.
    __os_install_post: '%{nil}',
    debug_package: '%{nil}',
    // Source RPM file owners otherwise follow the building user.
    _srcdefattr: '(-,root,root)',
  };
  const args = ['-ba', '--nodeps'];
  for (const [k, v] of Object.entries(defines)) args.push('--define', `${k} ${v}`);
  args.push(...spec.extraArgs, specPath);
  return args;
}

function runRpmbuild(spec: SpecInfo, workDir: string, outDir: string, home: string): Promise<void> {
  const topdir = join(workDir, spec.name.replace(/\.spec$/, ''));
  for (const d of ['BUILD', 'BUILDROOT', 'SOURCES', 'SPECS', 'tmp']) mkdirSync(join(topdir, d), { recursive: true });
  // Fixed modes: the source RPM records them, and the checkout's/umask's would vary.
  const put = (path: string, content: string) => {
    writeFileSync(path, content);
    chmodSync(path, 0o644);
  };
  for (const [f, content] of Object.entries(EXTRA_SOURCES)) put(join(topdir, 'SOURCES', f), content);
  const specPath = join(topdir, 'SPECS', spec.name);
  put(specPath, spec.content);
  const args = rpmbuildArgs(spec, specPath, topdir, outDir);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    HOME: home,
    SOURCE_DATE_EPOCH: String(INTEROP_SOURCE_DATE_EPOCH),
    TZ: 'UTC',
    LC_ALL: 'C',
    LANG: 'C',
  };
  delete env['LANGUAGE'];
  delete env['RPM_CONFIGDIR'];
  return new Promise((resolve, reject) => {
    const child = spawn('rpmbuild', args, { cwd: topdir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => out.push(b));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (code === 0) {
        resolve();
        return;
      }
      const log = Buffer.concat(out).toString('utf8').split('\n').slice(-40).join('\n');
      reject(new Error(`rpmbuild ${spec.file} failed (${signal ?? `exit ${code}`}):\n${log}`));
    });
  });
}

async function runPool<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failed = false;
  const worker = async (): Promise<void> => {
    while (!failed && next < items.length) {
      const item = items[next++] as T;
      try {
        await fn(item);
      } catch (e) {
        failed = true;
        throw e;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Take the lock directory; returns false if the cache became complete while waiting. */
async function acquireLock(lockDir: string, cacheDir: string): Promise<boolean> {
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      mkdirSync(lockDir);
      return true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    if (readCompleteManifest(cacheDir)) return false;
    try {
      if (Date.now() - statSync(lockDir).mtimeMs > LOCK_STALE_MS) {
        rmSync(lockDir, { recursive: true, force: true });
        continue;
      }
    } catch {
      continue; // lock vanished between mkdir and stat
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${lockDir}`);
    await sleep(250);
  }
}

async function buildInto(cacheDir: string, hash: string, specs: readonly SpecInfo[], rpmbuild: string): Promise<string[]> {
  const staging = `${cacheDir}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  const workDir = join(staging, 'work');
  const outDir = join(staging, 'out');
  const home = join(staging, 'home');
  mkdirSync(workDir, { recursive: true });
  mkdirSync(outDir, { recursive: true });
  mkdirSync(home, { recursive: true });
  const started = Date.now();
  try {
    await runPool(specs, PARALLEL_BUILDS, (spec) => runRpmbuild(spec, workDir, outDir, home));
    const files = readdirSync(outDir)
      .filter((f) => f.endsWith('.rpm'))
      .sort();
    if (files.length === 0) throw new Error('rpmbuild produced no packages');
    const manifest: Manifest = { hash, rpmbuild, buildMs: Date.now() - started, files };
    writeFileSync(join(outDir, MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
    rmSync(cacheDir, { recursive: true, force: true }); // an incomplete leftover
    renameSync(outDir, cacheDir);
    return files.map((f) => join(cacheDir, f));
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

let memo: { hash: string; promise: Promise<string[]> } | undefined;

/**
 * Build every spec in test/interop/specs once into a cache dir
 * (os.tmpdir()/repokit-interop-rpms-<hash of the specs' contents and this file>)
 * and return the list of built .rpm/.src.rpm paths (sorted). Deterministic
 * (SOURCE_DATE_EPOCH, _buildhost). Reuses the cache if it is complete. Builds
 * in parallel (2 at a time).
 */
export async function buildInteropRpms(): Promise<string[]> {
  const rpmbuild = getRpmbuildVersion();
  if (rpmbuild === null) throw new Error('rpmbuild is not installed');
  const specs = readSpecs();
  if (specs.length === 0) throw new Error(`no .spec files in ${SPEC_DIR}`);
  const hash = contentHash(specs, rpmbuild);
  if (memo?.hash === hash) return memo.promise;
  const promise = (async () => {
    const cacheDir = join(tmpdir(), `repokit-interop-rpms-${hash}`);
    const cached = readCompleteManifest(cacheDir);
    if (cached) return cached;
    const lockDir = `${cacheDir}.lock`;
    if (!(await acquireLock(lockDir, cacheDir))) {
      // Another process finished the set while we waited (we never held the lock).
      const done = readCompleteManifest(cacheDir);
      if (done) return done;
      throw new Error(`interop RPM cache ${cacheDir} vanished while waiting for it`);
    }
    try {
      return readCompleteManifest(cacheDir) ?? (await buildInto(cacheDir, hash, specs, rpmbuild));
    } finally {
      rmSync(lockDir, { recursive: true, force: true });
    }
  })();
  memo = { hash, promise };
  promise.catch(() => {
    if (memo?.promise === promise) memo = undefined;
  });
  return promise;
}

/** Directory the current spec set is (or will be) cached in; for diagnostics. */
export function interopCacheDir(): string | null {
  const rpmbuild = getRpmbuildVersion();
  if (rpmbuild === null) return null;
  return join(tmpdir(), `repokit-interop-rpms-${contentHash(readSpecs(), rpmbuild)}`);
}
