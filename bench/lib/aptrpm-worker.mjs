/**
 * The repokit side of the apt-rpm benchmark, in a fresh `node` process (so its peak RSS is its own):
 *
 *     node bench/lib/aptrpm-worker.mjs ROOT ARCH WORKERS
 *
 * Loads the built library (REPOKIT_DIST, default the repository's dist/), then, timed, runs
 * buildArchIndexes(ROOT, ARCH, { workers: WORKERS }) with the CLI's defaults (full file lists,
 * pkglist + pkglist.xz, release.classic, release). Prints one JSON line: loop time, peak RSS and
 * checks (package count, pkglist size and MD5) so runs with different thread counts can be
 * compared for identical output, and the CPU time the build used in all of the process's threads
 * (user + system, from process.cpuUsage()).
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const [root, arch, workers] = process.argv.slice(2);
const dist = process.env.REPOKIT_DIST ?? new URL('../../dist/', import.meta.url).pathname;
const { buildArchIndexes } = await import(pathToFileURL(join(dist, 'aptrpm.js')).href);

function peakRssKiB() {
  try {
    const m = /^VmHWM:\s+(\d+)\s+kB/m.exec(readFileSync('/proc/self/status', 'latin1'));
    if (m) return Number(m[1]);
  } catch {
    // not Linux
  }
  return process.resourceUsage().maxRSS;
}

const c0 = process.cpuUsage();
const t0 = performance.now();
const r = await buildArchIndexes(root, arch, { workers: Number(workers), release: { date: new Date(0) } });
const ms = performance.now() - t0;
const cpu = process.cpuUsage(c0);
const list = r.files.find((f) => f.path === 'base/pkglist.classic');
// After the timing: the .xz must hold the same bytes (checked with the xz tool when installed).
let xzSameBytes = null;
try {
  const plain = execFileSync('xz', ['-dc', join(root, arch, 'base', 'pkglist.classic.xz')], { maxBuffer: 1 << 30 });
  xzSameBytes = createHash('md5').update(plain).digest('hex') === list.md5;
} catch {
  // no xz tool
}
console.log(
  JSON.stringify({
    ms,
    maxRssKiB: peakRssKiB(),
    cpuMs: (cpu.user + cpu.system) / 1000,
    runtime: `node ${process.version}`,
    checks: { packages: r.components[0].packages.length, pkglistBytes: list.size, pkglistMd5: list.md5, xzSameBytes },
  }),
);
