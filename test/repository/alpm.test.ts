/**
 * The Repository facade over ALPM: staging (nothing on disk before write), add / replace / skip
 * reasons, remove, the common view, find, write (and what it writes, read back with the ALPM
 * reader), progress events, abort, identical output for any concurrency, and database signing,
 * verification and .old backups.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Repository, type ProgressEvent } from '../../src/repository/index.js';
import { readSyncDb, type DbSigner, type DbVerifier } from '../../src/alpm/database.js';
import { alpmPackage, snapshot, tempDir } from './helpers.js';

/** A stand-in signature: a byte with the OpenPGP packet bit, then the SHA-256 of the data. */
const fakeSig = (data: Uint8Array): Uint8Array => new Uint8Array([0x88, ...createHash('sha256').update(data).digest()]);
const fakeSigner: DbSigner = async (data) => fakeSig(data);
const fakeVerifier: DbVerifier = async (data, sig) => {
  if (Buffer.compare(Buffer.from(fakeSig(data)), Buffer.from(sig)) !== 0) throw new Error('BAD signature');
};

const open = (dir: string, extra: Partial<Parameters<typeof Repository.open>[0]> = {}) => Repository.open({ format: 'alpm', dir, name: 'test', ...extra });

describe('Repository (alpm)', () => {
  it('stages in memory, then writes both databases; the view maps desc fields', async () => {
    const dir = tempDir();
    const a = alpmPackage(dir, 'a', '1.0-1', { depends: ['glibc>=2.38', 'zlib'], optdepends: ['python: scripting'], provides: ['liba.so=1-64'], desc: 'Package A' });
    const b = alpmPackage(dir, 'b', '1:2.0-3');
    const repo = await open(dir);
    expect([...(await collect(repo))]).toEqual([]);
    const before = snapshot(dir);
    const r = await repo.add([a, b]);
    expect(r.added.map((v) => `${v.name} ${v.version.text}`)).toEqual(['a 1.0-1', 'b 1:2.0-3']);
    expect(r.replaced).toEqual([]);
    expect(r.skipped).toEqual([]);
    // Nothing on disk changed yet.
    expect(snapshot(dir)).toEqual(before);
    expect(repo.pending).toBe(1);
    const va = repo.find('a')!;
    expect(va).toMatchObject({ format: 'alpm', name: 'a', arch: 'any', summary: 'Package A', fileName: 'a-1.0-1-any.pkg.tar.gz', size: readFileSync(a).length, installedSize: 4 });
    expect(va.checksums.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(va.dependencies.depends).toEqual([{ name: 'glibc', operator: '>=', version: '2.38' }, { name: 'zlib' }]);
    expect(va.dependencies.optional).toEqual([{ name: 'python', description: 'scripting' }]);
    expect(va.dependencies.provides).toEqual([{ name: 'liba.so', operator: '=', version: '1-64' }]);
    expect(repo.find('b')!.version).toMatchObject({ epoch: '1', version: '2.0', release: '3' });

    const w = await repo.write();
    expect(w.written).toBe(true);
    expect(w.files).toEqual([join(dir, 'test.db.tar.gz'), join(dir, 'test.files.tar.gz')]);
    expect(w.add.added.map((v) => v.name)).toEqual(['a', 'b']);
    expect(w.packages).toBe(2);
    expect(repo.pending).toBe(0);
    expect(readdirSync(dir).filter((f) => f.startsWith('test.')).sort()).toEqual(['test.db', 'test.db.tar.gz', 'test.files', 'test.files.tar.gz']);
    const db = await readSyncDb(join(dir, 'test.db'));
    expect(db.entries.map((e) => e.dir).sort()).toEqual(['a-1.0-1', 'b-1:2.0-3']);
    expect(db.entries.find((e) => e.name === 'a')!.entry.sha256sum).toBe(va.checksums.sha256);
    expect(existsSync(join(dir, 'test.db.tar.gz.lck'))).toBe(false);
  });

  it('replaces an older version, skips equal and older ones with the reason, and force replaces', async () => {
    const dir = tempDir();
    const repo = await open(dir);
    await repo.add([alpmPackage(dir, 'a', '2.0-1'), alpmPackage(dir, 'b', '1-1')]);
    await repo.write();
    const newer = alpmPackage(dir, 'a', '2.1-1');
    const older = alpmPackage(dir, 'b', '0.9-1');
    const same = join(dir, 'b-1-1-any.pkg.tar.gz');
    const text = join(dir, 'notes.txt');
    writeFileSync(text, 'not a package');
    const r = await repo.add([newer, older, same, text]);
    expect(r.added).toEqual([]);
    expect(r.replaced.map((x) => `${x.old.version.text} -> ${x.new.version.text}`)).toEqual(['2.0-1 -> 2.1-1']);
    expect(r.skipped.map((s) => [s.path, s.reason])).toEqual([
      [older, 'older'],
      [same, 'already-present'],
      [text, 'not-a-package'],
    ]);
    const w = await repo.write();
    expect(w.add.replaced).toHaveLength(1);
    expect((await readSyncDb(join(dir, 'test.db'))).entries.map((e) => e.dir).sort()).toEqual(['a-2.1-1', 'b-1-1']);
    const f = await repo.add([older], { force: true });
    expect(f.replaced.map((x) => x.new.version.text)).toEqual(['0.9-1']);
    await repo.write();
    expect((await readSyncDb(join(dir, 'test.db'))).entries.map((e) => e.dir).sort()).toEqual(['a-2.1-1', 'b-0.9-1']);
  });

  it('within one batch: an equal repeat is a duplicate, a later newer version wins over an earlier one', async () => {
    const dir = tempDir();
    const repo = await open(dir);
    const a1 = alpmPackage(dir, 'a', '1-1');
    const a2 = alpmPackage(dir, 'a', '2-1');
    const r = await repo.add([a1, a1, a2]);
    expect(r.added.map((v) => v.version.text)).toEqual(['2-1']);
    expect(r.skipped.map((s) => [s.path, s.reason])).toEqual([
      [a1, 'duplicate'],
      [a1, 'older'],
    ]);
  });

  it('skips packages of another architecture when one is set', async () => {
    const dir = tempDir();
    const repo = await open(dir, { arch: 'x86_64' });
    const x = alpmPackage(dir, 'x', '1-1', { arch: 'x86_64' });
    const y = alpmPackage(dir, 'y', '1-1', { arch: 'aarch64' });
    const z = alpmPackage(dir, 'z', '1-1', { arch: 'any' });
    const r = await repo.add([x, y, z]);
    expect(r.added.map((v) => v.name)).toEqual(['x', 'z']);
    expect(r.skipped).toMatchObject([{ path: y, reason: 'wrong-arch' }]);
  });

  it('remove stages a removal; missing names are reported; write rewrites the databases', async () => {
    const dir = tempDir();
    const repo = await open(dir);
    await repo.add([alpmPackage(dir, 'a', '1-1'), alpmPackage(dir, 'b', '1-1')]);
    await repo.write();
    const before = snapshot(dir);
    const r = repo.remove(['a', 'nope']);
    expect(r.removed.map((v) => v.name)).toEqual(['a']);
    expect(r.missing).toEqual(['nope']);
    expect(repo.find('a')).toBeUndefined();
    expect(snapshot(dir)).toEqual(before);
    const w = await repo.write();
    expect(w.remove.removed.map((v) => v.name)).toEqual(['a']);
    expect((await readSyncDb(join(dir, 'test.db'))).entries.map((e) => e.name)).toEqual(['b']);
  });

  it('write replays onto the index on disk: an update made meanwhile by someone else is kept', async () => {
    const dir = tempDir();
    const mine = await open(dir);
    const theirs = await open(dir);
    await mine.add([alpmPackage(dir, 'mine', '1-1')]);
    await theirs.add([alpmPackage(dir, 'theirs', '1-1')]);
    await theirs.write();
    const w = await mine.write();
    expect(w.packages).toBe(2);
    expect((await readSyncDb(join(dir, 'test.db'))).entries.map((e) => e.name).sort()).toEqual(['mine', 'theirs']);
    // The replay re-decides: a version that became current meanwhile is skipped at write time.
    const again = await open(dir);
    const p = alpmPackage(dir, 'pkg', '1-1');
    await again.add([p]);
    const other = await open(dir);
    await other.add([p]);
    await other.write();
    const w2 = await again.write();
    expect(w2.add.added).toEqual([]);
    expect(w2.add.skipped.map((s) => s.reason)).toEqual(['already-present']);
    expect(w2.written).toBe(false);
  });

  it('writes an empty index when asked with nothing staged, and nothing when it is up to date', async () => {
    const dir = tempDir();
    const repo = await open(dir, { compression: 'zstd' });
    const w = await repo.write();
    expect(w.written).toBe(true);
    expect(existsSync(join(dir, 'test.db.tar.zst'))).toBe(true);
    expect((await repo.write()).written).toBe(false);
    // Reopened without a compression: the existing database's is used.
    const again = await open(dir);
    await again.add([alpmPackage(dir, 'a', '1-1')]);
    expect((await again.write()).files[0]).toBe(join(dir, 'test.db.tar.zst'));
  });

  it('progress: per phase monotone, ending at total, bytes summing to the files read', async () => {
    const dir = tempDir();
    const paths = Array.from({ length: 40 }, (_, i) => alpmPackage(dir, `p${i}`, '1-1'));
    const total = paths.reduce((n, p) => n + readFileSync(p).length, 0);
    const events: ProgressEvent[] = [];
    const repo = await open(dir);
    await repo.add(paths, { onProgress: (e) => events.push(e), concurrency: 2 });
    await repo.write({ onProgress: (e) => events.push(e) });
    for (const phase of ['read', 'load', 'write'] as const) {
      const es = events.filter((e) => e.phase === phase);
      expect(es.length, phase).toBeGreaterThan(0);
      for (let i = 1; i < es.length; i++) {
        if (es[i]!.done < es[i - 1]!.done) expect(es[i]!.done).toBe(0); // a new run of the phase starts at 0
        else expect(es[i]!.done).toBeGreaterThanOrEqual(es[i - 1]!.done);
      }
      expect(es.at(-1)!.done).toBe(es.at(-1)!.total);
    }
    const reads = events.filter((e) => e.phase === 'read');
    expect(reads.map((e) => e.done)).toEqual([...reads.map((e) => e.done)].sort((a, b) => a - b));
    expect(reads.at(-1)).toMatchObject({ done: 40, total: 40, bytes: total, totalBytes: total });
    expect(reads.length).toBeGreaterThan(2); // more than start and end: the batches report
  });

  it('the databases are byte-identical whatever the concurrency', async () => {
    const outputs: Buffer[][] = [];
    for (const concurrency of [1, 2, 4]) {
      const dir = tempDir();
      const paths = Array.from({ length: 24 }, (_, i) => alpmPackage(dir, `q${i}`, `${i}.0-1`, { depends: [`q${(i + 1) % 24}`] }));
      const repo = await open(dir);
      await repo.add(paths, { concurrency });
      await repo.write({ concurrency });
      outputs.push([readFileSync(join(dir, 'test.db.tar.gz')), readFileSync(join(dir, 'test.files.tar.gz'))]);
    }
    expect(outputs[1]![0]!.equals(outputs[0]![0]!)).toBe(true);
    expect(outputs[1]![1]!.equals(outputs[0]![1]!)).toBe(true);
    expect(outputs[2]![0]!.equals(outputs[0]![0]!)).toBe(true);
    expect(outputs[2]![1]!.equals(outputs[0]![1]!)).toBe(true);
  });

  it('abort during add: ABORTED, nothing staged, nothing on disk', async () => {
    const dir = tempDir();
    const repo = await open(dir);
    await repo.add([alpmPackage(dir, 'base', '1-1')]);
    await repo.write();
    const paths = Array.from({ length: 70 }, (_, i) => alpmPackage(dir, `m${i}`, '1-1'));
    const before = snapshot(dir);
    const ac = new AbortController();
    const e = await repo
      .add(paths, {
        signal: ac.signal,
        onProgress: (p) => {
          if (p.phase === 'read' && p.done > 0) ac.abort();
        },
      })
      .catch((x: unknown) => x);
    expect(e).toMatchObject({ code: 'ABORTED' });
    expect(repo.pending).toBe(0);
    expect(repo.find('m0')).toBeUndefined();
    expect(snapshot(dir)).toEqual(before);
    // An already aborted signal fails at once.
    await expect(repo.add(paths, { signal: AbortSignal.abort() })).rejects.toMatchObject({ code: 'ABORTED' });
  });

  it('abort during write: ABORTED, the index and the directory unchanged, the lock released, the stage kept', async () => {
    const dir = tempDir();
    const repo = await open(dir);
    await repo.add([alpmPackage(dir, 'base', '1-1')]);
    await repo.write();
    await repo.add([alpmPackage(dir, 'extra', '1-1')]);
    const before = snapshot(dir);
    const ac = new AbortController();
    const e = await repo
      .write({
        signal: ac.signal,
        onProgress: (p) => {
          if (p.phase === 'load' && p.done === p.total) ac.abort();
        },
      })
      .catch((x: unknown) => x);
    expect(e).toMatchObject({ code: 'ABORTED' });
    expect(snapshot(dir)).toEqual(before);
    expect(repo.pending).toBe(1);
    // Retrying writes it.
    await repo.write();
    expect((await readSyncDb(join(dir, 'test.db'))).entries.map((x) => x.name).sort()).toEqual(['base', 'extra']);
  });

  it('lock: fail gives LOCKED naming the lock file; wait gives up after lockTimeoutMs', async () => {
    const dir = tempDir();
    const lock = join(dir, 'test.db.tar.gz.lck');
    const failing = await open(dir, { lock: 'fail' });
    await failing.add([alpmPackage(dir, 'a', '1-1')]);
    writeFileSync(lock, '12345\n');
    const e = await failing.write().catch((x: unknown) => x);
    expect(e).toMatchObject({ code: 'LOCKED', file: lock });
    expect(String((e as Error).message)).toContain('12345');
    const waiting = await open(dir, { lock: 'wait', lockTimeoutMs: 150 });
    await waiting.add([alpmPackage(dir, 'b', '1-1')]);
    await expect(waiting.write()).rejects.toMatchObject({ code: 'LOCKED', file: lock });
    expect(existsSync(join(dir, 'test.db.tar.gz'))).toBe(false);
  });

  it('rejects bad options with INVALID_ARGUMENT', async () => {
    const dir = tempDir();
    await expect(Repository.open({ format: 'nope' as 'alpm', dir })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(Repository.open({ format: 'alpm', dir: '' })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    const repo = await open(dir);
    await expect(repo.add([join(dir, 'x')], { concurrency: 0 })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect(() => repo.remove([''])).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }) as Error);
    await expect(open(dir, { sign: 'key' as never })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(open(dir, { backup: 1 as never })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    for (const format of ['xbps', 'aptrpm'] as const) {
      await expect(Repository.open({ format, dir: tempDir(), sign: fakeSigner })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
      await expect(Repository.open({ format, dir: tempDir(), verify: fakeVerifier })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
      await expect(Repository.open({ format, dir: tempDir(), backup: true })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    }
  });

  it('sign: every write signs both archives; an unsigned database is signed by the next write even with nothing staged', async () => {
    const dir = tempDir();
    let repo = await open(dir);
    await repo.add([alpmPackage(dir, 'a', '1-1')]);
    await repo.write();
    repo = await open(dir, { sign: fakeSigner });
    let w = await repo.write();
    expect(w.written).toBe(true);
    const db = join(dir, 'test.db.tar.gz');
    const files = join(dir, 'test.files.tar.gz');
    expect(w.files).toEqual([db, files, `${db}.sig`, `${files}.sig`]);
    expect(new Uint8Array(readFileSync(`${db}.sig`))).toEqual(fakeSig(new Uint8Array(readFileSync(db))));
    expect(new Uint8Array(readFileSync(join(dir, 'test.files.sig')))).toEqual(fakeSig(new Uint8Array(readFileSync(files))));
    // Signed and unchanged: nothing to do.
    w = await repo.write();
    expect(w.written).toBe(false);
    await repo.add([alpmPackage(dir, 'b', '1-1')]);
    w = await repo.write();
    expect(w.written).toBe(true);
    expect(new Uint8Array(readFileSync(`${db}.sig`))).toEqual(fakeSig(new Uint8Array(readFileSync(db))));
    // A failing signer: nothing written, the stage kept.
    const failing = await open(dir, { sign: async () => Promise.reject(new Error('no card')) });
    failing.remove(['a']);
    const before = snapshot(dir);
    await expect(failing.write()).rejects.toMatchObject({ code: 'ALPM_DB_SIGN_FAILED' });
    expect(snapshot(dir)).toEqual(before);
    expect(failing.pending).toBe(1);
  });

  it('verify: checked at open and under the lock at write; a bad signature fails and writes nothing, a missing one is a warning', async () => {
    const dir = tempDir();
    const db = join(dir, 'test.db.tar.gz');
    let repo = await open(dir, { verify: fakeVerifier });
    await repo.add([alpmPackage(dir, 'a', '1-1')]);
    // No database yet: nothing to verify.
    expect((await repo.write()).warnings).toEqual([]);
    repo = await open(dir, { verify: fakeVerifier });
    await repo.add([alpmPackage(dir, 'b', '1-1')]);
    const unsigned = await repo.write();
    expect(unsigned.warnings).toEqual([`${db}: the database has no signature: not verified`]);
    repo = await open(dir, { verify: fakeVerifier, sign: fakeSigner });
    await repo.add([alpmPackage(dir, 'c', '1-1')]);
    expect((await repo.write()).warnings).toEqual([`${db}: the database has no signature: not verified`]);
    // Signed now: verifies, no warning. Then someone replaces the signature under a staged change.
    repo = await open(dir, { verify: fakeVerifier });
    repo.remove(['a']);
    writeFileSync(`${db}.sig`, fakeSig(new TextEncoder().encode('another database')));
    const before = snapshot(dir);
    await expect(repo.write()).rejects.toMatchObject({ code: 'ALPM_DB_BAD_SIGNATURE' });
    expect(snapshot(dir)).toEqual(before);
    await expect(open(dir, { verify: fakeVerifier })).rejects.toMatchObject({ code: 'ALPM_DB_BAD_SIGNATURE' });
  });

  it('backup: the replaced archives are kept as .old (off by default)', async () => {
    const dir = tempDir();
    const db = join(dir, 'test.db.tar.gz');
    let repo = await open(dir);
    await repo.add([alpmPackage(dir, 'a', '1-1')]);
    await repo.write();
    await repo.add([alpmPackage(dir, 'b', '1-1')]);
    await repo.write();
    expect(existsSync(`${db}.old`)).toBe(false);
    const previous = readFileSync(db);
    repo = await open(dir, { backup: true });
    repo.remove(['a']);
    const w = await repo.write();
    expect(w.files).toEqual([db, join(dir, 'test.files.tar.gz'), `${db}.old`, join(dir, 'test.files.tar.gz.old')]);
    expect(readFileSync(`${db}.old`)).toEqual(previous);
    expect((await readSyncDb(`${db}.old`)).entries.map((e) => e.name).sort()).toEqual(['a', 'b']);
  });
});

async function collect(repo: Repository): Promise<string[]> {
  const out: string[] = [];
  for await (const p of repo.packages()) out.push(`${p.name} ${p.version.text}`);
  return out;
}
