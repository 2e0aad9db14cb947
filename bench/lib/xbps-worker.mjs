/**
 * The repokit side of the XBPS benchmark, one fresh process per run:
 *
 *     node bench/lib/xbps-worker.mjs index DIR [WORKERS|default]
 *
 * Loads the built library (`$REPOKIT_DIST/xbps.js`, default the repository's dist/), removes
 * DIR/x86_64-repodata, then, timed, indexes every *.xbps in DIR the way `xbps-rindex -a` would
 * (rindexAdd: plists read on this thread, SHA-256 on WORKERS worker threads; 0 = this thread
 * only; default = the library's choice, one per core up to 4). Prints one JSON line: loop wall time, peak RSS (VmHWM) and checks (package count, bytes
 * hashed, the SHA-256 of the repodata written, so runs with different WORKERS can be compared).
 */
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const [mode, dir, workersArg] = process.argv.slice(2);
if (mode !== 'index' || !dir) {
  console.error('usage: node bench/lib/xbps-worker.mjs index DIR WORKERS');
  process.exit(2);
}
const dist = resolve(process.env.REPOKIT_DIST ?? new URL('../../dist/', import.meta.url).pathname);
const { rindexAdd } = await import(pathToFileURL(join(dist, 'xbps.js')).href);

function peakRssKiB() {
  try {
    const m = /^VmHWM:\s+(\d+)\s+kB/m.exec(readFileSync('/proc/self/status', 'latin1'));
    if (m) return Number(m[1]);
  } catch {
    // not Linux
  }
  return process.resourceUsage().maxRSS;
}

const paths = readdirSync(dir)
  .filter((f) => f.endsWith('.xbps'))
  .sort()
  .map((f) => join(dir, f));
const bytes = paths.reduce((s, p) => s + statSync(p).size, 0);
const repodata = join(dir, 'x86_64-repodata');
rmSync(repodata, { force: true });
rmSync(`${repodata}.lock`, { force: true });

const t0 = performance.now();
const r = await rindexAdd(paths, { arch: 'x86_64', ...(workersArg === undefined || workersArg === 'default' ? {} : { workers: Number(workersArg) }) });
const ms = performance.now() - t0;

const out = readFileSync(repodata);
console.log(
  JSON.stringify({
    ms,
    maxRssKiB: peakRssKiB(),
    checks: { packages: r.added.length, skipped: r.skipped.length, bytes, repodataSha256: createHash('sha256').update(out).digest('hex') },
  }),
);
