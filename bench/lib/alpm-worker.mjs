/**
 * The repokit side of the ALPM benchmark, run in a fresh `node` process so that its peak RSS is
 * this task's alone:
 *
 *     node bench/lib/alpm-worker.mjs build LISTFILE DB [DESC_VERSION]
 *     node bench/lib/alpm-worker.mjs read DB
 *     node bench/lib/alpm-worker.mjs read-again DB
 *     node bench/lib/alpm-worker.mjs compare FILES_DB_A FILES_DB_B
 *
 * The library comes from $REPOKIT_DIST/alpm.js (default: the repository's dist/alpm.js).
 *   build    timed: repoAdd(DB, every package in LISTFILE) — read each package (hash, .PKGINFO,
 *            file list), write <repo>.db.tar.gz and <repo>.files.tar.gz atomically, aliases, lock
 *   read     timed: readSyncDb(DB), and a walk over every entry that also parses each relation
 *            (depends, optdepends, makedepends, checkdepends, provides, conflicts, replaces) with
 *            parseDependency, as libalpm splits every relation while it loads a sync database
 *   read-again  the same, timed on a second read in the process (the first one untimed, dropped)
 *   compare  untimed: the desc and files members of two .files databases, byte for byte
 * Prints one JSON line: { ms, cpuMs (user + system CPU time of the timed part), maxRssKiB (peak of
 * the process), rssBeforeKiB (RSS when the timed part starts: Node and the library loaded), checks }.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const dist = process.env.REPOKIT_DIST ? resolve(process.env.REPOKIT_DIST) : fileURLToPath(new URL('../../dist/', import.meta.url));
const { repoAdd, readSyncDb, parseDependency } = await import(pathToFileURL(join(dist, 'alpm.js')).href);

/** Peak RSS in KiB (VmHWM on Linux: ru_maxrss of a child would include the parent's at fork). */
function peakRssKiB() {
  try {
    const m = /^VmHWM:\s+(\d+)\s+kB/m.exec(readFileSync('/proc/self/status', 'latin1'));
    if (m) return Number(m[1]);
  } catch {
    // not Linux
  }
  return process.resourceUsage().maxRSS;
}

/** Current RSS in KiB (VmRSS), or 0 where /proc is missing. */
function rssKiB() {
  try {
    const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync('/proc/self/status', 'latin1'));
    if (m) return Number(m[1]);
  } catch {
    // not Linux
  }
  return 0;
}

/** What a consumer does with every entry: read its fields and split every relation. */
function walk(db) {
  let deps = 0;
  let versioned = 0;
  let chars = 0;
  for (const e of db.entries) {
    const d = e.entry;
    for (const list of [d.depends, d.optdepends, d.makedepends, d.checkdepends, d.provides, d.conflicts, d.replaces]) {
      for (const text of list) {
        deps++;
        if (parseDependency(text).version !== undefined) versioned++;
      }
    }
    chars += (d.desc ?? '').length + (d.filename ?? '').length + e.name.length;
  }
  return { deps, versioned, chars };
}

const [mode, a, b, c] = process.argv.slice(2);
if (mode === 'read-again') {
  // A program that has read a database before: its code optimised by V8, its heap grown. The
  // first read (untimed) is dropped before the timed one.
  let first = await readSyncDb(a);
  walk(first);
  first = undefined;
}
const rssBeforeKiB = rssKiB();
let checks;
const t0 = performance.now();
const c0 = process.cpuUsage();
switch (mode) {
  case 'build': {
    const paths = readFileSync(a, 'utf8').split('\n').filter(Boolean);
    const r = await repoAdd(b, paths, { descVersion: c === '1' ? 1 : 2 });
    checks = { entries: r.outcomes.length };
    break;
  }
  case 'read':
  case 'read-again': {
    const db = await readSyncDb(a);
    const readMs = performance.now() - t0;
    checks = { entries: db.entries.length, ...walk(db), readMs };
    break;
  }
  case 'compare': {
    const [x, y] = [await readSyncDb(a, { keepRaw: true }), await readSyncDb(b, { keepRaw: true })];
    const td = new TextDecoder();
    const bx = new Map(x.entries.map((e) => [e.dir, e]));
    let same = 0;
    const differ = [];
    for (const e of y.entries) {
      const o = bx.get(e.dir);
      if (o === undefined) continue;
      bx.delete(e.dir);
      if (td.decode(o.raw.desc) === td.decode(e.raw.desc) && td.decode(o.raw.files) === td.decode(e.raw.files)) same++;
      else differ.push(e.dir);
    }
    checks = { same, differ: differ.slice(0, 5), differCount: differ.length, onlyInFirst: bx.size, entries: y.entries.length };
    break;
  }
  default:
    throw new Error(`unknown mode ${mode}`);
}
const ms = performance.now() - t0;
const cpu = process.cpuUsage(c0);
const cpuMs = (cpu.user + cpu.system) / 1000;
console.log(JSON.stringify({ ms, cpuMs, maxRssKiB: peakRssKiB(), rssBeforeKiB, checks, runtime: `Node ${process.version}` }));
