/**
 * Light fuzzing of the TOML -> settings path: configuration texts (the vector files when
 * ../shared is present, plus a hand-written seed covering every key) are mutated at the text
 * level — tokens from repod.conf's vocabulary inserted, lines dropped/duplicated/swapped, bytes
 * overwritten — and loaded. Only RepokitError may escape; a success must render to JSON.
 * Knobs: REPOKIT_FUZZ_CASES, REPOKIT_FUZZ_SEED (see test/helpers/fuzz.ts).
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { checkRepodConfig, repodConfigToJson, repodSyncDbOptions } from '../../src/repod/index.js';
import { Prng, caseSeed, formatFailures, fuzzConfig, guard, hex32, type FuzzFailure } from '../helpers/fuzz.js';

const VECTORS = fileURLToPath(new URL('../../../shared/vectors/repod-conf.json', import.meta.url));

const SEED = `architecture = "x86_64"
database_compression = "zst"
build_requirements_exist = false
package_pool = "pool"
source_pool = "/abs/src"
package_verification = "pacman-key"
archiving = {packages = "~/pk", sources = "/src"}
[syncdb_settings]
desc_version = 2
files_version = 1
[management_repo]
directory = "m"
url = "ssh://git@example.org/r.git"
json_dumps_option = 1057
[[repositories]]
name = "core"
debug = "core-debug"
staging = "core-staging"
staging_debug = "core-staging-debug"
testing = "core-testing"
testing_debug = "core-testing-debug"
group = 1
package_url_validation = {urls = ["https://x.org/"], tls_required = true}
[[repositories]]
name = "/abs/extra"
architecture = "any"
archiving = false
group = 1
management_repo = {directory = "/abs/m2"}
`;

const TOKENS = [
  '[[repositories]]\n', '[management_repo]\n', '[syncdb_settings]\n', 'name = ', 'debug = ', 'staging_debug = ', 'testing = ',
  'group = ', 'archiving = ', 'package_pool = ', 'architecture = ', '"..', '"/', '"~', '"', "'", '=', '{', '}', '[', ']', ',',
  'true', 'false', '-1', '0', '1e400', '2', '"x86_64"', '"zst"', '"a/b"', '"/abs/core"', '\n', ' ', '#', '"""', '\\u0000', '\u00f6',
  '\u{1F600}', 'nan', 'inf', '1979-05-27T07:32:00Z', '{packages = "/p", sources = "/p"}', 'urls = ["http://localhost"]',
];

function seeds(): string[] {
  const out = [SEED];
  if (existsSync(VECTORS)) {
    const cases = (JSON.parse(readFileSync(VECTORS, 'utf8')) as { cases: { files: Record<string, string> }[] }).cases;
    for (const c of cases) for (const t of Object.values(c.files)) if (t.length > 0) out.push(t.replaceAll('{BASE}', '/base'));
  }
  return out;
}

function mutate(rng: Prng, text: string, log: string[]): string {
  let s = text;
  const n = 1 + rng.int(4);
  for (let i = 0; i < n; i++) {
    const at = rng.int(s.length + 1);
    switch (rng.int(5)) {
      case 0: {
        const t = TOKENS[rng.int(TOKENS.length)]!;
        s = s.slice(0, at) + t + s.slice(at);
        log.push(`insert ${JSON.stringify(t)} at ${at}`);
        break;
      }
      case 1: {
        const len = rng.int(12);
        s = s.slice(0, at) + s.slice(at + len);
        log.push(`delete ${len} at ${at}`);
        break;
      }
      case 2: {
        const lines = s.split('\n');
        const a = rng.int(lines.length);
        const b = rng.int(lines.length);
        [lines[a], lines[b]] = [lines[b]!, lines[a]!];
        s = lines.join('\n');
        log.push(`swap lines ${a} ${b}`);
        break;
      }
      case 3: {
        const lines = s.split('\n');
        const a = rng.int(lines.length);
        lines.splice(a, 0, lines[a]!);
        s = lines.join('\n');
        log.push(`duplicate line ${a}`);
        break;
      }
      default: {
        const ch = String.fromCharCode(rng.int(128));
        s = s.slice(0, at) + ch + s.slice(at + 1);
        log.push(`overwrite ${at} with ${JSON.stringify(ch)}`);
      }
    }
  }
  return s;
}

const cfg = fuzzConfig(0x7265706f, 20_000, 2_000);

describe('repod.conf fuzz', () => {
  it(`only RepokitError escapes (${cfg.cases} cases, seed ${hex32(cfg.seed)}, ${cfg.source})`, () => {
    const pool = seeds();
    const failures: FuzzFailure[] = [];
    let ok = 0;
    for (let i = 0; i < cfg.cases; i++) {
      const rng = new Prng(caseSeed(cfg.seed, i));
      const log: string[] = [];
      const base = pool[rng.int(pool.length)]!;
      const text = mutate(rng, base, log);
      const recipe = () => `case ${i}: ${log.join('; ')}`;
      for (const mode of ['user', 'system'] as const) {
        const r = guard(failures, 'checkRepodConfig', recipe, () => checkRepodConfig([{ text, file: 'f.conf' }], { mode, env: { XDG_STATE_HOME: '/st', HOME: '/h', ARCHITECTURE: 'aarch64' } }));
        if (r?.config === undefined) continue;
        ok++;
        guard(failures, 'render', recipe, () => {
          JSON.stringify(repodConfigToJson(r.config!));
          for (const repo of r.config!.repositories) repodSyncDbOptions(r.config!, repo.name, { architecture: repo.architecture });
        });
      }
    }
    expect(failures, formatFailures(failures)).toEqual([]);
    // Mutations must leave some configurations valid, or deep paths go untested. The 5% floor
    // needs the valid configurations of ../shared/vectors/repod-conf.json as seeds; the one
    // hand-written seed alone yields far fewer, but still some.
    expect(ok).toBeGreaterThan(existsSync(VECTORS) ? cfg.cases / 20 : 0);
  });
});
