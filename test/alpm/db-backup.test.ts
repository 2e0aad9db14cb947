/**
 * `.old` backups of the database archives (repo-add's rotate_db): the archives being replaced are
 * hard-linked to `<archive>.old`, their signatures to `<archive>.old.sig`, and a stale `.old.sig`
 * goes when the archive moved aside has no signature. Then the same sequence of runs with
 * repo-add and with repokit, compared file by file.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { gpgSigner, readSyncDb, repoAdd, repoRemove, writeSyncDb, type DbSigner } from '../../src/alpm/database.js';
import { missingTools, tempRepo, type TempRepo } from '../helpers/alpm-packages.js';

const fakeSig = (data: Uint8Array): Uint8Array => new Uint8Array([0x88, ...createHash('sha256').update(data).digest()]);
const fakeSigner: DbSigner = async (data) => fakeSig(data);
const repo = (): TempRepo => tempRepo('repokit-alpm-backup-');
const bytes = (p: string): Uint8Array => new Uint8Array(readFileSync(p));
const dirs = async (p: string): Promise<string[]> => (await readSyncDb(p)).entries.map((e) => e.dir).sort();

describe('.old backups (repo-add keeps the previous database)', () => {
  it('repoAdd and repoRemove keep the replaced archives as <archive>.old, by default', async () => {
    const r = repo();
    const db = join(r.dir, 'test.db.tar.gz');
    const files = join(r.dir, 'test.files.tar.gz');
    const first = await repoAdd(db, [r.pkg('a', '1-1')]);
    // Nothing to keep the first time.
    expect(first.written!.backups).toEqual([]);
    expect(existsSync(`${db}.old`)).toBe(false);
    const before = { db: bytes(db), files: bytes(files) };
    const second = await repoAdd(db, [r.pkg('b', '1-1')]);
    expect(second.written!.backups).toEqual([`${db}.old`, `${files}.old`]);
    expect(bytes(`${db}.old`)).toEqual(before.db);
    expect(bytes(`${files}.old`)).toEqual(before.files);
    // A hard link of the old inode: the new archive is another file.
    expect(statSync(`${db}.old`).ino).not.toBe(statSync(db).ino);
    expect(await dirs(`${db}.old`)).toEqual(['a-1-1']);
    expect(await dirs(db)).toEqual(['a-1-1', 'b-1-1']);
    const removed = await repoRemove(db, ['a']);
    expect(removed.written!.backups).toEqual([`${db}.old`, `${files}.old`]);
    expect(await dirs(`${db}.old`)).toEqual(['a-1-1', 'b-1-1']);
    expect(await dirs(db)).toEqual(['b-1-1']);
    expect(existsSync(`${db}.old.sig`)).toBe(false);
  });

  it('backup: false keeps no copy and leaves an existing .old alone', async () => {
    const r = repo();
    const db = join(r.dir, 'test.db.tar.gz');
    await repoAdd(db, [r.pkg('a', '1-1')]);
    await repoAdd(db, [r.pkg('b', '1-1')]);
    const old = bytes(`${db}.old`);
    const res = await repoAdd(db, [r.pkg('c', '1-1')], { backup: false });
    expect(res.written!.backups).toEqual([]);
    expect(bytes(`${db}.old`)).toEqual(old);
    const bare = repo();
    const bareDb = join(bare.dir, 'test.db.tar.gz');
    await repoAdd(bareDb, [bare.pkg('a', '1-1')], { backup: false });
    await repoRemove(bareDb, ['a'], { backup: false });
    expect(readdirSync(bare.dir).filter((f) => f.includes('.old'))).toEqual([]);
  });

  it("moves the old archive's signature to .old.sig, and removes a stale .old.sig when it has none", async () => {
    const r = repo();
    const db = join(r.dir, 'test.db.tar.gz');
    const files = join(r.dir, 'test.files.tar.gz');
    await repoAdd(db, [r.pkg('a', '1-1')], { sign: fakeSigner });
    const sig1 = bytes(`${db}.sig`);
    const db1 = bytes(db);
    // Signed over signed: the old signature goes along with the old archive.
    let res = await repoAdd(db, [r.pkg('b', '1-1')], { sign: fakeSigner });
    expect(res.written!.backups).toEqual([`${db}.old`, `${db}.old.sig`, `${files}.old`, `${files}.old.sig`]);
    expect(bytes(`${db}.old`)).toEqual(db1);
    expect(bytes(`${db}.old.sig`)).toEqual(sig1);
    expect(bytes(`${db}.sig`)).toEqual(fakeSig(bytes(db)));
    // Unsigned over signed: the signature is kept with the archive it signs, as .old.sig.
    const db2 = bytes(db);
    res = await repoAdd(db, [r.pkg('c', '1-1')]);
    expect(bytes(`${db}.old`)).toEqual(db2);
    expect(bytes(`${db}.old.sig`)).toEqual(fakeSig(db2));
    expect(existsSync(`${db}.sig`)).toBe(false);
    // Unsigned over unsigned: the .old.sig would not match the new .old, so it goes.
    const removed = await repoRemove(db, ['a']);
    expect(removed.written!.backups).toEqual([`${db}.old`, `${files}.old`]);
    expect(existsSync(`${db}.old.sig`)).toBe(false);
    expect(existsSync(`${files}.old.sig`)).toBe(false);
  });

  it('writeSyncDb keeps no .old unless asked to', async () => {
    const r = repo();
    const entry = { filename: 'a-1-1-any.pkg.tar.zst', name: 'a', version: '1-1', groups: [], license: [], replaces: [], conflicts: [], provides: [], depends: [], optdepends: [], makedepends: [], checkdepends: [], unknown: [] };
    await writeSyncDb(r.dir, 'test', [{ entry }]);
    await writeSyncDb(r.dir, 'test', [{ entry }]);
    expect(existsSync(join(r.dir, 'test.db.tar.gz.old'))).toBe(false);
    const w = await writeSyncDb(r.dir, 'test', [{ entry }], { backup: true });
    expect(w.backups).toEqual([join(r.dir, 'test.db.tar.gz.old'), join(r.dir, 'test.files.tar.gz.old')]);
    await expect(writeSyncDb(r.dir, 'test', [{ entry }], { backup: 'yes' as never })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });
});

const missing = missingTools(['gpg', 'repo-add', 'bsdtar']);

describe.skipIf(missing !== null)(`.old backups next to repo-add's${missing !== null ? ` (skipped: ${missing})` : ''}`, () => {
  it('the same runs of repo-add and of repokit leave the same files, the same .old databases and valid .old.sig signatures', async () => {
    const home = mkdtempSync(join(tmpdir(), 'repokit-gpg-'));
    const gen = spawnSync('gpg', ['--homedir', home, '--batch', '--passphrase', '', '--quick-gen-key', 'repokit test <test@example.invalid>', 'ed25519', 'sign', 'never'], { encoding: 'utf8' });
    expect(gen.status, gen.stderr).toBe(0);
    const fpr = /^fpr:+([0-9A-F]{40}):/m.exec(spawnSync('gpg', ['--homedir', home, '--batch', '--with-colons', '--list-secret-keys'], { encoding: 'utf8' }).stdout)![1]!;
    const env = { ...process.env, GNUPGHOME: home, GPGKEY: fpr, LC_ALL: 'C.UTF-8' };
    const ra = repo();
    const rk = repo();
    const raDb = join(ra.dir, 'test.db.tar.gz');
    const rkDb = join(rk.dir, 'test.db.tar.gz');
    const sign = gpgSigner({ homedir: home, key: fpr });
    const verifies = (file: string): boolean => spawnSync('gpg', ['--homedir', home, '--batch', '--verify', `${file}.sig`, file], { encoding: 'utf8' }).status === 0;
    const steps: { args: string[]; run: () => Promise<unknown> }[] = [
      { args: ['-s', raDb, ra.pkg('a', '1-1')], run: () => repoAdd(rkDb, [rk.pkg('a', '1-1')], { sign }) },
      { args: ['-s', raDb, ra.pkg('b', '1-1')], run: () => repoAdd(rkDb, [rk.pkg('b', '1-1')], { sign }) },
      { args: [raDb, ra.pkg('c', '1-1')], run: () => repoAdd(rkDb, [rk.pkg('c', '1-1')]) },
      { args: [raDb, ra.pkg('d', '1-1')], run: () => repoAdd(rkDb, [rk.pkg('d', '1-1')]) },
    ];
    // What repo-add leaves and repokit does not: after an unsigned run, the old <archive>.sig (a
    // signature of the previous archive, next to the new one) and a new <repo>.db.sig link to it;
    // after a second one, that stale signature hard-linked as <archive>.old.sig too, next to an
    // archive it does not sign.
    const stale = ['test.db.sig', 'test.db.tar.gz.sig', 'test.files.sig', 'test.files.tar.gz.sig'];
    const repoAddOnly = [[], [], stale, [...stale, 'test.db.tar.gz.old.sig', 'test.files.tar.gz.old.sig'].sort()];
    const list = (d: string): string[] => readdirSync(d).filter((f) => !f.endsWith('.pkg.tar.gz')).sort();
    for (const [i, step] of steps.entries()) {
      const out = spawnSync('repo-add', ['-q', '--nocolor', ...step.args], { encoding: 'utf8', env });
      expect(out.status, out.stderr).toBe(0);
      await step.run();
      const label = `after run ${i + 1}`;
      const extra = list(ra.dir).filter((f) => !list(rk.dir).includes(f));
      expect(extra, label).toEqual(repoAddOnly[i]);
      for (const f of extra) expect(verifies(join(ra.dir, f.slice(0, -4))), `${label}: ${f} is stale`).toBe(false);
      expect(list(rk.dir), label).toEqual(list(ra.dir).filter((f) => !extra.includes(f)));
      for (const kind of ['db', 'files']) {
        const old = `test.${kind}.tar.gz.old`;
        expect(existsSync(join(rk.dir, old)), `${label}: ${old}`).toBe(i > 0);
        if (i === 0) continue;
        expect(await dirs(join(rk.dir, old)), `${label}: ${old}`).toEqual(await dirs(join(ra.dir, old)));
        // The first two runs were signed: the .old of the second and third carries its signature.
        expect(existsSync(join(rk.dir, `${old}.sig`)), `${label}: ${old}.sig`).toBe(i === 1 || i === 2);
        if (i === 1 || i === 2) expect(verifies(join(rk.dir, old)), `${label}: ${old}.sig`).toBe(true);
      }
    }
  });
});
