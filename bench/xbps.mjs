/**
 * XBPS area of `npm run bench`: building `<arch>-repodata` with repokit's rindexAdd (what
 * `xbps-rindex -a` does: read each package's props.plist, SHA-256 and size of every file, build
 * and write the zstd repodata) against the floor of that work, `sha256sum` over the same files.
 * xbps itself cannot be installed here, so the floor is the peer.
 *
 * 1. Corpus (bench/lib/xbps-corpus.mjs, cached in the temp directory): 1,000 small packages
 *    (a few text files each) and 100 large ones (a few MiB, mostly incompressible), laid out as
 *    xbps-create does and compressed with the real zstd.
 * 2. The page cache is warmed by reading every file once.
 * 3. Each task runs --runs times per side, A/B interleaved with the order alternating, every
 *    repokit run in a fresh `node` process (bench/lib/xbps-worker.mjs), every floor run a fresh
 *    `sha256sum` (wall time measured around the process; peak RSS from GNU time when present).
 * 4. The large set is also indexed on the calling thread only (workers: 0): the repodata must be
 *    byte-identical to the multi-threaded one (checked, reported as a note when not).
 *
 * The library comes from dist/ (what `npm run bench` builds), or from $REPOKIT_DIST.
 */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runJsonChild } from './lib/child.mjs';
import { fmtInt, fmtMiB, fmtMs } from './lib/format.mjs';
import { xbpsCorpus } from './lib/xbps-corpus.mjs';

export const name = 'xbps';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const REPO = fileURLToPath(new URL('..', import.meta.url));
const WORKER = join(HERE, 'lib', 'xbps-worker.mjs');
const DIST = resolve(process.env.REPOKIT_DIST ?? join(REPO, 'dist'));
const FLOOR = 'sha256sum';
const GNU_TIME = '/usr/bin/time';

/** Run sha256sum over `paths`; wall time around the process, peak RSS via GNU time (if any). */
function sha256sumRun(paths) {
  return new Promise((resolvePromise, reject) => {
    const useTime = existsSync(GNU_TIME);
    const cmd = useTime ? GNU_TIME : FLOOR;
    const args = useTime ? ['-f', '%M', FLOOR, ...paths] : paths;
    const t0 = performance.now();
    const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, LC_ALL: 'C' } });
    const err = [];
    child.stderr.on('data', (b) => err.push(b));
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = performance.now() - t0;
      if (code !== 0) return reject(new Error(`${FLOOR} failed (exit ${code}): ${Buffer.concat(err).toString().slice(-500)}`));
      const kib = useTime ? Number(Buffer.concat(err).toString().trim().split('\n').pop()) : NaN;
      resolvePromise({ ms, maxRssKiB: Number.isFinite(kib) ? kib : 0 });
    });
  });
}

function warm(paths) {
  const buf = Buffer.allocUnsafe(1 << 20);
  let bytes = 0;
  for (const p of paths) {
    const fd = openSync(p, 'r');
    try {
      for (let n; (n = readSync(fd, buf, 0, buf.length, null)) > 0; ) bytes += n;
    } finally {
      closeSync(fd);
    }
  }
  return bytes;
}

export async function run(ctx) {
  const { log } = ctx;
  const info = [];
  const notes = [];
  const rows = [];
  const t0 = performance.now();
  if (!existsSync(join(DIST, 'xbps.js'))) {
    notes.push(`no built library at ${join(DIST, 'xbps.js')} (run npm run build, or set REPOKIT_DIST); nothing to run`);
    return { area: name, rows, info, notes };
  }
  const smallCount = Math.min(ctx.files, 1000);
  const largeCount = Math.min(ctx.files, 100);
  const sets = [
    { id: 'small', corpus: xbpsCorpus({ kind: 'small', count: smallCount, payloadBytes: 8000, log }) },
    { id: 'large', corpus: xbpsCorpus({ kind: 'large', count: largeCount, payloadBytes: 3 * 1024 * 1024, log }) },
  ];
  for (const s of sets) {
    const c = s.corpus;
    const tw = performance.now();
    warm(c.paths);
    info.push(`${s.id} set: ${fmtInt(c.paths.length)} packages, ${(c.bytes / 2 ** 20).toFixed(1)} MiB (avg ${fmtInt(c.bytes / c.paths.length / 1024)} KiB) in ${c.dir}; page cache warmed in ${fmtMs(performance.now() - tw)}`);
  }
  if (smallCount < 1000 || largeCount < 100) notes.push(`--files ${ctx.files}: fewer packages than the issue's 1,000 small / 100 large`);

  const cores = availableParallelism();
  const tasks = [
    { set: sets[0], workers: 'default', label: `xbps: index ${fmtInt(smallCount)} small .xbps (rindexAdd)` },
    { set: sets[1], workers: 'default', label: `xbps: index ${fmtInt(largeCount)} large .xbps (rindexAdd)` },
    { set: sets[1], workers: '0', label: `xbps: index ${fmtInt(largeCount)} large .xbps, 1 thread` },
  ];
  const results = tasks.map(() => ({ rk: [], floor: [] }));
  for (let r = 0; r < ctx.runs; r++) {
    for (const [i, t] of tasks.entries()) {
      const sides = [
        async () => results[i].rk.push(await runJsonChild(process.execPath, [WORKER, 'index', t.set.corpus.dir, t.workers], { cwd: REPO, env: { REPOKIT_DIST: DIST } })),
        async () => results[i].floor.push(await sha256sumRun(t.set.corpus.paths)),
      ];
      if (r % 2 === 1) sides.reverse();
      for (const s of sides) await s();
      log(`  run ${r + 1}/${ctx.runs} ${t.label}: repokit ${fmtMs(results[i].rk.at(-1).ms)}, ${FLOOR} ${fmtMs(results[i].floor.at(-1).ms)}`);
    }
  }
  const best = (list) => ({
    ms: Math.min(...list.map((x) => x.ms)),
    maxRssKiB: Math.max(...list.map((x) => x.maxRssKiB)),
    all: list.map((x) => x.ms),
    ...(list[0].checks ? { checks: list[0].checks } : {}),
  });
  for (const [i, t] of tasks.entries()) {
    const a = best(results[i].rk);
    const b = best(results[i].floor);
    const c = t.set.corpus;
    rows.push({ task: t.label, files: c.paths.length, repokit: a, peer: b, peerName: `${FLOOR} (floor)`, ratio: a.ms / b.ms });
    info.push(
      `  ${t.label}: ${fmtInt((c.paths.length * 1000) / a.ms)} packages/s, ${((c.bytes / 2 ** 20) / (a.ms / 1000)).toFixed(0)} MiB/s hashed, peak ${fmtMiB(a.maxRssKiB)}` +
        ` (${FLOOR}: ${((c.bytes / 2 ** 20) / (b.ms / 1000)).toFixed(0)} MiB/s); ${t.set.id === 'small' ? 'packages <= 256 KiB are read, parsed and hashed on the calling thread' : t.workers === '0' ? 'hashing on the calling thread' : `hashing on ${Math.min(4, cores)} worker threads`}`,
    );
    if (a.checks.packages !== c.paths.length) notes.push(`${t.label}: ${a.checks.packages} of ${c.paths.length} packages were indexed`);
  }
  const multi = rows[1].repokit.checks.repodataSha256;
  const single = rows[2].repokit.checks.repodataSha256;
  info.push(`  repodata of the multi-threaded and the single-threaded run: ${multi === single ? 'byte-identical' : 'DIFFERENT'} (sha256 ${multi.slice(0, 16)}…)`);
  if (multi !== single) notes.push('the multi-threaded repodata differs from the single-threaded one (a bug)');
  const large = rows[1];
  notes.push(`target: the large set within 1.3× of the ${FLOOR} floor; measured ${large.ratio.toFixed(2)}× (${large.ratio <= 1.3 ? 'met' : 'NOT met'})`);
  info.push(
    `method: best of ${ctx.runs} runs per side, A/B interleaved; repokit = a fresh node process per run (imports excluded; the time covers reading, hashing, building and writing the zstd repodata); ${FLOOR} = a fresh process over the same file list, wall time around it; ${cores} cores`,
    `area time: ${fmtMs(performance.now() - t0)}`,
  );
  return { area: name, rows, info, notes };
}
