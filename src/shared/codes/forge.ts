/** Error codes of forge URL computation (`repokit/forge`). Each needs a section in docs/errors.md. */
export const FORGE_ERROR_CODES = {
  FORGE_NO_REF: 'The source has no version, tag, commit or branch to fetch.',
  FORGE_BAD_URL: 'The forge URL has no scheme or no path after the host.',
  FORGE_URL_MISMATCH: 'The forge URL does not have the shape its forge requires.',
  FORGE_COMMIT_REQUIRED: 'A Bitbucket source was given without a commit.',
  FORGE_BAD_MACRO: 'A value could not be expanded as rpm macro text (unterminated or recursive macro).',
  FORGE_LUA_ERROR: 'A repository name used as a Lua pattern is malformed, as it is in the macros.',
} as const;
