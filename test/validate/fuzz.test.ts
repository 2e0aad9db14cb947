/**
 * Hostile input to detectFileKind and validateBytes: mutated real files of every kind (and raw
 * random bytes). Nothing may throw: a reader's RepokitError must come back as a problem, and any
 * exception escaping (RepokitError or not) is a bug. Seeds and case counts: REPOKIT_FUZZ_SEED,
 * REPOKIT_FUZZ_CASES (default 300 here, 1500 under CI).
 */
import { readFileSync, rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detectFileKind, validateBytes, VALIDATABLE_KINDS } from '../../src/validate/index.js';
import { Prng, caseSeed, describeThrown, flipBits, formatFailures, fuzzConfig, insertBytes, overwriteBytes, removeBytes, truncateAt, type FuzzFailure, type Log } from '../helpers/fuzz.js';
import { makeOtherFiles, tempDir } from './made.js';
import { HAVE_CORPUS, corpusFiles } from './corpus.js';

const config = fuzzConfig(0x7a11da7e, 1500, 300);
let dir: string;
let seeds: { name: string; bytes: Uint8Array }[] = [];

beforeAll(async () => {
  dir = tempDir();
  const made = await makeOtherFiles(dir);
  seeds = made.map((m) => ({ name: m.how, bytes: readFileSync(m.path) }));
  // Small text seeds of the ALPM kinds (the pacman tools may be missing; these are tiny anyway).
  const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
  seeds.push({ name: 'desc', bytes: enc('%FILENAME%\nfoo-1-1-any.pkg.tar.zst\n\n%NAME%\nfoo\n\n%VERSION%\n1-1\n\n%DEPENDS%\nbar>=1\n\n') });
  seeds.push({ name: 'files', bytes: enc('%FILES%\nusr/\nusr/bin/\nusr/bin/foo\n') });
  seeds.push({ name: '.PKGINFO', bytes: enc('pkgname = foo\npkgbase = foo\npkgver = 1-1\nsize = 1\narch = any\n') });
  seeds.push({ name: '.BUILDINFO', bytes: enc('format = 2\npkgname = foo\npkgarch = any\nbuildenv = ccache\n') });
  if (HAVE_CORPUS) {
    for (const f of corpusFiles()) {
      const b = readFileSync(f.path);
      if (b.length <= 64 * 1024) seeds.push({ name: f.id, bytes: b });
    }
  }
}, 600_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function mutate(rng: Prng, b: Uint8Array, log: Log): Uint8Array {
  switch (rng.int(6)) {
    case 0:
      return flipBits(rng, b, log);
    case 1:
      return overwriteBytes(rng, b, log);
    case 2:
      return truncateAt(b, rng.int(b.length + 1), log);
    case 3:
      return insertBytes(b, rng.int(b.length + 1), rng.bytes(rng.smallInt(64)), log);
    case 4:
      return removeBytes(b, rng.int(b.length + 1), rng.smallInt(256), log);
    default:
      // Damage inside the data, not only in the container: a bit flip past the headers.
      return flipBits(rng, b, log, Math.floor(b.length / 2), b.length);
  }
}

describe(`detect + validate on hostile input (${config.cases} cases, seed ${config.seed}, ${config.source})`, () => {
  it('never throw', async () => {
    expect(seeds.length).toBeGreaterThan(20);
    const failures: FuzzFailure[] = [];
    for (let i = 0; i < config.cases; i++) {
      const rng = new Prng(caseSeed(config.seed, i));
      const seed = rng.pick(seeds);
      const log: Log = [];
      let bytes = rng.chance(0.05) ? rng.bytes(rng.smallInt(4096)) : seed.bytes;
      if (bytes === seed.bytes) for (let k = rng.range(1, 3); k > 0; k--) bytes = mutate(rng, bytes, log);
      const recipe = (): string => `seed ${config.seed} case ${i}: ${seed.name}; ${log.join('; ')}`;
      try {
        await detectFileKind(bytes, rng.chance(0.5) ? seed.name : undefined);
        const forced = rng.chance(0.3) ? rng.pick(VALIDATABLE_KINDS) : undefined;
        const r = await validateBytes(bytes, forced === undefined ? {} : { kind: forced });
        if (r.problems.some((p) => p.severity !== 'error' && p.severity !== 'warning')) failures.push({ step: 'validateBytes', recipe: recipe(), problem: 'a problem without a severity', stack: '' });
        if (r.ok !== r.problems.every((p) => p.severity === 'warning')) failures.push({ step: 'validateBytes', recipe: recipe(), problem: 'ok disagrees with the errors', stack: '' });
      } catch (e) {
        failures.push({ step: 'detect/validate', recipe: recipe(), ...describeThrown(e) });
      }
    }
    expect(failures, formatFailures(failures)).toEqual([]);
  }, 600_000);
});
