/** Error codes of the apt-rpm codecs (`repokit/aptrpm`). Each needs a section in docs/errors.md. */
export const APTRPM_ERROR_CODES = {
  APTRPM_BAD_PKGLIST: 'A pkglist or srclist is not a sequence of RPM header blobs that apt can read.',
  APTRPM_BAD_RELEASE: 'A release file is not a stanza of fields, or a checksum block is malformed.',
  APTRPM_INVALID_PACKAGE: 'A file is not a package of the kind the index needs (a readable binary or source RPM).',
  APTRPM_DUPLICATE_PACKAGE: 'The repository already holds a package file with that name.',
  APTRPM_PACKAGE_NOT_FOUND: 'The repository holds no package file with that name.',
  APTRPM_BAD_NAME: 'An architecture, component or package file name cannot be used as a directory or file name.',
} as const;
