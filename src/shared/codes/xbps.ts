/** Error codes of the XBPS codecs (`repokit/xbps`). Each needs a section in docs/errors.md. */
export const XBPS_ERROR_CODES = {
} as const;
