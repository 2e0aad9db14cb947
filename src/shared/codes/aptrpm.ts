/** Error codes of the apt-rpm codecs (`repokit/aptrpm`). Each needs a section in docs/errors.md. */
export const APTRPM_ERROR_CODES = {
} as const;
