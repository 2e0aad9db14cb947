/**
 * Hand-written cases that run without ../shared: one or more per forge, the ref rules, the
 * snapshot suffix, numbered sources, silent mode, packager overrides and every error. Expected
 * values are what rpm printed with forge-srpm-macros loaded (see docs/forge.md).
 */
import { describe, expect, it } from 'vitest';
import { computeForge, forgeMacros, type ForgeInput } from '../../src/forge/index.js';
import { rpmError } from '../helpers/errors.js';

const COMMIT = '520bb66f8ab6d53750f48f024287572962d975fa';

function values(input: ForgeInput): Record<string, string> {
  return computeForge(input).values;
}

describe('GitHub', () => {
  it('a release: archive of v<version>, named <repo>-<version>, no snapshot suffix', () => {
    expect(values({ forgeurl: 'https://github.com/ansible/ansible', version: '2.14.0' })).toEqual({
      forgeurl: 'https://github.com/ansible/ansible',
      forgesource: 'https://github.com/ansible/ansible/archive/v2.14.0/ansible-2.14.0.tar.gz',
      archiveurl: 'https://github.com/ansible/ansible/archive/v2.14.0/ansible-2.14.0.tar.gz',
      archivename: 'ansible-2.14.0',
      archiveext: 'tar.gz',
      topdir: 'ansible-2.14.0',
      extractdir: 'ansible-2.14.0',
      forgesetupargs: '-n ansible-2.14.0',
      repo: 'ansible',
      owner: '',
      namespace: '',
      fileref: '2.14.0',
      ref: 'v2.14.0',
      shortcommit: '',
      scm: 'git',
      distprefix: '',
      _forgeversionsuffix: '',
    });
  });

  it('a commit with a date: the snapshot suffix has the date, the scm and 7 characters', () => {
    const v = values({ forgeurl: 'https://github.com/ansible/ansible', version: '2.14.0', commit: COMMIT, date: '20230813' });
    expect(v.forgesource).toBe(`https://github.com/ansible/ansible/archive/${COMMIT}/ansible-${COMMIT}.tar.gz`);
    expect(v.distprefix).toBe('.20230813git520bb66');
    expect(v._forgeversionsuffix).toBe('.20230813git520bb66');
  });

  it('tags: v stripped from the file name, slashes become dashes, version and repo cut from distprefix', () => {
    expect(values({ forgeurl: 'https://github.com/pik-copan/pyunicorn', version: '0.8.0', tag: 'v%{version}' }).forgesource).toBe(
      'https://github.com/pik-copan/pyunicorn/archive/v0.8.0/pyunicorn-0.8.0.tar.gz',
    );
    const slash = values({ forgeurl: 'https://github.com/golang/tools', version: '100.0.2', tag: 'gopls/v0.9.0' });
    expect([slash.forgesource, slash.distprefix]).toEqual([
      'https://github.com/golang/tools/archive/gopls/v0.9.0/tools-gopls-v0.9.0.tar.gz',
      '.gitgopls.v0.9.0',
    ]);
    expect(values({ forgeurl: 'https://github.com/foo/bar', version: '1.2', tag: 'bar-1.2-rc1' }).distprefix).toBe('.gitrc1');
    expect(values({ forgeurl: 'https://github.com/foo/bar', version: '2.0', tag: 'bar-2.0.1' }).distprefix).toBe('.git2.0.1');
    expect(values({ forgeurl: 'https://github.com/foo/bar', version: '1.2.3', tag: 'v1.2.3' }).distprefix).toBe('');
    expect(values({ forgeurl: 'https://github.com/foo/bar', version: '1.0', tag: 'V1.0' }).archivename).toBe('bar-V1.0');
  });

  it('a branch is lower-cased but not cleaned in distprefix', () => {
    const v = values({ forgeurl: 'https://github.com/foo/bar', version: '1.0', branch: 'Feature/X-1', date: '20240101' });
    expect([v.archivename, v.distprefix]).toEqual(['bar-Feature-X-1', '.20240101gitfeature/x-1']);
  });

  it('github.* hosts, page paths and queries are normalised away', () => {
    expect(values({ forgeurl: 'https://github.example.com/foo/bar', version: '1.0' }).forgesource).toBe(
      'https://github.example.com/foo/bar/archive/v1.0/bar-1.0.tar.gz',
    );
    expect(values({ forgeurl: 'https://github.com/ansible/ansible/tree/devel', version: '2.14.0' }).forgeurl).toBe('https://github.com/ansible/ansible');
    expect(values({ forgeurl: 'https://github.com/foo/bar?tab=readme', version: '1.0' }).forgeurl).toBe('https://github.com/foo/bar');
  });

  it('the repository name is a Lua pattern when stripped from a tag (the macros\' quirk, kept)', () => {
    // "-" is a Lua quantifier and the tag has dots where the name has dashes: nothing is stripped.
    const v = values({ forgeurl: 'https://gitlab.com/fedora/legal/fedora-license-data', tag: 'fedora-license-data-1.16-1' });
    expect(v.distprefix).toBe('.gitfedora.license.data.1.16.1');
    expect(v.archivename).toBe('fedora-license-data-fedora-license-data-1.16-1');
  });
});

describe('other forges', () => {
  it('GitLab with nested groups: the last segment is the repository, tar.bz2', () => {
    const v = values({ forgeurl: 'https://gitlab.com/redhat/centos-stream/rpms/redhat-rpm-config', commit: '446d35133d975f7a4cdc848cfdfa247b5a7f7ab6' });
    expect(v.forgesource).toBe(
      'https://gitlab.com/redhat/centos-stream/rpms/redhat-rpm-config/-/archive/446d35133d975f7a4cdc848cfdfa247b5a7f7ab6/redhat-rpm-config-446d35133d975f7a4cdc848cfdfa247b5a7f7ab6.tar.bz2',
    );
    expect([v.repo, v.distprefix]).toEqual(['redhat-rpm-config', '.git446d351']);
    expect(computeForge({ forgeurl: 'https://gitlab.gnome.org/GNOME/gtk', version: '4.12.0' }).forge).toBe('gitlab');
    expect(computeForge({ forgeurl: 'https://foo-gitlab.example/a/b', version: '1' }).forge).toBe('gitlab');
  });

  it('pagure.io in its four shapes', () => {
    const cases: [string, string, string][] = [
      ['https://pagure.io/pagure', 'pagure', 'https://pagure.io/pagure/archive/5.13.3/pagure-5.13.3.tar.gz'],
      ['https://pagure.io/GoSIG/go2rpm', 'pagure_ns', 'https://pagure.io/GoSIG/go2rpm/archive/5.13.3/GoSIG-go2rpm-5.13.3.tar.gz'],
      ['https://pagure.io/fork/gotmax23/pagure/', 'pagure_fork', 'https://pagure.io/fork/gotmax23/pagure/archive/5.13.3/gotmax23-pagure-5.13.3.tar.gz'],
      [
        'https://pagure.io/fork/gotmax23/GoSIG/go2rpm',
        'pagure_ns_fork',
        'https://pagure.io/fork/gotmax23/GoSIG/go2rpm/archive/5.13.3/gotmax23-GoSIG-go2rpm-5.13.3.tar.gz',
      ],
    ];
    for (const [url, forge, source] of cases) {
      const r = computeForge({ forgeurl: url, version: '5.13.3', tag: '5.13.3' });
      expect([r.forge, r.values.forgesource]).toEqual([forge, source]);
    }
    const nsFork = values({ forgeurl: 'https://pagure.io/fork/gotmax23/GoSIG/go2rpm', version: '1.5.0', tag: 'v1.5.0' });
    expect([nsFork.owner, nsFork.namespace, nsFork.repo]).toEqual(['gotmax23', 'GoSIG', 'go2rpm']);
  });

  it('gitea.com and codeberg.org: the archive is named after the ref, the directory after the repo', () => {
    const gitea = values({ forgeurl: 'https://gitea.com/gitea/act', version: '0.243.1' });
    expect([gitea.forgesource, gitea.archivename, gitea.forgesetupargs]).toEqual(['https://gitea.com/gitea/act/archive/0.243.1.tar.gz', '0.243.1', '-n act']);
    const codeberg = computeForge({ forgeurl: 'https://codeberg.org/forgejo/forgejo', version: '7.0.0', tag: 'v%{version}' });
    expect([codeberg.forge, codeberg.values.forgesource]).toEqual(['gitea.com', 'https://codeberg.org/forgejo/forgejo/archive/v7.0.0.tar.gz']);
    expect(values({ forgeurl: 'https://gitea.com/gitea/go-sdk', version: '100.0.2', tag: 'gitea/v0.15.1' }).forgesource).toBe(
      'https://gitea.com/gitea/go-sdk/archive/gitea/v0.15.1.tar.gz#/gitea-v0.15.1.tar.gz',
    );
  });

  it('code.googlesource.com: v<version>, no top directory (-c)', () => {
    const v = values({ forgeurl: 'https://code.googlesource.com/gocloud', version: '0.34.0' });
    expect([v.forgesource, v.topdir, v.forgesetupargs]).toEqual([
      'https://code.googlesource.com/gocloud/+archive/v0.34.0.tar.gz#/gocloud-v0.34.0.tar.gz',
      '',
      '-c -n gocloud-v0.34.0',
    ]);
  });

  it('bitbucket.org: a 12-character shortcommit in the name; the tag still wins as ref', () => {
    const v = values({ forgeurl: 'https://bitbucket.org/creachadair/shell', commit: '9479d77f2b7f1037f17e7eaac680bf9718c28499', tag: 'v0.0.7', version: '0.0.7' });
    expect([v.forgesource, v.shortcommit, v.owner, v.distprefix]).toEqual([
      'https://bitbucket.org/creachadair/shell/get/v0.0.7.tar.bz2#/creachadair-shell-9479d77f2b7f.tar.bz2',
      '9479d77f2b7f',
      'creachadair',
      '',
    ]);
  });

  it('git.sr.ht: tar.gz with a rename fragment; the top directory keeps the ref as it is', () => {
    const v = values({ forgeurl: 'https://git.sr.ht/~gotmax23/fedrq', version: '0.5.0', tag: 'v%{version}' });
    expect([v.forgesource, v.forgesetupargs]).toEqual(['https://git.sr.ht/~gotmax23/fedrq/archive/v0.5.0.tar.gz#/fedrq-0.5.0.tar.gz', '-n fedrq-v0.5.0']);
  });

  it('hosts without a driver: no error, unexpanded templates as rpm prints them', () => {
    const r = computeForge({ forgeurl: 'https://salsa.debian.org/foo/bar', version: '1.0' });
    expect([r.forge, r.forgeHost]).toEqual([null, 'salsa.debian.org']);
    expect([r.values.forgesource, r.values.forgesetupargs, r.values.repo]).toEqual(['#/.%{archiveext}', '-c -n %{archivename}', '']);
  });
});

describe('blocks, options and overrides', () => {
  it('index N reads source N and sets suffixed variables, -T -D -b N, and .s<version> when it differs', () => {
    const r = computeForge({ forgeurl: 'https://github.com/foo/bar', version: '2.0', index: 1, macros: { version: '1.0' } });
    expect([r.suffix, r.variables['forgesource1'], r.variables['forgesetupargs1'], r.variables['distprefix1']]).toEqual([
      '1',
      'https://github.com/foo/bar/archive/v2.0/bar-2.0.tar.gz',
      '-T -D -b 1 -n bar-2.0',
      '.s2.0',
    ]);
    expect(r.definitions['forgesource']).toBeUndefined();
    const same = computeForge({ forgeurl: 'https://github.com/foo/bar', version: '1.0', index: 1, macros: { version: '1.0' } });
    expect(same.values.distprefix).toBe('');
    const noTop = computeForge({ forgeurl: 'https://code.googlesource.com/foo', commit: 'abc', index: 3 });
    expect(noTop.variables['forgesetupargs3']).toBe('-T -D -a 3 -c -n foo-abc');
  });

  it('index 0 is the main block: the X and X0 names alias each other', () => {
    const r = forgeMacros({ forgeurl: 'https://github.com/foo/bar', version: '1.0' }, { index: 0 });
    expect(r.variables['forgesource0']).toBe('https://github.com/foo/bar/archive/v1.0/bar-1.0.tar.gz');
    expect(r.expand('%{forgesource}')).toBe(r.variables['forgesource0']);
    expect(r.expand('%{forgesetupargs}')).toBe('-n bar-1.0');
  });

  it('silent: a URL of the wrong shape gives no driver instead of an error', () => {
    const r = computeForge({ forgeurl: 'https://github.com/foo', version: '1.0', silent: true });
    expect([r.forge, r.values.forgesource, r.values.forgeurl]).toEqual([null, '#/.%{archiveext}', 'https://github.com/foo']);
  });

  it("the packager's values win (except forgeurl), %{nil} included", () => {
    const v = values({
      forgeurl: 'https://example.org/foo/bar',
      version: '1.0',
      archiveurl: 'https://example.org/dl/bar-%{version}.tar.xz',
      archivename: 'bar-%{version}',
      archiveext: 'tar.xz',
    });
    expect([v.forgesource, v.forgesetupargs]).toEqual(['https://example.org/dl/bar-1.0.tar.xz', '-c -n bar-1.0']);
    const nil = values({ forgeurl: 'https://github.com/foo/bar/', version: '1.0', commit: 'abcdef0123', distprefix: '%{nil}', scm: 'hg' });
    expect([nil.distprefix, nil._forgeversionsuffix, nil.scm, nil.forgeurl]).toEqual(['', '.hgabcdef0', 'hg', 'https://github.com/foo/bar']);
    expect(values({ forgeurl: 'https://github.com/foo/bar', version: '1', archiveext: 'tar.xz' }).forgesource).toBe(
      'https://github.com/foo/bar/archive/v1/bar-1.tar.xz',
    );
  });

  it('definitions keep the templates the macros set; expand evaluates more macro text', () => {
    const r = computeForge({ forgeurl: 'https://github.com/foo/bar', version: '1.0' });
    expect(r.definitions['archivename']).toBe('%{repo}-%{fileref}');
    expect(r.definitions['ref']).toBe('v%{?version}');
    expect(r.expand('Source0: %{forgesource}')).toBe('Source0: https://github.com/foo/bar/archive/v1.0/bar-1.0.tar.gz');
  });

  it('non-ASCII text works on bytes, as in Lua: a commit cut inside a character becomes U+FFFD', () => {
    // rpm prints ".gitabcdef" and the first byte of "é" (0xC3).
    const v = values({ forgeurl: 'https://github.com/foo/bär', commit: 'abcdefé0' });
    expect(v.repo).toBe('bär');
    expect(v.distprefix).toBe('.gitabcdef\uFFFD');
  });
});

describe('errors (the macros\' messages)', () => {
  const cases: [string, ForgeInput, string, string][] = [
    ['no ref', { forgeurl: 'https://github.com/foo/bar' }, 'FORGE_NO_REF', 'You need to define Version:, %{commit} or %{tag} before the macro invocation !'],
    ['no ref, block 2', { forgeurl: 'https://github.com/foo/bar', index: 2 }, 'FORGE_NO_REF', 'You need to define %{version2}, %{commit2} or %{tag2} before the macro invocation !'],
    ['no scheme', { forgeurl: 'github.com/foo/bar', version: '1' }, 'FORGE_BAD_URL', 'URLs must include a protocol such as https:// and a path starting with / !'],
    ['http', { forgeurl: 'http://github.com/foo/bar', version: '1' }, 'FORGE_URL_MISMATCH', 'github URLs must match https://(…[-.])github[-.]…/owner/repo !'],
    ['pagure_ns_fork', { forgeurl: 'http://pagure.io/fork/a/b/c', version: '1' }, 'FORGE_URL_MISMATCH', 'pagure_ns_fork URLs must match https://pagure.io/fork/owner/namespace/repo !'],
    ['sourcehut without ~', { forgeurl: 'https://git.sr.ht/foo/bar', version: '1' }, 'FORGE_URL_MISMATCH', 'sourcehut URLs must match https://git.sr.ht/~owner/repo !'],
    ['bitbucket', { forgeurl: 'https://bitbucket.org/a/b', version: '1', tag: 'v1' }, 'FORGE_COMMIT_REQUIRED', 'All BitBucket URLs require commit value knowledge: you need to define %{commit}!'],
    ['recursive macro', { forgeurl: 'https://github.com/a/b', tag: '%{tag}' }, 'FORGE_BAD_MACRO', 'Too many levels of recursion in macro expansion. It is likely caused by recursive macro declaration.'],
    ['unterminated macro', { forgeurl: 'https://github.com/a/b', version: '%{version' }, 'FORGE_BAD_MACRO', 'Unterminated {: %{version'],
    ['bad Lua pattern', { forgeurl: 'https://github.com/a/b[', tag: 'b-1' }, 'FORGE_LUA_ERROR', "lua script failed: malformed pattern (missing ']')"],
    ['bad date', { forgeurl: 'https://github.com/a/b', version: '1', date: '2024-01-01' }, 'INVALID_ARGUMENT', "computeForge: date must be YYYYMMDD, not '2024-01-01'"],
    ['bad index', { forgeurl: 'https://github.com/a/b', version: '1', index: -1 }, 'INVALID_ARGUMENT', 'forge: index must be a non-negative integer, not -1'],
  ];
  it.each(cases)('%s', (_name, input, code, message) => {
    const e = rpmError(() => computeForge(input));
    expect([e.code, e.detail]).toEqual([code, message]);
  });

  it('silent does not hide the ref and Bitbucket errors', () => {
    expect(rpmError(() => computeForge({ forgeurl: 'nonsense', silent: true })).code).toBe('FORGE_NO_REF');
    expect(rpmError(() => computeForge({ forgeurl: 'https://bitbucket.org/a/b', version: '1', silent: true })).code).toBe('FORGE_COMMIT_REQUIRED');
    expect(computeForge({ forgeurl: 'nonsense', version: '1', silent: true }).forge).toBeNull();
  });

  it('self-multiplying definitions hit the expansion limit instead of growing without bound', () => {
    const defs: Record<string, string> = { forgeurl: 'https://github.com/a/b', tag: '%{m0}' };
    for (let i = 0; i < 30; i++) defs[`m${i}`] = `%{m${i + 1}}%{m${i + 1}}`;
    defs['m30'] = 'xxxxxxxx';
    expect(rpmError(() => forgeMacros(defs)).code).toBe('LIMIT_EXCEEDED');
  });
});
