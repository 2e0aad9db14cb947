/** Error codes of repod.conf loading (`repokit/repod`). Each needs a section in docs/errors.md. */
export const REPOD_ERROR_CODES = {
} as const;
