/**
 * Stage 2 of loading: the merged plain object is checked key by key against repod's model
 * (types, enums, names, layer rules, URL and archive rules, unknown keys). Every problem is
 * collected; nothing throws. Values that pass come out typed, ready for resolution (stage 3).
 */
import {
  REPOD_ARCHITECTURES,
  REPOD_COMPRESSIONS,
  REPOD_DEFAULTS,
  REPOD_DESC_VERSIONS,
  REPOD_FILES_VERSIONS,
  REPOD_PACKAGE_VERIFICATIONS,
  type RepodArchitecture,
  type RepodArchiving,
  type RepodCompression,
  type RepodDescVersion,
  type RepodFilesVersion,
  type RepodLayer,
  type RepodManagementRepo,
  type RepodPackageVerification,
  type RepodRule,
  type RepodUrlValidation,
  type RepodViolation,
} from './model.js';
import { hasParentComponent, isAbsolutePath, isWithin, joinPath, normalizePath, parsePath } from './path.js';
import {
  checkRepoName,
  failed,
  isTable,
  parseUrl,
  pyListRepr,
  toBool,
  toEnum,
  toInt,
  toIntEnum,
  toPath,
  type Checked,
} from './values.js';

/** Where a top-level key's value came from. */
export interface Origin {
  file?: string;
  source?: string;
}

/** The top-level keys repod knows (anything else is rejected). */
export const TOP_LEVEL_KEYS = [
  'architecture',
  'archiving',
  'build_requirements_exist',
  'database_compression',
  'management_repo',
  'package_pool',
  'package_verification',
  'repositories',
  'source_pool',
  'syncdb_settings',
] as const;

const REPOSITORY_KEYS = new Set([
  'name', 'architecture', 'database_compression', 'build_requirements_exist', 'archiving', 'management_repo',
  'package_pool', 'source_pool', 'debug', 'staging', 'staging_debug', 'testing', 'testing_debug', 'group',
  'package_url_validation',
]);

/** The non-stable layers, which are repository keys of their own. */
export const LAYER_KEYS = ['debug', 'staging', 'staging_debug', 'testing', 'testing_debug'] as const satisfies readonly RepodLayer[];

/** Collects violations and warnings with their location, file and repository. */
export class Collector {
  readonly violations: RepodViolation[] = [];
  readonly warnings: RepodViolation[] = [];
  readonly #origins: ReadonlyMap<string, Origin>;

  constructor(origins: ReadonlyMap<string, Origin>) {
    this.#origins = origins;
  }

  /** Describe a violation at `loc` (key path) and record it. */
  make(rule: RepodRule, loc: readonly (string | number)[], msg: string, repository?: { index: number; name: string }): RepodViolation {
    const v: RepodViolation = { rule, loc: loc.join(' -> '), msg };
    const origin = this.#origins.get(String(loc[0]));
    if (origin?.file !== undefined) v.file = origin.file;
    else v.source = origin?.source ?? 'default';
    if (repository !== undefined) v.repository = repository;
    v.key = dottedKey(loc);
    return v;
  }

  add(rule: RepodRule, loc: readonly (string | number)[], msg: string, repository?: { index: number; name: string }): RepodViolation {
    const v = this.make(rule, loc, msg, repository);
    this.violations.push(v);
    return v;
  }

  warn(loc: readonly (string | number)[], msg: string, repository?: { index: number; name: string }): void {
    this.warnings.push(this.make('unknown-key', loc, msg, repository));
  }
}

function dottedKey(loc: readonly (string | number)[]): string {
  let s = '';
  for (const p of loc) s += typeof p === 'number' ? `[${p}]` : s === '' ? p : `.${p}`;
  return s;
}

/** A global value that failed validation is `INVALID`; absent keys are `undefined`. */
export const INVALID: unique symbol = Symbol('invalid');
type V<T> = T | undefined | typeof INVALID;

/** The configured (not yet defaulted) global values. */
export interface CheckedGlobals {
  architecture: V<RepodArchitecture>;
  databaseCompression: V<RepodCompression>;
  buildRequirementsExist: V<boolean>;
  archiving: V<RepodArchiving | boolean>;
  managementRepo: V<RepodManagementRepo>;
  packagePool: V<string>;
  sourcePool: V<string>;
  packageVerification: V<RepodPackageVerification>;
  syncdb: { descVersion: RepodDescVersion; filesVersion: RepodFilesVersion } | typeof INVALID;
  /** `undefined`: no repository configured (or an empty list). */
  repositories: CheckedRepository[] | undefined | typeof INVALID;
}

/** One `[[repositories]]` entry after the per-repository checks. */
export interface CheckedRepository {
  index: number;
  /** The normalised name, or a placeholder when the name is missing or invalid. */
  displayName: string;
  /** False when any of the repository's own keys failed. */
  ok: boolean;
  name: string;
  architecture: RepodArchitecture | undefined;
  databaseCompression: RepodCompression | undefined;
  buildRequirementsExist: boolean | undefined;
  archiving: RepodArchiving | boolean | undefined;
  managementRepo: RepodManagementRepo | undefined;
  packagePool: string | undefined;
  sourcePool: string | undefined;
  group: number | undefined;
  packageUrlValidation: RepodUrlValidation | undefined;
  layers: Partial<Record<(typeof LAYER_KEYS)[number], string>>;
}

/** Inputs of validation beyond the data itself. */
export interface ValidateContext {
  /** The home directory for `~` in archive paths (undefined: `~` cannot be expanded). */
  home: string | undefined;
}

/** Check every key of the merged configuration object. */
export function checkSettings(raw: Record<string, unknown>, c: Collector, ctx: ValidateContext): CheckedGlobals {
  for (const key of Object.keys(raw)) {
    if (!(TOP_LEVEL_KEYS as readonly string[]).includes(key)) c.add('unknown-key', [key], 'extra fields not permitted');
  }
  const g: CheckedGlobals = {
    architecture: field(raw, 'architecture', c, (v) => toEnum(v, REPOD_ARCHITECTURES), 'enum'),
    databaseCompression: field(raw, 'database_compression', c, (v) => toEnum(v, REPOD_COMPRESSIONS), 'enum'),
    buildRequirementsExist: field(raw, 'build_requirements_exist', c, toBool, 'type'),
    archiving: has(raw, 'archiving') ? checkArchiving(raw['archiving'], ['archiving'], c, ctx) : undefined,
    managementRepo: has(raw, 'management_repo') ? checkManagementRepo(raw['management_repo'], ['management_repo'], c) : undefined,
    packagePool: has(raw, 'package_pool') ? checkPath(raw['package_pool'], ['package_pool'], c) : undefined,
    sourcePool: has(raw, 'source_pool') ? checkPath(raw['source_pool'], ['source_pool'], c) : undefined,
    packageVerification: field(raw, 'package_verification', c, (v) => toEnum(v, REPOD_PACKAGE_VERIFICATIONS), 'enum'),
    syncdb: checkSyncDb(raw, c),
    repositories: undefined,
  };
  if (has(raw, 'repositories')) {
    const list = raw['repositories'];
    if (!Array.isArray(list)) {
      c.add('type', ['repositories'], 'value is not a valid list');
      g.repositories = INVALID;
    } else if (list.length > 0) {
      g.repositories = list.map((entry, i) => checkRepository(entry, i, c, ctx));
    }
  }
  return g;
}

function has(raw: Record<string, unknown>, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(raw, key);
}

function field<T>(
  raw: Record<string, unknown>,
  key: string,
  c: Collector,
  check: (v: unknown) => Checked<T>,
  rule: RepodRule,
  loc: readonly (string | number)[] = [key],
  repo?: { index: number; name: string },
): V<T> {
  if (!has(raw, key)) return undefined;
  const r = check(raw[key]);
  if (failed(r)) {
    c.add(rule, loc, r.fail, repo);
    return INVALID;
  }
  return r;
}

/** A path value; `..` components are refused (repokit deviation: repod never resolves them). */
function checkPath(v: unknown, loc: readonly (string | number)[], c: Collector, repo?: { index: number; name: string }): string | typeof INVALID {
  const p = toPath(v);
  if (failed(p)) {
    c.add('type', loc, p.fail, repo);
    return INVALID;
  }
  if (hasParentComponent(p)) {
    c.add('path', loc, `The path '${p}' can not contain '..' components (they would escape the base directory and defeat the uniqueness checks).`, repo);
    return INVALID;
  }
  return p;
}

function checkSyncDb(raw: Record<string, unknown>, c: Collector): CheckedGlobals['syncdb'] {
  const out = { descVersion: REPOD_DEFAULTS.descVersion as RepodDescVersion, filesVersion: REPOD_DEFAULTS.filesVersion as RepodFilesVersion };
  if (!has(raw, 'syncdb_settings')) return out;
  const t = raw['syncdb_settings'];
  if (!isTable(t)) {
    c.add('type', ['syncdb_settings'], 'value is not a valid dict');
    return INVALID;
  }
  let ok = true;
  for (const key of Object.keys(t)) {
    if (key !== 'desc_version' && key !== 'files_version') c.warn(['syncdb_settings', key], 'unknown key (ignored, as by repod)');
  }
  const d = field(t, 'desc_version', c, (v) => toIntEnum(v, REPOD_DESC_VERSIONS), 'enum', ['syncdb_settings', 'desc_version']);
  const f = field(t, 'files_version', c, (v) => toIntEnum(v, REPOD_FILES_VERSIONS), 'enum', ['syncdb_settings', 'files_version']);
  if (d === INVALID || f === INVALID) ok = false;
  if (d !== undefined && d !== INVALID) out.descVersion = d;
  if (f !== undefined && f !== INVALID) out.filesVersion = f;
  return ok ? out : INVALID;
}

/** `archiving`: true, false, or a table `{packages, sources}` of absolute paths (`~` expanded). */
function checkArchiving(
  v: unknown,
  loc: readonly (string | number)[],
  c: Collector,
  ctx: ValidateContext,
  repo?: { index: number; name: string },
): RepodArchiving | boolean | typeof INVALID {
  if (isTable(v)) {
    for (const key of Object.keys(v)) {
      if (key !== 'packages' && key !== 'sources') c.warn([...loc, key], 'unknown key (ignored, as by repod)', repo);
    }
    const packages = archivePath(v, 'packages', loc, c, ctx, repo);
    const sources = archivePath(v, 'sources', loc, c, ctx, repo);
    if (packages === INVALID || sources === INVALID) return INVALID;
    return { packages, sources };
  }
  const b = toBool(v);
  if (failed(b)) {
    c.add('type', loc, 'value is neither a boolean nor a table {packages = "...", sources = "..."}', repo);
    return INVALID;
  }
  return b;
}

function archivePath(
  t: Record<string, unknown>,
  key: 'packages' | 'sources',
  loc: readonly (string | number)[],
  c: Collector,
  ctx: ValidateContext,
  repo?: { index: number; name: string },
): string | typeof INVALID {
  const at = [...loc, key];
  if (!has(t, key)) {
    c.add('missing', at, 'field required', repo);
    return INVALID;
  }
  const p0 = checkPath(t[key], at, c, repo);
  if (p0 === INVALID) return INVALID;
  let p = p0;
  if (p.startsWith('~')) {
    const parsed = parsePath(p);
    if (parsed.parts[0] !== '~' || ctx.home === undefined) {
      // `~user` would need the password database; a missing home cannot be expanded either.
      c.add('archive', at, `The archive path can not be expanded to an absolute path: ${p}`, repo);
      return INVALID;
    }
    p = joinPath(ctx.home, ...parsed.parts.slice(1));
  }
  if (!isAbsolutePath(p)) {
    c.add('archive', at, 'The archive path must be absolute!', repo);
    return INVALID;
  }
  return p;
}

/** `[management_repo]`: `directory` (required), `url` (https, or ssh with a user), `json_dumps_option`. */
function checkManagementRepo(
  v: unknown,
  loc: readonly (string | number)[],
  c: Collector,
  repo?: { index: number; name: string },
): RepodManagementRepo | typeof INVALID {
  if (!isTable(v)) {
    c.add('type', loc, 'value is not a valid dict', repo);
    return INVALID;
  }
  for (const key of Object.keys(v)) {
    if (!['directory', 'url', 'json_dumps_option', 'json_dumps'].includes(key)) c.warn([...loc, key], 'unknown key (ignored, as by repod)', repo);
  }
  let ok = true;
  let directory: string | typeof INVALID = INVALID;
  if (!has(v, 'directory')) {
    c.add('missing', [...loc, 'directory'], 'field required', repo);
    ok = false;
  } else {
    directory = checkPath(v['directory'], [...loc, 'directory'], c, repo);
    if (directory === INVALID) ok = false;
  }
  let url: string | null = null;
  if (has(v, 'url')) {
    const u = parseUrl(v['url'], false);
    if (failed(u)) {
      c.add('url', [...loc, 'url'], u.fail, repo);
      ok = false;
    } else if (u.scheme !== 'https' && u.scheme !== 'ssh') {
      c.add('url', [...loc, 'url'], `The scheme '${u.scheme}' of the url (${u.text}) is not valid (must be one of ${pyListRepr(['https', 'ssh'])})`, repo);
      ok = false;
    } else if (u.scheme === 'ssh' && u.user === undefined) {
      c.add('url', [...loc, 'url'], `When using ssh a user is required (but none is provided): '${u.text}'`, repo);
      ok = false;
    } else url = u.text;
  }
  // repokit deviation: the man page documents `json_dumps`, the model reads `json_dumps_option`;
  // both spellings are honoured (repod ignores `json_dumps`).
  let json: number = REPOD_DEFAULTS.jsonDumpsOption;
  const spellings = ['json_dumps_option', 'json_dumps'].filter((k) => has(v, k));
  const values: number[] = [];
  for (const k of spellings) {
    const n = toInt(v[k]);
    if (failed(n)) {
      c.add('type', [...loc, k], n.fail, repo);
      ok = false;
    } else values.push(n);
  }
  if (values.length === 2 && values[0] !== values[1]) {
    c.add('type', [...loc, 'json_dumps'], `json_dumps (${values[1]}) and json_dumps_option (${values[0]}) are two spellings of one setting and disagree; keep one`, repo);
    ok = false;
  }
  if (values.length > 0) json = values[0]!;
  if (!ok || directory === INVALID) return INVALID;
  return { directory, url, jsonDumpsOption: json };
}

function checkUrlValidation(
  v: unknown,
  loc: readonly (string | number)[],
  c: Collector,
  repo: { index: number; name: string },
): RepodUrlValidation | typeof INVALID {
  if (!isTable(v)) {
    c.add('type', loc, 'value is not a valid dict', repo);
    return INVALID;
  }
  for (const key of Object.keys(v)) {
    if (key !== 'urls' && key !== 'tls_required') c.warn([...loc, key], 'unknown key (ignored, as by repod)', repo);
  }
  let ok = true;
  const urls: { text: string; scheme: string }[] = [];
  if (!has(v, 'urls')) {
    c.add('missing', [...loc, 'urls'], 'field required', repo);
    ok = false;
  } else if (!Array.isArray(v['urls'])) {
    c.add('type', [...loc, 'urls'], 'value is not a valid list', repo);
    ok = false;
  } else {
    v['urls'].forEach((u: unknown, i: number) => {
      const p = parseUrl(u, true);
      if (failed(p)) {
        c.add('url', [...loc, 'urls', i], p.fail, repo);
        ok = false;
      } else urls.push(p);
    });
  }
  let tls: boolean | undefined;
  if (!has(v, 'tls_required')) {
    c.add('missing', [...loc, 'tls_required'], 'field required', repo);
    ok = false;
  } else {
    const b = toBool(v['tls_required']);
    if (failed(b)) {
      c.add('type', [...loc, 'tls_required'], b.fail, repo);
      ok = false;
    } else tls = b;
  }
  if (tls === true) {
    urls.forEach((u, i) => {
      if (u.scheme !== 'https') {
        c.add('url', [...loc, 'urls', i], `The url ${u.text} requires TLS, but its scheme is ${u.scheme}!`, repo);
        ok = false;
      }
    });
  }
  if (!ok || tls === undefined) return INVALID;
  return { urls: urls.map((u) => u.text), tlsRequired: tls };
}

/** A repository name or layer name: a path whose last component follows repod's name rule. */
function checkName(v: unknown, loc: readonly (string | number)[], c: Collector, repo: { index: number; name: string }): string | typeof INVALID {
  const p = toPath(v);
  if (failed(p)) {
    c.add('type', loc, p.fail, repo);
    return INVALID;
  }
  const problem = checkRepoName(p);
  if (problem !== undefined) {
    c.add('name', loc, problem, repo);
    return INVALID;
  }
  if (hasParentComponent(p)) {
    // repokit deviation: repod checks only the last component and accepts `../evil`.
    c.add('path', loc, `The package repository name '${p}' can not contain '..' components (it would escape the base directory).`, repo);
    return INVALID;
  }
  return p;
}

const LAYER_LABEL: Record<RepodLayer, string> = {
  stable: 'stable repository',
  debug: 'stable debug repository',
  staging: 'staging repository',
  staging_debug: 'staging debug repository',
  testing: 'testing repository',
  testing_debug: 'testing debug repository',
};
// As the subject of the pairwise rule repod calls the debug layer "debug repository".
const LAYER_SUBJECT: Record<RepodLayer, string> = { ...LAYER_LABEL, debug: 'debug repository' };

/** A repository with nothing configured yet (every setting absent, no layers). */
export function emptyCheckedRepository(index: number, displayName: string, name: string, ok: boolean): CheckedRepository {
  return {
    index,
    displayName,
    ok,
    name,
    architecture: undefined,
    databaseCompression: undefined,
    buildRequirementsExist: undefined,
    archiving: undefined,
    managementRepo: undefined,
    packagePool: undefined,
    sourcePool: undefined,
    group: undefined,
    packageUrlValidation: undefined,
    layers: {},
  };
}

function checkRepository(entry: unknown, index: number, c: Collector, ctx: ValidateContext): CheckedRepository {
  const base = ['repositories', index] as const;
  const before = c.violations.length;
  const out = emptyCheckedRepository(index, `#${index}`, '', false);
  if (!isTable(entry)) {
    c.add('type', base, 'value is not a valid dict', { index, name: out.displayName });
    return out;
  }
  if (typeof entry['name'] === 'string') out.displayName = normalizePath(entry['name']);
  const repo = { index, name: out.displayName };
  for (const key of Object.keys(entry)) {
    if (!REPOSITORY_KEYS.has(key)) c.warn([...base, key], 'unknown key (ignored, as by repod)', repo);
  }
  if (!has(entry, 'name')) c.add('missing', [...base, 'name'], 'field required', repo);
  else {
    const n = checkName(entry['name'], [...base, 'name'], c, repo);
    if (n !== INVALID) out.name = n;
  }
  const val = <T>(x: V<T>): T | undefined => (x === INVALID ? undefined : x);
  out.architecture = val(field(entry, 'architecture', c, (v) => toEnum(v, REPOD_ARCHITECTURES), 'enum', [...base, 'architecture'], repo));
  out.databaseCompression = val(field(entry, 'database_compression', c, (v) => toEnum(v, REPOD_COMPRESSIONS), 'enum', [...base, 'database_compression'], repo));
  out.buildRequirementsExist = val(field(entry, 'build_requirements_exist', c, toBool, 'type', [...base, 'build_requirements_exist'], repo));
  if (has(entry, 'archiving')) out.archiving = val(checkArchiving(entry['archiving'], [...base, 'archiving'], c, ctx, repo));
  if (has(entry, 'management_repo')) out.managementRepo = val(checkManagementRepo(entry['management_repo'], [...base, 'management_repo'], c, repo));
  if (has(entry, 'package_pool')) out.packagePool = val(checkPath(entry['package_pool'], [...base, 'package_pool'], c, repo));
  if (has(entry, 'source_pool')) out.sourcePool = val(checkPath(entry['source_pool'], [...base, 'source_pool'], c, repo));
  if (has(entry, 'group')) {
    const g = toInt(entry['group']);
    if (failed(g)) c.add('type', [...base, 'group'], g.fail, repo);
    else if (g <= 0) c.add('type', [...base, 'group'], 'ensure this value is greater than 0', repo);
    else out.group = g;
  }
  if (has(entry, 'package_url_validation')) {
    out.packageUrlValidation = val(checkUrlValidation(entry['package_url_validation'], [...base, 'package_url_validation'], c, repo));
  }
  const layersOk: boolean[] = [];
  for (const key of LAYER_KEYS) {
    if (!has(entry, key)) continue;
    const n = checkName(entry[key], [...base, key], c, repo);
    if (n === INVALID) layersOk.push(false);
    else out.layers[key] = n;
  }
  const namesOk = out.name !== '' && !layersOk.includes(false);
  if (namesOk) checkLayers(out, base, c, repo);
  out.ok = c.violations.length === before;
  return out;
}

/** Layer dependencies (rules 1-4) and the pairwise equality/nesting of the configured names (rule 5). */
function checkLayers(r: CheckedRepository, base: readonly (string | number)[], c: Collector, repo: { index: number; name: string }): void {
  const L = r.layers;
  if (L.staging_debug !== undefined && L.staging === undefined) {
    c.add('layer', [...base, 'staging_debug'], 'A staging debug repository can not exist without a staging repository!', repo);
  }
  if (L.testing_debug !== undefined && L.testing === undefined) {
    c.add('layer', [...base, 'testing_debug'], 'A testing debug repository can not exist without a testing repository!', repo);
  }
  if ((L.staging_debug !== undefined || L.testing_debug !== undefined) && L.debug === undefined) {
    c.add('layer', [...base, L.staging_debug !== undefined ? 'staging_debug' : 'testing_debug'], 'A testing or staging debug repository can not exist without a stable debug repository!', repo);
  }
  if (L.debug !== undefined && ((L.staging !== undefined && L.staging_debug === undefined) || (L.testing !== undefined && L.testing_debug === undefined))) {
    c.add(
      'layer',
      [...base, L.staging !== undefined && L.staging_debug === undefined ? 'staging' : 'testing'],
      'A testing or staging debug repository must exist if staging or testing are used and a stable debug repository is present!',
      repo,
    );
  }
  const present: [RepodLayer, string][] = [['stable', r.name]];
  for (const k of LAYER_KEYS) if (L[k] !== undefined) present.push([k, L[k]]);
  const seenEqual = new Set<string>();
  for (const [a, pa] of present) {
    for (const [b, pb] of present) {
      if (a === b) continue;
      const key = a === 'stable' ? 'name' : a;
      if (pa === pb) {
        const pair = [a, b].sort().join('|');
        if (seenEqual.has(pair)) continue;
        seenEqual.add(pair);
        c.add('layer', [...base, key], `The ${LAYER_SUBJECT[a]} directory '${pa}' can not be the same as the ${LAYER_LABEL[b]} directory '${pb}'.`, repo);
      } else if (isWithin(pa, pb)) {
        c.add('layer', [...base, key], `The ${LAYER_SUBJECT[a]} directory '${pa}' can not reside in the ${LAYER_LABEL[b]} directory '${pb}'.`, repo);
      }
    }
  }
}
