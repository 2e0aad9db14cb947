/**
 * fast-check arbitraries for forge inputs: spec-like macro definitions built from realistic and
 * odd URL parts (every supported forge, hosts without a driver, page paths, queries, Lua pattern
 * characters in names) and refs (versions, tags with prefixes and slashes, commits, branches).
 */
import fc from 'fast-check';

const HOSTS = [
  'github.com', 'github.example.com', 'gitlab.com', 'gitlab.gnome.org', 'foo-gitlab.example', 'salsa.debian.org',
  'pagure.io', 'gitea.com', 'codeberg.org', 'code.googlesource.com', 'bitbucket.org', 'git.sr.ht', 'gitxsrxht',
  'example.org', 'GitHub.com', 'invent.kde.org',
];
const SEGMENTS = [
  'foo', 'bar', 'ansible', 'community.general', 'fork', '~owner', '~gotmax23', 'GoSIG', 'go2rpm', '-', 'tree', 'main',
  'v1.0', 'my_lib', 'fedora-license-data', 'git.sr.ht', 'a+b', 'a*b', 'x-y-z', '%%d', '(x', '[a', 'a%%', 'ba.r',
  'Repo', 'r$', '^r', 'a%%bbc',
];
const TAILS = ['', '', '', '/', '?tab=readme', '#readme', '/-/tree/main', '/tree/devel', '//'];
const VERSIONS = ['1.0', '2.14.0', '0', '1.2.3', '0.5.0', '1.19.0-2', 'v1.0', '2.0'];
const TAGS = [
  'bar-1.0', 'foo-2.0-rc1', 'git.sr.ht-1.0', 'ba.r-2.0', 'a+b-1.0', 'x-y-z-1.0', 'v%{version}', '%{version}', 'bar-1.2-rc1', 'release-1.2.3', 'tags/v2.0', 'V1.0', 'gopls/v0.9.0', 'version-2.0-beta',
  'v1.2.3rc2', 'foo-1.0', 'my_lib-1.0-rc1', 'x.y', 'fedora-license-data-1.16-1', '2.0.1', 'Release_1_0',
];
const COMMITS = ['520bb66f8ab6d53750f48f024287572962d975fa', 'ABCDEF0123456789ABCDEF0123456789ABCDEF01', '0123abc', 'deadbeef'];
const BRANCHES = ['main', 'Feature/X-1', 'release/2.x'];

/** `arb` with probability p, else undefined. */
function sometimes<T>(arb: fc.Arbitrary<T>, p: number): fc.Arbitrary<T | undefined> {
  const w = Math.round(p * 100);
  return fc.oneof({ weight: w, arbitrary: arb }, { weight: 100 - w, arbitrary: fc.constant(undefined) });
}

/** A forge URL from parts: mostly https, sometimes other schemes or none. */
export const forgeUrl: fc.Arbitrary<string> = fc
  .record({
    scheme: fc.constantFrom('https://', 'https://', 'https://', 'https://', 'https://', 'http://', '', 'git+https://'),
    host: fc.constantFrom(...HOSTS),
    segments: fc.oneof(
      { weight: 1, arbitrary: fc.array(fc.constantFrom(...SEGMENTS), { minLength: 0, maxLength: 5 }) },
      { weight: 3, arbitrary: fc.tuple(fc.constantFrom(...SEGMENTS), fc.constantFrom(...SEGMENTS)) },
    ),
    tail: fc.constantFrom(...TAILS),
  })
  .map(({ scheme, host, segments, tail }) => `${scheme}${host}${segments.map((s) => `/${s}`).join('')}${tail}`);

export interface GeneratedCase {
  definitions: Record<string, string>;
  index: number | undefined;
  silent: boolean;
}

/** Definitions of one `%forgemeta` block (suffixed when index is set), plus sometimes the main version. */
export const forgeCase: fc.Arbitrary<GeneratedCase> = fc
  .record({
    forgeurl: forgeUrl,
    version: sometimes(fc.constantFrom(...VERSIONS), 0.8),
    tag: sometimes(fc.constantFrom(...TAGS), 0.4),
    commit: sometimes(fc.constantFrom(...COMMITS), 0.25),
    branch: sometimes(fc.constantFrom(...BRANCHES), 0.15),
    date: sometimes(fc.constantFrom('20240101', '20200101'), 0.3),
    scm: sometimes(fc.constant('hg'), 0.1),
    archiveext: sometimes(fc.constant('tar.xz'), 0.1),
    archivename: sometimes(fc.constantFrom('bar-%{version}', 'src'), 0.05),
    archiveurl: sometimes(fc.constantFrom('https://example.org/dl/bar-%{version}.tar.xz', 'https://example.org/dl/', 'bar.tgz'), 0.05),
    topdir: sometimes(fc.constantFrom('%{nil}', 'src'), 0.05),
    distprefix: sometimes(fc.constant('%{nil}'), 0.05),
    index: sometimes(fc.constantFrom(0, 1, 2), 0.3),
    mainVersion: sometimes(fc.constantFrom(...VERSIONS), 0.5),
    silent: fc.boolean(),
  })
  .map((r) => {
    const s = r.index === undefined ? '' : String(r.index);
    const definitions: Record<string, string> = {};
    for (const key of ['forgeurl', 'version', 'tag', 'commit', 'branch', 'date', 'scm', 'archiveext', 'archivename', 'archiveurl', 'topdir', 'distprefix'] as const) {
      const v = r[key];
      if (v !== undefined) definitions[key + s] = v;
    }
    if (s !== '' && r.mainVersion !== undefined && definitions['version'] === undefined) definitions['version'] = r.mainVersion;
    return { definitions, index: r.index, silent: r.silent };
  });
