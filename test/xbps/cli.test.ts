/**
 * `repokit xbps ...` run in-process through the CLI's run(): exit statuses, the text and JSON
 * shapes, index/clean/sign end to end in a temporary repository, and the help texts being the ones
 * in docs/cli.md.
 */
import { generateKeyPairSync, verify } from 'node:crypto';
import { existsSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { run } from '../../src/cli/cli.js';
import { CLEAN_HELP, CMPVER_HELP, INDEX_HELP, LIST_HELP, XBPS_HELP } from '../../src/cli/xbps.js';
import { writeRepodata } from '../../src/xbps/repodata-write.js';
import { plistInteger } from '../../src/xbps/types.js';
import { haveTools, makePackage } from './repodata-fixtures.js';
import { REPO_ROOT, tempRepo } from './repodata-corpus.js';

async function cli(argv: string[], stdin = new Uint8Array()): Promise<{ status: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const status = await run(argv, { io: { out: (s) => (out += s), err: (s) => (err += s) }, readStdin: async () => stdin });
  return { status, out, err };
}

const NO_TOOLS = haveTools();
let dir = '';
let cleanup = () => undefined as void;
beforeEach(() => {
  ({ dir, cleanup } = tempRepo());
});
afterEach(() => cleanup());

describe('repokit xbps: help and usage', () => {
  it.each([
    [[], XBPS_HELP],
    [['index'], INDEX_HELP],
    [['clean'], CLEAN_HELP],
    [['list'], LIST_HELP],
    [['cmpver'], CMPVER_HELP],
  ])('--help of xbps %s is printed and is in docs/cli.md', async (sub, text) => {
    const r = await cli(['xbps', ...sub, '--help']);
    expect(r).toEqual({ status: 0, out: text, err: '' });
    expect(readFileSync(join(REPO_ROOT, 'docs', 'cli.md'), 'utf8')).toContain('```text\n' + text + '```');
  });

  it('the main help lists the xbps commands', async () => {
    expect((await cli(['--help'])).out).toMatch(/xbps index DIR\|PKG\.\.\. .*\n.*xbps clean DIR/);
  });

  it('usage errors exit 2 with a hint', async () => {
    expect(await cli(['xbps', 'frobnicate'])).toMatchObject({ status: 2, err: expect.stringContaining("Try 'repokit xbps --help'") });
    expect((await cli(['xbps', 'index', dir, '--sign', 'k.pem'])).status).toBe(2);
    expect((await cli(['xbps', 'index', dir, '--compression', 'lzip'])).status).toBe(2);
    expect((await cli(['xbps', 'cmpver', '1'])).status).toBe(2);
    expect((await cli(['xbps', 'list'])).status).toBe(2);
  });
});

describe('repokit xbps cmpver', () => {
  it('prints -1, 0 or 1 as xbps_cmpver decides', async () => {
    expect((await cli(['xbps', 'cmpver', 'foo-1.0_1', 'foo-1.0_2'])).out).toBe('-1\n');
    expect((await cli(['xbps', 'cmpver', '1.0rc1_1', '1.0pre1_1'])).out).toBe('0\n');
    expect((await cli(['xbps', 'cmpver', '1.10_1', '1.9_1'])).out).toBe('1\n');
    expect(JSON.parse((await cli(['xbps', 'cmpver', '--json', 'a-1_1', 'a-1_1'])).out)).toEqual({ a: 'a-1_1', b: 'a-1_1', result: 0 });
  });
});

describe('repokit xbps list', () => {
  it('--json: keyed by name; integers as numbers when exact, else decimal strings; data as base64', async () => {
    const dict = new Map<string, import('../../src/xbps/types.js').PlistValue>([
      ['pkgver', 'big-1.0_1'],
      ['architecture', 'noarch'],
      ['installed_size', plistInteger(2n ** 60n)],
      ['filename-size', plistInteger(1462850943)],
      ['install-msg', new TextEncoder().encode('hi\n')],
      ['preserve', true],
    ]);
    const path = join(dir, 'x86_64-repodata');
    writeFileSync(path, await writeRepodata({ index: new Map([['big', { pkgname: 'big', pkgver: 'big-1.0_1', dict }]]) }));
    const r = await cli(['xbps', 'list', '--json', path]);
    expect(r.status).toBe(0);
    expect(JSON.parse(r.out)).toEqual({
      big: { architecture: 'noarch', 'filename-size': 1462850943, 'install-msg': 'aGkK', installed_size: '1152921504606846976', pkgver: 'big-1.0_1', preserve: true },
    });
    expect((await cli(['xbps', 'list', path])).out).toBe('big-1.0_1  noarch\n');
    expect((await cli(['xbps', 'list', '-'], new Uint8Array(readFileSync(path)))).out).toBe('big-1.0_1  noarch\n');
  });

  it('a file that is no repodata: exit 1, one line on stderr; --json also prints the error object', async () => {
    const path = join(dir, 'x86_64-repodata');
    writeFileSync(path, 'not a repodata');
    const r = await cli(['xbps', 'list', path]);
    expect(r).toMatchObject({ status: 1, out: '' });
    expect(r.err).toBe(`repokit: ${path}: neither a repodata archive nor a plist index (at byte 0)\n`);
    const j = await cli(['xbps', 'list', '--json', path]);
    expect(JSON.parse(j.out)).toEqual({ error: { code: 'XBPS_BAD_REPODATA', message: 'neither a repodata archive nor a plist index', file: path, offset: 0 } });
  });
});

describe.skipIf(NO_TOOLS !== null)(`repokit xbps index/clean end to end${NO_TOOLS ? ` (skipped: ${NO_TOOLS})` : ''}`, () => {
  it('index DIR, re-index (nothing to do), sign, clean', async () => {
    const a = makePackage(dir, { pkgver: 'alpha-1.0_1' });
    makePackage(dir, { pkgver: 'beta-2.0_1', arch: 'noarch' });
    makePackage(dir, { pkgver: 'gamma-1.0_1', arch: 'aarch64' });
    let r = await cli(['xbps', 'index', '--arch', 'x86_64', dir]);
    expect(r).toEqual({
      status: 0,
      out: "index: added `alpha-1.0_1' (x86_64).\nindex: added `beta-2.0_1' (x86_64).\nindex: 2 packages registered.\n",
      err: '',
    });
    r = await cli(['xbps', 'index', '--arch', 'x86_64', dir]);
    expect(r.out).toContain('index: nothing to do (no package added)\n');

    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const key = join(dir, 'key.pem');
    writeFileSync(key, privateKey.export({ type: 'pkcs8', format: 'pem' }));
    r = await cli(['xbps', 'index', '--arch', 'x86_64', '--sign', key, '--signed-by', 'CLI test', dir]);
    expect(r.status).toBe(0);
    expect(verify('sha256', readFileSync(a), publicKey, readFileSync(`${a}.sig2`))).toBe(true);
    const json = JSON.parse((await cli(['xbps', 'list', '--json', join(dir, 'x86_64-repodata')])).out) as Record<string, unknown>;
    expect(Object.keys(json)).toEqual(['alpha', 'beta']);

    const b = join(dir, 'beta-2.0_1.noarch.xbps');
    unlinkSync(b);
    r = await cli(['xbps', 'clean', '--arch', 'x86_64', dir]);
    expect(r).toEqual({ status: 0, out: 'index: removed pkg beta-2.0_1\n', err: '' });

    // A newer alpha makes the old file obsolete: clean has nothing to do, remove-obsoletes deletes it and its .sig2.
    makePackage(dir, { pkgver: 'alpha-1.0_2' });
    expect((await cli(['xbps', 'index', '--arch', 'x86_64', dir])).status).toBe(0);
    r = await cli(['xbps', 'clean', '--arch', 'x86_64', '--remove-obsoletes', dir]);
    expect(r.out).toBe("index: nothing to clean\nRemoved obsolete package `alpha-1.0_1.x86_64.xbps'.\n");
    expect(existsSync(a) || existsSync(`${a}.sig2`)).toBe(false);
  });

  it('index PKG... with --compression and --force; a broken package is exit 1 naming the file', async () => {
    const a = makePackage(dir, { pkgver: 'alpha-1.0_1' });
    expect((await cli(['xbps', 'index', '--arch', 'x86_64', '--compression', 'gzip', a])).status).toBe(0);
    expect(readFileSync(join(dir, 'x86_64-repodata')).subarray(0, 2).toString('hex')).toBe('1f8b');
    expect((await cli(['xbps', 'index', '--arch', 'x86_64', '--compression', 'lz4', '-f', a])).status).toBe(0);
    expect(readFileSync(join(dir, 'x86_64-repodata')).subarray(0, 4).toString('hex')).toBe('04224d18');
    expect((await cli(['xbps', 'list', join(dir, 'x86_64-repodata')])).out).toContain('alpha-1.0_1');
    expect((await cli(['xbps', 'index', '--arch', 'x86_64', a])).out).toBe("index: skipping `alpha-1.0_1' (x86_64), already registered.\nindex: nothing to do (no package added)\n");
    expect((await cli(['xbps', 'index', '--arch', 'x86_64', '-f', a])).out).toContain("index: added `alpha-1.0_1' (x86_64).");
    const missingKey = await cli(['xbps', 'index', '--arch', 'x86_64', '--sign', join(dir, 'nokey.pem'), '--signed-by', 'x', a]);
    expect(missingKey.status).toBe(1);
    expect(missingKey.err).toBe(`repokit: ${join(dir, 'nokey.pem')}: cannot read the key: ENOENT\n`);
    const bad = join(dir, 'bad-1.0_1.x86_64.xbps');
    writeFileSync(bad, 'garbage');
    const r = await cli(['xbps', 'index', '--arch', 'x86_64', bad]);
    expect(r.status).toBe(1);
    expect(r.err).toMatch(new RegExp(`^repokit: ${bad}: .*\\n$`));
  });
});
