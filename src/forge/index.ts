/**
 * `repokit/forge` (work in progress).
 */
export {};
