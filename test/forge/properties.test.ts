/**
 * Invariants of the computation, on generated spec-like inputs (test/forge/arbitraries.ts) and on
 * arbitrary strings: only RepokitErrors escape; the archive, directory and setup variables agree
 * with each other; snapshot suffixes appear exactly when they should; block numbers only rename.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { computeForge, forgeMacros, type ForgeResult } from '../../src/forge/index.js';
import { isRepokitError } from '../../src/shared/errors.js';
import { forgeCase, forgeUrl, type GeneratedCase } from './arbitraries.js';

const RUNS = process.env['CI'] ? 3000 : 600;

function attempt(c: GeneratedCase): ForgeResult | null {
  try {
    return forgeMacros(c.definitions, { silent: c.silent, ...(c.index === undefined ? {} : { index: c.index }) });
  } catch (e) {
    if (isRepokitError(e)) return null;
    throw e;
  }
}

describe('forge properties', () => {
  it('arbitrary text anywhere: only RepokitError escapes', () => {
    const text = fc.oneof(
      fc.string({ unit: fc.constantFrom(...'%{}?!:/~.-_()[]^$*+#@ vV1'.split('')), maxLength: 40 }),
      fc.string({ unit: 'binary', maxLength: 40 }),
    );
    fc.assert(
      fc.property(fc.oneof(forgeUrl, text), fc.option(text), fc.option(text), fc.option(text), fc.option(text), fc.boolean(), (url, version, tag, commit, branch, silent) => {
        const defs: Record<string, string> = { forgeurl: url };
        for (const [k, v] of Object.entries({ version, tag, commit, branch })) if (v !== null) defs[k] = v;
        try {
          const r = forgeMacros(defs, { silent });
          for (const v of Object.values(r.variables)) expect(typeof v).toBe('string');
        } catch (e) {
          if (!isRepokitError(e)) throw e;
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('forgesource names <archivename>.<archiveext>; extractdir and forgesetupargs follow topdir', () => {
    fc.assert(
      fc.property(forgeCase.filter((c) => Object.keys(c.definitions).every((k) => !/^(archive|topdir|distprefix)/.test(k))), (c) => {
        const r = attempt(c);
        if (r === null || r.forge === null) return;
        const v = r.values;
        const file = `${v.archivename}.${v.archiveext}`;
        expect(v.forgesource === v.archiveurl ? v.archiveurl.endsWith(`/${file}`) : v.forgesource === `${v.archiveurl}#/${file}`).toBe(true);
        const block = r.suffix === '' || r.suffix === '0' ? '' : `-T -D -${v.topdir !== '' ? 'b' : 'a'} ${r.suffix} `;
        if (v.topdir !== '') expect([v.extractdir, v.forgesetupargs]).toEqual([v.topdir, `${block}-n ${v.topdir}`]);
        else expect([v.extractdir, v.forgesetupargs]).toEqual([v.archivename, `${block}-c -n ${v.archivename}`]);
        expect(v.forgeurl.startsWith('https://')).toBe(true);
      }),
      { numRuns: RUNS },
    );
  });

  it('snapshot suffix: none for a main-block release; .<date><scm><7 chars> for a commit; .s for numbered blocks', () => {
    fc.assert(
      fc.property(forgeCase.filter((c) => Object.keys(c.definitions).every((k) => !k.startsWith('distprefix'))), (c) => {
        const r = attempt(c);
        if (r === null) return;
        const s = r.suffix;
        const d = (k: string): string => c.definitions[k + s] ?? '';
        const dp = r.values.distprefix;
        expect(r.values._forgeversionsuffix).toBe(dp);
        const main = s === '' || s === '0';
        // (Block 0 compares version0 with %{version}, which may be defined differently.)
        if (s === '' && d('tag') === '' && d('commit') === '' && d('branch') === '') expect(dp).toBe('');
        if (!main && dp !== '') expect(dp.startsWith('.s')).toBe(true);
        if (d('tag') === '' && d('commit') !== '') {
          const scm = d('scm') || (r.forge === null ? `%{scm${s}}` : 'git');
          const tail = `${d('date')}${scm}${d('commit').toLowerCase().slice(0, 7)}`;
          expect(dp.endsWith(tail)).toBe(true);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('the block number only renames variables and changes -b/-a N', () => {
    const inputs = fc.record({
      forgeurl: forgeUrl,
      version: fc.constantFrom('1.0', '2.3.4'),
      commit: fc.constantFrom('abcdef0123456789', 'ABC', ''),
    });
    fc.assert(
      fc.property(inputs, fc.integer({ min: 1, max: 9999 }), (input, n) => {
        let one: ForgeResult;
        try {
          one = computeForge({ ...input, index: 1, macros: { version: '9' } });
        } catch (e) {
          if (!isRepokitError(e)) throw e;
          let code = '';
          try {
            computeForge({ ...input, index: n, macros: { version: '9' } });
          } catch (f) {
            if (!isRepokitError(f)) throw f;
            code = f.code;
          }
          expect(code).toBe(e.code);
          return;
        }
        const other = computeForge({ ...input, index: n, macros: { version: '9' } });
        const rename = (s: string): string => s.replace(/%\{(\w+?)1\}/g, `%{$1${n}}`).replace(/^-T -D -([ab]) 1 /, `-T -D -$1 ${n} `);
        for (const k of Object.keys(one.values) as (keyof typeof one.values)[]) expect(other.values[k]).toBe(rename(one.values[k]));
      }),
      { numRuns: RUNS },
    );
  });

  it('no index and index 0 agree, tags aside (upstream strips the unsuffixed %{repo} from a tag, undefined in block 0)', () => {
    fc.assert(
      fc.property(forgeCase.filter((c) => c.index === undefined && c.definitions['tag'] === undefined), (c) => {
        const plain = attempt(c);
        const zeroDefs = Object.fromEntries(Object.entries(c.definitions).map(([k, v]) => [`${k}0`, v]));
        const zero = attempt({ definitions: zeroDefs, index: 0, silent: c.silent });
        expect(zero === null).toBe(plain === null);
        if (plain === null || zero === null) return;
        const unify = (s: string): string => s.replace(/%\{(\w+?)0?\}/g, '%{$1}');
        const a = Object.fromEntries(Object.entries(plain.values).map(([k, v]) => [k, unify(v)]));
        const b = Object.fromEntries(Object.entries(zero.values).map(([k, v]) => [k, unify(v)]));
        expect(b).toEqual(a);
      }),
      { numRuns: RUNS },
    );
  });
});
