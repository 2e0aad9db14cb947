/**
 * Hostile-input fuzzing of the plist parser (and, when a mutant still parses, of the writer and
 * the typed views on its result).
 *
 * Seeds: every plist of the shared corpus plus a few hand-written ones covering each element.
 * Mutations: bit flips and byte overwrites, truncation, inserted markup fragments (entities,
 * CDATA, comments, DOCTYPE subsets, unbalanced tags, huge integers, attributes), removed and
 * duplicated slices, and splices of two seeds. Crafted cases: very deep nesting, very many
 * values, a huge `<data size>`. The only acceptable exception is a RepokitError; no case may
 * take more than HANG_MS; a parsed value must write, re-parse to an equal value, and give a
 * stable text.
 *
 * Knobs (test/helpers/fuzz.ts): REPOKIT_FUZZ_CASES (default 20,000 with CI, 3,000 otherwise),
 * REPOKIT_FUZZ_SEED (default 0x58425053, "XBPS").
 */
import { describe, expect, it } from 'vitest';
import {
  formatFailures,
  fuzzConfig,
  caseSeed,
  flipBits,
  guard,
  insertBytes,
  overwriteBytes,
  Prng,
  removeBytes,
  splice,
  truncateAt,
  type FuzzFailure,
  type Log,
} from '../helpers/fuzz.js';
import { parsePlist, plistEqual, readFiles, readProps, writePlist, type PlistValue } from '../../src/xbps/codecs.js';
import { isRepokitError } from '../../src/shared/errors.js';
import { CORPUS_PLISTS } from './plist-corpus.js';

const CONFIG = fuzzConfig(0x58425053 /* "XBPS" */, 20_000, 3_000);
const HANG_MS = 2_000;
const enc = new TextEncoder();

const HAND_SEEDS = [
  '<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "x">\n<plist version="1.0"><!-- c -->\n' +
    '<dict><key>a&amp;b</key><array><integer>0x10</integer><integer>-077</integer><true/><false/><data>\n AQID\n</data>' +
    '<string>&lt;x&gt; &apos;&quot;</string><dict/><array/><string/></array><key>__proto__</key><dict><key>k</key><string>v</string></dict></dict>\n</plist>\n',
  '<plist><array><dict><key>pkgver</key><string>foo-1.0_1</string><key>architecture</key><string>noarch</string>' +
    '<key>run_depends</key><array><string>bar&gt;=1</string></array><key>installed_size</key><integer>12</integer></dict></array></plist>',
].map((s) => enc.encode(s));

const SEEDS: Uint8Array[] = [...CORPUS_PLISTS.map((c) => c.bytes).filter((b) => b.length > 0), ...HAND_SEEDS];

const FRAGMENTS = [
  '<', '>', '&', '</', '/>', '<!--', '-->', '<![CDATA[', ']]>', '&#38;', '&#x26;', '&nbsp;', '&amp;', '&lt', '<dict>', '</dict>',
  '<array>', '</array>', '<key>', '</key>', '<string>', '</string>', '<integer>', '</integer>', '<data>', '</data>', '<data/>',
  '<true/>', '<true>', '<real>1.0</real>', '<date>x</date>', '<integer>99999999999999999999999</integer>', '<integer>-0x1</integer>',
  '<data size="18446744073709551615">QQ==</data>', ' version="1.0"', " a='b'", '<!DOCTYPE plist [<!ENTITY x "y">]>', '<?xml ',
  '\0', '\uFEFF', '\uD800', '====', 'QQ', '<key>__proto__</key>', '<plist>', '</plist>',
].map((s) => enc.encode(s));

function mutate(rng: Prng, log: Log): Uint8Array {
  let b = rng.pick(SEEDS);
  log.push(`seed ${SEEDS.indexOf(b)}`);
  const rounds = rng.range(1, 3);
  for (let r = 0; r < rounds; r++) {
    switch (rng.int(7)) {
      case 0:
        b = flipBits(rng, b, log);
        break;
      case 1:
        b = overwriteBytes(rng, b, log);
        break;
      case 2:
        b = truncateAt(b, rng.int(b.length + 1), log);
        break;
      case 3:
      case 4:
        b = insertBytes(b, rng.int(b.length + 1), rng.pick(FRAGMENTS), log);
        break;
      case 5:
        b = rng.chance(0.5)
          ? removeBytes(b, rng.int(b.length + 1), rng.smallInt(64), log)
          : insertBytes(b, rng.int(b.length + 1), b.slice(rng.int(b.length + 1)).slice(0, rng.smallInt(256)), log);
        break;
      default: {
        const other = rng.pick(SEEDS);
        b = splice(b, rng.int(b.length + 1), other, rng.int(other.length + 1), log);
      }
    }
  }
  return b;
}

/** Exercise everything downstream of a successful parse. */
function exercise(v: PlistValue, failures: FuzzFailure[], recipe: () => string): void {
  const out = guard(failures, 'writePlist', recipe, () => writePlist(v));
  if (out === undefined) return;
  const back = guard(failures, 'reparse', recipe, () => parsePlist(out));
  if (back === undefined) {
    failures.push({ step: 'reparse', recipe: recipe(), problem: 'writer output does not parse', stack: '' });
    return;
  }
  if (!plistEqual(back, v) && !onlySignednessDiffers(back, v)) {
    failures.push({ step: 'roundtrip', recipe: recipe(), problem: 'parse(write(v)) != v', stack: '' });
  }
  const again = writePlist(back);
  if (!Buffer.from(again).equals(Buffer.from(out))) {
    failures.push({ step: 'fixpoint', recipe: recipe(), problem: 'write(parse(write(v))) != write(v)', stack: '' });
  }
  if (v instanceof Map) {
    guard(failures, 'readProps', recipe, () => readProps(v));
    guard(failures, 'readFiles', recipe, () => readFiles(v));
    for (const e of v.values()) if (e instanceof Map) guard(failures, 'readProps(entry)', recipe, () => readProps(e));
  }
}

/** `<integer>0x5</integer>` reads unsigned but writes as "5", which reads signed. */
function onlySignednessDiffers(a: PlistValue, b: PlistValue): boolean {
  const strip = (v: PlistValue): PlistValue =>
    Array.isArray(v)
      ? v.map(strip)
      : v instanceof Map
        ? new Map([...v].map(([k, x]) => [k, strip(x)] as [string, PlistValue]))
        : typeof v === 'object' && !(v instanceof Uint8Array)
          ? { type: 'integer', value: v.value, unsigned: false }
          : v;
  return plistEqual(strip(a), strip(b));
}

describe(`plist parser fuzz (${CONFIG.cases} cases, seed 0x${CONFIG.seed.toString(16)}, ${CONFIG.source})`, () => {
  it('only RepokitErrors escape, no case hangs, parsed values round-trip', () => {
    const failures: FuzzFailure[] = [];
    let parsed = 0;
    for (let i = 0; i < CONFIG.cases; i++) {
      const rng = new Prng(caseSeed(CONFIG.seed, i));
      const log: Log = [];
      const bytes = mutate(rng, log);
      const recipe = (): string => `case ${i}: ${log.join('; ')}`;
      const t0 = performance.now();
      const v = guard(failures, 'parsePlist', recipe, () => parsePlist(rng.chance(0.2) ? new TextDecoder().decode(bytes) : bytes));
      if (v !== undefined) {
        parsed++;
        exercise(v, failures, recipe);
      }
      const ms = performance.now() - t0;
      if (ms > HANG_MS) failures.push({ step: 'time', recipe: recipe(), problem: `took ${ms.toFixed(0)} ms`, stack: '' });
    }
    if (failures.length > 0) expect.fail(formatFailures(failures));
    // The mutants must not all be rejected, or the downstream checks would never run.
    expect(parsed).toBeGreaterThan(CONFIG.cases / 50);
  });

  it('crafted resource attacks are refused with typed errors', () => {
    const attacks: [string, string | Uint8Array, string][] = [
      ['1,000,000 nested arrays', `<plist>${'<array>'.repeat(1_000_000)}`, 'LIMIT_EXCEEDED'],
      ['nested dicts', `<plist>${'<dict><key>k</key>'.repeat(200)}<true/>${'</dict>'.repeat(200)}</plist>`, 'LIMIT_EXCEEDED'],
      ['data claiming 2^64-1 bytes', '<plist><array><data size="18446744073709551615">QQ==</data></array></plist>', 'XBPS_PLIST_BAD_DATA'],
      ['a million-digit integer', `<plist><array><integer>${'7'.repeat(1_000_000)}</integer></array></plist>`, 'XBPS_PLIST_BAD_INTEGER'],
      ['billion laughs', '<!DOCTYPE plist [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]><plist><array><string>&b;</string></array></plist>', 'XBPS_PLIST_UNSUPPORTED'],
      ['unterminated comment over 5 MB', `<plist><!--${' '.repeat(5_000_000)}`, 'TRUNCATED'],
    ];
    for (const [what, input, code] of attacks) {
      try {
        parsePlist(input);
        expect.fail(`${what}: accepted`);
      } catch (e) {
        expect(isRepokitError(e) && e.code, what).toBe(code);
      }
    }
    const many = `<plist><array>${'<true/>'.repeat(200_000)}</array></plist>`;
    try {
      parsePlist(many, { maxValues: 100_000 });
      expect.fail('many values accepted');
    } catch (e) {
      expect(isRepokitError(e) && e.code).toBe('LIMIT_EXCEEDED');
    }
  });
});
