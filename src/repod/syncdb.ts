/**
 * What a loaded configuration means for writing a repository's ALPM sync databases: the
 * compression and the desc/files versions, in the option names the ALPM writer takes.
 */
import type { RepodArchitecture, RepodCompression, RepodConfig, RepodFilesVersion, RepodLayer } from './model.js';
import type { Compression } from '../shared/compression.js';
import { findRepodRepository, repodLayerDirs } from './lookup.js';

/** The compression names of repokit's plumbing (`Compression` of `src/shared/compression.ts`). */
export type SyncDbCompression = Compression;

/** Options for the ALPM sync-database writer. */
export interface RepodSyncDbOptions {
  compression: SyncDbCompression;
  /**
   * The ALPM desc layout (the writer's numbering: 1 writes `%MD5SUM%`, 2 drops it). Always 1:
   * both of repod's desc versions keep `%MD5SUM%` (repod's "2" is its v1 without `%PGPSIG%`,
   * which is `pgpsig: false`; see docs/repod.md).
   */
  descVersion: 1 | 2;
  filesVersion: RepodFilesVersion;
  /** Whether `%PGPSIG%` is written: repod's desc_version 1 keeps signatures, 2 drops them. */
  pgpsig: boolean;
}

const COMPRESSION: Record<RepodCompression, SyncDbCompression> = { '': 'none', bz2: 'bzip2', gz: 'gzip', xz: 'xz', zst: 'zstd' };

/** Map repod's `database_compression` (a file suffix) to the plumbing's compression name. */
export function syncDbCompression(c: RepodCompression): SyncDbCompression {
  return COMPRESSION[c];
}

/**
 * The sync-database writer options of one repository: its `database_compression` and the global
 * `[syncdb_settings]`. With `layer`, the layer must exist (all layers of a repository share these
 * values; the check catches typos). Throws `REPOD_UNKNOWN_REPOSITORY` or `REPOD_NO_LAYER`.
 */
export function repodSyncDbOptions(
  config: RepodConfig,
  name: string,
  options: { architecture?: RepodArchitecture; layer?: RepodLayer } = {},
): RepodSyncDbOptions {
  const repo = findRepodRepository(config, name, options.architecture);
  if (options.layer !== undefined) repodLayerDirs(repo, options.layer);
  return {
    compression: syncDbCompression(repo.databaseCompression),
    // repod's desc_version 1 and 2 both require %MD5SUM%: that is ALPM's layout 1.
    descVersion: 1,
    filesVersion: config.syncdb.filesVersion,
    pgpsig: config.syncdb.descVersion !== 2,
  };
}
