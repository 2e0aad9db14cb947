/** `repokit aptrpm index|list|verify`, run in-process through run(). */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { run } from '../../src/cli/cli.js';
import { headerToJson } from '../../src/rpm/index.js';
import { parsePkglist } from '../../src/aptrpm/index.js';
import { APT_CORPUS, RPM_GENERATED, describeWithCompressors } from './helpers.js';

const top = mkdtempSync(join(tmpdir(), 'repokit-aptrpm-cli-'));
afterAll(() => rmSync(top, { recursive: true, force: true }));

async function cli(argv: string[], stdin = new Uint8Array()): Promise<{ status: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const status = await run(argv, { io: { out: (s) => (out += s), err: (s) => (err += s) }, readStdin: async () => stdin });
  return { status, out, err };
}

describe('aptrpm usage', () => {
  it('help texts and usage errors', async () => {
    for (const cmd of [[], ['index'], ['list'], ['verify']]) {
      const r = await cli(['aptrpm', ...cmd, '--help']);
      expect(r.status).toBe(0);
      expect(r.out).toMatch(new RegExp(`^Usage: repokit aptrpm${cmd.length ? ` ${cmd[0]}` : ''} `));
      if (cmd.length) expect(r.out).toContain('Exit status');
    }
    expect((await cli(['aptrpm'])).status).toBe(2);
    expect((await cli(['aptrpm', 'bogus'])).status).toBe(2);
    const noArch = await cli(['aptrpm', 'index', top]);
    expect(noArch.status).toBe(2);
    expect(noArch.err).toContain('missing --arch ARCH');
    expect((await cli(['aptrpm', 'index', top, '--arch', 'x', '--compress', 'lz4'])).status).toBe(2);
    expect((await cli(['aptrpm', 'list'])).status).toBe(2);
  });

  it('the main help lists the aptrpm commands', async () => {
    expect((await cli(['--help'])).out).toContain('  aptrpm index ROOT ');
  });
});

describeWithCompressors('aptrpm index, list, verify', ['xz', 'bzip2'], () => {
  it('index builds the tree (honouring SOURCE_DATE_EPOCH), list prints it, verify checks it', async () => {
    const root = join(top, 'repo');
    const dir = join(root, 'x86_64', 'RPMS.classic');
    mkdirSync(dir, { recursive: true });
    for (const f of readdirSync(RPM_GENERATED).filter((x) => x.endsWith('.x86_64.rpm'))) copyFileSync(join(RPM_GENERATED, f), join(dir, f));
    const before = process.env['SOURCE_DATE_EPOCH'];
    process.env['SOURCE_DATE_EPOCH'] = '1700000000';
    let r;
    try {
      r = await cli(['aptrpm', 'index', root, '--arch', 'x86_64', '--compress', 'xz,bz2', '--stripped-filelists', '--label', 'AuroraCorpus']);
    } finally {
      if (before === undefined) delete process.env['SOURCE_DATE_EPOCH'];
      else process.env['SOURCE_DATE_EPOCH'] = before;
    }
    expect(r.err).toBe('');
    expect(r.status).toBe(0);
    expect(r.out).toContain('classic: 3 packages');
    const base = join(root, 'x86_64', 'base');
    // Stripped lists: the same bytes as the corpus' genpkglist emulation.
    expect(readFileSync(join(base, 'pkglist.classic')).equals(readFileSync(join(APT_CORPUS, 'generated', 'x86_64', 'base', 'pkglist.classic')))).toBe(true);
    const release = readFileSync(join(base, 'release'), 'utf8');
    expect(release).toContain('Date: Tue, 14 Nov 2023 22:13:20 +0000\n');
    expect(release).toContain('Label: AuroraCorpus\n');

    const list = await cli(['aptrpm', 'list', join(base, 'pkglist.classic.xz')]);
    expect(list.status).toBe(0);
    expect(list.out.trim().split('\n').map((l) => l.split(/\s+/).slice(0, 3).join(' '))).toEqual([
      'aurora-core 3:2.4.1-7 x86_64',
      'aurora-core-devel 3:2.4.1-7 x86_64',
      'aurora-lib 1.2.3-1 x86_64',
    ]);
    const json = await cli(['aptrpm', 'list', '--json', join(base, 'pkglist.classic.bz2')]);
    expect(json.status).toBe(0);
    const want = [...parsePkglist(readFileSync(join(base, 'pkglist.classic')))].map((e) => headerToJson(e.header));
    expect(JSON.parse(json.out)).toEqual(JSON.parse(JSON.stringify(want)));
    const stdin = await cli(['aptrpm', 'list', '--json', '-'], readFileSync(join(base, 'pkglist.classic.xz')));
    expect(JSON.parse(stdin.out)).toEqual(JSON.parse(json.out));

    const ok = await cli(['aptrpm', 'verify', root, '--arch', 'x86_64']);
    expect(ok.status).toBe(0);
    expect(ok.out.split('\n').filter((l) => l.startsWith('ok ')).length).toBe(4 + 3); // pkglist, .bz2, .xz, release.classic; 3 packages
    writeFileSync(join(base, 'pkglist.classic'), 'x');
    const bad = await cli(['aptrpm', 'verify', '--json', root, '--arch', 'x86_64']);
    expect(bad.status).toBe(1);
    expect(JSON.parse(bad.out).files.find((f: { path: string }) => f.path === 'base/pkglist.classic').status).toBe('size');
    expect(bad.err).toContain('do not match');
  });
}, { needsCorpus: true });

describe('aptrpm exit status', () => {
  it('data errors: exit 1 with the file named', async () => {
    const garbage = join(top, 'garbage');
    writeFileSync(garbage, 'not a pkglist at all');
    const r = await cli(['aptrpm', 'list', garbage]);
    expect(r.status).toBe(1);
    expect(r.err).toMatch(/^repokit: .*garbage: header: bad magic/);
    const idx = await cli(['aptrpm', 'index', join(top, 'empty'), '--arch', 'x86_64', '--json']);
    expect(idx.status).toBe(1);
    expect(JSON.parse(idx.out).error.code).toBe('IO_ERROR');
    const ver = await cli(['aptrpm', 'verify', join(top, 'empty'), '--arch', 'x86_64']);
    expect(ver.status).toBe(1);
  });
});
