/** Error codes of forge URL computation (`repokit/forge`). Each needs a section in docs/errors.md. */
export const FORGE_ERROR_CODES = {
} as const;
