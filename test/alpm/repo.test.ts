/**
 * repo-add / repo-remove semantics: add, replace, refuse a downgrade unless forced, `--new`,
 * remove by name, all-or-nothing on errors, no rewrite when nothing changed, the lock file,
 * the `<repo>.db` alias as the database argument, and verify.
 */
import { existsSync, lstatSync, readFileSync, readdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readSyncDb, repoAdd, repoRemove, repoVerify, resolveDbPath } from '../../src/alpm/database.js';
import { tempRepo, type TempRepo } from '../helpers/alpm-packages.js';

const repo = (): TempRepo => tempRepo('repokit-alpm-repo-');

const names = async (db: string) => (await readSyncDb(db)).entries.map((e) => e.dir).sort();

describe('repoAdd', () => {
  it('creates both databases and aliases, then replaces an older version', async () => {
    const r = repo();
    const db = join(r.dir, 'test.db.tar.gz');
    const res = await repoAdd(db, [r.pkg('a', '1.0-1'), r.pkg('b', '2-1')]);
    expect(res.outcomes.map((o) => o.action)).toEqual(['added', 'added']);
    expect(readdirSync(r.dir).filter((f) => f.startsWith('test.')).sort()).toEqual(['test.db', 'test.db.tar.gz', 'test.files', 'test.files.tar.gz']);
    const up = await repoAdd(db, [r.pkg('a', '1.1-1')]);
    expect(up.outcomes[0]).toMatchObject({ action: 'replaced', replaced: ['a-1.0-1'], version: '1.1-1' });
    expect(await names(db)).toEqual(['a-1.1-1', 'b-2-1']);
    expect(await names(join(r.dir, 'test.files'))).toEqual(['a-1.1-1', 'b-2-1']);
    const files = await readSyncDb(join(r.dir, 'test.files'));
    expect(files.entries.find((e) => e.name === 'a')!.entry.files).toEqual(['usr/', 'usr/a']);
  });

  it('refuses to replace a newer version unless forced, and changes nothing then', async () => {
    const r = repo();
    const db = join(r.dir, 'test.db.tar.zst');
    await repoAdd(db, [r.pkg('a', '1:1.0-1')]);
    const before = readFileSync(db);
    await expect(repoAdd(db, [r.pkg('c', '1-1'), r.pkg('a', '2.0-1')])).rejects.toMatchObject({ code: 'ALPM_OLDER_VERSION' });
    expect(readFileSync(db).equals(before)).toBe(true);
    expect(existsSync(`${db}.lck`)).toBe(false);
    await repoAdd(db, [r.pkg('a', '2.0-1')], { force: true });
    expect(await names(db)).toEqual(['a-2.0-1']);
  });

  it('onlyIfAbsent skips a present name-version (repo-add --new) without rewriting', async () => {
    const r = repo();
    const db = join(r.dir, 'test.db.tar.xz');
    const p = r.pkg('a', '1-1');
    await repoAdd(db, [p]);
    const mtime = statSync(db).mtimeMs;
    const again = await repoAdd(db, [p], { onlyIfAbsent: true });
    expect(again.outcomes[0]!.action).toBe('skipped');
    expect(again.written).toBeUndefined();
    expect(statSync(db).mtimeMs).toBe(mtime);
    // Without --new the same version is re-added (repo-add warns and replaces it).
    expect((await repoAdd(db, [p])).outcomes[0]!.action).toBe('replaced');
  });

  it('all or nothing: an unreadable package leaves the database as it was', async () => {
    const r = repo();
    const db = join(r.dir, 'test.db.tar');
    await repoAdd(db, [r.pkg('a', '1-1')]);
    const before = readFileSync(db);
    const bad = join(r.dir, 'bad.pkg.tar.gz');
    writeFileSync(bad, 'not a package');
    const e = await repoAdd(db, [r.pkg('b', '1-1'), bad]).catch((x: unknown) => x);
    expect(e).toMatchObject({ file: bad });
    expect(readFileSync(db).equals(before)).toBe(true);
    expect(await names(db)).toEqual(['a-1-1']);
  });

  it('desc version 1 and embedded signatures', async () => {
    const r = repo();
    const db = join(r.dir, 'test.db.tar.bz2');
    const p = r.pkg('s', '1-1');
    writeFileSync(`${p}.sig`, new Uint8Array([0x88, 1, 2, 3]));
    await repoAdd(db, [p], { descVersion: 1 });
    let e = (await readSyncDb(db)).entries[0]!;
    expect(e.entry.md5sum).toMatch(/^[0-9a-f]{32}$/);
    expect(e.entry.pgpsig).toBeUndefined();
    await repoAdd(db, [p], { includeSigs: true });
    e = (await readSyncDb(db)).entries[0]!;
    expect(e.entry.md5sum).toBeUndefined();
    expect(e.entry.pgpsig).toBe('iAECAw==');
  });

  it('takes the lock and fails with LOCKED while someone else holds it', async () => {
    const r = repo();
    const db = join(r.dir, 'test.db.tar.gz');
    writeFileSync(`${db}.lck`, '4242\n');
    const e = await repoAdd(db, [r.pkg('a', '1-1')]).catch((x: unknown) => x);
    expect(e).toMatchObject({ code: 'LOCKED' });
    expect((e as Error).message).toMatch(/4242/);
    expect(existsSync(db)).toBe(false);
    expect(readFileSync(`${db}.lck`, 'utf8')).toBe('4242\n');
  });

  it('accepts the <repo>.db alias (symlink or copy) and refuses other names', async () => {
    const r = repo();
    await repoAdd(join(r.dir, 'x.db.tar.zst'), [r.pkg('a', '1-1')]);
    const viaAlias = await resolveDbPath(join(r.dir, 'x.db'));
    expect(viaAlias.db).toBe(join(r.dir, 'x.db.tar.zst'));
    expect(viaAlias.lock).toBe(join(r.dir, 'x.db.tar.zst.lck'));
    await repoAdd(join(r.dir, 'x.db'), [r.pkg('b', '1-1')]);
    expect(await names(join(r.dir, 'x.db'))).toEqual(['a-1-1', 'b-1-1']);
    const copy = repo();
    writeFileSync(join(copy.dir, 'y.db'), readFileSync(join(r.dir, 'x.db.tar.zst')));
    expect((await resolveDbPath(join(copy.dir, 'y.db'))).compression).toBe('zstd');
    await expect(resolveDbPath(join(r.dir, 'x.tar.gz'))).rejects.toMatchObject({ code: 'ALPM_BAD_DB_PATH' });
    await expect(resolveDbPath(join(r.dir, 'nothere.db'))).rejects.toMatchObject({ code: 'ALPM_BAD_DB_PATH' });
    expect((await resolveDbPath(join(r.dir, 'x.db.tar.lz4'))).files).toBe(join(r.dir, 'x.files.tar.lz4'));
    for (const [suffix, compression] of [['.lz', 'lzip'], ['.lrz', 'lrzip'], ['.lzo', 'lzop'], ['.Z', 'compress']] as const) {
      const p = await resolveDbPath(join(r.dir, `x.db.tar${suffix}`));
      expect([p.compression, p.files], suffix).toEqual([compression, join(r.dir, `x.files.tar${suffix}`)]);
    }
    symlinkSync('x.db.tar.zst', join(r.dir, 'z.db'));
    expect((await resolveDbPath(join(r.dir, 'z.db'))).repo).toBe('x');
  });
});

describe('repoRemove', () => {
  it('removes every entry of a name from both databases', async () => {
    const r = repo();
    const db = join(r.dir, 'test.db.tar.gz');
    await repoAdd(db, [r.pkg('a', '1-1'), r.pkg('b', '1-1'), r.pkg('c', '1-1')]);
    const res = await repoRemove(db, ['a', 'c']);
    expect(res.removed.sort()).toEqual(['a-1-1', 'c-1-1']);
    expect(await names(db)).toEqual(['b-1-1']);
    expect(await names(join(r.dir, 'test.files.tar.gz'))).toEqual(['b-1-1']);
    // The package files stay.
    expect(existsSync(join(r.dir, 'a-1-1-any.pkg.tar.gz'))).toBe(true);
  });

  it('a missing name is ALPM_NOT_IN_DB and nothing changes; ignoreMissing skips it', async () => {
    const r = repo();
    const db = join(r.dir, 'test.db.tar.gz');
    await repoAdd(db, [r.pkg('a', '1-1')]);
    const before = readFileSync(db);
    await expect(repoRemove(db, ['a', 'zzz'])).rejects.toMatchObject({ code: 'ALPM_NOT_IN_DB' });
    expect(readFileSync(db).equals(before)).toBe(true);
    expect((await repoRemove(db, ['zzz', 'a'], { ignoreMissing: true })).removed).toEqual(['a-1-1']);
    expect(await names(db)).toEqual([]);
    await expect(repoRemove(join(r.dir, 'none.db.tar.gz'), ['a'])).rejects.toMatchObject({ code: 'IO_ERROR' });
  });
});

describe('repoVerify', () => {
  it('finds missing, resized and changed package files and an incomplete files database', async () => {
    const r = repo();
    const db = join(r.dir, 'test.db.tar.gz');
    const a = r.pkg('a', '1-1');
    const b = r.pkg('b', '1-1');
    const c = r.pkg('c', '1-1');
    await repoAdd(db, [a, b, c]);
    expect(await repoVerify(db)).toEqual({ ok: true, checked: 3, problems: [] });
    const { rmSync } = await import('node:fs');
    rmSync(a);
    writeFileSync(b, 'short');
    const same = readFileSync(c);
    same[same.length - 1] = same[same.length - 1]! ^ 1;
    writeFileSync(c, same);
    const rep = await repoVerify(db);
    expect(rep.ok).toBe(false);
    expect(rep.problems.map((p) => [p.dir, p.message.split(' ')[0]])).toEqual([
      ['a-1-1', 'the'],
      ['b-1-1', 'size'],
      ['c-1-1', 'sha256'],
    ]);
    rmSync(join(r.dir, 'test.files.tar.gz'));
    expect((await repoVerify(db)).problems.some((p) => /files database/.test(p.message))).toBe(true);
  });
});

describe('signatures of the old database', () => {
  it('repoAdd and repoRemove delete <db>.sig, <files>.sig and the alias links to them, so no stale signature sits beside a new database', async () => {
    const r = repo();
    const db = join(r.dir, 'test.db.tar.gz');
    await repoAdd(db, [r.pkg('a', '1-1'), r.pkg('b', '1-1')]);
    const sign = (): string[] => {
      const made = [`${db}.sig`, join(r.dir, 'test.files.tar.gz.sig')];
      for (const f of made) writeFileSync(f, 'old signature');
      symlinkSync('test.db.tar.gz.sig', join(r.dir, 'test.db.sig'));
      symlinkSync('test.files.tar.gz.sig', join(r.dir, 'test.files.sig'));
      return [...made, join(r.dir, 'test.db.sig'), join(r.dir, 'test.files.sig')];
    };
    const sigs = sign();
    const added = await repoAdd(db, [r.pkg('a', '2-1')]);
    expect(added.written!.removedSignatures.sort()).toEqual([...sigs].sort());
    // The old signatures stay only with the old archives they sign, moved aside as .old.
    const sigFiles = (): string[] => readdirSync(r.dir).filter((f) => f.includes('.sig')).sort();
    expect(sigFiles()).toEqual(['test.db.tar.gz.old.sig', 'test.files.tar.gz.old.sig']);
    expect(readFileSync(`${db}.old.sig`, 'utf8')).toBe('old signature');
    sign();
    await repoRemove(db, ['b'], { backup: false });
    expect(sigFiles()).toEqual(['test.db.tar.gz.old.sig', 'test.files.tar.gz.old.sig']);
    await repoRemove(db, ['a']);
    // The archive moved aside this time had no signature: the .old.sig from before goes.
    expect(sigFiles()).toEqual([]);
    await repoAdd(db, [join(r.dir, 'a-2-1-any.pkg.tar.gz')]);
    // Nothing written (onlyIfAbsent and present): the signature still matches and stays.
    writeFileSync(`${db}.sig`, 'current signature');
    const skipped = await repoAdd(db, [join(r.dir, 'a-2-1-any.pkg.tar.gz')], { onlyIfAbsent: true });
    expect(skipped.written).toBeUndefined();
    expect(readFileSync(`${db}.sig`, 'utf8')).toBe('current signature');
  });
});

describe('resolveDbPath and a <repo>.db that is not a database', () => {
  it('refuses a regular <repo>.db holding something that is neither compressed nor a tar, and leaves it alone', async () => {
    const r = repo();
    const junk = join(r.dir, 'j.db');
    writeFileSync(junk, 'this is not a database\n');
    await expect(resolveDbPath(junk)).rejects.toMatchObject({ code: 'ALPM_BAD_DB_PATH' });
    await expect(repoAdd(junk, [r.pkg('a', '1-1')])).rejects.toMatchObject({ code: 'ALPM_BAD_DB_PATH' });
    expect(lstatSync(junk).isFile()).toBe(true);
    expect(readFileSync(junk, 'utf8')).toBe('this is not a database\n');
    writeFileSync(junk, '');
    await expect(resolveDbPath(junk)).rejects.toMatchObject({ code: 'ALPM_BAD_DB_PATH' });
    // An uncompressed tar copy, and an empty archive (zero blocks), are databases.
    await repoAdd(join(r.dir, 't.db.tar'), [r.pkg('b', '1-1')]);
    writeFileSync(join(r.dir, 'u.db'), readFileSync(join(r.dir, 't.db.tar')));
    expect((await resolveDbPath(join(r.dir, 'u.db'))).compression).toBe('none');
    writeFileSync(join(r.dir, 'v.db'), new Uint8Array(10240));
    expect((await resolveDbPath(join(r.dir, 'v.db'))).compression).toBe('none');
  });

  it('a path that cannot be examined is IO_ERROR, not "does not exist"', async () => {
    const r = repo();
    symlinkSync('loop', join(r.dir, 'loop'));
    const e = await resolveDbPath(join(r.dir, 'loop', 'x.db')).catch((x: unknown) => x);
    expect(e).toMatchObject({ code: 'IO_ERROR' });
    expect((e as Error).message).toMatch(/ELOOP/);
  });
});
