/**
 * RPM area of `npm run bench`: repokit's RPM reader against rpm's own C header parser
 * (python3-rpm), on at least 10,000 package files.
 *
 * 1. Corpus: packages built with rpmbuild (bench/lib/rpm-corpus.mjs: generated specs with 1 to
 *    3,000 files, dependency- and changelog-heavy ones, plus the interop specs in
 *    test/interop/specs) and the shared corpus (/work/shared/corpus/rpm) when present. Packages
 *    that either parser rejects are left out (and listed). The accepted set is copied round robin
 *    to --files distinct paths (default 10,000): every file is opened and parsed on its own.
 * 2. The page cache is warmed by reading every file once.
 * 3. Each task runs --runs times (default 3) per side, A/B interleaved with the order alternating,
 *    every run in a fresh child process (node bench/rpm-worker.mjs, /usr/bin/python3
 *    bench/rpm-peer.py). The best wall time of the timed loop is reported (process start-up and
 *    imports are outside it); peak RSS is the highest of the runs (VmHWM: see rpm-worker.mjs).
 * 4. Both sides print counters (files, dependencies, changelog entries, name characters); a
 *    difference is reported.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runJsonChild } from './lib/child.mjs';
import { summarizeCpuProfile } from './lib/cpuprofile.mjs';
import { fmtInt, fmtMiB, fmtMs } from './lib/format.mjs';
import { builtPackages, describeSource, makeCopies, rpmbuildVersion, sharedPackages, SHARED_CORPUS } from './lib/rpm-corpus.mjs';

export const name = 'rpm';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const REPO = fileURLToPath(new URL('..', import.meta.url));
const WORKER = join(HERE, 'rpm-worker.mjs');
const PEER = join(HERE, 'rpm-peer.py');
const PYTHON = process.env.REPOKIT_PYTHON_RPM ?? '/usr/bin/python3';
const PEER_NAME = 'python3-rpm';

/**
 * The tasks. `peer` names the rpm-peer.py mode compared against; tasks sharing a peer mode share
 * its measurements (the python side runs each mode once per round).
 */
const TASKS = [
  {
    id: 'header',
    label: 'rpm: read headers only',
    detail: 'readRpmSync(path) vs ts.hdrFromFdno(fd)',
    peer: 'header',
  },
  {
    id: 'minimal',
    label: 'rpm: index fields (issue list)',
    detail:
      'name, EVR, arch, summary, description, 8 dependency kinds, file paths+sizes+modes+digests, changelog; repokit per-field helpers',
    peer: 'minimal',
  },
  {
    id: 'full',
    label: 'rpm: rpmMetadata() (all fields)',
    detail: 'readRpmSync + rpmMetadata(pkg) vs every tag rpmMetadata reads (all 16 per-file columns, all scalars)',
    peer: 'full',
  },
  {
    id: 'async',
    label: 'rpm: async readRpm, 1 at a time',
    detail: 'await readRpm(path) + rpmMetadata, sequential; python side = the rpmMetadata task',
    peer: 'full',
  },
  {
    id: 'async8',
    label: 'rpm: async readRpm, 8 in flight',
    detail: 'readRpm + rpmMetadata, 8 concurrent (I/O on the libuv pool); python side = the rpmMetadata task',
    peer: 'full',
  },
];

function probePython() {
  const r = spawnSync(PYTHON, ['-c', 'import rpm, sys; sys.stdout.write(rpm.__version__)'], { encoding: 'utf8' });
  if (r.error) return { ok: false, why: `${PYTHON} cannot be run (${r.error.message})` };
  if (r.status !== 0) return { ok: false, why: `${PYTHON} cannot import rpm (${r.stderr.trim().split('\n').pop()})` };
  return { ok: true, version: r.stdout.trim() };
}

const V3_PROVIDE_NOTE =
  '  the known cause of a dependency difference in this corpus: rpm adds an implicit "Provides: NAME = EVR" to legacy v3 packages lacking one when it reads them (e.g. hello-1.0-1.x86_64.rpm-v3 in the shared corpus); repokit reports the header as stored';

const nodeArgs = (mode, list, extra = []) => [...extra, WORKER, mode, list];

export async function run(ctx) {
  const { log } = ctx;
  const info = [];
  const notes = [];
  const t0 = performance.now();
  const unknown = (ctx.tasks ?? []).concat(ctx.profile ?? []).filter((id) => !TASKS.some((t) => t.id === id));
  if (unknown.length) throw new Error(`unknown rpm task ${unknown.join(', ')} (tasks: ${TASKS.map((t) => t.id).join(', ')})`);

  // --- tools
  const rb = rpmbuildVersion();
  const py = probePython();
  if (!rb) notes.push('rpmbuild is not installed: no packages are built; only the shared corpus is used');
  if (!py.ok) notes.push(`the peer cannot run: ${py.why}; running the repokit side only`);

  // --- corpus
  const built = await builtPackages(log);
  const shared = sharedPackages();
  const candidates = [...built.paths, ...shared];
  if (candidates.length === 0) {
    notes.push(`no RPM packages: rpmbuild is missing and ${SHARED_CORPUS} has none; nothing to run`);
    return { area: name, rows: [], info, notes };
  }
  const scratch = mkdtempSync(join(tmpdir(), 'repokit-bench-'));
  try {
    const candList = join(scratch, 'candidates.txt');
    writeFileSync(candList, candidates.join('\n') + '\n');
    const rk = (await runJsonChild(process.execPath, nodeArgs('accept', candList), { cwd: REPO })).accept;
    const pyAcc = py.ok ? (await runJsonChild(PYTHON, [PEER, 'accept', candList], { cwd: REPO })).accept : null;
    const accepted = [];
    const stats = [];
    for (let i = 0; i < candidates.length; i++) {
      const a = rk[i];
      const b = pyAcc?.[i] ?? { ok: true };
      if (a.ok && b.ok) {
        accepted.push(candidates[i]);
        stats.push(a);
        continue;
      }
      const who = !a.ok && !b.ok ? 'both reject' : !a.ok ? `repokit rejects (${a.error}), rpm reads it` : `rpm rejects (${b.error})`;
      notes.push(`left out ${describeSource(candidates[i])}: ${who}`);
    }
    if (accepted.length === 0) {
      notes.push('no package is read by both parsers; nothing to run');
      return { area: name, rows: [], info, notes };
    }
    const copies = makeCopies(built.cache, accepted, ctx.files, log);
    const D = accepted.length;
    const N = copies.list.length;
    // Per-copy averages (each distinct package appears N/D times, round robin).
    let hb = 0;
    let fl = 0;
    let dp = 0;
    let cl = 0;
    let maxFiles = 0;
    for (let i = 0; i < N; i++) {
      const s = stats[i % D];
      hb += s.headerBytes;
      fl += s.files;
      dp += s.deps;
      cl += s.changelog;
      maxFiles = Math.max(maxFiles, s.files);
    }
    const nBuilt = accepted.filter((p) => !p.startsWith(SHARED_CORPUS)).length;
    info.push(
      `corpus: ${fmtInt(D)} distinct packages (${nBuilt ? `${nBuilt} built with rpmbuild from ${built.specs} specs, ` : ''}${D - nBuilt} from ${SHARED_CORPUS}) copied to ${fmtInt(N)} files`,
      `        in ${copies.dir}`,
      `        per file on average: ${fmtInt(fl / N)} files (max ${fmtInt(maxFiles)}), ${fmtInt(dp / N)} dependencies, ${fmtInt(cl / N)} changelog entries, ${(hb / N / 1024).toFixed(1)} KiB of signature+main header`,
    );
    if (N < 10_000) notes.push(`--files ${N}: below the 10,000 files the issue asks for`);

    // --- warm the page cache
    // (through one reused buffer, so this process stays small: see peakRssKiB in rpm-worker.mjs)
    let bytes = 0;
    const tw = performance.now();
    const buf = Buffer.allocUnsafe(1 << 20);
    for (const p of copies.list) {
      const fd = openSync(p, 'r');
      try {
        for (let n; (n = readSync(fd, buf, 0, buf.length, null)) > 0; ) bytes += n;
      } finally {
        closeSync(fd);
      }
    }
    info.push(`page cache warmed: read ${fmtInt(N)} files, ${(bytes / 2 ** 20).toFixed(0)} MiB, in ${fmtMs(performance.now() - tw)}`);

    // --- timed runs, interleaved
    const tasks = TASKS.filter((t) => !ctx.tasks || ctx.tasks.includes(t.id));
    const peerModes = [...new Set(tasks.map((t) => t.peer))];
    const rkRes = new Map(tasks.map((t) => [t.id, []]));
    const pyRes = new Map(peerModes.map((m) => [m, []]));
    for (let r = 0; r < ctx.runs; r++) {
      for (const t of tasks) {
        const sides = [
          async () => rkRes.get(t.id).push(await runJsonChild(process.execPath, nodeArgs(t.id, copies.listPath), { cwd: REPO })),
        ];
        // The python mode runs once per round, next to the first task that uses it.
        if (py.ok && tasks.find((u) => u.peer === t.peer) === t) {
          sides.push(async () => pyRes.get(t.peer).push(await runJsonChild(PYTHON, [PEER, t.peer, copies.listPath], { cwd: REPO })));
        }
        if (r % 2 === 1) sides.reverse();
        for (const s of sides) await s();
        log(`  run ${r + 1}/${ctx.runs} ${t.id}: repokit ${fmtMs(rkRes.get(t.id).at(-1).ms)}` + (py.ok ? `, ${PEER_NAME} ${pyRes.get(t.peer).at(-1) ? fmtMs(pyRes.get(t.peer).at(-1).ms) : '-'}` : ''));
      }
    }

    // Best (lowest) loop time of the runs; the highest peak RSS; all run times kept for --json.
    const best = (list) => ({
      ms: Math.min(...list.map((x) => x.ms)),
      maxRssKiB: Math.max(...list.map((x) => x.maxRssKiB)),
      all: list.map((x) => x.ms),
      processWallMs: Math.min(...list.map((x) => x.wallMs)),
      checks: list[0].checks,
      runtime: list[0].runtime,
    });
    const rows = [];
    for (const t of tasks) {
      const a = best(rkRes.get(t.id));
      const b = py.ok ? best(pyRes.get(t.peer)) : null;
      rows.push({ task: t.label, detail: t.detail, files: N, repokit: a, peer: b, peerName: PEER_NAME, ratio: b ? a.ms / b.ms : null });
      if (b) {
        const diff = Object.keys(a.checks).filter((k) => a.checks[k] !== b.checks[k]);
        if (diff.length) {
          const d = diff.map((k) => `${k} ${a.checks[k]} vs ${b.checks[k]}`).join(', ');
          const msg = `work check differs (repokit vs rpm): ${d}`;
          if (!notes.includes(msg)) notes.push(msg);
          if (diff.includes('deps') && !notes.includes(V3_PROVIDE_NOTE)) notes.push(V3_PROVIDE_NOTE);
        }
      }
    }

    const rpmVer = py.ok ? `${pyRes.get(peerModes[0])[0].runtime} (rpm's C header parser, through ${PYTHON})` : 'python3-rpm unavailable';
    info.push(
      `versions: repokit ${ctx.version} on Node ${process.version}; ${rpmVer}${rb ? `; ${rb} built the packages` : ''}`,
      `method: best of ${ctx.runs} runs per side, A/B interleaved (order alternates), each run a fresh process; time = the parse loop's wall time (start-up and imports excluded); peak RSS = the highest of the runs, whole child process, from /proc/self/status VmHWM (ru_maxrss of a child includes its parent's RSS on Linux)`,
      `        rpm side: ts.setVSFlags(_RPMVSF_NOSIGNATURES | _RPMVSF_NODIGESTS), so neither side checks digests or signatures; fields fetched as whole columns with hdr[tag] (rpm's FILENAMES/EVR extension tags, not rpm.ds)`,
    );
    for (const r of rows) {
      info.push(`  ${r.task}: ${r.detail}`);
    }

    // --- profile
    let profile = null;
    if (ctx.profile) {
      profile = [];
      for (const mode of ctx.profile) {
        const dir = join(scratch, `prof-${mode}`);
        await runJsonChild(process.execPath, nodeArgs(mode, copies.listPath, ['--cpu-prof', `--cpu-prof-dir=${dir}`]), { cwd: REPO });
        const f = readdirSync(dir).find((x) => x.endsWith('.cpuprofile'));
        profile.push({ mode, ...summarizeCpuProfile(join(dir, f), { root: REPO, top: ctx.profileTop }) });
      }
    }
    info.push(`area time: ${fmtMs(performance.now() - t0)}${built.built ? ` (including the rpmbuild step, ${fmtMs(built.buildMs)})` : ''}`);
    return { area: name, rows, info, notes, profile, corpus: { distinct: D, files: N, dir: copies.dir } };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
