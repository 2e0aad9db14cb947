/**
 * The apt-rpm benchmark corpus: an arch directory `<dir>/x86_64/RPMS.classic/` holding N package
 * files, copied round robin from
 *   - the RPM benchmark's packages (bench/lib/rpm-corpus.mjs: header-heavy ones with up to 3,000
 *     files, many dependencies and changelog entries; small payloads), and
 *   - "sized" packages built here with rpmbuild whose payloads are incompressible data of
 *     repository-like sizes (log-uniform, 16 KiB to 4 MiB), so that reading and hashing the files
 *     weighs what it weighs in a real repository rather than only header parsing.
 * Each copy is its own file (its own inode and page-cache pages), named `<n>-<original>`.
 * Cached under os.tmpdir()/repokit-bench-aptrpm-<hash>/ (hash of the sources and of N).
 */
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { builtPackages, rpmbuildVersion } from './rpm-corpus.mjs';

const SIZED = 30;
const SOURCE_DATE_EPOCH = 1_700_000_000;

/** Deterministic sizes: log-uniform between 16 KiB and 4 MiB. */
function sizeOf(i) {
  const lo = Math.log(16 * 1024);
  const hi = Math.log(4 * 1024 * 1024);
  const x = ((i * 0.6180339887) % 1 + 1) % 1;
  return Math.round(Math.exp(lo + (hi - lo) * x));
}

function sizedSpec(i) {
  const size = sizeOf(i);
  const nFiles = 1 + ((i * 37) % 120);
  return {
    name: `aptrpm-sized-${String(i).padStart(2, '0')}`,
    size,
    text: `Name: aptrpm-sized-${String(i).padStart(2, '0')}
Version: 1.${i}
Release: alt1
Summary: Benchmark package ${i} with a ${size}-byte payload
License: MIT
Group: Development/Other
Requires: /bin/sh, libc.so.6()(64bit), aptrpm-sized-base >= 1.0
Provides: aptrpm-sized-cap-${i} = 1.${i}

%description
A package of repository-like size for the apt-rpm benchmark.

%install
mkdir -p $RPM_BUILD_ROOT/usr/share/aptrpm-sized-${i} $RPM_BUILD_ROOT/usr/bin $RPM_BUILD_ROOT/usr/lib64
head -c ${size} /dev/urandom > $RPM_BUILD_ROOT/usr/share/aptrpm-sized-${i}/payload.bin
for n in $(seq 1 ${nFiles}); do printf 'file %s\\n' $n > $RPM_BUILD_ROOT/usr/share/aptrpm-sized-${i}/f$n.txt; done
printf '#!/bin/sh\\n' > $RPM_BUILD_ROOT/usr/bin/aptrpm-sized-${i}
printf 'lib\\n' > $RPM_BUILD_ROOT/usr/lib64/libaptrpm-sized-${i}.so.1

%files
/usr/share/aptrpm-sized-${i}
/usr/bin/aptrpm-sized-${i}
/usr/lib64/libaptrpm-sized-${i}.so.1

%changelog
* Tue Nov 14 2023 Bench <bench@example.invalid> 1.${i}-alt1
- Benchmark build.
`,
  };
}

function run(cmd, args, opts) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { ...opts, stdio: ['ignore', 'pipe', 'pipe'] });
    const out = [];
    child.stdout.on('data', (b) => out.push(b));
    child.stderr.on('data', (b) => out.push(b));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`${cmd} failed (${code}):\n${Buffer.concat(out).toString().slice(-3000)}`))));
  });
}

async function buildSized(dir, log) {
  const specs = Array.from({ length: SIZED }, (_, i) => sizedSpec(i));
  const work = join(dir, 'work');
  const out = join(dir, 'out');
  const home = join(dir, 'home');
  for (const d of [work, out, home]) mkdirSync(d, { recursive: true });
  const t0 = performance.now();
  let next = 0;
  const worker = async () => {
    while (next < specs.length) {
      const s = specs[next++];
      const top = join(work, s.name);
      for (const d of ['BUILD', 'BUILDROOT', 'SOURCES', 'SPECS', 'tmp']) mkdirSync(join(top, d), { recursive: true });
      const spec = join(top, 'SPECS', `${s.name}.spec`);
      writeFileSync(spec, s.text);
      const defs = {
        _topdir: top,
        _rpmdir: out,
        _srcrpmdir: join(top, 'tmp'),
        _build_name_fmt: '%%{NAME}-%%{VERSION}-%%{RELEASE}.%%{ARCH}.rpm',
        _tmppath: join(top, 'tmp'),
        _buildhost: 'repokit.example',
        // Incompressible payloads: store them uncompressed (compressing random data only costs time).
        _binary_payload: 'w.ufdio',
        use_source_date_epoch_as_buildtime: '1',
        __os_install_post: '%{nil}',
        debug_package: '%{nil}',
      };
      const args = ['-bb', '--nodeps'];
      for (const [k, v] of Object.entries(defs)) args.push('--define', `${k} ${v}`);
      args.push(spec);
      await run('rpmbuild', args, { cwd: top, env: { ...process.env, HOME: home, SOURCE_DATE_EPOCH: String(SOURCE_DATE_EPOCH), TZ: 'UTC', LC_ALL: 'C' } });
    }
  };
  await Promise.all([worker(), worker()]);
  log(`  built ${specs.length} sized packages in ${Math.round(performance.now() - t0)} ms`);
  return readdirSync(out)
    .filter((f) => f.endsWith('.rpm'))
    .sort()
    .map((f) => join(out, f));
}

/**
 * Build (or reuse) the corpus; returns { root, arch, rpmsDir, files (paths), distinct, sized, bytes }.
 */
export async function aptrpmCorpus(count, log) {
  if (rpmbuildVersion() === null) return { missing: 'rpmbuild is not installed' };
  const base = await builtPackages(log);
  const key = createHash('sha256')
    .update(JSON.stringify({ count, sized: Array.from({ length: SIZED }, (_, i) => sizedSpec(i).text), base: base.cache, v: 1 }))
    .digest('hex')
    .slice(0, 12);
  const dir = join(tmpdir(), `repokit-bench-aptrpm-${key}`);
  const rpmsDir = join(dir, 'repo', 'x86_64', 'RPMS.classic');
  const manifest = join(dir, 'manifest.json');
  if (existsSync(manifest)) {
    const m = JSON.parse(readFileSync(manifest, 'utf8'));
    return { ...m, root: join(dir, 'repo'), arch: 'x86_64', rpmsDir, files: m.names.map((n) => join(rpmsDir, n)) };
  }
  const staging = `${dir}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    const sized = await buildSized(staging, log);
    const distinct = [...base.paths.filter((p) => !p.endsWith('.src.rpm')), ...sized];
    const target = join(staging, 'repo', 'x86_64', 'RPMS.classic');
    mkdirSync(target, { recursive: true });
    const names = [];
    let bytes = 0;
    for (let i = 0; i < count; i++) {
      const src = distinct[i % distinct.length];
      const name = `${String(i).padStart(5, '0')}-${basename(src)}`;
      copyFileSync(src, join(target, name));
      bytes += statSync(src).size;
      names.push(name);
    }
    rmSync(join(staging, 'work'), { recursive: true, force: true });
    const m = { names, distinct: distinct.length, sized: sized.length, bytes };
    writeFileSync(join(staging, 'manifest.json'), JSON.stringify(m));
    rmSync(dir, { recursive: true, force: true });
    renameSync(staging, dir);
    log(`  corpus: ${count} files (${(bytes / 2 ** 20).toFixed(0)} MiB) in ${dir}`);
    return { ...m, root: join(dir, 'repo'), arch: 'x86_64', rpmsDir, files: names.map((n) => join(rpmsDir, n)) };
  } catch (e) {
    rmSync(staging, { recursive: true, force: true });
    throw e;
  }
}
