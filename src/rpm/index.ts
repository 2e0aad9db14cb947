/**
 * repokit/rpm — RPM package files and header blobs.
 *
 * Reading: {@link readRpm} (path, buffer, Node or web stream), {@link readRpmSync}, {@link parseRpm};
 * headers alone: {@link parseHeader}. Typed data: {@link rpmMetadata} and the per-field helpers.
 * Writing: {@link encodeHeader}. Versions: {@link rpmvercmp}, {@link compareEvr}.
 */
export * from './types.js';
export * from './tags.js';
export {
  Header,
  parseHeader,
  checkHeaderIntro,
  decodeEntry,
  SIGNATURE_HEADER_LIMITS,
  MAIN_HEADER_LIMITS,
  HEADER_MAX_BYTES,
  MAX_ARRAY_COUNT,
  type HeaderEntry,
  type HeaderKind,
  type HeaderLimits,
  type HeaderRegion,
  type ParseHeaderOptions,
  type RpmProfile,
} from './header.js';
export {
  RpmPackage,
  parseLead,
  parseRpm,
  readRpm,
  readRpmSync,
  rpmReadSteps,
  type ReadRpmOptions,
  type RpmLead,
  type RpmOffsets,
} from './package.js';
export * from './metadata.js';
export * from './json.js';
export * from './encode.js';
export * from './version.js';
export * from './digest.js';
