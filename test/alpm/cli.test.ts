/**
 * `repokit alpm ...` in-process: add/remove/list/vercmp output, the `list --json` shape from the
 * issue, exit statuses (0 ok, 1 data error, 2 usage), and that every help text in docs/cli.md
 * is the one the command prints.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { run } from '../../src/cli/cli.js';
import { tempRepo, type TempRepo } from '../helpers/alpm-packages.js';
import { hasTool, missingToolNote } from '../shared/tools.js';

async function cli(...argv: string[]): Promise<{ status: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const status = await run(argv, { io: { out: (s) => (out += s), err: (s) => (err += s) }, readStdin: async () => new Uint8Array() });
  return { status, out, err };
}

const repo = (): TempRepo => tempRepo('repokit-alpm-cli-');

const CORPUS = new URL('../../../shared/corpus/alpm/', import.meta.url).pathname;

describe('repokit alpm', () => {
  it('add, list, remove', async () => {
    const r = repo();
    const db = join(r.dir, 'cli.db.tar.gz');
    let x = await cli('alpm', 'add', db, r.pkg('a', '1-1'), r.pkg('b', '2:1.0-3'));
    expect(x).toEqual({ status: 0, out: 'added a 1-1\nadded b 2:1.0-3\n', err: '' });
    x = await cli('alpm', 'add', '--new', db, r.pkg('a', '1-1'));
    expect(x.out).toBe('skipped a 1-1 (already in the database)\n');
    x = await cli('alpm', 'add', db, r.pkg('a', '1-2'));
    expect(x.out).toBe('replaced a 1-2 (was a-1-1)\n');
    x = await cli('alpm', 'add', db, r.pkg('a', '1-0'));
    expect(x.status).toBe(1);
    expect(x.err).toMatch(/^repokit: .*a-1-0-any\.pkg\.tar\.gz: a 1-0 is older than 1-2/);
    expect((await cli('alpm', 'add', '--force', db, r.pkg('a', '1-0'))).out).toBe('replaced a 1-0 (was a-1-2)\n');
    expect(await cli('alpm', 'list', join(r.dir, 'cli.db'))).toEqual({ status: 0, out: 'a 1-0\nb 2:1.0-3\n', err: '' });
    expect(await cli('alpm', 'remove', db, 'a')).toEqual({ status: 0, out: 'removed a-1-0\n', err: '' });
    x = await cli('alpm', 'remove', db, 'nope');
    expect(x.status).toBe(1);
    expect(x.err).toMatch(/no package named "nope"/);
    expect((await cli('alpm', 'list', db)).out).toBe('b 2:1.0-3\n');
  });

  it("add -R deletes the replaced package's file and says so", async () => {
    const r = repo();
    const db = join(r.dir, 'rm.db.tar.gz');
    const old = r.pkg('a', '1-1');
    await cli('alpm', 'add', db, old);
    const x = await cli('alpm', 'add', '-R', db, r.pkg('a', '1-2'));
    expect(x).toEqual({ status: 0, out: `replaced a 1-2 (was a-1-1)\nremoved ${old}\n`, err: '' });
    expect(existsSync(old)).toBe(false);
  });

  it('add and remove keep the replaced archives as .old, unless --no-backup', async () => {
    const r = repo();
    const db = join(r.dir, 'old.db.tar.gz');
    await cli('alpm', 'add', db, r.pkg('a', '1-1'));
    expect(existsSync(`${db}.old`)).toBe(false);
    const first = readFileSync(db);
    expect((await cli('alpm', 'add', db, r.pkg('b', '1-1'))).status).toBe(0);
    expect(readFileSync(`${db}.old`)).toEqual(first);
    expect(existsSync(join(r.dir, 'old.files.tar.gz.old'))).toBe(true);
    const second = readFileSync(db);
    expect((await cli('alpm', 'remove', '--no-backup', db, 'a')).status).toBe(0);
    expect(readFileSync(`${db}.old`)).toEqual(first);
    expect((await cli('alpm', 'add', '--no-backup', db, r.pkg('c', '1-1'))).status).toBe(0);
    expect(readFileSync(`${db}.old`)).toEqual(first);
    expect(readFileSync(db)).not.toEqual(second);
    expect((await cli('alpm', 'remove', db, 'c')).status).toBe(0);
    expect((await cli('alpm', 'list', `${db}.old`)).out).toBe('b 1-1\nc 1-1\n');
  });

  it('add/remove --key without --sign is a usage error', async () => {
    const r = repo();
    const db = join(r.dir, 'k.db.tar.gz');
    expect((await cli('alpm', 'add', '--key', 'ABCD', db, r.pkg('a', '1-1'))).status).toBe(2);
    expect((await cli('alpm', 'remove', '-k', 'ABCD', db, 'a')).status).toBe(2);
    expect(existsSync(db)).toBe(false);
  });

  it.skipIf(!hasTool('gpg'))(`add --sign and --verify run gpg with $GNUPGHOME and $GPGKEY${missingToolNote('gpg')}`, async () => {
    const home = mkdtempSync(join(tmpdir(), 'repokit-cli-gpg-'));
    const gen = spawnSync('gpg', ['--homedir', home, '--batch', '--passphrase', '', '--quick-gen-key', 'cli test <cli@example.invalid>', 'ed25519', 'sign', 'never'], { encoding: 'utf8' });
    expect(gen.status, gen.stderr).toBe(0);
    const saved = { home: process.env['GNUPGHOME'], key: process.env['GPGKEY'] };
    process.env['GNUPGHOME'] = home;
    process.env['GPGKEY'] = 'cli@example.invalid';
    try {
      const r = repo();
      const db = join(r.dir, 's.db.tar.gz');
      let x = await cli('alpm', 'add', '-s', db, r.pkg('a', '1-1'));
      expect(x).toEqual({ status: 0, out: 'added a 1-1\n', err: `repokit: signed ${db}.sig\nrepokit: signed ${join(r.dir, 's.files.tar.gz.sig')}\n` });
      x = await cli('alpm', 'add', '-v', '-s', db, r.pkg('b', '1-1'));
      expect(x.status, x.err).toBe(0);
      writeFileSync(`${db}.sig`, readFileSync(join(r.dir, 's.files.tar.gz.sig')));
      x = await cli('alpm', 'remove', '--verify', db, 'a');
      expect(x.status).toBe(1);
      expect(x.err).toMatch(/ALPM_DB_BAD_SIGNATURE|signature does not verify/);
      x = await cli('alpm', 'add', '--sign', '--key', 'nobody@example.invalid', db, r.pkg('c', '1-1'));
      expect(x.status).toBe(1);
      expect(x.err).toMatch(/signing failed/);
    } finally {
      for (const [k, v] of [['GNUPGHOME', saved.home], ['GPGKEY', saved.key]] as const) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  });

  it('add --desc-version 1 --include-sigs writes %MD5SUM% and %PGPSIG%', async () => {
    const r = repo();
    const db = join(r.dir, 'v1.db.tar.zst');
    const p = r.pkg('s', '1-1');
    writeFileSync(`${p}.sig`, new Uint8Array([1, 2, 3]));
    expect((await cli('alpm', 'add', '--desc-version', '1', '--include-sigs', db, p)).status).toBe(0);
    const [e] = JSON.parse((await cli('alpm', 'list', '--json', db)).out) as Record<string, unknown>[];
    expect(e!['md5sum']).toMatch(/^[0-9a-f]{32}$/);
    expect(e!['pgpsig']).toBe('AQID');
  });

  it('list --json: lower-case desc keys, arrays for lists, numbers for sizes and dates, files for .files', async () => {
    const r = repo();
    const db = join(r.dir, 'j.db.tar.xz');
    await cli('alpm', 'add', db, r.pkg('j', '1-1'));
    const [e] = JSON.parse((await cli('alpm', 'list', '--json', db)).out) as Record<string, unknown>[];
    expect(Object.keys(e!)).toEqual([
      'filename', 'name', 'base', 'version', 'desc', 'groups', 'csize', 'isize', 'md5sum', 'sha256sum', 'pgpsig', 'url',
      'license', 'arch', 'builddate', 'packager', 'replaces', 'conflicts', 'provides', 'depends', 'optdepends',
      'makedepends', 'checkdepends',
    ]);
    expect(e).toMatchObject({ name: 'j', version: '1-1', isize: 4, builddate: 1700000000, license: ['MIT'], groups: [], md5sum: null, pgpsig: null });
    expect(typeof e!['csize']).toBe('number');
    const [f] = JSON.parse((await cli('alpm', 'list', '--json', join(r.dir, 'j.files'))).out) as Record<string, unknown>[];
    expect(f!['files']).toEqual(['usr/', 'usr/j']);
  });

  const haveGenerated = existsSync(join(CORPUS, 'generated'));
  it.skipIf(!haveGenerated)(`list --json over a repo-add database with relations${haveGenerated ? '' : ` (skipped: the shared corpus is absent: no ${join(CORPUS, 'generated')})`}`, async () => {
    const x = await cli('alpm', 'list', '--json', join(CORPUS, 'generated', 'db', 'gz', 'nimbus.db.tar.gz'));
    expect(x.status).toBe(0);
    const rel = (JSON.parse(x.out) as Record<string, unknown>[]).find((e) => e['name'] === 'nimbus-relations')!;
    expect(rel['optdepends']).toContain('nimbus-docs>=0.7: offline documentation');
    expect(rel['licenses']).toBeUndefined();
    expect((rel['license'] as string[]).length).toBe(2);
  });

  it('data errors exit 1 (with --json: an error object), usage errors exit 2', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'repokit-alpm-cli-'));
    const bad = join(dir, 'bad.db.tar.gz');
    writeFileSync(bad, new Uint8Array([0x1f, 0x8b, 8, 0, 0, 0]));
    let x = await cli('alpm', 'list', '--json', bad);
    expect(x.status).toBe(1);
    expect(JSON.parse(x.out).error.file).toBe(bad);
    expect(x.err).toMatch(/^repokit: /);
    expect((await cli('alpm', 'list')).status).toBe(2);
    expect((await cli('alpm', 'add', bad)).status).toBe(2);
    expect((await cli('alpm', 'frob')).status).toBe(2);
    expect((await cli('alpm', 'add', '--desc-version', '3', bad, bad)).status).toBe(2);
    x = await cli('alpm', 'add', join(dir, 'plain.tar.gz'), bad);
    expect(x.status).toBe(1);
    expect(x.err).toMatch(/database archive extension/);
    expect((await cli('alpm')).status).toBe(2);
  });

  it.skipIf(!hasTool('vercmp'))(`vercmp prints what pacman's vercmp prints${missingToolNote('vercmp')}`, async () => {
    const pairs: [string, string][] = [['1.0', '1.0-1'], ['1:1.0', '2.0'], ['1.0rc', '1.0'], ['1.5.b', '1.5.a'], ['2___a', '2_a']];
    for (const [a, b] of pairs) {
      const x = await cli('alpm', 'vercmp', a, b);
      expect(x.status).toBe(0);
      expect(x.out, `${a} ${b}`).toBe(spawnSync('vercmp', [a, b], { encoding: 'utf8' }).stdout);
    }
  });

  it('vercmp --json, -- before a leading dash, and a missing operand', async () => {
    expect(JSON.parse((await cli('alpm', 'vercmp', '--json', '1', '2')).out)).toEqual({ a: '1', b: '2', result: -1 });
    expect((await cli('alpm', 'vercmp', '--', '-1', '1')).status).toBe(0);
    expect((await cli('alpm', 'vercmp', '1')).status).toBe(2);
  });

  it('docs/cli.md holds every help text verbatim, and the main help lists the commands', async () => {
    const doc = readFileSync(new URL('../../docs/cli.md', import.meta.url), 'utf8');
    for (const args of [['alpm', '--help'], ['alpm', 'add', '--help'], ['alpm', 'remove', '--help'], ['alpm', 'list', '--help'], ['alpm', 'vercmp', '--help']]) {
      const x = await cli(...args);
      expect(x.status).toBe(0);
      expect(doc, args.join(' ')).toContain(`\`\`\`text\n${x.out}\`\`\``);
    }
    const main = await cli('--help');
    expect(main.out).toMatch(/alpm add DB PKG\.\.\./);
    expect(main.out).toMatch(/alpm vercmp A B/);
  });
});
