/**
 * repokit — codecs for Linux package-repository formats.
 *
 * The root entry re-exports every format's API, the Repository facade, the validator and the
 * shared error type. Import a subpath (`repokit/rpm`, ...) to load only one format.
 */
export { RepokitError, isRepokitError, ERROR_CODES, type ErrorCode, type RepokitErrorDetails } from './shared/errors.js';
export type { ByteInput } from './shared/input.js';
export * as rpm from './rpm/index.js';
export * as alpm from './alpm/index.js';
export * as xbps from './xbps/index.js';
export * as aptrpm from './aptrpm/index.js';
export * as repod from './repod/index.js';
export * as forge from './forge/index.js';
export * as repository from './repository/index.js';
export * as validate from './validate/index.js';
// The two cross-format entry points are also top-level names: `import { Repository } from 'repokit'`.
export { Repository } from './repository/index.js';
export { detectFileKind, validateBytes, validatePath } from './validate/index.js';
