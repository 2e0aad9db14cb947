/**
 * The public entry points: {@link forgeMacros} runs `%forgemeta` on rpm macro definitions exactly
 * as a spec file would have them; {@link computeForge} takes one source's inputs as options.
 */
import { RepokitError } from '../shared/errors.js';
import type { ForgeId } from './forges.js';
import { MacroTable } from './macros.js';
import { forgeMeta } from './meta.js';
import { fromBytes, toBytes } from './text.js';

/** The variables `%forgemeta` sets, unsuffixed, in the order repokit reports them. */
export const FORGE_VARIABLES = [
  'forgeurl',
  'forgesource',
  'archiveurl',
  'archivename',
  'archiveext',
  'topdir',
  'extractdir',
  'forgesetupargs',
  'repo',
  'owner',
  'namespace',
  'fileref',
  'ref',
  'shortcommit',
  'scm',
  'distprefix',
  '_forgeversionsuffix',
] as const;

export type ForgeVariable = (typeof FORGE_VARIABLES)[number];

/** Each variable's expanded value; `''` when it is unset or empty. */
export type ForgeValues = Record<ForgeVariable, string>;

export interface ForgeMacrosOptions {
  /**
   * The source block, as `%forgemeta -z N` selects it: the inputs are read from `forgeurlN`,
   * `versionN`, ... and the variables are set with the suffix N. Default: no `-z` (unsuffixed).
   * Block 0 is the main block, like no `-z`.
   */
  index?: number;
  /** `-s`: a forge URL of the wrong shape gives no driver instead of an error. */
  silent?: boolean;
  /**
   * Reproduce forge-srpm-macros' bugs that repokit fixes (see docs/forge.md, "Deviations"):
   * GitLab URLs keep a trailing slash and page paths, Gitea/Codeberg numbered sources extract to
   * the unsuffixed `%{repo}`. Default false.
   */
  bugCompatible?: boolean;
}

export interface ForgeResult {
  /** The driver that computed the archive variables; null without forgeurl, for a host without a driver, or for a bad URL with `silent`. */
  forge: ForgeId | null;
  /** The forge id the macros derived from the URL even when there is no driver for it (e.g. `salsa.debian.org`); null without a URL. */
  forgeHost: string | null;
  /** The block suffix: `''` without index, else the index as a string. */
  suffix: string;
  /** Every variable's expanded value, under its unsuffixed name. */
  values: ForgeValues;
  /** The same values named as the macros name them (with the suffix), in {@link FORGE_VARIABLES} order. */
  variables: Record<string, string>;
  /** Every macro defined after the run, with its unexpanded body (rpm macro text), inputs included. */
  definitions: Record<string, string>;
  /** Expand rpm macro text against the definitions after the run (`rpm -E` after `%forgemeta`). */
  expand(text: string): string;
}

function suffixOf(index: number | undefined): string {
  if (index === undefined) return '';
  if (!Number.isSafeInteger(index) || index < 0) {
    throw new RepokitError('INVALID_ARGUMENT', `forge: index must be a non-negative integer, not ${String(index)}`);
  }
  return String(index);
}

/**
 * Run `%forgemeta` (forge-srpm-macros) on rpm macro definitions, as if each was a `%global` in a
 * spec file: `{ forgeurl: 'https://github.com/foo/bar', version: '1.0', tag: 'v%{version}' }`.
 * Values are rpm macro text (`%{version}` refers to another definition; write `%%` for a `%`).
 *
 * @throws RepokitError `FORGE_NO_REF`, `FORGE_BAD_URL`, `FORGE_URL_MISMATCH`,
 *   `FORGE_COMMIT_REQUIRED` (the macros' errors, with their messages), `FORGE_BAD_MACRO`,
 *   `FORGE_LUA_ERROR`, `LIMIT_EXCEEDED`, `INVALID_ARGUMENT`.
 */
export function forgeMacros(definitions: Readonly<Record<string, string>>, options: ForgeMacrosOptions = {}): ForgeResult {
  if (typeof definitions !== 'object' || definitions === null) throw new RepokitError('INVALID_ARGUMENT', 'forge: definitions must be an object');
  const suffix = suffixOf(options.index);
  const table = new MacroTable();
  for (const [name, body] of Object.entries(definitions)) {
    if (typeof body !== 'string') throw new RepokitError('INVALID_ARGUMENT', `forge: the value of ${name} must be a string`);
    table.define(toBytes(name), toBytes(body));
  }
  const run = forgeMeta(table, suffix, { silent: options.silent === true, bugCompatible: options.bugCompatible === true });

  const values = {} as ForgeValues;
  const variables: Record<string, string> = {};
  for (const name of FORGE_VARIABLES) {
    const value = fromBytes(table.expand(`%{?${name}${suffix}}`));
    values[name] = value;
    variables[name + suffix] = value;
  }
  const defs: Record<string, string> = {};
  for (const name of [...table.names()].sort()) defs[fromBytes(name)] = fromBytes(table.body(name)!);
  return {
    forge: run.forge,
    forgeHost: run.forgeHost === null ? null : fromBytes(run.forgeHost),
    suffix,
    values,
    variables,
    definitions: defs,
    expand: (text: string) => fromBytes(table.expand(toBytes(text))),
  };
}

/** One source's inputs for {@link computeForge}. Values are rpm macro text, like spec definitions. */
export interface ForgeInput extends ForgeMacrosOptions {
  /** The project's URL on its forge, e.g. `https://github.com/owner/repo`. */
  forgeurl: string;
  version?: string;
  tag?: string;
  commit?: string;
  branch?: string;
  /** The snapshot date, `YYYYMMDD` (the macros fall back to the archive file's mtime; repokit does not look at files). */
  date?: string;
  /** The version-control system named in snapshot suffixes (default `git`). */
  scm?: string;
  /** Overrides of computed variables (a defined variable is never recomputed). */
  archiveext?: string;
  archivename?: string;
  archiveurl?: string;
  topdir?: string;
  extractdir?: string;
  forgesource?: string;
  forgesetupargs?: string;
  repo?: string;
  owner?: string;
  namespace?: string;
  distprefix?: string;
  /**
   * Other macros the values may refer to, unsuffixed (e.g. `name`, or the package's main
   * `version` when `index` selects a numbered source: snapshot suffixes compare against it).
   */
  macros?: Readonly<Record<string, string>>;
}

const INPUT_KEYS = [
  'forgeurl', 'version', 'tag', 'commit', 'branch', 'date', 'scm', 'archiveext', 'archivename', 'archiveurl', 'topdir',
  'extractdir', 'forgesource', 'forgesetupargs', 'repo', 'owner', 'namespace', 'distprefix',
] as const;

/**
 * Every variable Fedora's forge macros set for one source: `forgesource` (the Source URL),
 * `forgesetupargs` (the `%setup` arguments), `archivename`, `distprefix`, ... With `index` N the
 * inputs are source N's and the variables carry the suffix N, as with `%forgemeta -z N`.
 *
 * @throws RepokitError the macros' errors (see {@link forgeMacros}); `INVALID_ARGUMENT` for a
 *   `date` that is not `YYYYMMDD` or a bad `index`.
 */
export function computeForge(input: ForgeInput): ForgeResult {
  if (typeof input !== 'object' || input === null || typeof input.forgeurl !== 'string') {
    throw new RepokitError('INVALID_ARGUMENT', 'computeForge: forgeurl must be a string');
  }
  if (input.date !== undefined && !/^[0-9]{8}$/.test(input.date)) {
    throw new RepokitError('INVALID_ARGUMENT', `computeForge: date must be YYYYMMDD, not '${input.date}'`);
  }
  const suffix = suffixOf(input.index);
  const defs: Record<string, string> = {};
  for (const [name, body] of Object.entries(input.macros ?? {})) defs[name] = body;
  for (const key of INPUT_KEYS) {
    const v = input[key];
    if (v === undefined) continue;
    if (typeof v !== 'string') throw new RepokitError('INVALID_ARGUMENT', `computeForge: ${key} must be a string`);
    defs[key + suffix] = v;
  }
  const options: ForgeMacrosOptions = {};
  if (input.index !== undefined) options.index = input.index;
  if (input.silent !== undefined) options.silent = input.silent;
  if (input.bugCompatible !== undefined) options.bugCompatible = input.bugCompatible;
  return forgeMacros(defs, options);
}
