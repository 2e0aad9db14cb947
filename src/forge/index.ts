/**
 * `repokit/forge`: Fedora's forge macros (`%forgemeta` of forge-srpm-macros) in TypeScript. From
 * a project's forge URL and a version, tag, commit or branch, compute the Source URL, archive
 * name, `%setup` arguments and snapshot suffix exactly as the macros do. Pure: runs in browsers.
 */
export {
  computeForge,
  forgeMacros,
  FORGE_VARIABLES,
  type ForgeInput,
  type ForgeMacrosOptions,
  type ForgeResult,
  type ForgeValues,
  type ForgeVariable,
} from './compute.js';
export { FORGE_IDS, URL_SHAPES, type ForgeId } from './forges.js';
