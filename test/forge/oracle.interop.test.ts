/**
 * Differential test against the real macros: random spec-like inputs (test/forge/arbitraries.ts)
 * are run through rpm with forge-srpm-macros loaded and through forgeMacros({ bugCompatible: true }),
 * and every variable (or the error message) must be the same.
 *
 * forge-srpm-macros is not packaged for the CI image, so this test is opt-in: set
 * REPOKIT_FORGE_ORACLE to a command that runs rpm with the forge macros and their Lua modules
 * loaded (e.g. forge-srpm-macros' own `rpmeval.sh`, with redhat-rpm-config's `common.lua` on the
 * Lua path). REPOKIT_FORGE_ORACLE_CASES sets the case count (default 300), REPOKIT_FORGE_ORACLE_SEED
 * the fast-check seed.
 */
import { spawnSync } from 'node:child_process';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FORGE_VARIABLES, forgeMacros } from '../../src/forge/index.js';
import { isRepokitError } from '../../src/shared/errors.js';
import { forgeCase, type GeneratedCase } from './arbitraries.js';

const ORACLE = process.env['REPOKIT_FORGE_ORACLE'];
const CASES = Number(process.env['REPOKIT_FORGE_ORACLE_CASES'] ?? 300);
const SEED = Number(process.env['REPOKIT_FORGE_ORACLE_SEED'] ?? 0x464f5247);
const SEP = '@@repokit@@';

function viaRpm(c: GeneratedCase): Record<string, string> {
  const s = c.index === undefined ? '' : String(c.index);
  const args: string[] = [];
  for (const [k, v] of Object.entries(c.definitions)) args.push('--define', `${k} ${v}`);
  const flags = [c.index === undefined ? '' : `-z ${c.index}`, c.silent ? '-s' : ''].filter((f) => f !== '').join(' ');
  args.push('-E', `%forgemeta ${flags}`.trim(), '-E', FORGE_VARIABLES.map((v) => `%{?${v}${s}}`).join(SEP));
  const r = spawnSync(ORACLE!, args, { encoding: 'utf8' });
  if (r.status !== 0) {
    const first = /^error: (.*)$/m.exec(r.stderr)?.[1] ?? r.stderr;
    // Lua errors name the script's file and line; repokit's message has no such place.
    return { error: first.replace(/^(lua script failed: )\S+:\d+: /, '$1') };
  }
  const lines = r.stdout.split('\n');
  const values = lines.filter((l) => l.includes(SEP)).at(-1) ?? '';
  const parts = values.split(SEP);
  return Object.fromEntries(FORGE_VARIABLES.map((v, i) => [v, parts[i] ?? '']));
}

function viaRepokit(c: GeneratedCase): Record<string, string> {
  try {
    const opts = { silent: c.silent, bugCompatible: true, ...(c.index === undefined ? {} : { index: c.index }) };
    return { ...forgeMacros(c.definitions, opts).values };
  } catch (e) {
    if (!isRepokitError(e)) throw e;
    return { error: e.detail };
  }
}

if (ORACLE === undefined) {
  it.skip('forgeMacros vs the real macros — skipped: set REPOKIT_FORGE_ORACLE to an rpm wrapper with forge-srpm-macros loaded', () => {});
} else describe('forgeMacros agrees with rpm + forge-srpm-macros', () => {
  it(`on ${CASES} generated inputs`, () => {
    const cases = fc.sample(forgeCase, { numRuns: CASES, seed: SEED });
    const mismatches: string[] = [];
    for (const c of cases) {
      const want = viaRpm(c);
      const got = viaRepokit(c);
      if (JSON.stringify(want) !== JSON.stringify(got)) {
        mismatches.push(`${JSON.stringify(c)}\n  rpm:     ${JSON.stringify(want)}\n  repokit: ${JSON.stringify(got)}`);
      }
    }
    expect(mismatches.slice(0, 5).join('\n')).toBe('');
  }, 600_000);
});
