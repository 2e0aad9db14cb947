/**
 * The repokit side of the apt-rpm benchmark, in a fresh `node` process (so its peak RSS is its own):
 *
 *     node bench/lib/aptrpm-worker.mjs ROOT ARCH WORKERS
 *
 * Loads the built library (REPOKIT_DIST, default the repository's dist/), then, timed, runs
 * buildArchIndexes(ROOT, ARCH, { workers: WORKERS }) with the CLI's defaults (full file lists,
 * pkglist + pkglist.xz, release.classic, release). Prints one JSON line: loop time, peak RSS and
 * checks (package count, pkglist size and MD5) so runs with different thread counts can be
 * compared for identical output.
 */
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

const t0 = performance.now();
const r = await buildArchIndexes(root, arch, { workers: Number(workers), release: { date: new Date(0) } });
const ms = performance.now() - t0;
const list = r.files.find((f) => f.path === 'base/pkglist.classic');
console.log(
  JSON.stringify({
    ms,
    maxRssKiB: peakRssKiB(),
    runtime: `node ${process.version}`,
    checks: { packages: r.components[0].packages.length, pkglistBytes: list.size, pkglistMd5: list.md5 },
  }),
);
