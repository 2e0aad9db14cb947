/** Error codes of compression, tar archives, atomic writes and locks (`src/shared`). Each needs a section in docs/errors.md. */
export const ARCHIVE_ERROR_CODES = {
} as const;
