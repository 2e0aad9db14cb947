/** Error codes of the ALPM codecs (`repokit/alpm`). Each needs a section in docs/errors.md. */
export const ALPM_ERROR_CODES = {
} as const;
