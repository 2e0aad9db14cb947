/**
 * The reader of proplib's XML property lists (`prop_dictionary_internalize` and friends in
 * xbps's portableproplib), written as a hand-made scanner over the decoded text.
 *
 * It accepts what proplib accepts and refuses what it refuses (see docs/xbps.md "Codecs" for
 * the few places where it is stricter), with limits on size, depth and value count. Nothing
 * is expanded: only the five predefined entities are decoded, a DOCTYPE with an internal subset
 * is refused, and dictionary keys go into `Map`s, so `__proto__` is an ordinary key.
 */
import { RepokitError, type ErrorCode } from '../shared/errors.js';
import type { PlistArray, PlistDict, PlistInteger, PlistValue } from './types.js';
import { PLIST_INT64_MAX, PLIST_INT64_MIN, PLIST_UINT64_MAX } from './types.js';

/** Limits and context for {@link parsePlist}. */
export interface ParsePlistOptions {
  /** Largest input accepted, in bytes (or UTF-16 units for string input). Default 256 MiB. */
  maxBytes?: number;
  /** Deepest nesting of dictionaries and arrays accepted (the root is depth 1). Default 128. */
  maxDepth?: number;
  /** Most values (of any type, containers included) in one document. Default 16,000,000. */
  maxValues?: number;
  /** File name to put into errors. */
  file?: string;
}

/** Default of {@link ParsePlistOptions.maxBytes}. */
export const PLIST_DEFAULT_MAX_BYTES = 256 * 1024 * 1024;
/** Default of {@link ParsePlistOptions.maxDepth}. */
export const PLIST_DEFAULT_MAX_DEPTH = 128;
/** Default of {@link ParsePlistOptions.maxValues}. */
export const PLIST_DEFAULT_MAX_VALUES = 16_000_000;
/** proplib's `PDK_MAXKEY`: the longest dictionary key, in bytes of UTF-8. */
export const PLIST_MAX_KEY_BYTES = 128;

const utf8Fatal = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

// Character codes.
const LT = 0x3c; // <
const GT = 0x3e; // >
const SLASH = 0x2f;
const BANG = 0x21;
const AMP = 0x26;
const EQ = 0x3d;
const QUOTE = 0x22;

/** proplib's `_PROP_ISSPACE`: space, TAB, LF and CR only. */
function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
}

/** C `isspace` in the C locale (what `strtoll` skips): proplib's set plus VT and FF. */
function isCSpace(c: number): boolean {
  return c === 0x20 || (c >= 0x09 && c <= 0x0d);
}

/**
 * Parse a proplib XML property list. The root must be a `<dict>` or an `<array>`. A 0-byte
 * input is an empty dictionary (xbps stores empty dictionaries as 0-byte archive members).
 * Text after `</plist>` is ignored, as proplib ignores it.
 *
 * @throws RepokitError `XBPS_PLIST_*` with line and column, `TRUNCATED` when the document ends
 * early, `LIMIT_EXCEEDED` past a limit.
 */
export function parsePlist(input: string | Uint8Array, options: ParsePlistOptions = {}): PlistDict | PlistArray {
  const maxBytes = options.maxBytes ?? PLIST_DEFAULT_MAX_BYTES;
  if (input.length > maxBytes) {
    throw new RepokitError('LIMIT_EXCEEDED', `plist of ${input.length} bytes is larger than the limit of ${maxBytes}`, {
      file: options.file,
    });
  }
  if (input.length === 0) return new Map();
  let text: string;
  let limit: number;
  let stop: Stop | undefined;
  if (typeof input === 'string') {
    text = input;
    limit = text.length;
  } else {
    const decoded = decodeBytes(input);
    text = decoded.text;
    limit = text.length;
    if (decoded.badAt !== undefined) stop = { at: limit, why: 'invalid UTF-8', byteOffset: decoded.badAt };
  }
  // proplib reads a C string: a NUL ends the document.
  const nul = text.indexOf('\0');
  if (nul >= 0 && nul < limit) {
    limit = nul;
    stop = { at: nul, why: 'NUL byte', byteOffset: undefined };
  }
  const p = new Parser(text, limit, stop, options);
  return p.document();
}

/**
 * Parse a property list whose root must be a dictionary (what xbps requires of `props.plist`,
 * `files.plist`, `index.plist` and friends). A 0-byte input is an empty dictionary.
 *
 * @throws RepokitError `XBPS_PLIST_WRONG_TYPE` when the root is an array, and everything
 * {@link parsePlist} throws.
 */
export function parsePlistDict(input: string | Uint8Array, options: ParsePlistOptions = {}): PlistDict {
  const v = parsePlist(input, options);
  if (!(v instanceof Map)) {
    throw new RepokitError('XBPS_PLIST_WRONG_TYPE', 'the plist root is an <array>, a <dict> is required', { file: options.file });
  }
  return v;
}

interface Stop {
  /** Text index where the usable text ends. */
  at: number;
  why: 'invalid UTF-8' | 'NUL byte';
  byteOffset: number | undefined;
}

/** Decode UTF-8; on invalid input keep the valid prefix and say where it broke. */
function decodeBytes(b: Uint8Array): { text: string; badAt: number | undefined } {
  try {
    return { text: utf8Fatal.decode(b), badAt: undefined };
  } catch {
    const bad = firstInvalidUtf8(b);
    return { text: utf8Fatal.decode(b.subarray(0, bad)), badAt: bad };
  }
}

/** Offset of the first byte that starts an ill-formed UTF-8 sequence. */
function firstInvalidUtf8(b: Uint8Array): number {
  let i = 0;
  const n = b.length;
  while (i < n) {
    const c = b[i]!;
    if (c < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (c >= 0xc2 && c <= 0xdf) need = 1;
    else if (c >= 0xe0 && c <= 0xef) {
      need = 2;
      if (c === 0xe0) lo = 0xa0;
      else if (c === 0xed) hi = 0x9f;
    } else if (c >= 0xf0 && c <= 0xf4) {
      need = 3;
      if (c === 0xf0) lo = 0x90;
      else if (c === 0xf4) hi = 0x8f;
    } else return i;
    const c1 = b[i + 1];
    if (c1 === undefined || c1 < lo || c1 > hi) return i;
    for (let k = 2; k <= need; k++) {
      const ck = b[i + k];
      if (ck === undefined || ck < 0x80 || ck > 0xbf) return i;
    }
    i += need + 1;
  }
  return n;
}

const enum TagType {
  Start,
  End,
}

const enum Want {
  Start,
  End,
  Either,
}

interface DictFrame {
  map: PlistDict;
  arr: undefined;
  key: string;
}
interface ArrayFrame {
  map: undefined;
  arr: PlistArray;
  key: string;
}
type Frame = DictFrame | ArrayFrame;

/** proplib's base64 alphabet, as a lookup from char code to 6-bit value (-1 = not base64). */
const B64: Int8Array = (() => {
  const t = new Int8Array(128).fill(-1);
  const abc = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  for (let i = 0; i < abc.length; i++) t[abc.charCodeAt(i)] = i;
  return t;
})();

class Parser {
  readonly s: string;
  readonly end: number;
  readonly stop: Stop | undefined;
  readonly file: string | undefined;
  readonly maxDepth: number;
  readonly maxValues: number;
  pos = 0;
  values = 0;

  // The last tag found by findTag.
  tagStart = 0;
  tagType: TagType = TagType.Start;
  tagName = '';
  tagEmpty = false;
  attrName: string | undefined = undefined;
  attrValue = '';

  constructor(s: string, end: number, stop: Stop | undefined, o: ParsePlistOptions) {
    this.s = s;
    this.end = end;
    this.stop = stop;
    this.file = o.file;
    this.maxDepth = o.maxDepth ?? PLIST_DEFAULT_MAX_DEPTH;
    this.maxValues = o.maxValues ?? PLIST_DEFAULT_MAX_VALUES;
  }

  // ---------------------------------------------------------------------------------------
  // Errors

  fail(code: ErrorCode, detail: string, at: number = this.pos): never {
    const { line, column } = lineColumn(this.s, Math.min(at, this.s.length));
    throw new RepokitError(code, detail, { line, column, offset: byteOffset(this.s, at), file: this.file });
  }

  /** The document ended (or hit a NUL / invalid UTF-8) while `what` was being read. */
  eof(what: string): never {
    const st = this.stop;
    if (st !== undefined) {
      const detail = `${st.why} inside the document (while reading ${what})`;
      const { line, column } = lineColumn(this.s, st.at);
      throw new RepokitError('XBPS_PLIST_BAD_ENCODING', detail, {
        line,
        column,
        offset: st.byteOffset ?? byteOffset(this.s, st.at),
        file: this.file,
      });
    }
    this.fail('TRUNCATED', `the plist ends inside ${what}`, this.end);
  }

  count(): void {
    if (++this.values > this.maxValues) this.fail('LIMIT_EXCEEDED', `more than ${this.maxValues} values in the plist`);
  }

  // ---------------------------------------------------------------------------------------
  // Document

  document(): PlistDict | PlistArray {
    this.preamble();
    this.findTag('plist', Want.Start, 'the <plist> element');
    if (this.tagEmpty) this.fail('XBPS_PLIST_SYNTAX', '<plist/> is empty', this.tagStart);
    if (this.attrName !== undefined && this.attrName !== 'version') {
      this.fail('XBPS_PLIST_UNSUPPORTED', `unknown attribute "${this.attrName}" on <plist>`, this.tagStart);
    }
    this.findTag(undefined, Want.Start, 'the root element');
    const name = this.tagName;
    if (name !== 'dict' && name !== 'array') {
      if (name === 'key' || KNOWN_VALUE_TAGS.has(name)) {
        this.fail('XBPS_PLIST_UNSUPPORTED', `the root element is <${name}>; proplib reads only a <dict> or an <array> root`, this.tagStart);
      }
      this.unknownElement();
    }
    const root = this.values_();
    this.findTag('plist', Want.End, '</plist>');
    return root;
  }

  /** Skip whitespace, `<?xml ...>` and `<!DOCTYPE plist ...>` the way proplib does. */
  preamble(): void {
    const s = this.s;
    for (;;) {
      let p = this.pos;
      while (p < this.end && isSpace(s.charCodeAt(p))) p++;
      this.pos = p;
      if (p >= this.end) this.eof('the preamble');
      const c = s.charCodeAt(p);
      if (c !== LT) {
        if (c === 0xfeff) this.fail('XBPS_PLIST_UNSUPPORTED', 'a byte order mark is not accepted by proplib', p);
        this.fail('XBPS_PLIST_SYNTAX', `expected "<" but found ${describeChar(c)}`, p);
      }
      const isDecl = s.startsWith('<?xml ', p);
      const isDoctype = !isDecl && s.startsWith('<!DOCTYPE plist', p);
      if (!isDecl && !isDoctype) return;
      const gt = s.indexOf('>', p);
      if (gt < 0 || gt >= this.end) this.eof(isDecl ? 'the XML declaration' : 'the DOCTYPE');
      if (isDoctype) {
        const bracket = s.indexOf('[', p);
        if (bracket >= 0 && bracket < gt) {
          this.fail('XBPS_PLIST_UNSUPPORTED', 'a DOCTYPE with an internal subset (entity declarations) is refused', bracket);
        }
      }
      this.pos = gt + 1;
    }
  }

  /**
   * proplib's `_prop_object_internalize_find_tag`: skip whitespace (and comments, unless an
   * end tag is wanted), read one tag and its single optional `name="value"` attribute.
   */
  findTag(tag: string | undefined, want: Want, what: string): void {
    const s = this.s;
    const end = this.end;
    for (;;) {
      let p = this.pos;
      while (p < end && isSpace(s.charCodeAt(p))) p++;
      if (p >= end) {
        this.pos = p;
        this.eof(what);
      }
      if (s.charCodeAt(p) !== LT) {
        this.fail('XBPS_PLIST_SYNTAX', `expected ${what} but found ${describeChar(s.charCodeAt(p))}`, p);
      }
      this.tagStart = p;
      p++;
      if (p >= end) this.eof(what);
      let c = s.charCodeAt(p);
      if (c === BANG) {
        if (s.startsWith('![CDATA[', p)) this.fail('XBPS_PLIST_UNSUPPORTED', 'CDATA sections are not accepted by proplib', p - 1);
        if (!s.startsWith('!--', p)) {
          if (p + 3 > end) this.eof(what);
          this.fail('XBPS_PLIST_SYNTAX', `unexpected markup "<${s.slice(p, p + 9)}" (only comments may start with "<!")`, p - 1);
        }
        if (want === Want.End) this.fail('XBPS_PLIST_SYNTAX', `a comment where proplib requires ${what}`, p - 1);
        const close = s.indexOf('-->', p + 3);
        if (close < 0 || close + 3 > end) this.eof('a comment');
        this.pos = close + 3;
        continue;
      }
      if (c === SLASH) {
        if (want === Want.Start) this.fail('XBPS_PLIST_SYNTAX', `expected ${what} but found an end tag`, p - 1);
        p++;
        if (p >= end) this.eof(what);
        this.tagType = TagType.End;
      } else {
        if (want === Want.End) {
          this.fail('XBPS_PLIST_SYNTAX', `expected ${what} but found a start tag`, p - 1);
        }
        this.tagType = TagType.Start;
      }
      const nameStart = p;
      for (;;) {
        if (p >= end) this.eof('a tag');
        c = s.charCodeAt(p);
        if (isSpace(c) || c === SLASH || c === GT) break;
        p++;
      }
      const name = s.slice(nameStart, p);
      this.tagName = name;
      if (tag !== undefined && name !== tag) {
        const got = this.tagType === TagType.End ? `</${name}>` : `<${name}>`;
        this.fail('XBPS_PLIST_SYNTAX', `expected ${what} but found ${got}`, this.tagStart);
      }
      if (c === SLASH) {
        if (this.tagType !== TagType.Start) this.fail('XBPS_PLIST_SYNTAX', `malformed end tag </${name}/`, this.tagStart);
        p++;
        if (p >= end) this.eof('a tag');
        if (s.charCodeAt(p) !== GT) this.fail('XBPS_PLIST_SYNTAX', `malformed empty element <${name}/`, this.tagStart);
        this.tagEmpty = true;
      } else {
        this.tagEmpty = false;
      }
      if (s.charCodeAt(p) === GT) {
        this.attrName = undefined;
        this.pos = p + 1;
        return;
      }
      // One attribute: a single whitespace character, optional more whitespace, name, '=',
      // a double-quoted value and then '>' at once (proplib's exact shape).
      if (this.tagType === TagType.End) this.fail('XBPS_PLIST_UNSUPPORTED', `attributes on end tag </${name}>`, this.tagStart);
      p++;
      while (p < end && isSpace(s.charCodeAt(p))) p++;
      const attrStart = p;
      for (;;) {
        if (p >= end) this.eof('a tag attribute');
        c = s.charCodeAt(p);
        if (isSpace(c) || c === EQ) break;
        p++;
      }
      const attr = s.slice(attrStart, p);
      if (c !== EQ) this.fail('XBPS_PLIST_UNSUPPORTED', `attribute "${attr}" on <${name}> is not of the form name="value"`, p);
      p++;
      if (p >= end) this.eof('a tag attribute');
      if (s.charCodeAt(p) !== QUOTE) {
        this.fail('XBPS_PLIST_UNSUPPORTED', `attribute values must be in double quotes (on <${name}>)`, p);
      }
      p++;
      const q = s.indexOf('"', p);
      if (q < 0 || q >= end) this.eof('a tag attribute');
      this.attrName = attr;
      this.attrValue = s.slice(p, q);
      p = q + 1;
      if (p >= end) this.eof('a tag');
      if (s.charCodeAt(p) !== GT) {
        this.fail('XBPS_PLIST_UNSUPPORTED', `only one attribute, directly followed by ">", is accepted on <${name}>`, p);
      }
      this.pos = p + 1;
      return;
    }
  }

  unknownElement(): never {
    const name = this.tagName;
    if (name === 'real' || name === 'date') {
      this.fail('XBPS_PLIST_UNSUPPORTED', `<${name}> elements are not supported by proplib`, this.tagStart);
    }
    if (name.startsWith('?')) this.fail('XBPS_PLIST_SYNTAX', `misplaced processing instruction <${name}`, this.tagStart);
    this.fail('XBPS_PLIST_UNSUPPORTED', `unknown element <${name}>`, this.tagStart);
  }

  noAttributes(): void {
    if (this.attrName !== undefined) {
      this.fail('XBPS_PLIST_UNSUPPORTED', `attribute "${this.attrName}" on <${this.tagName}>`, this.tagStart);
    }
  }

  // ---------------------------------------------------------------------------------------
  // Values

  /**
   * Read the value whose start tag was just found, including everything nested in it, with
   * an explicit stack (no recursion, so nesting depth is only bounded by maxDepth).
   */
  values_(): PlistDict | PlistArray {
    const stack: Frame[] = [];
    let value: PlistValue = this.openValue(stack);
    if (stack.length === 0) return value as PlistDict | PlistArray;
    for (;;) {
      const top = stack[stack.length - 1]!;
      // Find the next key (dict) or element (array), or the end of the container.
      this.findTag(undefined, Want.Either, top.map !== undefined ? '<key> or </dict>' : 'an element or </array>');
      if (this.tagType === TagType.End) {
        const want = top.map !== undefined ? 'dict' : 'array';
        if (this.tagName !== want) {
          this.fail('XBPS_PLIST_SYNTAX', `</${this.tagName}> does not close <${want}>`, this.tagStart);
        }
        stack.pop();
        value = top.map ?? top.arr!;
      } else {
        if (top.map !== undefined) {
          if (this.tagName !== 'key') this.fail('XBPS_PLIST_SYNTAX', `expected <key> but found <${this.tagName}>`, this.tagStart);
          if (this.tagEmpty) this.fail('XBPS_PLIST_SYNTAX', 'empty <key/> element', this.tagStart);
          top.key = this.readKey();
          this.findTag(undefined, Want.Start, `the value of key "${top.key}"`);
        }
        const before = stack.length;
        value = this.openValue(stack);
        if (stack.length > before) continue; // a container was opened: read its children first
      }
      // `value` is complete: store it in its parent, closing parents as long as they are done.
      const parent = stack[stack.length - 1];
      if (parent === undefined) return value as PlistDict | PlistArray;
      if (parent.map !== undefined) parent.map.set(parent.key, value);
      else parent.arr.push(value);
    }
  }

  /** Read a scalar value, or open a container (pushing a frame) and return it unfilled. */
  openValue(stack: Frame[]): PlistValue {
    this.count();
    const name = this.tagName;
    switch (name) {
      case 'dict':
      case 'array': {
        this.noAttributes();
        const v: PlistDict | PlistArray = name === 'dict' ? new Map() : [];
        if (this.tagEmpty) return v;
        if (stack.length + 1 > this.maxDepth) {
          this.fail('LIMIT_EXCEEDED', `containers nested deeper than ${this.maxDepth} levels`, this.tagStart);
        }
        stack.push(v instanceof Map ? { map: v, arr: undefined, key: '' } : { map: undefined, arr: v, key: '' });
        return v;
      }
      case 'string': {
        if (this.tagEmpty) return '';
        this.noAttributes();
        const str = this.readText('<string>');
        this.findTag('string', Want.End, '</string>');
        return str;
      }
      case 'integer':
        return this.readInteger();
      case 'true':
      case 'false':
        this.noAttributes();
        if (!this.tagEmpty) this.fail('XBPS_PLIST_SYNTAX', `<${name}> must be an empty element <${name}/>`, this.tagStart);
        return name === 'true';
      case 'data':
        return this.readData();
      case 'key':
        this.fail('XBPS_PLIST_SYNTAX', '<key> outside a dictionary', this.tagStart);
      // eslint-disable-next-line no-fallthrough
      default:
        return this.unknownElement();
    }
  }

  /** Key text up to `</key>`, at most 128 bytes of UTF-8 (proplib's PDK_MAXKEY). */
  readKey(): string {
    const at = this.pos;
    const key = this.readText('<key>');
    if (key.length > PLIST_MAX_KEY_BYTES / 3 && utf8Length(key) > PLIST_MAX_KEY_BYTES) {
      this.fail('XBPS_PLIST_BAD_KEY', `key of ${utf8Length(key)} bytes is longer than ${PLIST_MAX_KEY_BYTES}`, at);
    }
    this.findTag('key', Want.End, '</key>');
    return key;
  }

  /** proplib's `_prop_object_internalize_decode_string`: text up to the next '<'. */
  readText(what: string): string {
    const s = this.s;
    const start = this.pos;
    const lt = s.indexOf('<', start);
    if (lt < 0 || lt >= this.end) {
      this.pos = this.end;
      this.eof(what);
    }
    this.pos = lt;
    const amp = s.indexOf('&', start);
    if (amp < 0 || amp >= lt) return s.slice(start, lt);
    let out = s.slice(start, amp);
    let p = amp;
    while (p < lt) {
      const c = s.charCodeAt(p);
      if (c !== AMP) {
        const next = s.indexOf('&', p);
        const stop = next < 0 || next > lt ? lt : next;
        out += s.slice(p, stop);
        p = stop;
        continue;
      }
      if (s.startsWith('&amp;', p)) (out += '&'), (p += 5);
      else if (s.startsWith('&lt;', p)) (out += '<'), (p += 4);
      else if (s.startsWith('&gt;', p)) (out += '>'), (p += 4);
      else if (s.startsWith('&apos;', p)) (out += "'"), (p += 6);
      else if (s.startsWith('&quot;', p)) (out += '"'), (p += 6);
      else if (s.charCodeAt(p + 1) === 0x23 /* # */) {
        this.fail('XBPS_PLIST_UNSUPPORTED', 'numeric character references are not accepted by proplib', p);
      } else {
        const semi = s.indexOf(';', p);
        const ref = semi > p && semi - p < 32 && semi < lt ? s.slice(p, semi + 1) : '&';
        this.fail('XBPS_PLIST_UNSUPPORTED', `unknown entity "${ref}" (proplib knows only &amp; &lt; &gt; &apos; &quot;)`, p);
      }
      // A '&' that the entity consumed may make the entity run past the '<': impossible, as
      // every entity above ends in ';' before any '<'.
    }
    return out;
  }

  /** `<integer>`: parsed like proplib, i.e. with C `strtoll`/`strtoull` in base 0. */
  readInteger(): PlistInteger {
    const tagAt = this.tagStart;
    if (this.tagEmpty) this.fail('XBPS_PLIST_BAD_INTEGER', 'empty <integer/> element', tagAt);
    this.noAttributes();
    const s = this.s;
    const p = this.pos;
    const first = p < this.end ? s.charCodeAt(p) : -1;
    const second = p + 1 < this.end ? s.charCodeAt(p + 1) : -1;
    const num = scanCInteger(s, p, this.end);
    let result: PlistInteger;
    const outOfRange = (): never =>
      this.fail('XBPS_PLIST_BAD_INTEGER', `integer ${s.slice(num.start, num.end)} is out of the 64-bit range`, p);
    if (first === 0x2d /* - */) {
      // proplib: a leading '-' means signed only.
      if (num.value < PLIST_INT64_MIN || num.value > PLIST_INT64_MAX) outOfRange();
      result = { type: 'integer', value: num.value, unsigned: false };
    } else if (first === 0x30 && second === 0x78 /* 0x */) {
      result = { type: 'integer', value: toUnsigned(num.value) ?? outOfRange(), unsigned: true };
    } else if (num.value >= PLIST_INT64_MIN && num.value <= PLIST_INT64_MAX) {
      result = { type: 'integer', value: num.value, unsigned: false };
    } else {
      // Signed overflowed: proplib retries unsigned (strtoull wraps negative values).
      result = { type: 'integer', value: toUnsigned(num.value) ?? outOfRange(), unsigned: true };
    }
    this.pos = num.end;
    // Whatever follows the number must be (whitespace and) the end tag.
    let q = num.end;
    while (q < this.end && isSpace(s.charCodeAt(q))) q++;
    if (q < this.end && s.charCodeAt(q) !== LT) {
      const lt = s.indexOf('<', p);
      const shown = s.slice(p, lt < 0 || lt > p + 40 ? p + 40 : lt);
      this.fail('XBPS_PLIST_BAD_INTEGER', `"${shown}" is not an integer proplib reads`, p);
    }
    this.findTag('integer', Want.End, '</integer>');
    return result;
  }

  /** `<data>`: base64 with whitespace anywhere, proplib's padding rules, optional `size`. */
  readData(): Uint8Array {
    const tagAt = this.tagStart;
    if (this.tagEmpty) this.fail('XBPS_PLIST_BAD_DATA', 'empty <data/> element (proplib does not read it)', tagAt);
    let declared: number | undefined;
    if (this.attrName !== undefined) {
      if (this.attrName !== 'size' || this.attrValue === '') {
        this.fail('XBPS_PLIST_UNSUPPORTED', `attribute "${this.attrName}" on <data>`, tagAt);
      }
      const n = scanCInteger(this.attrValue, 0, this.attrValue.length);
      if (n.end !== this.attrValue.length || n.value < 0n || n.value > PLIST_UINT64_MAX) {
        this.fail('XBPS_PLIST_BAD_DATA', `bad <data size="${this.attrValue}">`, tagAt);
      }
      declared = n.value > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(n.value);
    }
    const s = this.s;
    const start = this.pos;
    const lt = s.indexOf('<', start);
    if (lt < 0 || lt >= this.end) {
      this.pos = this.end;
      this.eof('<data>');
    }
    // At most 3 bytes per 4 base64 characters.
    const out = new Uint8Array(Math.floor(((lt - start) * 3) / 4) + 3);
    let n = 0;
    let state = 0;
    let p = start;
    let padded = false;
    for (; p < lt; p++) {
      const c = s.charCodeAt(p);
      if (isSpace(c)) continue;
      if (c === EQ) {
        padded = true;
        break;
      }
      const v = c < 128 ? B64[c]! : -1;
      if (v < 0) this.fail('XBPS_PLIST_BAD_DATA', `${describeChar(c)} is not a base64 character`, p);
      switch (state) {
        case 0:
          out[n] = v << 2;
          state = 1;
          break;
        case 1:
          out[n] = out[n]! | (v >> 4);
          out[n + 1] = (v & 0xf) << 4;
          n++;
          state = 2;
          break;
        case 2:
          out[n] = out[n]! | (v >> 2);
          out[n + 1] = (v & 0x3) << 6;
          n++;
          state = 3;
          break;
        default:
          out[n] = out[n]! | v;
          n++;
          state = 0;
      }
    }
    if (padded) {
      if (state === 0 || state === 1) this.fail('XBPS_PLIST_BAD_DATA', 'misplaced "=" padding in base64', p);
      p++;
      if (state === 2) {
        // One byte of information: a second '=' must follow (whitespace allowed between).
        while (p < lt && isSpace(s.charCodeAt(p))) p++;
        if (p >= lt || s.charCodeAt(p) !== EQ) this.fail('XBPS_PLIST_BAD_DATA', 'base64 padding needs "=="', p);
        p++;
      }
      while (p < lt) {
        if (!isSpace(s.charCodeAt(p))) this.fail('XBPS_PLIST_BAD_DATA', 'characters after the base64 padding', p);
        p++;
      }
    } else if (state !== 0) {
      this.fail('XBPS_PLIST_BAD_DATA', 'base64 ends in the middle of a group (missing "=" padding)', lt);
    }
    if (declared !== undefined && declared !== n) {
      this.fail('XBPS_PLIST_BAD_DATA', `<data size="${this.attrValue}"> but the base64 holds ${n} bytes`, tagAt);
    }
    this.pos = lt;
    this.findTag('data', Want.End, '</data>');
    return out.length === n ? out : out.slice(0, n);
  }
}

const KNOWN_VALUE_TAGS = new Set(['string', 'integer', 'true', 'false', 'data']);

/**
 * C `strtoll`/`strtoull` with base 0 over `s[from, to)`: optional whitespace, sign, then `0x`
 * hex, leading-`0` octal or decimal. `end` is where parsing stopped (`from` when nothing was
 * converted, like C's endptr). `value` is exact and signed (not yet range-checked).
 */
export function scanCInteger(s: string, from: number, to: number): { value: bigint; start: number; end: number } {
  let p = from;
  while (p < to && isCSpace(s.charCodeAt(p))) p++;
  let negative = false;
  const signAt = p;
  const c0 = p < to ? s.charCodeAt(p) : -1;
  if (c0 === 0x2b || c0 === 0x2d) {
    negative = c0 === 0x2d;
    p++;
  }
  let radix = 10;
  if (p < to && s.charCodeAt(p) === 0x30) {
    const x = p + 1 < to ? s.charCodeAt(p + 1) | 0x20 : -1;
    if (x === 0x78 && p + 2 < to && hexDigit(s.charCodeAt(p + 2)) >= 0) {
      radix = 16;
      p += 2;
    } else radix = 8;
  }
  const digitsStart = p;
  while (p < to && digitValue(s.charCodeAt(p), radix) >= 0) p++;
  if (p === digitsStart) return { value: 0n, start: signAt, end: from };
  let digits = s.slice(digitsStart, p);
  // Leading zeros do not count; more than 64 significant binary digits overflow anyway, so a
  // 10k-digit number never reaches BigInt's (superlinear) parser.
  let z = 0;
  while (z < digits.length - 1 && digits.charCodeAt(z) === 0x30) z++;
  digits = digits.slice(z);
  let value: bigint;
  if (digits.length > 24) value = 1n << 80n;
  else value = BigInt(radix === 16 ? `0x${digits}` : radix === 8 ? `0o${digits}` : digits);
  return { value: negative ? -value : value, start: signAt, end: p };
}

/** strtoull's result: the magnitude when it fits 64 bits, negated modulo 2^64 for '-'. */
function toUnsigned(v: bigint): bigint | undefined {
  if (v >= 0n) return v <= PLIST_UINT64_MAX ? v : undefined;
  const mag = -v;
  if (mag > PLIST_UINT64_MAX) return undefined;
  return ((1n << 64n) - mag) & PLIST_UINT64_MAX;
}

function hexDigit(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  const l = c | 0x20;
  if (l >= 0x61 && l <= 0x66) return l - 0x61 + 10;
  return -1;
}

function digitValue(c: number, radix: number): number {
  if (radix === 16) return hexDigit(c);
  const d = c - 0x30;
  return d >= 0 && d < radix ? d : -1;
}

/** Bytes of the UTF-8 encoding of `s` (well-formed or not: lone surrogates count 3). */
export function utf8Length(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) n += 1;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n += 2; // the pair: 2 units -> 4 bytes
      i++;
    } else n += 2;
  }
  return n;
}

function byteOffset(s: string, at: number): number {
  return utf8Length(s.slice(0, Math.max(0, Math.min(at, s.length))));
}

function lineColumn(s: string, at: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = s.indexOf('\n'); i >= 0 && i < at; i = s.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, column: at - lineStart + 1 };
}

function describeChar(c: number): string {
  if (c < 0) return 'the end of the text';
  if (c >= 0x21 && c < 0x7f) return `"${String.fromCharCode(c)}"`;
  return `U+${c.toString(16).toUpperCase().padStart(4, '0')}`;
}
