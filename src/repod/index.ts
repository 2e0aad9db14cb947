/**
 * `repokit/repod` (work in progress).
 */
export {};
