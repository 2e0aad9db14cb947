/**
 * Where repod has a bug, repokit does what the documentation evidently intends. One test per
 * deviation (docs/repod.md, "Deviations from repod"), each showing repod's behaviour (from the
 * reference/vectors) next to repokit's.
 */
import { describe, expect, it } from 'vitest';
import { checkRepodConfig, repodConfigToJson, resolveRepodConfig, type RepodConfig } from '../../src/repod/index.js';

const env = { XDG_STATE_HOME: '/st', HOME: '/home/u' };
const S = '/st/repod';
const load = (text: string): RepodConfig => resolveRepodConfig([{ text, file: 'repod.conf' }], { env });
const check = (text: string) => checkRepodConfig([{ text, file: 'repod.conf' }], { env });

describe('repod deviations', () => {
  it('1. json_dumps (the man page spelling) sets the management repository JSON option', () => {
    // repod ignores `json_dumps` and keeps 1057; only `json_dumps_option` works there.
    const c = load('[management_repo]\ndirectory = "m"\njson_dumps = 0\n[[repositories]]\nname = "r"\n');
    expect(c.repositories[0]!.managementRepo.jsonDumpsOption).toBe(0);
    expect(load('[management_repo]\ndirectory = "m"\njson_dumps_option = 3\n[[repositories]]\nname = "r"\n').managementRepo.jsonDumpsOption).toBe(3);
    // Both spellings with different values: one setting, two answers -> rejected.
    const both = check('[management_repo]\ndirectory = "m"\njson_dumps = 0\njson_dumps_option = 2\n');
    expect(both.config).toBeUndefined();
    expect(both.violations.map((v) => v.key)).toEqual(['management_repo.json_dumps']);
    // Both with the same value is fine.
    expect(load('[management_repo]\ndirectory = "m"\njson_dumps = 2\njson_dumps_option = 2\n').managementRepo.jsonDumpsOption).toBe(2);
  });

  it('2. archiving = true below a global archiving = false uses the mode default instead of crashing', () => {
    // repod: AttributeError: 'bool' object has no attribute 'packages'.
    const c = load('archiving = false\n[[repositories]]\nname = "r"\n[[repositories]]\nname = "s"\narchiving = true\n');
    expect(c.archiving).toBeNull();
    expect(c.repositories[0]!.archiving).toBeNull();
    expect(c.repositories[1]!.archiving).toEqual({ packages: `${S}/archive/package`, sources: `${S}/archive/source` });
    // With archiving enabled globally, `true` still means the global table.
    const g = load('archiving = {packages = "/a/p", sources = "/a/s"}\n[[repositories]]\nname = "r"\narchiving = true\n');
    expect(g.repositories[0]!.archiving).toEqual({ packages: '/a/p', sources: '/a/s' });
  });

  it("3. '..' components are refused in names, layers and directories", () => {
    // repod checks only the last component and accepts `../evil` (<base>/../evil/any).
    for (const [text, key] of [
      ['[[repositories]]\nname = "../evil"\n', 'repositories[0].name'],
      ['[[repositories]]\nname = "a/../b"\n', 'repositories[0].name'],
      ['[[repositories]]\nname = "r"\nstaging = "../r-staging"\n', 'repositories[0].staging'],
      ['[[repositories]]\nname = "/srv/../etc/r"\n', 'repositories[0].name'],
      ['package_pool = "../pool"\n', 'package_pool'],
      ['[[repositories]]\nname = "r"\nsource_pool = "x/../../y"\n', 'repositories[0].source_pool'],
      ['[management_repo]\ndirectory = "../m"\n', 'management_repo.directory'],
      ['archiving = {packages = "/a/../p", sources = "/s"}\n', 'archiving.packages'],
    ] as const) {
      const r = check(text);
      expect(r.config, text).toBeUndefined();
      expect(r.violations.map((v) => [v.rule, v.key]), text).toEqual([['path', key]]);
    }
    // Multi-component names without '..' stay allowed, as in repod.
    expect(load('[[repositories]]\nname = "a/b"\n').repositories[0]!.layers.stable.packageRepo).toBe(`${S}/data/repo/package/a/b/any`);
  });

  it('4. the automatic default repository uses the global architecture, management_repo and pools', () => {
    // repod builds it with architecture any, <base>/default management and pools, whatever is configured.
    const c = load('architecture = "x86_64"\npackage_pool = "pp"\nsource_pool = "/abs/sp"\n[management_repo]\ndirectory = "m"\n');
    expect(c.repositories).toHaveLength(1);
    const r = c.repositories[0]!;
    expect(r.isDefault).toBe(true);
    expect(r.name).toBe('default');
    expect(r.architecture).toBe('x86_64');
    expect(r.packagePoolDir).toBe(`${S}/data/pool/package/pp`);
    expect(r.sourcePoolDir).toBe('/abs/sp');
    expect(r.layers.stable).toEqual({
      configured: 'default',
      packageRepo: `${S}/data/repo/package/default/x86_64`,
      sourceRepo: `${S}/data/repo/source/default/x86_64`,
      managementRepo: `${S}/management/m/x86_64/default`,
    });
    // With nothing configured the result equals repod's (the defaults coincide).
    expect(repodConfigToJson(load('')).repositories[0]!['stable_management_repo_dir']).toBe(`${S}/management/default/any/default`);
  });

  it("5. a source archive is called 'source archive' in overlap messages", () => {
    // repod labels the other side "package archive" when a source archive is compared against.
    const r = check('archiving = {packages = "/ar/p", sources = "/st/repod/management/default/any"}\n[[repositories]]\nname = "r"\n');
    expect(r.violations.map((v) => v.msg)).toEqual([
      "The stable management repository directory '/st/repod/management/default/any/r' can not reside in the source archive directory '/st/repod/management/default/any'.",
    ]);
  });

  it('6. every violation is reported at once, without follow-up noise', () => {
    // repod stops at the first failing stage and adds "'NoneType' object is not iterable".
    const r = check('architecture = "x86"\n[[repositories]]\nname = "Bad"\ngroup = 0\n[[repositories]]\narchitecture = "any"\n');
    expect(r.violations.map((v) => [v.key, v.msg])).toEqual([
      ['architecture', expect.stringMatching(/^value is not a valid enumeration member/)],
      ['repositories[0].name', "The package repository name 'Bad' can not contain '['B']' but must consist only of alphanumeric chars and any of '['_', '-']'."],
      ['repositories[0].group', 'ensure this value is greater than 0'],
      ['repositories[1].name', 'field required'],
    ]);
    // Duplicates in several kinds: repod reports the first kind only.
    const d = check('[[repositories]]\nname = "r1"\n[[repositories]]\nname = "r1"\n');
    expect(d.violations.map((v) => v.msg.replace(/:.*/, ''))).toEqual([
      'Duplicate stable management repository directories detected',
      'Duplicate stable repository directories detected',
    ]);
  });
});
