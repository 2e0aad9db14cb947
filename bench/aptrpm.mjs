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
 *    threads (as many as cores, at most 4) and with none (one thread). Each repokit run is a
 *    fresh `node bench/lib/aptrpm-worker.mjs` process; its time is buildArchIndexes' wall time;
 *    peak RSS from VmHWM. The floor's peak memory is that of the larger of the two tools
 *    (`/usr/bin/time -f %M` when available).
 * 4. Both repokit variants must produce the same pkglist (size and MD5 are compared).
 */
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, openSync, readSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runJsonChild } from './lib/child.mjs';
import { fmtInt, fmtMs } from './lib/format.mjs';
import { aptrpmCorpus } from './lib/aptrpm-corpus.mjs';

export const name = 'aptrpm';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const REPO = fileURLToPath(new URL('..', import.meta.url));
const WORKER = join(HERE, 'lib', 'aptrpm-worker.mjs');
const TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : null;
const MAX_FILES = 1000;

/** Run one coreutils hasher over all files; wall time and (when measurable) peak RSS in KiB. */
function hashTool(tool, files) {
  return new Promise((resolve, reject) => {
    const cmd = TIME ?? tool;
    const args = TIME ? ['-f', '%M', tool, '--', ...files] : ['--', ...files];
    const t0 = performance.now();
    const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    const err = [];
    child.stderr.on('data', (b) => err.push(b));
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = performance.now() - t0;
      const text = Buffer.concat(err).toString();
      if (code !== 0) return reject(new Error(`${tool} failed (${code}): ${text.slice(-500)}`));
      const m = /(\d+)\s*$/.exec(text.trim());
      resolve({ ms, maxRssKiB: TIME && m ? Number(m[1]) : 0 });
    });
  });
}

async function floor(files) {
  const a = await hashTool('md5sum', files);
  const b = await hashTool('b2sum', files);
  return { ms: a.ms + b.ms, maxRssKiB: Math.max(a.maxRssKiB, b.maxRssKiB), parts: { md5sum: a.ms, b2sum: b.ms } };
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
    { id: 'threads', workers: threads, label: `aptrpm: build indexes (${threads} threads)` },
    { id: 'single', workers: 0, label: 'aptrpm: build indexes (1 thread)' },
  ];
  const floorRuns = [];
  const rk = new Map(variants.map((v) => [v.id, []]));
  for (let r = 0; r < ctx.runs; r++) {
    const sides = [async () => floorRuns.push(await floor(files))];
    for (const v of variants) {
      sides.push(async () => rk.get(v.id).push(await runJsonChild(process.execPath, [WORKER, corpus.root, corpus.arch, String(v.workers)], { cwd: REPO })));
    }
    if (r % 2 === 1) sides.reverse();
    for (const s of sides) await s();
    log(`  run ${r + 1}/${ctx.runs}: floor ${fmtMs(floorRuns.at(-1).ms)}, ${variants.map((v) => `${v.id} ${fmtMs(rk.get(v.id).at(-1).ms)}`).join(', ')}`);
  }
  const best = (list) => ({ ms: Math.min(...list.map((x) => x.ms)), maxRssKiB: Math.max(...list.map((x) => x.maxRssKiB)), all: list.map((x) => x.ms) });
  const fl = best(floorRuns);
  const bestFloor = floorRuns.reduce((a, b) => (b.ms < a.ms ? b : a));
  const rows = variants.map((v) => {
    const a = best(rk.get(v.id));
    return { task: v.label, files: files.length, repokit: { ...a, checks: rk.get(v.id)[0].checks }, peer: fl, peerName: 'md5sum + b2sum', ratio: a.ms / fl.ms };
  });
  const checks = variants.map((v) => JSON.stringify(rk.get(v.id)[0].checks));
  if (new Set(checks).size !== 1) notes.push(`the variants wrote different pkglists: ${checks.join(' vs ')}`);
  else info.push(`output: ${checks[0]} (identical with and without worker threads)`);
  info.push(
    `floor: md5sum ${fmtMs(bestFloor.parts.md5sum)} + b2sum ${fmtMs(bestFloor.parts.b2sum)} (best round); target: repokit at most 1.3× the floor`,
    `method: best of ${ctx.runs} rounds, A/B interleaved; repokit time = buildArchIndexes() wall time in a fresh process (start-up and imports excluded); peak RSS from VmHWM${TIME ? '; the floor’s from /usr/bin/time' : ''}`,
    `area time: ${fmtMs(performance.now() - t0)}`,
  );
  for (const r of rows) if (r.ratio > 1.3) notes.push(`${r.task}: ${r.ratio.toFixed(2)}× the floor, above the 1.3× target`);
  return { area: name, rows, info, notes };
}
