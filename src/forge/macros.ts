/**
 * A small rpm macro table and expander: just enough of rpm's macro language to evaluate what the
 * forge macros define, lazily, the way rpm does.
 *
 * Supported: `%%`, `%name`, `%{name}`, `%{?name}`, `%{!?name}`, `%{?name:text}`, `%{!?name:text}`
 * (also `%?name`), and the built-in `%{nil}`. An undefined `%{name}` stays in the text as written,
 * as rpm leaves it. Shell `%(...)`, expressions `%[...]` and every other built-in (`%{lua:...}`,
 * `%{expand:...}`, ...) are left unexpanded: repokit never runs code from its input.
 *
 * Texts are byte strings (see text.ts). Limits: rpm's 64 levels of nesting, and an output cap
 * that rpm does not have (self-doubling definitions would otherwise grow without bound).
 */
import { RepokitError } from '../shared/errors.js';

/** rpm's `max_macro_depth`. */
const MAX_DEPTH = 64;
/** Longest expansion result we build (bytes). */
export const MACRO_EXPANSION_LIMIT = 1 << 20;

function isNameStart(c: number): boolean {
  return (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f;
}
function isNameChar(c: number): boolean {
  return isNameStart(c) || (c >= 0x30 && c <= 0x39);
}

/** Index of the `close` that balances the `open` at `i` (rpm skips backslash-escaped characters), or -1. */
function matching(s: string, i: number, open: number, close: number): number {
  let depth = 0;
  for (; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x5c /* \ */) {
      i++;
      continue;
    }
    if (c === open) depth++;
    else if (c === close && --depth === 0) return i;
  }
  return -1;
}

/** Name → body. A defined macro may have an empty body. */
export class MacroTable {
  readonly #bodies = new Map<string, string>();
  #work = 0;

  constructor(definitions?: Iterable<readonly [string, string]>) {
    if (definitions !== undefined) for (const [name, body] of definitions) this.#bodies.set(name, body);
  }

  isDefined(name: string): boolean {
    return this.#bodies.has(name);
  }

  body(name: string): string | undefined {
    return this.#bodies.get(name);
  }

  /** `rpm.define`: (re)define unconditionally. */
  define(name: string, body: string): void {
    this.#bodies.set(name, body);
  }

  /** The forge macros' "safe set": define only if not defined yet, so packagers' values win. */
  safeSet(name: string, body: string): void {
    if (!this.#bodies.has(name)) this.#bodies.set(name, body);
  }

  names(): IterableIterator<string> {
    return this.#bodies.keys();
  }

  /** Expand `text` completely (`rpm.expand`). */
  expand(text: string): string {
    this.#work = 0;
    return this.#expand(text, 0);
  }

  #grow(out: string): string {
    if (out.length > MACRO_EXPANSION_LIMIT || (this.#work += out.length) > 16 * MACRO_EXPANSION_LIMIT) {
      throw new RepokitError('LIMIT_EXCEEDED', `macro expansion longer than ${MACRO_EXPANSION_LIMIT} bytes`);
    }
    return out;
  }

  #expand(text: string, depth: number): string {
    if (depth > MAX_DEPTH) {
      throw new RepokitError(
        'FORGE_BAD_MACRO',
        'Too many levels of recursion in macro expansion. It is likely caused by recursive macro declaration.',
      );
    }
    if (!text.includes('%')) return text;
    let out = '';
    let i = 0;
    while (i < text.length) {
      const pct = text.indexOf('%', i);
      if (pct === -1) {
        out += text.slice(i);
        break;
      }
      out += text.slice(i, pct);
      i = pct + 1;
      const c = text.charCodeAt(i);
      if (c === 0x25 /* % */) {
        out += '%';
        i++;
        continue;
      }
      if (c === 0x7b /* { */) {
        const end = matching(text, i, 0x7b, 0x7d);
        if (end === -1) throw new RepokitError('FORGE_BAD_MACRO', `Unterminated {: ${text.slice(pct)}`);
        out = this.#grow(out + this.#braced(text.slice(pct, end + 1), text.slice(i + 1, end), depth));
        i = end + 1;
        continue;
      }
      if (c === 0x28 /* ( */ || c === 0x5b /* [ */) {
        // Shell and expression expansion: kept as written.
        const close = c === 0x28 ? 0x29 : 0x5d;
        const end = matching(text, i, c, close);
        if (end === -1) throw new RepokitError('FORGE_BAD_MACRO', `Unterminated ${String.fromCharCode(c)}: ${text.slice(pct)}`);
        out += text.slice(pct, end + 1);
        i = end + 1;
        continue;
      }
      // %name, %?name, %!?name
      let j = i;
      let negate = false;
      let conditional = false;
      while (j < text.length && (text.charCodeAt(j) === 0x21 || text.charCodeAt(j) === 0x3f)) {
        if (text.charCodeAt(j) === 0x21) negate = !negate;
        else conditional = true;
        j++;
      }
      if (j < text.length && isNameStart(text.charCodeAt(j))) {
        let k = j + 1;
        while (k < text.length && isNameChar(text.charCodeAt(k))) k++;
        const name = text.slice(j, k);
        out = this.#grow(out + this.#lookup(text.slice(pct, k), name, negate, conditional, undefined, depth));
        i = k;
        continue;
      }
      out += '%';
    }
    return this.#grow(out);
  }

  /** `%{...}`: `whole` is the text as written, `inner` what is between the braces. */
  #braced(whole: string, inner: string, depth: number): string {
    let j = 0;
    let negate = false;
    let conditional = false;
    while (j < inner.length && (inner.charCodeAt(j) === 0x21 || inner.charCodeAt(j) === 0x3f)) {
      if (inner.charCodeAt(j) === 0x21) negate = !negate;
      else conditional = true;
      j++;
    }
    const colon = inner.indexOf(':', j);
    const name = colon === -1 ? inner.slice(j) : inner.slice(j, colon);
    const arg = colon === -1 ? undefined : inner.slice(colon + 1);
    return this.#lookup(whole, name, negate, conditional, arg, depth);
  }

  #lookup(whole: string, name: string, negate: boolean, conditional: boolean, arg: string | undefined, depth: number): string {
    if (name === '') return whole;
    if (conditional) {
      const defined = this.#bodies.has(name) || name === 'nil';
      if (defined === negate) return '';
      if (arg !== undefined) return this.#expand(arg, depth + 1);
      return negate ? '' : this.#expand(this.#bodies.get(name) ?? '', depth + 1);
    }
    const body = this.#bodies.get(name);
    if (body !== undefined) return this.#expand(body, depth + 1);
    if (name === 'nil') return '';
    return whole;
  }
}
