/** Error codes of compression, tar archives, atomic writes and locks (`src/shared`). Each needs a section in docs/errors.md. */
export const ARCHIVE_ERROR_CODES = {
  UNSUPPORTED_COMPRESSION: 'The data is compressed with a format repokit cannot decode or encode here.',
  CORRUPT_COMPRESSED_DATA: 'Compressed data is damaged: a bad header, bit stream or checksum.',
  TAR_BAD_HEADER: 'A tar header block is malformed: bad checksum, number field or extended header.',
  TAR_UNSAFE_PATH: 'A tar member name is absolute or has a .. component.',
  LOCKED: 'A lock file is held by another process.',
} as const;
