/**
 * apt-rpm area of `npm run bench`: building an arch's indexes (pkglist.classic, pkglist.classic.xz,
 * release.classic, release; full file lists, the CLI's defaults) for 1,000 RPM files (or --files,
 * if lower), against the floor measured in the same run on the same files: reading every file
 * once through MD5 and once through BLAKE2b-512 with coreutils (`md5sum` + `b2sum`, their times
 * added), which any index builder must at least do. Target: at most 1.3× the floor.
 *
 * 1. Corpus: bench/lib/aptrpm-corpus.mjs (header-heavy packages of the RPM benchmark plus packages
 *    of repository-like sizes), copied to distinct files in <tmp>/.../x86_64/RPMS.classic/.
 * 2. The page cache is warmed by reading every file once (both sides read from memory).
 * 3. Per round, A/B interleaved with the order alternating: the floor, then repokit with worker
 *    threads (as many as cores, at most 4: the library's default) and with none (everything in
 *    one thread). Each repokit run is a fresh `node bench/lib/aptrpm-worker.mjs` process; its time
 *    is buildArchIndexes' wall time; peak RSS from VmHWM. The floor's peak memory is that of the
 *    larger of the two tools (`/usr/bin/time -f %M` when available).
 * 4. Reported: the best round of each side (the ratio is best / best), every round's times, the
 *    CPU time (user + system, all threads) of the best rounds — on a shared machine wall times
 *    swing with other work while CPU times hardly move — and the machine's load and CPU pressure
 *    (Linux PSI) before and after.
 * 5. `--profile[=threads,single]` (default threads) CPU-profiles one more run of a variant and
 *    prints the hottest functions of its main thread and of one worker thread.
 * 6. Both repokit variants must produce the same pkglist (size and MD5 are compared), and its .xz
 *    must decompress (with the xz tool, when installed) to the same bytes.
 */
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, readdirSync, readSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runJsonChild } from './lib/child.mjs';
import { summarizeCpuProfile } from './lib/cpuprofile.mjs';
import { fmtInt, fmtMs } from './lib/format.mjs';
import { aptrpmCorpus } from './lib/aptrpm-corpus.mjs';

export const name = 'aptrpm';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const REPO = fileURLToPath(new URL('..', import.meta.url));
const WORKER = join(HERE, 'lib', 'aptrpm-worker.mjs');
const TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : null;
const MAX_FILES = 1000;

/** The 1-minute load average and Linux's CPU pressure ("some", 10 s average, %) when available. */
function busy() {
  let psi = null;
  try {
    const m = /^some avg10=([\d.]+)/m.exec(readFileSync('/proc/pressure/cpu', 'utf8'));
    if (m) psi = Number(m[1]);
  } catch {
    // no PSI here
  }
  return { load: os.loadavg()[0] ?? 0, psi };
}

function fmtBusy(b) {
  return `load ${b.load.toFixed(2)}${b.psi === null ? '' : `, CPU pressure ${b.psi.toFixed(0)}%`}`;
}

/** Run one coreutils hasher over all files; wall time and (when measurable) peak RSS in KiB and CPU time. */
function hashTool(tool, files) {
  return new Promise((resolve, reject) => {
    const cmd = TIME ?? tool;
    const args = TIME ? ['-f', '%M %U %S', tool, '--', ...files] : ['--', ...files];
    const t0 = performance.now();
    const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    const err = [];
    child.stderr.on('data', (b) => err.push(b));
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = performance.now() - t0;
      const text = Buffer.concat(err).toString();
      if (code !== 0) return reject(new Error(`${tool} failed (${code}): ${text.slice(-500)}`));
      const m = /(\d+) ([\d.]+) ([\d.]+)\s*$/.exec(text.trim());
      resolve({ ms, maxRssKiB: TIME && m ? Number(m[1]) : 0, cpuMs: TIME && m ? (Number(m[2]) + Number(m[3])) * 1000 : null });
    });
  });
}

async function floor(files) {
  const a = await hashTool('md5sum', files);
  const b = await hashTool('b2sum', files);
  const cpuMs = a.cpuMs === null || b.cpuMs === null ? null : a.cpuMs + b.cpuMs;
  return { ms: a.ms + b.ms, maxRssKiB: Math.max(a.maxRssKiB, b.maxRssKiB), cpuMs, parts: { md5sum: a.ms, b2sum: b.ms } };
}

function toolsMissing() {
  for (const t of ['md5sum', 'b2sum']) {
    const r = spawnSync(t, ['--version'], { encoding: 'utf8' });
    if (r.status !== 0) return `${t} is not installed`;
  }
  return null;
}

export async function run(ctx) {
  const { log } = ctx;
  const info = [];
  const notes = [];
  const t0 = performance.now();
  const missing = toolsMissing();
  if (missing) {
    notes.push(`${missing}: no floor to compare with; nothing to run`);
    return { area: name, rows: [], info, notes };
  }
  const n = Math.min(ctx.files, MAX_FILES);
  const corpus = await aptrpmCorpus(n, log);
  if (corpus.missing) {
    notes.push(`${corpus.missing}: no packages to index; nothing to run`);
    return { area: name, rows: [], info, notes };
  }
  const files = corpus.files;
  info.push(
    `corpus: ${fmtInt(files.length)} package files, ${(corpus.bytes / 2 ** 20).toFixed(0)} MiB, copied round robin from ${corpus.distinct} distinct packages`,
    `        (the RPM benchmark's header-heavy set plus ${corpus.sized} packages with 16 KiB-4 MiB incompressible payloads) in ${corpus.rpmsDir}`,
  );
  if (n < MAX_FILES) notes.push(`--files ${n}: below the 1,000 files the issue asks for`);

  // Warm the page cache through one reused buffer.
  const buf = Buffer.allocUnsafe(1 << 20);
  const tw = performance.now();
  for (const p of files) {
    const fd = openSync(p, 'r');
    try {
      while (readSync(fd, buf, 0, buf.length, null) > 0);
    } finally {
      closeSync(fd);
    }
  }
  info.push(`page cache warmed in ${fmtMs(performance.now() - tw)}`);

  const threads = Math.min(4, os.availableParallelism());
  const variants = [
    { id: 'threads', workers: threads, label: `aptrpm: build indexes (${threads} hashing threads + main)` },
    { id: 'single', workers: 0, label: 'aptrpm: build indexes (1 thread)' },
  ];
  const busyStart = busy();
  const floorRuns = [];
  const rk = new Map(variants.map((v) => [v.id, []]));
  for (let r = 0; r < ctx.runs; r++) {
    const sides = [async () => floorRuns.push(await floor(files))];
    for (const v of variants) {
      sides.push(async () => rk.get(v.id).push(await runJsonChild(process.execPath, [WORKER, corpus.root, corpus.arch, String(v.workers)], { cwd: REPO })));
    }
    if (r % 2 === 1) sides.reverse();
    for (const s of sides) await s();
    log(`  run ${r + 1}/${ctx.runs}: floor ${fmtMs(floorRuns.at(-1).ms)}, ${variants.map((v) => `${v.id} ${fmtMs(rk.get(v.id).at(-1).ms)}`).join(', ')} (${fmtBusy(busy())})`);
  }
  const busyEnd = busy();
  const best = (list) => ({ ms: Math.min(...list.map((x) => x.ms)), maxRssKiB: Math.max(...list.map((x) => x.maxRssKiB)), all: list.map((x) => x.ms) });
  const fastest = (list) => list.reduce((a, b) => (b.ms < a.ms ? b : a));
  const cpuOf = (list) => {
    const c = fastest(list).cpuMs;
    return c === null || c === undefined ? 'n/a' : fmtMs(c);
  };
  const allOf = (list) => list.map((x) => fmtMs(x.ms)).join(', ');
  const fl = best(floorRuns);
  const bestFloor = floorRuns.reduce((a, b) => (b.ms < a.ms ? b : a));
  const rows = variants.map((v) => {
    const a = best(rk.get(v.id));
    return { task: v.label, files: files.length, repokit: { ...a, checks: rk.get(v.id)[0].checks }, peer: fl, peerName: 'md5sum + b2sum', ratio: a.ms / fl.ms };
  });
  const checks = variants.map((v) => JSON.stringify(rk.get(v.id)[0].checks));
  if (new Set(checks).size !== 1) notes.push(`the variants wrote different pkglists: ${checks.join(' vs ')}`);
  else info.push(`output: ${checks[0]} (identical with and without worker threads)`);
  for (const v of variants) if (rk.get(v.id).some((x) => x.checks.xzSameBytes === false)) notes.push(`${v.id}: pkglist.classic.xz does not decompress to pkglist.classic`);
  info.push(
    `floor: md5sum ${fmtMs(bestFloor.parts.md5sum)} + b2sum ${fmtMs(bestFloor.parts.b2sum)} (best round); target: repokit at most 1.3× the floor`,
    `rounds (wall): floor ${allOf(floorRuns)}; ${variants.map((v) => `${v.id} ${allOf(rk.get(v.id))}`).join('; ')}`,
    `CPU time of the best rounds (user + system, all threads): floor ${cpuOf(floorRuns)}; ${variants.map((v) => `${v.id} ${cpuOf(rk.get(v.id))}`).join('; ')}`,
    `machine: ${fmtBusy(busyStart)} before, ${fmtBusy(busyEnd)} after (${os.availableParallelism()} cores)`,
    `method: best of ${ctx.runs} rounds, A/B interleaved; repokit time = buildArchIndexes() wall time in a fresh process (start-up and imports excluded); peak RSS from VmHWM${TIME ? '; the floor’s from /usr/bin/time' : ''}`,
    `area time: ${fmtMs(performance.now() - t0)}`,
  );
  let profile = null;
  if (ctx.profile) {
    profile = [];
    const wanted = ctx.profile.filter((m) => variants.some((v) => v.id === m));
    if (wanted.length === 0) wanted.push('threads');
    for (const id of wanted) {
      const v = variants.find((x) => x.id === id);
      const dir = mkdtempSync(join(os.tmpdir(), 'repokit-bench-aptrpm-prof-'));
      try {
        await runJsonChild(process.execPath, ['--cpu-prof', `--cpu-prof-dir=${dir}`, WORKER, corpus.root, corpus.arch, String(v.workers)], { cwd: REPO });
        // One file per thread, main thread first (its thread id, the 4th field, is 0).
        const files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile')).sort((a, b) => Number(a.split('.')[4]) - Number(b.split('.')[4]));
        profile.push({ mode: `${id}, main thread`, ...summarizeCpuProfile(join(dir, files[0]), { root: REPO, top: ctx.profileTop }) });
        if (files.length > 1) profile.push({ mode: `${id}, a worker thread`, ...summarizeCpuProfile(join(dir, files[1]), { root: REPO, top: ctx.profileTop }) });
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
  }
  for (const [k, r] of rows.entries()) {
    if (r.ratio <= 1.3) continue;
    // Hashing alone costs about the floor; in one thread the xz compression can only add to it.
    const why = variants[k].workers === 0 ? ' (reference: the target is for the default build with worker threads; one thread cannot overlap compression and hashing)' : '';
    notes.push(`${r.task}: ${r.ratio.toFixed(2)}× the floor, above the 1.3× target${why}`);
  }
  return { area: name, rows, info, notes, profile };
}
