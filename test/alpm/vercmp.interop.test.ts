/**
 * Interop: repokit's vercmp against the real `/usr/bin/vercmp` (pacman) on a few thousand
 * generated version pairs (fixed seed). All pairs go to ONE bash process that runs vercmp per
 * line; pairs are tab-separated, so versions contain no tab, newline or NUL (and are non-empty).
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { vercmp } from '../../src/alpm/vercmp.js';
import { Prng } from '../helpers/fuzz.js';
import { toolAvailable } from '../helpers/makepkg.js';

const have = toolAvailable('vercmp', ['1', '2']) || spawnSync('vercmp', ['1', '2']).status === 0;
const N = 3000;

const WORDS = ['a', 'b', 'z', 'A', 'Z', 'rc', 'alpha', 'beta', 'pre', 'git', 'r', 'p', 'final'];
const SEPS = ['.', '.', '.', '_', '+', '-', '-', ':', '~', '..', '__', 'é', '日', ' ', '@', '%'];

function generate(rng: Prng): string {
  const part = (): string => {
    const r = rng.float();
    if (r < 0.45) return rng.chance(0.15) ? '0'.repeat(rng.range(1, 3)) + String(rng.int(100)) : String(rng.int(rng.chance(0.1) ? 1e12 : 30));
    if (r < 0.7) return rng.pick(WORDS);
    return rng.pick(SEPS);
  };
  let s = '';
  if (rng.chance(0.2)) s += `${rng.chance(0.2) ? '' : rng.int(4)}:`;
  const n = rng.range(1, 7);
  for (let i = 0; i < n; i++) s += part();
  if (rng.chance(0.4)) s += `-${rng.int(5)}${rng.chance(0.2) ? `.${rng.int(3)}` : ''}`;
  return s;
}

/** A second version close to the first, so comparisons get deep. */
function mutate(rng: Prng, s: string): string {
  const chars = [...s];
  const at = rng.int(chars.length + 1);
  switch (rng.int(4)) {
    case 0:
      chars.splice(at, 0, rng.pick([...SEPS, '1', 'a', '0']));
      break;
    case 1:
      chars.splice(at, 1);
      break;
    case 2:
      chars[at] = rng.pick(['0', '1', '9', 'a', '.', '-']);
      break;
    default:
      return generate(rng);
  }
  const out = chars.join('');
  return out === '' ? '0' : out;
}

describe.skipIf(!have)(`vercmp agrees with /usr/bin/vercmp on ${N} generated pairs${have ? '' : ' (skipped: vercmp missing)'}`, () => {
  it('every pair', () => {
    const rng = new Prng(0x7e5c3a11);
    const pairs: [string, string][] = [];
    for (let i = 0; i < N; i++) {
      const a = generate(rng);
      const b = rng.chance(0.7) ? mutate(rng, a) : generate(rng);
      pairs.push([a.trim() === '' ? '1' : a.trim(), b.trim() === '' ? '1' : b.trim()]);
    }
    const input = pairs.map(([a, b]) => `${a}\t${b}\n`).join('');
    const r = spawnSync('bash', ['-c', `while IFS=$'\\t' read -r a b; do vercmp "$a" "$b"; done`], { input, encoding: 'utf8', maxBuffer: 16 << 20 });
    expect(r.status, r.stderr).toBe(0);
    const results = r.stdout.trim().split('\n').map(Number);
    expect(results).toHaveLength(N);
    const mismatches = pairs
      .map(([a, b], i) => ({ a, b, real: results[i], ours: vercmp(a, b) }))
      .filter((m) => m.real !== m.ours);
    expect(mismatches.slice(0, 10)).toEqual([]);
    // The generator reaches all three outcomes.
    expect(new Set(results)).toEqual(new Set([-1, 0, 1]));
  });
});
