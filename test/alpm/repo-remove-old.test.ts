/**
 * repoAdd's `removeOld` (repo-add `-R`): replaced package files and their `.sig`s are deleted
 * from the repository directory once the databases are written, never a file a hostile
 * `%FILENAME%` points outside it, never a package being added; and the directory ends up as
 * the real `repo-add -R` leaves it.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeDesc } from '../../src/alpm/codecs.js';
import { readSyncDb, repoAdd } from '../../src/alpm/database.js';
import { gzip, missingTools, rawTar, tempRepo, tinyPackage, type TempRepo } from '../helpers/alpm-packages.js';

const repo = (): TempRepo => tempRepo('repokit-alpm-rmold-');

const packageFiles = (dir: string): string[] => readdirSync(dir).filter((f) => f.includes('.pkg.tar')).sort();

describe('repoAdd removeOld (repo-add -R)', () => {
  it("deletes the replaced package's file and .sig after writing, and reports them", async () => {
    const r = repo();
    const db = join(r.dir, 'test.db.tar.gz');
    await repoAdd(db, [r.pkg('a', '1-1', true), r.pkg('b', '1-1')]);
    const res = await repoAdd(db, [r.pkg('a', '2-1')], { removeOld: true });
    expect(res.outcomes[0]).toMatchObject({ action: 'replaced', replaced: ['a-1-1'] });
    expect(res.outcomes[0]!.removedFiles).toEqual([join(r.dir, 'a-1-1-any.pkg.tar.gz'), join(r.dir, 'a-1-1-any.pkg.tar.gz.sig')]);
    expect(packageFiles(r.dir)).toEqual(['a-2-1-any.pkg.tar.gz', 'b-1-1-any.pkg.tar.gz']);
    expect((await readSyncDb(db)).entries.map((e) => e.dir).sort()).toEqual(['a-2-1', 'b-1-1']);
  });

  it('deletes nothing without the option, and nothing for a package that is new', async () => {
    const r = repo();
    const db = join(r.dir, 'test.db.tar.gz');
    await repoAdd(db, [r.pkg('a', '1-1', true)]);
    await repoAdd(db, [r.pkg('a', '2-1')]);
    expect(packageFiles(r.dir)).toEqual(['a-1-1-any.pkg.tar.gz', 'a-1-1-any.pkg.tar.gz.sig', 'a-2-1-any.pkg.tar.gz']);
    const res = await repoAdd(db, [r.pkg('c', '1-1')], { removeOld: true });
    expect(res.outcomes[0]).toMatchObject({ action: 'added', removedFiles: [] });
    expect(packageFiles(r.dir)).toHaveLength(4);
  });

  it('never deletes a package that is being added (the same file added again)', async () => {
    const r = repo();
    const db = join(r.dir, 'test.db.tar.gz');
    const p = r.pkg('a', '1-1');
    await repoAdd(db, [p]);
    const res = await repoAdd(db, [p], { removeOld: true, force: true });
    expect(res.outcomes[0]).toMatchObject({ action: 'replaced', removedFiles: [] });
    expect(existsSync(p)).toBe(true);
  });

  it('does not follow a %FILENAME% that leaves the repository directory', async () => {
    const root = mkdtempSync(join(tmpdir(), 'repokit-alpm-rmold-hostile-'));
    const dir = join(root, 'repo');
    mkdirSync(dir);
    const victim = join(root, 'victim.pkg.tar.gz');
    writeFileSync(victim, 'keep me');
    const desc = encodeDesc({ name: 'a', version: '1-1', filename: '../victim.pkg.tar.gz', arch: 'any', csize: 7, isize: 7 } as Parameters<typeof encodeDesc>[0]);
    writeFileSync(join(dir, 'test.db.tar.gz'), gzip(rawTar([{ name: 'a-1-1/', type: '5' }, { name: 'a-1-1/desc', data: desc }])));
    // The tolerant reader keeps the name (with a warning): the guard in repoAdd is what protects.
    expect((await readSyncDb(join(dir, 'test.db.tar.gz'))).entries[0]!.entry.filename).toBe('../victim.pkg.tar.gz');
    const p = join(dir, 'a-2-1-any.pkg.tar.gz');
    writeFileSync(p, tinyPackage('a', '2-1'));
    const res = await repoAdd(join(dir, 'test.db.tar.gz'), [p], { removeOld: true });
    expect(res.outcomes[0]).toMatchObject({ action: 'replaced', replaced: ['a-1-1'], removedFiles: [] });
    expect(existsSync(victim)).toBe(true);
  });
});

const missing = missingTools(['repo-add', 'bsdtar']);

describe.skipIf(missing !== null)(`removeOld against repo-add -R${missing !== null ? ` (skipped: ${missing})` : ''}`, () => {
  it('leaves the same package files behind as repo-add -R', async () => {
    const sides = [repo(), repo()];
    for (const r of sides) {
      r.pkg('a', '1-1', true);
      r.pkg('b', '1-1');
      r.pkg('a', '2-1');
      r.pkg('b', '2-1', true);
    }
    const [ra, rk] = sides as [TempRepo, TempRepo];
    const run = (args: string[]): void => {
      const out = spawnSync('repo-add', ['-q', '--nocolor', ...args], { encoding: 'utf8', env: { ...process.env, LC_ALL: 'C.UTF-8' } });
      expect(out.status, out.stderr).toBe(0);
    };
    const f = (r: typeof ra, n: string) => join(r.dir, n);
    run([f(ra, 'test.db.tar.gz'), f(ra, 'a-1-1-any.pkg.tar.gz'), f(ra, 'b-1-1-any.pkg.tar.gz')]);
    run(['-R', f(ra, 'test.db.tar.gz'), f(ra, 'a-2-1-any.pkg.tar.gz'), f(ra, 'b-2-1-any.pkg.tar.gz')]);
    await repoAdd(f(rk, 'test.db.tar.gz'), [f(rk, 'a-1-1-any.pkg.tar.gz'), f(rk, 'b-1-1-any.pkg.tar.gz')]);
    await repoAdd(f(rk, 'test.db.tar.gz'), [f(rk, 'a-2-1-any.pkg.tar.gz'), f(rk, 'b-2-1-any.pkg.tar.gz')], { removeOld: true });
    expect(packageFiles(rk.dir)).toEqual(packageFiles(ra.dir));
    expect(packageFiles(rk.dir)).toEqual(['a-2-1-any.pkg.tar.gz', 'b-2-1-any.pkg.tar.gz', 'b-2-1-any.pkg.tar.gz.sig']);
  });
});
