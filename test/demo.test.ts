/**
 * The README's main-job command, `npm run demo` (= build + scripts/demo.mjs), run against the
 * built package: it indexes the sample packages of fixtures/ in each format, and what it says it
 * wrote is read back with the format readers.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSyncDb } from '../src/alpm/index.js';
import { parsePkglist } from '../src/aptrpm/index.js';
import { readRepodata } from '../src/xbps/index.js';
import { ROOT, ensureBuilt } from './support/dist.js';

interface Section {
  format: string;
  dir: string;
  packages: number;
  wrote: string[];
  listed: string[];
}

let sections: Section[] = [];
let output = '';

beforeAll(() => {
  ensureBuilt();
  const r = spawnSync(process.execPath, [join(ROOT, 'scripts/demo.mjs'), '--keep'], { cwd: ROOT, encoding: 'utf8' });
  output = r.stdout + r.stderr;
  expect(r.status, output).toBe(0);
  let cur: Section | undefined;
  for (const line of r.stdout.split('\n')) {
    let m = /^== (\w+) /.exec(line);
    if (m) sections.push((cur = { format: m[1]!, dir: '', packages: 0, wrote: [], listed: [] }));
    else if (cur && (m = /^ {3}(\d+) package\(s\) in (.+)$/.exec(line))) [cur.packages, cur.dir] = [Number(m[1]), m[2]!];
    else if (cur && (m = /^ {3}wrote (\S+) \(\d+ bytes\)$/.exec(line))) cur.wrote.push(m[1]!);
    else if (cur && (m = /^ {3}- (\S+) (\S+) (\S+) /.exec(line))) cur.listed.push(`${m[1]} ${m[2]} ${m[3]}`);
  }
}, 300_000);

afterAll(() => {
  for (const s of sections) if (s.dir) rmSync(s.dir, { recursive: true, force: true });
});

const fixtureCount = (sub: string, re: RegExp) => readdirSync(join(ROOT, 'fixtures', sub)).filter((n) => re.test(n)).length;

describe('npm run demo', () => {
  it('makes a repository in each format, one entry per sample package', () => {
    expect(sections.map((s) => s.format), output).toEqual(['alpm', 'xbps', 'aptrpm']);
    const [alpm, xbps, apt] = sections as [Section, Section, Section];
    expect(alpm.packages).toBe(fixtureCount('alpm', /\.pkg\.tar/));
    expect(xbps.packages).toBe(fixtureCount('xbps', /\.xbps$/));
    // The source RPM is skipped: pkglists hold binary packages.
    expect(apt.packages).toBe(fixtureCount('rpm', /(?<!\.src)\.rpm$/));
    expect(output).toMatch(/skipped hello-1\.0-1\.src\.rpm: source-package/);
    for (const s of sections) expect(s.listed).toHaveLength(s.packages);
  });

  it('what it printed is what the files on disk hold', async () => {
    const [alpm, xbps, apt] = sections as [Section, Section, Section];
    const db = await readSyncDb(join(alpm.dir, alpm.wrote.find((f) => f.includes('.db.'))!));
    expect(db.entries.map((e) => `${e.name} ${e.version} ${e.entry.arch}`).sort()).toEqual([...alpm.listed].sort());

    const repodata = await readRepodata(readFileSync(join(xbps.dir, xbps.wrote[0]!)));
    expect([...repodata.index.keys()].sort()).toEqual(xbps.listed.map((l) => l.split(' ')[0]).sort());

    const list = apt.wrote.find((f) => /pkglist\.classic$/.test(f))!;
    const names = [...parsePkglist(readFileSync(join(apt.dir, list)))].map(({ header }) => header.getString(1000));
    expect(names.sort()).toEqual(apt.listed.map((l) => l.split(' ')[0]).sort());
  });
});
