/**
 * `repokit/xbps` (work in progress).
 */
export {};
