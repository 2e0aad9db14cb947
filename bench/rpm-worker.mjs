/**
 * The repokit side of the RPM benchmark, run in a fresh `node` process so that its peak RSS is
 * this task's alone:
 *
 *     node bench/rpm-worker.mjs MODE LISTFILE
 *
 * Imports the built library: $REPOKIT_DIST/rpm.js, by default the repository's dist/rpm.js; reads the package paths in LISTFILE, then, timed, parses every package and extracts the fields
 * of MODE. Prints one JSON line with the loop's wall time, peak RSS (see peakRssKiB)
 * and the same counters rpm-peer.py prints, so both sides are checked to have done the same work.
 *
 * MODE (the python side runs the same-named mode; see rpm-peer.py):
 *   header   readRpmSync(path) only (lead, signature header, main header, validated)
 *   minimal  readRpmSync + the per-field helpers: packageName, headerEvr, ARCH, SUMMARY/DESCRIPTION
 *            (getI18n), allDependencies (8 kinds), fileNames (FILENAMES) + sizes/modes/digests columns, changelog
 *   full     readRpmSync + rpmMetadata(pkg) (everything, incl. files() objects per file)
 *   async    await readRpm(path) + rpmMetadata(pkg), one package at a time
 *   async8   readRpm + rpmMetadata with 8 packages in flight (I/O overlaps on libuv's thread pool)
 *   accept   untimed corpus check: per path, whether readRpmSync + rpmMetadata succeed, and the
 *            package's header size and field counts (for the corpus description)
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const dist = process.env.REPOKIT_DIST ? resolve(process.env.REPOKIT_DIST) : fileURLToPath(new URL('../dist/', import.meta.url));
const { RPMTAG, allDependencies, changelog, fileNames, headerEvr, packageName, readRpm, readRpmSync, rpmMetadata } = await import(
  pathToFileURL(resolve(dist, 'rpm.js')).href
);

const [mode, listPath] = process.argv.slice(2);
const paths = readFileSync(listPath, 'utf8').split('\n').filter(Boolean);

let nFiles = 0;
let nDeps = 0;
let nChangelog = 0;
let nName = 0;

/**
 * This process's peak RSS in KiB: VmHWM from /proc/self/status on Linux, because there
 * process.resourceUsage().maxRSS (ru_maxrss) of a child includes the parent's RSS at fork time
 * (Linux carries it over fork+exec); maxRSS elsewhere.
 */
function peakRssKiB() {
  try {
    const m = /^VmHWM:\s+(\d+)\s+kB/m.exec(readFileSync('/proc/self/status', 'latin1'));
    if (m) return Number(m[1]);
  } catch {
    // not Linux
  }
  return process.resourceUsage().maxRSS;
}

function countDeps(d) {
  return (
    d.provides.length +
    d.requires.length +
    d.conflicts.length +
    d.obsoletes.length +
    d.recommends.length +
    d.suggests.length +
    d.supplements.length +
    d.enhances.length
  );
}

function fromMetadata(pkg) {
  const m = rpmMetadata(pkg);
  nFiles += m.files.length;
  nDeps += countDeps(m.dependencies);
  nChangelog += m.changelog.length;
  nName += m.name.length;
}

if (mode === 'accept') {
  const out = [];
  for (const p of paths) {
    try {
      const pkg = readRpmSync(p);
      const m = rpmMetadata(pkg);
      out.push({
        path: p,
        ok: true,
        nevra: m.nevra,
        headerBytes: pkg.offsets.payload - pkg.offsets.signature,
        files: m.files.length,
        deps: countDeps(m.dependencies),
        changelog: m.changelog.length,
      });
    } catch (e) {
      out.push({ path: p, ok: false, error: `${e?.code ?? ''} ${e?.message ?? e}`.trim() });
    }
  }
  console.log(JSON.stringify({ accept: out }));
} else {
  await timed();
}

async function timed() {
  const t0 = performance.now();
  switch (mode) {
    case 'header':
      for (const p of paths) {
        const pkg = readRpmSync(p);
        nName += pkg.header.getString(RPMTAG.NAME).length;
      }
      break;
    case 'minimal':
      for (const p of paths) {
        const h = readRpmSync(p).header;
        const name = packageName(h);
        const evr = headerEvr(h);
        const arch = h.getString(RPMTAG.ARCH);
        const summary = h.getI18n(RPMTAG.SUMMARY);
        const description = h.getI18n(RPMTAG.DESCRIPTION);
        nDeps += countDeps(allDependencies(h));
        const fp = fileNames(h);
        const sizes = h.getNumbers(RPMTAG.LONGFILESIZES) ?? h.getNumbers(RPMTAG.FILESIZES);
        const modes = h.getNumbers(RPMTAG.FILEMODES);
        const digests = h.getStringArray(RPMTAG.FILEDIGESTS);
        const cl = changelog(h);
        nFiles += fp.length;
        nChangelog += cl.length;
        nName += name.length;
        void [evr, arch, summary, description, sizes, modes, digests];
      }
      break;
    case 'full':
      for (const p of paths) fromMetadata(readRpmSync(p));
      break;
    case 'async':
      for (const p of paths) fromMetadata(await readRpm(p));
      break;
    case 'async8': {
      let next = 0;
      const lane = async () => {
        while (next < paths.length) fromMetadata(await readRpm(paths[next++]));
      };
      await Promise.all(Array.from({ length: 8 }, lane));
      break;
    }
    default:
      throw new Error(`unknown mode ${mode}`);
  }
  const ms = performance.now() - t0;

  console.log(
    JSON.stringify({
      ms,
      packages: paths.length,
      maxRssKiB: peakRssKiB(),
      ruMaxrssKiB: process.resourceUsage().maxRSS,
      checks: { files: nFiles, deps: nDeps, changelog: nChangelog, nameChars: nName },
      runtime: `Node ${process.version}`,
    }),
  );
}
