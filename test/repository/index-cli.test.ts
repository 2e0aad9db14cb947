/**
 * `repokit index DIR` end to end (in-process `run()`): one directory holding RPMs (fixtures/rpm,
 * built with rpmbuild), pacman packages (fixtures/alpm, built with makepkg) and xbps packages
 * (../shared/corpus/xbps/generated, indexed there by the real xbps-rindex) is indexed for each
 * kind it holds; then the real clients read the results — pacman -Sy/-Sl the ALPM database,
 * python3-rpm's readHeaderListFromFD the pkglist — and the xbps repodata equals xbps-rindex's.
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { run } from '../../src/cli/cli.js';
import { parseTar } from '../../src/shared/tar.js';
import { Pacman, missingTools } from '../helpers/alpm-packages.js';
import { requireTool } from '../helpers/rpmbuild.js';
import { PY_HEADER_LISTS, runPythonRpm } from '../helpers/python-rpm.js';
import { decompressGolden } from '../xbps/repodata-corpus.js';
import { FIXTURES, SHARED, snapshot, tempDir } from './helpers.js';

const ZSTD_REPO = join(SHARED, 'corpus', 'xbps', 'generated', 'repos', 'zstd');
const HAVE_XBPS_CORPUS = existsSync(join(ZSTD_REPO, 'x86_64-repodata'));
const NO_CORPUS = `skipped: the shared corpus is absent (no ${ZSTD_REPO})`;

async function cli(argv: string[], isTTY = false): Promise<{ status: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const status = await run(argv, { io: { out: (s) => (out += s), err: (s) => (err += s) }, readStdin: async () => new Uint8Array(), isTTY });
  return { status, out, err };
}

/** A directory named `mixed` holding every kind of package. */
function mixedDir(withXbps: boolean): string {
  const dir = join(tempDir(), 'mixed');
  mkdirSync(dir);
  for (const f of readdirSync(join(FIXTURES, 'rpm'))) copyFileSync(join(FIXTURES, 'rpm', f), join(dir, f));
  for (const f of readdirSync(join(FIXTURES, 'alpm'))) copyFileSync(join(FIXTURES, 'alpm', f), join(dir, f));
  if (withXbps) for (const f of readdirSync(ZSTD_REPO).filter((n) => n.endsWith('.xbps'))) copyFileSync(join(ZSTD_REPO, f), join(dir, f));
  writeFileSync(join(dir, 'README'), 'not a package\n');
  return dir;
}

const PY_PKGLIST = String.raw`
import sys, os, json, rpm
${PY_HEADER_LISTS}
out = [[[h[rpm.RPMTAG_NAME], h[rpm.RPMTAG_EVR], h[1000000], h[1000001]] for h in hs] for hs in header_lists(json.load(sys.stdin))]
json.dump(out, sys.stdout)
`;

describe('repokit index', () => {
  it('--help prints the usage; a bad option or a missing DIR is a usage error', async () => {
    const h = await cli(['index', '--help']);
    expect(h.status).toBe(0);
    expect(h.out).toContain('Usage: repokit index DIR [options]');
    expect((await cli(['index'])).status).toBe(2);
    expect((await cli(['index', tempDir(), '--format', 'deb'])).status).toBe(2);
    expect((await cli(['index', tempDir(), '--jobs', '0'])).status).toBe(2);
  });

  it('a directory without packages is a data error unless --format asks for an empty index', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'x.txt'), 'hello');
    const r = await cli(['index', dir]);
    expect(r.status).toBe(1);
    expect(r.err).toContain('no pacman, xbps or RPM packages');
    const e = await cli(['index', dir, '--format', 'alpm', '--name', 'empty']);
    expect(e.status).toBe(0);
    expect(existsSync(join(dir, 'empty.db.tar.gz'))).toBe(true);
  });

  const missing = missingTools(['pacman']);
  const noPython = requireTool('python3-rpm');
  const why = [missing, noPython, HAVE_XBPS_CORPUS ? null : NO_CORPUS].filter((x) => x !== null);
  it.skipIf(why.length > 0)(`indexes RPMs, pacman and xbps packages of one directory; pacman, python3-rpm and xbps-rindex's golden output agree${why.length ? ` (skipped: ${why.join('; ')})` : ''}`, async () => {
    const dir = mixedDir(true);
    const r = await cli(['index', dir]);
    expect(r.err).toBe('');
    expect(r.status).toBe(0);
    expect(r.out).toMatch(/^alpm: 3 packages in the index; 3 added, 0 replaced, 0 skipped$/m);
    expect(r.out).toMatch(/^xbps x86_64: 8 packages in the index; 8 added, 0 replaced, 0 skipped$/m);
    expect(r.out).toMatch(/^aptrpm: 2 packages in the index; 2 added, 0 replaced, 1 skipped$/m);
    expect(r.out).toContain('skipped   hello-1.0-1.src.rpm: source-package');

    // pacman reads the ALPM database.
    const pacman = new Pacman([{ name: 'mixed', dir }]);
    pacman.run(['-Sy']);
    expect(pacman.run(['-Sl', 'mixed']).trim().split('\n').sort()).toEqual(['mixed hello 1.0-1', 'mixed hello-doc 0.9-3', 'mixed libgreet 2.1-1']);

    // python3-rpm reads the pkglist (as apt does: headers with their magic, back to back).
    const [list] = runPythonRpm<[string, string, string, number][][]>(PY_PKGLIST, [join(dir, 'noarch', 'base', 'pkglist.classic')]);
    expect(list!.map((h) => [h[0], h[1], h[2]]).sort()).toEqual([
      ['hello', '1:1.0-1', 'hello-1.0-1.noarch.rpm'],
      ['plain', '2.0-1', 'plain-2.0-1.noarch.rpm'],
    ]);
    for (const h of list!) expect(h[3]).toBe(readFileSync(join(dir, 'noarch', 'RPMS.classic', h[2])).length);

    // The xbps repodata is xbps-rindex's (same uncompressed tar; both zstd).
    const golden = await decompressGolden(new Uint8Array(readFileSync(join(ZSTD_REPO, 'x86_64-repodata'))));
    const mine = await decompressGolden(new Uint8Array(readFileSync(join(dir, 'x86_64-repodata'))));
    expect([...parseTar(mine)].map((m) => m.entry.name)).toEqual([...parseTar(golden)].map((m) => m.entry.name));
    expect(Buffer.from(mine).equals(Buffer.from(golden))).toBe(true);

    // A second run changes nothing.
    const before = snapshot(dir);
    const again = await cli(['index', dir]);
    expect(again.status).toBe(0);
    expect(again.out.match(/nothing to write/g)).toHaveLength(3);
    expect(snapshot(dir)).toEqual(before);
  }, 120_000);

  it('--format picks one kind; --json prints the summary as JSON; a terminal gets a progress bar on stderr', async () => {
    const dir = mixedDir(false);
    const r = await cli(['index', dir, '--format', 'alpm', '--name', 'core', '--compression', 'zstd', '--json'], true);
    expect(r.status).toBe(0);
    const report = JSON.parse(r.out) as { format: string; files: string[]; added: { name: string }[] }[];
    expect(report).toHaveLength(1);
    expect(report[0]!.format).toBe('alpm');
    expect(report[0]!.files).toEqual([join(dir, 'core.db.tar.zst'), join(dir, 'core.files.tar.zst')]);
    expect(report[0]!.added.map((a) => a.name).sort()).toEqual(['hello', 'hello-doc', 'libgreet']);
    expect(r.err).toContain('\r');
    expect(r.err).toContain('read');
    expect(existsSync(join(dir, 'noarch'))).toBe(false);
    // Not a terminal: quiet.
    const q = await cli(['index', dir, '--format', 'aptrpm']);
    expect(q.status).toBe(0);
    expect(q.err).toBe('');
  });
});
