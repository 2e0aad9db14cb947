/**
 * Stage 3 of loading: repositories are completed with the global values, every directory of every
 * layer is resolved as repod does, and the global rules run over the result: resolved
 * directories unique and not nested (pools and archives may be shared), and groups sharing their
 * base directories.
 */
import {
  REPOD_DEFAULTS,
  REPOD_LAYERS,
  type RepodArchiving,
  type RepodBaseDirs,
  type RepodConfig,
  type RepodLayer,
  type RepodLayerDirs,
  type RepodManagementRepo,
  type RepodMode,
  type RepodRepository,
  type RepodViolation,
} from './model.js';
import { baseName, isAbsolutePath, isWithin, joinPath, parentPath } from './path.js';
import { INVALID, emptyCheckedRepository, type CheckedGlobals, type CheckedRepository, type Collector } from './validate.js';

/** The archive directories of a mode (what `archiving = true` means). */
export function defaultArchiving(base: RepodBaseDirs): RepodArchiving {
  return { packages: base.packageArchive, sources: base.sourceArchive };
}

/**
 * Resolve the checked settings into a configuration. Returns undefined when anything is invalid
 * (the violations are in the collector); global rules still run over the valid repositories so
 * that all problems are reported at once.
 */
export function resolveSettings(
  g: CheckedGlobals,
  c: Collector,
  mode: RepodMode,
  base: RepodBaseDirs,
  files: readonly string[],
): RepodConfig | undefined {
  if (
    g.architecture === INVALID ||
    g.databaseCompression === INVALID ||
    g.buildRequirementsExist === INVALID ||
    g.archiving === INVALID ||
    g.managementRepo === INVALID ||
    g.packagePool === INVALID ||
    g.sourcePool === INVALID ||
    g.packageVerification === INVALID ||
    g.syncdb === INVALID ||
    g.repositories === INVALID
  ) {
    // The repositories depend on the broken global values: their own problems are already listed.
    return undefined;
  }
  const archiving = g.archiving === undefined || g.archiving === true ? defaultArchiving(base) : g.archiving === false ? null : g.archiving;
  const managementRepo: RepodManagementRepo = g.managementRepo ?? {
    directory: joinPath(base.managementRepo, REPOD_DEFAULTS.name),
    url: null,
    jsonDumpsOption: REPOD_DEFAULTS.jsonDumpsOption,
  };
  const config: RepodConfig = {
    mode,
    baseDirs: base,
    architecture: g.architecture ?? REPOD_DEFAULTS.architecture,
    databaseCompression: g.databaseCompression ?? REPOD_DEFAULTS.databaseCompression,
    buildRequirementsExist: g.buildRequirementsExist ?? REPOD_DEFAULTS.buildRequirementsExist,
    archiving,
    managementRepo,
    packagePool: joinPath(base.packagePool, g.packagePool ?? REPOD_DEFAULTS.name),
    sourcePool: joinPath(base.sourcePool, g.sourcePool ?? REPOD_DEFAULTS.name),
    packageVerification: g.packageVerification ?? null,
    syncdb: g.syncdb,
    repositories: [],
    files: [...files],
    warnings: [],
  };
  // repokit deviation: without [[repositories]] the `default` repository is an ordinary
  // repository named "default", so the global architecture, management_repo and pools apply to
  // it (repod builds it with hard-coded values that ignore them).
  const isDefault = g.repositories === undefined;
  const checked: CheckedRepository[] = g.repositories ?? [defaultRepository()];
  let allOk = true;
  for (const r of checked) {
    if (!r.ok) {
      allOk = false;
      continue;
    }
    const resolved = consolidate(r, config, base, isDefault);
    noteOwnKeys(resolved, r);
    config.repositories.push(resolved);
  }
  checkOverlaps(config.repositories, c, isDefault);
  checkGroups(config.repositories, c);
  return allOk && c.violations.length === 0 ? config : undefined;
}

function defaultRepository(): CheckedRepository {
  return emptyCheckedRepository(0, REPOD_DEFAULTS.name, REPOD_DEFAULTS.name, true);
}

function consolidate(r: CheckedRepository, g: RepodConfig, base: RepodBaseDirs, isDefault: boolean): RepodRepository {
  const arch = r.architecture ?? g.architecture;
  let archiving: RepodArchiving | null;
  if (r.archiving === false) archiving = null;
  else if (r.archiving === undefined) archiving = g.archiving;
  // repokit deviation: repod crashes on `archiving = true` below a global `archiving = false`;
  // the repository gets the mode's default archive directories instead.
  else if (r.archiving === true) archiving = g.archiving ?? defaultArchiving(base);
  else archiving = r.archiving;
  const mgmt = r.managementRepo ?? g.managementRepo;
  const layerDirs = (configured: string): RepodLayerDirs => ({
    configured,
    packageRepo: joinPath(base.packageRepo, configured, arch),
    sourceRepo: joinPath(base.sourceRepo, configured, arch),
    managementRepo: joinPath(base.managementRepo, mgmt.directory, arch, isAbsolutePath(configured) ? baseName(configured) : configured),
  });
  const layers: RepodRepository['layers'] = { stable: layerDirs(r.name) };
  for (const layer of REPOD_LAYERS) {
    if (layer === 'stable') continue;
    const v = r.layers[layer];
    if (v !== undefined) layers[layer] = layerDirs(v);
  }
  return {
    index: r.index,
    name: r.name,
    architecture: arch,
    databaseCompression: r.databaseCompression ?? g.databaseCompression,
    buildRequirementsExist: r.buildRequirementsExist ?? g.buildRequirementsExist,
    group: r.group ?? null,
    archiving,
    managementRepo: mgmt,
    packageUrlValidation: r.packageUrlValidation ?? null,
    packagePoolDir: r.packagePool === undefined ? g.packagePool : joinPath(base.packagePool, r.packagePool),
    sourcePoolDir: r.sourcePool === undefined ? g.sourcePool : joinPath(base.sourcePool, r.sourcePool),
    layers,
    isDefault,
  };
}

// --- uniqueness and nesting -------------------------------------------------------------------

interface Entry {
  dir: string;
  repo: RepodRepository;
  /** Where the value comes from: a key of the repository, or a global key. */
  loc: (string | number)[];
}

interface Kind {
  /** The label used when this kind is compared against (repod's wording). */
  label: string;
  /** The label used when this kind is the subject (repod says "debug repository" there). */
  subject: string;
  entries: Entry[];
}

const LAYER_WORD: Record<RepodLayer, string> = {
  stable: 'stable',
  debug: 'stable debug',
  staging: 'staging',
  staging_debug: 'staging debug',
  testing: 'testing',
  testing_debug: 'testing debug',
};

function layerKey(layer: RepodLayer): string {
  return layer === 'stable' ? 'name' : layer;
}

/**
 * repod's `ensure_non_overlapping_repositories`, reporting every violation instead of the first:
 * the same kinds, in the same order, with the same messages; an equality found from both sides
 * and identical messages are reported once.
 */
function checkOverlaps(repos: readonly RepodRepository[], c: Collector, isDefault: boolean): void {
  const repoLoc = (r: RepodRepository, key: string): (string | number)[] => (isDefault ? [key] : ['repositories', r.index, key]);
  const ownOr = (r: RepodRepository, key: 'package_pool' | 'source_pool' | 'archiving', own: boolean): (string | number)[] =>
    own && !isDefault ? ['repositories', r.index, key] : [key];
  const mgmt = REPOD_LAYERS.map((layer): Kind => {
    const label = `${LAYER_WORD[layer]} management repository`;
    return {
      label,
      subject: label,
      entries: repos.flatMap((r) => {
        const d = r.layers[layer];
        return d === undefined ? [] : [{ dir: d.managementRepo, repo: r, loc: repoLoc(r, layerKey(layer)) }];
      }),
    };
  });
  const pkg = REPOD_LAYERS.map((layer): Kind => ({
    label: `${LAYER_WORD[layer]} repository`,
    subject: layer === 'debug' ? 'debug repository' : `${LAYER_WORD[layer]} repository`,
    entries: repos.flatMap((r) => {
      const d = r.layers[layer];
      return d === undefined ? [] : [{ dir: d.packageRepo, repo: r, loc: repoLoc(r, layerKey(layer)) }];
    }),
  }));
  const packagePool: Kind = {
    label: 'package pool',
    subject: 'package pool',
    entries: repos.map((r) => ({ dir: r.packagePoolDir, repo: r, loc: ownOr(r, 'package_pool', ownPool(r, 'package')) })),
  };
  const sourcePool: Kind = {
    label: 'source pool',
    subject: 'source pool',
    entries: repos.map((r) => ({ dir: r.sourcePoolDir, repo: r, loc: ownOr(r, 'source_pool', ownPool(r, 'source')) })),
  };
  const withArchive = repos.filter((r) => r.archiving !== null);
  // repokit deviation (label only): repod names source archive directories "package archive"
  // when they are the other side of a comparison.
  const packageArchive: Kind = {
    label: 'package archive',
    subject: 'package archive',
    entries: withArchive.map((r) => ({ dir: r.archiving!.packages, repo: r, loc: ownOr(r, 'archiving', ownArchive.has(r)) })),
  };
  const sourceArchive: Kind = {
    label: 'source archive',
    subject: 'source archive',
    entries: withArchive.map((r) => ({ dir: r.archiving!.sources, repo: r, loc: ownOr(r, 'archiving', ownArchive.has(r)) })),
  };
  const pools = [packagePool, sourcePool];
  const archives = [packageArchive, sourceArchive];
  const seen = new Set<string>();
  const others = (list: Kind[], self: Kind): Kind[] => list.filter((k) => k !== self);
  for (const k of mgmt) check(k, [...others(mgmt, k), ...archives, ...pools, ...pkg], false, c, seen);
  check(packageArchive, [sourceArchive, ...mgmt, ...pkg, ...pools], true, c, seen);
  check(packagePool, [sourcePool, ...archives, ...mgmt, ...pkg], true, c, seen);
  check(sourceArchive, [packageArchive, ...mgmt, ...pkg, ...pools], true, c, seen);
  check(sourcePool, [packagePool, ...archives, ...mgmt, ...pkg], true, c, seen);
  for (const k of pkg) check(k, [...others(pkg, k), ...archives, ...mgmt, ...pools], false, c, seen);
}

// Which repositories set their own pools/archiving is only needed to point at the right key.
const ownArchive = new WeakSet<RepodRepository>();
const ownPools = new WeakMap<RepodRepository, { package: boolean; source: boolean }>();

function ownPool(r: RepodRepository, which: 'package' | 'source'): boolean {
  return ownPools.get(r)?.[which] ?? false;
}

/** Remember which keys a repository set itself (for violation locations). */
function noteOwnKeys(r: RepodRepository, checked: CheckedRepository): void {
  if (checked.archiving !== undefined) ownArchive.add(r);
  ownPools.set(r, { package: checked.packagePool !== undefined, source: checked.sourcePool !== undefined });
}

function check(subject: Kind, options: readonly Kind[], dupOk: boolean, c: Collector, seen: Set<string>): void {
  const report = (e: Entry, msg: string, dedupe: string, other?: Entry): void => {
    if (seen.has(dedupe)) return;
    seen.add(dedupe);
    const v = c.add('overlap', e.loc, msg, { index: e.repo.index, name: e.repo.name });
    if (other !== undefined) v.related = relatedOf(other);
  };
  const es = subject.entries;
  if (!dupOk) {
    const dupes = es.filter((e) => es.filter((o) => o.dir === e.dir).length > 1);
    if (dupes.length > 0) {
      const first = dupes[0]!;
      const second = dupes.find((d) => d !== first && d.dir === first.dir) ?? first;
      report(second, `Duplicate ${subject.subject} directories detected: ${dupes.map((d) => d.dir).join(', ')}`, `dup|${subject.subject}`, first);
    }
  }
  for (const e of es) {
    for (const o of es) {
      if (o.dir !== e.dir && isWithin(e.dir, o.dir)) {
        const msg = `The ${subject.subject} directory '${e.dir}' can not reside in the ${subject.subject} directory '${o.dir}'.`;
        report(e, msg, msg, o);
      }
    }
  }
  for (const e of es) {
    for (const opt of options) {
      for (const o of opt.entries) {
        if (o.dir === e.dir) {
          const msg = `The ${subject.subject} directory '${e.dir}' can not be the same as the ${opt.label} directory '${o.dir}'.`;
          report(e, msg, `same|${[subject.label, opt.label].sort().join('|')}|${e.dir}`, o);
        } else if (isWithin(e.dir, o.dir)) {
          const msg = `The ${subject.subject} directory '${e.dir}' can not reside in the ${opt.label} directory '${o.dir}'.`;
          report(e, msg, msg, o);
        }
      }
    }
  }
}

function relatedOf(e: Entry): NonNullable<RepodViolation['related']> {
  return { index: e.repo.index, name: e.repo.name, key: e.loc.map((p) => (typeof p === 'number' ? `[${p}]` : p)).join('.').replace(/\.\[/g, '[') };
}

// --- groups -----------------------------------------------------------------------------------

/** repod's group rules: members share the management parent, the package repository base and both pool bases. */
function checkGroups(repos: readonly RepodRepository[], c: Collector): void {
  const groups = new Map<number, RepodRepository[]>();
  for (const r of repos) {
    if (r.group === null) continue;
    const list = groups.get(r.group) ?? [];
    list.push(r);
    groups.set(r.group, list);
  }
  for (const [group, members] of groups) {
    const names = members.map((r) => r.name).join(', ');
    const layersOf = (r: RepodRepository): RepodLayerDirs[] => REPOD_LAYERS.flatMap((l) => (r.layers[l] === undefined ? [] : [r.layers[l]]));
    const rules: [string, (r: RepodRepository) => string[]][] = [
      ['management repository', (r) => layersOf(r).map((d) => parentPath(d.managementRepo))],
      ['package repository base directory', (r) => layersOf(r).map((d) => parentPath(parentPath(d.packageRepo)))],
      ['package pool base directory', (r) => [parentPath(r.packagePoolDir)]],
      ['source pool base directory', (r) => [parentPath(r.sourcePoolDir)]],
    ];
    for (const [what, dirsOf] of rules) {
      const first = members[0]!;
      const reference = dirsOf(first)[0]!;
      const odd = members.find((r) => dirsOf(r).some((d) => d !== reference));
      if (odd !== undefined) {
        c.add('group', ['repositories', odd.index, 'group'], `The repositories in group ${group} do not share the same ${what}: ${names}`, {
          index: odd.index,
          name: odd.name,
        });
      }
    }
  }
}
