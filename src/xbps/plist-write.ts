/**
 * The writer of proplib's XML property lists (`prop_dictionary_externalize`): for the same
 * values its output is byte-identical to what xbps writes.
 *
 * The dialect: a fixed two-line header plus `<plist version="1.0">`, one TAB per depth,
 * dictionary keys sorted bytewise (proplib keeps dictionaries sorted), arrays in order,
 * `<string/>` for the empty string, decimal integers, single-line base64, and only `&`, `<`, `>`
 * escaped. The output ends with `</plist>` and a newline.
 */
import { RepokitError } from '../shared/errors.js';
import type { PlistInput } from './types.js';
import { PLIST_INT64_MAX, PLIST_INT64_MIN, PLIST_UINT64_MAX, isPlistInteger } from './types.js';
import { PLIST_MAX_KEY_BYTES, utf8Length } from './plist-parse.js';

/** proplib's header, byte for byte (`_prop_object_externalize_header`). */
export const PLIST_HEADER =
  '<?xml version="1.0" encoding="UTF-8"?>\n' +
  '<!DOCTYPE plist PUBLIC "-//Apple Computer//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">\n' +
  '<plist version="1.0">\n';

/** proplib's footer (the NUL it appends in memory is never written to files). */
export const PLIST_FOOTER = '</plist>\n';

/** Options of {@link writePlist}. */
export interface WritePlistOptions {
  /** Deepest nesting written (guards against cycles and runaway structures). Default 512. */
  maxDepth?: number;
}

const encoder = new TextEncoder();

/**
 * Write a dictionary or array as proplib does, as UTF-8 bytes.
 *
 * @throws RepokitError `XBPS_PLIST_UNWRITABLE` for values proplib cannot represent or read back
 * (a NUL or a lone surrogate in a string, a key over 128 bytes, an integer outside 64 bits, a
 * non-integer number, empty `<data>`, a cycle, a root that is not a dict or array);
 * `LIMIT_EXCEEDED` past `maxDepth`.
 */
export function writePlist(value: PlistInput, options: WritePlistOptions = {}): Uint8Array {
  return encoder.encode(formatPlist(value, options));
}

/** {@link writePlist}, returning the text instead of its UTF-8 bytes. */
export function formatPlist(value: PlistInput, options: WritePlistOptions = {}): string {
  if (!(value instanceof Map) && !Array.isArray(value)) {
    unwritable(`the root of a plist must be a dict (Map) or an array, not ${describe(value)}`);
  }
  const w = new Writer(options.maxDepth ?? 512);
  w.value(value, 0);
  return PLIST_HEADER + w.out + PLIST_FOOTER;
}

function unwritable(detail: string): never {
  throw new RepokitError('XBPS_PLIST_UNWRITABLE', detail);
}

// TABs for each depth, built once.
const TABS: string[] = [''];
function tabs(depth: number): string {
  while (TABS.length <= depth) TABS.push(TABS[TABS.length - 1] + '\t');
  return TABS[depth]!;
}

// Characters needing attention: escaped ones, NUL, and surrogates (to reject lone ones).
const SPECIAL = /[&<>\0\uD800-\uDFFF]/;
const ESCAPED = /[&<>]/g;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function escapeText(s: string, what: string): string {
  if (!SPECIAL.test(s)) return s;
  if (s.includes('\0')) unwritable(`${what} contains a NUL character, which proplib's C strings cannot hold`);
  if (LONE_SURROGATE.test(s)) unwritable(`${what} contains a lone UTF-16 surrogate, which has no UTF-8 encoding`);
  return s.replace(ESCAPED, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : '&gt;'));
}

/**
 * Bytewise UTF-8 order (what proplib's `strcmp` gives) of two strings. UTF-16 order differs
 * from it only between surrogate pairs and U+E000..U+FFFF, which this corrects.
 */
export function compareUtf8(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 0xd800 && y >= 0xd800) {
      x = x >= 0xe000 ? x - 0x800 : x + 0x2000;
      y = y >= 0xe000 ? y - 0x800 : y + 0x2000;
    }
    return x < y ? -1 : 1;
  }
  return a.length - b.length;
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (typeof v === 'object') return (v as object).constructor?.name ?? 'object';
  return typeof v;
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** Standard base64 with '=' padding on one line (proplib's `_prop_data_externalize`). */
export function base64Encode(b: Uint8Array): string {
  let out = '';
  const n = b.length;
  let i = 0;
  // Chunks keep the string building cheap for large blobs.
  const parts: string[] = [];
  for (; i + 2 < n; i += 3) {
    const v = (b[i]! << 16) | (b[i + 1]! << 8) | b[i + 2]!;
    out += B64[v >> 18]! + B64[(v >> 12) & 63]! + B64[(v >> 6) & 63]! + B64[v & 63]!;
    if (out.length >= 8192) {
      parts.push(out);
      out = '';
    }
  }
  if (i < n) {
    const v = (b[i]! << 16) | ((i + 1 < n ? b[i + 1]! : 0) << 8);
    out += B64[v >> 18]! + B64[(v >> 12) & 63]! + (i + 1 < n ? B64[(v >> 6) & 63]! : '=') + '=';
  }
  parts.push(out);
  return parts.join('');
}

class Writer {
  out = '';
  readonly maxDepth: number;
  readonly path = new Set<object>();

  constructor(maxDepth: number) {
    this.maxDepth = maxDepth;
  }

  value(v: PlistInput, depth: number): void {
    const ind = tabs(depth);
    switch (typeof v) {
      case 'string':
        this.out += v.length === 0 ? `${ind}<string/>\n` : `${ind}<string>${escapeText(v, 'a string')}</string>\n`;
        return;
      case 'boolean':
        this.out += v ? `${ind}<true/>\n` : `${ind}<false/>\n`;
        return;
      case 'number':
        if (!Number.isSafeInteger(v)) unwritable(`the number ${v} is not a safe integer; use a bigint or a PlistInteger`);
        this.out += `${ind}<integer>${v}</integer>\n`;
        return;
      case 'bigint':
        if (v < PLIST_INT64_MIN || v > PLIST_UINT64_MAX) unwritable(`the integer ${v} does not fit in 64 bits`);
        this.out += `${ind}<integer>${v}</integer>\n`;
        return;
      default:
    }
    if (v instanceof Uint8Array) {
      if (v.length === 0) unwritable('empty data: proplib would write <data/>, which it cannot read back');
      this.out += `${ind}<data>${base64Encode(v)}</data>\n`;
      return;
    }
    if (Array.isArray(v) || v instanceof Map) {
      this.container(v as readonly PlistInput[] | ReadonlyMap<string, PlistInput>, depth, ind);
      return;
    }
    if (isPlistInteger(v)) {
      const x = v.value;
      if (v.unsigned ? x < 0n || x > PLIST_UINT64_MAX : x < PLIST_INT64_MIN || x > PLIST_INT64_MAX) {
        unwritable(`the ${v.unsigned ? 'unsigned' : 'signed'} integer ${x} does not fit in 64 bits`);
      }
      this.out += `${ind}<integer>${x}</integer>\n`;
      return;
    }
    unwritable(`${describe(v)} is not a plist value`);
  }

  container(v: readonly PlistInput[] | ReadonlyMap<string, PlistInput>, depth: number, ind: string): void {
    const isMap = v instanceof Map;
    const size = isMap ? (v as ReadonlyMap<string, PlistInput>).size : (v as readonly PlistInput[]).length;
    const tag = isMap ? 'dict' : 'array';
    if (size === 0) {
      this.out += `${ind}<${tag}/>\n`;
      return;
    }
    if (this.path.has(v)) unwritable(`a cycle: this ${tag} contains itself`);
    if (depth + 1 > this.maxDepth) {
      throw new RepokitError('LIMIT_EXCEEDED', `containers nested deeper than ${this.maxDepth} levels`);
    }
    this.path.add(v);
    this.out += `${ind}<${tag}>\n`;
    const inner = tabs(depth + 1);
    if (isMap) {
      const map = v as ReadonlyMap<string, PlistInput>;
      const keys = [...map.keys()];
      for (const k of keys) {
        if (typeof k !== 'string') unwritable(`dictionary keys must be strings, not ${describe(k)}`);
      }
      keys.sort(compareUtf8);
      for (const k of keys) {
        if (k.length > PLIST_MAX_KEY_BYTES / 3 && utf8Length(k) > PLIST_MAX_KEY_BYTES) {
          unwritable(`the key "${k.slice(0, 40)}…" is longer than ${PLIST_MAX_KEY_BYTES} bytes`);
        }
        this.out += `${inner}<key>${escapeText(k, 'a key')}</key>\n`;
        this.value(map.get(k)!, depth + 1);
      }
    } else {
      for (const item of v as readonly PlistInput[]) this.value(item, depth + 1);
    }
    this.out += `${ind}</${tag}>\n`;
    this.path.delete(v);
  }
}
