/**
 * `npm run bench` (builds first, then runs this): every benchmark area; the report ends with one table
 *
 *     task | repokit | peer | ratio | peak memory
 *
 * Each area is a module exporting `name` and `run(ctx)`, which returns
 * { area, rows: [{ task, files, repokit: {ms, maxRssKiB}, peer: {ms, maxRssKiB} | null, peerName, ratio }],
 *   info: string[], notes: string[], profile?: [...] }.
 * Add a format by writing bench/<format>.mjs and listing it in AREAS.
 *
 * Options (after `npm run bench --`):
 *   --only <area>[,<area>]   run only these areas: rpm, alpm, xbps, aptrpm (default: all)
 *   --runs <n>               runs per side and task, best reported (default 3)
 *   --files <n>              package files per area (default 10000)
 *   --tasks <id>[,<id>]      only these tasks (rpm: header,minimal,full,async,async8; alpm: build,read)
 *   --profile[=<id>,...]     also CPU-profile repokit's side of these tasks (default: full) and
 *                            print the hottest functions, mapped to src/ via the source maps
 *   --json                   print the results as JSON instead of the table
 * Progress goes to stderr; the report to stdout. Nothing is written into the repository.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { fmtInt, fmtMiB, fmtMs, fmtRate, table } from './lib/format.mjs';
import { loadavg1, machineInfo } from './lib/machine.mjs';

const AREAS = [
  { name: 'rpm', load: () => import('./rpm.mjs') },
  { name: 'alpm', load: () => import('./alpm.mjs') },
  { name: 'xbps', load: () => import('./xbps.mjs') },
  { name: 'aptrpm', load: () => import('./aptrpm.mjs') },
];

const USAGE = `usage: npm run bench -- [--only rpm,alpm,xbps,aptrpm] [--runs 3] [--files 10000] [--tasks header,minimal,full,async,async8,build,read] [--profile[=full,header]] [--json]`;

function options() {
  const { values } = parseArgs({
    options: {
      only: { type: 'string' },
      runs: { type: 'string', default: '3' },
      files: { type: 'string', default: '10000' },
      tasks: { type: 'string' },
      profile: { type: 'string' },
      'profile-top': { type: 'string', default: '15' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    // `--profile` alone is allowed: rewrite it to --profile=full below.
    args: process.argv.slice(2).map((a) => (a === '--profile' ? '--profile=full' : a)),
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const int = (s, what, min) => {
    const n = Number(s);
    if (!Number.isInteger(n) || n < min) throw new Error(`--${what} wants an integer >= ${min}, not ${JSON.stringify(s)}\n${USAGE}`);
    return n;
  };
  const list = (s) => (s === undefined ? undefined : s.split(',').map((x) => x.trim()).filter(Boolean));
  return {
    only: list(values.only),
    runs: int(values.runs, 'runs', 1),
    files: int(values.files, 'files', 1),
    tasks: list(values.tasks),
    profile: list(values.profile),
    profileTop: int(values['profile-top'], 'profile-top', 1),
    json: values.json,
  };
}

function ratioCell(r) {
  if (r === null || r === undefined) return 'n/a';
  return `${r.toFixed(2)}×`;
}

/** Peak RSS of one side; 'n/a' when it was not measured (no side, or no /usr/bin/time for a tool: 0). */
function memCell(side) {
  return side && side.maxRssKiB > 0 ? fmtMiB(side.maxRssKiB) : 'n/a';
}

function sideCell(side, files) {
  if (!side) return 'n/a';
  return `${fmtMs(side.ms)} (${fmtRate((files * 1000) / side.ms)})`;
}

async function main() {
  const opts = options();
  const started = performance.now();
  const machine = machineInfo();
  machine.loadStart = loadavg1();
  const version = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version;
  const log = (m) => process.stderr.write(`${m}\n`);
  const areas = AREAS.filter((a) => !opts.only || opts.only.includes(a.name));
  if (areas.length === 0) throw new Error(`no area matches --only ${opts.only.join(',')} (areas: ${AREAS.map((a) => a.name).join(', ')})`);

  const results = [];
  for (const a of areas) {
    log(`[${a.name}] ...`);
    const mod = await a.load();
    results.push(await mod.run({ ...opts, version, log: (m) => log(`[${a.name}] ${m}`) }));
  }
  const totalMs = performance.now() - started;
  machine.loadEnd = loadavg1();

  if (opts.json) {
    console.log(JSON.stringify({ machine, totalMs, results }, null, 2));
    return;
  }

  const out = [];
  out.push(`repokit ${version} benchmarks`);
  out.push(`machine: ${machine.cores} cores, ${machine.cpu}, ${machine.memGiB} GiB RAM, ${machine.os}; Node ${machine.node}`);
  out.push(`load average (1 min): ${machine.loadStart.toFixed(2)} at start, ${machine.loadEnd.toFixed(2)} at the end`);
  if (Math.max(machine.loadStart, machine.loadEnd) > machine.cores / 2) {
    out.push(`warning: the machine was busy with other work (load > ${machine.cores / 2}); times are noisy, re-run on a quiet machine`);
  }
  for (const r of results) {
    out.push('', `[${r.area}]`);
    for (const l of r.info) out.push(l);
    for (const n of r.notes) out.push(`note: ${n}`);
  }
  const rows = results.flatMap((r) =>
    r.rows.map((x) => [
      `${x.task} — ${fmtInt(x.files)} files`,
      sideCell(x.repokit, x.files),
      x.peer ? `${x.peerName} ${sideCell(x.peer, x.files)}` : `${x.peerName} n/a`,
      ratioCell(x.ratio),
      `${memCell(x.repokit)} / ${memCell(x.peer)}`,
    ]),
  );
  // The report ends with the one table of every area (and its legend), after the details.
  for (const r of results) {
    for (const p of r.profile ?? []) {
      out.push('', `[${r.area}] CPU profile of repokit's "${p.mode}" task (${fmtMs(p.totalMs)} sampled, whole process):`);
      const fmt = (list) => list.map((e) => `  ${e.ms.toFixed(1).padStart(8)} ms ${e.pct.toFixed(1).padStart(5)}%  ${e.name}  ${e.where}`);
      out.push(' self time:', ...fmt(p.self), ' inclusive time (src/ functions):', ...fmt(p.inclusive));
    }
  }
  out.push('', `total bench time: ${fmtMs(totalMs)}`);
  out.push('');
  if (rows.length) {
    out.push(table(['task', 'repokit', 'peer', 'ratio', 'peak memory (repokit / peer)'], rows, { right: [1, 3] }));
    out.push('ratio = repokit time / peer time (< 1 means repokit is faster); times are the best of the runs, rates are package files per second.');
    const slow = results.flatMap((r) => r.rows).filter((x) => x.ratio !== null && x.ratio > 1);
    if (slow.length && !opts.profile) out.push('repokit is slower than the peer on some tasks: `npm run bench -- --profile` shows where the time goes.');
  } else {
    out.push('(no benchmark rows)');
  }
  console.log(out.join('\n'));
}

main().catch((e) => {
  console.error(e instanceof Error ? e.stack ?? e.message : e);
  process.exit(1);
});
