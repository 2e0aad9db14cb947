/**
 * `repokit/repod`: Arch Linux repod's configuration (repod.conf) — finding and reading the files
 * as repod does, the settings model with its defaults and every validation rule, and the
 * resolution of every repository's directories. The core is pure (runs in browsers); only
 * `loadRepodConfig`, `findRepodConfigFiles`, `checkRepodConfigFiles` and
 * `createRepodDirectories` touch the file system.
 */
export {
  REPOD_ARCHITECTURES,
  REPOD_COMPRESSIONS,
  REPOD_DEFAULTS,
  REPOD_DESC_VERSIONS,
  REPOD_FILES_VERSIONS,
  REPOD_LAYERS,
  REPOD_PACKAGE_VERIFICATIONS,
  repodBaseDirs,
  type RepodArchitecture,
  type RepodArchiving,
  type RepodBaseDirs,
  type RepodCompression,
  type RepodConfig,
  type RepodDescVersion,
  type RepodFilesVersion,
  type RepodLayer,
  type RepodLayerDirs,
  type RepodManagementRepo,
  type RepodMode,
  type RepodPackageVerification,
  type RepodRepository,
  type RepodRule,
  type RepodUrlValidation,
  type RepodViolation,
} from './model.js';
export {
  RepodConfigError,
  checkRepodConfig,
  checkRepodData,
  formatViolation,
  mergeRepodFiles,
  parseRepodToml,
  resolveRepodConfig,
  type RepodCheckResult,
  type RepodConfigSource,
  type ResolveRepodOptions,
} from './config.js';
export { findRepodRepository, repodLayerDirs, repodStabilityPaths } from './lookup.js';
export { repodSyncDbOptions, syncDbCompression, type RepodSyncDbOptions, type SyncDbCompression } from './syncdb.js';
export { repodConfigToJson, type RepodConfigJson, type RepodRepositoryJson } from './json.js';
export {
  REPOD_MAX_CONFIG_SIZE,
  checkRepodConfigFiles,
  createRepodDirectories,
  findRepodConfigFiles,
  loadRepodConfig,
  repodConfigLocations,
  repodDirectories,
  type LoadRepodOptions,
} from './fs.js';
export { normalizePath as normalizeRepodPath } from './path.js';
