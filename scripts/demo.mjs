#!/usr/bin/env node
/**
 * The main job in one run (`npm run demo`): copy the sample packages of fixtures/ into a
 * temporary directory per format, index each with the Repository facade of the built package
 * (dist/index.js; REPOKIT_DIST=<dir> points elsewhere), and print what was made: the index
 * files, the package count, and each package's name, version and architecture.
 */
import { copyFileSync, existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const dist = process.env.REPOKIT_DIST ?? join(root, 'dist');
if (!existsSync(join(dist, 'index.js'))) {
  console.error(`demo: ${join(dist, 'index.js')} is missing; run 'npm run build' first`);
  process.exit(1);
}
const lib = await import(pathToFileURL(join(dist, 'index.js')).href);
const { Repository } = lib.repository ?? lib;

/** Which fixtures each format indexes, and how its repository is opened. */
const jobs = [
  { format: 'alpm', fixtures: 'alpm', suffix: /\.pkg\.tar(\.\w+)?$/, open: { name: 'demo' } },
  { format: 'xbps', fixtures: 'xbps', suffix: /\.xbps$/, open: { arch: 'x86_64' } },
  { format: 'aptrpm', fixtures: 'rpm', suffix: /\.rpm$/, open: {} },
];

const keep = process.argv.includes('--keep');
for (const job of jobs) {
  const from = join(root, 'fixtures', job.fixtures);
  const names = existsSync(from) ? readdirSync(from).filter((n) => job.suffix.test(n)).sort() : [];
  console.log(`\n== ${job.format} (${names.length} sample packages from fixtures/${job.fixtures})`);
  if (names.length === 0) {
    console.log('   no sample packages yet (scripts/make-fixtures.sh makes them)');
    continue;
  }
  const dir = mkdtempSync(join(tmpdir(), `repokit-demo-${job.format}-`));
  const files = names.map((n) => {
    copyFileSync(join(from, n), join(dir, n));
    return join(dir, n);
  });
  const repo = await Repository.open({ format: job.format, dir, ...job.open });
  const added = await repo.add(files);
  const written = await repo.write();
  for (const s of added.skipped) console.log(`   skipped ${relative(dir, s.path)}: ${s.reason} (${s.message})`);
  console.log(`   ${written.packages} package(s) in ${dir}`);
  for (const f of written.files) if (existsSync(f)) console.log(`   wrote ${relative(dir, f)} (${statSync(f).size} bytes)`);
  for await (const p of repo.packages()) {
    console.log(`   - ${p.name} ${p.version} ${p.arch}  ${p.summary}`);
  }
  if (!keep) rmSync(dir, { recursive: true, force: true });
}
if (!keep) console.log('\n(temporary directories removed; pass --keep to look at them)');
