/**
 * Which forge a URL belongs to, the URL shape each forge accepts, and each forge's "driver": the
 * templates of the archive variables. Patterns are Lua patterns, interpreted by lua-pattern.ts,
 * so that odd URLs behave as they do in the macros (e.g. `.` in `git.sr.ht` matches any byte).
 */
import { RepokitError } from '../shared/errors.js';
import { luaFind, luaMatch } from './lua-pattern.js';

/** The forges the macros have drivers for (their internal ids). */
export const FORGE_IDS = [
  'github',
  'gitlab',
  'pagure',
  'pagure_ns',
  'pagure_fork',
  'pagure_ns_fork',
  'gitea.com',
  'code.googlesource.com',
  'bitbucket.org',
  'sourcehut',
] as const;

/** A forge with a driver. Codeberg uses the `gitea.com` driver. */
export type ForgeId = (typeof FORGE_IDS)[number];

export function isForgeId(id: string): id is ForgeId {
  return (FORGE_IDS as readonly string[]).includes(id);
}

/**
 * The forge id of `url` as the macros compute it: a known id, or the host itself for hosts without
 * a driver (no error for those). Null when the URL has no `scheme://host/` (after the error,
 * unless silent).
 */
export function identifyForge(url: string, silent: boolean): string | null {
  const host = luaMatch(url, '^[^:]+://([^/]+)/')?.[0];
  if (host === undefined) {
    if (!silent) throw new RepokitError('FORGE_BAD_URL', 'URLs must include a protocol such as https:// and a path starting with / !');
    return null;
  }
  if (host === 'pagure.io') {
    if (luaFind(url, '[^:]+://pagure.io/fork/[^/]+/[^/]+/[^/]+')) return 'pagure_ns_fork';
    if (luaFind(url, '[^:]+://pagure.io/fork/[^/]+/[^/]+')) return 'pagure_fork';
    if (luaFind(url, '[^:]+://pagure.io/[^/]+/[^/]+')) return 'pagure_ns';
    if (luaFind(url, '[^:]+://pagure.io/[^/]+')) return 'pagure';
    return host;
  }
  if (luaFind(host, '^gitlab[%.-]') || luaFind(host, '[%.-]gitlab[%.]')) return 'gitlab';
  if (luaFind(host, '^github[%.-]') || luaFind(host, '[%.-]github[%.]')) return 'github';
  if (luaFind(url, '[^:]+://git.sr.ht/')) return 'sourcehut';
  if (host === 'codeberg.org') return 'gitea.com';
  return host;
}

/** The URL each forge accepts (a Lua pattern; its first match becomes the normalised forgeurl) and how the error describes it. */
export const URL_SHAPES: Readonly<Record<ForgeId, { pattern: string; description: string }>> = {
  github: { pattern: 'https://[^/]+/[^/]+/[^/#?]+', description: 'https://(…[-.])github[-.]…/owner/repo' },
  gitlab: { pattern: 'https://[^#?]+', description: 'https://(…[-.])gitlab[-.]…/owner/repo' },
  pagure: { pattern: 'https://[^/]+/[^/#?]+', description: 'https://pagure.io/repo' },
  pagure_ns: { pattern: 'https://[^/]+/[^/]+/[^/#?]+', description: 'https://pagure.io/namespace/repo' },
  pagure_fork: { pattern: 'https://[^/]+/fork/[^/]+/[^/#?]+', description: 'https://pagure.io/fork/owner/repo' },
  pagure_ns_fork: { pattern: 'https://[^/]+/fork/[^/]+/[^/]+/[^/#?]+', description: 'https://pagure.io/fork/owner/namespace/repo' },
  'gitea.com': { pattern: 'https://[^/]+/[^/]+/[^/#?]+', description: 'https://gitea.com/owner/repo' },
  'code.googlesource.com': { pattern: 'https://code.googlesource.com/[^#?]*[^/#?]+', description: 'https://code.googlesource.com/…/repo' },
  'bitbucket.org': { pattern: 'https://[^/]+/[^/]+/[^/#?]+', description: 'https://bitbucket.org/owner/repo' },
  sourcehut: { pattern: 'https://[^/]+/~[^/]+/[^/#?]+', description: 'https://git.sr.ht/~owner/repo' },
};

/**
 * GitLab project URL, repaired (deviation from forge-srpm-macros, see docs/forge.md): the
 * nested-groups pattern keeps everything up to `?`/`#`, so a trailing `/` doubled the slash in
 * the archive URL and a page path (`/-/tree/main`) became the repository. GitLab puts `/-/`
 * between a project's path and its pages, and group or project names cannot be `-`, so the
 * project URL ends before the first `/-/`; trailing slashes go too. Null when fewer than two path
 * segments remain (the owner/repo shape the error message asks for).
 */
export function trimGitlabUrl(matched: string): string | null {
  let url = matched;
  const pages = url.indexOf('/-/');
  if (pages !== -1) url = url.slice(0, pages);
  else if (url.endsWith('/-')) url = url.slice(0, -2);
  url = url.replace(/\/+$/, '');
  return luaFind(url, '^https://[^/]+/[^/]+/[^/]') === null ? null : url;
}

/**
 * The normalised URL for forge `id`, or null when the URL does not have the forge's shape (after
 * the error, unless silent). `bugCompatible` keeps forge-srpm-macros' GitLab URL as matched.
 */
export function checkForgeUrl(url: string, id: ForgeId, silent: boolean, bugCompatible = false): string | null {
  const shape = URL_SHAPES[id];
  const found = luaFind(url, shape.pattern);
  let checked = found === null ? null : url.slice(found[0], found[1]);
  if (checked !== null && id === 'gitlab' && !bugCompatible) checked = trimGitlabUrl(checked);
  if (checked === null && !silent) throw new RepokitError('FORGE_URL_MISMATCH', `${id} URLs must match ${shape.description} !`);
  return checked;
}

/**
 * A driver's variables: templates, with `S` standing for the block suffix, or a function computing
 * the value from the expanded forgeurl (the macros do that with a Lua pattern match; a failed match
 * prints `nil`).
 */
export type DriverValue = string | { match: string };

export interface Driver {
  archiveext?: DriverValue;
  repo?: DriverValue;
  owner?: DriverValue;
  namespace?: DriverValue;
  archivename?: DriverValue;
  archiveurl?: DriverValue;
  topdir?: DriverValue;
}

/** What every driver gets for the keys it does not define. */
export const DEFAULT_DRIVER: Required<Pick<Driver, 'archiveext' | 'repo' | 'archivename' | 'topdir'>> & { scm: string } = {
  scm: 'git',
  archiveext: 'tar.bz2',
  repo: { match: '^[^:]+://[^/]+/[^/]+/([^/?#]+)' },
  archivename: '%{repoS}-%{refS}',
  topdir: '%{archivenameS}',
};

const PAGURE_ARCHIVE = '%{forgeurlS}/archive/%{refS}/%{archivenameS}.%{archiveextS}';

export const DRIVERS: Readonly<Record<ForgeId, Driver>> = {
  github: {
    archiveext: 'tar.gz',
    archivename: '%{repoS}-%{filerefS}',
    archiveurl: '%{forgeurlS}/archive/%{refS}/%{archivenameS}.%{archiveextS}',
  },
  gitlab: {
    // The last path segment, so that nested groups work.
    repo: { match: '^[^:]+://[^?#]+/([^/?#]+)' },
    archiveurl: '%{forgeurlS}/-/archive/%{refS}/%{archivenameS}.%{archiveextS}',
  },
  pagure: {
    archiveext: 'tar.gz',
    repo: { match: '^[^:]+://[^/]+/([^/?#]+)' },
    archiveurl: PAGURE_ARCHIVE,
  },
  pagure_ns: {
    archiveext: 'tar.gz',
    namespace: { match: '^[^:]+://[^/]+/([^/]+)/[^/?#]+' },
    repo: { match: '^[^:]+://[^/]+/[^/]+/([^/?#]+)' },
    archivename: '%{namespaceS}-%{repoS}-%{refS}',
    archiveurl: PAGURE_ARCHIVE,
  },
  pagure_fork: {
    archiveext: 'tar.gz',
    owner: { match: 'https://[^/]+/fork/([^/]+)/[^/?#]+' },
    repo: { match: 'https://[^/]+/fork/[^/]+/([^/?#]+)' },
    archivename: '%{ownerS}-%{repoS}-%{refS}',
    archiveurl: PAGURE_ARCHIVE,
  },
  pagure_ns_fork: {
    archiveext: 'tar.gz',
    owner: { match: 'https://[^/]+/fork/([^/]+)/[^/]+/[^/?#]+' },
    namespace: { match: 'https://[^/]+/fork/[^/]+/([^/]+)/[^/?#]+' },
    repo: { match: 'https://[^/]+/fork/[^/]+/[^/]+/([^/?#]+)' },
    archivename: '%{ownerS}-%{namespaceS}-%{repoS}-%{refS}',
    archiveurl: PAGURE_ARCHIVE,
  },
  'gitea.com': {
    archiveext: 'tar.gz',
    archivename: '%{filerefS}',
    archiveurl: '%{forgeurlS}/archive/%{refS}.%{archiveextS}',
    // forge-srpm-macros writes the unsuffixed %{repo} here (deviation, see docs/forge.md).
    topdir: '%{repoS}',
  },
  'code.googlesource.com': {
    archiveext: 'tar.gz',
    repo: { match: '^[^:]+://.+/([^/?#]+)' },
    archiveurl: '%{forgeurlS}/+archive/%{refS}.%{archiveextS}',
    // The archive has no top directory.
    topdir: '',
  },
  'bitbucket.org': {
    owner: { match: '^[^:]+://[^/]+/([^/?#]+)' },
    archivename: '%{ownerS}-%{repoS}-%{shortcommitS}',
    archiveurl: '%{forgeurlS}/get/%{refS}.%{archiveextS}',
  },
  sourcehut: {
    archiveext: 'tar.gz',
    archivename: '%{repoS}-%{filerefS}',
    archiveurl: '%{forgeurlS}/archive/%{refS}.%{archiveextS}',
    topdir: '%{repoS}-%{refS}',
  },
};
