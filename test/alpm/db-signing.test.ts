/**
 * Database signatures (repo-add -s/-k/-v): with a stand-in signer and verifier, where the
 * signatures go and that nothing changes when signing or verifying fails; then with real gpg,
 * that pacman (SigLevel = DatabaseRequired) accepts what repokit signs and refuses a wrong
 * signature, and that repokit and repo-add each verify what the other signed.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { gpgSigner, gpgVerifier, readSyncDb, repoAdd, repoRemove, writeSyncDb, type DbSigner, type DbVerifier } from '../../src/alpm/database.js';
import { isRepokitError } from '../../src/shared/errors.js';
import { missingTools, tempRepo, type TempRepo } from '../helpers/alpm-packages.js';

/** A stand-in "signature": a byte with the OpenPGP packet bit, then the SHA-256 of the data. */
const fakeSig = (data: Uint8Array): Uint8Array => new Uint8Array([0x88, ...createHash('sha256').update(data).digest()]);
const fakeSigner: DbSigner = async (data) => fakeSig(data);
const fakeVerifier: DbVerifier = async (data, sig) => {
  if (Buffer.compare(Buffer.from(fakeSig(data)), Buffer.from(sig)) !== 0) throw new Error('BAD signature');
};

const repo = (): TempRepo => tempRepo('repokit-alpm-sign-');
const bytes = (p: string): Uint8Array => new Uint8Array(readFileSync(p));

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'resolved';
  } catch (e) {
    return isRepokitError(e) ? e.code : `not a RepokitError: ${String(e)}`;
  }
}

describe('signing databases (repo-add -s)', () => {
  it('writes <archive>.sig for both archives and the alias links, signing the installed bytes', async () => {
    const r = repo();
    const db = join(r.dir, 'test.db.tar.gz');
    const seen: string[] = [];
    const res = await repoAdd(db, [r.pkg('a', '1-1')], {
      sign: async (data, file) => {
        seen.push(file);
        return fakeSig(data);
      },
    });
    const files = join(r.dir, 'test.files.tar.gz');
    expect(seen).toEqual([db, files]);
    expect(res.written!.signatures).toEqual([`${db}.sig`, `${files}.sig`, join(r.dir, 'test.db.sig'), join(r.dir, 'test.files.sig')]);
    expect(res.written!.removedSignatures).toEqual([]);
    expect(bytes(`${db}.sig`)).toEqual(fakeSig(bytes(db)));
    expect(bytes(`${files}.sig`)).toEqual(fakeSig(bytes(files)));
    expect(lstatSync(join(r.dir, 'test.db.sig')).isSymbolicLink()).toBe(true);
    expect(readlinkSync(join(r.dir, 'test.db.sig'))).toBe('test.db.tar.gz.sig');
    expect(readlinkSync(join(r.dir, 'test.files.sig'))).toBe('test.files.tar.gz.sig');
  });

  it('replaces the signatures on the next signed write, and deletes them on an unsigned one', async () => {
    const r = repo();
    const db = join(r.dir, 'test.db.tar.gz');
    await repoAdd(db, [r.pkg('a', '1-1')], { sign: fakeSigner });
    await repoAdd(db, [r.pkg('b', '1-1')], { sign: fakeSigner });
    expect(bytes(`${db}.sig`)).toEqual(fakeSig(bytes(db)));
    const res = await repoRemove(db, ['a']);
    expect(res.written!.signatures).toEqual([]);
    expect(res.written!.removedSignatures).toHaveLength(4);
    expect(existsSync(`${db}.sig`)).toBe(false);
    expect(existsSync(join(r.dir, 'test.db.sig'))).toBe(false);
  });

  it('signs an unchanged but unsigned database, and leaves a signed unchanged one alone', async () => {
    const r = repo();
    const db = join(r.dir, 'test.db.tar.gz');
    const a = r.pkg('a', '1-1');
    await repoAdd(db, [a]);
    let res = await repoAdd(db, [a], { onlyIfAbsent: true, sign: fakeSigner });
    expect(res.outcomes[0]!.action).toBe('skipped');
    expect(res.written!.signatures).toHaveLength(4);
    expect(bytes(`${db}.sig`)).toEqual(fakeSig(bytes(db)));
    res = await repoAdd(db, [a], { onlyIfAbsent: true, sign: fakeSigner });
    expect(res.written).toBeUndefined();
    rmSync(join(r.dir, 'test.files.tar.gz.sig'));
    const removed = await repoRemove(db, ['nope'], { ignoreMissing: true, sign: fakeSigner });
    expect(removed.written!.signatures).toHaveLength(4);
  });

  it('writes nothing when the signer fails or returns no binary signature (ALPM_DB_SIGN_FAILED)', async () => {
    const r = repo();
    const db = join(r.dir, 'test.db.tar.gz');
    await repoAdd(db, [r.pkg('a', '1-1')], { sign: fakeSigner });
    const before = [bytes(db), bytes(`${db}.sig`)];
    const failing: DbSigner[] = [
      async () => {
        throw new Error('no secret key');
      },
      async () => new TextEncoder().encode('-----BEGIN PGP SIGNATURE-----\n'),
      async () => new Uint8Array(0),
      async () => 'not bytes' as unknown as Uint8Array,
    ];
    for (const sign of failing) {
      expect(await codeOf(repoAdd(db, [r.pkg('b', '1-1')], { sign }))).toBe('ALPM_DB_SIGN_FAILED');
      expect([bytes(db), bytes(`${db}.sig`)]).toEqual(before);
    }
    expect((await readSyncDb(db)).entries.map((e) => e.dir)).toEqual(['a-1-1']);
    expect(await codeOf(writeSyncDb(r.dir, 'other', [], { sign: failing[0]! }))).toBe('ALPM_DB_SIGN_FAILED');
    expect(existsSync(join(r.dir, 'other.db.tar.gz'))).toBe(false);
  });
});

describe('verifying databases (repo-add -v)', () => {
  it('checks the existing archive against its .sig before changing anything', async () => {
    const r = repo();
    const db = join(r.dir, 'test.db.tar.gz');
    await repoAdd(db, [r.pkg('a', '1-1')], { sign: fakeSigner });
    const calls: string[] = [];
    const verify: DbVerifier = async (data, sig, file) => {
      calls.push(file);
      await fakeVerifier(data, sig, file);
    };
    const res = await repoAdd(db, [r.pkg('b', '1-1')], { verify, sign: fakeSigner });
    expect(calls).toEqual([db]);
    expect(res.warnings).toEqual([]);
    // A signature that no longer matches: refused, nothing written, by add and by remove.
    writeFileSync(`${db}.sig`, fakeSig(new TextEncoder().encode('something else')));
    const before = bytes(db);
    expect(await codeOf(repoAdd(db, [r.pkg('c', '1-1')], { verify }))).toBe('ALPM_DB_BAD_SIGNATURE');
    expect(await codeOf(repoRemove(db, ['a'], { verify }))).toBe('ALPM_DB_BAD_SIGNATURE');
    expect(bytes(db)).toEqual(before);
    // An oversized .sig is refused before the verifier sees it.
    writeFileSync(`${db}.sig`, new Uint8Array(64 * 1024 + 1).fill(0x88));
    calls.length = 0;
    expect(await codeOf(repoAdd(db, [r.pkg('c', '1-1')], { verify }))).toBe('ALPM_DB_BAD_SIGNATURE');
    expect(calls).toEqual([]);
  });

  it('warns about a database without signature and goes on; a new database needs no check', async () => {
    const r = repo();
    const db = join(r.dir, 'test.db.tar.gz');
    let called = 0;
    const verify: DbVerifier = async () => {
      called++;
    };
    await repoAdd(db, [r.pkg('a', '1-1')], { verify });
    const res = await repoAdd(db, [r.pkg('b', '1-1')], { verify });
    expect(called).toBe(0);
    expect(res.warnings).toEqual([{ message: 'the database has no signature: not verified', file: db }]);
    expect(res.written).toBeDefined();
  });
});

const missing = missingTools(['gpg', 'pacman', 'repo-add', 'bsdtar']);

describe.skipIf(missing !== null)(`database signatures with gpg, pacman and repo-add${missing !== null ? ` (skipped: ${missing})` : ''}`, () => {
  /** A keyring with one new signing key (no passphrase); returns its directory and fingerprint. */
  function keyring(): { home: string; fpr: string } {
    const home = mkdtempSync(join(tmpdir(), 'repokit-gpg-'));
    const gen = spawnSync('gpg', ['--homedir', home, '--batch', '--passphrase', '', '--quick-gen-key', 'repokit test <test@example.invalid>', 'ed25519', 'sign', 'never'], { encoding: 'utf8' });
    expect(gen.status, gen.stderr).toBe(0);
    const list = spawnSync('gpg', ['--homedir', home, '--batch', '--with-colons', '--list-secret-keys'], { encoding: 'utf8' });
    const fpr = /^fpr:+([0-9A-F]{40}):/m.exec(list.stdout)![1]!;
    return { home, fpr };
  }

  /** `pacman -Sy` of the repository with database signatures required; its exit status and output. */
  function pacmanSync(repoDir: string, gpgDir: string): { status: number | null; out: string } {
    const dir = mkdtempSync(join(tmpdir(), 'repokit-pacman-sig-'));
    mkdirSync(join(dir, 'db'));
    const conf = ['[options]', 'Architecture = auto', `GPGDir = ${gpgDir}`, '', '[test]', 'SigLevel = DatabaseRequired PackageNever', `Server = file://${repoDir}`, ''];
    writeFileSync(join(dir, 'pacman.conf'), conf.join('\n'));
    const r = spawnSync('pacman', ['--config', join(dir, 'pacman.conf'), '--dbpath', join(dir, 'db'), '--noconfirm', '--color', 'never', '-Sy'], {
      encoding: 'utf8',
      env: { ...process.env, LC_ALL: 'C' },
    });
    return { status: r.status, out: `${r.stdout}${r.stderr}` };
  }

  it('pacman accepts a database repokit signed with gpg, and refuses a wrong signature', async () => {
    const { home, fpr } = keyring();
    const r = repo();
    const db = join(r.dir, 'test.db.tar.gz');
    await repoAdd(db, [r.pkg('a', '1-1'), r.pkg('b', '2-1')], { sign: gpgSigner({ homedir: home, key: fpr }) });
    const v = spawnSync('gpg', ['--homedir', home, '--batch', '--verify', `${db}.sig`, db], { encoding: 'utf8' });
    expect(v.status, v.stderr).toBe(0);
    const ok = pacmanSync(r.dir, home);
    expect(ok.status, ok.out).toBe(0);
    // The signature of another database under this one's name: pacman refuses it.
    const other = repo();
    await repoAdd(join(other.dir, 'test.db.tar.gz'), [other.pkg('c', '1-1')], { sign: gpgSigner({ homedir: home, key: fpr }) });
    writeFileSync(`${db}.sig`, readFileSync(join(other.dir, 'test.db.tar.gz.sig')));
    const bad = pacmanSync(r.dir, home);
    expect(bad.status, bad.out).not.toBe(0);
    expect(bad.out).toMatch(/signature/i);
    // And so does repokit's -v.
    expect(await codeOf(repoAdd(db, [r.pkg('d', '1-1')], { verify: gpgVerifier({ homedir: home }) }))).toBe('ALPM_DB_BAD_SIGNATURE');
  });

  it('repokit verifies what repo-add -s signed, and repo-add -v what repokit signed', async () => {
    const { home, fpr } = keyring();
    const env = { ...process.env, GNUPGHOME: home, GPGKEY: fpr, LC_ALL: 'C.UTF-8' };
    const r = repo();
    const db = join(r.dir, 'test.db.tar.gz');
    const ra = spawnSync('repo-add', ['-q', '--nocolor', '-s', db, r.pkg('a', '1-1')], { encoding: 'utf8', env });
    expect(ra.status, ra.stderr).toBe(0);
    expect(existsSync(`${db}.sig`)).toBe(true);
    const res = await repoAdd(db, [r.pkg('b', '1-1')], { verify: gpgVerifier({ homedir: home }), sign: gpgSigner({ homedir: home, key: fpr }) });
    expect(res.warnings).toEqual([]);
    const rv = spawnSync('repo-add', ['--nocolor', '-v', db, r.pkg('c', '1-1')], { encoding: 'utf8', env });
    expect(rv.status, `${rv.stdout}${rv.stderr}`).toBe(0);
    expect(rv.stdout).toMatch(/Database signature file verified/);
    // All three packages are in the database repo-add wrote last.
    expect((await readSyncDb(db)).entries.map((e) => e.dir).sort()).toEqual(['a-1-1', 'b-1-1', 'c-1-1']);
  });
});
