/**
 * `repokit/alpm`: pacman's desc/depends/files, .PKGINFO/.BUILDINFO, vercmp (codecs.ts), and
 * packages and sync databases (database.ts).
 */
export * from './codecs.js';
export * from './database.js';
