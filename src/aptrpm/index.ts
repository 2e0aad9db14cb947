/**
 * `repokit/aptrpm` (work in progress).
 */
export {};
