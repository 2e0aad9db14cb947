/**
 * `repokit/xbps`: the proplib plist dialect, props/files, pkgver and cmpver (codecs.ts), and
 * .xbps packages and repodata (repository.ts).
 */
export * from './codecs.js';
export * from './repository.js';
