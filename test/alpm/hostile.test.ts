/**
 * Hostile input for packages and sync databases: `../` and absolute member names, members over
 * their limit, decompression bombs, lying sizes, malformed desc entries — each a typed error (or
 * a warning where libalpm reads on), nothing written outside the repository, nothing hung. Then
 * seeded fuzzing of the database reader and the package reader: only RepokitErrors may escape.
 */
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync, zstdCompressSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { emptyDescEntry, encodeDesc } from '../../src/alpm/codecs.js';
import { parseSyncDbTar, readPackage, readSyncDb, repoAdd, syncDbTar } from '../../src/alpm/database.js';
import { compress } from '../../src/shared/compression.js';
import { isRepokitError } from '../../src/shared/errors.js';
import { Prng, caseSeed, flipBits, formatFailures, fuzzConfig, guard, insertBytes, overwriteBytes, removeBytes, truncateAt, type FuzzFailure, type Log } from '../helpers/fuzz.js';
import { gzip, pkginfo, rawTar, tinyPackage } from '../helpers/alpm-packages.js';

async function codeOf(p: Promise<unknown>): Promise<string> {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  if (!isRepokitError(e)) throw new Error(`expected a RepokitError, got ${String(e)}`);
  return e.code;
}

const descOf = (name: string, version: string) => encodeDesc({ ...emptyDescEntry(), name, version, filename: `${name}.pkg.tar.zst`, depends: ['x'] });

describe('hostile sync databases', () => {
  it('"../" and absolute member names are TAR_UNSAFE_PATH', async () => {
    for (const name of ['../evil-1-1/desc', 'a-1-1/../../desc', '/etc/evil-1-1/desc']) {
      expect(await codeOf(readSyncDb(gzip(rawTar([{ name, data: descOf('evil', '1-1') }]))))).toBe('TAR_UNSAFE_PATH');
    }
  });

  it('a member larger than its limit, too many members, a bomb: LIMIT_EXCEEDED', async () => {
    const big = rawTar([{ name: 'a-1-1/desc', data: `${descOf('a', '1-1')}${'%X%\n'.repeat(1000)}` }]);
    expect(await codeOf(readSyncDb(big, { maxMemberSize: 1000 }))).toBe('LIMIT_EXCEEDED');
    const many = rawTar(Array.from({ length: 50 }, (_, i) => ({ name: `p${i}-1-1/desc`, data: descOf(`p${i}`, '1-1') })));
    expect(await codeOf(readSyncDb(many, { maxMembers: 10 }))).toBe('LIMIT_EXCEEDED');
    // 256 MiB of zeros in ~250 KiB of zstd: stopped at the cap, long before it is all inflated.
    const bomb = await compress(new Uint8Array(256 * 1024 * 1024), 'zstd', { level: 1 });
    expect(bomb.length).toBeLessThan(1024 * 1024);
    expect(await codeOf(readSyncDb(bomb, { maxUncompressedSize: 8 * 1024 * 1024 }))).toBe('LIMIT_EXCEEDED');
    const gz = await compress(new Uint8Array(64 * 1024 * 1024), 'gzip', { level: 9 });
    expect(await codeOf(readSyncDb(gz, { maxUncompressedSize: 1024 * 1024 }))).toBe('LIMIT_EXCEEDED');
  });

  it('a header that claims more data than there is: TRUNCATED, not a hang or a huge allocation', async () => {
    const tar = rawTar([{ name: 'a-1-1/desc', data: 'x', size: 2 ** 33 }]);
    expect(await codeOf(readSyncDb(tar.subarray(0, 1024)))).toMatch(/TRUNCATED|LIMIT_EXCEEDED/);
  });

  it('malformed desc entries: tolerant mode reads on with warnings, strict mode throws, overlong lines are LIMIT_EXCEEDED', async () => {
    const odd = [
      '%NAME%\r\nodd\r\n\r\n', // CRLF: libalpm does not strip \r, so no header matches
      '%VERSION%\n1-1\n%DEPENDS%\nfoo\n', // list swallowing the next header, ending at EOF
      '%WHAT%\nx\n\n',
      '%CSIZE%\nnot-a-number\n\n',
    ].join('');
    const tar = rawTar([{ name: 'odd-1-1/desc', data: odd }]);
    const db = parseSyncDbTar(tar);
    expect(db.entries[0]!.name).toBe('odd');
    expect(db.entries[0]!.warnings.length).toBeGreaterThan(0);
    expect(() => parseSyncDbTar(tar, { mode: 'strict' })).toThrow(expect.objectContaining({ code: 'ALPM_BAD_DESC' }));
    const long = rawTar([{ name: 'l-1-1/desc', data: `%DESC%\n${'x'.repeat(600 * 1024)}\n\n` }]);
    expect(() => parseSyncDbTar(long)).toThrow(expect.objectContaining({ code: 'LIMIT_EXCEEDED' }));
    const bin = rawTar([{ name: 'b-1-1/desc', data: new Uint8Array([0x25, 0xff, 0xfe, 0, 0x0a, 0x0a]) }]);
    expect(() => parseSyncDbTar(bin)).not.toThrow();
  });
});

describe('hostile packages', () => {
  it('member names with ".." or "/" are refused and nothing is written outside the repository', async () => {
    const root = mkdtempSync(join(tmpdir(), 'repokit-alpm-hostile-'));
    const repoDir = join(root, 'repo');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(repoDir);
    for (const name of ['../../escape', '/etc/escape', 'usr/../../escape']) {
      const pkg = join(repoDir, 'evil-1-1-any.pkg.tar.gz');
      writeFileSync(pkg, tinyPackage('evil', '1-1', [{ name, data: 'pwned' }]));
      expect(await codeOf(readPackage(pkg))).toBe('TAR_UNSAFE_PATH');
      expect(await codeOf(repoAdd(join(repoDir, 'r.db.tar.gz'), [pkg]))).toBe('TAR_UNSAFE_PATH');
    }
    expect(readdirSync(root)).toEqual(['repo']);
    expect(readdirSync(repoDir)).toEqual(['evil-1-1-any.pkg.tar.gz']);
  });

  it('an oversized .PKGINFO, a bomb and too many members: LIMIT_EXCEEDED', async () => {
    const fat = gzip(rawTar([{ name: '.PKGINFO', data: pkginfo('fat', '1-1', `pkgdesc = ${'x'.repeat(2 * 1024 * 1024)}\n`) }]));
    expect(await codeOf(readPackage(fat))).toBe('LIMIT_EXCEEDED');
    const bomb = await compress(rawTar([{ name: '.PKGINFO', data: pkginfo('b', '1-1') }, { name: 'usr/zero', data: new Uint8Array(32 * 1024 * 1024) }]), 'zstd', { level: 1 });
    expect(await codeOf(readPackage(bomb, { maxUncompressedSize: 1024 * 1024 }))).toBe('LIMIT_EXCEEDED');
    const many = gzip(rawTar([{ name: '.PKGINFO', data: pkginfo('m', '1-1') }, ...Array.from({ length: 100 }, (_, i) => ({ name: `f${i}`, data: '' }))]));
    expect(await codeOf(readPackage(many, { maxMembers: 50 }))).toBe('LIMIT_EXCEEDED');
    expect(await codeOf(readPackage(new Uint8Array([0x28, 0xb5, 0x2f, 0xfd, 1, 2, 3])))).toMatch(/CORRUPT_COMPRESSED_DATA|TRUNCATED/);
    expect(await codeOf(readPackage(new Uint8Array([0x04, 0x22, 0x4d, 0x18, 0, 0, 0])))).toBe('CORRUPT_COMPRESSED_DATA');
    expect(await codeOf(readPackage(new Uint8Array([0x04, 0x22, 0x4d, 0x18, 0x64, 0x40, 0xa7, 5])))).toBe('TRUNCATED');
    expect(await codeOf(readPackage(new Uint8Array([0x4c, 0x5a, 0x49, 0x50, 1, 0x0c, 0])))).toBe('TRUNCATED');
  });
});

/** A read's result as JSON, or its error's code and message (anything else is a failure of its own). */
async function outcomeOf(p: Promise<unknown>): Promise<string> {
  try {
    return JSON.stringify(await p);
  } catch (e) {
    return isRepokitError(e) ? `${e.code}: ${e.message}` : `not a RepokitError: ${String(e)}`;
  }
}

describe('fuzzing', () => {
  const cfg = fuzzConfig(0xa1b2c3, 3000, 400);

  it(`the database reader throws only RepokitErrors (${cfg.cases} cases, seed ${cfg.seed}, ${cfg.source})`, async () => {
    const entries = ['a', 'bb', 'ccc'].map((n, i) => ({
      entry: { ...emptyDescEntry(), name: n, version: `${i}.0-1`, filename: `${n}.pkg.tar.zst`, csize: 10, depends: ['x>=1', 'y: z'], files: ['usr/', `usr/${n}`] },
    }));
    const seeds = [syncDbTar(entries, 'files'), syncDbTar(entries, 'db', { layout: 'split', directoryEntries: false })];
    const gz = await compress(seeds[0]!, 'gzip');
    const failures: FuzzFailure[] = [];
    for (let i = 0; i < cfg.cases; i++) {
      const rng = new Prng(caseSeed(cfg.seed, i));
      const log: Log = [];
      const compressed = i % 5 === 4;
      let b = compressed ? gz : seeds[rng.int(seeds.length)]!;
      const n = 1 + rng.int(3);
      for (let k = 0; k < n; k++) {
        const op = rng.int(5);
        if (op === 0) b = flipBits(rng, b, log);
        else if (op === 1) b = overwriteBytes(rng, b, log);
        else if (op === 2) b = truncateAt(b, rng.int(b.length + 1), log);
        else if (op === 3) b = insertBytes(b, rng.int(b.length + 1), new TextEncoder().encode(['\n', '%DEPENDS%\n', '../', '\0', '%FILES%\n'][rng.int(5)]!), log);
        else b = removeBytes(b, rng.int(b.length + 1), 1 + rng.int(64), log);
      }
      const recipe = () => `seed ${cfg.seed} case ${i} ${compressed ? 'gzip' : 'tar'}: ${log.join('; ')}`;
      const fast = guard(failures, 'parseSyncDbTar', recipe, () => parseSyncDbTar(b));
      const general = guard(failures, 'parseSyncDbTar (general decoder only)', recipe, () => parseSyncDbTar(b, { fastPath: false }));
      // The reader's fast path and the general decoder agree on every input both accept.
      if ((fast === undefined) !== (general === undefined) || JSON.stringify(fast) !== JSON.stringify(general)) {
        failures.push({ step: 'fast path vs decodeEntry', recipe: recipe(), problem: 'results differ', stack: '' });
      }
      guard(failures, 'parseSyncDbTar strict', recipe, () => parseSyncDbTar(b, { mode: 'strict' }));
      try {
        await readSyncDb(b, { maxUncompressedSize: 16 * 1024 * 1024 });
      } catch (e) {
        if (!isRepokitError(e)) failures.push({ step: 'readSyncDb', recipe: recipe(), problem: String(e), stack: (e as Error).stack ?? '' });
      }
      // A gzip (or single-frame zstd) database is walked as it is decoded; that walk and the
      // whole-file general path give the same result or the same error, for the mutated gzip and
      // for the mutated tar gzipped and zstd-compressed.
      for (const bytes of compressed ? [b] : [gzipSync(b), zstdCompressSync(b)]) {
        const opts = { keepRaw: true, maxUncompressedSize: 16 * 1024 * 1024 };
        const streamed = await outcomeOf(readSyncDb(bytes, opts));
        const whole = await outcomeOf(readSyncDb(bytes, { ...opts, fastPath: false }));
        if (streamed !== whole) failures.push({ step: 'gzip walk vs whole file', recipe: recipe(), problem: `${streamed.slice(0, 200)} vs ${whole.slice(0, 200)}`, stack: '' });
      }
    }
    expect(failures, formatFailures(failures)).toEqual([]);
  });

  it(`the package reader throws only RepokitErrors (${Math.ceil(cfg.cases / 4)} cases)`, async () => {
    const tar = rawTar([{ name: '.PKGINFO', data: pkginfo('f', '1-1', 'depend = a\n') }, { name: 'usr/', type: '5' }, { name: 'usr/f', data: 'x'.repeat(600) }]);
    const seeds = [tar, gzip(tar), await compress(tar, 'zstd'), await compress(tar, 'bzip2')];
    const failures: FuzzFailure[] = [];
    for (let i = 0; i < Math.ceil(cfg.cases / 4); i++) {
      const rng = new Prng(caseSeed(cfg.seed ^ 0x5a5a, i));
      const log: Log = [];
      let b = seeds[i % seeds.length]!;
      b = rng.int(2) === 0 ? flipBits(rng, b, log) : overwriteBytes(rng, b, log);
      if (rng.int(3) === 0) b = truncateAt(b, rng.int(b.length + 1), log);
      try {
        await readPackage(b, { maxUncompressedSize: 4 * 1024 * 1024 });
      } catch (e) {
        if (!isRepokitError(e)) failures.push({ step: 'readPackage', recipe: `seed ${cfg.seed} case ${i}: ${log.join('; ')}`, problem: String(e), stack: (e as Error).stack ?? '' });
      }
    }
    expect(failures, formatFailures(failures)).toEqual([]);
  });
});
