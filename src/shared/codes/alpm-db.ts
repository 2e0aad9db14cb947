/** Error codes of ALPM packages and sync databases (`repokit/alpm`). Each needs a section in docs/errors.md. */
export const ALPM_DB_ERROR_CODES = {
  ALPM_BAD_PACKAGE: 'A file is not a pacman package: its archive has no .PKGINFO member.',
  ALPM_BAD_SIGNATURE: 'A detached package signature cannot be embedded: it is ASCII-armored or larger than 16 KiB.',
  ALPM_BAD_DB_PATH: 'A path does not name a sync database archive (<repo>.db.tar[.<compression>]).',
  ALPM_OLDER_VERSION: 'The database holds a newer version of a package being added, and downgrades were not allowed.',
  ALPM_NOT_IN_DB: 'A package to remove has no entry in the database.',
  ALPM_DB_SIGN_FAILED: 'Signing a new database archive failed, or gave no binary OpenPGP signature; nothing was written.',
  ALPM_DB_BAD_SIGNATURE: "The existing database's detached signature does not verify (repo-add -v); nothing was written.",
} as const;
