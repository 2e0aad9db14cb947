/**
 * The configuration as JSON in repod's own key names (the shape `repokit repod config --json`
 * prints): every repository with every resolved directory, the sync-db settings and the package
 * verification.
 */
import { REPOD_LAYERS, type RepodConfig, type RepodRepository } from './model.js';

/** One repository in repod's key names. */
export type RepodRepositoryJson = Record<string, unknown>;

/** The JSON document of a configuration. */
export interface RepodConfigJson {
  repositories: RepodRepositoryJson[];
  syncdb_settings: { desc_version: number; files_version: number };
  package_verification: string | null;
}

function repositoryToJson(r: RepodRepository): RepodRepositoryJson {
  const out: RepodRepositoryJson = {
    name: r.name,
    architecture: r.architecture,
    database_compression: r.databaseCompression,
    build_requirements_exist: r.buildRequirementsExist,
    group: r.group,
    archiving: r.archiving === null ? null : { packages: r.archiving.packages, sources: r.archiving.sources },
    management_repo: { directory: r.managementRepo.directory, url: r.managementRepo.url, json_dumps_option: r.managementRepo.jsonDumpsOption },
    package_url_validation: r.packageUrlValidation === null ? null : { urls: r.packageUrlValidation.urls, tls_required: r.packageUrlValidation.tlsRequired },
    package_pool_dir: r.packagePoolDir,
    source_pool_dir: r.sourcePoolDir,
  };
  for (const layer of REPOD_LAYERS) {
    const d = r.layers[layer];
    if (d === undefined) continue;
    out[`${layer}_repo_dir`] = d.packageRepo;
    out[`${layer}_source_repo_dir`] = d.sourceRepo;
    out[`${layer}_management_repo_dir`] = d.managementRepo;
  }
  return out;
}

/**
 * A configuration in repod's key names: `{repositories, syncdb_settings, package_verification}`;
 * each repository has name, architecture, database_compression, build_requirements_exist, group,
 * archiving, management_repo, package_url_validation, package_pool_dir, source_pool_dir and, per
 * configured layer L, `L_repo_dir`, `L_source_repo_dir` and `L_management_repo_dir`.
 */
export function repodConfigToJson(config: RepodConfig): RepodConfigJson {
  return {
    repositories: config.repositories.map(repositoryToJson),
    syncdb_settings: { desc_version: config.syncdb.descVersion, files_version: config.syncdb.filesVersion },
    package_verification: config.packageVerification,
  };
}
