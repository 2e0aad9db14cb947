/**
 * Line splitting shared by the ALPM text decoders: bytes or a string in, lines with their
 * 1-based numbers out, with libalpm's limits (512 KiB lines) and its treatment of NUL.
 */
import { isValidUtf8 } from '../shared/bytes.js';
import { RepokitError } from '../shared/errors.js';
import type { IssueList } from './validate.js';
import { argString } from './args.js';

/** libalpm's line buffer size (`_alpm_archive_fgets`): longer lines make it fail. */
export const MAX_LINE_LENGTH = 512 * 1024;

const lenientUtf8 = new TextDecoder('utf-8', { fatal: false });

export interface SplitText {
  lines: string[];
  /** False when the last line had no `\n` (or the text was empty). */
  endsWithNewline: boolean;
}

export interface SplitOptions {
  strict: boolean;
  issues: IssueList;
  maxLineLength: number;
  what: string;
}

/**
 * Decode (bytes: UTF-8, invalid sequences replaced, which is reported) and split at `\n`. A NUL
 * also ends a line, as in libalpm's reader; `\r` is kept (libalpm does not strip it). Lines
 * longer than `maxLineLength` throw LIMIT_EXCEEDED in tolerant mode (libalpm gives up there) and
 * are a problem in strict mode.
 */
export function splitLines(input: string | Uint8Array, o: SplitOptions): SplitText {
  let text: string;
  if (typeof input === 'string') {
    text = input;
  } else if (input instanceof Uint8Array) {
    text = lenientUtf8.decode(input);
    if (text.includes('\uFFFD') && !isValidUtf8(input)) {
      o.issues.add(`${o.what} is not valid UTF-8 (invalid bytes were replaced by U+FFFD)`);
    }
  } else {
    throw new RepokitError('INVALID_ARGUMENT', `${o.what}: expected a string or Uint8Array`);
  }
  if (text.includes('\0')) {
    const before = text.slice(0, text.indexOf('\0'));
    const line = countLines(before);
    o.issues.add('NUL byte (libalpm ends the line there)', line, undefined, before.length - before.lastIndexOf('\n'));
    text = text.replace(/\0/g, '\n');
  }
  const lines = text.split('\n');
  const endsWithNewline = lines.length > 1 && lines[lines.length - 1] === '';
  if (lines[lines.length - 1] === '') lines.pop();
  for (let i = 0; i < lines.length; i++) {
    if (lines[i]!.length > o.maxLineLength) {
      const msg = `line is longer than ${o.maxLineLength} characters`;
      if (!o.strict) throw new RepokitError('LIMIT_EXCEEDED', `${o.what}: ${msg}`, { line: i + 1 });
      o.issues.add(msg, i + 1);
      lines[i] = lines[i]!.slice(0, 64);
    }
  }
  return { lines, endsWithNewline };
}

function countLines(s: string): number {
  let n = 1;
  for (let i = s.indexOf('\n'); i >= 0; i = s.indexOf('\n', i + 1)) n++;
  return n;
}

/** True when `s` has a C0 control character or DEL (other than TAB when `allowTab`). */
export function hasControl(s: string, allowTab = false): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if ((c < 0x20 && !(allowTab && c === 9)) || c === 0x7f) return true;
  }
  return false;
}

/** Compare strings by Unicode code point, which is the byte order of their UTF-8 (`LC_ALL=C sort`). */
export function compareCodePoints(a: string, b: string): number {
  if (typeof a !== 'string' || typeof b !== 'string') argString(typeof a !== 'string' ? a : b, 'a compared value');
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    // Surrogates (astral code points) sort after every BMP character in code point order.
    const xs = x >= 0xd800 && x <= 0xdfff;
    const ys = y >= 0xd800 && y <= 0xdfff;
    if (xs !== ys) return xs ? 1 : -1;
    return x - y;
  }
  return a.length - b.length;
}
