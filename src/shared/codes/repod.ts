/** Error codes of repod.conf loading (`repokit/repod`). Each needs a section in docs/errors.md. */
export const REPOD_ERROR_CODES = {
  REPOD_TOML_SYNTAX: 'A repod configuration file is not valid TOML.',
  REPOD_INVALID_CONFIG: 'A repod configuration breaks one or more rules; every violation is listed.',
  REPOD_CONFIG_FILE: 'The configuration file given explicitly does not exist or is not a regular file.',
  REPOD_UNKNOWN_REPOSITORY: 'No configured repository matches the requested name and architecture, or the name alone is ambiguous.',
  REPOD_NO_LAYER: 'The repository has no directory for the requested stability layer.',
} as const;
