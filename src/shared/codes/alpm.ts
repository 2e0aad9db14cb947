/** Error codes of the ALPM codecs (`repokit/alpm`). Each needs a section in docs/errors.md. */
export const ALPM_ERROR_CODES = {
  ALPM_BAD_DESC: 'A desc or depends database entry is malformed.',
  ALPM_BAD_FILES: 'A files database entry is malformed.',
  ALPM_BAD_PKGINFO: 'A .PKGINFO file is malformed.',
  ALPM_BAD_BUILDINFO: 'A .BUILDINFO file is malformed.',
  ALPM_BAD_DEPENDENCY: 'A dependency, provision, conflict or optional-dependency expression is malformed.',
  ALPM_BAD_VERSION: 'A package version is not of the form [epoch:]pkgver-pkgrel.',
  ALPM_BAD_FILENAME: 'A package file name is not of the form name-[epoch:]pkgver-pkgrel-arch.pkg.tar[.ext].',
  ALPM_BAD_ENTRY_NAME: 'A database entry directory name cannot be split into package name and version.',
  ALPM_ENCODE: 'A value cannot be written without changing what a reader sees.',
} as const;
