/**
 * repokit/repository — one typed entry point over the repository writers of every format:
 * `Repository.open({ format: 'alpm' | 'xbps' | 'aptrpm', dir, ... })`, then `add`, `remove`,
 * `packages`, `find` and `write` (atomic, under the format's lock, replaying the staged
 * operations onto the index as it is on disk). Needs Node (node:fs, node:worker_threads).
 */
export { Repository, type RepodRepositoryOptions } from './repository.js';
export { detectPackageKind, type PackageKind } from './detect.js';
export {
  Version,
  type RepositoryFormat,
  type PackageView,
  type Dependency,
  type DependencyOperator,
  type PackageDependencies,
  type PackageChecksums,
} from './view.js';
export type {
  AddOptions,
  AddResult,
  OpenOptions,
  OperationOptions,
  ProgressEvent,
  RemoveResult,
  SkipReason,
  WriteOptions,
  WriteResult,
} from './types.js';
