/**
 * Hostile input for the repository readers: mutation fuzzing of repodata (at the tar level and
 * the compressed level) and of packages, seeded with the corpus; path traversal in both archive
 * kinds; decompression bombs and oversized plists; `__proto__` as a package name. Anything escaping
 * other than a RepokitError is a bug. Case counts: REPOKIT_FUZZ_CASES, more under CI.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { zstdCompressSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { parseRepodata, readRepodata } from '../../src/xbps/repodata-read.js';
import { readXbpsPackage } from '../../src/xbps/package.js';
import { plistToJson } from '../../src/xbps/repodata.js';
import { ustarHeader, writeRepodataTar } from '../../src/xbps/repodata-tar.js';
import { writePlist } from '../../src/xbps/plist-write.js';
import { decompress } from '../../src/shared/compression.js';
import {
  Prng,
  caseSeed,
  flipBits,
  formatFailures,
  fuzzConfig,
  guard,
  insertBytes,
  overwriteBytes,
  removeBytes,
  splice,
  truncateAt,
  type FuzzFailure,
  type Log,
} from '../helpers/fuzz.js';
import { rpmErrorAsync, rpmError } from '../helpers/errors.js';
import { GENERATED, HAVE_GENERATED, PUBLIC, HAVE_PUBLIC, SKIP_GENERATED } from './repodata-corpus.js';

const enc = (s: string) => new TextEncoder().encode(s);

/** A small repodata made here, so the fuzzer has seeds without the corpus too. */
function builtSeed(): Uint8Array {
  const entry = new Map<string, import('../../src/xbps/types.js').PlistValue>([
    ['architecture', 'x86_64'],
    ['pkgver', 'foo-1.0_1'],
    ['run_depends', ['bar>=1']],
    ['install-msg', enc('hello')],
  ]);
  return writeRepodataTar([
    { name: 'index.plist', data: writePlist(new Map([['foo', entry]])) },
    { name: 'index-meta.plist', data: enc('DEADBEEF') },
    { name: 'stage.plist', data: new Uint8Array() },
  ]);
}

async function seeds(): Promise<{ name: string; raw: Uint8Array; tar: Uint8Array }[]> {
  const out = [{ name: 'built', raw: builtSeed(), tar: builtSeed() }];
  const files: string[] = [];
  if (HAVE_GENERATED) files.push(...['zstd', 'signed', 'gzip'].map((d) => join(GENERATED, 'repos', d, 'x86_64-repodata')));
  if (HAVE_PUBLIC) files.push(join(PUBLIC, 'slamko_spmn', 'x86_64-repodata'), join(PUBLIC, 'Gigahawk_xbps_libselinux', 'x86_64-repodata'));
  for (const f of files) {
    const raw = new Uint8Array(readFileSync(f));
    out.push({ name: f.split('/').slice(-2).join('/'), raw, tar: await decompress(raw) });
  }
  return out;
}

function mutate(rng: Prng, b: Uint8Array, other: Uint8Array, log: Log): Uint8Array {
  let out = b;
  const n = rng.range(1, 3);
  for (let i = 0; i < n; i++) {
    const what = rng.int(6);
    if (what === 0) out = flipBits(rng, out, log);
    else if (what === 1) out = overwriteBytes(rng, out, log);
    else if (what === 2) out = truncateAt(out, rng.int(out.length + 1), log);
    else if (what === 3) out = insertBytes(out, rng.int(out.length + 1), rng.bytes(rng.smallInt(64)), log);
    else if (what === 4) out = removeBytes(out, rng.int(out.length + 1), rng.smallInt(256), log);
    else out = splice(out, rng.int(out.length + 1), other, rng.int(other.length + 1), log);
  }
  return out;
}

const cfg = fuzzConfig(0x5eed_0b95, 10_000, 1500);

describe('fuzzing', () => {
  it(`parseRepodata (tar level) and readRepodata (compressed level) throw only RepokitError (${cfg.cases} cases, seed ${cfg.seed}, ${cfg.source})`, async () => {
    const s = await seeds();
    const failures: FuzzFailure[] = [];
    for (let i = 0; i < cfg.cases; i++) {
      const rng = new Prng(caseSeed(cfg.seed, i));
      const seed = rng.pick(s);
      const other = rng.pick(s);
      const log: Log = [];
      const compressedLevel = rng.chance(0.3) && seed.raw !== seed.tar;
      const input = mutate(rng, compressedLevel ? seed.raw : seed.tar, compressedLevel ? other.raw : other.tar, log);
      const recipe = () => `seed ${cfg.seed} case ${i} from ${seed.name} (${compressedLevel ? 'compressed' : 'tar'}): ${log.join('; ')}`;
      if (compressedLevel) {
        try {
          await readRepodata(input, { maxOutput: 16 * 1024 * 1024 });
        } catch (e) {
          guard(failures, 'readRepodata', recipe, () => {
            throw e;
          });
        }
      } else {
        guard(failures, 'parseRepodata', recipe, () => parseRepodata(input));
      }
    }
    expect(failures, formatFailures(failures)).toEqual([]);
  });

  it.skipIf(!HAVE_GENERATED)(`readXbpsPackage on mutated packages throws only RepokitError (${Math.ceil(cfg.cases / 4)} cases)${HAVE_GENERATED ? '' : ` (${SKIP_GENERATED})`}`, async () => {
    const dir = join(GENERATED, 'pkgs');
    const pkgs = ['lumen-core-2.1.0_1.x86_64.xbps', 'lumen-data-1.0_1.noarch.xbps', 'lumen-meta-2023.11_1.noarch.xbps'].map((f) => new Uint8Array(readFileSync(join(dir, f))));
    const tars = await Promise.all(pkgs.map((p) => decompress(p)));
    const failures: FuzzFailure[] = [];
    for (let i = 0; i < Math.ceil(cfg.cases / 4); i++) {
      const rng = new Prng(caseSeed(cfg.seed ^ 0xabc, i));
      const k = rng.int(pkgs.length);
      const useTar = rng.chance(0.6);
      const log: Log = [];
      const input = mutate(rng, (useTar ? tars : pkgs)[k]!, (useTar ? tars : pkgs)[rng.int(pkgs.length)]!, log);
      // Bytes take the in-memory path; a stream takes the streaming one.
      const asStream = rng.chance(0.4);
      try {
        await readXbpsPackage(asStream ? Readable.from([input]) : input, { maxOutput: 16 * 1024 * 1024 });
      } catch (e) {
        guard(failures, `readXbpsPackage (${asStream ? 'stream' : 'bytes'})`, () => `case ${i}: ${log.join('; ')}`, () => {
          throw e;
        });
      }
    }
    expect(failures, formatFailures(failures)).toEqual([]);
  });
});

/** A tar with one member named `name` holding `data`, in ustar layout. */
function tarWith(name: string, data: Uint8Array): Uint8Array {
  return writeRepodataTar([{ name, data }]);
}

describe('archive path traversal', () => {
  it('a repodata member named ../index.plist or /index.plist is TAR_UNSAFE_PATH', () => {
    for (const name of ['../index.plist', '/index.plist', 'a/../../index.plist']) {
      const e = rpmError(() => parseRepodata(tarWith(name, writePlist(new Map()))));
      expect(e.code, name).toBe('TAR_UNSAFE_PATH');
      expect(e.detail).toContain(name);
    }
  });

  it('a package whose first member escapes is TAR_UNSAFE_PATH (and so is a later one among the first four)', async () => {
    const props = writePlist(new Map([['pkgver', 'x-1_1'], ['architecture', 'noarch']]));
    expect((await rpmErrorAsync(readXbpsPackage(tarWith('../../etc/props.plist', props)))).code).toBe('TAR_UNSAFE_PATH');
    const tar = writeRepodataTar([
      { name: './props.plist', data: props },
      { name: '../files.plist', data: writePlist(new Map()) },
    ]);
    expect((await rpmErrorAsync(readXbpsPackage(tar))).code).toBe('TAR_UNSAFE_PATH');
  });
});

describe('bombs and oversized members', () => {
  /** zstd of a tar whose first member is `size` zero bytes. */
  function zeroBomb(name: string, size: number): Uint8Array {
    const header = ustarHeader(name, size);
    const body = new Uint8Array(size + 1024 + ((512 - (size % 512)) % 512));
    const tar = new Uint8Array(512 + body.length);
    tar.set(header, 0);
    return new Uint8Array(zstdCompressSync(tar));
  }

  it('repodata decompressing past maxOutput is LIMIT_EXCEEDED', async () => {
    const bomb = zeroBomb('index.plist', 64 * 1024 * 1024);
    expect(bomb.length).toBeLessThan(64 * 1024);
    const e = await rpmErrorAsync(readRepodata(bomb, { maxOutput: 8 * 1024 * 1024 }));
    expect(e.code).toBe('LIMIT_EXCEEDED');
  });

  it('a package with a huge leading member stops at maxOutput; an oversized props.plist at maxPlistSize', async () => {
    const bomb = zeroBomb('./INSTALL', 64 * 1024 * 1024);
    expect((await rpmErrorAsync(readXbpsPackage(bomb, { maxOutput: 8 * 1024 * 1024 }))).code).toBe('LIMIT_EXCEEDED');
    const big = tarWith('./props.plist', enc(`<plist><dict><key>x</key><string>${'a'.repeat(100_000)}</string></dict></plist>`));
    const e = await rpmErrorAsync(readXbpsPackage(big, { maxPlistSize: 4096 }));
    expect(e.code).toBe('LIMIT_EXCEEDED');
  });

  it('a repodata member over maxMemberSize is LIMIT_EXCEEDED before it is buffered', () => {
    const e = rpmError(() => parseRepodata(tarWith('index.plist', new Uint8Array(10_000)), 'none', { maxMemberSize: 1000 }));
    expect(e.code).toBe('LIMIT_EXCEEDED');
  });
});

describe('names that are not names', () => {
  it('__proto__ and constructor are ordinary package names, in the model and in JSON', () => {
    const entry = (pkgver: string) => new Map<string, import('../../src/xbps/types.js').PlistValue>([['pkgver', pkgver], ['architecture', 'noarch']]);
    const r = parseRepodata(tarWith('index.plist', writePlist(new Map([['__proto__', entry('__proto__-1_1')], ['constructor', entry('constructor-1_1')]]))));
    expect([...r.index.keys()]).toEqual(['__proto__', 'constructor']);
    const json = plistToJson(new Map([...r.index].map(([k, e]) => [k, e.dict]))) as Record<string, unknown>;
    expect(Object.keys(json)).toEqual(['__proto__', 'constructor']);
    expect(({} as Record<string, unknown>)['pkgver']).toBeUndefined();
    expect(JSON.stringify(json)).toBe('{"__proto__":{"architecture":"noarch","pkgver":"__proto__-1_1"},"constructor":{"architecture":"noarch","pkgver":"constructor-1_1"}}');
  });
});
