/**
 * The one error family repokit throws for bad input.
 *
 * Every decoder failure is a {@link RepokitError} with a stable `code` (see {@link ERROR_CODES}),
 * a message a person can act on, and where it applies the byte `offset` (or `line`/`column` for
 * text formats) and the `file` it came from. Anything else escaping a decoder is a bug.
 */

import { SHARED_ERROR_CODES } from './codes/shared.js';
import { RPM_ERROR_CODES } from './codes/rpm.js';
import { ARCHIVE_ERROR_CODES } from './codes/archive.js';
import { ALPM_ERROR_CODES } from './codes/alpm.js';
import { ALPM_DB_ERROR_CODES } from './codes/alpm-db.js';
import { XBPS_ERROR_CODES } from './codes/xbps.js';
import { XBPS_REPO_ERROR_CODES } from './codes/xbps-repo.js';
import { APTRPM_ERROR_CODES } from './codes/aptrpm.js';
import { REPOD_ERROR_CODES } from './codes/repod.js';
import { FORGE_ERROR_CODES } from './codes/forge.js';

/**
 * Every error code repokit uses, with a one-line meaning (docs/errors.md lists the same, in this
 * order). Each area keeps its codes in its own file under ./codes.
 */
export const ERROR_CODES = {
  ...SHARED_ERROR_CODES,
  ...RPM_ERROR_CODES,
  ...ARCHIVE_ERROR_CODES,
  ...ALPM_ERROR_CODES,
  ...ALPM_DB_ERROR_CODES,
  ...XBPS_ERROR_CODES,
  ...XBPS_REPO_ERROR_CODES,
  ...APTRPM_ERROR_CODES,
  ...REPOD_ERROR_CODES,
  ...FORGE_ERROR_CODES,
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export interface RepokitErrorDetails {
  /** Byte offset in the input where the problem is (absolute, from the start of the file or buffer). */
  offset?: number | undefined;
  /** 1-based line for text formats. */
  line?: number | undefined;
  /** 1-based column for text formats. */
  column?: number | undefined;
  /** File path, when the input came from one. */
  file?: string | undefined;
  /** The underlying error, if any. */
  cause?: unknown;
}

const BRAND = Symbol.for('repokit.error');

export class RepokitError extends Error {
  readonly code: ErrorCode;
  readonly offset: number | undefined;
  readonly line: number | undefined;
  readonly column: number | undefined;
  file: string | undefined;
  /** The message without the position/file suffix. */
  readonly detail: string;

  constructor(code: ErrorCode, detail: string, details: RepokitErrorDetails = {}) {
    super(formatMessage(detail, details), details.cause === undefined ? undefined : { cause: details.cause });
    // A non-enumerable name keeps JSON dumps of the error focused on its data.
    Object.defineProperty(this, 'name', { value: 'RepokitError', enumerable: false, configurable: true });
    Object.defineProperty(this, BRAND, { value: true, enumerable: false });
    this.code = code;
    this.detail = detail;
    this.offset = details.offset;
    this.line = details.line;
    this.column = details.column;
    this.file = details.file;
  }

  /** Attach the file name after the fact (readers learn it at the edge). */
  withFile(file: string): this {
    if (this.file === undefined) {
      this.file = file;
      this.message = formatMessage(this.detail, this);
    }
    return this;
  }

  /** `code`, `message` (the detail) and whichever of `offset`, `line`, `column`, `file` are set. */
  toJSON(): Record<string, unknown> {
    const out: Record<string, unknown> = { code: this.code, message: this.detail };
    if (this.offset !== undefined) out['offset'] = this.offset;
    if (this.line !== undefined) out['line'] = this.line;
    if (this.column !== undefined) out['column'] = this.column;
    if (this.file !== undefined) out['file'] = this.file;
    return out;
  }
}

function formatMessage(detail: string, d: RepokitErrorDetails): string {
  const where: string[] = [];
  if (d.line !== undefined) where.push(d.column !== undefined ? `line ${d.line}, column ${d.column}` : `line ${d.line}`);
  if (d.offset !== undefined) where.push(`at byte ${d.offset}`);
  let msg = detail;
  if (where.length > 0) msg += ` (${where.join(', ')})`;
  if (d.file !== undefined) msg = `${d.file}: ${msg}`;
  return msg;
}

/**
 * True for errors thrown by any copy of repokit (checked structurally, so it also works when two
 * copies of the package are loaded, where `instanceof` would not).
 */
export function isRepokitError(e: unknown): e is RepokitError {
  return typeof e === 'object' && e !== null && (e as Record<symbol, unknown>)[BRAND] === true;
}
