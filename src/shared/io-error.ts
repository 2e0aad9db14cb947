/**
 * The one wrapper that turns a Node system error into repokit's IO_ERROR, for every edge module
 * (file sources, hashing, atomic writes, the areas' repository code).
 */
import { RepokitError, isRepokitError } from './errors.js';

/**
 * `e` (a Node system error, or what a worker reported of one) as an IO_ERROR naming `file`:
 * "ENOENT: no such file or directory, open 'x.rpm'" becomes "cannot open: no such file or
 * directory (ENOENT)", the path being in the error's `file` rather than repeated in the message.
 * A RepokitError passes through unchanged.
 */
export function ioError(e: unknown, file: string | undefined): RepokitError {
  if (isRepokitError(e)) return e;
  const sys = (e ?? {}) as { code?: unknown; syscall?: unknown; message?: unknown };
  let msg = typeof sys.message === 'string' ? sys.message : String(e);
  if (typeof sys.code === 'string' && typeof sys.syscall === 'string') {
    msg = `cannot ${sys.syscall}: ${msg.replace(/^[A-Z0-9_]+: /, '').replace(/, [a-z_]+ '.*'$/s, '')} (${sys.code})`;
  }
  return new RepokitError('IO_ERROR', msg, { file, cause: e });
}

/** The `code` of a Node system error (`'ENOENT'`, ...), if it has one. */
export function errno(e: unknown): string | undefined {
  const c = (e as { code?: unknown } | null)?.code;
  return typeof c === 'string' ? c : undefined;
}
