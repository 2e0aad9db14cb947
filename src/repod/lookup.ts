/**
 * Finding a repository and its directories in a loaded configuration, as repod's `get_repo`,
 * `get_repo_path` and `get_management_repo_stability_paths` do.
 */
import { RepokitError } from '../shared/errors.js';
import type { RepodArchitecture, RepodConfig, RepodLayer, RepodLayerDirs, RepodRepository } from './model.js';
import { normalizePath } from './path.js';
import { pyListRepr } from './values.js';

const LAYER_WORDS: Record<RepodLayer, string> = {
  stable: 'stable',
  debug: 'debug',
  staging: 'staging',
  staging_debug: 'staging debug',
  testing: 'testing',
  testing_debug: 'testing debug',
};

/**
 * The repository with this name (compared as a path: `core/` is `core`) and, when given, this
 * architecture. Without an architecture the name must be unique. Throws `REPOD_UNKNOWN_REPOSITORY`.
 */
export function findRepodRepository(config: RepodConfig, name: string, architecture?: RepodArchitecture): RepodRepository {
  const wanted = normalizePath(name);
  const matches = config.repositories.filter((r) => r.name === wanted);
  if (architecture === undefined && matches.length > 1) {
    throw new RepokitError(
      'REPOD_UNKNOWN_REPOSITORY',
      `Specifying only a name (${wanted}) but no architecture while several repositories of the same name ` +
        `(${pyListRepr(matches.map((r) => `${r.name} (${r.architecture})`))}) exist, would yield ambivalent results.`,
    );
  }
  const hit = matches.find((r) => architecture === undefined || r.architecture === architecture);
  if (hit === undefined) {
    throw new RepokitError(
      'REPOD_UNKNOWN_REPOSITORY',
      `Unable to find '${wanted}' ${architecture === undefined ? '' : `(${architecture})`} in the available repositories (${pyListRepr(config.repositories.map((r) => r.name))})`,
    );
  }
  return hit;
}

/** The directories of one layer of a repository; throws `REPOD_NO_LAYER` when the layer is not configured. */
export function repodLayerDirs(repo: RepodRepository, layer: RepodLayer = 'stable'): RepodLayerDirs {
  if (layer === 'staging_debug' && repo.layers.staging === undefined) noLayer(repo, 'staging');
  if (layer === 'testing_debug' && repo.layers.testing === undefined) noLayer(repo, 'testing');
  const dirs = repo.layers[layer];
  if (dirs === undefined) noLayer(repo, layer);
  return dirs;
}

function noLayer(repo: RepodRepository, layer: RepodLayer): never {
  throw new RepokitError('REPOD_NO_LAYER', `The repository ${repo.name} does not have a ${LAYER_WORDS[layer]} repository!`);
}

/**
 * The management directories of the layers above and below `layer` (repod uses them to keep
 * versions ordered between stable, testing and staging). Throws `REPOD_NO_LAYER`.
 */
export function repodStabilityPaths(repo: RepodRepository, layer: RepodLayer): { above: string[]; below: string[] } {
  const L = repo.layers;
  const m = (l: RepodLayer): string[] => (L[l] === undefined ? [] : [L[l].managementRepo]);
  const need = (l: RepodLayer): void => {
    if (L[l] === undefined) {
      throw new RepokitError('REPOD_NO_LAYER', `The repository ${repo.name} (${repo.architecture}) has no ${LAYER_WORDS[l]} repository!`);
    }
  };
  switch (layer) {
    case 'stable':
      return { above: [...m('staging'), ...m('testing')], below: [] };
    case 'debug':
      need('debug');
      return { above: [...(L.staging ? m('staging_debug') : []), ...(L.testing ? m('testing_debug') : [])], below: [] };
    case 'staging':
      need('staging');
      return { above: [], below: [...m('stable'), ...m('testing')] };
    case 'staging_debug':
      need('debug');
      need('staging');
      return { above: [], below: [...m('debug'), ...(L.testing ? m('testing_debug') : [])] };
    case 'testing':
      need('testing');
      return { above: m('staging'), below: m('stable') };
    case 'testing_debug':
      need('debug');
      need('testing');
      return { above: L.staging ? m('staging_debug') : [], below: m('debug') };
  }
}
