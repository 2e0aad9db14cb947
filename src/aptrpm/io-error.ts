/**
 * The one IO_ERROR wrapper of the apt-rpm edge modules (scan, reader, repository): a Node system
 * error becomes `cannot <syscall>: <what> (<CODE>)` with the path in `file` (the path is not
 * repeated in the message). src/shared keeps its own copies private; this avoids a fourth.
 */
import { RepokitError, isRepokitError } from '../shared/errors.js';

/** `e` (a Node system error, or what a worker reported of one) as an IO_ERROR naming `file`. */
export function ioError(e: unknown, file: string): RepokitError {
  if (isRepokitError(e)) return e;
  const sys = (e ?? {}) as { code?: unknown; syscall?: unknown; message?: unknown };
  let msg = typeof sys.message === 'string' ? sys.message : String(e);
  if (typeof sys.code === 'string' && typeof sys.syscall === 'string') {
    // "ENOENT: no such file or directory, open 'x.rpm'" -> "cannot open: no such file or directory (ENOENT)"
    msg = `cannot ${sys.syscall}: ${msg.replace(/^[A-Z0-9_]+: /, '').replace(/, [a-z_]+ '.*'$/s, '')} (${sys.code})`;
  }
  return new RepokitError('IO_ERROR', msg, { file, cause: e });
}
