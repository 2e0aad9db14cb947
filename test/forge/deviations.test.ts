/**
 * The forge-srpm-macros bugs repokit fixes (docs/forge.md, "Deviations"): each fixed output, and
 * the upstream output still available with `bugCompatible: true` (checked with rpm).
 */
import { describe, expect, it } from 'vitest';
import { computeForge } from '../../src/forge/index.js';
import { rpmError } from '../helpers/errors.js';

const COMMIT = '9530f51f2c8ad05399c42a9bae845fc6c34de8e2';

describe('deviation 1: a GitLab URL with a trailing slash', () => {
  const input = { forgeurl: 'https://gitlab.com/fdroid/fdroidclient/', commit: COMMIT };
  it('gives an archive URL without "//"', () => {
    const v = computeForge(input).values;
    expect(v.forgeurl).toBe('https://gitlab.com/fdroid/fdroidclient');
    expect(v.forgesource).toBe(`https://gitlab.com/fdroid/fdroidclient/-/archive/${COMMIT}/fdroidclient-${COMMIT}.tar.bz2`);
  });
  it('upstream (bugCompatible) doubles the slash', () => {
    expect(computeForge({ ...input, bugCompatible: true }).values.forgesource).toBe(
      `https://gitlab.com/fdroid/fdroidclient//-/archive/${COMMIT}/fdroidclient-${COMMIT}.tar.bz2`,
    );
  });
});

describe('deviation 2: a GitLab URL with a page path', () => {
  it('ends the project URL before /-/ (nested groups still work)', () => {
    const v = computeForge({ forgeurl: 'https://gitlab.com/foo/bar/-/tree/main', version: '1.0' }).values;
    expect([v.forgeurl, v.repo, v.forgesource]).toEqual(['https://gitlab.com/foo/bar', 'bar', 'https://gitlab.com/foo/bar/-/archive/1.0/bar-1.0.tar.bz2']);
    const nested = computeForge({ forgeurl: 'https://gitlab.com/redhat/centos-stream/rpms/redhat-rpm-config/-/blob/main/x.spec', version: '1' });
    expect(nested.values.repo).toBe('redhat-rpm-config');
  });
  it('upstream (bugCompatible) takes "main" for the repository and builds a broken URL', () => {
    const v = computeForge({ forgeurl: 'https://gitlab.com/foo/bar/-/tree/main', version: '1.0', bugCompatible: true }).values;
    expect([v.repo, v.forgesource]).toEqual(['main', 'https://gitlab.com/foo/bar/-/tree/main/-/archive/1.0/main-1.0.tar.bz2']);
  });
  it('a URL left with fewer than owner/repo is the macros\' gitlab error (upstream: repository "foo")', () => {
    const e = rpmError(() => computeForge({ forgeurl: 'https://gitlab.com/foo/', version: '1' }));
    expect([e.code, e.detail]).toEqual(['FORGE_URL_MISMATCH', 'gitlab URLs must match https://(…[-.])gitlab[-.]…/owner/repo !']);
    expect(computeForge({ forgeurl: 'https://gitlab.com/foo/', version: '1', bugCompatible: true }).values.repo).toBe('foo');
  });
});

describe('deviation 3: a numbered Gitea/Codeberg source', () => {
  const input = { forgeurl: 'https://gitea.com/gitea/tea', version: '0.9', index: 1 };
  it("extracts to its own repository's directory", () => {
    const r = computeForge(input);
    expect([r.variables['topdir1'], r.variables['forgesetupargs1']]).toEqual(['tea', '-T -D -b 1 -n tea']);
  });
  it('upstream (bugCompatible) uses the unsuffixed %{repo}: the main source\'s, or left unexpanded', () => {
    expect(computeForge({ ...input, bugCompatible: true }).variables['forgesetupargs1']).toBe('-T -D -b 1 -n %{repo}');
    const withMain = computeForge({ ...input, bugCompatible: true, macros: { repo: 'bar' } });
    expect(withMain.variables['forgesetupargs1']).toBe('-T -D -b 1 -n bar');
  });
});
