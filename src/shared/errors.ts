/**
 * The one error family repokit throws for bad input.
 *
 * Every decoder failure is a {@link RepokitError} with a stable `code` (see {@link ERROR_CODES}),
 * a message a person can act on, and where it applies the byte `offset` (or `line`/`column` for
 * text formats) and the `file` it came from. Anything else escaping a decoder is a bug.
 */

/** Every error code repokit uses, with a one-line meaning (docs/errors.md lists the same). */
export const ERROR_CODES = {
  // Shared plumbing
  TRUNCATED: 'The input ended before a structure it announced was complete.',
  LIMIT_EXCEEDED: 'A size or count in the input is larger than the configured limit.',
  INVALID_ARGUMENT: 'The caller passed an option or value the API does not accept.',
  IO_ERROR: 'Reading or writing a file or stream failed.',
  // RPM package framing
  RPM_BAD_LEAD: 'The 96-byte lead is missing or does not start with the RPM magic ED AB EE DB.',
  RPM_BAD_HEADER_MAGIC: 'A header does not start with the magic 8E AD E8 01 00 00 00 00.',
  RPM_BAD_PADDING: 'The padding after the signature header is not zero (strict profile).',
  RPM_SIZE_MISMATCH: 'The file size disagrees with the SIZE/LONGSIZE signature tag (strict profile).',
  // RPM header structure
  RPM_BAD_REGION: 'The region tag, its trailer or its bounds are inconsistent.',
  RPM_NO_REGION: 'The header has no region tag (legacy v3 layout) and the profile does not accept that.',
  RPM_BAD_ENTRY: 'An index entry has a bad tag, type, count, offset or alignment.',
  RPM_BAD_DATA: 'Entry data is not where or what the index says (overlap, missing NUL, bad packing).',
  RPM_BAD_TAG_TYPE: 'A known tag is stored with a type rpm does not accept for it.',
  RPM_BAD_SIGNATURE_TAG: 'A signature-header tag has the wrong type, size or content.',
  RPM_DUPLICATE_TAG: 'A tag occurs twice or tags are unsorted (strict profile).',
  RPM_BAD_STRING: 'A string is not valid UTF-8 or not printable where the profile requires it (strict profile).',
  RPM_INCONSISTENT: 'Related tags disagree (dependency triplets, file arrays, directory indexes).',
  RPM_MISSING_TAG: 'A tag required for the requested value is absent.',
  RPM_ENCODE: 'A header cannot be encoded from the given entries.',
  RPM_BAD_VERSION: 'A version or EVR string cannot be parsed.',
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
