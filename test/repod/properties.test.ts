/**
 * Property tests over generated configurations (names, layers, pools, management directories and
 * archives drawn from small pools so that collisions and nesting are frequent):
 * - any configuration repokit accepts resolves to directories that obey the uniqueness and
 *   nesting rules (checked here by brute force over the output, independently of the validator);
 * - groups of an accepted configuration share their base directories;
 * - a rejected configuration explains itself (every violation has a location, a message and a source);
 * - the result does not depend on which file a key came from when files are merged.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkRepodData, REPOD_LAYERS, type RepodConfig } from '../../src/repod/index.js';
import { isWithin, parentPath } from '../../src/repod/path.js';

const NAMES = ['a', 'b', 'core', 'extra', 'a/b', 'x/a', '/abs/a', '/abs/a/any/b', 'a-debug', 'a-staging', 'testing', 'debug'];
const POOLS = ['p', 'q', 'p/q', '/abs', '/abs/pool', '/st/repod/data/repo/package/a'];
const MGMT = ['m', 'm/n', '/abs', '/abs/mgmt', 'default'];
const ARCHIVES = [{ packages: '/ar/p', sources: '/ar/s' }, { packages: '/abs/pool', sources: '/ar/s' }, { packages: '/ar', sources: '/ar/s' }, true, false];

const layerPlan = fc.constantFrom<string[]>(
  [],
  ['staging'],
  ['testing'],
  ['debug'],
  ['debug', 'staging', 'staging_debug'],
  ['debug', 'testing', 'testing_debug'],
  ['debug', 'staging', 'staging_debug', 'testing', 'testing_debug'],
  ['staging_debug'], // invalid on purpose, sometimes
);

const repoArb = fc.record(
  {
    name: fc.constantFrom(...NAMES),
    architecture: fc.constantFrom('any', 'x86_64'),
    layers: fc.tuple(layerPlan, fc.array(fc.constantFrom(...NAMES), { minLength: 5, maxLength: 5 })),
    package_pool: fc.constantFrom(...POOLS),
    source_pool: fc.constantFrom(...POOLS),
    management_repo: fc.constantFrom(...MGMT).map((directory) => ({ directory })),
    archiving: fc.constantFrom(...ARCHIVES),
    group: fc.constantFrom(1, 2),
  },
  { requiredKeys: ['name', 'layers'] },
).map(({ layers: [plan, names], ...rest }) => {
  const out: Record<string, unknown> = { ...rest };
  plan.forEach((layer, i) => {
    out[layer] = names[i];
  });
  return out;
});

const configArb = fc.record(
  {
    architecture: fc.constantFrom('any', 'x86_64'),
    package_pool: fc.constantFrom(...POOLS),
    source_pool: fc.constantFrom(...POOLS),
    management_repo: fc.constantFrom(...MGMT).map((directory) => ({ directory })),
    archiving: fc.constantFrom(...ARCHIVES),
    repositories: fc.array(repoArb, { maxLength: 4 }),
  },
  { requiredKeys: [] },
);

const env = { XDG_STATE_HOME: '/st', HOME: '/home/u' };

interface Dir {
  dir: string;
  kind: string;
  shareable: boolean;
}

function resolvedDirs(c: RepodConfig): Dir[] {
  const out: Dir[] = [];
  for (const r of c.repositories) {
    for (const layer of REPOD_LAYERS) {
      const d = r.layers[layer];
      if (d === undefined) continue;
      out.push({ dir: d.managementRepo, kind: `${layer} management`, shareable: false });
      out.push({ dir: d.packageRepo, kind: `${layer} repository`, shareable: false });
    }
    out.push({ dir: r.packagePoolDir, kind: 'package pool', shareable: true });
    out.push({ dir: r.sourcePoolDir, kind: 'source pool', shareable: true });
    if (r.archiving !== null) {
      out.push({ dir: r.archiving.packages, kind: 'package archive', shareable: true });
      out.push({ dir: r.archiving.sources, kind: 'source archive', shareable: true });
    }
  }
  return out;
}

describe('properties of accepted configurations', () => {
  it('resolved directories are unique and not nested (pools and archives may be shared)', () => {
    let accepted = 0;
    let rejected = 0;
    fc.assert(
      fc.property(configArb, (raw) => {
        const r = checkRepodData([{ data: raw as Record<string, unknown>, file: 'gen.conf' }], { env });
        if (r.config === undefined) {
          rejected++;
          expect(r.violations.length).toBeGreaterThan(0);
          for (const v of r.violations) {
            expect(v.msg.length).toBeGreaterThan(0);
            expect(v.loc.length).toBeGreaterThan(0);
            expect(v.file ?? v.source).toBeDefined();
          }
          return;
        }
        accepted++;
        const dirs = resolvedDirs(r.config);
        for (let i = 0; i < dirs.length; i++) {
          for (let j = 0; j < dirs.length; j++) {
            if (i === j) continue;
            const a = dirs[i]!;
            const b = dirs[j]!;
            if (a.dir === b.dir) {
              // Only a shareable kind may repeat, and only as itself.
              expect(a.shareable && a.kind === b.kind, `${a.kind} ${a.dir} == ${b.kind}`).toBe(true);
            } else {
              expect(isWithin(a.dir, b.dir), `${a.kind} ${a.dir} inside ${b.kind} ${b.dir}`).toBe(false);
            }
          }
        }
        // Groups share their base directories.
        const groups = new Map<number, RepodConfig['repositories']>();
        for (const repo of r.config.repositories) if (repo.group !== null) groups.set(repo.group, [...(groups.get(repo.group) ?? []), repo]);
        for (const members of groups.values()) {
          const layers = members.flatMap((m) => REPOD_LAYERS.flatMap((l) => (m.layers[l] === undefined ? [] : [m.layers[l]])));
          expect(new Set(layers.map((d) => parentPath(d.managementRepo))).size).toBe(1);
          expect(new Set(layers.map((d) => parentPath(parentPath(d.packageRepo)))).size).toBe(1);
          expect(new Set(members.map((m) => parentPath(m.packagePoolDir))).size).toBe(1);
          expect(new Set(members.map((m) => parentPath(m.sourcePoolDir))).size).toBe(1);
        }
      }),
      { numRuns: 600, seed: 0x72657064 },
    );
    // The generator must exercise both outcomes, or the property says nothing.
    expect(accepted).toBeGreaterThan(30);
    expect(rejected).toBeGreaterThan(30);
  });

  it('splitting the top-level keys across files does not change the result', () => {
    fc.assert(
      fc.property(configArb, fc.array(fc.nat(2), { minLength: 6, maxLength: 6 }), (raw, where) => {
        const whole = checkRepodData([{ data: raw as Record<string, unknown>, file: 'one.conf' }], { env });
        const parts: Record<string, unknown>[] = [{}, {}, {}];
        Object.entries(raw).forEach(([k, v], i) => {
          parts[where[i % where.length]!]![k] = v;
        });
        const split = checkRepodData(parts.map((data, i) => ({ data, file: `${i}.conf` })), { env });
        expect(split.violations.map((v) => v.msg)).toEqual(whole.violations.map((v) => v.msg));
        if (whole.config !== undefined) expect(split.config?.repositories).toEqual(whole.config.repositories);
      }),
      { numRuns: 200, seed: 7 },
    );
  });
});
