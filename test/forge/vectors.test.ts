/**
 * ../shared/vectors/forgemeta.json: forge-srpm-macros' output for spec-like inputs, checked with
 * rpm. Every case must come out the same, except the documented deviations (upstream bugs that
 * repokit fixes, docs/forge.md "Deviations"), which must come out the same with
 * `bugCompatible: true` and as the fix says by default (test/forge/deviations.test.ts has their
 * own hand-written cases).
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { forgeMacros, type ForgeMacrosOptions } from '../../src/forge/index.js';
import { isRepokitError } from '../../src/shared/errors.js';

const VECTORS = fileURLToPath(new URL('../../../shared/vectors/forgemeta.json', import.meta.url));

interface Vector {
  id: string;
  forge: string;
  input: Record<string, string>;
  flags?: string;
  expected: Record<string, string>;
  legacy_expected?: Record<string, string>;
}

/** Cases where repokit deliberately differs from forge-srpm-macros, and why. */
const DEVIATIONS: Record<string, string> = {
  'gl-commit': 'GitLab URL with a trailing slash: no "//" in the archive URL',
  'template-gtk': 'GitLab URL with a trailing slash: no "//" in the archive URL',
  'gitlab-extra-path': 'GitLab URL with a page path (/-/tree/main): the project, not "main"',
};

/** Run a vector as rpm did: the inputs as definitions, the flags as options; report what rpm printed. */
function run(v: Vector, bugCompatible: boolean): Record<string, string> {
  const flags = v.flags ?? '';
  const options: ForgeMacrosOptions = { silent: /(^|\s)-s(\s|$)/.test(flags), bugCompatible };
  const z = /-z\s*(\d+)/.exec(flags);
  if (z !== null) options.index = Number(z[1]);
  try {
    const r = forgeMacros(v.input, options);
    return Object.fromEntries(Object.keys(v.expected).map((k) => [k, r.expand(`%{?${k}}`)]));
  } catch (e) {
    if (!isRepokitError(e)) throw e;
    return { error: e.detail };
  }
}

const vectors: Vector[] = existsSync(VECTORS) ? (JSON.parse(readFileSync(VECTORS, 'utf8')) as Vector[]) : [];

if (vectors.length === 0) {
  it.skip(`forgemeta vectors — skipped: ${VECTORS} is absent (../shared/vectors/forgemeta.json)`, () => {});
} else describe('forgemeta vectors (../shared/vectors/forgemeta.json)', () => {
  it('the deviation list names real cases', () => {
    const ids = new Set(vectors.map((v) => v.id));
    expect(Object.keys(DEVIATIONS).filter((id) => !ids.has(id))).toEqual([]);
  });

  it.each(vectors.filter((v) => !(v.id in DEVIATIONS)).map((v) => [v.id, v] as const))('%s', (_id, v) => {
    expect(run(v, false)).toEqual(v.expected);
  });

  it.each(vectors.map((v) => [v.id, v] as const))('%s, bugCompatible', (_id, v) => {
    expect(run(v, true)).toEqual(v.expected);
  });

  it.each(Object.entries(DEVIATIONS))('deviation %s (%s): differs from forge-srpm-macros as documented', (id) => {
    const v = vectors.find((x) => x.id === id)!;
    const got = run(v, false);
    expect(got).not.toEqual(v.expected);
    // For these two-segment URLs the fix gives what redhat-rpm-config's macros gave before the
    // split (they trimmed the URL), apart from _forgeversionsuffix, which they did not have.
    expect(v.legacy_expected).toBeDefined();
    expect({ ...got, _forgeversionsuffix: '' }).toEqual({ ...v.legacy_expected, _forgeversionsuffix: '' });
    expect(got['_forgeversionsuffix']).toBe(v.expected['_forgeversionsuffix']);
  });
});
