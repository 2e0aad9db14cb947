/**
 * ALPM area of `npm run bench`: repokit against pacman's own tools, in one run.
 *
 * 1. build: a database from N package files (default 1,000; `--files` below 1,000 lowers it):
 *    repokit's repoAdd vs `repo-add` (a bash script running bsdtar, md5sum, sha256sum, sed and
 *    vercmp per package). Packages come from bench/lib/alpm-corpus.mjs (written with a plain
 *    ustar writer and gzip, makepkg-like metadata; repo-add reads them as it reads makepkg's).
 *    Both databases are compared entry by entry (desc and files, byte for byte; repokit writes
 *    desc v1 when repo-add is ≤ 6.0, as that repo-add does).
 * 2. read: a 15,000-entry repo-add-style database (`--files` below 10,000 makes it that many
 *    entries), fully parsed: repokit's readSyncDb plus a walk over every entry that parses every
 *    relation with parseDependency, vs real pacman loading the same file with a private
 *    --config/--dbpath and searching it (`pacman -Ss` with a pattern that matches nothing). A
 *    search needs libalpm's package cache, which sync_db_populate fills by reading every member
 *    and parsing every desc completely (each relation split into name, operator and version, as
 *    the worker's parseDependency walk does), and prints nothing. One untimed warm-up run per
 *    side first, so both read the database from the page cache. pacman's fixed cost (start-up,
 *    configuration, an empty database) is measured too and printed. Printed besides, not in the
 *    table: the medians, a second read in the same process (`read-again`), and a fresh process
 *    started with `--min-semi-space-size` (V8's young generation sized up front).
 *
 * Each side runs --runs times in a fresh process, interleaved; the best time is reported. repokit
 * times its own work (process start-up and the import are outside it, as for a library in a
 * running program; the whole process's time is printed as well); the tools are timed as whole
 * processes. The read task compares like with like: its table row takes pacman's time without
 * its fixed cost (start-up, configuration, an empty database: the same search over an empty
 * database, run interleaved with the others), as repokit's excludes Node's start-up and the
 * import; both whole-process times are printed too. Peak memory: VmHWM for repokit,
 * `/usr/bin/time -f %M` for the tools. `--tasks build` or `--tasks read` runs one of the two;
 * `--profile=read` also CPU-profiles one more repokit read (hottest functions, mapped to src/
 * when the bundle has a source map). The library is $REPOKIT_DIST/alpm.js (default dist/alpm.js).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runJsonChild } from './lib/child.mjs';
import { summarizeCpuProfile } from './lib/cpuprofile.mjs';
import { fmtInt, fmtMs } from './lib/format.mjs';
import { gzipSync } from 'node:zlib';
import { packages, syncDb, ustar } from './lib/alpm-corpus.mjs';

export const name = 'alpm';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const REPO = fileURLToPath(new URL('..', import.meta.url));
const WORKER = join(HERE, 'lib', 'alpm-worker.mjs');
const TIME = '/usr/bin/time';

function tool(cmd, args) {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  return r.error ? null : `${r.stdout}${r.stderr}`;
}

/** Run a tool as a whole process: wall time around it, peak RSS from /usr/bin/time when present. */
function timed(cmd, args, { okStatus = [0], env } = {}) {
  const useTime = existsSync(TIME);
  const argv = useTime ? [TIME, '-f', '@@maxrss %M %U %S', cmd, ...args] : [cmd, ...args];
  const t0 = performance.now();
  const r = spawnSync(argv[0], argv.slice(1), { encoding: 'utf8', maxBuffer: 1 << 28, env: { ...process.env, LC_ALL: 'C.UTF-8', ...env } });
  const ms = performance.now() - t0;
  if (r.error) throw r.error;
  const m = /@@maxrss (\d+) ([\d.]+) ([\d.]+)/.exec(r.stderr);
  if (!okStatus.includes(r.status)) throw new Error(`${cmd} ${args.slice(0, 3).join(' ')} ... failed (${r.status}): ${r.stderr.slice(-2000)}`);
  return { ms, cpuMs: m ? (Number(m[2]) + Number(m[3])) * 1000 : null, maxRssKiB: m ? Number(m[1]) : 0, stdout: r.stdout };
}

/** The young generation's starting size (MiB) of the read variant that sets it; V8's default is 1 MiB. */
const YOUNG_MIB = 16;

function median(xs) {
  const s = [...xs].sort((x, y) => x - y);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

function best(list) {
  const cpu = list.map((x) => x.cpuMs).filter((x) => typeof x === 'number');
  return {
    ms: Math.min(...list.map((x) => x.ms)),
    cpuMs: cpu.length ? Math.min(...cpu) : null,
    maxRssKiB: Math.max(...list.map((x) => x.maxRssKiB)),
    all: list.map((x) => x.ms),
  };
}

/** CPU time (user + system) of both sides: steadier than wall time on a busy machine. */
function cpuLine(what, rk, peer, peerName) {
  if (!peer || rk.cpuMs === null || peer.cpuMs === null) return null;
  // /usr/bin/time counts in 10 ms steps: a very short run shows 0.
  const ratio = peer.cpuMs > 0 ? ` (ratio ${(rk.cpuMs / peer.cpuMs).toFixed(3)})` : '';
  return `${what}: CPU time (user + system, best run): repokit ${fmtMs(rk.cpuMs)}, ${peerName} ${fmtMs(peer.cpuMs)}${ratio}`;
}

export async function run(ctx) {
  const { log } = ctx;
  const info = [];
  const notes = [];
  const rows = [];
  const runs = ctx.runs ?? 3;
  // `--tasks build` or `--tasks read` picks one task; without either id (other areas' task ids
  // included) both run.
  const picked = (ctx.tasks ?? []).filter((id) => id === 'build' || id === 'read');
  const wantTask = (id) => picked.length === 0 || picked.includes(id);
  const nPkgs = Math.min(ctx.files ?? 1000, 1000);
  const nEntries = (ctx.files ?? 10000) >= 10000 ? 15000 : ctx.files;
  const repoAddHelp = tool('repo-add', ['--version']);
  const pacmanVersion = tool('pacman', ['--version']);
  const repoAddVer = /(\d+)\.(\d+)/.exec(repoAddHelp ?? '');
  const legacy = repoAddVer !== null && (Number(repoAddVer[1]) < 6 || (Number(repoAddVer[1]) === 6 && Number(repoAddVer[2]) < 1));
  if (repoAddHelp === null) notes.push('repo-add is not installed: the build task runs repokit only');
  if (pacmanVersion === null) notes.push('pacman is not installed: the read task runs repokit only');
  if (!existsSync(TIME)) notes.push(`${TIME} is missing: peak memory of the tools is not measured`);

  const scratch = mkdtempSync(join(tmpdir(), 'repokit-bench-alpm-'));
  let profile = null;
  try {
    let t;
    if (wantTask('build')) {
      // --- 1. build a database from N packages
      const pkgDir = join(scratch, 'packages');
      mkdirSync(pkgDir);
      t = performance.now();
      const paths = packages(pkgDir, nPkgs);
      const list = join(scratch, 'packages.txt');
      writeFileSync(list, `${paths.join('\n')}\n`);
      info.push(`build: ${fmtInt(nPkgs)} generated packages (.pkg.tar.gz, makepkg-like .PKGINFO/.BUILDINFO/.MTREE, 4–13 files each) in ${fmtMs(performance.now() - t)}`);
      const rk = [];
      const ra = [];
      const rkOut = join(scratch, 'rk');
      const raOut = join(scratch, 'ra');
      for (let r = 0; r < runs; r++) {
        const sides = [
          async () => {
            rmSync(rkOut, { recursive: true, force: true });
            mkdirSync(rkOut);
            rk.push(await runJsonChild(process.execPath, [WORKER, 'build', list, join(rkOut, 'bench.db.tar.gz'), legacy ? '1' : '2']));
            log(`  build run ${r + 1}/${runs}: repokit ${fmtMs(rk.at(-1).ms)}`);
          },
        ];
        if (repoAddHelp !== null) {
          sides.push(async () => {
            rmSync(raOut, { recursive: true, force: true });
            mkdirSync(raOut);
            ra.push(timed('repo-add', ['-q', '--nocolor', join(raOut, 'bench.db.tar.gz'), ...paths]));
            log(`  build run ${r + 1}/${runs}: repo-add ${fmtMs(ra.at(-1).ms)}`);
          });
        }
        if (r % 2 === 1) sides.reverse();
        for (const s of sides) await s();
      }
      if (rk[0].checks.entries !== nPkgs) notes.push(`repokit added ${rk[0].checks.entries} of ${nPkgs} packages`);
      if (ra.length) {
        const cmp = await runJsonChild(process.execPath, [WORKER, 'compare', join(raOut, 'bench.files.tar.gz'), join(rkOut, 'bench.files.tar.gz')]);
        const c = cmp.checks;
        info.push(
          `build: repokit's and repo-add's databases: ${fmtInt(c.same)} of ${fmtInt(nPkgs)} entries identical (desc and files byte for byte, desc v${legacy ? 1 : 2})` +
            (c.differCount || c.onlyInFirst ? `; ${c.differCount} differ (${c.differ.join(', ')}), ${c.onlyInFirst} only in repo-add's` : ''),
        );
        if (c.same !== nPkgs) notes.push('build: the two databases differ (see above)');
      }
      const rkB = best(rk);
      const raB = ra.length ? best(ra) : null;
      rows.push({ task: 'alpm: build db (repoAdd vs repo-add)', files: nPkgs, repokit: rkB, peer: raB, peerName: 'repo-add', ratio: raB ? rkB.ms / raB.ms : null });
      if (raB) info.push(`build: repokit is ${(raB.ms / rkB.ms).toFixed(0)}× faster than repo-add in wall time (target: at least 100×)`);
      const c1 = cpuLine('build', rkB, raB, 'repo-add');
      if (c1) info.push(c1);
    }

    if (wantTask('read')) {
      // --- 2. read a database with nEntries entries
      const repoDir = join(scratch, 'repo');
      mkdirSync(repoDir);
      t = performance.now();
      const dbPath = join(repoDir, 'bench.db.tar.gz');
      syncDb(dbPath, nEntries);
      spawnSync('ln', ['-s', 'bench.db.tar.gz', join(repoDir, 'bench.db')]);
      info.push(`read: a ${fmtInt(nEntries)}-entry database (repo-add layout, desc v1, gzip) generated in ${fmtMs(performance.now() - t)}`);
      const rr = [];
      const pr = [];
      const er = [];
      let pacmanArgs = null;
      let pacmanEmptyArgs = null;
      // -Ss exits 1 when nothing matches, which is the point: every entry parsed, nothing printed.
      const search = (args) => timed('pacman', [...args, '-Ss', '^no-such-package-zz$'], { okStatus: [0, 1] });
      if (pacmanVersion !== null) {
        const pdir = join(scratch, 'pacman');
        mkdirSync(join(pdir, 'db'), { recursive: true });
        writeFileSync(join(pdir, 'pacman.conf'), `[options]\nArchitecture = auto\nSigLevel = Never\n\n[bench]\nServer = file://${repoDir}\n`);
        pacmanArgs = ['--config', join(pdir, 'pacman.conf'), '--dbpath', join(pdir, 'db')];
        timed('pacman', [...pacmanArgs, '-Sy']); // copies the database into the dbpath (not timed)
        if (!readFileSync(join(pdir, 'db', 'sync', 'bench.db')).equals(readFileSync(dbPath))) notes.push('read: the database pacman reads differs from the one repokit reads');
        const listed = timed('pacman', [...pacmanArgs, '-Sl', 'bench']).stdout.trim().split('\n').length;
        if (listed !== nEntries) notes.push(`read: pacman -Sl lists ${listed} of ${nEntries} entries`);
        // The same search over an empty database: pacman's start-up and configuration alone.
        const edir = join(scratch, 'pacman-empty');
        mkdirSync(join(edir, 'db'), { recursive: true });
        mkdirSync(join(edir, 'repo'));
        syncDb(join(edir, 'repo', 'empty.db'), 0);
        writeFileSync(join(edir, 'pacman.conf'), `[options]\nArchitecture = auto\nSigLevel = Never\n\n[empty]\nServer = file://${join(edir, 'repo')}\n`);
        pacmanEmptyArgs = ['--config', join(edir, 'pacman.conf'), '--dbpath', join(edir, 'db')];
        timed('pacman', [...pacmanEmptyArgs, '-Sy']);
        // That the search parses every entry: a database whose last entry has a file name libalpm
        // refuses makes the same search report it.
        const probe = join(scratch, 'pacman-probe');
        mkdirSync(join(probe, 'db'), { recursive: true });
        mkdirSync(join(probe, 'repo'));
        const desc = (n, file) => `%FILENAME%\n${file}\n\n%NAME%\n${n}\n\n%VERSION%\n1-1\n\n%DESC%\nprobe\n\n%DEPENDS%\nglibc>=2\n\n`;
        const members = [];
        for (let i = 0; i < 100; i++) members.push({ name: `p${i}-1-1/`, dir: true }, { name: `p${i}-1-1/desc`, data: desc(`p${i}`, `p${i}-1-1-x86_64.pkg.tar.zst`) });
        members.push({ name: 'zlast-1-1/', dir: true }, { name: 'zlast-1-1/desc', data: desc('zlast', '.bad.pkg.tar.zst') });
        writeFileSync(join(probe, 'repo', 'probe.db'), gzipSync(ustar(members)));
        writeFileSync(join(probe, 'pacman.conf'), `[options]\nArchitecture = auto\nSigLevel = Never\n\n[probe]\nServer = file://${join(probe, 'repo')}\n`);
        const probeArgs = ['--config', join(probe, 'pacman.conf'), '--dbpath', join(probe, 'db')];
        timed('pacman', [...probeArgs, '-Sy']);
        const probeErr = spawnSync('pacman', [...probeArgs, '-Ss', '^no-such-package-zz$'], { encoding: 'utf8', env: { ...process.env, LC_ALL: 'C.UTF-8' } }).stderr;
        if (/zlast-1-1\/desc/.test(probeErr)) info.push('read: pacman -Ss parses every entry (checked: it reports a bad desc in the last of 101 entries)');
        else notes.push('read: pacman -Ss did not report a bad desc in the last entry of a probe database: it may not parse every entry');
        // Warm-up (untimed): the database file in the page cache, pacman's libraries loaded.
        search(pacmanArgs);
      }
      await runJsonChild(process.execPath, [WORKER, 'read', dbPath]); // warm-up, untimed
      // Besides the first read in a fresh process (the table's row), two variants for the notes:
      // a second read in the same process, and a fresh process whose V8 young generation starts
      // at 16 MiB instead of 1 MiB (see docs/alpm.md, "Performance").
      const again = [];
      const young = [];
      for (let r = 0; r < runs; r++) {
        const sides = [
          async () => {
            rr.push(await runJsonChild(process.execPath, [WORKER, 'read', dbPath]));
            again.push(await runJsonChild(process.execPath, [WORKER, 'read-again', dbPath]));
            young.push(await runJsonChild(process.execPath, [`--min-semi-space-size=${YOUNG_MIB}`, WORKER, 'read', dbPath]));
            log(`  read run ${r + 1}/${runs}: repokit ${fmtMs(rr.at(-1).ms)} (read again: ${fmtMs(again.at(-1).ms)}; young generation from ${YOUNG_MIB} MiB: ${fmtMs(young.at(-1).ms)})`);
          },
        ];
        if (pacmanArgs !== null) {
          sides.push(async () => {
            pr.push(search(pacmanArgs));
            er.push(search(pacmanEmptyArgs));
            log(`  read run ${r + 1}/${runs}: pacman ${fmtMs(pr.at(-1).ms)} (empty database: ${fmtMs(er.at(-1).ms)})`);
          });
        }
        if (r % 2 === 1) sides.reverse();
        for (const s of sides) await s();
      }
      if (rr[0].checks.entries !== nEntries) notes.push(`read: repokit read ${rr[0].checks.entries} of ${nEntries} entries`);
      info.push(
      `read: repokit parsed ${fmtInt(rr[0].checks.entries)} entries and ${fmtInt(rr[0].checks.deps)} relations (${fmtInt(rr[0].checks.versioned)} with a version); ` +
        `readSyncDb alone took ${fmtMs(Math.min(...rr.map((x) => x.checks.readMs)))} (best run), the rest is splitting every relation with parseDependency`,
    );
      const rrB = best(rr);
      const prB = pr.length ? best(pr) : null;
      const empty = er.length ? best(er) : null;
      // Like with like: pacman's work is its whole run minus its fixed cost, as repokit's time
      // leaves out Node's start-up and the import.
      const prWork = prB && empty ? { ...prB, ms: Math.max(1, prB.ms - empty.ms), all: prB.all.map((x) => x - empty.ms) } : prB;
      rows.push({ task: 'alpm: read + parse db (readSyncDb vs pacman -Ss, start-up excluded on both sides)', files: nEntries, repokit: rrB, peer: prWork, peerName: 'pacman', ratio: prWork ? rrB.ms / prWork.ms : null });
      if (prB) {
        const rkWhole = Math.min(...rr.map((x) => x.wallMs));
        const rkMedian = median(rr.map((x) => x.ms));
        const pacmanMedian = median(pr.map((x) => x.ms)) - median(er.map((x) => x.ms));
        const againB = best(again);
        const youngB = best(young);
        info.push(
          `read: start-up excluded: repokit ${fmtMs(rrB.ms)} (in-process) vs pacman ${fmtMs(prWork.ms)} (${fmtMs(prB.ms)} as a whole process minus ${fmtMs(empty?.ms ?? 0)}, its run over an empty database), ratio ${(rrB.ms / prWork.ms).toFixed(2)}`,
          `read: whole processes: repokit ${fmtMs(rkWhole)} (node start-up and import included) vs pacman ${fmtMs(prB.ms)}, ratio ${(rkWhole / prB.ms).toFixed(2)}; repokit in-process vs pacman's whole process (the comparison before): ratio ${(rrB.ms / prB.ms).toFixed(2)}`,
          `read: every run (ms): repokit ${rr.map((x) => x.ms.toFixed(0)).join(' ')}; pacman ${pr.map((x) => x.ms.toFixed(0)).join(' ')}; pacman, empty database ${er.map((x) => x.ms.toFixed(0)).join(' ')}`,
          `read: medians: repokit ${fmtMs(rkMedian)} vs pacman ${fmtMs(pacmanMedian)} (start-up excluded), ratio ${(rkMedian / pacmanMedian).toFixed(2)}`,
          `read: not the target's measure, for comparison (best runs, against the same pacman time): a second read in the same process ${fmtMs(againB.ms)} (ratio ${(againB.ms / prWork.ms).toFixed(2)}); a fresh process started with node --min-semi-space-size=${YOUNG_MIB} ${fmtMs(youngB.ms)} (ratio ${(youngB.ms / prWork.ms).toFixed(2)})`,
        );
        const before = Math.min(...rr.map((x) => x.rssBeforeKiB ?? 0));
        info.push(`read: peak memory (RSS of the whole process): repokit ${fmtInt(Math.round(rrB.maxRssKiB / 1024))} MiB, of which ${fmtInt(Math.round(before / 1024))} MiB before the read (Node and the library loaded); pacman ${fmtInt(Math.round(prB.maxRssKiB / 1024))} MiB`);
      }
      const c2 = cpuLine('read', rrB, prB, 'pacman');
      if (c2) info.push(c2);
      if (ctx.profile?.includes('read')) {
        const dir = join(scratch, 'prof-read');
        await runJsonChild(process.execPath, ['--cpu-prof', `--cpu-prof-dir=${dir}`, WORKER, 'read', dbPath], { cwd: REPO });
        const f = readdirSync(dir).find((x) => x.endsWith('.cpuprofile'));
        profile = [{ mode: 'read', ...summarizeCpuProfile(join(dir, f), { root: REPO, top: ctx.profileTop ?? 15 }) }];
      }
    }
    if (repoAddHelp) info.push(`tools: ${repoAddHelp.split('\n')[0].trim()}; ${(pacmanVersion ?? '').split('\n').find((l) => /Pacman v/.test(l))?.replace(/^[^P]*/, '').trim() ?? ''}`);
    if (nPkgs < 1000) notes.push(`--files ${ctx.files}: ${nPkgs} packages instead of 1,000 and ${nEntries} database entries instead of 15,000`);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  return { area: name, rows, info, notes, profile };
}
