/**
 * Value checks shared by the model validation: pydantic-v1-style coercions (int, bool, enum,
 * path), Python's character classes for repository names, Python reprs for messages, and the URL
 * parsing pydantic's AnyUrl/HttpUrl do. Each returns a value or a message; nothing throws.
 */
import { baseName, normalizePath } from './path.js';

/** A failed check: the message and the rule family it belongs to. */
export interface Failure {
  fail: string;
}

export type Checked<T> = T | Failure;

export function failed<T>(v: Checked<T>): v is Failure {
  return typeof v === 'object' && v !== null && Object.prototype.hasOwnProperty.call(v, 'fail') && Object.keys(v).length === 1;
}

/** A plain table (TOML table / JSON object), not an array or a date. */
export function isTable(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}

/** pydantic's `int_validator`: ints, bools (as 0/1), floats (truncated) and decimal strings. */
export function toInt(v: unknown): Checked<number> {
  if (typeof v === 'number') {
    if (Number.isInteger(v)) return v;
    if (Number.isFinite(v)) return Math.trunc(v);
    return { fail: 'value is not a valid integer' };
  }
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'string' && /^\s*[+-]?\d+(?:_\d+)*\s*$/.test(v) && v.length <= 4300) return Number(v.replace(/_/g, '').trim());
  return { fail: 'value is not a valid integer' };
}

const BOOL_TRUE = new Set(['1', 'on', 't', 'true', 'y', 'yes']);
const BOOL_FALSE = new Set(['0', 'off', 'f', 'false', 'n', 'no']);

/** pydantic's `bool_validator`. */
export function toBool(v: unknown): Checked<boolean> {
  if (typeof v === 'boolean') return v;
  if (v === 1 || v === 0) return v === 1;
  if (typeof v === 'string') {
    const s = v.toLowerCase();
    if (BOOL_TRUE.has(s)) return true;
    if (BOOL_FALSE.has(s)) return false;
  }
  return { fail: 'value could not be parsed to a boolean' };
}

/** Python's repr() of a str, as it appears inside repod's messages. */
export function pyRepr(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (ch === '\\') out += '\\\\';
    else if (ch === quote) out += `\\${quote}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0)) out += `\\x${cp.toString(16).padStart(2, '0')}`;
    else if (/[\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}]/u.test(ch) || (/\p{Z}/u.test(ch) && ch !== ' ')) {
      out += cp <= 0xff ? `\\x${cp.toString(16).padStart(2, '0')}` : cp <= 0xffff ? `\\u${cp.toString(16).padStart(4, '0')}` : `\\U${cp.toString(16).padStart(8, '0')}`;
    } else out += ch;
  }
  return out + quote;
}

/** Python's repr() of a list of str. */
export function pyListRepr(items: readonly string[]): string {
  return `[${items.map(pyRepr).join(', ')}]`;
}

/** Enum membership with pydantic's message listing the permitted values. */
export function toEnum<T extends string | number>(v: unknown, allowed: readonly T[]): Checked<T> {
  if ((allowed as readonly unknown[]).includes(v)) return v as T;
  const shown = allowed.map((a) => (typeof a === 'string' ? pyRepr(a) : String(a))).join(', ');
  return { fail: `value is not a valid enumeration member; permitted: ${shown}` };
}

/** An integer enumeration (`IntEnum`): pydantic coerces to int first ("2" is 2). */
export function toIntEnum<T extends number>(v: unknown, allowed: readonly T[]): Checked<T> {
  const n = toInt(v);
  if (failed(n)) return n;
  return toEnum(n, allowed);
}

/** A `Path` field: any string (normalised like PurePosixPath). */
export function toPath(v: unknown): Checked<string> {
  if (typeof v !== 'string') return { fail: 'value is not a valid path' };
  return normalizePath(v);
}

// --- repository names ------------------------------------------------------------------------

const EXTRA_DIGITS = /[\u00b2\u00b3\u00b9\u2070\u2074-\u2079\u2080-\u2089\u2460-\u2468\u2474-\u247c\u2488-\u2490\u24ea\u24f5-\u24fd\u24ff\u2776-\u277e\u2780-\u2788\u278a-\u2792\u1369-\u1371\u19da]/u;

/** Python `str.isdigit()` for one character (decimal digits plus the other Numeric_Type=Digit characters). */
function isDigit(ch: string): boolean {
  return /\p{Nd}/u.test(ch) || EXTRA_DIGITS.test(ch);
}

/** Python `str.isalnum()` for one character. */
function isAlnum(ch: string): boolean {
  return /[\p{L}\p{N}]/u.test(ch);
}

/** Python `str.islower()` for one character (a cased lowercase letter, e.g. `ö`). */
function isLower(ch: string): boolean {
  return /\p{Lowercase}/u.test(ch);
}

/**
 * repod's name rule, applied to the last path component only: not empty, not starting with `.`
 * or `-`, and only lowercase letters, digits, `_` and `-` (Unicode-aware, like Python).
 * `shown` is the whole normalised name, as repod prints it.
 */
export function checkRepoName(name: string): string | undefined {
  const last = baseName(name);
  if (last.length === 0) return 'The package repository can not be an empty string.';
  if (last.startsWith('.') || last.startsWith('-')) {
    return `The package repository name '${name}' can not start with any of '${pyListRepr(['.', '-'])}'.`;
  }
  const bad: string[] = [];
  for (const ch of last) {
    const ok = (isAlnum(ch) && (isDigit(ch) || isLower(ch))) || ch === '_' || ch === '-';
    if (!ok) bad.push(ch);
  }
  if (bad.length > 0) {
    return (
      `The package repository name '${name}' can not contain '${pyListRepr(bad)}' ` +
      `but must consist only of alphanumeric chars and any of '${pyListRepr(['_', '-'])}'.`
    );
  }
  return undefined;
}

// --- URLs ------------------------------------------------------------------------------------

/** The parts of a URL that the rules look at. */
export interface ParsedUrl {
  /** The URL as given (whitespace-trimmed), which is what repod prints and prefix-matches. */
  text: string;
  scheme: string;
  user: string | undefined;
  host: string;
}

const URL_RE =
  /^(?:([a-z][a-z0-9+\-.]+):)?(?:\/\/)?(?:([^\s:/]*)(?::([^\s/]*))?@)?(\[[0-9a-f:.]+\]|[^\s/:?#]+)?(?::(\d+))?(\/[^\s?#]*)?(?:\?([^\s#]*))?(?:#([^\s#]*))?/i;
const DOMAIN_RE = /^(?:[\p{L}\p{N}_](?:[\p{L}\p{N}_-]{0,61}[\p{L}\p{N}_])?\.)*[\p{L}\p{N}](?:[\p{L}\p{N}-]{0,61}[\p{L}\p{N}])?\.?$/u;
const IPV4_RE = /^(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)$/;

/**
 * Parse a URL the way pydantic v1's `AnyUrl` (`http: false`) or `HttpUrl` (`http: true`: scheme
 * http/https, a top-level domain required, at most 2083 characters) does, returning its messages.
 */
export function parseUrl(v: unknown, http: boolean): Checked<ParsedUrl> {
  if (typeof v !== 'string') return { fail: 'str type expected' };
  const text = v.trim();
  if (text.length === 0) return { fail: 'ensure this value has at least 1 characters' };
  if (http && text.length > 2083) return { fail: 'ensure this value has at most 2083 characters' };
  const m = URL_RE.exec(text);
  if (m === null) return { fail: 'invalid or missing URL scheme' };
  if (m[0].length !== text.length) return { fail: `URL invalid, extra characters found after valid URL: ${pyRepr(text.slice(m[0].length))}` };
  const scheme = m[1];
  if (scheme === undefined) return { fail: 'invalid or missing URL scheme' };
  if (http && !['http', 'https'].includes(scheme.toLowerCase())) return { fail: 'URL scheme not permitted' };
  const host = m[4];
  if (host === undefined) return { fail: 'URL host invalid' };
  if (!host.startsWith('[') && !IPV4_RE.test(host)) {
    if (!DOMAIN_RE.test(host)) return { fail: 'URL host invalid' };
    if (http) {
      const labels = host.replace(/\.$/, '').split('.');
      const tld = labels.length > 1 ? labels[labels.length - 1]! : '';
      if (!/^\p{L}{2,63}$/u.test(tld)) return { fail: 'URL host invalid, top level domain required' };
    }
  }
  return { text, scheme, user: m[2] === '' ? undefined : m[2], host };
}
