/**
 * The repod.conf settings model: value sets, defaults, base directories and the shapes of a loaded
 * configuration. Pure data; no I/O.
 */

/** CPU architectures repod accepts (`ArchitectureEnum`), in repod's order. */
export const REPOD_ARCHITECTURES = [
  'aarch64', 'any', 'arm', 'armv6h', 'armv7h', 'i486', 'i686', 'pentium4',
  'riscv32', 'riscv64', 'x86_64', 'x86_64_v2', 'x86_64_v3', 'x86_64_v4',
] as const;
export type RepodArchitecture = (typeof REPOD_ARCHITECTURES)[number];

/**
 * `database_compression` values: the file suffix of the database tarball (`''` = uncompressed,
 * `.db.tar`). Spellings such as `zstd`, `gzip` or `none` are rejected, as by repod.
 */
export const REPOD_COMPRESSIONS = ['', 'bz2', 'gz', 'xz', 'zst'] as const;
export type RepodCompression = (typeof REPOD_COMPRESSIONS)[number];

/** `package_verification` values. */
export const REPOD_PACKAGE_VERIFICATIONS = ['pacman-key'] as const;
export type RepodPackageVerification = (typeof REPOD_PACKAGE_VERIFICATIONS)[number];

/** repod's own sync-database desc versions (NOT ALPM's numbering: repod's v2 drops %PGPSIG%). */
export const REPOD_DESC_VERSIONS = [1, 2] as const;
export type RepodDescVersion = (typeof REPOD_DESC_VERSIONS)[number];
/** repod's files versions. */
export const REPOD_FILES_VERSIONS = [1] as const;
export type RepodFilesVersion = (typeof REPOD_FILES_VERSIONS)[number];

/** The stability layers of a repository; `stable` is the repository's `name`, the others are keys. */
export const REPOD_LAYERS = ['stable', 'debug', 'staging', 'staging_debug', 'testing', 'testing_debug'] as const;
export type RepodLayer = (typeof REPOD_LAYERS)[number];

/** Per-user configuration (`UserSettings`, repod's default) or system-wide (`SystemSettings`). */
export type RepodMode = 'user' | 'system';

/** Defaults (repod's `defaults.py`). */
export const REPOD_DEFAULTS = {
  architecture: 'any',
  databaseCompression: 'gz',
  buildRequirementsExist: true,
  name: 'default',
  /** orjson OPT_INDENT_2 | OPT_APPEND_NEWLINE | OPT_SORT_KEYS. */
  jsonDumpsOption: 1057,
  descVersion: 1,
  filesVersion: 1,
} as const;

/** The absolute base directories relative values are joined to, for one mode. */
export interface RepodBaseDirs {
  managementRepo: string;
  packagePool: string;
  packageRepo: string;
  sourcePool: string;
  sourceRepo: string;
  packageArchive: string;
  sourceArchive: string;
}

/**
 * The base directories of a mode. System mode lives under `/var/lib/repod`; user mode under
 * `<stateHome>/repod`, where `stateHome` is `$XDG_STATE_HOME` (or `~/.local/state`).
 */
export function repodBaseDirs(mode: RepodMode, stateHome?: string): RepodBaseDirs {
  const root = mode === 'system' ? '/var/lib/repod' : `${stripSlash(stateHome ?? '')}/repod`;
  return {
    managementRepo: `${root}/management`,
    packagePool: `${root}/data/pool/package`,
    packageRepo: `${root}/data/repo/package`,
    sourcePool: `${root}/data/pool/source`,
    sourceRepo: `${root}/data/repo/source`,
    packageArchive: `${root}/archive/package`,
    sourceArchive: `${root}/archive/source`,
  };
}

function stripSlash(s: string): string {
  return s.replace(/\/+$/, '');
}

/** Where archived packages and sources go (both absolute). */
export interface RepodArchiving {
  packages: string;
  sources: string;
}

/** The management repository table: a directory (kept as configured, may be relative), an optional VCS url. */
export interface RepodManagementRepo {
  directory: string;
  url: string | null;
  jsonDumpsOption: number;
}

/** `package_url_validation`: source URLs of packages must start with one of `urls`. */
export interface RepodUrlValidation {
  urls: string[];
  tlsRequired: boolean;
}

/** The resolved directories of one stability layer of a repository. */
export interface RepodLayerDirs {
  /** The configured value (`name` for stable), normalised like a path. */
  configured: string;
  packageRepo: string;
  sourceRepo: string;
  managementRepo: string;
}

/** One repository after defaults are applied and directories resolved. */
export interface RepodRepository {
  /** Position in the configuration's `repositories` list (0 for the automatic `default`). */
  index: number;
  /** The configured name, normalised like a path (may be relative with several components, or absolute). */
  name: string;
  architecture: RepodArchitecture;
  databaseCompression: RepodCompression;
  buildRequirementsExist: boolean;
  group: number | null;
  /** `null` when archiving is disabled for this repository. */
  archiving: RepodArchiving | null;
  managementRepo: RepodManagementRepo;
  packageUrlValidation: RepodUrlValidation | null;
  packagePoolDir: string;
  sourcePoolDir: string;
  /** Only the configured layers are present; `stable` always is. */
  layers: Partial<Record<RepodLayer, RepodLayerDirs>> & { stable: RepodLayerDirs };
  /** True for the repository repokit created because none was configured. */
  isDefault: boolean;
}

/** A loaded, valid configuration. */
export interface RepodConfig {
  mode: RepodMode;
  baseDirs: RepodBaseDirs;
  architecture: RepodArchitecture;
  databaseCompression: RepodCompression;
  buildRequirementsExist: boolean;
  archiving: RepodArchiving | null;
  managementRepo: RepodManagementRepo;
  /** Absolute global pool directories (the defaults of repositories without their own). */
  packagePool: string;
  sourcePool: string;
  packageVerification: RepodPackageVerification | null;
  syncdb: { descVersion: RepodDescVersion; filesVersion: RepodFilesVersion };
  repositories: RepodRepository[];
  /** The configuration files that were read, in merge order. */
  files: string[];
  /** Things repod accepts silently but that are probably mistakes (unknown keys inside tables). */
  warnings: RepodViolation[];
}

/** Which rule a violation breaks. */
export type RepodRule =
  | 'unknown-key'
  | 'missing'
  | 'type'
  | 'enum'
  | 'name'
  | 'path'
  | 'layer'
  | 'url'
  | 'archive'
  | 'overlap'
  | 'group'
  | 'environment';

/** One problem in a configuration. */
export interface RepodViolation {
  rule: RepodRule;
  /** Where, as pydantic spells it: `repositories -> 0 -> staging`. */
  loc: string;
  /** What is wrong (repod's own text where repod has one). */
  msg: string;
  /** The file the offending key came from (absent for defaults, overrides and the environment). */
  file?: string;
  /** Where the value came from when not from a file: `environment variable ARCHITECTURE`, `overrides`, `default`. */
  source?: string;
  /** The repository concerned, by position and name. */
  repository?: { index: number; name: string };
  /** The key, dotted: `repositories[0].staging`, `management_repo.url`. */
  key?: string;
  /** For overlaps: the other repository and key involved. */
  related?: { index: number; name: string; key: string };
}
