/**
 * The `%forgemeta` computation (forge-srpm-macros' `forge.meta`) on a macro table of byte strings:
 * reads a block's inputs, picks the ref, identifies and checks the forge, sets the driver's
 * variables, then the generic ones (forgesource, extractdir, forgesetupargs) and the snapshot
 * suffix (distprefix). Every variable is set lazily as a template and only when not defined yet,
 * so values the packager defined win; only forgeurl is always replaced by its normalised form.
 */
import { RepokitError } from '../shared/errors.js';
import { checkForgeUrl, DEFAULT_DRIVER, DRIVERS, identifyForge, isForgeId, type DriverValue, type ForgeId } from './forges.js';
import { luaMatch, luaStripPrefix } from './lua-pattern.js';
import type { MacroTable } from './macros.js';
import { asciiLower, punctToDots } from './text.js';

/** Variables copied between `X` and `X0` for the main block, before and after the computation. */
export const ZALIAS_VARIABLES = [
  'forgeurl', 'forgesource', 'forgesetupargs', 'archivename', 'archiveext', 'archiveurl', 'topdir', 'extractdir',
  'repo', 'owner', 'namespace', 'scm', 'tag', 'commit', 'shortcommit', 'branch', 'version', 'date', 'distprefix',
  '_forgeversionsuffix',
] as const;

/** Version prefixes stripped from a tag's snapshot suffix, in this order (`v` for the version). */
const VERSION_PREFIXES = ['', 'v', 'v.', 'version', 'version.', 'tags.v', 'tags.v.'];

export interface MetaOptions {
  /** Errors about the forge URL's shape are not raised; the block then gets no driver. */
  silent: boolean;
  /** Reproduce forge-srpm-macros' bugs that repokit fixes (docs/forge.md, "Deviations"). */
  bugCompatible: boolean;
}

/** What the run found out, besides the variables it set in the table. */
export interface MetaRun {
  /** The driver used, or null (no forgeurl, unknown host, or a bad URL with `silent`). */
  forge: ForgeId | null;
  /** The forge id the macros computed even without a driver (e.g. the host `salsa.debian.org`). */
  forgeHost: string | null;
}

/** `zalias`: make `X` and `X0` stand for each other (each direction only when the target is undefined). */
function zalias(t: MacroTable): void {
  for (const [from, to] of [['', '0'], ['0', '']] as const) {
    for (const v of ZALIAS_VARIABLES) {
      const ref = `%{?${v}${from}}`;
      if (t.expand(ref) !== '') t.safeSet(v + to, ref);
    }
  }
}

/** Run `%forgemeta -z S` (S = '' for no `-z`) on table `t`. */
export function forgeMeta(t: MacroTable, S: string, options: MetaOptions): MetaRun {
  const main = S === '' || S === '0';
  const sub = (template: string): string => template.replaceAll('S}', `${S}}`);
  if (main) zalias(t);

  const input = (name: string): string => t.expand(`%{?${name}${S}}`);
  const forgeurlIn = input('forgeurl');

  // Ref: tag > commit > branch > version.
  let refKind: 'tag' | 'commit' | 'branch' | 'version';
  if (input('tag') !== '') refKind = 'tag';
  else if (input('commit') !== '') refKind = 'commit';
  else if (input('branch') !== '') refKind = 'branch';
  else refKind = 'version';
  const isRelease = refKind === 'version';
  let ref = `%{?${refKind}${S}}`;
  if (t.expand(ref) === '') {
    throw new RepokitError(
      'FORGE_NO_REF',
      S === ''
        ? 'You need to define Version:, %{commit} or %{tag} before the macro invocation !'
        : `You need to define %{version${S}}, %{commit${S}} or %{tag${S}} before the macro invocation !`,
    );
  }

  let forge: ForgeId | null = null;
  let forgeHost: string | null = null;
  if (forgeurlIn !== '') {
    forgeHost = identifyForge(forgeurlIn, options.silent);
    if (forgeHost !== null && isForgeId(forgeHost)) {
      const checked = checkForgeUrl(forgeurlIn, forgeHost, options.silent, options.bugCompatible);
      if (checked !== null) {
        // Always replaced, even when the packager defined it (the only such variable).
        t.define(`forgeurl${S}`, checked);
        forge = forgeHost;
      }
    }
  }

  if (forge !== null) {
    const forgeurl = t.expand(`%{forgeurl${S}}`);
    // The ref as it appears in file and directory names, for the forges that name archives after it.
    // GitHub keeps a version as it is (its URLs add the "v"); a tag loses a "v" before a digit.
    const fileref = (): string => {
      let name = t.expand(ref);
      if (forge === 'github' && isRelease) return name;
      if (refKind !== 'commit' && /^v[0-9]/.test(name)) name = name.slice(1);
      else if (name.includes('/')) name = name.replaceAll('/', '-');
      return name;
    };
    switch (forge) {
      case 'github':
        t.safeSet(`fileref${S}`, fileref());
        if (isRelease) ref = `v${ref}`;
        break;
      case 'sourcehut':
        t.safeSet(`fileref${S}`, fileref());
        break;
      case 'gitea.com':
        t.safeSet(`fileref${S}`, t.expand(ref).replaceAll('/', '-'));
        break;
      case 'code.googlesource.com':
        if (isRelease) ref = `v${ref}`;
        break;
      case 'bitbucket.org': {
        const commit = input('commit');
        if (commit === '') {
          throw new RepokitError('FORGE_COMMIT_REQUIRED', 'All BitBucket URLs require commit value knowledge: you need to define %{commit}!');
        }
        t.safeSet(`shortcommit${S}`, commit.slice(0, 12));
        break;
      }
      default:
        break;
    }
    t.safeSet(`ref${S}`, ref);

    const driver = DRIVERS[forge];
    const value = (v: DriverValue): string => {
      if (typeof v === 'string') return sub(v);
      // A Lua match printed with print(): a failed match prints "nil".
      return luaMatch(forgeurl, v.match)?.[0] ?? 'nil';
    };
    const keys = ['archiveext', 'repo', 'owner', 'namespace', 'archivename', 'archiveurl', 'topdir'] as const;
    for (const key of keys) {
      let v = driver[key];
      if (key === 'topdir' && forge === 'gitea.com' && options.bugCompatible) v = '%{repo}';
      if (v !== undefined) t.safeSet(key + S, value(v));
    }
    t.safeSet(`scm${S}`, DEFAULT_DRIVER.scm);
    for (const key of ['archiveext', 'repo', 'archivename', 'topdir'] as const) t.safeSet(key + S, value(DEFAULT_DRIVER[key]));
  }

  // forgesource: the archive URL itself when its last path component already is the archive's
  // name; otherwise rpm's "#/name" rename fragment.
  const archiveurl = t.expand(`%{?archiveurl${S}}`);
  const wanted = t.expand(`%{?archivename${S}}.%{archiveext${S}}`);
  const last = luaMatch(archiveurl, '/([^/]+)$')?.[0];
  t.safeSet(`forgesource${S}`, last === wanted ? `%{archiveurl${S}}` : `%{?archiveurl${S}}#/%{?archivename${S}}.%{archiveext${S}}`);

  const secondary = main ? '' : `-T -D -${t.expand(`%{?topdir${S}}`) !== '' ? 'b' : 'a'} ${S} `;
  if (t.expand(`%{?topdir${S}}`) !== '') {
    t.safeSet(`extractdir${S}`, `%{topdir${S}}`);
    t.safeSet(`forgesetupargs${S}`, `${secondary}-n %{extractdir${S}}`);
  } else {
    t.safeSet(`extractdir${S}`, `%{archivename${S}}`);
    t.safeSet(`forgesetupargs${S}`, `${secondary}-c -n %{extractdir${S}}`);
  }

  let distprefix = snapshotSuffix(t, S, refKind, ref);
  const version = input('version');
  if (version !== '' && version !== '0' && version !== t.expand('%{?version}')) distprefix = `.${version}${distprefix}`;
  if (t.expand(distprefix) !== '') {
    if (!main) distprefix = distprefix.replace(/^\./, '.s');
    t.safeSet(`distprefix${S}`, distprefix);
    t.safeSet(`_forgeversionsuffix${S}`, distprefix);
  }

  if (main) zalias(t);
  return { forge, forgeHost };
}

/**
 * The snapshot part of distprefix: "" for a release, else `.<date>%{scm}<ref-ish>`. Without a date
 * the macros ask the shell for the archive's mtime in %{_sourcedir}; repokit takes the date as an
 * input and treats a missing one as "no archive there" (an empty date).
 */
function snapshotSuffix(t: MacroTable, S: string, refKind: string, ref: string): string {
  if (refKind === 'version') return '';
  let dp = asciiLower(t.expand(ref));
  if (refKind === 'commit') {
    dp = dp.slice(0, 7);
  } else if (refKind === 'tag') {
    dp = punctToDots(dp);
    // The repository name is used as a Lua pattern, unescaped (kept: the macros' own tests expect it).
    dp = luaStripPrefix(dp, `^${asciiLower(t.expand('%{?repo}'))}%.?`);
    const v = punctToDots(t.expand('%{version}'));
    for (const prefix of VERSION_PREFIXES) dp = stripVersion(dp, prefix + v);
    dp = dp.replace(/^\./, '');
  }
  if (dp === '') return '';
  return `.${t.expand(`%{?date${S}}`)}%{scm${S}}${dp}`;
}

/** Remove `prefix` from the start of `s` unless what follows is (a dot and) a digit: 1.2.3 does not cut 1.2.30. */
function stripVersion(s: string, prefix: string): string {
  if (!s.startsWith(prefix)) return s;
  const rest = s.slice(prefix.length);
  return /^\.?[0-9]/.test(rest) ? s : rest;
}
