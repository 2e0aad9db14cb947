/** Error codes of the shared plumbing (inputs, limits, I/O). */
export const SHARED_ERROR_CODES = {
  TRUNCATED: 'The input ended before a structure it announced was complete.',
  LIMIT_EXCEEDED: 'A size or count in the input is larger than the configured limit.',
  INVALID_ARGUMENT: 'The caller passed an option or value the API does not accept.',
  IO_ERROR: 'Reading or writing a file or stream failed.',
  ABORTED: 'The operation was cancelled through its AbortSignal.',
} as const;
