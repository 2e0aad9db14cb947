/**
 * xbps-rindex's modes end to end in temporary repositories: add (newer replaces, equal and older
 * skipped, --force, reverts, arch filter, shlib staging), clean, remove-obsoletes, sign and
 * sign-pkg, the lock file, and the worker pool giving byte-identical output.
 */
import { generateKeyPairSync, verify } from 'node:crypto';
import { existsSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { rindexAdd, rindexClean, rindexRemoveObsoletes, rindexSign, signPackages, commitStage } from '../../src/xbps/rindex.js';
import { readRepodata } from '../../src/xbps/repodata-read.js';
import { verifySignature } from '../../src/xbps/signature.js';
import { writeRepodataTar } from '../../src/xbps/repodata-tar.js';
import { writePlist } from '../../src/xbps/plist-write.js';
import { rpmErrorAsync } from '../helpers/errors.js';
import { haveTools, makePackage } from './repodata-fixtures.js';
import { tempRepo } from './repodata-corpus.js';

const NO_TOOLS = haveTools();
let dir = '';
let cleanup = () => undefined as void;
beforeEach(() => {
  ({ dir, cleanup } = tempRepo());
});
afterEach(() => cleanup());

const opts = { arch: 'x86_64', workers: 0 } as const;
const pkgvers = async (d = dir) => {
  const r = await readRepodata(join(d, 'x86_64-repodata'));
  return { index: [...r.index.values()].map((e) => e.pkgver), stage: [...r.stage.values()].map((e) => e.pkgver), repo: r };
};

describe.skipIf(NO_TOOLS !== null)(`rindex${NO_TOOLS ? ` (skipped: ${NO_TOOLS})` : ''}`, () => {
  it('add: newer revision replaces, equal and older are skipped, --force re-adds', async () => {
    const a1 = makePackage(dir, { pkgver: 'app-1.0_1' });
    const lib = makePackage(dir, { pkgver: 'lib-2.0_1', arch: 'noarch' });
    let r = await rindexAdd([a1, lib], opts);
    expect(r.added).toEqual(['app-1.0_1', 'lib-2.0_1']);
    expect((await pkgvers()).index).toEqual(['app-1.0_1', 'lib-2.0_1']);

    const before = readFileSync(join(dir, 'x86_64-repodata'));
    r = await rindexAdd([a1], opts);
    expect(r).toMatchObject({ written: false, added: [], skipped: [{ pkgver: 'app-1.0_1', reason: 'already-registered' }] });
    expect(readFileSync(join(dir, 'x86_64-repodata')).equals(before)).toBe(true);

    const a2 = makePackage(dir, { pkgver: 'app-1.0_2', shortDesc: 'rebuilt' });
    r = await rindexAdd([a2], opts);
    expect(r.added).toEqual(['app-1.0_2']);
    const after = await pkgvers();
    expect(after.index).toEqual(['app-1.0_2', 'lib-2.0_1']);
    expect(after.repo.index.get('app')!.dict.get('short_desc')).toBe('rebuilt');

    r = await rindexAdd([a1], opts);
    expect(r.skipped).toEqual([{ file: a1, pkgver: 'app-1.0_1', reason: 'older' }]);
    r = await rindexAdd([a1], { ...opts, force: true });
    expect(r.added).toEqual(['app-1.0_1']);
    expect((await pkgvers()).index).toEqual(['app-1.0_1', 'lib-2.0_1']);
  });

  it('add: a package whose reverts names the indexed version wins although it is older', async () => {
    const v2 = makePackage(dir, { pkgver: 'tool-2.0_1' });
    await rindexAdd([v2], opts);
    const v1 = makePackage(dir, { pkgver: 'tool-1.9_1', reverts: ['2.0_1'] });
    const r = await rindexAdd([v1], opts);
    expect(r.added).toEqual(['tool-1.9_1']);
    // and now 2.0_1 is older than the one that reverts it
    expect((await rindexAdd([v2], opts)).skipped[0]?.reason).toBe('older');
  });

  it('add: only the repository arch and noarch; all packages in one directory; entries drop pkgname/version/packaged-with', async () => {
    const other = makePackage(dir, { pkgver: 'armonly-1.0_1', arch: 'aarch64' });
    const ok = makePackage(dir, { pkgver: 'ok-1.0_1' });
    const r = await rindexAdd([ok, other], opts);
    expect(r.skipped).toEqual([{ file: other, pkgver: 'armonly-1.0_1', reason: 'unmatched-arch' }]);
    const e = (await pkgvers()).repo.index.get('ok')!;
    expect([...e.dict.keys()].sort()).toEqual(['architecture', 'filename-sha256', 'filename-size', 'installed_size', 'pkgver', 'short_desc']);
    expect(e.dict.get('filename-sha256')).toBe(spawnSync('sha256sum', [ok], { encoding: 'utf8' }).stdout.slice(0, 64));

    const elsewhere = tempRepo();
    try {
      const p = makePackage(elsewhere.dir, { pkgver: 'far-1.0_1' });
      expect((await rpmErrorAsync(rindexAdd([ok, p], opts))).code).toBe('XBPS_NOT_INDEXABLE');
    } finally {
      elsewhere.cleanup();
    }
  });

  it('add: staging keeps a soname bump out of the index until its users are rebuilt', async () => {
    const foo1 = makePackage(dir, { pkgver: 'libfoo-1.0_1', shlibProvides: ['libfoo.so.1'] });
    const bar1 = makePackage(dir, { pkgver: 'bar-1.0_1', shlibRequires: ['libfoo.so.1'] });
    await rindexAdd([foo1, bar1], opts);

    const foo2 = makePackage(dir, { pkgver: 'libfoo-2.0_1', shlibProvides: ['libfoo.so.2'] });
    let r = await rindexAdd([foo2], opts);
    expect(r.consistent).toBe(false);
    expect([...r.missingShlibs]).toEqual([['libfoo.so.1', ['bar']]]);
    let s = await pkgvers();
    expect(s.index).toEqual(['bar-1.0_1', 'libfoo-1.0_1']);
    expect(s.stage).toEqual(['libfoo-2.0_1']);
    expect(s.repo.members.map((m) => m.name)).toEqual(['index.plist', 'index-meta.plist', 'stage.plist']);

    const bar2 = makePackage(dir, { pkgver: 'bar-1.0_2', shlibRequires: ['libfoo.so.2'] });
    r = await rindexAdd([bar2], opts);
    expect(r.consistent).toBe(true);
    s = await pkgvers();
    expect(s.index).toEqual(['bar-1.0_2', 'libfoo-2.0_1']);
    expect(s.stage).toEqual([]);
  });

  it('commitStage: a soname still provided by another indexed package keeps the state consistent', () => {
    const e = (pkgver: string, provides: string[], requires: string[]) => ({
      pkgname: pkgver.slice(0, pkgver.lastIndexOf('-')),
      pkgver,
      dict: new Map<string, string | string[]>([['pkgver', pkgver], ['shlib-provides', provides], ['shlib-requires', requires]]),
    });
    const index = new Map([
      ['a', e('a-1_1', ['liba.so.1'], [])],
      ['compat', e('compat-1_1', ['liba.so.1'], [])],
      ['user', e('user-1_1', [], ['liba.so.1'])],
    ]);
    const stage = new Map([['a', e('a-2_1', ['liba.so.2'], [])]]);
    const c = commitStage(index, stage);
    expect(c.consistent).toBe(true);
    expect(c.index.get('a')!.pkgver).toBe('a-2_1');
    expect(commitStage(new Map([...index].filter(([k]) => k !== 'compat')), stage).consistent).toBe(false);
  });

  it('add: an existing 0.59 repodata (2 members, DEADBEEF meta) is read and rewritten as 0.60', async () => {
    const old = makePackage(dir, { pkgver: 'old-1.0_1' });
    await rindexAdd([old], opts);
    const { repo } = await pkgvers();
    const index = new Map([...repo.index].map(([k, v]) => [k, v.dict]));
    const tar = writeRepodataTar([
      { name: 'index.plist', data: writePlist(index) },
      { name: 'index-meta.plist', data: new TextEncoder().encode('DEADBEEF') },
    ]);
    const z = spawnSync('zstd', ['-q', '-c'], { input: tar });
    writeFileSync(join(dir, 'x86_64-repodata'), z.stdout);
    const legacy = await pkgvers();
    expect(legacy.repo).toMatchObject({ layout: 'repodata-0.42', metaForm: 'DEADBEEF', signed: false });
    await rindexAdd([makePackage(dir, { pkgver: 'new-1.0_1' })], opts);
    const now = await pkgvers();
    expect(now.repo).toMatchObject({ layout: 'repodata-0.60', metaForm: 'empty' });
    expect(now.index).toEqual(['new-1.0_1', 'old-1.0_1']);
  });

  it('clean: drops entries whose file is gone or changed; remove-obsoletes deletes unindexed files and signatures', async () => {
    const keep = makePackage(dir, { pkgver: 'keep-1.0_1' });
    const gone = makePackage(dir, { pkgver: 'gone-1.0_1' });
    const changed = makePackage(dir, { pkgver: 'changed-1.0_1' });
    await rindexAdd([keep, gone, changed], opts);
    unlinkSync(gone);
    writeFileSync(changed, Buffer.concat([readFileSync(changed), Buffer.from([0])]));
    expect((await rindexClean(dir, { ...opts, hashCheck: false })).removed).toEqual([{ pkgver: 'gone-1.0_1', from: 'index', reason: 'missing' }]);
    const r = await rindexClean(dir, opts);
    expect(r.removed).toEqual([{ pkgver: 'changed-1.0_1', from: 'index', reason: 'hash-mismatch' }]);
    expect((await pkgvers()).index).toEqual(['keep-1.0_1']);
    expect((await rindexClean(dir, opts)).written).toBe(false);

    const keep2 = makePackage(dir, { pkgver: 'keep-1.0_2' });
    await rindexAdd([keep2], opts);
    writeFileSync(`${keep}.sig2`, 'x');
    writeFileSync(`${keep2}.sig2`, 'y');
    const removed = await rindexRemoveObsoletes(dir, opts);
    expect(removed.sort()).toEqual([changed, keep].sort());
    expect(existsSync(keep)).toBe(false);
    expect(existsSync(`${keep}.sig2`)).toBe(false);
    expect(existsSync(keep2) && existsSync(`${keep2}.sig2`)).toBe(true);
  });

  it('sign: index-meta.plist gets the public key, size and signer; .sig2 files verify with node:crypto', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
    const pubPem = publicKey.export({ type: 'spki', format: 'pem' }) as string;
    const a = makePackage(dir, { pkgver: 'signed-1.0_1' });
    await rindexAdd([a], opts);
    const s = await rindexSign(dir, { ...opts, key: pem, signedBy: 'Test Signer <t@example.invalid>' });
    expect(s).toMatchObject({ written: true, publicKeySize: 2048 });
    const { repo } = await pkgvers();
    expect(repo.signed).toBe(true);
    expect(new TextDecoder().decode(repo.meta!.publicKey)).toBe(pubPem);
    expect(repo.meta!.signatureType).toBe('rsa');
    expect((await rindexSign(dir, { ...opts, key: pem, signedBy: 'Test Signer <t@example.invalid>' })).written).toBe(false);

    expect(await signPackages([a], { key: pem, legacy: true, workers: 0 })).toEqual([`${a}.sig2`, `${a}.sig`]);
    const bytes = readFileSync(a);
    const sig2 = readFileSync(`${a}.sig2`);
    expect(verify('sha256', bytes, publicKey, sig2)).toBe(true);
    const pkgSha = spawnSync('sha256sum', [a], { encoding: 'utf8' }).stdout.slice(0, 64);
    expect(verifySignature(pkgSha, new Uint8Array(sig2), repo.meta!)).toEqual({ ok: true, kind: 'sig2', problem: '' });
    expect(verifySignature(pkgSha, new Uint8Array(readFileSync(`${a}.sig`)), repo.meta!)).toEqual({ ok: true, kind: 'sig', problem: '' });
    // Existing signatures are kept unless forced.
    expect(await signPackages([a], { key: pem, workers: 0 })).toEqual([]);
    expect(await signPackages([a], { key: pem, force: true, workers: 0 })).toEqual([`${a}.sig2`]);
    // Adding packages later keeps the meta.
    await rindexAdd([makePackage(dir, { pkgver: 'later-1.0_1' })], opts);
    expect((await pkgvers()).repo.signed).toBe(true);
  });

  it('sign: refuses an empty repository and a key that is not RSA', async () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
    // No repodata at all, then a repodata whose index became empty.
    expect((await rpmErrorAsync(rindexSign(dir, { ...opts, key: pem, signedBy: 'me' }))).code).toBe('IO_ERROR');
    const only = makePackage(dir, { pkgver: 'x-1_1' });
    await rindexAdd([only], opts);
    unlinkSync(only);
    expect((await rindexClean(dir, opts)).written).toBe(true);
    const e = await rpmErrorAsync(rindexSign(dir, { ...opts, key: pem, signedBy: 'me' }));
    expect(e.code).toBe('XBPS_BAD_REPODATA');
    expect(e.detail).toBe('cannot sign an empty repository index');
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
    expect((await rpmErrorAsync(rindexSign(dir, { ...opts, key: ec, signedBy: 'me' }))).code).toBe('XBPS_BAD_KEY');
  });

  it('waits for <arch>-repodata.lock, or fails with LOCKED when told not to wait', async () => {
    const a = makePackage(dir, { pkgver: 'locked-1.0_1' });
    writeFileSync(join(dir, 'x86_64-repodata.lock'), '99999\n');
    const e = await rpmErrorAsync(rindexAdd([a], { ...opts, wait: false }));
    expect(e.code).toBe('LOCKED');
    expect((await rpmErrorAsync(rindexAdd([a], { ...opts, lockTimeoutMs: 300 }))).code).toBe('LOCKED');
    const pending = rindexAdd([a], opts);
    setTimeout(() => unlinkSync(join(dir, 'x86_64-repodata.lock')), 300);
    expect((await pending).added).toEqual(['locked-1.0_1']);
    expect(existsSync(join(dir, 'x86_64-repodata.lock'))).toBe(false);
  });

  it('hashing on worker threads gives byte-identical repodata to hashing on the calling thread', async () => {
    const payload = (seed: number) => {
      const b = new Uint8Array(3 * 1024 * 1024);
      for (let i = 0; i < b.length; i++) b[i] = (Math.imul(i + seed, 2654435761) >>> 11) & 0xff;
      return b;
    };
    const pkgs = [1, 2, 3].map((n) => makePackage(dir, { pkgver: `big${n}-1.0_1`, payload: payload(n) }));
    await rindexAdd(pkgs, { ...opts, workers: 2 });
    const threaded = readFileSync(join(dir, 'x86_64-repodata'));
    unlinkSync(join(dir, 'x86_64-repodata'));
    await rindexAdd(pkgs, { ...opts, workers: 0 });
    expect(readFileSync(join(dir, 'x86_64-repodata')).equals(threaded)).toBe(true);
  });
});
