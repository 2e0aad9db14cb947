/**
 * `repokit/validate`: what a file is, by its content, and strict validation of every format
 * repokit reads (RPM, pacman packages, sync databases and their entries, .PKGINFO/.BUILDINFO, xbps
 * packages, repodata and plists, apt-rpm pkglists, srclists and releases, repod.conf).
 */
export { detectFileKind, detectUncompressedKind, DETECT_HEAD_BYTES, FILE_KINDS, type FileKind } from './detect.js';
export {
  validateBytes,
  validatePath,
  VALIDATE_PROBLEM_CODES,
  VALIDATE_MAX_FILE_SIZE,
  VALIDATABLE_KINDS,
  type ValidateOptions,
  type ValidatePathOptions,
  type ValidationProblem,
  type ValidationProblemCode,
  type ValidationResult,
  type ValidationSeverity,
} from './validate.js';
