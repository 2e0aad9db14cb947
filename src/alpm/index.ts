/**
 * `repokit/alpm` (work in progress).
 */
export {};
