/**
 * The validation rules and resolution formulas of repod.conf, case by case (repod's own test
 * tables in the reference, §3, plus the edges of each rule).
 */
import { describe, expect, it } from 'vitest';
import {
  RepodConfigError,
  checkRepodConfig,
  findRepodRepository,
  normalizeRepodPath,
  repodLayerDirs,
  repodStabilityPaths,
  repodSyncDbOptions,
  resolveRepodConfig,
  type RepodConfig,
} from '../../src/repod/index.js';
import { isWithin, joinPath, compareCodePoints } from '../../src/repod/path.js';
import { isRepokitError } from '../../src/shared/errors.js';

const env = { XDG_STATE_HOME: '/st', HOME: '/home/u' };
const S = '/st/repod';
const check = (text: string, extra: Parameters<typeof checkRepodConfig>[1] = {}) => checkRepodConfig([{ text, file: 'c.conf' }], { env, ...extra });
const load = (text: string, extra: Parameters<typeof checkRepodConfig>[1] = {}): RepodConfig => resolveRepodConfig([{ text, file: 'c.conf' }], { env, ...extra });
const msgs = (text: string): string[] => check(text).violations.map((v) => v.msg);

function repo(fields: Record<string, string | undefined>): string {
  return `[[repositories]]\n${Object.entries(fields)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k} = ${JSON.stringify(v)}`)
    .join('\n')}\n`;
}

describe('PurePosixPath semantics', () => {
  it('normalises like pathlib', () => {
    expect(normalizeRepodPath('a//b/./c/')).toBe('a/b/c');
    expect(normalizeRepodPath('//x')).toBe('//x');
    expect(normalizeRepodPath('///x')).toBe('/x');
    expect(normalizeRepodPath('')).toBe('.');
    expect(normalizeRepodPath('a/../b')).toBe('a/../b');
    expect(joinPath('/base', 'rel', 'any')).toBe('/base/rel/any');
    expect(joinPath('/base', '/abs', 'any')).toBe('/abs/any');
  });
  it('"resides in" is a component prefix', () => {
    expect(isWithin('/bar/foo', '/bar')).toBe(true);
    expect(isWithin('/foo-bar', '/foo')).toBe(false);
    expect(isWithin('/foo', '/foo')).toBe(true);
    expect(isWithin('foo/dbg', 'foo')).toBe(true);
    expect(isWithin('/foo', 'foo')).toBe(false);
  });
  it('orders by code point, not UTF-16 unit', () => {
    expect(['9-b.conf', '10-a.conf'].sort(compareCodePoints)).toEqual(['10-a.conf', '9-b.conf']);
    expect(compareCodePoints('\u{1F600}', '\uFF21')).toBe(1); // U+1F600 > U+FF21 although its first unit is 0xD83D
  });
});

describe('repository names', () => {
  it.each(['FOO', '.foo', '-foo', '.', ' foo', 'a b', 'x.y'])('rejects %j', (name) => {
    const r = check(repo({ name }));
    expect(r.violations.map((v) => v.rule)).toEqual(['name']);
  });
  it.each([' foo', 'dbg ', 'st '])('rejects a layer name with spaces: %j', (name) => {
    expect(check(repo({ name: 'foo', debug: name })).violations[0]!.rule).toBe('name');
  });
  it.each(['foo', 'core/', 'a/b', 'A B/c', 'cöre', 'x_1-2', '/abs/Upper/ok'])('accepts %j (last component checked)', (name) => {
    expect(check(repo({ name })).violations).toEqual([]);
  });
  it('prints Python reprs of the bad characters', () => {
    expect(msgs(repo({ name: "it's" }))).toEqual([
      `The package repository name 'it's' can not contain '["'"]' but must consist only of alphanumeric chars and any of '['_', '-']'.`,
    ]);
    expect(msgs(repo({ name: '-x' }))).toEqual(["The package repository name '-x' can not start with any of '['.', '-']'."]);
  });
});

describe('layer rules (repod test_package_repo)', () => {
  const ok: Record<string, string | undefined>[] = [
    { name: 'foo' },
    { name: 'foo', staging: 'stage' },
    { name: 'foo', testing: 'test' },
    { name: 'foo', debug: 'dbg' },
    { name: 'foo', debug: 'dbg', testing: 'test', testing_debug: 'test-dbg' },
    { name: 'foo', debug: 'dbg', staging: 'stage', staging_debug: 'stage-dbg' },
    { name: 'foo', debug: 'dbg', staging: 'stage', staging_debug: 'stage-dbg', testing: 'test', testing_debug: 'test-dbg' },
  ];
  it.each(ok)('accepts %j', (f) => {
    const c = load(repo(f));
    for (const key of Object.keys(f)) if (key !== 'name') expect(c.repositories[0]!.layers).toHaveProperty(key);
  });
  const bad: Record<string, string | undefined>[] = [
    { name: 'foo', debug: 'dbg', staging: 'stage' },
    { name: 'foo', debug: 'dbg', testing: 'test' },
    { name: 'foo', debug: 'dbg', staging: 'stage', staging_debug: 'stage-dbg', testing: 'test' },
    { name: 'foo', debug: 'dbg', staging: 'stage', testing: 'test', testing_debug: 'test-dbg' },
    { name: 'foo', debug: 'dbg', staging_debug: 'stage-debug' },
    { name: 'foo', debug: 'dbg', testing_debug: 'test-dbg' },
    { name: 'foo', staging: 'stage', staging_debug: 'stage-debug' },
    { name: 'foo', testing: 'test', testing_debug: 'test-dbg' },
  ];
  it.each(bad)('rejects %j', (f) => {
    const r = check(repo(f));
    expect(r.violations.length).toBeGreaterThan(0);
    expect(r.violations.every((v) => v.rule === 'layer')).toBe(true);
  });
  it('rejects equal and nested layer names with repod messages', () => {
    expect(msgs(repo({ name: 'r', debug: 'r' }))).toEqual(["The stable repository directory 'r' can not be the same as the stable debug repository directory 'r'."]);
    expect(msgs(repo({ name: 'foo', debug: 'foo/dbg' }))).toEqual(["The debug repository directory 'foo/dbg' can not reside in the stable repository directory 'foo'."]);
    expect(msgs(repo({ name: 'st/foo', staging: 'st' }))).toEqual(["The stable repository directory 'st/foo' can not reside in the staging repository directory 'st'."]);
    expect(msgs(repo({ name: 'foo', testing: 'st', staging: 'st' }))).toEqual(["The staging repository directory 'st' can not be the same as the testing repository directory 'st'."]);
  });
});

describe('directory resolution', () => {
  it('joins relative names to the mode base and appends the architecture', () => {
    const c = load('architecture = "x86_64"\n' + repo({ name: 'core', staging: 'core-staging', debug: '/srv/dbg/core-debug', staging_debug: 'core-staging-debug' }));
    const r = c.repositories[0]!;
    expect(r.layers.stable.packageRepo).toBe(`${S}/data/repo/package/core/x86_64`);
    expect(r.layers.stable.sourceRepo).toBe(`${S}/data/repo/source/core/x86_64`);
    expect(r.layers.debug).toEqual({
      configured: '/srv/dbg/core-debug',
      packageRepo: '/srv/dbg/core-debug/x86_64',
      sourceRepo: '/srv/dbg/core-debug/x86_64',
      managementRepo: `${S}/management/default/x86_64/core-debug`,
    });
    expect(r.layers.staging_debug!.managementRepo).toBe(`${S}/management/default/x86_64/core-staging-debug`);
  });
  it('uses /var/lib/repod in system mode, whatever XDG_STATE_HOME says', () => {
    const c = load(repo({ name: 'r' }), { mode: 'system' });
    expect(c.repositories[0]!.layers.stable.managementRepo).toBe('/var/lib/repod/management/default/any/r');
    expect(c.archiving).toEqual({ packages: '/var/lib/repod/archive/package', sources: '/var/lib/repod/archive/source' });
  });
  it('falls back to ~/.local/state without XDG_STATE_HOME, and needs one of them in user mode', () => {
    const c = resolveRepodConfig([{ text: '' }], { env: { HOME: '/h' } });
    expect(c.packagePool).toBe('/h/.local/state/repod/data/pool/package/default');
    const r = checkRepodConfig([{ text: '' }], { env: {} });
    expect(r.violations.map((v) => v.rule)).toEqual(['environment']);
    expect(checkRepodConfig([{ text: '' }], { env: { XDG_STATE_HOME: 'rel' } }).violations[0]!.msg).toBe("The base_path must be absolute, but 'rel/repod' is provided!");
  });
  it('per-repository values beat global ones', () => {
    const c = load('database_compression = "zst"\nbuild_requirements_exist = false\npackage_pool = "gp"\n' + repo({ name: 'a', database_compression: '', package_pool: '/own/pool' }) + 'build_requirements_exist = true\n');
    const r = c.repositories[0]!;
    expect(r.databaseCompression).toBe('');
    expect(r.buildRequirementsExist).toBe(true);
    expect(r.packagePoolDir).toBe('/own/pool');
    expect(r.sourcePoolDir).toBe(`${S}/data/pool/source/default`);
  });
});

describe('values', () => {
  it('enums are exact', () => {
    for (const v of ['zstd', 'none', 'gzip', 'GZ']) expect(check(`database_compression = "${v}"`).violations[0]!.rule).toBe('enum');
    expect(load('database_compression = ""\n' + repo({ name: 'r' })).repositories[0]!.databaseCompression).toBe('');
    expect(check('package_verification = "gpg"').violations[0]!.msg).toBe("value is not a valid enumeration member; permitted: 'pacman-key'");
    expect(check('[syncdb_settings]\ndesc_version = 3').violations[0]!.msg).toBe('value is not a valid enumeration member; permitted: 1, 2');
    expect(load('[syncdb_settings]\nfiles_version = "1"').syncdb).toEqual({ descVersion: 1, filesVersion: 1 });
  });
  it('groups are positive integers', () => {
    expect(msgs(repo({ name: 'r' }) + 'group = 0\n')).toEqual(['ensure this value is greater than 0']);
    expect(msgs(repo({ name: 'r' }) + 'group = "x"\n')).toEqual(['value is not a valid integer']);
    expect(load(repo({ name: 'r' }) + 'group = "3"\n').repositories[0]!.group).toBe(3);
  });
  it('management url: https, or ssh with a user', () => {
    const mg = (url: string) => check(`[management_repo]\ndirectory = "m"\nurl = "${url}"\n`).violations.map((v) => v.msg);
    expect(mg('https://foo.bar')).toEqual([]);
    expect(mg('ssh://git@foo.bar')).toEqual([]);
    expect(mg('ssh://foo.bar')).toEqual(["When using ssh a user is required (but none is provided): 'ssh://foo.bar'"]);
    expect(mg('http://foo.bar')).toEqual(["The scheme 'http' of the url (http://foo.bar) is not valid (must be one of ['https', 'ssh'])"]);
    expect(mg('foo')).toEqual(['invalid or missing URL scheme']);
  });
  it('package_url_validation: http(s) URLs, TLS rule', () => {
    const uv = (urls: string[], tls: boolean) =>
      check(repo({ name: 'r' }) + `package_url_validation = {urls = ${JSON.stringify(urls)}, tls_required = ${tls}}\n`).violations.map((v) => v.msg);
    expect(uv(['https://foobar.io/some/where'], true)).toEqual([]);
    expect(uv(['http://foobar.io/some/where'], false)).toEqual([]);
    expect(uv(['http://foobar.io/some/where'], true)).toEqual(['The url http://foobar.io/some/where requires TLS, but its scheme is http!']);
    expect(uv(['foo'], false)).toEqual(['invalid or missing URL scheme']);
    expect(uv(['ftp://x.org'], false)).toEqual(['URL scheme not permitted']);
    expect(uv(['http://localhost'], false)).toEqual(['URL host invalid, top level domain required']);
    expect(check(repo({ name: 'r' }) + 'package_url_validation = {tls_required = true}\n').violations.map((v) => v.loc)).toEqual([
      'repositories -> 0 -> package_url_validation -> urls',
    ]);
  });
  it('archive paths: absolute, ~ expanded with the home directory', () => {
    expect(load('archiving = {packages = "~/pk", sources = "/src"}').archiving).toEqual({ packages: '/home/u/pk', sources: '/src' });
    expect(msgs('archiving = {packages = "pk", sources = "/src"}')).toEqual(['The archive path must be absolute!']);
    expect(msgs('archiving = {packages = "~other/pk", sources = "/src"}')).toEqual(['The archive path can not be expanded to an absolute path: ~other/pk']);
    expect(msgs('archiving = {sources = "/src"}')).toEqual(['field required']);
    expect(msgs('archiving = "sometimes"')[0]).toMatch(/neither a boolean nor a table/);
    expect(load('archiving = "no"').archiving).toBeNull();
  });
  it('unknown keys: rejected at the top, warned about inside tables', () => {
    const r = check('foo = 1\nArchitecture = "any"\n' + repo({ name: 'r' }) + 'bar = 2\n[management_repo]\ndirectory = "m"\nurll = "x"\n');
    expect(r.violations.map((v) => [v.loc, v.msg])).toEqual([
      ['foo', 'extra fields not permitted'],
      ['Architecture', 'extra fields not permitted'],
    ]);
    const w = check(repo({ name: 'r' }) + 'bar = 2\n');
    expect(w.violations).toEqual([]);
    expect(w.config!.warnings.map((v) => v.key)).toEqual(['repositories[0].bar']);
  });
  it('structural errors', () => {
    expect(check('repositories = "x"').violations.map((v) => v.msg)).toEqual(['value is not a valid list']);
    expect(check('repositories = [1]').violations.map((v) => v.msg)).toEqual(['value is not a valid dict']);
    expect(check('management_repo = 3').violations.map((v) => v.msg)).toEqual(['value is not a valid dict']);
    expect(check(repo({}) + 'name = 5\n').violations.map((v) => v.msg)).toEqual(['value is not a valid path']);
    expect(load('repositories = []').repositories.map((r) => r.name)).toEqual(['default']);
  });
});

describe('precedence: overrides > files > environment', () => {
  it('environment fills what files do not set, any letter case, JSON for tables', () => {
    expect(load(repo({ name: 'r' }), { env: { ...env, architecture: 'aarch64' } }).repositories[0]!.architecture).toBe('aarch64');
    expect(load('architecture = "x86_64"\n' + repo({ name: 'r' }), { env: { ...env, ARCHITECTURE: 'aarch64' } }).architecture).toBe('x86_64');
    expect(load('', { env: { ...env, REPOSITORIES: '[{"name": "fromenv"}]' } }).repositories[0]!.name).toBe('fromenv');
    const bad = check('', { env: { ...env, MANAGEMENT_REPO: '{oops' } });
    expect(bad.violations.map((v) => [v.rule, v.source])).toEqual([['environment', 'environment']]);
    expect(load(repo({ name: 'r' }), { env: { ...env, ARCHITECTURE: 'aarch64' }, settingsFromEnv: false }).architecture).toBe('any');
  });
  it('tables from the environment merge into the files (pydantic deep update)', () => {
    const c = load('[management_repo]\ndirectory = "m"\n', { env: { ...env, MANAGEMENT_REPO: '{"url": "https://x.org/r.git"}' } });
    expect(c.managementRepo).toEqual({ directory: 'm', url: 'https://x.org/r.git', jsonDumpsOption: 1057 });
  });
  it('overrides beat files; violations name their source', () => {
    expect(load('architecture = "x86_64"\n' + repo({ name: 'r' }), { overrides: { architecture: 'armv7h' } }).architecture).toBe('armv7h');
    const r = check('architecture = "x86_64"\n', { overrides: { architecture: 'bogus' } });
    expect(r.violations.map((v) => [v.source, v.file])).toEqual([['overrides', undefined]]);
    const f = check('architecture = "bogus"\n');
    expect(f.violations[0]!.file).toBe('c.conf');
  });
});

describe('overlaps and groups', () => {
  it('pools and archives may be shared, not nested or mixed', () => {
    expect(check(repo({ name: 'a', package_pool: 'shared' }) + repo({ name: 'b', package_pool: 'shared' })).violations).toEqual([]);
    expect(msgs(repo({ name: 'a', package_pool: 'p' }) + repo({ name: 'b', package_pool: 'p/q' }))).toEqual([
      `The package pool directory '${S}/data/pool/package/p/q' can not reside in the package pool directory '${S}/data/pool/package/p'.`,
    ]);
    expect(msgs(`archiving = {packages = "${S}/data/pool/package/default", sources = "/s"}\n` + repo({ name: 'a' }))).toEqual([
      `The package archive directory '${S}/data/pool/package/default' can not be the same as the package pool directory '${S}/data/pool/package/default'.`,
    ]);
  });
  it('names the two repositories of a conflict', () => {
    const r = check(repo({ name: 'core', staging: 'extra' }) + repo({ name: 'extra' }));
    const v = r.violations[0]!;
    expect(v.repository).toEqual({ index: 1, name: 'extra' });
    expect(v.key).toBe('repositories[1].name');
    expect(v.related).toEqual({ index: 0, name: 'core', key: 'repositories[0].staging' });
    expect(v.file).toBe('c.conf');
  });
  it('source repository directories are not checked (man example 4 shares them)', () => {
    expect(check(repo({ name: '/abs/repo1' })).violations).toEqual([]);
  });
  it('group members share management parent, package base and pool bases', () => {
    const g = (a: string, b: string) => msgs(`${repo({ name: 'repo1' })}group = 1\n${a}${repo({ name: 'repo2' })}group = 1\n${b}`);
    expect(g('', '')).toEqual([]);
    expect(g('architecture = "x86_64"\n', '')).toEqual(['The repositories in group 1 do not share the same management repository: repo1, repo2']);
    expect(g('', 'source_pool = "s2/x"\n')).toEqual(['The repositories in group 1 do not share the same source pool base directory: repo1, repo2']);
    expect(msgs(`${repo({ name: '/a/repo1' })}group = 1\nmanagement_repo = {directory = "m"}\n${repo({ name: '/b/repo2' })}group = 1\nmanagement_repo = {directory = "m"}\n`)).toEqual([
      'The repositories in group 1 do not share the same package repository base directory: /a/repo1, /b/repo2',
    ]);
  });
});

describe('lookup and the sync database options', () => {
  const c = load(
    'database_compression = "zst"\n[syncdb_settings]\ndesc_version = 2\n' +
      repo({ name: 'core', architecture: 'x86_64', debug: 'core-debug', testing: 'core-testing', testing_debug: 'core-testing-debug' }) +
      repo({ name: 'core', architecture: 'aarch64', database_compression: '' }) +
      repo({ name: 'extra', database_compression: 'bz2' }),
  );
  it('finds repositories by name (as a path) and architecture', () => {
    expect(findRepodRepository(c, 'extra/').name).toBe('extra');
    expect(findRepodRepository(c, 'core', 'aarch64').architecture).toBe('aarch64');
    for (const [n, a] of [['core', undefined], ['nope', undefined], ['extra', 'x86_64']] as const) {
      let err: unknown;
      try {
        findRepodRepository(c, n, a);
      } catch (e) {
        err = e;
      }
      expect(isRepokitError(err) && err.code).toBe('REPOD_UNKNOWN_REPOSITORY');
    }
  });
  it('layers and stability paths', () => {
    const core = findRepodRepository(c, 'core', 'x86_64');
    expect(repodLayerDirs(core, 'testing_debug').packageRepo).toBe(`${S}/data/repo/package/core-testing-debug/x86_64`);
    expect(() => repodLayerDirs(core, 'staging')).toThrow(/does not have a staging repository/);
    expect(() => repodLayerDirs(core, 'staging_debug')).toThrow(/does not have a staging repository/);
    const m = (l: string) => `${S}/management/default/x86_64/${l}`;
    expect(repodStabilityPaths(core, 'stable')).toEqual({ above: [m('core-testing')], below: [] });
    expect(repodStabilityPaths(core, 'debug')).toEqual({ above: [m('core-testing-debug')], below: [] });
    expect(repodStabilityPaths(core, 'testing')).toEqual({ above: [], below: [m('core')] });
    expect(repodStabilityPaths(core, 'testing_debug')).toEqual({ above: [], below: [m('core-debug')] });
    expect(() => repodStabilityPaths(core, 'staging')).toThrow(/has no staging repository/);
  });
  it('maps compression and versions to the ALPM writer options', () => {
    expect(repodSyncDbOptions(c, 'core', { architecture: 'x86_64', layer: 'testing' })).toEqual({ compression: 'zstd', descVersion: 1, filesVersion: 1, pgpsig: false });
    expect(repodSyncDbOptions(c, 'core', { architecture: 'aarch64' })).toEqual({ compression: 'none', descVersion: 1, filesVersion: 1, pgpsig: false });
    expect(repodSyncDbOptions(c, 'extra')).toEqual({ compression: 'bzip2', descVersion: 1, filesVersion: 1, pgpsig: false });
    const d = (comp: string) => repodSyncDbOptions(load(`database_compression = "${comp}"`), 'default').compression;
    expect(['gz', 'xz', 'zst', 'bz2', ''].map(d)).toEqual(['gzip', 'xz', 'zstd', 'bzip2', 'none']);
    expect(() => repodSyncDbOptions(c, 'extra', { layer: 'debug' })).toThrow(/does not have a debug repository/);
  });
});

describe('errors', () => {
  it('RepodConfigError lists every violation with file, key and repository', () => {
    let err: unknown;
    try {
      load(repo({ name: 'Bad', staging_debug: 'x' }));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(RepodConfigError);
    const e = err as RepodConfigError;
    expect(e.code).toBe('REPOD_INVALID_CONFIG');
    expect(e.violations).toHaveLength(1);
    expect(e.message).toContain("c.conf: repositories[0].name (repository #0 'Bad'): The package repository name 'Bad'");
    expect(JSON.parse(JSON.stringify(e)).violations).toHaveLength(1);
  });
  it('TOML syntax errors carry file, line and column', () => {
    let err: unknown;
    try {
      load('[[repositories]]\nname = "x"\nname = "y"\n');
    } catch (e) {
      err = e;
    }
    expect(isRepokitError(err) && [err.code, err.file, err.line]).toEqual(['REPOD_TOML_SYNTAX', 'c.conf', 3]);
  });
});
