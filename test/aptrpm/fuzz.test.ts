/**
 * Hostile input for the pkglist reader and the release parser. Seeds: the corpus pkglists (plain
 * and, when xz works, the real ALT p10 list decompressed), a hand-made list, the corpus release
 * files. Mutations: bit flips, byte overwrites (anywhere and in header intros/index entries),
 * il/dl set to extremes, truncation, inserted/removed bytes, splices of two lists. Every case is
 * read completely (parsePkglist, and for some cases readPkglist in random chunks, plain and
 * xz-compressed) and every value of every header is decoded; the only acceptable exception is a
 * RepokitError.
 *
 * Knobs as in test/rpm/fuzz.test.ts: REPOKIT_FUZZ_CASES, REPOKIT_FUZZ_SEED.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeHeader, headerToJson, RpmType } from '../../src/rpm/index.js';
import { parsePkglist, parseRelease, readPkglist, readPkglistHeaders } from '../../src/aptrpm/index.js';
import { concatBytes } from '../../src/shared/bytes.js';
import { compress } from '../../src/shared/compression.js';
import {
  INTERESTING_U32,
  Prng,
  caseSeed,
  flipBits,
  formatFailures,
  fuzzConfig,
  insertBytes,
  overwriteBytes,
  removeBytes,
  splice,
  truncateAt,
  writeU32,
  isAllowedError,
  describeThrown,
  type FuzzFailure,
  type Log,
} from '../helpers/fuzz.js';
import { ALT_PKGLIST, APT_CORPUS, HAVE, HAVE_CORPUS, MISSING } from './helpers.js';

const config = fuzzConfig(0x41505452, 20_000, 1_500);

const handMade = concatBytes([
  encodeHeader([
    { tag: 100, type: RpmType.STRING_ARRAY, value: ['C', 'de'] },
    { tag: 1000, type: RpmType.STRING, value: 'a' },
    { tag: 1004, type: RpmType.I18NSTRING, value: ['sum', 'Zusammenfassung'] },
    { tag: 1116, type: RpmType.INT32, value: [0, 0] },
    { tag: 1117, type: RpmType.STRING_ARRAY, value: ['x', 'y'] },
    { tag: 1118, type: RpmType.STRING_ARRAY, value: ['/usr/bin/'] },
    { tag: 5000, type: RpmType.INT64, value: [1n] },
    { tag: 5001, type: RpmType.INT16, value: [1, 2, 3] },
    { tag: 5002, type: RpmType.BIN, value: Uint8Array.of(1, 2) },
  ]),
  encodeHeader([{ tag: 1000, type: RpmType.STRING, value: 'b' }]),
]);

async function seeds(): Promise<{ name: string; bytes: Uint8Array }[]> {
  const out = [{ name: 'hand-made', bytes: handMade }];
  if (HAVE_CORPUS) {
    for (const p of ['x86_64/base/pkglist.classic', 'noarch/base/pkglist.classic', 'noarch/base.bloat/pkglist.classic']) {
      out.push({ name: p, bytes: new Uint8Array(readFileSync(join(APT_CORPUS, 'generated', p))) });
    }
    if (HAVE.xz && existsSync(ALT_PKGLIST)) {
      const headers = await readPkglistHeaders(ALT_PKGLIST);
      out.push({ name: 'ALT p10 (first 4 headers)', bytes: concatBytes(headers.slice(0, 4).map((h) => h.bytes)) });
    }
  }
  return out;
}

/** Header starts of a well-formed list (for structure-aware mutations). */
function starts(b: Uint8Array): number[] {
  const out: number[] = [];
  try {
    for (const e of parsePkglist(b, { requireName: false })) out.push(e.offset);
  } catch {
    // a seed is well formed; mutated inputs are not asked
  }
  return out;
}

function mutate(rng: Prng, seed: Uint8Array, other: Uint8Array, log: Log): Uint8Array {
  let b = seed;
  const hs = starts(seed);
  const rounds = 1 + rng.int(3);
  for (let r = 0; r < rounds; r++) {
    const at = hs.length > 0 ? hs[rng.int(hs.length)]! : 0;
    switch (rng.int(8)) {
      case 0:
        b = flipBits(rng, b, log);
        break;
      case 1:
        b = overwriteBytes(rng, b, log);
        break;
      case 2: {
        // il or dl of one header to an extreme
        const which = rng.int(2) === 0 ? 8 : 12;
        if (at + which + 4 <= b.length) {
          b = b.slice();
          const v = INTERESTING_U32[rng.int(INTERESTING_U32.length)]!;
          writeU32(b, at + which, v);
          log.push(`${which === 8 ? 'il' : 'dl'} of the header at ${at} := ${v}`);
        }
        break;
      }
      case 3: {
        // one field of one index entry
        const e = at + 16 + 16 * rng.int(8) + 4 * rng.int(4);
        if (e + 4 <= b.length) {
          b = b.slice();
          const v = rng.int(2) === 0 ? INTERESTING_U32[rng.int(INTERESTING_U32.length)]! : rng.u32();
          writeU32(b, e, v);
          log.push(`index word at ${e} := ${v}`);
        }
        break;
      }
      case 4:
        b = overwriteBytes(rng, b, log, at, Math.min(b.length, at + 64), 'header intro/index');
        break;
      case 5:
        b = truncateAt(b, rng.int(b.length + 1), log);
        break;
      case 6:
        b = rng.int(2) === 0 ? insertBytes(b, rng.int(b.length + 1), Uint8Array.of(rng.int(256), 0, 0x8e), log) : removeBytes(b, rng.int(b.length + 1), 1 + rng.int(8), log);
        break;
      default:
        b = splice(b, rng.int(b.length + 1), other, rng.int(other.length + 1), log, 'with another seed');
    }
  }
  return b;
}

function touch(bytes: Uint8Array): void {
  for (const e of parsePkglist(bytes)) {
    JSON.stringify(headerToJson(e.header));
    for (const t of e.header.tags()) {
      const type = e.header.entry(t)!.type;
      if (type === RpmType.STRING || type === RpmType.STRING_ARRAY || type === RpmType.I18NSTRING) e.header.getI18n(t, 'de_DE');
    }
  }
}

async function touchAsync(bytes: Uint8Array, rng: Prng): Promise<void> {
  const chunks: Uint8Array[] = [];
  for (let p = 0; p < bytes.length; ) {
    const n = 1 + rng.int(64);
    chunks.push(bytes.subarray(p, p + n));
    p += n;
  }
  for await (const e of readPkglist(chunks)) JSON.stringify(headerToJson(e.header));
}

describe(`fuzz: pkglist reader (${config.cases} cases, seed 0x${config.seed.toString(16)}, ${config.source})`, () => {
  it(`only RepokitErrors escape, synchronously and streamed${HAVE.xz ? '' : ` (xz streams left out: ${MISSING.xz})`}`, async () => {
    const all = await seeds();
    const failures: FuzzFailure[] = [];
    let parsed = 0;
    for (let i = 0; i < config.cases; i++) {
      const rng = new Prng(caseSeed(config.seed, i));
      const s = all[rng.int(all.length)]!;
      const other = all[rng.int(all.length)]!.bytes;
      const log: Log = [];
      const bytes = mutate(rng, s.bytes, other, log);
      const recipe = () => `case ${i} from ${s.name}: ${log.join('; ')}`;
      try {
        touch(bytes);
        parsed++;
      } catch (e) {
        if (!isAllowedError(e)) failures.push({ step: 'parsePkglist', recipe: recipe(), ...describeThrown(e) });
      }
      if (i % 10 === 0) {
        try {
          await touchAsync(bytes, rng);
        } catch (e) {
          if (!isAllowedError(e)) failures.push({ step: 'readPkglist', recipe: recipe(), ...describeThrown(e) });
        }
      }
      if (HAVE.xz && i % 100 === 0) {
        try {
          const z = (await compress(bytes, 'xz', { level: 0 })).slice();
          const r = rng.int(3);
          if (r === 1) {
            const at = rng.int(z.length);
            z[at] = z[at]! ^ (1 << rng.int(8));
          }
          for await (const e of readPkglist(r === 2 ? z.subarray(0, rng.int(z.length)) : z)) headerToJson(e.header);
        } catch (e) {
          if (!isAllowedError(e)) failures.push({ step: 'readPkglist(xz)', recipe: recipe(), ...describeThrown(e) });
        }
      }
    }
    expect(failures, formatFailures(failures)).toEqual([]);
    expect(parsed).toBeGreaterThan(0); // some mutations leave a readable list
  }, 600_000);
});

describe('fuzz: release parser', () => {
  const releases = HAVE_CORPUS
    ? [join(APT_CORPUS, 'generated', 'x86_64', 'base', 'release'), join(APT_CORPUS, 'public', 'johnlepikhin_rpm-spec-tool', 'tiny-alt', 'base', 'release')].map(
        (p) => new Uint8Array(readFileSync(p)),
      )
    : [new TextEncoder().encode(`Origin: a\nMD5Sum:\n ${'0'.repeat(32)} 1 base/x\n\n`)];

  it(`mutated release files (${config.cases} cases): only RepokitErrors`, () => {
    const failures: FuzzFailure[] = [];
    for (let i = 0; i < config.cases; i++) {
      const rng = new Prng(caseSeed(config.seed ^ 0x52454c, i));
      const log: Log = [];
      const seed: Uint8Array = releases[rng.int(releases.length)]!;
      let b: Uint8Array = seed;
      for (let r = 0; r < 1 + rng.int(4); r++) {
        const k = rng.int(4);
        if (k === 0) b = flipBits(rng, b, log);
        else if (k === 1) b = overwriteBytes(rng, b, log);
        else if (k === 2) b = insertBytes(b, rng.int(b.length + 1), new TextEncoder().encode([' ', '\n', ':', '\r\n', '\t', ' 1 '][rng.int(6)]!), log);
        else b = removeBytes(b, rng.int(b.length + 1), 1 + rng.int(20), log);
      }
      try {
        const r = parseRelease(b);
        for (const c of [...r.md5, ...r.blake2b]) expect(Number.isSafeInteger(c.size)).toBe(true);
      } catch (e) {
        if (!isAllowedError(e)) failures.push({ step: 'parseRelease', recipe: `case ${i}: ${log.join('; ')}`, ...describeThrown(e) });
      }
    }
    expect(failures, formatFailures(failures)).toEqual([]);
  });

  it('arbitrary strings: only RepokitErrors (fast-check)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 400 }), (s) => {
        try {
          parseRelease(s);
        } catch (e) {
          if (!isAllowedError(e)) throw e;
        }
      }),
      { numRuns: Math.min(config.cases, 2000), seed: config.seed },
    );
  });
});
